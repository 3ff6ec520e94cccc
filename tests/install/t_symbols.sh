#!/bin/sh
# t_symbols.sh - libmcast exports its API and nothing else.
#
# A program that links libmcast must not find the library's internals (or a
# stray helper) in its namespace: the shared library exports exactly the
# functions include/mcast.h declares with MCAST_API, and every global name
# in the static library starts with mcast_ (internal ones with mcast__).
# Also checks the soname, the versioned file with its two symlinks, and
# that debian/libmcast0.symbols lists exactly the exported names.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/../doc/tap.sh"

so=$build/libmcast.so.$version
command -v nm >/dev/null 2>&1 || skip "nm is not installed (Debian package binutils)"
if [ ! -f "$so" ]; then
	not_ok "the shared library is built as $so"
	finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The names the header declares: "MCAST_API <type> [*]mcast_name(".
sed -n 's/^MCAST_API[^(]*[ *]\(mcast_[a-z0-9_]*\)(.*/\1/p' "$root/include/mcast.h" |
	sort -u >"$tmp/api"
check "include/mcast.h declares functions with MCAST_API" test -s "$tmp/api"

# The linker may define these in any shared object; they are not ours.
nm -D --defined-only "$so" | awk '{ print $NF }' |
	grep -vxE '_init|_fini|__bss_start|_edata|_end' | sort -u >"$tmp/so"
extra=$(comm -13 "$tmp/api" "$tmp/so")
missing=$(comm -23 "$tmp/api" "$tmp/so")
if [ -z "$extra" ] && [ -z "$missing" ]; then
	ok "libmcast.so exports exactly the $(wc -l <"$tmp/api") functions of mcast.h"
else
	[ -z "$extra" ] || { not_ok "libmcast.so exports names mcast.h does not declare"; note "$extra"; }
	[ -z "$missing" ] || { not_ok "libmcast.so lacks functions mcast.h declares"; note "$missing"; }
fi

bad=$(nm -g --defined-only "$build/libmcast.a" | awk 'NF == 3 { print $3 }' |
	grep -v '^mcast_' | sort -u)
same "every global name in libmcast.a starts with mcast_" "" "$bad"

# debian/libmcast0.symbols lists the same names (the package build fails
# on any difference, with dpkg-gensymbols -c4; this says so sooner).
sym=$root/debian/libmcast0.symbols
if [ -f "$sym" ]; then
	sed -n 's/^ \(mcast_[a-z0-9_]*\)@Base .*/\1/p' "$sym" | sort -u >"$tmp/deb"
	extra=$(comm -13 "$tmp/so" "$tmp/deb")
	missing=$(comm -23 "$tmp/so" "$tmp/deb")
	same "debian/libmcast0.symbols lists no name libmcast.so lacks" "" "$extra"
	same "debian/libmcast0.symbols lists every name libmcast.so exports (add new ones with the version that first has them)" "" "$missing"
fi

same "the soname is libmcast.so.0" libmcast.so.0 \
	"$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
same "libmcast.so.0 links to libmcast.so.$version" "libmcast.so.$version" \
	"$(readlink "$build/libmcast.so.0")"
same "libmcast.so links to libmcast.so.0" libmcast.so.0 "$(readlink "$build/libmcast.so")"
finish
