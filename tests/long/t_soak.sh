#!/bin/bash
# A bounded soak: for SOAK_SECONDS (default 60, at least 20) every kind of
# traffic runs at once in the namespaces, and at the end
#   - the counts add up: ping lost nothing to either pong; bench recv got
#     every datagram bench send sent, none lost or duplicated, no kernel
#     drops; each recv got every datagram of send and answered each one,
#     and send counted all those answers from both;
#   - nothing leaks: each long-running process has as many open file
#     descriptors at the end as 10 s in, and its VmRSS grew by less than
#     2 MB in between;
#   - every process exits 0, and a sanitizer build reports nothing.
#
# Hosts (lab_bridge3): h1 10.77.0.1 runs ping (10/s), bench send (20000/s)
# and send --wait (10/s); h2 10.77.0.2 runs pong, bench recv and recv
# --reply ack; h3 10.77.0.3 runs a second pong and recv --reply ack.
# Under MCAST_WRAP (valgrind) bench send runs at 2000/s and memory is not
# measured.
# shellcheck source=../net/lib.sh source-path=SCRIPTDIR/../net
. "$(dirname "$0")/../net/lib.sh"
need_netns
need_python
lab_bridge3

SOAK=${SOAK_SECONDS:-60}
case $SOAK in
'' | *[!0-9]*) SOAK=0 ;;
esac
if [ "$SOAK" -lt 20 ]; then
	echo "not ok - SOAK_SECONDS is at least 20 (got '${SOAK_SECONDS:-}')"
	exit 1
fi
BRATE=20000
[ -n "$MCAST_WRAP" ] && BRATE=2000

GP=239.78.0.1:5781 # ping and pong
GB=239.78.0.2:5782 # bench
GR=239.78.0.3:5783 # send and recv

NP=$((SOAK * 10))    # probes, 100 ms apart
NB=$((SOAK * BRATE)) # bench datagrams
NS=$((SOAK * 10))    # datagrams of send, 100 ms apart

# ---- the receivers, then the senders -----------------------------------------

mc_bg pong2 h2 pong -i eth0 --json "$GP"
mc_bg pong3 h3 pong -i eth0 --json "$GP"
mc_bg brecv h2 bench recv -i eth0 --json --rcvbuf 8M -w "$(tmo 30)" "$GB"
mc_bg recv2 h2 recv -i eth0 --json --reply ack "$GR"
mc_bg recv3 h3 recv -i eth0 --json --reply ack "$GR"
RECEIVERS=(pong2 pong3 brecv recv2 recv3)
for r in "${RECEIVERS[@]}"; do
	wait_listening "$r"
done

mc_bg ping h1 ping -i eth0 -n "$NP" -I 100ms -w 1s --json --expect 2 --max-loss 0 "$GP"
mc_bg bsend h1 bench send -i eth0 -n "$NB" --rate "$BRATE" --json "$GB"
mc_bg send h1 send -i eth0 -n "$NS" -I 100ms -w 1s --expect 2 --json -T 'soak {seq}' "$GR"
SENDERS=(ping bsend send)
START=$SECONDS
diag "soak: ${SOAK}s: $NP probes, $NB bench datagrams at $BRATE/s, $NS datagrams with answers"

# ---- file descriptors and memory ------------------------------------------------

# sample NAME...: "FDS RSS_KB" of each process, into FD[NAME] and RSS[NAME]
# with the given prefix (a: 10 s in, z: the end).
declare -A FD=() RSS=()
sample() {
	local when=$1 name pid
	shift
	for name in "$@"; do
		pid=${PID[$name]}
		FD[$when$name]=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		RSS[$when$name]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	done
}

# Sleep until T seconds after the start, then log how everyone is doing.
until_s() {
	local left=$(($1 - (SECONDS - START)))
	[ "$left" -gt 0 ] && sleep "$left"
	local line="" name pid
	for name in "${RECEIVERS[@]}" "${SENDERS[@]}"; do
		pid=${PID[$name]}
		if proc_alive "$pid"; then
			line+=" $name=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)kB"
		else
			line+=" $name=gone"
		fi
	done
	diag "t=$((SECONDS - START))s:$line"
}

until_s 10
for name in "${RECEIVERS[@]}" "${SENDERS[@]}"; do
	check "10 s in, $name is running" proc_alive "${PID[$name]}"
done
sample a "${RECEIVERS[@]}" "${SENDERS[@]}"
for ((t = 20; t <= SOAK - 10; t += 10)); do
	until_s "$t"
