# shellcheck shell=bash
# lib.sh - helpers for the mcast network tests. Source it from a t_*.sh
# script (bash). It never runs mcast, and never sends a packet, outside the
# network namespaces it creates itself.
#
# A test script looks like this:
#
#	. "$(dirname "$0")/lib.sh"
#	need_netns
#	lab_bridge3
#	mc_bg r2 h2 recv -i eth0 -n 1 -w "$(tmo 3)" 239.1.2.3:5000
#	wait_listening r2
#	mc h1 send -i eth0 239.1.2.3:5000 hello
#	wait_exit r2 10
#	check_rc "receiver exits 0" 0 "$RC"
#	finish
#
# Every namespace is named "mct<PID>-<name>" so that runs in parallel, or
# left over by a killed run, never collide. The EXIT trap kills every
# process started here and deletes every namespace created here, whatever
# way the script ends.

# Globals such as RC and PYTHON are set here for the test scripts to read.
# shellcheck disable=SC2034
set -u

NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$NET_DIR/../.." && pwd)
MCAST=${MCAST:-$REPO_DIR/build/mcast}
# The tests' own program on libmcast (tests/helpers/mclib.c), built beside
# the mcast binary under test (by make check, with the same flags).
MCLIB=${MCLIB:-$(dirname "$MCAST")/tests/helpers/mclib}
MCAST_WRAP=${MCAST_WRAP:-}
# Under valgrind, the known errors of libraries mcast links but cannot fix
# (libnorm's: tests/valgrind.supp) are suppressed.
case $MCAST_WRAP in
valgrind*) MCAST_WRAP="$MCAST_WRAP --suppressions=$REPO_DIR/tests/valgrind.supp" ;;
esac
TEST_NAME=$(basename "$0" .sh)

P="mct$$-"
T=$(mktemp -d "${TMPDIR:-/tmp}/mcast-net.XXXXXX")
CHECKS=0
FAILS=0
NAMESPACES=()
PIDS=()
declare -A PID=()
RC=

# ---- cleanup --------------------------------------------------------------

# Kill what we started, delete our namespaces, remove the temp dir. Runs
# from the EXIT trap, so it must not fail halfway: every step ignores errors.
lab_cleanup() {
	local pid ns i st
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		# Give each process a moment to leave its groups, then insist.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			proc_alive "$pid" || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do
		# Anything still inside one of our namespaces was started by this
		# script (a grandchild); end it by its id before deleting.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}

trap 'st=$?; lab_cleanup; exit $st' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# True while process $1 exists and is not a zombie.
proc_alive() {
	local stat
	[ -r "/proc/$1/stat" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# ---- results --------------------------------------------------------------

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok - $1"
}

not_ok() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "not ok - $1"
}

# Print a note, or each line of a file, as a "# " diagnostic.
diag() {
	echo "# $*"
}

show() {
	local label=$1 file=$2
	if [ -s "$file" ]; then
		echo "#   $label:"
		sed -e 's/^/#     /' "$file" | head -40
	else
		echo "#   $label: (empty)"
	fi
}

# check DESCRIPTION CMD...: one check that passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected: $(printf '%q' "$2")"
		diag "  got:      $(printf '%q' "$3")"
	fi
}

# check_rc DESCRIPTION EXPECTED ACTUAL: an exit code.
check_rc() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected exit code $2, got $3"
	fi
}

# check_has DESCRIPTION FILE TEXT: FILE contains the fixed string TEXT.
check_has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  looked for: $(printf '%q' "$3")"
		show "$(basename "$2")" "$2"
	fi
}

# check_lacks DESCRIPTION FILE TEXT: FILE does not contain TEXT.
check_lacks() {
	if grep -qF -- "$3" "$2"; then
		not_ok "$1"
		diag "  found unwanted: $(printf '%q' "$3")"
		show "$(basename "$2")" "$2"
	else
		ok "$1"
	fi
}

# check_match DESCRIPTION FILE ERE: some line of FILE matches ERE.
check_match() {
	if grep -qE -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  looked for regex: $3"
		show "$(basename "$2")" "$2"
	fi
}

