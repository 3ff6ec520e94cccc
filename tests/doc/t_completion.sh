#!/bin/bash
# t_completion.sh - completion/mcast.bash completes what mcast accepts.
#
# Drives the completion function the way bash does (COMP_WORDS, COMP_CWORD)
# against the binary under test. The expected lists are taken from
# `mcast --help` and `mcast COMMAND --help` (with a plain grep for options,
# independently of the completion's own parser), so commands and options
# can come and go without editing this.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=completion/mcast.bash
. "$root/completion/mcast.bash"

# offered WORD...: the completions for the command line WORD... (the last
# word is the one being completed), sorted, one line.
offered() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_mcast
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# has LIST WORD: LIST (space-separated) contains WORD; lacks: it does not.
# shellcheck disable=SC2317 # called through check
has() { [[ " $1 " == *" $2 "* ]]; }
# shellcheck disable=SC2317
lacks() { ! has "$@"; }

same "complete -p mcast uses _mcast" "complete -F _mcast mcast" "$(complete -p mcast)"

commands=$("$MCAST" --help | awk '/^Commands:/ { c = 1; next } c && NF == 0 { exit } c { print $1 }' |
	sort | tr '\n' ' ' | sed 's/ $//')
check "mcast --help lists subcommands" test -n "$commands"
same "'mcast <TAB>' offers the subcommands" "$commands" "$(offered "$MCAST" "")"
same "'mcast --v<TAB>' offers --version" "--version" "$(offered "$MCAST" --v)"
same "'mcast help <TAB>' offers the subcommands but help" \
	"$(tr ' ' '\n' <<<"$commands" | grep -vx help | tr '\n' ' ' | sed 's/ $//')" \
	"$(offered "$MCAST" help "")"
same "'mcast nosuch --<TAB>' offers nothing" "" "$(offered "$MCAST" nosuch --)"

# The leaves: each command, or for a command with subcommands of its own
# (mcast bench send), each of those; leaves are what take options.
leaves=()
for cmd in $commands; do
	[ "$cmd" = help ] && continue
	own=$(_mcast_subcommands "$MCAST" "$cmd" | sort | tr '\n' ' ' | sed 's/ $//')
	if [ -z "$own" ]; then
		leaves+=("$cmd")
		continue
	fi
	same "'mcast $cmd <TAB>' offers its subcommands" "$own" "$(offered "$MCAST" "$cmd" "")"
	same "'mcast $cmd nosuch --<TAB>' offers nothing" "" "$(offered "$MCAST" "$cmd" nosuch --)"
	for sub in $own; do
		leaves+=("$cmd $sub")
	done
done

for leaf in "${leaves[@]}"; do
	read -ra words <<<"$leaf"
	help=$("$MCAST" "${words[@]}" --help)
	want=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u | tr '\n' ' ' | sed 's/ $//')
	same "'mcast $leaf --<TAB>' offers every long option in 'mcast $leaf --help'" \
		"$want" "$(offered "$MCAST" "${words[@]}" --)"
	same "'mcast $leaf -n <TAB>' offers nothing (a number, or no such option)" "" \
		"$(offered "$MCAST" "${words[@]}" -n "")"
	grep -q -- '--interface' <<<"$help" || continue
	got=$(offered "$MCAST" "${words[@]}" --inter)
	check "'mcast $leaf --inter<TAB>' offers --interface ($got)" has "$got" --interface
	for opt in -i --interface; do
		got=$(offered "$MCAST" "${words[@]}" "$opt" "")
		check "'mcast $leaf $opt <TAB>' offers lo" has "$got" lo
	done
done

got=$(offered "$MCAST" recv -i "")
check "'mcast recv -i <TAB>' offers all ($got)" has "$got" all
got=$(offered "$MCAST" send -i "")
check "'mcast send -i <TAB>' does not offer all" lacks "$got" all
# --opt=VALUE is one word, or three when '=' is in COMP_WORDBREAKS.
same "'mcast send --stdin=<TAB>' offers raw (split at =)" raw \
	"$(offered "$MCAST" send --stdin = "")"
same "'mcast send --stdin=<TAB>' offers raw (one word)" --stdin=raw \
	"$(offered "$MCAST" send --stdin=)"
# An option whose argument is FILE gets file-name completion (compopt -o
# default): the completion must see FILE as --output-file's argument.
same "the completion reads FILE as the argument of recv --output-file" FILE \
	"$(_mcast_options "$MCAST" recv | awk -F '\t' '$1 == "--output-file" { print $2 }')"
# --trust FILE|DIR takes a file or a directory: file-name completion too.
same "the completion reads FILE|DIR as the argument of recv --trust" "FILE|DIR" \
	"$(_mcast_options "$MCAST" recv | awk -F '\t' '$1 == "--trust" { print $2 }')"
same "and of send --trust" "FILE|DIR" \
	"$(_mcast_options "$MCAST" send | awk -F '\t' '$1 == "--trust" { print $2 }')"
finish
