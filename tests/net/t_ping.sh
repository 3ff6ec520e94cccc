#!/bin/bash
# mcast ping and mcast pong: three responders on h1, h2 and h3 (h1's own
# pong answers through multicast loopback) are each reported with every
# answer and 0% loss; --expect N; the --json lines parse and carry the
# documented fields; no responder at all exits 1; two probers at once are
# both answered; IPv6.
#
# Hosts (lab_bridge3): h1 10.77.0.1 probes; h1, h2, h3 answer.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

G=239.7.1.1:5711
G6='[ff15::7:1]:5711'

# json_ping_checks FILE PROBES RESPONDER...: the lines of a --json run of
# PROBES probes that each RESPONDER answered exactly once, in order, all
# with the documented fields and consistent figures. Prints TAP lines.
json_ping_checks() {
	"$PYTHON" - "$@" <<'PY'
import json, sys

path, probes, want = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
n = 0


def check(desc, cond, detail=""):
    global n
    n += 1
    print(("ok - " if cond else "not ok - ") + desc)
    if not cond and detail:
        print("#   " + str(detail))


lines = open(path).read().splitlines()
try:
    L = [json.loads(l) for l in lines]
    check("every --json line is one JSON object", all(isinstance(x, dict) for x in L))
except ValueError as e:
    check("every --json line is one JSON object", False, e)
    sys.exit(0)
A = [x for x in L if x.get("event") == "answer"]
R = [x for x in L if x.get("event") == "responder"]
S = [x for x in L if x.get("event") == "summary"]
check("events are answers, then responders, then one summary",
      [x["event"] for x in L] == ["answer"] * len(A) + ["responder"] * len(R) + ["summary"],
      [x.get("event") for x in L])

answer_keys = {"event", "responder", "responder_port", "seq", "bytes", "probe_ttl",
               "hops", "rtt_ms",
               "duplicate", "reordered"}
check("answer events have exactly the documented fields",
      all(set(a) == answer_keys for a in A), [sorted(a) for a in A[:1]])
check(f"{probes * len(want)} answer events", len(A) == probes * len(want), len(A))
for r in sorted(want):
    seqs = [a["seq"] for a in A if a["responder"] == r]
    check(f"{r}: answers to probes 1..{probes}, each once, in order",
          seqs == list(range(1, probes + 1)), seqs)
check("answers are 64 bytes, no duplicate, none out of order",
      all(a["bytes"] == 64 and a["duplicate"] is False and a["reordered"] is False
          for a in A))
check("answers: probe_ttl 1, hops 0 (one segment, pong on the prober's host too)",
      all(a["probe_ttl"] == 1 and a["hops"] == 0 for a in A))
check("answer rtt_ms is a number from 0 to 1000",
      all(isinstance(a["rtt_ms"], (int, float)) and 0 <= a["rtt_ms"] < 1000 for a in A))

resp_keys = {"event", "responder", "responder_port", "sent", "received", "loss_pct",
             "duplicates", "reordered", "rtt_ms", "silent", "held_back", "hops"}
rtt_keys = {"min", "avg", "p50", "p99", "max", "mdev"}
check("responder events have exactly the documented fields",
      all(set(r) == resp_keys and set(r["rtt_ms"]) == rtt_keys for r in R),
      [sorted(r) for r in R[:1]])
check("one responder event per responder", sorted(r["responder"] for r in R) == sorted(want),
      [r["responder"] for r in R])
for r in R:
    name = r["responder"]
    ports = {a["responder_port"] for a in A if a["responder"] == name}
    check(f"{name}: the port of its answers", ports == {r["responder_port"]},
          (ports, r["responder_port"]))
    check(f"{name}: sent {probes}, received {probes}, 0% loss, no dup, none out of order",
          (r["sent"], r["received"], r["loss_pct"], r["duplicates"], r["reordered"])
          == (probes, probes, 0, 0, 0), r)
    check(f"{name}: not silent", r["silent"] is False, r)
    check(f"{name}: hops 0", r["hops"] == 0, r)
    t = r["rtt_ms"]
    rtts = [a["rtt_ms"] for a in A if a["responder"] == name]
    check(f"{name}: min <= p50 <= p99 <= max, min <= avg <= max, mdev >= 0",
          t["min"] <= t["p50"] <= t["p99"] <= t["max"] and t["min"] <= t["avg"] <= t["max"]
          and t["mdev"] >= 0, t)
    # The answer lines and the table round to 0.001 ms.
    check(f"{name}: rtt min and max are those of its answers",
          abs(t["min"] - min(rtts)) <= 0.0015 and abs(t["max"] - max(rtts)) <= 0.0015,
          (t, min(rtts), max(rtts)))

s = S[-1] if S else {}
check("summary: probes sent, responders, answers",
      (s.get("sent"), s.get("responders"), s.get("answers"))
      == (probes, len(want), probes * len(want)), s)
check("summary: nothing ignored",
      s.get("ignored") == {"garbage": 0, "truncated": 0, "oversized": 0,
                           "foreign": 0, "other": 0, "stray": 0}, s)
PY
}

# ---- three responders, IPv4 -------------------------------------------------

for h in h1 h2 h3; do
	mc_bg "pong$h" "$h" pong -i eth0 -w "$(tmo 20)" --json "$G"
done
for h in h1 h2 h3; do
	wait_listening "pong$h"
done

