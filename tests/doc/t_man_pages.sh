#!/bin/sh
# t_man_pages.sh - the manual pages render cleanly, and libmcast(3) covers
# all of include/mcast.h.
#
#   - every man/*.[1-8] renders without a groff warning;
#   - libmcast.3 fits 80 columns, and its .TH names MCAST_VERSION;
#   - every function include/mcast.h declares (MCAST_API) is in the
#     SYNOPSIS of libmcast.3 and described below it, and the SYNOPSIS names
#     no function the header lacks; every public type and macro is named;
#   - the program in EXAMPLES is examples/subscriber.c, byte for byte.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"

man3=$root/man/libmcast.3
header=$root/include/mcast.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if command -v groff >/dev/null 2>&1; then
	for page in "$root"/man/*.[1-8]; do
		name=${page#"$root"/}
		if groff -man -Tutf8 -ww -z "$page" >"$tmp/warn" 2>&1 && [ ! -s "$tmp/warn" ]; then
			ok "$name renders without warnings"
		else
			not_ok "$name renders without warnings"
			note "$(head -n 20 "$tmp/warn")"
		fi
	done
	width=$(groff -man -Tutf8 -rLL=80n "$man3" 2>/dev/null | sed 's/.\x08//g' |
		LC_ALL=C.UTF-8 wc -L)
	check "libmcast.3 fits 80 columns (widest line: $width)" test "$width" -le 80
else
	echo "# groff is not installed: rendering not checked"
fi

th=$(grep -m 1 '^\.TH' "$man3")
case $th in
*" $version\""*) ok "libmcast.3 .TH names $version" ;;
*) not_ok "libmcast.3 .TH names $version"; note "$th" ;;
esac

# section TITLE: the lines of section .SH TITLE of libmcast.3; rest: the others.
section() { awk -v want="$1" '/^\.SH/ { on = index($0, want) > 0; next } on' "$man3"; }
rest() { awk -v want="$1" '/^\.SH/ { on = index($0, want) > 0; next } !on' "$man3"; }
section SYNOPSIS >"$tmp/synopsis"
rest SYNOPSIS >"$tmp/body"

sed -n 's/^MCAST_API[^(]*[ *]\(mcast_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u >"$tmp/api"
check "include/mcast.h declares functions with MCAST_API" test -s "$tmp/api"
grep -o 'mcast_[a-z0-9_]*(' "$tmp/synopsis" | tr -d '(' | sort -u >"$tmp/documented"
missing=$(comm -23 "$tmp/api" "$tmp/documented")
stale=$(comm -13 "$tmp/api" "$tmp/documented")
same "the SYNOPSIS of libmcast.3 has every function of mcast.h" "" "$missing"
same "the SYNOPSIS of libmcast.3 has no function mcast.h lacks" "" "$stale"
undescribed=$(while read -r f; do
	grep -q "^\.BR\{0,1\} .*\b$f\b" "$tmp/body" || echo "$f"
done <"$tmp/api")
same "libmcast.3 names every function in bold below the SYNOPSIS" "" "$undescribed"

# Public macros and types: MCAST_* but the include guard, MCAST_API and
# internal helpers (MCAST__*, as internal functions are mcast__*), and the
# names of typedefs.
{
	sed -n 's/^#define \(MCAST_[A-Z0-9_]*\).*/\1/p' "$header" | grep -vx 'MCAST_H\|MCAST_API\|MCAST__.*'
	sed -n 's/^} \(mcast_[a-z0-9_]*\);.*/\1/p; s/^typedef struct [a-z_]* \(mcast_[a-z0-9_]*\);.*/\1/p' "$header"
} | sort -u >"$tmp/names"
unnamed=$(while read -r n; do grep -q "\b$n\b" "$man3" || echo "$n"; done <"$tmp/names")
same "libmcast.3 names every public macro and type of mcast.h" "" "$unnamed"

# The EXAMPLES program: the .EX block after ".SS Program source", with the
# roff escapes undone, against the file. To refresh it, replace the block
# with: sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/'/\\\\(aq/g" \
#	-e 's/`/\\(ga/g' -e 's/^\./\\\&./' examples/subscriber.c
awk '/^\.SS Program source/ { s = 1; next } s && /^\.EX/ { on = 1; next }
	on && /^\.EE/ { exit } on' "$man3" |
	sed -e 's/^\\&//' -e 's/\\(ga/`/g' -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/\\e/\\/g' \
	>"$tmp/example.c"
if cmp -s "$tmp/example.c" "$root/examples/subscriber.c"; then
	ok "the EXAMPLES program of libmcast.3 is examples/subscriber.c"
else
	not_ok "the EXAMPLES program of libmcast.3 is examples/subscriber.c"
	note "$(diff "$root/examples/subscriber.c" "$tmp/example.c" | head -n 20)"
fi
finish
