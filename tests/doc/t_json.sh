#!/bin/sh
# t_json.sh - docs/JSON.md documents every JSON event and field of every
# command, and nothing that is not printed.
#
# Each command runs with --json in a private network namespace that holds
# only lo (unshare -n): recv on two groups answering send --wait (both
# signing and trusting each other, for the envelope fields), pong answering ping,
# bench recv --trust measuring bench send --sign (long enough for progress
# lines), ifaces with and without -v, and bridge carrying a datagram to a
# mosquitto broker of its own on lo (its stdout, and the record
# mosquitto_sub receives), and send --reliable to two recv --reliable
# (NORM: a message, a stream line, files stored, skipped, refused, lost,
# rejected and signed, progress, --expect's receivers). Then every event
# printed must be in docs/JSON.md under its command ("recv --reliable" is
# a command of its own there) with each of its fields (object.field for
# a nested object), and every event and field there must be printed by
# some run; under valgrind no run may have reported an error. Every wait
# is bounded; the runs take about eight seconds (forty under valgrind).
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"

find_netns || skip "cannot make a private network namespace here (unshare -n needs root or user namespaces)"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# SC2016: the script's variables expand inside the namespace; SC2086: NETNS
# and WRAP are command lines.
# shellcheck disable=SC2016,SC2086
# The bridge needs Debian's mosquitto broker and mosquitto_sub (tests/deps.sh
# installs them); without them its events are not checked.
# Under valgrind, libnorm's own known errors are suppressed, as in
# tests/net/lib.sh.
WRAP=${MCAST_WRAP:-}
case $WRAP in
valgrind*) WRAP="$WRAP --suppressions=$root/tests/valgrind.supp" ;;
esac
MQ=$(command -v mosquitto || echo /usr/sbin/mosquitto)
{ [ -x "$MQ" ] && command -v mosquitto_sub >/dev/null 2>&1; } || MQ=
# recv --reliable's refused and lost records need a NORM sender that is
# not mcast: normpeer, built by make check (NORMPEER); without it they are
# not checked.
NP=${NORMPEER:-$build/tests/normpeer}
[ -x "$NP" ] || NP=
timeout -k 5 90 $NETNS env IP="$IP" WRAP="$WRAP" MQ="$MQ" NP="$NP" sh -c '
	M=$1 D=$2
	"$IP" link set lo up || exit 1
	# What is stopped by a signal runs under timeout --foreground: without
	# it, timeout passes a SIGTERM on with a SIGCONT, which under ASan can
	# cancel the SIGSTOP of LeakSanitizer attaching at exit and leave the
	# program spinning for ever (seen with pong).
	# waitfor FILE REGEX: wait until FILE has a line matching REGEX, 10 s
	# at most.
	waitfor() {
		i=0
		while [ $i -lt 100 ] && ! grep -q "$2" "$1" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
	}
	# listening NAME: wait until the receiver NAME has joined, 5 s at most.
	listening() {
		i=0
		while [ $i -lt 50 ] && ! grep -q "listening on" "$D/$1.err" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
	}
	{ "$M" keygen -q "$D/snd" && "$M" keygen -q "$D/rcv"; } >/dev/null || exit 1
	timeout 10 $WRAP "$M" recv -i lo --json -n 1 --echo --trust "$D/snd.pub" --sign "$D/rcv.key" \
		239.1.9.1:5901 239.1.9.4:5901 >"$D/recv.json" 2>"$D/recv.err" &
	listening recv
	timeout 10 $WRAP "$M" send -i lo --json --wait 1s --sign "$D/snd.key" --trust "$D/rcv.pub" \
		239.1.9.1:5901 hello >"$D/send.json" 2>"$D/send.err"
	wait
	# recv --stats prints tables (stats, stats_row) instead of messages.
	timeout 10 $WRAP "$M" recv -i lo --json --stats=100ms -n 2 239.1.9.5:5905 >"$D/rstats.json" 2>"$D/rstats.err" &
	listening rstats
	timeout 10 $WRAP "$M" send -i lo -n 2 -I 10ms 239.1.9.5:5905 hello >/dev/null 2>&1
	wait
	timeout --foreground 10 $WRAP "$M" pong -i lo --json 239.1.9.2:5902 >"$D/pong.json" 2>"$D/pong.err" &
	p=$!
	listening pong
	timeout 10 $WRAP "$M" ping -i lo --json -n 3 -I 100ms -w 300ms 239.1.9.2:5902 >"$D/ping.json" 2>"$D/ping.err"
	# ping --ttl-scan prints its own events (scan, scope).
	timeout 10 $WRAP "$M" ping -i lo --json --ttl-scan 2 -I 100ms -w 300ms 239.1.9.2:5902 >"$D/pingscan.json" 2>"$D/pingscan.err"
	kill -TERM $p
	wait
	# Both sides print a progress line a second while traffic flows. Under
	# valgrind the traffic lasts longer (the programs start slowly) and is
	# slower (a verifying receiver keeps up with 200/s there).
	dur=1500ms rate=1000
	[ -z "$WRAP" ] || dur=2500ms rate=200
	timeout 15 $WRAP "$M" bench recv -i lo --json -w 1s --trust "$D/snd.pub" 239.1.9.3:5903 >"$D/brecv.json" 2>"$D/brecv.err" &
	listening brecv
	timeout 15 $WRAP "$M" bench send -i lo --json --rate $rate -d $dur --sign "$D/snd.key" 239.1.9.3:5903 >"$D/bsend.json" 2>"$D/bsend.err"
	wait
	# send --reliable and recv --reliable (NORM): two receivers, one with
	# --trust, and at once four senders: a message and two files (one
	# that exists at the plain receiver: skipped; the trusting one rejects
	# both, unsigned), a stream line, normpeer (tests/net/normpeer.c, when
	# built) with a refused name and a file whose SHA-256 is wrong (lost),
	# and a signed file paced to last over a second (progress), acknowledged
	# by both (--expect). The receivers stop at SIGTERM once each has said
	# all it should.
	mkdir -p "$D/nout" "$D/tout"
	printf "a\n" >"$D/a.txt"
	printf "b\n" >"$D/b.txt"
	printf "old\n" >"$D/nout/b.txt"
	printf "x\n" >"$D/x"
	head -c 400000 /dev/urandom >"$D/c.bin"
	timeout --foreground 40 $WRAP "$M" recv --reliable -i lo --json --progress --output "$D/nout" \
		239.1.9.6:5906 >"$D/nrecv.json" 2>"$D/nrecv.err" &
	n1=$!
	timeout --foreground 40 $WRAP "$M" recv --reliable -i lo --json --progress --trust "$D/snd.pub" \
		--output "$D/tout" 239.1.9.6:5906 >"$D/ntrust.json" 2>"$D/ntrust.err" &
	n2=$!
	listening nrecv
	listening ntrust
	np=
	if [ -n "$NP" ]; then
		hex() { printf "%s" "$1" | od -An -v -tx1 | tr -d " \n"; }
		zeros=0000000000000000000000000000000000000000000000000000000000000000
		NORMPEER_SECONDS=20 "$NP" 0x0a4d0001 239.1.9.6 5906 lo send \
			"info:$(hex ../evil):$D/x" \
			"info:$(hex bad.txt)00$(hex "mcast1 size=2 sha256=$zeros"):$D/x" \
			>"$D/np.out" 2>&1 &
		np=$!
	fi
	timeout 30 $WRAP "$M" send --reliable -i lo --json --file "$D/a.txt" --file "$D/b.txt" \
		239.1.9.6:5906 hello >"$D/nsend.json" 2>"$D/nsend.err" &
	s1=$!
	# A stream line is a message record as the message is: under valgrind,
	# one process fewer.
	s2= line="one line"
	if [ -z "$WRAP" ]; then
		printf "one line\n" | timeout 30 $WRAP "$M" send --reliable -i lo --json --stdin \
			239.1.9.6:5906 >"$D/nsendl.json" 2>"$D/nsendl.err" &
		s2=$!
	else
		line="\"hello\""
	fi
	timeout 30 $WRAP "$M" send --reliable -i lo --json --progress --rate 2M --expect 2 \
		--wait 10s --sign "$D/snd.key" --file "$D/c.bin" 239.1.9.6:5906 \
		>"$D/nsendp.json" 2>"$D/nsendp.err"
	wait $s1 $s2 $np
	for w in "\"hello\"" "$line" "\"a.txt\"" "\"skipped\"" "\"c.bin\""; do
		waitfor "$D/nrecv.json" "$w"
	done
	[ -z "$NP" ] || { waitfor "$D/nrecv.json" "\"refused\""; waitfor "$D/nrecv.json" "\"lost\""; }
	waitfor "$D/ntrust.json" "\"rejected\""
	waitfor "$D/ntrust.json" "\"c.bin\""
	kill -TERM $n1 $n2
	wait $n1 $n2
	$WRAP "$M" ifaces --json >"$D/ifaces.json" 2>"$D/ifaces.err"
	$WRAP "$M" ifaces -v --json >"$D/ifacesv.json" 2>"$D/ifacesv.err"
	[ -n "$MQ" ] || exit 0
	# bridge: a broker of its own on lo. The bridge publishes one datagram
	# as a JSON record with --retain, so mosquitto_sub, started after it,
	# gets that record whenever it subscribes; progress every 100 ms until
	# one is printed, then SIGTERM for the summary.
	printf "user root\nlistener 1883 127.0.0.1\nallow_anonymous true\nlog_dest stderr\nlog_type information\n" >"$D/mq.conf"
	timeout 30 "$MQ" -c "$D/mq.conf" 2>"$D/mq.err" &
	mq=$!
	waitfor "$D/mq.err" " running\$"
	timeout --foreground 20 $WRAP "$M" bridge -i lo --json --to-mqtt --retain --progress 100ms 239.1.9.5:5905 mqtt://127.0.0.1/js/t >"$D/bridge.json" 2>"$D/bridge.err" &
	br=$!
	waitfor "$D/bridge.err" "bridge ready"
	timeout 10 $WRAP "$M" send -i lo 239.1.9.5:5905 hello >/dev/null 2>&1
	timeout 10 mosquitto_sub -h 127.0.0.1 -t js/t -C 1 -W 8 >"$D/bpub.json" 2>"$D/bpub.err"
	waitfor "$D/bridge.json" "\"progress\""
	kill -TERM $br
	wait $br
	kill -TERM $mq
	wait