mc_run text h1 ping -i eth0 -n 20 -I 50ms -w 500ms --expect 3 "$G"
check_rc "ping --expect 3 with three responders exits 0" 0 "$RC"
check_file "ping says what it probes, on stderr" "$T/text.err" \
	"mcast: probing 239.7.1.1:5711 via eth0 with 64-byte probes"
for n in 1 2 3; do
	check_eq "10.77.0.$n: 20 answer lines, seq 1 to 20" "$(seq 1 20)" \
		"$(sed -n "s/^64 bytes from 10\\.77\\.0\\.$n:[0-9]*: seq=\\([0-9]*\\) hops=0 time=[0-9]*\\.[0-9]\\{3\\} ms\$/\\1/p" "$T/text.out")"
	check_match "10.77.0.$n: table row, 20 sent, 20 received, 0% loss, no dup or reordering" \
		"$T/text.out" "^10\\.77\\.0\\.$n:[0-9]+ +0 +20 +20 +0\\.0 +0 +0 +([0-9]+\\.[0-9]{3} +){5}[0-9]+\\.[0-9]{3}\$"
done
check_has "table header" "$T/text.out" \
	"--- 239.7.1.1:5711 ping: 20 probes sent, 3 responders ---"
check_match "table columns" "$T/text.out" \
	'^responder +hops +sent +recv +loss% +dup +ooo +min +avg +p50 +p99 +max +mdev$'
check_lacks "no responder is silent" "$T/text.out" "silent"
check_lacks "no (DUP!) and nothing out of order" "$T/text.out" "(DUP!)"
check_eq "nothing but answers, table header, columns and 3 rows" 65 "$(nlines "$T/text.out")"

mc_run ex4 h1 ping -i eth0 -n 5 -I 50ms -w 500ms -q --expect 4 "$G"
check_rc "ping --expect 4 with three responders exits 3" 3 "$RC"
check_has "ping --expect 4 says how many answered" "$T/ex4.err" \
	"mcast: 3 responders answered, fewer than the 4 expected"
check_lacks "ping -q prints no answer lines" "$T/ex4.out" "bytes from"
check_has "ping -q still prints the table" "$T/ex4.out" \
	"--- 239.7.1.1:5711 ping: 5 probes sent, 3 responders ---"

mc_run json h1 ping -i eth0 -n 20 -I 50ms -w 500ms --json --expect 3 "$G"
check_rc "ping --json --expect 3 exits 0" 0 "$RC"
json_ping_checks "$T/json.out" 20 10.77.0.1 10.77.0.2 10.77.0.3 >"$T/json.tap"
tap_merge "$T/json.tap"

# ---- no responder -----------------------------------------------------------

mc_run none h1 ping -i eth0 -n 2 -I 50ms -w 200ms 239.7.1.2:5712
check_rc "ping of a group nobody answers exits 1" 1 "$RC"
check_has "ping says nobody answered" "$T/none.err" "mcast: no responder answered"
check_has "ping prints the table with no responder" "$T/none.out" \
	"--- 239.7.1.2:5712 ping: 2 probes sent, 0 responders ---"

# ---- two probers at once ------------------------------------------------------

mc_bg c1 h1 ping -i eth0 -n 20 -I 50ms -w 500ms --json "$G"
mc_bg c3 h3 ping -i eth0 -n 20 -I 50ms -w 500ms --json "$G"
wait_exit c1 "$LONG"
check_rc "concurrent ping from h1 exits 0" 0 "$RC"
wait_exit c3 "$LONG"
check_rc "concurrent ping from h3 exits 0" 0 "$RC"
for c in c1 c3; do
	check_eq "$c: h2 answered all 20 probes, none twice" "20 20 0.0 0" \
		"$(jget "$T/$c.out" 'R["10.77.0.2"]["sent"]' 'R["10.77.0.2"]["received"]' \
			'R["10.77.0.2"]["loss_pct"]' 'R["10.77.0.2"]["duplicates"]')"
	check_eq "$c: three responders, 60 answers, none meant for the other prober" \
		"3 60 0" "$(jget "$T/$c.out" 'S["responders"]' 'S["answers"]' 'S["ignored"]["stray"]')"
done

# Each pong answered every probe of the five probers above (20 + 5 + 20 +
# 20 + 20), from one socket per prober.
for h in h1 h2 h3; do
	kill -TERM "${PID[pong$h]}"
	wait_exit "pong$h" "$LONG"
	check_rc "pong on $h exits 0 on SIGTERM" 0 "$RC"
	check_eq "pong on $h: answered 85 probes from 5 probers, held none back, ignored nothing" \
		'85 5 0 {"garbage":0,"truncated":0,"oversized":0,"foreign":0,"other":0}' \
		"$(jget "$T/pong$h.out" 'S["answered"]' 'S["probers"]' 'S["held_back"]' 'S["ignored"]')"
done

# ---- IPv6 ---------------------------------------------------------------------

for h in h2 h3; do
	mc_bg "pong6$h" "$h" pong -i eth0 -w "$(tmo 10)" "$G6"
done
wait_listening pong6h2
wait_listening pong6h3
mc_run v6 h1 ping -i eth0 -n 10 -I 50ms -w 500ms --json --expect 2 "$G6"
check_rc "IPv6 ping --expect 2 exits 0" 0 "$RC"
json_ping_checks "$T/v6.out" 10 fd77::2 fd77::3 >"$T/v6.tap"
tap_merge "$T/v6.tap"

finish
