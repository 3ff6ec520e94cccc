#!/bin/bash
# The TTL (IPv6 hop limit) each datagram arrives with, across two routers
# (lab_routed, smcroute with static (S,G) routes). a1 sends two datagrams
# with TTL 8 to an IPv4 and an IPv6 group; a plain Python receiver
# (mcpy.py recvttl: IP_RECVTTL / IPV6_RECVHOPLIMIT) and libmcast
# (mclib recv: mcast_rxinfo.ttl, through mcast_sock_recv and through
# mcast_sock_recv_batch) must both see 8 on subnet A, 7 on B and 6 on C:
# one less per router. a1's own looped-back copy keeps the 8 it was sent
# with.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_mroute
need_python
need_mclib
lab_routed
PY=("$PYTHON" "$NET_DIR/mcpy.py")

G4=239.7.2.1
G6=ff15::7:2
for r in r1 r2; do
	mroute "$r" source 10.79.1.11 group "$G4"
	mroute "$r" source fd79:1::11 group "$G6"
	mroute_start "$r" || finish
done

# Which libmcast receive path each receiver uses: both paths, both
# families, every distance.
declare -A PATH4=([a1]="" [a2]="" [b1]=batch [c1]="")
declare -A PATH6=([a1]=batch [a2]=batch [b1]="" [c1]=batch)
for h in a1 a2 b1 c1; do
	# shellcheck disable=SC2086 # an empty PATH4 adds no argument
	mclib_bg "l4_$h" "$h" recv "$G4:5071" eth0 2 "$((5 * SLOW))" ${PATH4[$h]}
	# shellcheck disable=SC2086
	mclib_bg "l6_$h" "$h" recv "[$G6]:5071" eth0 2 "$((5 * SLOW))" ${PATH6[$h]}
	[ "$h" = a1 ] && continue
	bg "p4_$h" "$h" "${PY[@]}" recvttl "$G4" 5071 eth0 "$((5 * SLOW))" 2
	bg "p6_$h" "$h" "${PY[@]}" recvttl "$G6" 5071 eth0 "$((5 * SLOW))" 2
done
for h in a1 a2 b1 c1; do
	wait_listening "l4_$h"
	wait_listening "l6_$h"
	[ "$h" = a1 ] && continue
	check "Python receiver on $h ready (IPv4)" wait_for_file_text "$T/p4_$h.err" ready "$LONG"
	check "Python receiver on $h ready (IPv6)" wait_for_file_text "$T/p6_$h.err" ready "$LONG"
done

mc_run s4 a1 send -i eth0 -t 8 -n 2 -I 20ms "$G4:5071" hello
check_rc "a1 sends 2 datagrams with TTL 8 to $G4" 0 "$RC"
mc_run s6 a1 send -i eth0 -t 8 -n 2 -I 20ms "[$G6]:5071" hello
check_rc "a1 sends 2 datagrams with hop limit 8 to $G6" 0 "$RC"

declare -A TTL=([a1]=8 [a2]=8 [b1]=7 [c1]=6)
declare -A WHERE=([a1]="the sender, looped back" [a2]="subnet A"
	[b1]="subnet B, one router" [c1]="subnet C, two routers")
for h in a1 a2 b1 c1; do
	for fam in 4 6; do
		src=10.79.1.11
		[ "$fam" = 6 ] && src=fd79:1::11
		want=$(printf '%s %s 5\n%s %s 5' "$src" "${TTL[$h]}" "$src" "${TTL[$h]}")
		wait_exit "l${fam}_$h" "$LONG"
		check_rc "libmcast on $h IPv$fam: 2 datagrams" 0 "$RC"
		check_file "libmcast on $h (${WHERE[$h]}): IPv$fam TTL ${TTL[$h]}" \
			"$T/l${fam}_$h.out" "$want"
		[ "$h" = a1 ] && continue
		wait_exit "p${fam}_$h" "$LONG"
		check_rc "Python on $h IPv$fam: 2 datagrams" 0 "$RC"
		check_file "Python on $h (${WHERE[$h]}): IPv$fam TTL ${TTL[$h]}" \
			"$T/p${fam}_$h.out" "$want"
		check "Python and libmcast agree on $h (IPv$fam)" \
			cmp -s "$T/p${fam}_$h.out" "$T/l${fam}_$h.out"
	done
done

finish
