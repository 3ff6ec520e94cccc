#!/bin/bash
# TTL 0 keeps a datagram on the sending host: with --loop, h1's own
# receiver gets it, h2's gets nothing. --no-loop is the other way round.
# A TTL 1 datagram sent afterwards to h2 shows h2 could hear h1 all along.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

# ttl0: TTL 0 with loop; noloop: TTL 1 without loop; ctl: plain TTL 1.
mc_bg ttl0_h1 h1 recv -i eth0 -n 1 -w "$(tmo 3)" 239.7.7.1:5071
mc_bg ttl0_h2 h2 recv -i eth0 -w "$(tmo 2)" 239.7.7.1:5071
mc_bg ttl0_h1v6 h1 recv -i eth0 -n 1 -w "$(tmo 3)" '[ff15::7:1]:5071'
mc_bg ttl0_h2v6 h2 recv -i eth0 -w "$(tmo 2)" '[ff15::7:1]:5071'
mc_bg noloop_h1 h1 recv -i eth0 -w "$(tmo 2)" 239.7.7.2:5072
mc_bg noloop_h2 h2 recv -i eth0 -n 1 -w "$(tmo 3)" 239.7.7.2:5072
mc_bg ctl_h2 h2 recv -i eth0 -n 1 -w "$(tmo 3)" 239.7.7.3:5073
for r in ttl0_h1 ttl0_h2 ttl0_h1v6 ttl0_h2v6 noloop_h1 noloop_h2 ctl_h2; do
	wait_listening "$r"
done

mc_run s h1 send -i eth0 -t 0 --loop -p 40007 239.7.7.1:5071 ttl zero
check_rc "send -t 0 --loop exits 0" 0 "$RC"
mc_run s h1 send -i eth0 --ttl 0 --loop -p 40007 '[ff15::7:1]:5071' ttl zero
check_rc "send -t 0 --loop exits 0 (IPv6)" 0 "$RC"
mc_run s h1 send -i eth0 -t 1 --no-loop -p 40007 239.7.7.2:5072 no loop
check_rc "send --no-loop exits 0" 0 "$RC"
mc_run s h1 send -i eth0 -t 1 -p 40007 239.7.7.3:5073 control
check_rc "control send exits 0" 0 "$RC"

wait_exit ttl0_h1 "$LONG"
check_rc "TTL 0: the sending host's receiver exits 0" 0 "$RC"
check_file "TTL 0: the sending host's receiver gets the datagram" \
	"$T/ttl0_h1.out" \
	"10.77.0.1:40007 -> 239.7.7.1:5071 on eth0, 8 bytes: ttl zero"
wait_exit ttl0_h2 "$LONG"
check_rc "TTL 0: the other host's receiver times out with exit 1" 1 "$RC"
check_empty "TTL 0: the other host's receiver prints nothing" "$T/ttl0_h2.out"

wait_exit ttl0_h1v6 "$LONG"
check_rc "hop limit 0: the sending host's receiver exits 0" 0 "$RC"
check_file "hop limit 0: the sending host's receiver gets the datagram" \
	"$T/ttl0_h1v6.out" \
	"[fd77::1]:40007 -> [ff15::7:1]:5071 on eth0, 8 bytes: ttl zero"
wait_exit ttl0_h2v6 "$LONG"
check_rc "hop limit 0: the other host's receiver exits 1" 1 "$RC"
check_empty "hop limit 0: the other host's receiver prints nothing" \
	"$T/ttl0_h2v6.out"

wait_exit noloop_h1 "$LONG"
check_rc "--no-loop: the sending host's receiver exits 1" 1 "$RC"
check_empty "--no-loop: the sending host's receiver prints nothing" \
	"$T/noloop_h1.out"
wait_exit noloop_h2 "$LONG"
check_rc "--no-loop: the other host's receiver exits 0" 0 "$RC"
check_file "--no-loop: the other host's receiver gets the datagram" \
	"$T/noloop_h2.out" \
	"10.77.0.1:40007 -> 239.7.7.2:5072 on eth0, 7 bytes: no loop"

wait_exit ctl_h2 "$LONG"
check_file "TTL 1: h2 hears h1" "$T/ctl_h2.out" \
	"10.77.0.1:40007 -> 239.7.7.3:5073 on eth0, 7 bytes: control"

finish