' sh "$MCAST" "$tmp"
rc=$?
check "the runs finished within 90 s" test "$rc" -ne 124 -a "$rc" -ne 137

python3 - "$root/docs/JSON.md" "$tmp" <<'PY' || failures=$((failures + 1))
import json, os, re, sys

doc, d = sys.argv[1], sys.argv[2]
runs = {"recv": "recv", "rstats": "recv", "send": "send", "pong": "pong", "ping": "ping", "pingscan": "ping",
        "brecv": "bench recv", "bsend": "bench send", "ifaces": "ifaces",
        "ifacesv": "ifaces", "bridge": "bridge", "bpub": "bridge",
        "nrecv": "recv --reliable", "ntrust": "recv --reliable", "nsend": "send --reliable",
        "nsendl": "send --reliable", "nsendp": "send --reliable"}
if not os.path.exists(os.path.join(d, "bridge.json")):
    print("# bridge not run: needs mosquitto and mosquitto_sub")
    del runs["bridge"], runs["bpub"]
unprinted = set()
if not os.path.exists(os.path.join(d, "nsendl.json")):
    del runs["nsendl"]  # under valgrind (MCAST_WRAP): no stream sender
if not os.path.exists(os.path.join(d, "np.out")):
    print("# recv --reliable refused and lost not run: needs normpeer (make check builds it)")
    unprinted = {("recv --reliable", "refused"), ("recv --reliable", "lost")}
