#!/bin/bash
# Which interfaces a receiver joins on. Host r sits on two LANs: a sends on
# br0 (r's eth0), b on br1 (r's eth1), both to the same group.
#   -i eth0     only a's datagrams
#   -i all      a's and b's, each shown with its arrival interface; lo is
#               joined too (up, and loopback carries multicast), as mcast
#               ifaces counts it
#   no -i       the kernel's choice (eth0 here), and the tool says so
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_dual

G=239.5.5.5:5005
G6='[ff15::5]:5005'

# Both senders send to both groups: b first, so a receiver that should
# not see b's datagrams has them in front of a's.
send_both() {
	mc_run sb4 b send -i eth0 -n 2 -I 50ms -p 40005 "$G" from-b
	check_rc "$1: b sends (IPv4)" 0 "$RC"
	mc_run sb6 b send -i eth0 -n 2 -I 50ms -p 40005 "$G6" from-b
	check_rc "$1: b sends (IPv6)" 0 "$RC"
	mc_run sa4 a send -i eth0 -n 2 -I 50ms -p 40005 "$G" from-a
	check_rc "$1: a sends (IPv4)" 0 "$RC"
	mc_run sa6 a send -i eth0 -n 2 -I 50ms -p 40005 "$G6" from-a
	check_rc "$1: a sends (IPv6)" 0 "$RC"
}

A4="10.78.1.2:40005 -> 239.5.5.5:5005 on eth0, 6 bytes: from-a"
B4="10.78.2.2:40005 -> 239.5.5.5:5005 on eth1, 6 bytes: from-b"
A6="[fd78:1::2]:40005 -> [ff15::5]:5005 on eth0, 6 bytes: from-a"
B6="[fd78:2::2]:40005 -> [ff15::5]:5005 on eth1, 6 bytes: from-b"

# Phase 1: one receiver per family, joined on a single interface. Each is
# alone on r, so nothing else has joined the group on the other interface.
mc_bg one4 r recv -i eth0 -w "$(tmo 2)" "$G"
mc_bg one6 r recv -i eth1 -w "$(tmo 2)" "$G6"
wait_listening one4
wait_listening one6
send_both "-i one interface"
wait_exit one4 "$LONG"
check_rc "-i eth0: exits 0" 0 "$RC"
check_has "-i eth0: says it joined on eth0" "$T/one4.err" \
	"mcast: listening on 239.5.5.5:5005, joined on eth0"
check_file "-i eth0: only a's datagrams (via eth0)" "$T/one4.out" "$A4
$A4"
wait_exit one6 "$LONG"
check_rc "-i eth1 (IPv6): exits 0" 0 "$RC"
check_has "-i eth1 (IPv6): says it joined on eth1" "$T/one6.err" \
	"mcast: listening on [ff15::5]:5005, joined on eth1"
check_file "-i eth1 (IPv6): only b's datagrams (via eth1)" "$T/one6.out" "$B6
$B6"

# Phase 2: -i all next to a receiver left to the kernel's choice.
mc_bg all4 r recv -i all -w "$(tmo 2)" "$G"
mc_bg all6 r recv -i all -w "$(tmo 2)" "$G6"
mc_bg kern4 r recv -w "$(tmo 2)" "$G"
for r in all4 all6 kern4; do
	wait_listening "$r"
done
send_both "-i all"
wait_exit all4 "$LONG"
check_rc "-i all: exits 0" 0 "$RC"
check_match "-i all: says it joined on lo, eth0 and eth1" "$T/all4.err" \
	'^mcast: listening on 239\.5\.5\.5:5005, joined on lo, (eth0, eth1|eth1, eth0)$'
check_file "-i all: a's and b's datagrams, each with its interface" \
	"$T/all4.out" "$B4
$B4
$A4
$A4"
wait_exit all6 "$LONG"
check_rc "-i all (IPv6): exits 0" 0 "$RC"
check_match "-i all (IPv6): says it joined on lo, eth0 and eth1" "$T/all6.err" \
	'^mcast: listening on \[ff15::5\]:5005, joined on lo, (eth0, eth1|eth1, eth0)$'
