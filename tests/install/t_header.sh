#!/bin/sh
# t_header.sh - include/mcast.h works in other people's programs.
#
# A program that embeds libmcast includes mcast.h first, alone, under its
# own compiler settings. The header must compile that way with every
# warning turned into an error: as C11 and GNU C99 with -pedantic, and as
# C++11 (its extern "C" block) when a C++ compiler is present. A program
# that calls mcast_version() must link and print the header's version.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/../doc/tap.sh"

CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/t.c" <<'EOF'
#include <mcast.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	printf("%s\n", mcast_version());
	return strcmp(mcast_version(), MCAST_VERSION) != 0;
}
EOF
strict="-pedantic -Wall -Wextra -Werror -I$root/include"

for std in c11 gnu99; do
	# shellcheck disable=SC2086 # flag lists
	if $CC -std=$std $strict -c -o "$tmp/t.o" "$tmp/t.c" >"$tmp/log" 2>&1; then
		ok "mcast.h compiles alone as -std=$std -pedantic -Werror"
	else
		not_ok "mcast.h compiles alone as -std=$std -pedantic -Werror"
		note "$(head -n 10 "$tmp/log")"
	fi
done

cxx=${CXX:-}
[ -n "$cxx" ] || cxx=$(command -v c++ || command -v g++ || command -v clang++) || cxx=
if [ -n "$cxx" ]; then
	cp "$tmp/t.c" "$tmp/t.cc"
	# shellcheck disable=SC2086
	if $cxx -std=c++11 $strict -c -o "$tmp/tcc.o" "$tmp/t.cc" >"$tmp/log" 2>&1; then
		ok "mcast.h compiles alone as C++11 -pedantic -Werror"
	else
		not_ok "mcast.h compiles alone as C++11 -pedantic -Werror"
		note "$(head -n 10 "$tmp/log")"
	fi
else
	echo "# no C++ compiler: C++ not checked"
fi

sodium=$(pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
# shellcheck disable=SC2086
if $CC ${CFLAGS:-} -I"$root/include" -o "$tmp/t" "$tmp/t.c" "$build/libmcast.a" \
	${LDFLAGS:-} $sodium >"$tmp/log" 2>&1; then
	same "a program linked with libmcast.a prints MCAST_VERSION" "$version" "$("$tmp/t")"
else
	not_ok "a program links with libmcast.a"
	note "$(head -n 10 "$tmp/log")"
fi
finish