failures = 0


def check(what, ok, detail=None):
    global failures
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failures += 1
        if detail is not None:
            print("#   " + str(detail))


# docs/JSON.md: "## command", "### event", then "| field | type | meaning |".
documented, cmd, event = {}, None, None
for line in open(doc):
    if line.startswith("## "):
        cmd, event = line[3:].strip(), None
    elif line.startswith("### ") and cmd:
        event = line[4:].strip()
        documented.setdefault((cmd, event), [])
    elif event and line.startswith("| ") and not line.startswith("| field") \
            and not line.startswith("| ---"):
        documented[(cmd, event)].append(line.split("|")[1].strip())


def paths(rec):
    out = set()
    for k, v in rec.items():
        if k == "event":
            continue
        out.add(k)
        if isinstance(v, dict):
            out |= {k + "." + s for s in v}
    return out


printed, extras = {}, {}
for run, c in runs.items():
    lines = open(os.path.join(d, run + ".json")).read().splitlines()
    check("%s --json printed something" % run, len(lines) > 0,
          open(os.path.join(d, run + ".err")).read()[-500:])
    for l in lines:
        try:
            rec = json.loads(l)
        except ValueError:
            check("%s: every line is JSON" % run, False, l)
            continue
        key = (c, rec.get("event"))
        printed.setdefault(key, set()).update(paths(rec))
        doc_fields = documented.get(key)
        if doc_fields is None:
            check("%s: event %s is documented" % (c, key[1]), False, l)
            continue
        allowed = {a.strip() for f in doc_fields for a in re.split("[/,]", f)}
        extras.setdefault(key, set()).update(paths(rec) - allowed)

# valgrind (MCAST_WRAP) reports on stderr, as ==PID== lines; the exit
# codes are not kept.
reported = [run for run in runs
            if re.search(r"^==\d+== ", open(os.path.join(d, run + ".err")).read(), re.M)]
check("no run's stderr has a valgrind report", not reported, reported)

for key, extra in sorted(extras.items()):
    check("%s %s: every field printed is documented" % key, not extra, sorted(extra))

for key, fields in sorted(documented.items()):
    if key[0] not in runs.values() or key in unprinted:
        continue
    got = printed.get(key)
    check("%s %s: documented and printed by a run" % key, got is not None)
    if got is None:
        continue
    missing = [f for f in fields
               if not all(any(a.strip() in got for a in alt.split("/")) for alt in f.split(","))]
    check("%s %s: every documented field is printed" % key, not missing, missing)
sys.exit(1 if failures else 0)
PY
finish
