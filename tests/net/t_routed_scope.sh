#!/bin/bash
# TTL scoping across two multicast routers (lab_routed, smcroute with
# (*,G) routes): a1 on subnet A sends three datagrams each with TTL (IPv6
# hop limit) 1, 2 and 3; a2 (subnet A) must get all nine, b1 (subnet B,
# one router away) the six of TTL 2 and 3, c1 (subnet C, two routers away)
# the three of TTL 3, each exactly once and in order. The routers' kernels
# count what they forwarded: 6 datagrams by r1, 3 by r2, per family. And
# unicast answers find their way back: c1 answers a1 (recv --reply).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_mroute
lab_routed

G4=239.7.1.1
G6=ff15::7:1
for r in r1 r2; do
	mroute "$r" group 239.7.0.0/16
	mroute "$r" group ff15::7:0/112
	mroute_start "$r" || finish
done

# Each receiver stops after the datagrams it should get, so an extra one
# (sent earlier, on the same path) would take the place of one expected.
declare -A WANT=([a2]=9 [b1]=6 [c1]=3)
for h in a2 b1 c1; do
	mc_bg "${h}_4" "$h" recv -i eth0 -n "${WANT[$h]}" -w "$(tmo 5)" "$G4:5070"
	mc_bg "${h}_6" "$h" recv -i eth0 -n "${WANT[$h]}" -w "$(tmo 5)" "[$G6]:5070"
done
for h in a2 b1 c1; do
	wait_listening "${h}_4"
	wait_listening "${h}_6"
done

# send TTL: three datagrams with that TTL to both groups, from port 4070.
send() {
	mc_run "s$1_4" a1 send -i eth0 -t "$1" -p 4070 -n 3 -I 20ms -T "ttl$1-{seq}" "$G4:5070"
	check_rc "a1 sends 3 datagrams with TTL $1 to $G4" 0 "$RC"
	mc_run "s$1_6" a1 send -i eth0 -t "$1" -p 4070 -n 3 -I 20ms -T "ttl$1-{seq}" "[$G6]:5070"
	check_rc "a1 sends 3 datagrams with hop limit $1 to $G6" 0 "$RC"
}

# The first datagram of a flow makes smcrouted install its (S,G) route; the
# kernel holds only a few datagrams while it waits. Each batch goes out
# once the routers on its way have the route, so none is lost to that.
send 1
check "r1 installed (10.79.1.11,$G4) from its (*,G) route" wait_mfc r1 10.79.1.11 "$G4"
check "r1 installed (fd79:1::11,$G6) from its (*,G) route" wait_mfc r1 fd79:1::11 "$G6"
send 2
check "r2 installed (10.79.1.11,$G4)" wait_mfc r2 10.79.1.11 "$G4"
check "r2 installed (fd79:1::11,$G6)" wait_mfc r2 fd79:1::11 "$G6"
send 3

lines() {
	local fam=$1 t n
	shift
	for t in "$@"; do
		for n in 1 2 3; do
			if [ "$fam" = 4 ]; then
				echo "10.79.1.11:4070 -> $G4:5070 on eth0, 6 bytes: ttl$t-$n"
			else
				echo "[fd79:1::11]:4070 -> [$G6]:5070 on eth0, 6 bytes: ttl$t-$n"
			fi
		done
	done
}
declare -A TTLS=([a2]="1 2 3" [b1]="2 3" [c1]="3")
declare -A WHERE=([a2]="subnet A, no router" [b1]="subnet B, one router"
	[c1]="subnet C, two routers")
for h in a2 b1 c1; do
	for fam in 4 6; do
		wait_exit "${h}_$fam" "$LONG"
		check_rc "$h (${WHERE[$h]}) IPv$fam: exits 0 after ${WANT[$h]} datagrams" 0 "$RC"
		# shellcheck disable=SC2086 # TTLS holds a list of words
		check_file "$h IPv$fam: exactly the datagrams of TTL ${TTLS[$h]// /, }" \
			"$T/${h}_$fam.out" "$(lines "$fam" ${TTLS[$h]})"
	done
done

# What each router forwarded: the packets out of its eth1 virtual
# interface (/proc/net/ip_mr_vif and ip6_mr_vif, column PktsOut).
check_eq "r1 forwarded the 6 IPv4 datagrams of TTL 2 and 3" 6 "$(mroute_out r1 4)"
check_eq "r1 forwarded the 6 IPv6 datagrams of hop limit 2 and 3" 6 "$(mroute_out r1 6)"
check_eq "r2 forwarded the 3 IPv4 datagrams of TTL 3" 3 "$(mroute_out r2 4)"
check_eq "r2 forwarded the 3 IPv6 datagrams of hop limit 3" 3 "$(mroute_out r2 6)"

# Unicast answers come back across both routers: c1 answers a datagram of
# TTL 3 (recv --reply), and a1 (send --wait) gets the answer. The group is
# new to the routers: its first datagram waits in each kernel for
# smcrouted to install the route, and a loaded machine lost it once
# (IPv6), so a1 sends three, a second apart (c1 answers the first that
# arrives; half an interval leaves the round trip known).
for g in 239.7.1.2:5075 '[ff15::7:2]:5075'; do
	mc_bg rep c1 recv -i eth0 -n 1 --reply ack -w "$(tmo 5)" "$g"
	wait_listening rep
	mc_run ask a1 send -i eth0 -t 3 -n 3 -I 1s --wait "$(tmo 2)" --expect 1 "$g" hello
	check_rc "a1 to $g with TTL 3: c1 answers, --expect 1 is met" 0 "$RC"
	src=10.79.3.31
	case $g in \[*) src='\[fd79:3::31\]' ;; esac
	check_match "a1 prints c1's answer from two routers away" "$T/ask.out" \
		"^reply from $src:[0-9]+, 3 bytes in [0-9.]+ ms: ack\$"
	wait_exit rep "$LONG"
	check_rc "c1 exits 0 after answering" 0 "$RC"
done

finish
