#!/bin/sh
# run.sh - run the mcast network tests: every tests/net/t_*.sh (or the ones
# named on the command line), each under a time limit (120 s).
#
#   MCAST=path/to/mcast     the binary (default: build/mcast of this repo)
#   MCAST_WRAP="valgrind -q --error-exitcode=99"   prefix for every mcast run
#   RUN_LIMIT=120           seconds each test may take (tests/long sets more)
#   RUN_LABEL=net           the word before the closing counts
#
# Each test's output is shown indented, then "PASS t_x (N s)", "FAIL t_x
# (N s)" or "SKIP t_x: reason", N its wall time (to keep CI's budget in
# view: the suite runs three times there). The last line counts them; the exit code is 1 when any
# test failed. Tests need root for ip netns; without it, the runner starts
# itself again in an unprivileged user namespace (unshare -rnm, with a
# private /run for ip netns) where it is root, and only if that is not
# allowed either do the tests skip, with the reason.

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
limit=${RUN_LIMIT:-120}
label=${RUN_LABEL:-net}
export MCAST_WRAP="${MCAST_WRAP:-}"

if [ $# -eq 0 ]; then
	set -- "$here"/t_*.sh
fi

passed=0
failed=0
skipped=0
log=$(mktemp "${TMPDIR:-/tmp}/mcast-net-run.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for t in "$@"; do
	case $t in
	*/*) ;;
	*) t=$here/$t ;;
	esac
	name=$(basename "$t" .sh)
	t0=$(date +%s)
	timeout -k 5 "$limit" bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - t0))
	sed -e 's/^/    /' "$log"
	case $rc in
	0)
		echo "PASS $name (${secs} s)"
		passed=$((passed + 1))
		;;
	77)
		reason=$(sed -n 's/^SKIP: //p' "$log" | head -1)
		echo "SKIP $name: ${reason:-no reason given}"
		skipped=$((skipped + 1))
		;;
	124 | 137)
		echo "FAIL $name (timed out after ${limit} s)"
		failed=$((failed + 1))
		;;
	*)
		echo "FAIL $name (${secs} s)"
		failed=$((failed + 1))
		;;
	esac
done

echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
