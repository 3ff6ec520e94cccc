#!/bin/bash
# mcast pong on a shared group: whatever else arrives (garbage, "MCST"
# alone, a truncated probe, another version, an answer, an oversized
# answer, data, a probe with a reserved flag or an unknown type, a probe
# from port 0) is counted by kind and never answered, and pong goes on
# answering real probes. mcast ping likewise counts by kind what reaches
# its socket besides answers, and answers to another prober as stray.
#
# Hosts (lab_bridge3): h2 10.77.0.2 runs pong --json, h1 10.77.0.1 a pong
# with a text summary; h3 10.77.0.3 sends the hostile datagrams
# (tests/net/fakepong.py hostile, plain Python sockets); h1 probes
# afterwards.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

PORT=5741
G=239.7.4.1:$PORT
FAKE=("$PYTHON" "$NET_DIR/fakepong.py")

mc_bg pong h2 pong -i eth0 -w "$(tmo 20)" --json "$G"
mc_bg tpong h1 pong -i eth0 -w "$(tmo 20)" "$G"
wait_listening pong
wait_listening tpong

# A different count of each kind, so that one kind counted as another
# shows. Expected: garbage 3 + magic 4 + flags 2 + type 9 = 18 garbage,
# 5 truncated, 7 oversized, 6 of another version, answer 2 + data 3 = 5
# other; the 4 probes from port 0 are held back, not answered.
run_hostile() {
	RC=0
	timeout -k 2 "$LONG" ip netns exec "${P}h3" "${FAKE[@]}" hostile 239.7.4.1 "$PORT" eth0 1 \
		garbage=3 magic=4 truncated=5 version=6 answer=2 oversized=7 data=3 \
		flags=2 type=9 port0=4 >"$T/hostile.out" 2>"$T/hostile.err" || RC=$?
}
run_hostile
check_rc "the hostile sender ran" 0 "$RC"
[ "$RC" = 0 ] || show "hostile stderr" "$T/hostile.err"
check_file "nothing came back to the hostile sender" "$T/hostile.out" '{"replies": 0}'
check "pong on h2 is still running" proc_alive "${PID[pong]}"
check "pong on h1 is still running" proc_alive "${PID[tpong]}"

mc_run ping h1 ping -i eth0 -n 5 -I 50ms -w 500ms --json "$G"
check_rc "ping after the hostile datagrams exits 0" 0 "$RC"
for n in 1 2; do
	check_eq "h$n answered all 5 probes" "5 5 0.0" \
		"$(jget "$T/ping.out" "R['10.77.0.$n']['sent']" "R['10.77.0.$n']['received']" \
			"R['10.77.0.$n']['loss_pct']")"
done

# ---- hostile datagrams at the prober --------------------------------------------

# Sent to ping's own socket (a fixed source port) while it probes. The
# answers carry another sender_id, so they are another prober's: stray.
mc_bg pp h1 ping -i eth0 -p 40741 -n 30 -I 50ms -w 500ms --json "$G"
check "ping from port 40741 gets a first answer" wait_for_file_text "$T/pp.out" '"event":"answer"' "$LONG"
RC=0
timeout -k 2 "$LONG" ip netns exec "${P}h3" "${FAKE[@]}" hostile 10.77.0.1 40741 eth0 1 \
	garbage=3 magic=4 truncated=5 version=6 answer=2 oversized=7 data=3 \
	>"$T/hostile2.out" 2>"$T/hostile2.err" || RC=$?
check_rc "the hostile sender to the prober ran" 0 "$RC"
[ "$RC" = 0 ] || show "hostile stderr" "$T/hostile2.err"
check_file "ping sent nothing back to the hostile sender" "$T/hostile2.out" '{"replies": 0}'
wait_exit pp "$LONG"
check_rc "ping with hostile datagrams at its socket exits 0" 0 "$RC"
check_eq "ping counted each kind it ignored" \
	'{"garbage":7,"truncated":5,"oversized":7,"foreign":6,"other":3,"stray":2}' \
	"$(jget "$T/pp.out" 'S["ignored"]')"
check_eq "ping: still the 2 responders, every probe answered by each" "2 60 30 30" \
	"$(jget "$T/pp.out" 'S["responders"]' 'S["answers"]' 'R["10.77.0.1"]["received"]' \
		'R["10.77.0.2"]["received"]')"

for p in pong tpong; do
	kill -TERM "${PID[$p]}"
	wait_exit "$p" "$LONG"
	check_rc "$p exits 0 on SIGTERM" 0 "$RC"
done
check_eq "pong answered the 35 probes of two probers, and held back the 4 from port 0" "35 2 4" \
	"$(jget "$T/pong.out" 'S["answered"]' 'S["probers"]' 'S["held_back"]')"
check_eq "pong counted each kind it ignored" \
	'{"garbage":18,"truncated":5,"oversized":7,"foreign":6,"other":5}' \
	"$(jget "$T/pong.out" 'S["ignored"]')"
check_eq "pong's JSON: a listening line, then the summary" "listening summary" \
	"$(jget "$T/pong.out" '" ".join(x["event"] for x in L)')"
check_match "the text summary of h1's pong says the same" "$T/tpong.err" \
	'^mcast: answered 35 probes from 2 probers, 4 held back; ignored 18 garbage, 5 truncated, 7 oversized, 6 of another version, 5 other$'

finish
