#!/bin/bash
# Source-specific multicast through two routers (lab_routed): r1 and r2
# have static (S,G) routes for a1's traffic to 232.7.3.1 and ff3e::7:3 and
# nothing else for those groups. c1 (two routers away) joins them for a1
# with -S and gets exactly a1's three datagrams; b1 joins them any-source
# and gets a1's three too but none of a2's, which the routers do not
# forward; a2's come first, so one that crossed would take a1's place.
# The routers' kernels count exactly three forwarded datagrams each.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_mroute
lab_routed

G4=232.7.3.1
G6=ff3e::7:3
for r in r1 r2; do
	mroute "$r" source 10.79.1.11 group "$G4"
	mroute "$r" source fd79:1::11 group "$G6"
	mroute_start "$r" || finish
done
check_match "r1 has the IPv4 (S,G) route" <(in_ns r1 ip mroute show) \
	"^\(10\.79\.1\.11,$G4\) +Iif: eth0 +Oifs: eth1"
check_match "r2 has the IPv6 (S,G) route" <(in_ns r2 ip -6 mroute show) \
	"^\(fd79:1::11,$G6\) +Iif: eth0 +Oifs: eth1"

mc_bg c4 c1 recv -i eth0 -S 10.79.1.11 -n 3 -w "$(tmo 5)" "$G4:5072"
mc_bg c6 c1 recv -i eth0 -S fd79:1::11 -n 3 -w "$(tmo 5)" "[$G6]:5072"
mc_bg b4 b1 recv -i eth0 -n 3 -w "$(tmo 5)" "$G4:5072"
mc_bg b6 b1 recv -i eth0 -n 3 -w "$(tmo 5)" "[$G6]:5072"
for r in c4 c6 b4 b6; do
	wait_listening "$r"
done

for h in a2 a1; do
	mc_run "s4_$h" "$h" send -i eth0 -t 3 -p 4072 -n 3 -I 20ms -T "$h-{seq}" "$G4:5072"
	check_rc "$h sends 3 datagrams to $G4" 0 "$RC"
	mc_run "s6_$h" "$h" send -i eth0 -t 3 -p 4072 -n 3 -I 20ms -T "$h-{seq}" "[$G6]:5072"
	check_rc "$h sends 3 datagrams to $G6" 0 "$RC"
done

from_a1() {
	local n
	for n in 1 2 3; do
		if [ "$1" = 4 ]; then
			echo "10.79.1.11:4072 -> $G4:5072 on eth0, 4 bytes: a1-$n"
		else
			echo "[fd79:1::11]:4072 -> [$G6]:5072 on eth0, 4 bytes: a1-$n"
		fi
	done
}
for fam in 4 6; do
	wait_exit "c$fam" "$LONG"
	check_rc "c1 -S a1 (IPv$fam, two routers): exits 0 after 3 datagrams" 0 "$RC"
	check_file "c1 -S a1 (IPv$fam): exactly a1's datagrams" "$T/c$fam.out" "$(from_a1 $fam)"
	check_lacks "c1 -S on an SSM group: no warning" "$T/c$fam.err" "source-specific range"
	wait_exit "b$fam" "$LONG"
	check_rc "b1 any-source (IPv$fam, one router): exits 0 after 3 datagrams" 0 "$RC"
	check_file "b1 any-source (IPv$fam): a1's datagrams, none of a2's" \
		"$T/b$fam.out" "$(from_a1 $fam)"
	check_has "b1 any-source on an SSM group: warned" "$T/b$fam.err" \
		"source-specific range"
	check_eq "r1 forwarded a1's 3 datagrams only (IPv$fam)" 3 "$(mroute_out r1 "$fam")"
	check_eq "r2 forwarded a1's 3 datagrams only (IPv$fam)" 3 "$(mroute_out r2 "$fam")"
done

finish
