#!/bin/bash
# t_help_man.sh - `mcast COMMAND --help` and man/mcast.1 list the same options.
#
# For every subcommand that `mcast --help` lists, the long options in
# `mcast COMMAND --help` must be the ones tagged (.TP/.TQ/.IP) in the
# section .SH "MCAST COMMAND" of man/mcast.1, and the other way round; each
# difference fails, named. A command whose usage lines name subcommands of
# its own ("Usage: mcast bench send ...", "mcast bench recv ...") is checked
# per subcommand instead: `mcast bench send --help` against the section
# .SH "MCAST BENCH SEND", or a subsection .SS "mcast bench send".
# Nothing is hard-coded: the lists are parsed from both sides on every run,
# so new commands and options need only be added to both. --help itself is
# left out: every command has it, and the manual need not repeat it in
# each section.
#
# The --help parser is the one the bash completion uses (completion/
# mcast.bash), so this also keeps completion honest.
#
# Also: the SYNOPSIS names every subcommand, `mcast help COMMAND` prints
# what `mcast COMMAND --help` does, and `mcast --version` and the .TH line
# give the version of include/mcast.h.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=completion/mcast.bash
. "$root/completion/mcast.bash"

man1=$root/man/mcast.1

# man_block LEVEL TITLE: the lines under the heading .LEVEL "TITLE" (SH or
# SS; any case, quoted or not), up to the next heading that closes it.
man_block() {
	awk -v level="$1" -v want="$2" '
		/^\.S[HS]([ \t]|$)/ {
			lv = substr($0, 2, 2)
			if (on && (lv == "SH" || level == "SS"))
				on = 0
			t = $0
			sub(/^\.S[HS][ \t]*/, "", t)
			gsub(/"/, "", t)
			if (lv == level && toupper(t) == toupper(want))
				on = 1
			next
		}
		on' "$man1"
}

# man_section TITLE: the section .SH "TITLE", or else the subsection
# .SS "TITLE".
man_section() {
	block=$(man_block SH "$1")
	[ -n "$block" ] || block=$(man_block SS "$1")
	printf '%s\n' "$block"
}

# man_long_options: the long options named in the tags of the .TP, .TQ and
# .IP paragraphs on standard input (roff), one per line.
man_long_options() {
	awk '
		function emit(s) {
			gsub(/\\-/, "-", s)
			while (match(s, /--[A-Za-z0-9][A-Za-z0-9-]*/)) {
				print substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
			}
		}
		/^\.\\"/ { next }
		/^\.(TP|TQ)([ \t]|$)/ { tag = 1; next }
		/^\.IP[ \t]/ { emit(substr($0, 4)); next }
		tag { tag = 0; emit($0) }'
}

mapfile -t commands < <(_mcast_commands "$MCAST")
if [ "${#commands[@]}" -eq 0 ]; then
	not_ok "mcast --help lists the subcommands under Commands:"
	finish
fi
synopsis=$(man_section SYNOPSIS | sed 's/\\-/-/g')

# compare LEAF: the long options of `mcast LEAF --help` against the section
# "MCAST LEAF" of the manual (LEAF is "send", or "bench send").
compare() {
	local leaf=$1 title from_help section from_man opt differ=0 where
	local -a words
	read -ra words <<<"$leaf"
	title="MCAST ${leaf^^}"
	where=".SH \"$title\" (or .SS \"mcast $leaf\")"
	"$MCAST" "${words[@]}" --help >/dev/null 2>&1
	check "'mcast $leaf --help' exits 0" [ $? -eq 0 ]
	from_help=$(_mcast_options "$MCAST" "${words[@]}" | cut -f 1 | grep -- '^--' |
		grep -vx -- --help | sort -u)
	if [ -z "$from_help" ]; then
		not_ok "'mcast $leaf --help' lists long options"
		return
	fi
	section=$(man_section "$title")
	if [ -z "$section" ]; then
		not_ok "man/mcast.1 has a section $where for 'mcast $leaf'"
		return
	fi
	from_man=$(man_long_options <<<"$section" | grep -vx -- --help | sort -u)
	for opt in $(comm -23 <(echo "$from_help") <(echo "$from_man")); do
		not_ok "$leaf: $opt is in 'mcast $leaf --help' but not under $where in man/mcast.1"
		differ=1
	done
	for opt in $(comm -13 <(echo "$from_help") <(echo "$from_man")); do
		not_ok "$leaf: $opt is under $where in man/mcast.1 but not in 'mcast $leaf --help'"
		differ=1
	done
	[ $differ -eq 0 ] &&
		ok "$leaf: --help and man/mcast.1 list the same $(wc -l <<<"$from_help") long options"
}

# synopsis_shows WORDS: the SYNOPSIS has a line with "mcast WORDS".
synopsis_shows() {
	if grep -qE "mcast $1( |\$)" <<<"$synopsis"; then
		ok "man/mcast.1 SYNOPSIS shows 'mcast $1'"
	else
		not_ok "man/mcast.1 SYNOPSIS shows 'mcast $1'"
	fi
}

for cmd in "${commands[@]}"; do
	synopsis_shows "$cmd"
	# help takes a COMMAND, not options: it must show that command's help.
	if [ "$cmd" = help ]; then
		for other in "${commands[@]}"; do
			[ "$other" = help ] && continue
			same "'mcast help $other' prints 'mcast $other --help'" \
				"$("$MCAST" "$other" --help 2>&1)" "$("$MCAST" help "$other" 2>&1)"
		done
		continue
	fi
	mapfile -t own < <(_mcast_subcommands "$MCAST" "$cmd")
	if [ "${#own[@]}" -eq 0 ]; then
		compare "$cmd"
		continue
	fi
	for sub in "${own[@]}"; do
		synopsis_shows "$cmd $sub"
		compare "$cmd $sub"
	done
done

check "include/mcast.h defines MCAST_VERSION" test -n "$version"
out=$("$MCAST" --version 2>&1)
if grep -qF -- "$version" <<<"$out"; then
	ok "mcast --version names $version: $out"
else
	not_ok "mcast --version names $version"
	note "$out"
fi
th=$(grep -m 1 '^\.TH' "$man1")
if grep -qF -- " $version\"" <<<"$th"; then
	ok "man/mcast.1 .TH names $version"
else
	not_ok "man/mcast.1 .TH names $version"
	note "$th"
fi
finish
