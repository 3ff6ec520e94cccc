#!/bin/bash
# mcast bench send and bench recv with nothing in the way: every count adds
# up exactly, whichever path the datagrams take.
#   - one datagram per send (--gso off) to receivers without GRO, as JSON and
#     as the text table: received = sent, nothing lost, duplicated or out of
#     order; the --json lines parse and carry the documented fields;
#   - GSO trains received as GRO trains (split back into datagrams), GSO
#     trains cut by the kernel for a receiver without GRO, 1400-byte
#     datagrams in trains, and IPv6 trains: still exact counts;
#   - --rate in every unit sends exactly -n datagrams; -d sends for a while
#     and the receiver gets every one of them;
#   - two senders at once are reported separately, by their sender ids;
#   - bench recv -n N stops at N datagrams even with more queued.
# Rates are modest and receivers have --rcvbuf 8M, so the kernel never has
# a reason to drop; no rate or timing is asserted.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends (and h3 10.77.0.3 for two senders
# at once); h2 and h3 receive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

N=3000
W=$(tmo 1)

# sid NAME: the sender id in the JSON summary of sender NAME.
sid() {
	jget "$T/$1.out" 'S["sender_id"]'
}

# flow_ok DESC RECV SENDER COUNT SIZE: receiver RECV reports sender SENDER's
# COUNT datagrams of SIZE bytes, all received, none lost, duplicated, out
# of order or late. SENDER is the name of a --json sender, or id:ID.
flow_ok() {
	local id
	case $3 in
	id:*) id=${3#id:} ;;
	*) id=$(sid "$3") ;;
	esac
	check_eq "$1: received $4 of $4, expected $4, lost 0, no dup, reordering or late, $(($4 * $5)) bytes" \
		"$4 $4 0 0.0 0 0 0 $(($4 * $5))" \
		"$(jget "$T/$2.out" "I['$id']['received']" "I['$id']['expected']" \
			"I['$id']['lost']" "I['$id']['loss_pct']" "I['$id']['duplicates']" \
			"I['$id']['reordered']" "I['$id']['late']" "I['$id']['bytes']")"
}