done
# The senders' last sample a few seconds before their end; the
# receivers' once everything has been sent, just before SIGTERM.
until_s $((SOAK - 3))
for name in "${SENDERS[@]}"; do
	check "near the end, $name is still running" proc_alive "${PID[$name]}"
done
sample z "${SENDERS[@]}"
for name in "${SENDERS[@]}"; do
	wait_exit "$name" 60
	check_rc "$name exits 0" 0 "$RC"
done
# The last answers and datagrams are read within a second.
sleep 1
sample z "${RECEIVERS[@]}"
for name in "${RECEIVERS[@]}"; do
	check "at the end, $name is still running" proc_alive "${PID[$name]}"
	kill -TERM "${PID[$name]}" 2>/dev/null
	wait_exit "$name" "$LONG"
	check_rc "$name exits 0 on SIGTERM" 0 "$RC"
done

for name in "${RECEIVERS[@]}" "${SENDERS[@]}"; do
	diag "$name: ${FD[a$name]:-?} fds, ${RSS[a$name]:-?} kB at 10 s;" \
		"${FD[z$name]:-?} fds, ${RSS[z$name]:-?} kB at the end"
	check_eq "$name: as many open file descriptors at the end as 10 s in" \
		"${FD[a$name]:-?}" "${FD[z$name]:-??}"
	if [ -z "$MCAST_WRAP" ]; then
		check "$name: VmRSS grew by less than 2 MB" \
			test "$((${RSS[z$name]:-999999} - ${RSS[a$name]:-0}))" -lt 2048
	fi
done

# ---- the counts add up ------------------------------------------------------------

check_eq "ping: $NP probes, each answered by h2 and by h3, 0% loss, no duplicates" \
	"$NP 2 $NP $NP 0.0 0 $NP $NP 0.0 0" \
	"$(jget "$T/ping.out" 'S["sent"]' 'S["responders"]' \
		"R['10.77.0.2']['sent']" "R['10.77.0.2']['received']" \
		"R['10.77.0.2']['loss_pct']" "R['10.77.0.2']['duplicates']" \
		"R['10.77.0.3']['sent']" "R['10.77.0.3']['received']" \
		"R['10.77.0.3']['loss_pct']" "R['10.77.0.3']['duplicates']")"
for p in pong2 pong3; do
	check_eq "$p: answered all $NP probes of 1 prober, held none back, ignored nothing" \
		"$NP 1 0 0" \
		"$(jget "$T/$p.out" 'S["answered"]' 'S["probers"]' 'S["held_back"]' \
			'sum(S["ignored"].values())')"
done

bid=$(jget "$T/bsend.out" 'S["sender_id"]')
check_eq "bench send: sent $NB" "$NB" "$(jget "$T/bsend.out" 'S["sent"]')"
check_eq "bench recv: received $NB of $NB from bench send, none lost, duplicated or reordered" \
	"$NB $NB 0 0 0" \
	"$(jget "$T/brecv.out" "I['$bid']['received']" "I['$bid']['expected']" \
		"I['$bid']['lost']" "I['$bid']['duplicates']" "I['$bid']['reordered']")"
check_eq "bench recv: one sender, $NB datagrams, no garbage, no kernel drops" \
	"1 $NB 0 0 0" \
	"$(jget "$T/brecv.out" 'S["senders"]' 'S["datagrams"]' 'S["ignored"]["garbage"]' 'S["ignored"]["other"]' \
		'S["kernel_drops"]')"

check_eq "send: sent $NS, got $((2 * NS)) answers from 2 responders" \
	"$NS $((2 * NS)) 2" "$(jget "$T/send.out" 'S["sent"]' 'S["replies"]' 'S["responders"]')"
for r in recv2 recv3; do
	check_eq "$r: $NS datagrams from 1 source, all answered, none held back, no kernel drops" \
		"$NS 1 $NS 0 0" \
		"$(jget "$T/$r.out" 'S["datagrams"]' 'S["sources"]' 'S["replies"]' \
			'S["replies_held_back"]' 'S["kernel_drops"]')"
	check_eq "$r: 'soak 1' to 'soak $NS', each once, in order" "$NS True" \
		"$(jget "$T/$r.out" 'len([x for x in L if x["event"] == "message"])' \
			"[x['data'] for x in L if x['event'] == 'message'] == ['soak %d' % k for k in range(1, $NS + 1)]")"
done

check_eq "no sanitizer report in any stderr" "" \
	"$(grep -lE 'AddressSanitizer|runtime error' "$T"/*.err)"

finish
