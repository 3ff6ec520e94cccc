#!/bin/bash
# Hostile traffic: while mcast recv, mcast pong and mcast bench recv serve a
# legitimate sender, another host floods each of their groups with 100000
# datagrams of garbage (random bytes of 0..1472, "MCST" cut short,
# truncated messages, other versions, oversized answers, reserved flags,
# unknown types, and well-formed messages of the wrong type: data and
# answers to pong, probes and answers to bench recv), shuffled together,
# from tests/net/flood.py (plain Python sockets). Then:
#   - every legitimate datagram is delivered and counted: recv printed the
#     200 of mcast send exactly once each, ping had all 50 probes answered,
#     bench recv counted all 20000 of bench send with nothing lost;
#   - the garbage is counted as such, exactly: pong by kind, bench recv as
#     garbage and other, recv as datagrams (and bytes) of their source;
#   - no kernel drops anywhere on h2 (the flood is paced for buffers of
#     4M or more: 8M as root, rmem_max in a user namespace), so that every
#     count above can be exact;
#   - memory stays flat: VmRSS at the end within 4 MB of VmRSS once
#     listening, for each of the three;
#   - nothing crashes: all three exit 0 on SIGTERM, and with MCAST a
#     sanitizer build, no sanitizer report.
#
# Hosts (lab_bridge3): h1 10.77.0.1 legitimate senders, h2 10.77.0.2 the
# three receivers, h3 10.77.0.3 the flood. Under MCAST_WRAP (valgrind) the
# flood and bench send are a tenth as large and as fast, and memory is not
# measured (valgrind's own would be).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

GR=239.75.0.1:5751 # mcast recv
GP=239.75.0.2:5752 # mcast pong
GB=239.75.0.3:5753 # mcast bench recv

N=100000       # flood datagrams per group
RATE=45000     # flood datagrams per second, all groups together
BN=20000       # bench send datagrams
BRATE=20k      # and their rate
if [ -n "$MCAST_WRAP" ]; then
	N=10000 RATE=4500 BN=2000 BRATE=2k
fi

# pct P: P percent of N.
pct() { echo $((N * $1 / 100)); }
# The mix each group gets; 100% of N each.
common="random=$(pct 30),magic=$(pct 5),truncated=$(pct 15),version=$(pct 10)"
common+=",oversized=$(pct 10),flags=$(pct 5),type=$(pct 5),answer=$(pct 10)"
MIX_R="$common,data=$(pct 5),probe=$(pct 5)"
MIX_P="$common,data=$(pct 10)"
MIX_B="$common,probe=$(pct 10)"