# check_empty DESCRIPTION FILE
check_empty() {
	if [ ! -s "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		show "$(basename "$2")" "$2"
	fi
}

# check_file DESCRIPTION FILE EXPECTED-TEXT: FILE holds exactly the lines
# of EXPECTED-TEXT (each line newline-terminated).
check_file() {
	local want="$T/.want.$CHECKS"
	printf '%s\n' "$3" >"$want"
	if cmp -s "$want" "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diff -u "$want" "$2" | sed -e 's/^/#   /' | head -40
	fi
}

# Number of lines in a file (a last line without newline counts).
nlines() {
	grep -c '' "$1" 2>/dev/null || true
}

# End the script: exit 1 if any check failed (or none ran), else 0.
finish() {
	if [ "$CHECKS" -eq 0 ]; then
		echo "not ok - no check ran"
		exit 1
	fi
	echo "# $TEST_NAME: $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ] || exit 1
	exit 0
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# ---- prerequisites --------------------------------------------------------

# Skip (exit 77) unless we are root and can make namespaces, veth pairs and
# bridges; fail if the binary is missing. Everything is probed inside a
# throw-away namespace, never in the host's own.
need_netns() {
	local probe="${P}probe"
	[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
	command -v ip >/dev/null 2>&1 || skip "needs iproute2 (ip) for ip netns"
	ip netns add "$probe" 2>/dev/null || skip "needs root for ip netns (ip netns add failed)"
	NAMESPACES+=("$probe")
	if ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null; then
		skip "needs veth support in the kernel"
	fi
	if ! ip -n "$probe" link add br0 type bridge 2>/dev/null; then
		skip "needs bridge support in the kernel"
	fi
	ip netns del "$probe"
	NAMESPACES=()
	if [ ! -x "$MCAST" ]; then
		echo "not ok - mcast binary at $MCAST is executable"
		exit 1
	fi
}

need_python() {
	PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
		skip "needs python3"
}

# need_pynacl: PYNACL, a python3 that has PyNaCl (Debian's python3-nacl is
# for /usr/bin/python3, which need not be the first python3 on PATH).
need_pynacl() {
	local py
	PYNACL=
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import nacl.signing, nacl.bindings' 2>/dev/null; then
			PYNACL=$(command -v "$py")
			return 0
		fi
	done
	skip "needs PyNaCl (Debian package python3-nacl)"
}

# NORMPEER: the NORM peer of tests/net/normpeer.c (libnorm's C API alone),
# built by `make check`; built here into $T when missing, skipped when
# libnorm's header is not installed.
need_normpeer() {
	NORMPEER=${NORMPEER:-$REPO_DIR/build/tests/normpeer}
	[ -x "$NORMPEER" ] && return 0
	NORMPEER=$T/normpeer
	"${CC:-cc}" -std=gnu11 -D_GNU_SOURCE -O2 -o "$NORMPEER" "$NET_DIR/normpeer.c" \
		-lnorm 2>"$T/normpeer.log" ||
		skip "needs libnorm (Debian package libnorm-dev) for tests/net/normpeer.c"
}

# ---- timing ---------------------------------------------------------------

# Scale a number of seconds for slow runs (valgrind): "tmo 2" prints "2s",
# or "8s" when MCAST_WRAP is set. Use it for every -w given to mcast.
# MCAST_SLOW: how much slower than a plain build the binary runs (make
# sanitize sets 2 for ASan; valgrind is about 4 times slower still).
SLOW=${MCAST_SLOW:-1}
[ -n "$MCAST_WRAP" ] && SLOW=4
tmo() {
	echo "$(($1 * SLOW))s"
}

# Seconds to allow for a process to start or finish (an upper bound only:
# the wait ends as soon as the awaited thing happens).
LONG=$((10 * SLOW))

# ---- namespaces and topologies --------------------------------------------

# in_ns NS CMD...: run CMD inside our namespace NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$P$ns" "$@"
}

# ns_sysctl NS KEY=VALUE...: set sysctls inside NS. Written to /proc/sys
# directly (which shows the namespace of the writer), so procps need not be
# installed.
ns_sysctl() {
	local ns=$1 kv
	shift
	for kv in "$@"; do
		# shellcheck disable=SC2016 # expanded by the inner sh
		in_ns "$ns" sh -c 'echo "$2" >"/proc/sys/$1"' sh \
			"$(echo "${kv%%=*}" | tr . /)" "${kv#*=}" ||
			diag "could not set ${kv} in $ns"
	done
}

# Add namespace NAME with lo up. Duplicate address detection is turned off
# before any link exists, so addresses (link-local ones included) are usable
# at once; reverse-path filtering is off so multi-homed hosts accept all
# multicast that reaches them.
ns_add() {
	local ns="$P$1"
	ip netns add "$ns" || { echo "not ok - ip netns add $ns"; exit 1; }
	NAMESPACES+=("$ns")
	ns_sysctl "$1" net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	in_ns "$1" ip link set lo up
}

# A switch namespace: bridges forward everything, no IGMP/MLD snooping, and
# the switch itself has no IPv6 so it sends nothing of its own.
switch_add() {
	local sw=$1 br
	shift
	ns_add "$sw"
	ns_sysctl "$sw" net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	for br in "$@"; do
		ip -n "$P$sw" link add "$br" type bridge mcast_snooping 0 stp_state 0
		ip -n "$P$sw" link set "$br" up
	done
}

# attach SWITCH BRIDGE HOST IFACE PORTNAME V4/LEN V6/LEN: a veth pair with
# one end PORTNAME on the switch's bridge and the other IFACE in HOST. The
# pair is created inside the switch namespace, never in the host's.
attach() {
	local sw=$1 br=$2 h=$3 ifc=$4 port=$5 v4=$6 v6=$7
	ip -n "$P$sw" link add "$port" type veth peer name "$ifc" netns "$P$h"
	ip -n "$P$sw" link set "$port" master "$br" up
	ip -n "$P$h" addr add "$v4" dev "$ifc"
	ip -n "$P$h" -6 addr add "$v6" dev "$ifc" nodad
	ip -n "$P$h" link set "$ifc" up
}

# Wait until IFACE in HOST has a usable IPv6 link-local address, so IPv6
# multicast can leave it.
wait_v6_ready() {
	local h=$1 ifc=$2 i
	for i in $(seq 1 100); do
		if ip -n "$P$h" -6 addr show dev "$ifc" scope link 2>/dev/null |
			grep -q 'inet6' &&
			! ip -n "$P$h" -6 addr show dev "$ifc" 2>/dev/null | grep -q tentative; then
			return 0
		fi
		sleep 0.05
	done
	diag "IPv6 on $h/$ifc not ready after 5s"
	return 1
}

# lab_bridge3: switch "sw" with br0 (no snooping); hosts h1, h2, h3, each
# with eth0 on br0, 10.77.0.N/24 and fd77::N/64, and 224.0.0.0/4 routed to
# eth0 so the kernel can choose an interface for IPv4 multicast.
lab_bridge3() {
	local n
	switch_add sw br0
	for n in 1 2 3; do
		ns_add "h$n"
		attach sw br0 "h$n" eth0 "h$n" "10.77.0.$n/24" "fd77::$n/64"
		in_ns "h$n" ip route add 224.0.0.0/4 dev eth0
	done
	for n in 1 2 3; do
		wait_v6_ready "h$n" eth0
	done
}

# lab_dual: host r with eth0 on br0 and eth1 on br1 of switch "sw"; host a
# on br0, host b on br1. r: 10.78.1.1/24 fd78:1::1/64 (eth0) and
# 10.78.2.1/24 fd78:2::1/64 (eth1); a: 10.78.1.2 fd78:1::2 (eth0);
# b: 10.78.2.2 fd78:2::2 (eth0). IPv4 multicast routes to eth0 everywhere,
# so on r the kernel's choice is eth0.
lab_dual() {
	switch_add sw br0 br1
	ns_add r
	ns_add a
	ns_add b
	attach sw br0 r eth0 r0 10.78.1.1/24 fd78:1::1/64
	attach sw br1 r eth1 r1 10.78.2.1/24 fd78:2::1/64
	attach sw br0 a eth0 a0 10.78.1.2/24 fd78:1::2/64
	attach sw br1 b eth0 b0 10.78.2.2/24 fd78:2::2/64
	in_ns r ip route add 224.0.0.0/4 dev eth0
	in_ns a ip route add 224.0.0.0/4 dev eth0
	in_ns b ip route add 224.0.0.0/4 dev eth0
	wait_v6_ready r eth0
	wait_v6_ready r eth1
	wait_v6_ready a eth0
	wait_v6_ready b eth0
}

# ---- the routed lab -------------------------------------------------------

# Skip (exit 77, naming what is missing) unless this kernel can route
# multicast in a namespace, IPv4 and IPv6, and smcroute is installed. Call
# after need_netns. Probed in a throw-away namespace, never the host's.
need_mroute() {
	local probe="${P}mprobe" f
	PATH=$PATH:/usr/sbin:/sbin
	command -v smcrouted >/dev/null 2>&1 ||
		skip "needs smcroute (smcrouted) for multicast routing: apt-get install smcroute"
	ip netns add "$probe" 2>/dev/null || skip "needs ip netns add"
	NAMESPACES+=("$probe")
	for f in ip_mr_vif ip6_mr_vif; do
		ip netns exec "$probe" test -e "/proc/net/$f" ||
			skip "the kernel lacks multicast routing (no /proc/net/$f: CONFIG_IP_MROUTE, CONFIG_IPV6_MROUTE)"
	done
	ip netns del "$probe"
	NAMESPACES=("${NAMESPACES[@]:0:${#NAMESPACES[@]}-1}")
}

# snoop_switch_add SWITCH BRIDGE: a switch namespace whose bridge snoops
# IGMPv3 and MLDv2 and is the querier of its segment, so it forwards a group
# only to the ports that joined it (and to router ports). Only the bridge
# has IPv6 (a link-local address, which the MLD querier needs); its ports
# have none.
snoop_switch_add() {
	local sw=$1 br=$2
	ns_add "$sw"
	ns_sysctl "$sw" net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P$sw" link add "$br" type bridge stp_state 0 mcast_snooping 1 \
		mcast_querier 1 mcast_igmp_version 3 mcast_mld_version 2
	ns_sysctl "$sw" "net.ipv6.conf.$br.disable_ipv6=0"
	ip -n "$P$sw" link set "$br" up
}

# lab_routed: three subnets joined by two multicast routers.
#
#   a1 a2 --[swa: brA, snooping + querier]-- r1 --[sw: brB]-- r2 --[sw: brC]-- c1
#                                                  |
#                                                  b1
#
#   subnet A 10.79.1.0/24 fd79:1::/64: a1 .11, a2 .12, r1 eth0 .1
#   subnet B 10.79.2.0/24 fd79:2::/64: r1 eth1 .1, r2 eth0 .2, b1 .21
#   subnet C 10.79.3.0/24 fd79:3::/64: r2 eth1 .1, c1 .31
#
# Every host has eth0 and default routes (IPv4 and IPv6) towards A (b1: via
# r1, with C via r2), so unicast answers come back. On the routers eth0
# faces A and eth1 faces C; they forward unicast, and multicast once
# mroute_start has started smcrouted on them. r1's port on brA, "r1", is a
# multicast router port (mcast_router 2): brA sends it every group, as
# smcroute asks the bridge for none. brB and brC do not snoop.
lab_routed() {
	local h
	snoop_switch_add swa brA
	switch_add sw brB brC
	for h in a1 a2 r1 r2 b1 c1; do
		ns_add "$h"
	done
	attach swa brA a1 eth0 a1 10.79.1.11/24 fd79:1::11/64
	attach swa brA a2 eth0 a2 10.79.1.12/24 fd79:1::12/64
	attach swa brA r1 eth0 r1 10.79.1.1/24 fd79:1::1/64
	ip -n "${P}swa" link set dev r1 type bridge_slave mcast_router 2
	attach sw brB r1 eth1 r1b 10.79.2.1/24 fd79:2::1/64
	attach sw brB r2 eth0 r2b 10.79.2.2/24 fd79:2::2/64
	attach sw brB b1 eth0 b1 10.79.2.21/24 fd79:2::21/64
	attach sw brC r2 eth1 r2c 10.79.3.1/24 fd79:3::1/64
	attach sw brC c1 eth0 c1 10.79.3.31/24 fd79:3::31/64
	for h in r1 r2; do
		ns_sysctl "$h" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
	for h in a1 a2; do
		in_ns "$h" ip route add default via 10.79.1.1
		in_ns "$h" ip -6 route add default via fd79:1::1
	done
	in_ns b1 ip route add default via 10.79.2.1
	in_ns b1 ip -6 route add default via fd79:2::1
	in_ns b1 ip route add 10.79.3.0/24 via 10.79.2.2
	in_ns b1 ip -6 route add fd79:3::/64 via fd79:2::2
	in_ns r1 ip route add 10.79.3.0/24 via 10.79.2.2
	in_ns r1 ip -6 route add fd79:3::/64 via fd79:2::2
	in_ns r2 ip route add default via 10.79.2.1
	in_ns r2 ip -6 route add default via fd79:2::1
	in_ns c1 ip route add default via 10.79.3.1
	in_ns c1 ip -6 route add default via fd79:3::1
	for h in a1 a2 b1 c1; do
		wait_v6_ready "$h" eth0
	done
	for h in r1 r2; do
		wait_v6_ready "$h" eth0
		wait_v6_ready "$h" eth1
	done
}

# mroute ROUTER [source SRC] group GROUP[/LEN]: forward GROUP (from SRC
# only, or from any source) from the router's eth0 to its eth1, a line of
# its smcroute.conf ($T/ROUTER.conf). Write them all before mroute_start.
mroute() {
	local r=$1
	shift
	echo "mroute from eth0 $* to eth1" >>"$T/$r.conf"
}

# mroute_start ROUTER: start smcrouted in ROUTER's namespace on the routes
# given with mroute, as a background process of ours (stopped by PID in the
# EXIT trap), with its own ident, PID file and control socket, so routers
# never share one; wait until its interfaces and static (S,G) routes are
# in the kernel. Its log is $T/smcroute-ROUTER.err. A failing check if the
# configuration is refused or the routes do not appear.
mroute_start() {
	local r=$1 conf="$T/$1.conf" want4 want6 i n
	{
		echo "phyint eth0 enable"
		echo "phyint eth1 enable"
		cat "$conf" 2>/dev/null
	} >"$conf.full"
	if ! in_ns "$r" smcrouted -F "$conf.full" -l err >"$T/smcroute-$r.check" 2>&1; then
		not_ok "smcroute accepts the configuration of $r"
		show "$r.conf" "$conf.full"
		show "smcrouted -F" "$T/smcroute-$r.check"
		return 1
	fi
	bg "smcroute-$r" "$r" smcrouted -n -N -l info -f "$conf.full" \
		-i "${P}$r" -P "$T/smcroute-$r.pid" -u "$T/smcroute-$r.sock"
	want4=$(grep -c '^mroute .* source [0-9.]* ' "$conf.full")
	want6=$(grep -c '^mroute .* source [0-9a-fA-F:]*:[0-9a-fA-F:]* ' "$conf.full")
	n=$((LONG * 20))
	for ((i = 0; i < n; i++)); do
		if [ "$(mroute_vifs "$r")" = "2 2" ] &&
			[ "$(in_ns "$r" ip mroute show | grep -c .)" -ge "$want4" ] &&
			[ "$(in_ns "$r" ip -6 mroute show | grep -c .)" -ge "$want6" ]; then
			return 0
		fi
		proc_alive "${PID[smcroute-$r]}" || break
		sleep 0.05
	done
	not_ok "smcrouted on $r has its interfaces and routes in the kernel"
	show "smcrouted log" "$T/smcroute-$r.err"
	return 1
}

# The number of IPv4 and IPv6 virtual interfaces the kernel has for a router
# ("2 2" when smcrouted has enabled eth0 and eth1).
mroute_vifs() {
	local v4 v6
	v4=$(in_ns "$1" sed 1d /proc/net/ip_mr_vif | grep -c .)
	v6=$(in_ns "$1" sed 1d /proc/net/ip6_mr_vif | grep -c .)
	echo "$v4 $v6"
}

# mroute_out ROUTER 4|6: the datagrams the router forwarded out of eth1,
# as its kernel counts them per virtual interface (PktsOut).
mroute_out() {
	local f=ip_mr_vif
	[ "$2" = 6 ] && f=ip6_mr_vif
	# shellcheck disable=SC2016 # awk's fields, not the shell's
	in_ns "$1" awk '$2 == "eth1" { print $6 }' "/proc/net/$f"
}

# wait_mfc ROUTER SOURCE GROUP: wait until the kernel of ROUTER has a
# forwarding entry for (SOURCE, GROUP), as smcrouted installs one for a
# (*,G) route when the first datagram arrives. False after $LONG seconds.
wait_mfc() {
	local r=$1 v=
	local i n=$((LONG * 20))
	case $3 in *:*) v=-6 ;; esac
	for ((i = 0; i < n; i++)); do
		in_ns "$r" ip $v mroute show | grep -qF "($2,$3)" && return 0
		sleep 0.05
	done
	diag "no ($2,$3) in the forwarding cache of $r after ${LONG}s"
	return 1
}

# ---- running mcast and other programs ---------------------------------------

# bg NAME NS CMD...: start CMD in namespace NS in the background, stdout to
# $T/NAME.out, stderr to $T/NAME.err, standard input from /dev/null. Its pid
# is ${PID[NAME]}: `ip netns exec` execs in place, so this is the pid of CMD
# itself (or of valgrind running it, which is the same process).
bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$P$ns" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
	PID[$name]=$!
	PIDS+=("$!")
}

