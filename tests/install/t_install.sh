#!/bin/sh
# t_install.sh - `make install` gives a working libmcast to build against.
#
# Installs into a temporary DESTDIR with PREFIX=/usr, checks every file is
# where it belongs, then builds examples/subscriber.c and publisher.c
# against the installed copy the way a user would, with flags from
# pkg-config (its prefix moved to the DESTDIR by --define-prefix, and by
# PKG_CONFIG_SYSROOT_DIR), links them statically and dynamically, and runs
# them: the shared build finds libmcast.so.0 through LD_LIBRARY_PATH, and in
# a private network namespace the two talk over lo. Last, `make uninstall`
# must remove every file. The temporary directory goes in every case.
#
# CC, CFLAGS and LDFLAGS come from the environment (make check passes its
# own, so a sanitizer build links its runtime too).
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/../doc/tap.sh"

command -v pkg-config >/dev/null 2>&1 ||
	skip "pkg-config is not installed (Debian package pkg-config)"
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
dest=$tmp/dest
lib=$dest/usr/lib
unset MAKEFLAGS MFLAGS # run make afresh, not as a child of make check's make

if make -C "$root" B="$build" DESTDIR="$dest" PREFIX=/usr install >"$tmp/log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install DESTDIR=... PREFIX=/usr"
	note "$(tail -n 20 "$tmp/log")"
	finish
fi

for f in bin/mcast lib/libmcast.a "lib/libmcast.so.$version" include/mcast.h \
	lib/pkgconfig/mcast.pc share/man/man1/mcast.1 share/man/man3/libmcast.3 \
	share/bash-completion/completions/mcast; do
	check "installed /usr/$f" test -f "$dest/usr/$f" -a ! -L "$dest/usr/$f"
done
same "libmcast.so.0 links to libmcast.so.$version" "libmcast.so.$version" \
	"$(readlink "$lib/libmcast.so.0")"
same "libmcast.so links to libmcast.so.0" libmcast.so.0 "$(readlink "$lib/libmcast.so")"
same "the installed library's soname is libmcast.so.0" libmcast.so.0 \
	"$(readelf -d "$lib/libmcast.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
# shellcheck disable=SC2016 # expands in the inner shell
check "the installed mcast runs: --version names $version" \
	sh -c '"$1" --version | grep -qF "$2"' sh "$dest/usr/bin/mcast" "$version"
check "the installed completion is valid bash" \
	bash -n "$dest/usr/share/bash-completion/completions/mcast"

# Not the system's mcast.pc, if any; but libsodium's, which mcast.pc
# requires (for static links), from wherever the system keeps it.
sodium_pc=$(pkg-config --variable pcfiledir libsodium 2>/dev/null)
check "the system has libsodium's pkg-config file (libsodium-dev)" test -n "$sodium_pc"
export PKG_CONFIG_PATH="$lib/pkgconfig"
export PKG_CONFIG_LIBDIR="$lib/pkgconfig:$sodium_pc"
same "pkg-config --modversion mcast" "$version" "$(pkg-config --modversion mcast)"
# words: FLAGS as one line, single-spaced.
words() { echo "$*"; }
# shellcheck disable=SC2046 # split into words on purpose
flags=$(words $(pkg-config --define-prefix --cflags --libs mcast))
# --define-prefix moves libsodium's prefix too (Requires.private brings in
# its cflags): whatever it makes of libsodium.pc comes after mcast's own.
# shellcheck disable=SC2046
sodium_cflags=$(words $(pkg-config --define-prefix --cflags libsodium))
# shellcheck disable=SC2086
same "pkg-config --define-prefix points into DESTDIR" \
	"$(words -I$dest/usr/include $sodium_cflags -L$lib -lmcast)" "$flags"
# shellcheck disable=SC2046
flags=$(words $(PKG_CONFIG_SYSROOT_DIR=$dest pkg-config --cflags --libs mcast))
same "PKG_CONFIG_SYSROOT_DIR points into DESTDIR" \
	"-I$dest/usr/include -L$lib -lmcast" "$flags"
