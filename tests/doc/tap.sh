# shellcheck shell=sh disable=SC2034 # sourced: the tests use what it sets
# tap.sh - what the tests in tests/doc and tests/install share (sourced).
#
# A test prints "ok - WHAT" or "not ok - WHAT" for each check, with details
# on "#" lines, and ends with finish: exit 0 when every check passed, 1
# otherwise. A test that cannot run here says "SKIP: why" and exits 77.
#
# Set here: root (the source tree), MCAST (the binary under test, from the
# environment as tests/run.sh passes it), build (the build directory that
# holds it, with the libraries and examples), version (the three
# MCAST_VERSION_MAJOR/MINOR/PATCH numbers of include/mcast.h joined by dots,
# as the Makefile reads them).
root=$(cd "$(dirname "$0")/../.." && pwd)
MCAST=${MCAST:-$root/build/mcast}
build=$(cd "$(dirname "$MCAST")" && pwd)
version=$(sed -n 's/^#define MCAST_VERSION_[A-Z]* \([0-9][0-9]*\)$/\1/p' \
	"$root/include/mcast.h" | paste -sd. -)
failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
skip() { echo "SKIP: $*"; exit 77; }
finish() { [ "$failures" -eq 0 ] && exit 0; exit 1; }
# note TEXT...: detail lines, each prefixed "# ".
note() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# check WHAT COMMAND...: ok when COMMAND succeeds.
check() {
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# same WHAT EXPECTED ACTUAL: ok when the two texts are equal; else shows both.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected:"
		printf '%s\n' "$2" | sed 's/^/#     /'
		echo "#   got:"
		printf '%s\n' "$3" | sed 's/^/#     /'
	fi
}

# find_netns: set NETNS to a command prefix that runs a program in a private
# network namespace holding only lo (down until the program sets it up) and
# IP to the ip(8) binary; return 1 when neither works here. Root uses
# `unshare -n`; other users need user namespaces (`unshare -rn`). Nothing
# run under it can reach the host's interfaces.
find_netns() {
	command -v unshare >/dev/null 2>&1 || return 1
	# ip lives in /sbin or /usr/sbin, which an unprivileged PATH may lack.
	IP=$(command -v ip) || IP=
	for p in /usr/sbin/ip /sbin/ip; do
		[ -z "$IP" ] && [ -x "$p" ] && IP=$p
	done
	[ -n "$IP" ] || return 1
	for NETNS in "unshare -n" "unshare -rn"; do
		# shellcheck disable=SC2086 # NETNS is a command line
		$NETNS "$IP" link set lo up >/dev/null 2>&1 && return 0
	done
	return 1
}