# mc_bg NAME NS ARGS...: bg with mcast (under $MCAST_WRAP when set).
mc_bg() {
	local name=$1 ns=$2
	shift 2
	# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
	bg "$name" "$ns" $MCAST_WRAP "$MCAST" "$@"
}

# Fail unless tests/helpers/mclib.c is built.
need_mclib() {
	if [ ! -x "$MCLIB" ]; then
		echo "not ok - the test program $MCLIB is built (make check builds it)"
		exit 1
	fi
}

# mclib_bg NAME NS ARGS...: as mc_bg, for the mclib test program.
mclib_bg() {
	local name=$1 ns=$2
	shift 2
	# shellcheck disable=SC2086
	bg "$name" "$ns" $MCAST_WRAP "$MCLIB" "$@"
}

# mclib_run NAME NS ARGS...: as mc_run, for the mclib test program.
mclib_run() {
	local name=$1 ns=$2
	shift 2
	RC=0
	# shellcheck disable=SC2086
	timeout -k 2 "$LONG" ip netns exec "$P$ns" $MCAST_WRAP "$MCLIB" "$@" \
		>"$T/$name.out" 2>"$T/$name.err" </dev/null || RC=$?
}

# mc NS ARGS...: run mcast in the foreground inside NS, bounded in time.
# Output goes where the caller redirects it. Returns mcast's exit code
# (124 when it had to be stopped).
mc() {
	local ns=$1
	shift
	# shellcheck disable=SC2086
	timeout -k 2 "$LONG" ip netns exec "$P$ns" $MCAST_WRAP "$MCAST" "$@"
}

