#!/bin/bash
# t_help_man.sh - `mcast COMMAND --help` and man/mcast.1 list the same options.
#
# For every subcommand that `mcast --help` lists, the long options in
# `mcast COMMAND --help` must be the ones tagged (.TP/.TQ/.IP) in the
# section .SH "MCAST COMMAND" of man/mcast.1, and the other way round; each
# difference fails, named. Nothing is hard-coded: the lists are parsed from
# both sides on every run, so new options need only be added to both.
# --help itself is left out: every subcommand has it, and the manual
# need not repeat it in each section.
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

# man_section TITLE: the lines of section .SH "TITLE" (any case, quoted or not).
man_section() {
	awk -v want="$1" '
		/^\.SH/ {
			t = $0
			sub(/^\.SH[ \t]*/, "", t)
			gsub(/"/, "", t)
			on = (toupper(t) == toupper(want))
			next
		}
		on' "$man1"
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

for cmd in "${commands[@]}"; do
	if grep -qE "mcast $cmd( |\$)" <<<"$synopsis"; then
		ok "man/mcast.1 SYNOPSIS shows 'mcast $cmd'"
	else
		not_ok "man/mcast.1 SYNOPSIS shows 'mcast $cmd'"
	fi
	# help takes a COMMAND, not options: it must show that command's help.
	if [ "$cmd" = help ]; then
		for other in "${commands[@]}"; do
			[ "$other" = help ] && continue
			same "'mcast help $other' prints 'mcast $other --help'" \
				"$("$MCAST" "$other" --help 2>&1)" "$("$MCAST" help "$other" 2>&1)"
		done
		continue
	fi

	"$MCAST" "$cmd" --help >/dev/null 2>&1
	check "'mcast $cmd --help' exits 0" [ $? -eq 0 ]
	from_help=$(_mcast_options "$MCAST" "$cmd" | cut -f 1 | grep -- '^--' |
		grep -vx -- --help | sort -u)
	title="MCAST ${cmd^^}"
	section=$(man_section "$title")
	if [ -z "$from_help" ]; then
		not_ok "'mcast $cmd --help' lists long options"
		continue
	fi
	if [ -z "$section" ]; then
		not_ok "man/mcast.1 has a section .SH \"$title\" for 'mcast $cmd'"
		continue
	fi
	from_man=$(man_long_options <<<"$section" | grep -vx -- --help | sort -u)
	differ=0
	for opt in $(comm -23 <(echo "$from_help") <(echo "$from_man")); do
		not_ok "$cmd: $opt is in 'mcast $cmd --help' but not under .SH \"$title\" in man/mcast.1"
		differ=1
	done
	for opt in $(comm -13 <(echo "$from_help") <(echo "$from_man")); do
		not_ok "$cmd: $opt is under .SH \"$title\" in man/mcast.1 but not in 'mcast $cmd --help'"
		differ=1
	done
	[ $differ -eq 0 ] &&
		ok "$cmd: --help and man/mcast.1 list the same $(wc -l <<<"$from_help") long options"
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