check_file "-i all (IPv6): a's and b's datagrams" "$T/all6.out" "$B6
$B6
$A6
$A6"
wait_exit kern4 "$LONG"
check_rc "no -i: exits 0" 0 "$RC"
check_has "no -i: says the kernel chose eth0" "$T/kern4.err" \
	"mcast: listening on 239.5.5.5:5005, joined on eth0 (chosen by the kernel)"
check_file "no -i: only a's datagrams, though another receiver joined eth1" \
	"$T/kern4.out" "$A4
$A4"

# Phase 3: interfaces named by address and by index.
idx=$(in_ns r cat /sys/class/net/eth1/ifindex)
mc_bg byaddr r recv -i 10.78.1.1 -n 1 -w "$(tmo 3)" 239.5.5.6:5006
mc_bg byidx r recv -i "$idx" -n 1 -w "$(tmo 3)" 239.5.5.7:5007
mc_bg both r recv -v -i eth0 -i eth1 -w 1s 239.5.5.8:5008
wait_listening byaddr
wait_listening byidx
wait_listening both
check_has "recv -i 10.78.1.1 joins on eth0" "$T/byaddr.err" "joined on eth0"
check_has "recv -i $idx joins on eth1" "$T/byidx.err" "joined on eth1"
mc_run sa a send -i 10.78.1.2 -p 40005 239.5.5.6:5006 by-address
check_rc "send -i 10.78.1.2 exits 0" 0 "$RC"
check_has "send -i 10.78.1.2 reports eth0" "$T/sa.err" "via eth0"
mc_run sb b send -i "$(in_ns b cat /sys/class/net/eth0/ifindex)" -p 40005 \
	239.5.5.7:5007 by-index
check_rc "send -i INDEX exits 0" 0 "$RC"
check_has "send -i INDEX reports eth0" "$T/sb.err" "via eth0"
wait_exit byaddr "$LONG"
check_file "recv -i ADDRESS gets a's datagram" "$T/byaddr.out" \
	"10.78.1.2:40005 -> 239.5.5.6:5006 on eth0, 10 bytes: by-address"
wait_exit byidx "$LONG"
check_file "recv -i INDEX gets b's datagram" "$T/byidx.out" \
	"10.78.2.2:40005 -> 239.5.5.7:5007 on eth1, 8 bytes: by-index"

# Two -i: joins on both, and leaves both when it ends (here by -w).
wait_exit both "$LONG"
check_rc "-i eth0 -i eth1, nothing sent: exit 1 after -w" 1 "$RC"
check_has "-i eth0 -i eth1: says it joined on both" "$T/both.err" \
	"mcast: listening on 239.5.5.8:5008, joined on eth0, eth1"
for ifc in eth0 eth1; do
	check_match "-i eth0 -i eth1 -v: joined on $ifc" "$T/both.err" \
		"^mcast\[[0-9]+\]: joined 239\.5\.5\.8 on $ifc\$"
	check_match "-i eth0 -i eth1 -v: left $ifc at exit" "$T/both.err" \
		"^mcast\[[0-9]+\]: left 239\.5\.5\.8 on $ifc\$"
done

# A namespace with only lo up: -i all joins on lo (as mcast ifaces lists
# it) and gets what is sent there.
ns_add solo
mc_bg lo4 solo recv -i all -n 1 -w "$(tmo 3)" 239.5.5.9:5009
wait_listening lo4
check_has "only lo up: -i all joins on lo" "$T/lo4.err" \
	"mcast: listening on 239.5.5.9:5009, joined on lo"
mc_run solos solo send -i lo -p 40005 239.5.5.9:5009 alone
check_rc "only lo up: send -i lo exits 0" 0 "$RC"
wait_exit lo4 "$LONG"
check_rc "only lo up: recv -i all gets it and exits 0" 0 "$RC"
check_file "only lo up: the datagram on lo" "$T/lo4.out" \
	"127.0.0.1:40005 -> 239.5.5.9:5009 on lo, 5 bytes: alone"

finish
