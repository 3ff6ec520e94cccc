#!/bin/bash
# How many routers away each responder is, as mcast ping reports it (the
# probe's TTL minus the TTL it arrived with, which pong's answer carries),
# and which TTL reaches whom (--ttl-scan), across two routers (lab_routed,
# smcroute with static (S,G) routes from a1).
#
# Pongs on a1 (the prober's own host: looped back), a2 (subnet A), b1
# (subnet B, one router) and c1 (subnet C, two routers). Probes with TTL 8
# must show hops 0, 0, 1, 2, in every answer line, every JSON answer and
# the table, IPv4 and IPv6. Beside the pongs on b1 and c1 a plain Python
# receiver (mcpy.py recvttl: IP_RECVTTL / IPV6_RECVHOPLIMIT) sees the
# probes arrive with 7 and 6, the TTL pong reported (8 minus the hops).
# Then --ttl-scan 4 (TTL 1, 2, 3, 4, twice each) finds each host's smallest
# TTL exactly: 1 on subnet A, 2 for b1, 3 for c1.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_mroute
need_python
lab_routed
PY=("$PYTHON" "$NET_DIR/mcpy.py")

G4=239.7.4.1
G6=ff15::7:4
for r in r1 r2; do
	mroute "$r" source 10.79.1.11 group "$G4"
	mroute "$r" source fd79:1::11 group "$G6"
	mroute_start "$r" || finish
done

HOSTS="a1 a2 b1 c1"
declare -A ADDR4=([a1]=10.79.1.11 [a2]=10.79.1.12 [b1]=10.79.2.21 [c1]=10.79.3.31)
declare -A ADDR6=([a1]=fd79:1::11 [a2]=fd79:1::12 [b1]=fd79:2::21 [c1]=fd79:3::31)
declare -A HOPS=([a1]=0 [a2]=0 [b1]=1 [c1]=2)
declare -A MINTTL=([a1]=1 [a2]=1 [b1]=2 [c1]=3)
N=3     # probes with TTL 8
SCAN=4  # --ttl-scan 4, -n 8: each TTL twice