# mc_run NAME NS ARGS...: run mcast in the foreground, stdout and stderr to
# $T/NAME.out and $T/NAME.err, exit code in RC.
mc_run() {
	local name=$1 ns=$2
	shift 2
	RC=0
	mc "$ns" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null || RC=$?
}

# mc_feed NAME NS FILE ARGS...: as mc_run, with standard input from FILE.
mc_feed() {
	local name=$1 ns=$2 in=$3
	shift 3
	RC=0
	mc "$ns" "$@" >"$T/$name.out" 2>"$T/$name.err" <"$in" || RC=$?
}

# wait_exit NAME SECONDS: wait for background NAME to end; its exit code
# goes to RC. One still running after SECONDS is killed (RC 124 then, with
# a diagnostic).
wait_exit() {
	local name=$1 pid=${PID[$1]} i n
	n=$(($2 * 20))
	for ((i = 0; i < n; i++)); do
		proc_alive "$pid" || break
		sleep 0.05
	done
	if proc_alive "$pid"; then
		diag "$name still running after $2s; killing it"
		kill -TERM "$pid" 2>/dev/null
		sleep 0.5
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		forget_pid "$pid"
		RC=124
		return 0
	fi
	RC=0
	wait "$pid" || RC=$?
	forget_pid "$pid"
}

