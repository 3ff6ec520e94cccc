#!/bin/sh
# Run every test: the unit test binaries given as arguments (cmocka), the
# tests of the manual, examples and install in tests/doc and tests/install,
# then the network tests in tests/net (which build private network
# namespaces).
# Prints one closing line "total: N passed, N failed, N skipped" and exits
# non-zero when anything failed.
#
# Environment: MCAST (the binary under test), MCAST_WRAP (a command line to
# run every binary under, e.g. valgrind), MCAST_NET=0 to skip the tests in
# tests/net; CC, CFLAGS, LDFLAGS for the tests that compile programs.
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

# The manual, the examples, the completion and the installed library
# (tests/doc, tests/install): each script prints "ok - ..." or "not ok - ..."
# per check and exits 0, 1 or 77 (skipped, after "SKIP: why"). They run
# even with MCAST_NET=0: what sends traffic does so in a private namespace.
for t in "$here"/doc/t_*.sh "$here"/install/t_*.sh; do
	[ -f "$t" ] || continue
	name=${t#"$here"/}
	name=${name%.sh}
	echo "== $name"
	timeout -k 5 120 bash "$t" >"$log" 2>&1 </dev/null
	rc=$?
	sed 's/^/    /' "$log"
	case $rc in
	0) echo "PASS $name"; passed=$((passed + 1)) ;;
	77) echo "SKIP $name: $(sed -n 's/^SKIP: //p' "$log" | head -n 1)"
	    skipped=$((skipped + 1)) ;;
	124 | 137) echo "FAIL $name (timed out after 120s)"; failed=$((failed + 1)) ;;
	*) echo "FAIL $name: exit status $rc"; failed=$((failed + 1)) ;;
	esac
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