for fam in 4 6; do
	if [ "$fam" = 4 ]; then g=$G4 G="$G4:5074"; else g=$G6 G="[$G6]:5074"; fi
	for h in $HOSTS; do
		mc_bg "pong${fam}_$h" "$h" pong -i eth0 -w "$(tmo 30)" "$G"
	done
	for h in b1 c1; do
		bg "py${fam}_$h" "$h" "${PY[@]}" recvttl "$g" 5074 eth0 "$((10 * SLOW))" "$N"
	done
	for h in $HOSTS; do
		wait_listening "pong${fam}_$h"
	done
	for h in b1 c1; do
		check "IPv$fam: Python receiver on $h ready" \
			wait_for_file_text "$T/py${fam}_$h.err" ready "$LONG"
	done

	# ---- hops with TTL 8: text, then JSON ---------------------------------
	mc_run "text$fam" a1 ping -i eth0 -t 8 -n "$N" -I 100ms -w "$(tmo 1)" --expect 4 "$G"
	check_rc "IPv$fam: ping -t 8 --expect 4 exits 0" 0 "$RC"
	for h in $HOSTS; do
		if [ "$fam" = 4 ]; then a=${ADDR4[$h]//./\\.}; else a="\\[${ADDR6[$h]}\\]"; fi
		check_eq "IPv$fam $h: $N answer lines, each hops=${HOPS[$h]}" "$(seq 1 "$N")" \
			"$(sed -En "s/^64 bytes from $a:[0-9]+: seq=([0-9]+) hops=${HOPS[$h]} time=[0-9]+\\.[0-9]{3} ms\$/\\1/p" "$T/text$fam.out")"
		check_match "IPv$fam $h: table row with hops ${HOPS[$h]}" "$T/text$fam.out" \
			"^$a:[0-9]+ +${HOPS[$h]} +$N +$N +0\\.0 "
	done
	check_match "IPv$fam: the table has a hops column" "$T/text$fam.out" \
		'^responder +hops +sent +recv +loss% '

	mc_run "json$fam" a1 ping -i eth0 -t 8 -n 1 -w "$(tmo 1)" --json --expect 4 "$G"
	check_rc "IPv$fam: ping --json exits 0" 0 "$RC"
	for h in $HOSTS; do
		if [ "$fam" = 4 ]; then a=${ADDR4[$h]}; else a=${ADDR6[$h]}; fi
		check_eq "IPv$fam $h: JSON answer and row say hops ${HOPS[$h]}, probe_ttl 8" \
			"${HOPS[$h]} ${HOPS[$h]} 8" \
			"$(jget "$T/json$fam.out" "[x['hops'] for x in A if x['responder'] == '$a']" \
				"R['$a']['hops']" "[x['probe_ttl'] for x in A if x['responder'] == '$a']" |
				tr -d '[]')"
	done

	# ---- the independent receivers next to pong ---------------------------
	for h in b1 c1; do
		if [ "$fam" = 4 ]; then a=${ADDR4[$h]}; src=10.79.1.11; else a=${ADDR6[$h]}; src=fd79:1::11; fi
		wait_exit "py${fam}_$h" "$LONG"
		check_rc "IPv$fam: Python on $h got the $N probes" 0 "$RC"
		ttl=$(jget "$T/json$fam.out" "[8 - x['hops'] for x in A if x['responder'] == '$a'][0]")
		check_eq "IPv$fam: pong on $h reported TTL $((8 - HOPS[$h])) (8 minus its hops)" \
			"$((8 - HOPS[$h]))" "$ttl"
		check_file "IPv$fam: Python on $h: every probe arrived with that TTL (IP_RECVTTL)" \
			"$T/py${fam}_$h.out" "$(for _ in $(seq 1 "$N"); do echo "$src $((8 - HOPS[$h])) 64"; done)"
	done

	# ---- --ttl-scan --------------------------------------------------------
	mc_run "scan$fam" a1 ping -i eth0 --ttl-scan "$SCAN" -n $((2 * SCAN)) -I 100ms \
		-w "$(tmo 1)" --expect 4 "$G"
	check_rc "IPv$fam: ping --ttl-scan $SCAN exits 0" 0 "$RC"
	check_has "IPv$fam: the scan's heading" "$T/scan$fam.out" \
		"--- $G TTL scan 1-$SCAN: $((2 * SCAN)) probes sent, 4 responders ---"
	check_match "IPv$fam: the scan's columns" "$T/scan$fam.out" \
		'^responder +min_ttl +hops +answers +min$'
	for h in $HOSTS; do
		if [ "$fam" = 4 ]; then a=${ADDR4[$h]//./\\.}; else a="\\[${ADDR6[$h]}\\]"; fi
		# Each TTL from the smallest up to SCAN reached it, twice.
		check_match "IPv$fam $h: smallest TTL ${MINTTL[$h]}, hops ${HOPS[$h]}" \
			"$T/scan$fam.out" \
			"^$a:[0-9]+ +${MINTTL[$h]} +${HOPS[$h]} +$((2 * (SCAN - MINTTL[$h] + 1))) +[0-9]+\\.[0-9]{3}\$"
	done
	check_eq "IPv$fam: what each TTL reaches" \
		"TTL 1 reaches 2 responders
TTL 2 reaches 3 responders
TTL 3 reaches 4 responders
TTL 4 reaches 4 responders" "$(grep '^TTL ' "$T/scan$fam.out")"

	mc_run "scanj$fam" a1 ping -i eth0 --ttl-scan 3 -I 100ms -w "$(tmo 1)" --json "$G"
	check_rc "IPv$fam: ping --ttl-scan 3 --json exits 0" 0 "$RC"
	check_eq "IPv$fam: -n defaults to the scan's length: 3 probes" 3 \
		"$(jget "$T/scanj$fam.out" "S['sent']")"
	for h in $HOSTS; do
		if [ "$fam" = 4 ]; then a=${ADDR4[$h]}; else a=${ADDR6[$h]}; fi
		check_eq "IPv$fam $h: JSON scan record: min_ttl ${MINTTL[$h]}, hops ${HOPS[$h]}" \
			"${MINTTL[$h]} ${HOPS[$h]} $((4 - MINTTL[$h]))" \
			"$(jget "$T/scanj$fam.out" \
				"[x['min_ttl'] for x in E('scan') if x['responder'] == '$a'][0]" \
				"[x['hops'] for x in E('scan') if x['responder'] == '$a'][0]" \
				"[x['answers'] for x in E('scan') if x['responder'] == '$a'][0]")"
	done
	check_eq "IPv$fam: JSON scope records" "[[1,2],[2,3],[3,4]]" \
		"$(jget "$T/scanj$fam.out" "json.dumps([[x['ttl'], x['responders']] for x in E('scope')], separators=(',', ':'))")"
	for h in $HOSTS; do
		kill -TERM "${PID[pong${fam}_$h]}"
		wait_exit "pong${fam}_$h" "$LONG"
		check_rc "IPv$fam: pong on $h exits 0" 0 "$RC"
	done
done

mc_run bad1 a1 ping -i eth0 --ttl-scan 3 -t 2 "$G4:5074"
check_rc "--ttl-scan with -t: usage error" 2 "$RC"
check_has "--ttl-scan with -t: says why" "$T/bad1.err" "--ttl-scan sets each probe's TTL: leave out -t"
mc_run bad2 a1 ping -i eth0 --ttl-scan 3 --max-loss 5 "$G4:5074"
check_rc "--ttl-scan with --max-loss: usage error" 2 "$RC"
mc_run bad3 a1 ping -i eth0 --ttl-scan 256 "$G4:5074"
check_rc "--ttl-scan 256: usage error" 2 "$RC"
check_has "--ttl-scan 256 names the value" "$T/bad3.err" "256"

finish