# Drop a reaped pid from the cleanup list: the number may be reused by a
# process that is not ours.
forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# wait_for_file_text FILE TEXT SECONDS: poll until FILE contains TEXT.
# Returns 1 if it did not within SECONDS.
wait_for_file_text() {
	local file=$1 text=$2 i n
	n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	grep -qF -- "$text" "$file" 2>/dev/null
}

# wait_for_lines FILE N SECONDS: poll until FILE has at least N lines.
wait_for_lines() {
	local i n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		[ "$(nlines "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	[ "$(nlines "$1")" -ge "$2" ]
}

# jget FILE EXPR...: each Python expression EXPR evaluated over the JSON
# lines of FILE, printed space-separated (a dict as compact JSON). Names:
# L every object, A answer events, R responder events by address, F sender
# events, I sender events by sender_id, S the last summary ({} if none).
# A line that is not JSON or a missing field prints the error instead,
# which no check expects.
jget() {
	"$PYTHON" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
E = lambda kind: [x for x in L if x.get("event") == kind]
A = E("answer")
R = {x["responder"]: x for x in E("responder")}
F = E("sender")
I = {x["sender_id"]: x for x in F}
S = (E("summary") or [{}])[-1]
out = [eval(e) for e in sys.argv[2:]]
print(" ".join(json.dumps(v, separators=(",", ":")) if isinstance(v, dict)
               else str(v) for v in out))' "$@" 2>&1 | tail -1
}

# strip_reply FILE: the "reply from" lines of FILE with port and time
# replaced by PORT and T, sorted, so that they can be compared exactly.
strip_reply() {
	sed -E 's/^(reply from [^ ]*):[0-9]+, /\1:PORT, /; s/ in [0-9]+\.[0-9]{3} ms: / in T ms: /' "$1" |
		sort
}

# wait_listening NAME: wait for the receiver NAME to say it is listening
# (its joins are then in place). A receiver that exits or stays silent is a
# failed check, with its output shown.
wait_listening() {
	local name=$1 pid=${PID[$1]} i n=$((LONG * 20))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "listening on" "$T/$name.err" 2>/dev/null && return 0
		proc_alive "$pid" || break
		sleep 0.05
	done
	grep -qF -- "listening on" "$T/$name.err" 2>/dev/null && return 0
	not_ok "$name says \"listening on\""
	show "$name stderr" "$T/$name.err"
	return 1
}

# The port a receiver reports on its "listening on GROUP:PORT" line.
listening_port() {
	sed -n 's/.*listening on .*:\([0-9][0-9]*\),.*/\1/p' "$T/$1.err" | head -1
}

# tap_merge FILE: count the "ok - " / "not ok - " lines another program
# (a python3 checker) wrote to FILE as our own checks, and show them.
tap_merge() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"ok - "*) CHECKS=$((CHECKS + 1)) ;;
		"not ok - "*)
			CHECKS=$((CHECKS + 1))
			FAILS=$((FAILS + 1))
			;;
		esac
	done <"$1"
}