cflags=$(pkg-config --define-prefix --cflags mcast)
libs=$(pkg-config --define-prefix --libs mcast)
# A static libmcast needs libsodium after it: pkg-config --static says so.
static_libs=$(pkg-config --define-prefix --static --libs mcast)
case " $static_libs " in
*" -lmcast "*" -lsodium "*) ok "pkg-config --static --libs mcast adds -lsodium after -lmcast" ;;
*) not_ok "pkg-config --static --libs mcast adds -lsodium after -lmcast"; note "$static_libs" ;;
esac
# shellcheck disable=SC2001 # one substitution on a flag list
static_libs=$(echo " $static_libs " | sed 's/ -lmcast / -Wl,-Bstatic -lmcast -Wl,-Bdynamic /')

# build NAME SOURCE LIBS...: compile SOURCE against the installed copy.
build_example() {
	out=$1 src=$2
	shift 2
	# shellcheck disable=SC2086 # flag lists
	if $CC ${CFLAGS:-} $cflags -o "$tmp/$out" "$src" "$@" ${LDFLAGS:-} >"$tmp/cc.log" 2>&1; then
		ok "built $out against the installed library"
	else
		not_ok "built $out against the installed library"
		note "$(cat "$tmp/cc.log")"
	fi
}
# shellcheck disable=SC2086
build_example subscriber-shared "$root/examples/subscriber.c" $libs
# shellcheck disable=SC2086
build_example subscriber-static "$root/examples/subscriber.c" $static_libs
# shellcheck disable=SC2086
build_example publisher-shared "$root/examples/publisher.c" $libs

needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(libmcast[^]]*\)\]/\1/p'; }
same "the shared build needs libmcast.so.0" libmcast.so.0 "$(needed "$tmp/subscriber-shared")"
same "the static build needs no libmcast" "" "$(needed "$tmp/subscriber-static")"
# shellcheck disable=SC2016 # expands in the inner shell
check "LD_LIBRARY_PATH finds the installed libmcast.so.0" \
	sh -c 'LD_LIBRARY_PATH=$1 ldd "$2" | grep -qF "libmcast.so.0 => $1/libmcast.so.0"' \
	sh "$lib" "$tmp/subscriber-shared"
usage="usage: subscriber GROUP:PORT IFACE [COUNT]"
same "the shared build runs (and prints its usage)" "$usage" \
	"$(LD_LIBRARY_PATH=$lib "$tmp/subscriber-shared" 2>&1)"
same "the static build runs (and prints its usage)" "$usage" \
	"$("$tmp/subscriber-static" 2>&1)"

if find_netns; then
	# shellcheck disable=SC2016,SC2086 # expands inside; NETNS is a command line
	timeout -k 5 20 $NETNS env IP="$IP" LD_LIBRARY_PATH="$lib" sh -c '
		"$IP" link set lo up || exit 1
		timeout 10 "$1/subscriber-static" 239.255.42.2:47043 lo 2 \
			>"$1/sub.out" 2>"$1/sub.err" &
		s=$!
		i=0
		while [ $i -lt 50 ] && ! grep -q joined "$1/sub.err" 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		"$1/publisher-shared" 239.255.42.2:47043 lo 2 >/dev/null
		wait $s' sh "$tmp"
	same "in a private namespace, the static subscriber hears the shared publisher" \
"127.0.0.1 on lo: power kW=1.25 seq=1
127.0.0.1 on lo: power kW=1.50 seq=2" "$(cat "$tmp/sub.out" 2>/dev/null)"
else
	echo "# no private network namespace here: the two builds were not run together"
fi

if make -C "$root" B="$build" DESTDIR="$dest" PREFIX=/usr uninstall >"$tmp/log" 2>&1; then
	same "make uninstall removes every file" "" "$(find "$dest" ! -type d)"
else
	not_ok "make uninstall"
	note "$(tail -n 20 "$tmp/log")"
fi
finish
