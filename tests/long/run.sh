#!/bin/sh
# run.sh - run the long tests (make check-long): every tests/long/t_*.sh,
# or the ones named on the command line. Same contract as tests/net/run.sh:
# each test's output indented, then "PASS t_x", "FAIL t_x" or "SKIP t_x:
# reason", a last line "long: N passed, N failed, N skipped", and exit
# code 1 when any test failed. They build network namespaces, so they need
# root; without it the runner starts itself again in an unprivileged user
# namespace, as tests/net/run.sh does, and only if that is not allowed
# either do the tests skip, with the reason.
#
#   MCAST=path/to/mcast     the binary (default: build/mcast of this repo)
#   MCAST_WRAP="valgrind -q --error-exitcode=99"   prefix for every mcast run
#   SOAK_SECONDS=60         how long t_soak keeps its traffic going
#
# Each test gets SOAK_SECONDS plus 180 s before it is stopped.

here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ] && [ -z "${MCAST_USERNS:-}" ] &&
	unshare -rnm true 2>/dev/null; then
	MCAST_USERNS=1
	PATH=/usr/sbin:/sbin:$PATH
	export MCAST_USERNS PATH
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare -rnm sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/netns &&
		exec sh "$0" "$@"' "$0" "$@"
fi
MCAST=${MCAST:-$(cd "$here/../.." && pwd)/build/mcast}
export MCAST
export MCAST_WRAP="${MCAST_WRAP:-}"
SOAK_SECONDS=${SOAK_SECONDS:-60}
export SOAK_SECONDS
case $SOAK_SECONDS in
'' | *[!0-9]*)
	echo "run.sh: SOAK_SECONDS must be a number of seconds, not '$SOAK_SECONDS'" >&2
	exit 2
	;;
esac
limit=$((SOAK_SECONDS + 180))

if [ $# -eq 0 ]; then
	set -- "$here"/t_*.sh
fi

passed=0
failed=0
skipped=0
log=$(mktemp "${TMPDIR:-/tmp}/mcast-long-run.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for t in "$@"; do
	case $t in
	*/*) ;;
	*) t=$here/$t ;;
	esac
	name=$(basename "$t" .sh)
	timeout -k 5 "$limit" bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	sed -e 's/^/    /' "$log"
	case $rc in
	0)
		echo "PASS $name"
		passed=$((passed + 1))
		;;
	77)
		reason=$(sed -n 's/^SKIP: //p' "$log" | head -1)
		echo "SKIP $name: ${reason:-no reason given}"
		skipped=$((skipped + 1))
		;;
	124 | 137)
		echo "FAIL $name (timed out after ${limit}s)"
		failed=$((failed + 1))
		;;
	*)
		echo "FAIL $name"
		failed=$((failed + 1))
		;;
	esac
done

echo "long: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
