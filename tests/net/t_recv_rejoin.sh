#!/bin/bash
# mcast recv --rejoin DURATION as the switch sees it: subnet A's snooping
# bridge (lab_routed's brA, fast leave on a2's port, so that a leave removes
# the entry at once) shows in `bridge monitor mdb` each leave and each join
# again of a receiver on a2 that rejoins every 500ms (out for 200ms each time): the entries alternate
# (added, deleted, added, ...), one deletion per rejoin logged by -v.
# IPv4 and IPv6.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
PATH=$PATH:/usr/sbin:/sbin
command -v bridge >/dev/null 2>&1 || skip "needs iproute2's bridge command"
lab_routed
ip netns exec "${P}swa" bridge link set dev a2 fastleave on

for g in 239.7.5.1 ff15::7:5:1; do
	addr=$g
	case $g in *:*) addr="[$g]" ;; esac
	bg "mon$g" swa stdbuf -oL bridge monitor mdb
	# The monitor listens once it shows an entry added after it started.
	for ((i = 0; i < LONG * 20; i++)); do
		ip netns exec "${P}swa" bridge mdb add dev brA port a1 grp 239.7.5.99 2>/dev/null
		grep -q "grp 239.7.5.99" "$T/mon$g.out" && break
		ip netns exec "${P}swa" bridge mdb del dev brA port a1 grp 239.7.5.99 2>/dev/null
		sleep 0.05
	done
	ip netns exec "${P}swa" bridge mdb del dev brA port a1 grp 239.7.5.99 2>/dev/null
	mc_bg "r$g" a2 recv -v -i eth0 --rejoin 500ms -w 60s "$addr:5075"
	wait_listening "r$g"
	# Three rejoins: three "left" lines in the log.
	for ((i = 0; i < LONG * 20; i++)); do
		[ "$(grep -c "left $g on eth0" "$T/r$g.err")" -ge 3 ] && break
		sleep 0.05
	done
	kill -TERM "${PID[r$g]}"
	wait_exit "r$g" "$LONG"
	check_rc "recv --rejoin $g: SIGTERM, exits 0" 0 "$RC"
	left=$(grep -c "left $g on eth0" "$T/r$g.err")
	joined=$(grep -c "joined $g on eth0" "$T/r$g.err")
	# The monitor is stopped once it has shown as many deletions as the
	# receiver logged leaves (or after $LONG s): the last one comes after
	# the receiver's exit.
	for ((i = 0; i < LONG * 20; i++)); do
		[ "$(grep -cE "^Deleted .*port a2 grp $g( |\$)" "$T/mon$g.out")" -ge "$left" ] && break
		sleep 0.05
	done
	kill -TERM "${PID[mon$g]}"
	wait_exit "mon$g" "$LONG"
	check_eq "$g: one join more than the rejoins, one leave per join" \
		"$joined" "$left"
	# The bridge's view: A(dded or refreshed) and D(eleted) in order, for
	# a2's port; a join's report is sent twice (the robustness variable),
	# so a run of As is one join.
	seq=$(grep -E "port a2 grp $g( |\$)" "$T/mon$g.out" |
		sed -E 's/^Deleted .*/D/; s/^dev .*/A/' | tr -d '\n' | tr -s A)
	want=$(for ((i = 0; i < joined; i++)); do printf AD; done)
	check_eq "$g: brA saw each join and each leave, alternating" "$want" "$seq"
done

finish
