#!/bin/bash
# Joins and leaves as the switch sees them: subnet A's bridge (lab_routed's
# brA, IGMPv3/MLDv2 snooping, querier) lists a receiver's group on the
# receiver's port in `bridge mdb` while `mcast recv` runs, and drops it
# within a few seconds after recv exits, whether it ends normally (-n 1
# after a datagram) or by SIGTERM: the network-level proof that recv leaves
# its groups. Source-specific joins show as (S,G) entries. IPv4 and IPv6.
# The helpers below are called through check, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
PATH=$PATH:/usr/sbin:/sbin
command -v bridge >/dev/null 2>&1 || skip "needs iproute2's bridge command"
lab_routed

mdb() {
	ip netns exec "${P}swa" bridge mdb show dev brA
}
# in_mdb PORT GROUP [SOURCE]: the bridge has the entry (an (S,G) one when
# SOURCE is given).
in_mdb() {
	if [ $# -eq 3 ]; then
		mdb | grep -qE "port $1 grp $2 src $3( |\$)"
	else
		mdb | grep -qE "port $1 grp $2( |\$)"
	fi
}
not_in_mdb() { ! in_mdb "$@"; }
# until_ok SECONDS CMD...: poll CMD until it succeeds, at most SECONDS.
until_ok() {
	local i n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# joined NAME GROUP [SOURCE]: the join of receiver NAME on a2 is in the
# bridge (on a2's port, not on a1's).
joined() {
	local name=$1
	shift
	check "$name: brA lists $1${2:+ source $2} on port a2" until_ok "$LONG" in_mdb a2 "$@"
	check "$name: not on port a1, which did not join" not_in_mdb a1 "$@"
}
# left NAME GROUP: every entry of GROUP on a2's port (any-source or (S,G))
# is gone from the bridge after recv ended.
left() {
	check "$1: brA drops $2 after recv exits" until_ok "$LONG" not_in_mdb a2 "$2"
}

check "before: brA has no entry for 239.7.4.1" not_in_mdb a2 239.7.4.1

# Normal exit: one datagram, then recv leaves and exits 0.
for g in 239.7.4.1 ff15::7:4; do
	addr=$g
	case $g in *:*) addr="[$g]" ;; esac
	mc_bg "n$g" a2 recv -i eth0 -n 1 -w "$(tmo 10)" "$addr:5073"
	wait_listening "n$g"
	joined "recv $g" "$g"
	mc_run "s$g" a1 send -i eth0 "$addr:5073" hello
	check_rc "a1 sends to $g" 0 "$RC"
	wait_exit "n$g" "$LONG"
	check_rc "recv $g -n 1: exits 0 after the datagram" 0 "$RC"
	left "recv $g -n 1" "$g"
done

# SIGTERM, any-source and source-specific, all four at once.
mc_bg t4 a2 recv -i eth0 -w 60s 239.7.4.2:5073
mc_bg t6 a2 recv -i eth0 -w 60s '[ff15::7:5]:5073'
mc_bg ssm4 a2 recv -i eth0 -S 10.79.1.11 -w 60s 232.7.4.1:5073
mc_bg ssm6 a2 recv -i eth0 -S fd79:1::11 -w 60s '[ff3e::7:4]:5073'
for r in t4 t6 ssm4 ssm6; do
	wait_listening "$r"
done
joined "recv 239.7.4.2" 239.7.4.2
joined "recv ff15::7:5" ff15::7:5
joined "recv -S 10.79.1.11 232.7.4.1" 232.7.4.1 10.79.1.11
joined "recv -S fd79:1::11 ff3e::7:4" ff3e::7:4 fd79:1::11
for r in t4 t6 ssm4 ssm6; do
	kill -TERM "${PID[$r]}"
done
declare -A WHAT=([t4]=239.7.4.2 [t6]=ff15::7:5 [ssm4]=232.7.4.1 [ssm6]=ff3e::7:4)
for r in t4 t6 ssm4 ssm6; do
	wait_exit "$r" "$LONG"
	check_rc "recv ${WHAT[$r]}: SIGTERM, exits 0" 0 "$RC"
done
for r in t4 t6 ssm4 ssm6; do
	left "recv ${WHAT[$r]} (SIGTERM)" "${WHAT[$r]}"
done
check "after: no group of this test is left on brA" \
	not_in_mdb a2 '(239\.7\.4\.|232\.7\.4\.|ff15::7:|ff3e::7:)'

finish
