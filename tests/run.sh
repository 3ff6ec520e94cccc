#!/bin/sh
# Run every test: the unit test binaries given as arguments (cmocka), then
# the network tests in tests/net (which build private network namespaces).
# Prints one closing line "total: N passed, N failed, N skipped" and exits
# non-zero when anything failed.
#
# Environment: MCAST (the binary under test), MCAST_WRAP (a command line to
# run every binary under, e.g. valgrind), MCAST_NET=0 to skip network tests.
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

for t in "$@"; do
	echo "== unit: $(basename "$t")"
	# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
	$MCAST_WRAP "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	s=${s:-0}
	passed=$((passed + ${p:-0}))
	skipped=$((skipped + s))
	failed=$((failed + ${f:-0}))
	# A crash or a valgrind error leaves no FAILED line: count it too.
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "FAIL $(basename "$t"): exit status $rc"
		failed=$((failed + 1))
	fi
done

if [ "${MCAST_NET:-1}" = 0 ]; then
	echo "== network tests skipped (MCAST_NET=0)"
else
	echo "== network tests"
	sh "$here/net/run.sh" 2>&1 | tee "$log"
	line=$(grep '^net: ' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL network tests: the runner printed no summary"
		failed=$((failed + 1))
	else
		set -- $(echo "$line" | sed 's/[^0-9 ]//g')
		passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
	fi
fi

echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
