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
SOAK_SECONDS=${SOAK_SECONDS:-60}
case $SOAK_SECONDS in
'' | *[!0-9]*)
	echo "run.sh: SOAK_SECONDS must be a number of seconds, not '$SOAK_SECONDS'" >&2
	exit 2
	;;
esac
export SOAK_SECONDS
if [ $# -eq 0 ]; then
	set -- "$here"/t_*.sh
fi
# Bare names are this folder's tests, not the network runner's.
for t in "$@"; do
	shift
	case $t in
	*/*) set -- "$@" "$t" ;;
	*) set -- "$@" "$here/$t" ;;
	esac
done
# The network runner does the rest: user namespace, limits, counting.
RUN_LIMIT=$((SOAK_SECONDS + 180)) RUN_LABEL=long exec sh "$here/../net/run.sh" "$@"
