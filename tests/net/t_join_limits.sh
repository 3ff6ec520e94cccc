#!/bin/bash
# The kernel's limits on what one socket may join, and 1000 groups past
# them. h2 receives, h1 sends (lab_bridge3); the limits are settings of h2's
# own network namespace, changed there only.
#   - past each limit the join fails with a message that names the setting,
#     its value and the sysctl command, and nothing stays joined:
#     net.ipv4.igmp_max_memberships (groups, 20), net.ipv4.igmp_max_msf
#     (sources, 10, through mcast recv -S), net.ipv6.mld_max_msf (sources,
#     host-wide), net.core.optmem_max (IPv6 groups, ENOMEM);
#   - the IPv4 limits belong to the namespace: raising them in h2 leaves h1's;
#   - with igmp_max_memberships raised, 1000 groups on one socket, and 1000
#     groups on 1000 sockets, each get the datagram a plain Python sender
#     sends to every group of the range, exactly one each; 1000 IPv6 groups
#     on one socket need no change at all.
# The helpers below are called through check, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
need_mclib
lab_bridge3
PY=("$PYTHON" "$NET_DIR/mcpy.py")
# 1000 sockets, and valgrind's own descriptors, need more than 1024.
ulimit -n 4096 2>/dev/null || diag "cannot raise the descriptor limit"

sysctl_of() { in_ns "$1" cat "/proc/sys/$(echo "$2" | tr . /)"; }
# groups_in NS PREFIX: how many groups joined in NS start with PREFIX
# ("239.8." or "ff15::8:"), as mcast ifaces lists them.
groups_in() {
	mc "$1" ifaces --json >"$T/ifaces.json" 2>&1
	jget "$T/ifaces.json" \
		"sum(1 for x in L for g in x.get('groups', []) if g['group'].startswith('$2'))"
}

check_eq "h2 starts with the default net.ipv4.igmp_max_memberships" 20 \
	"$(sysctl_of h2 net.ipv4.igmp_max_memberships)"

# Groups per socket (IPv4): the 21st join fails.
mclib_run m20 h2 join 239.8.0.0+20:5080 eth0 one
check_rc "21 groups on one socket: exit 1" 1 "$RC"
check_file "the message names igmp_max_memberships, its value, the sysctl" "$T/m20.err" \
	"mclib: cannot join 239.8.0.20 on eth0: at most 20 groups per socket (net.ipv4.igmp_max_memberships = 20); raise it: sysctl -w net.ipv4.igmp_max_memberships=1024"
check_eq "21 groups on 21 sockets need no change" 0 \
	"$(mclib_run m21 h2 join 239.8.1.0+20:5080 eth0 each; echo "$RC")"
check_eq "nothing stays joined after either" 0 "$(groups_in h2 239.8.)"

# Sources per group and socket (IPv4), through the tool: -S 11 times.
srcs=()
for i in $(seq 1 11); do
	srcs+=(-S "10.77.0.$((100 + i))")
done
mc_run msf h2 recv -i eth0 "${srcs[@]}" -w 1s 232.8.0.1:5081
check_rc "mcast recv with 11 sources: exit 1" 1 "$RC"
check_has "it names igmp_max_msf, its value, the sysctl" "$T/msf.err" \
	"mcast: cannot join 232.8.0.1 source 10.77.0.111 on eth0: at most 10 sources per group and socket (net.ipv4.igmp_max_msf = 10); raise it: sysctl -w net.ipv4.igmp_max_msf=1024"
check_eq "no source of 232.8.0.1 stays joined" 0 "$(groups_in h2 232.8.)"

# Sources per group and socket (IPv6): mld_max_msf is host-wide, so a
# namespace cannot read it; the message says so.
mclib_run msf6 h2 sources '[ff3e::8:1]:5081' eth0 fd77::100 65
check_rc "65 IPv6 sources on one socket: exit 1" 1 "$RC"
if in_ns h2 test -r /proc/sys/net/ipv6/mld_max_msf; then
	v=$(sysctl_of h2 net.ipv6.mld_max_msf)
	check_has "it names mld_max_msf and its value" "$T/msf6.err" \
		"(net.ipv6.mld_max_msf = $v, host-wide); raise it: sysctl -w net.ipv6.mld_max_msf="
else
	check_has "it names mld_max_msf, host-wide, unreadable here" "$T/msf6.err" \
		"mclib: cannot join ff3e::8:1 source fd77::140 on eth0: limit of sources per group and socket reached (net.ipv6.mld_max_msf, host-wide, unreadable in this namespace); raise it: sysctl -w net.ipv6.mld_max_msf=1024"
fi

# IPv6 groups per socket are bounded by the socket's option memory.
optmem=$(sysctl_of h2 net.core.optmem_max)
ns_sysctl h2 net.core.optmem_max=16384
check_eq "net.core.optmem_max is lowered in h2 only" "$optmem" \
	"$(sysctl_of h1 net.core.optmem_max)"
mclib_run om h2 join '[ff15::8:0]+999:5082' eth0 one
check_rc "1000 IPv6 groups with 16 KiB of option memory: exit 1" 1 "$RC"
check_match "it names optmem_max, its value, the sysctl" "$T/om.err" \
	'^mclib: cannot join ff15::8:[0-9a-f]+ on eth0: out of socket option memory \(net\.core\.optmem_max = 16384 bytes\); raise it: sysctl -w net\.core\.optmem_max=32768$'
ns_sysctl h2 "net.core.optmem_max=$optmem"
check_eq "no IPv6 group of the range stays joined" 0 "$(groups_in h2 ff15::8:)"

# Raised in h2, for h2 only.
ns_sysctl h2 net.ipv4.igmp_max_memberships=1000
check_eq "igmp_max_memberships is 1000 in h2" 1000 \
	"$(sysctl_of h2 net.ipv4.igmp_max_memberships)"
check_eq "and still 20 in h1: a setting of each namespace" 20 \
	"$(sysctl_of h1 net.ipv4.igmp_max_memberships)"

# many NAME RANGE FIRST MODE: 1000 groups from FIRST joined in MODE (one
# socket or each its own), a datagram to every one from Python on h1.
many() {
	local name=$1 range=$2 first=$3 mode=$4 prefix=$5
	mclib_bg "$name" h2 join "$range" eth0 "$mode" "$((5 * SLOW))"
	wait_listening "$name" || return
	check_has "$name: joined 1000 groups" "$T/$name.err" "mclib: joined 1000 groups on"
	check_eq "$name: mcast ifaces lists the 1000 groups on h2" 1000 "$(groups_in h2 "$prefix")"
	check "$name: Python sends to the 1000 groups" \
		in_ns h1 "${PY[@]}" sendrange "$first" 1000 "${range##*:}" eth0
	wait_exit "$name" "$LONG"
	check_rc "$name: every group got its datagram" 0 "$RC"
	check_file "$name: exactly one datagram each" "$T/$name.out" \
		"received 1000 datagrams on 1000 of 1000 groups"
	check_eq "$name: all 1000 left on exit" 0 "$(groups_in h2 "$prefix")"
}
many one4 239.8.0.0+999:5083 239.8.0.0 one 239.8.
many each4 239.8.8.0+999:5084 239.8.8.0 each 239.8.
check_has "one socket for 1000 groups" "$T/one4.err" "on 1 socket"
check_has "1000 sockets for 1000 groups" "$T/each4.err" "on 1000 sockets"
many one6 '[ff15::8:0]+999:5085' ff15::8:0 one ff15::8:

finish