# sent_ok DESC SENDER COUNT [GSO]: sender SENDER exited 0 (RC) and its JSON
# summary says it sent COUNT datagrams, and in GSO trains or not
# (True/False) when GSO is given (--gso auto may go either way).
sent_ok() {
	check_rc "$1: bench send exits 0" 0 "$RC"
	if [ $# -ge 4 ]; then
		check_eq "$1: sender summary: sent $3, gso $4" "$3 $4" \
			"$(jget "$T/$2.out" 'S["sent"]' 'S["gso"]')"
	else
		check_eq "$1: sender summary: sent $3" "$3" "$(jget "$T/$2.out" 'S["sent"]')"
	fi
}

# ---- receivers, all listening before anything is sent ------------------------

GA=239.40.0.1:5401      # one datagram per system call, no GRO
GB=239.40.0.2:5402      # GSO trains, GRO on
GC=239.40.0.3:5403      # GSO trains, GRO off
GD=239.40.0.4:5404      # GSO trains of 1400-byte datagrams
GE='[ff15::40:5]:5405'  # IPv6 GSO trains of 1000-byte datagrams
GF=239.40.0.6:5406      # --rate in each unit
GG=239.40.0.7:5407      # two senders at once
GH=239.40.0.8:5408      # -d
GI=239.40.0.9:5409      # bench recv -n with a queue

R=(bench recv -i eth0 --rcvbuf 8M -w "$W")
mc_bg ajson h2 "${R[@]}" --gro off --json "$GA"
mc_bg atext h3 "${R[@]}" --gro off "$GA"
mc_bg b h2 "${R[@]}" --gro on --json "$GB"
mc_bg c h2 "${R[@]}" --gro off --json "$GC"
mc_bg dgro h2 "${R[@]}" --gro on --json "$GD"
mc_bg dseg h3 "${R[@]}" --gro off --json "$GD"
mc_bg e h2 "${R[@]}" --gro on --json "$GE"
# f hears seven senders run one after another: under load, starting the
# next one can take longer than W, so its silence bound is longer, and it
# ends on the count instead: 3600 is the sum of the senders' -n below.
mc_bg f h2 bench recv -i eth0 --rcvbuf 8M -w "$(tmo 6)" -n 3600 --json "$GF"
mc_bg g h2 "${R[@]}" --json "$GG"
mc_bg h h2 "${R[@]}" --json "$GH"
mc_bg i h2 "${R[@]}" --gro off --json -n 1000 "$GI"
for r in ajson atext b c dgro dseg e f g h i; do
	wait_listening "$r"
done

S=(bench send -i eth0 --json)

# ---- one datagram per send, no GRO ---------------------------------------------

mc_run sa h1 "${S[@]}" --gso off --rate 20k -n "$N" "$GA"
sent_ok "--gso off" sa "$N" False
wait_exit ajson "$LONG"
check_rc "JSON receiver exits 0" 0 "$RC"
flow_ok "--gso off, JSON receiver" ajson sa "$N" 64
check_eq "JSON receiver: the sender is 10.77.0.1" "10.77.0.1" \
	"$(jget "$T/ajson.out" "I['$(sid sa)']['sender']")"
check_eq "JSON receiver summary: $N datagrams from 1 sender; no kernel drop, GRO train, garbage or other" \
	"$N 1 0 0 0 0 0" \
	"$(jget "$T/ajson.out" 'S["datagrams"]' 'S["senders"]' 'S["kernel_drops"]' \
		'S["gro_trains"]' 'sum(S["ignored"].values())' 'S["ignored"]["other"]' 'S["other_senders"]')"

# The shape of the --json output: the documented events in order, each with
# exactly its fields, sender ids of 16 hex digits, percentiles in order.
"$PYTHON" - "$T/ajson.out" "$T/sa.out" >"$T/shape.tap" 2>&1 <<'PY'
import json, re, sys


def check(desc, cond, detail=""):
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond:
        print("#   " + str(detail))


try:
    R = [json.loads(l) for l in open(sys.argv[1])]
    S = [json.loads(l) for l in open(sys.argv[2])]
except ValueError as e:
    check("bench --json lines are JSON", False, e)
    sys.exit(0)
ev = [x.get("event") for x in R]
check("bench recv --json: listening, progress lines, one sender line, one summary",
      ev[:1] == ["listening"] and ev[-2:] == ["sender", "summary"]
      and set(ev[1:-2]) <= {"progress"}, ev)
sender_keys = {"event", "sender", "sender_id", "received", "bytes", "seconds",
               "datagrams_per_s", "mbit_per_s", "expected", "lost", "loss_pct",
               "duplicates", "reordered", "late", "latency_us", "jitter_us"}
f = R[-2]
check("sender line: exactly the documented fields", set(f) == sender_keys, sorted(f))
lat = f.get("latency_us", {})
check("sender line: latency_us has p50 p90 p99 p99_9 max mean",
      set(lat) == {"p50", "p90", "p99", "p99_9", "max", "mean"}, lat)
# Percentiles are accurate to 1%, the maximum is exact.
check("sender line: 0 <= p50 <= p90 <= p99 <= p99.9 <= max (within 1%)",
      0 <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"]
      <= lat["max"] * 1.01 + 0.1, lat)
check("sender line: sender_id is 16 hex digits",
      re.fullmatch(r"[0-9a-f]{16}", f["sender_id"]) is not None, f["sender_id"])
summary_keys = {"event", "datagrams", "senders", "kernel_drops", "gro_trains", "ignored",
                "other_senders", "cpu_ns_per_datagram"}
check("summary line: exactly the documented fields", set(R[-1]) == summary_keys,
      sorted(R[-1]))
check("summary line: ignored has the counters of pong and ping",
      set(R[-1].get("ignored", {})) == {"garbage", "truncated", "oversized",
                                         "foreign", "other"}, R[-1].get("ignored"))
progress_keys = {"event", "elapsed_s", "sender", "sender_id", "datagrams_per_s",
                 "mbit_per_s", "received", "lost", "duplicates", "reordered",
                 "kernel_drops"}
check("progress lines: exactly the documented fields",
      all(set(x) == progress_keys for x in R if x["event"] == "progress"),
      [sorted(x) for x in R if x["event"] == "progress"][:1])
send_keys = {"event", "sender_id", "sent", "bytes", "seconds", "datagrams_per_s",
             "mbit_per_s", "gso", "signed", "encrypted", "calls", "queue_full",
             "cpu_ns_per_datagram"}
check("bench send --json: progress lines, then one summary with the documented fields",
      [x["event"] for x in S][-1:] == ["summary"]
      and {x["event"] for x in S[:-1]} <= {"progress"} and set(S[-1]) == send_keys, S)
check("bench send summary: bytes = sent * 64, calls from 1 to sent",
      S[-1]["bytes"] == S[-1]["sent"] * 64 and 1 <= S[-1]["calls"] <= S[-1]["sent"], S[-1])
PY
tap_merge "$T/shape.tap"

wait_exit atext "$LONG"
check_rc "text receiver exits 0" 0 "$RC"
check_match "text receiver: table columns" "$T/atext.out" \
	'^sender +sender id +received +datagrams/s +Mbit/s +lost +loss% +dup +reord +p50 us +p90 us +p99 us +p99\.9 us +max us +jitter us$'
check_match "text receiver: 10.77.0.1 received $N, lost 0 (0.00%), no dup or reordering" \
	"$T/atext.out" "^10\\.77\\.0\\.1 +[0-9a-f]{16} +$N +[0-9]+ +[0-9]+\\.[0-9] +0 +0\\.00 +0 +0( +[0-9]+\\.[0-9]){6}\$"
check_match "text receiver: the closing line counts $N datagrams, nothing dropped or ignored" \
	"$T/atext.out" "^$N datagrams from 1 sender; kernel drops 0; GRO trains 0; ignored 0 garbage, 0 truncated, 0 oversized, 0 of another version, 0 other; "
check_eq "text receiver: table header, one row and the closing line on stdout" 3 \
	"$(nlines "$T/atext.out")"

# ---- GSO and GRO ----------------------------------------------------------------

mc_run sb h1 "${S[@]}" --gso on --rate 20k -n "$N" "$GB"
sent_ok "--gso on" sb "$N" True
wait_exit b "$LONG"
check_rc "GRO receiver exits 0" 0 "$RC"
flow_ok "--gso on to --gro on" b sb "$N" 64
# The bucket starts full, so the first train is --burst (32) datagrams.
trains=$(jget "$T/b.out" 'S["gro_trains"]')
check "--gro on: the summary counts GRO trains ($trains)" test "${trains:-0}" -gt 0
check_eq "--gro on: datagrams in the summary = $N, no kernel drops" "$N 0" \
	"$(jget "$T/b.out" 'S["datagrams"]' 'S["kernel_drops"]')"

mc_run sc h1 "${S[@]}" --gso on --rate 20k -n "$N" "$GC"
sent_ok "--gso on, receiver --gro off" sc "$N" True
wait_exit c "$LONG"
check_rc "receiver without GRO exits 0" 0 "$RC"
flow_ok "--gso on to --gro off (the kernel cuts the trains)" c sc "$N" 64
check_eq "--gro off: no GRO trains, $N datagrams" "0 $N" \
	"$(jget "$T/c.out" 'S["gro_trains"]' 'S["datagrams"]')"

mc_run sd h1 "${S[@]}" --gso on --size 1400 --rate 20k -n 2000 "$GD"
sent_ok "--gso on --size 1400" sd 2000 True
check_eq "--size 1400: the sender counts 2000 * 1400 bytes" 2800000 "$(jget "$T/sd.out" 'S["bytes"]')"
for r in dgro dseg; do
	wait_exit "$r" "$LONG"
	check_rc "$r: receiver exits 0" 0 "$RC"
	flow_ok "--gso on --size 1400 to $r" "$r" sd 2000 1400
done

mc_run se h1 "${S[@]}" --gso on --size 1000 --rate 20k -n 2000 "$GE"
sent_ok "IPv6 --gso on --size 1000" se 2000 True
wait_exit e "$LONG"
check_rc "IPv6 receiver exits 0" 0 "$RC"
flow_ok "IPv6 --gso on to --gro on" e se 2000 1000
check_eq "IPv6: the sender is fd77::1" "fd77::1" "$(jget "$T/e.out" "I['$(sid se)']['sender']")"

# ---- --rate in each unit: exactly -n datagrams ------------------------------------

rates=("--rate 5k -n 2000" "--rate 800kbit --size 100 -n 500" "--rate 2000pps -n 200"
	"--rate 1Mbps --size 125 -n 200" "--rate 3000 --burst 1 -n 300" "--rate max -n 300")
k=0
for r in "${rates[@]}"; do
	# shellcheck disable=SC2086 # the options are words on purpose
	mc_run "sf$k" h1 "${S[@]}" $r "$GF"
	n=${r##*-n }
	sent_ok "$r" "sf$k" "$n"
	k=$((k + 1))
done
# And one without --json: its summary on stderr, nothing on stdout.
mc_run sftext h1 bench send -i eth0 --rate 10k -n 100 "$GF"
check_rc "text sender: bench send exits 0" 0 "$RC"
check_match "text sender: the summary names the count, size, group, interface and sender id" \
	"$T/sftext.err" \
	'^mcast: sent 100 datagrams of 64 bytes to 239\.40\.0\.6:5406 via eth0 in [0-9.]+s: .*\(sender id [0-9a-f]{16}\)$'
check_empty "text sender: nothing on stdout" "$T/sftext.out"
textid=$(sed -n 's/.*(sender id \([0-9a-f]*\))$/\1/p' "$T/sftext.err")
wait_exit f "$LONG"
check_rc "receiver of the --rate senders exits 0" 0 "$RC"
check_eq "one sender line per sender" "$((${#rates[@]} + 1))" "$(jget "$T/f.out" 'len(F)')"
flow_ok "text sender" f "id:$textid" 100 64
k=0
for r in "${rates[@]}"; do
	n=${r##*-n }
	size=64
	case $r in *--size*) size=${r#*--size } size=${size%% *} ;; esac
	flow_ok "$r" f "sf$k" "$n" "$size"
	k=$((k + 1))
done

# ---- two senders at once ------------------------------------------------------------

mc_bg sg1 h1 "${S[@]}" --rate 10k -n 2000 "$GG"
mc_bg sg3 h3 "${S[@]}" --rate 10k -n 2000 "$GG"
for s in sg1 sg3; do
	wait_exit "$s" "$LONG"
	sent_ok "concurrent sender $s" "$s" 2000
done
wait_exit g "$LONG"
check_rc "receiver of two senders exits 0" 0 "$RC"
check_eq "two sender lines, two senders in the summary" "2 2" \
	"$(jget "$T/g.out" 'len(F)' 'S["senders"]')"
check "the two senders have different ids" test "$(sid sg1)" != "$(sid sg3)"
check_eq "h1's and h3's lines are told apart by sender id and address" "10.77.0.1 10.77.0.3" \
	"$(jget "$T/g.out" "I['$(sid sg1)']['sender']" "I['$(sid sg3)']['sender']")"
flow_ok "concurrent sender on h1" g sg1 2000 64
flow_ok "concurrent sender on h3" g sg3 2000 64
check_eq "summary: 4000 datagrams" 4000 "$(jget "$T/g.out" 'S["datagrams"]')"

# ---- -d: send for a while -------------------------------------------------------------

mc_run sh h1 "${S[@]}" --rate 1k -d 2s "$GH"
check_rc "-d 2s: bench send exits 0" 0 "$RC"
sent=$(jget "$T/sh.out" 'S["sent"]')
check "-d 2s: sent some datagrams ($sent)" test "${sent:-0}" -gt 0
check "-d 2s: a progress line, with no more sent than at the end" test \
	"$(jget "$T/sh.out" '0 < len([x for x in L if x["event"] == "progress"]) == len([x for x in L if x["event"] == "progress" and 0 < x["sent"] <= S["sent"]])')" = True
wait_exit h "$LONG"
check_rc "receiver of -d 2s exits 0" 0 "$RC"
flow_ok "-d 2s" h sh "${sent:-0}" 64

# ---- bench recv -n with more datagrams queued than asked ----------------------------------

# The receiver is stopped while 3000 datagrams queue up, so that its first
# reads return full batches.
kill -STOP "${PID[i]}"
mc_run si h1 "${S[@]}" --gso off --rate 20k -n "$N" "$GI"
sent_ok "sender to the bench recv -n 1000" si "$N" False
kill -CONT "${PID[i]}"
wait_exit i "$LONG"
check_rc "bench recv -n 1000 exits 0" 0 "$RC"
check_eq "bench recv -n 1000 with $N queued counts 1000 datagrams, received 1000" "1000 1000" \
	"$(jget "$T/i.out" 'S["datagrams"]' "I['$(sid si)']['received']")"

finish
