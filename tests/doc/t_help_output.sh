#!/bin/sh
# t_help_output.sh - help and version output that cannot be written is a
# failure: `mcast X --help`, `mcast help X`, `mcast --help`, `-h`,
# `--version` and `-V` with standard output on /dev/full exit 1 with one
# line "mcast: writing ...: No space left on device", for every command
# `mcast --help` lists (and both modes of bench). Written normally they
# exit 0. And `mcast help help` is the help of help.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"

[ -w /dev/full ] || skip "no /dev/full here"

# full WHAT ARGS...: mcast ARGS >/dev/full exits 1 with one line naming
# the failed write; mcast ARGS >/dev/null exits 0.
full() {
	what=$1
	shift
	err=$("$MCAST" "$@" 2>&1 >/dev/full)
	rc=$?
	check "mcast $what >/dev/full: exit 1 (got $rc)" [ "$rc" -eq 1 ]
	case $err in
	"mcast: writing the "*": No space left on device") ok "mcast $what >/dev/full: says so" ;;
	*) not_ok "mcast $what >/dev/full: says so"; note "stderr: $err" ;;
	esac
	"$MCAST" "$@" >/dev/null 2>&1
	rc=$?
	check "mcast $what >/dev/null: exit 0 (got $rc)" [ "$rc" -eq 0 ]
}

full "--help" --help
full "-h" -h
full "--version" --version
full "-V" -V
full "help" help
full "help help" help help
commands=$("$MCAST" --help | awk '/^Commands:/ { c = 1; next } c && /^ *$/ { exit } c { print $1 }')
[ -n "$commands" ] || not_ok "mcast --help lists commands"
for c in $commands; do
	full "$c --help" "$c" --help
	[ "$c" = help ] && continue
	full "help $c" help "$c"
done
full "bench send --help" bench send --help
full "bench recv --help" bench recv --help
full "help bench send" help bench send

out=$("$MCAST" help help 2>&1)
case $out in
"Usage: mcast help [COMMAND]"*) ok "mcast help help: the usage of help" ;;
*) not_ok "mcast help help: the usage of help"; note "$out" ;;
esac
finish