# rss_kb PID: the process's resident set in kB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# udp_col NS COLUMN: the sum over NS's IPv4 UDP sockets of a column of
# /proc/net/udp: "rx" (bytes queued to be read) or "drops".
udp_col() {
	local f n=0
	while read -r -a f; do
		[ "${f[0]}" = sl ] && continue
		if [ "$2" = rx ]; then
			n=$((n + 16#${f[4]#*:}))
		else
			n=$((n + f[-1]))
		fi
	done < <(in_ns "$1" cat /proc/net/udp)
	echo "$n"
}

# udp_snmp NS FIELD: a counter of the Udp: lines of NS's /proc/net/snmp.
udp_snmp() {
	local names values i
	read -r -a names < <(in_ns "$1" grep '^Udp:' /proc/net/snmp | head -1)
	read -r -a values < <(in_ns "$1" grep '^Udp:' /proc/net/snmp | tail -1)
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$2" ] && echo "${values[$i]}"
	done
}

# Wait (at most 20 s) until every socket on h2 has read all it was sent:
# the receive queues are empty twice in a row, 0.2 s apart.
# shellcheck disable=SC2317 # called through check
wait_drained() {
	local i empty=0
	for ((i = 0; i < 100; i++)); do
		if [ "$(udp_col h2 rx)" = 0 ]; then
			empty=$((empty + 1))
			[ "$empty" -ge 2 ] && return 0
		else
			empty=0
		fi
		sleep 0.2
	done
	return 1
}

R=(-i eth0 --json --rcvbuf 8M)
mc_bg recv h2 recv "${R[@]}" "$GR"
mc_bg pong h2 pong "${R[@]}" "$GP"
mc_bg brecv h2 bench recv "${R[@]}" -w "$(tmo 60)" "$GB"
declare -A RSS0=()
for r in recv pong brecv; do
	wait_listening "$r"
	# As root 8M; in an unprivileged user namespace, net.core.rmem_max.
	granted=$(sed -n 's/.*receive buffer: asked [0-9]* bytes, granted \([0-9]*\) bytes.*/\1/p' \
		"$T/$r.err")
	check "$r was granted a buffer of 4M or more (${granted:-?} bytes)" \
		test "${granted:-0}" -ge 4194304
done
# Once listening, every buffer a receiver needs is allocated; touched or
# not, whatever it touches later belongs to the same few MB.
for r in recv pong brecv; do
	RSS0[$r]=$(rss_kb "${PID[$r]}")
done

bg flood h3 "$PYTHON" "$NET_DIR/flood.py" send eth0 "$RATE" 7 \
	"$GR:$MIX_R" "$GP:$MIX_P" "$GB:$MIX_B"
check "the flood has begun" wait_for_file_text "$T/flood.err" flooding "$LONG"
# Well into the flood, the legitimate senders start, all three at once.
sleep 0.5
mc_bg send h1 send -i eth0 -n 200 -I 5ms -T 'legit {seq}' "$GR"
mc_bg ping h1 ping -i eth0 -n 50 -I 20ms -w 1s --json "$GP"
mc_bg bsend h1 bench send -i eth0 -n "$BN" --rate "$BRATE" --json "$GB"
for s in send ping bsend; do
	wait_exit "$s" "$LONG"
	check_rc "legitimate $s exits 0" 0 "$RC"
done
check "the flood was still going when the legitimate traffic ended" \
	proc_alive "${PID[flood]}"

wait_exit flood 60
check_rc "flood.py exits 0 (every datagram sent)" 0 "$RC"
[ "$RC" = 0 ] || show "flood stderr" "$T/flood.err"
diag "flood: $(cat "$T/flood.out")"
check "h2 read everything it was sent (receive queues empty)" wait_drained
check_eq "no kernel drops on any socket of h2" 0 "$(udp_col h2 drops)"
check_eq "no receive buffer or other errors on h2 (/proc/net/snmp)" "0 0" \
	"$(udp_snmp h2 RcvbufErrors) $(udp_snmp h2 InErrors)"

for r in recv pong brecv; do
	check "$r is still running after the flood" proc_alive "${PID[$r]}"
	rss1=$(rss_kb "${PID[$r]}")
	diag "$r VmRSS: ${RSS0[$r]:-?} kB listening, ${rss1:-?} kB after the flood"
	if [ -z "$MCAST_WRAP" ]; then
		check "$r: VmRSS grew by less than 4 MB" \
			test "$((${rss1:-999999} - ${RSS0[$r]:-0}))" -lt 4096
	fi
done
for r in recv pong brecv; do
	kill -TERM "${PID[$r]}" 2>/dev/null
	wait_exit "$r" "$LONG"
	check_rc "$r exits 0 on SIGTERM" 0 "$RC"
done
for r in recv pong brecv send ping bsend; do
	check_lacks "$r: no AddressSanitizer report" "$T/$r.err" "AddressSanitizer"
	check_lacks "$r: no UndefinedBehaviorSanitizer report" "$T/$r.err" "runtime error"
done

# Every count, from the JSON lines of each program and the flood's tally.
"$PYTHON" - "$T" "$GR" "$GP" "$GB" "$N" "$BN" >"$T/check.tap" 2>&1 <<'PY'
import collections, json, sys

t, gr, gp, gb, n, bn = sys.argv[1:5] + [int(x) for x in sys.argv[5:7]]


def lines(name):
    try:
        return [json.loads(l) for l in open("%s/%s.out" % (t, name))]
    except Exception as e:  # a line that is not JSON fails every check
        print("# %s.out: %s" % (name, e))
        return []


def last(events, kind):
    return ([e for e in events if e.get("event") == kind] or [{}])[-1]


def check(desc, want, got):
    print(("ok - " if want == got else "not ok - ") + desc)
    if want != got:
        print("#   expected: %r\n#   got:      %r" % (want, got))


flood = json.loads(open(t + "/flood.out").read() or "{}")
kinds = flood.get("targets", {})
fbytes = flood.get("bytes", {})
check("the flood sent %d datagrams, %d to each group" % (3 * n, n),
      [3 * n, n, n, n],
      [flood.get("sent")] + [sum(kinds.get(g, {}).values()) for g in (gr, gp, gb)])

# mcast recv: the 200 legitimate lines among the flood's, each once.
ev = lines("recv")
msgs = [e for e in ev if e.get("event") == "message"]
legit = [e for e in msgs if e.get("source") == "10.77.0.1"]
got = [e.get("data") for e in legit]
want = ["legit %d" % k for k in range(1, 201)]
check("recv: 200 lines from h1, 'legit 1' to 'legit 200', each once",
      [200, [], []],
      [len(got), sorted(set(want) - set(got)), sorted(set(got) - set(want))])
check("recv: the flood's %d lines are all from h3" % n, n,
      len([e for e in msgs if e.get("source") == "10.77.0.3"]))
s = last(ev, "summary")
legit_bytes = sum(len("legit %d" % k) for k in range(1, 201))
check("recv: summary of 200 + %d datagrams, their bytes, 2 sources, 0 kernel drops" % n,
      [200 + n, legit_bytes + fbytes.get(gr, -1), 2, 0],
      [s.get("datagrams"), s.get("bytes"), s.get("sources"), s.get("kernel_drops")])
check("recv: a listening line, %d messages, a summary line" % (200 + n),
      ["listening", {"message": 200 + n}, "summary"],
      [ev[0].get("event") if ev else None,
       dict(collections.Counter(e.get("event") for e in ev[1:-1])),
       ev[-1].get("event") if ev else None])

# mcast ping and pong: 50 of 50 answered; the flood counted by kind.
ev = lines("ping")
r = {e.get("responder"): e for e in ev if e.get("event") == "responder"}
h2 = r.get("10.77.0.2", {})
check("ping: h2 the only responder, 50 of 50 answered, 0% loss, no duplicates",
      [["10.77.0.2"], 50, 50, 0.0, 0],
      [sorted(r), h2.get("sent"), h2.get("received"), h2.get("loss_pct"),
       h2.get("duplicates")])
s = last(ev, "summary")
check("ping: 50 answers, nothing ignored",
      [50, {"garbage": 0, "truncated": 0, "oversized": 0, "foreign": 0,
            "other": 0, "stray": 0}],
      [s.get("answers"), s.get("ignored")])
k = kinds.get(gp, {})
s = last(lines("pong"), "summary")
check("pong: answered the 50 probes of 1 prober, none held back",
      [50, 1, 0], [s.get("answered"), s.get("probers"), s.get("held_back")])
check("pong: ignored exactly the flood, by kind",
      {"garbage": k.get("random", 0) + k.get("magic", 0) + k.get("flags", 0) + k.get("type", 0),
       "truncated": k.get("truncated", 0), "oversized": k.get("oversized", 0),
       "foreign": k.get("version", 0),
       "other": k.get("answer", 0) + k.get("data", 0)},
      s.get("ignored"))

# mcast bench: every datagram of the real sender; the flood sorted by kind
# as pong sorts it, probes and answers as other.
sid = last(lines("bsend"), "summary").get("sender_id")
ev = lines("brecv")
f = {e.get("sender_id"): e for e in ev if e.get("event") == "sender"}
me = f.get(sid, {})
check("bench recv: the real sender (h1) alone, received %d of %d, nothing lost, "
      "duplicated or reordered" % (bn, bn),
      [[sid], "10.77.0.1", bn, bn, 0, 0, 0],
      [sorted(f), me.get("sender"), me.get("received"), me.get("expected"),
       me.get("lost"), me.get("duplicates"), me.get("reordered")])
k = kinds.get(gb, {})
s = last(ev, "summary")
check("bench recv: %d + %d datagrams; no other senders, no kernel drops" % (bn, n),
      [bn + n, 0, 0],
      [s.get("datagrams"), s.get("other_senders"), s.get("kernel_drops")])
check("bench recv: ignored exactly the flood, by kind, as pong sorts it",
      {"garbage": k.get("random", 0) + k.get("magic", 0) + k.get("flags", 0) + k.get("type", 0),
       "truncated": k.get("truncated", 0), "oversized": k.get("oversized", 0),
       "foreign": k.get("version", 0),
       "other": k.get("answer", 0) + k.get("probe", 0)},
      s.get("ignored"))
PY
tap_merge "$T/check.tap"

finish
