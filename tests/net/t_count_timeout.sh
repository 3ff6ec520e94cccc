#!/bin/bash
# -n and -w: recv exits 0 once it has N datagrams; with -w it exits after
# that much silence: 1 if nothing (or fewer than -n N) arrived, else 0.
# -q silences stderr without touching the data.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

G=239.15.0.1:5151
L="10.77.0.1:40015 -> 239.15.0.1:5151 on eth0, 4 bytes: tick"

mc_bg n2 h2 recv -i eth0 -n 2 -w "$(tmo 3)" "$G"        # stops at 2 of 3
mc_bg w h3 recv -i eth0 -w "$(tmo 2)" "$G"              # all 3, then silence
mc_bg n5 h3 recv -i eth0 -n 5 -w "$(tmo 2)" "$G"        # 3 of 5: exit 1
mc_bg none h2 recv -i eth0 -w "$(tmo 1)" 239.15.0.2:5152 # nothing: exit 1
mc_bg quiet h2 recv -q -i eth0 -n 1 -w "$(tmo 3)" "$G"
for r in n2 w n5 none; do
	wait_listening "$r"
done
# The quiet receiver says nothing; wait until its socket is bound beside
# n2's. It needs only one of the four identical datagrams sent below.
for _ in $(seq 1 $((LONG * 20))); do
	[ "$(in_ns h2 ss -Huan 'sport = :5151' | wc -l)" -ge 2 ] && break
	sleep 0.05
done

mc_run s h1 send -i eth0 -n 3 -I 100ms -p 40015 "$G" tick
check_rc "send -n 3 exits 0" 0 "$RC"
mc_run sq h1 send -q -i eth0 -p 40015 "$G" tick
check_rc "send -q exits 0" 0 "$RC"
check_empty "send -q: nothing on stderr" "$T/sq.err"

wait_exit n2 "$LONG"
check_rc "-n 2: exits 0" 0 "$RC"
check_file "-n 2: prints exactly 2 datagrams" "$T/n2.out" "$L
$L"
check_has "-n 2: summary counts 2" "$T/n2.err" \
	"mcast: 2 datagrams, 8 bytes from 1 source"

wait_exit w "$LONG"
check_rc "-w without -n after 4 datagrams: exits 0" 0 "$RC"
check_file "-w without -n: prints all 4" "$T/w.out" "$L
$L
$L
$L"

wait_exit n5 "$LONG"
check_rc "-n 5 -w, only 4 sent: exits 1" 1 "$RC"
check_eq "-n 5 -w, only 4 sent: prints the 4 it got" 4 "$(nlines "$T/n5.out")"

wait_exit none "$LONG"
check_rc "-w with nothing sent: exits 1" 1 "$RC"
check_empty "-w with nothing sent: prints nothing on stdout" "$T/none.out"
check_has "-w with nothing sent: summary counts 0" "$T/none.err" \
	"mcast: 0 datagrams, 0 bytes from 0 sources"

wait_exit quiet "$LONG"
check_rc "-q -n 1: exits 0" 0 "$RC"
check_file "-q: the datagram on stdout" "$T/quiet.out" "$L"
check_empty "-q: nothing on stderr" "$T/quiet.err"

# send -n 0 runs until a signal ends it, then reports what it sent.
mc_bg forever_r h3 recv -i eth0 -n 3 -w "$(tmo 3)" 239.15.0.3:5153
wait_listening forever_r
mc_bg forever h1 send -i eth0 -n 0 -I 50ms -p 40015 239.15.0.3:5153 tick
wait_exit forever_r "$LONG"
check_rc "send -n 0: a receiver gets 3 datagrams" 0 "$RC"
kill -TERM "${PID[forever]}"
wait_exit forever "$LONG"
check_rc "send -n 0: exits 0 on SIGTERM" 0 "$RC"
check_match "send -n 0: reports what it sent on SIGTERM" "$T/forever.err" \
	'^mcast: sent [0-9]+ datagrams? \([0-9]+ bytes\) to 239\.15\.0\.3:5153 via eth0$'

finish
