#!/bin/bash
# t_deb.sh - the Debian packages build, install, work and purge cleanly.
#
# Slow (a package build, about two minutes), so not part of `make check`;
# .ci/run runs it. As root on Debian with the build dependencies installed
# (debhelper, dpkg-dev, lintian, git, and systemd for systemd-analyze):
#
#   sudo bash tests/pkg/t_deb.sh
#
# On a clean checkout (a git clone of HEAD in a temporary directory) it
# runs dpkg-buildpackage -us -uc -b and lintian (no errors allowed), then
# `apt-get install ./*.deb` and checks: nothing enabled or started, the
# units accepted by systemd-analyze verify, `mcast --version`, a send and
# recv on lo inside a network namespace it creates (with the example
# settings file the package ships), examples/ built against libmcast-dev
# with pkg-config, shared and static, and run the same way. Last it purges
# the packages and checks that no file `dpkg -L` listed is left.
#
# The EXIT trap purges the packages if they were installed, whatever way
# the script ends, and deletes the namespace and the temporary directory.
# It refuses to run where any of the packages is installed already, so it
# never removes an installation it did not make.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/../doc/tap.sh"

PKGS="mcast libmcast0 libmcast-dev"
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o DPkg::Lock::Timeout=120"

[ "$(id -u)" = 0 ] || skip "needs root (apt-get install, ip netns)"
for tool in git dpkg-buildpackage dh lintian apt-get ip pkg-config; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "needs $tool (.ci/run installs debhelper, dpkg-dev, lintian, git, iproute2, pkg-config)"
done
for p in $PKGS; do
	if dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		skip "$p is installed here already; this test installs and purges it"
	fi
done

tmp=$(mktemp -d)
ns="mcdeb$$"
installed=no
# Runs from the EXIT trap with the exit status; every step ignores errors.
# shellcheck disable=SC2317 # called from the trap
on_exit() {
	if [ "$installed" = yes ]; then
		# shellcheck disable=SC2086 # a list of package names
		$APT purge $PKGS >/dev/null 2>&1 </dev/null ||
			echo "# t_deb: could not purge $PKGS: run apt-get purge $PKGS" >&2
	fi
	ip netns pids "$ns" 2>/dev/null | while read -r pid; do kill -KILL "$pid"; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
	exit "$1"
}
trap 'on_exit $?' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- build ----------------------------------------------------------------
git clone -q "$root" "$tmp/src" || { not_ok "git clone of $root"; finish; }
note "building $(git -C "$tmp/src" log -1 --format='%h %s')"
if (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b on a clean checkout"
else
	not_ok "dpkg-buildpackage -us -uc -b on a clean checkout"
	note "$(tail -n 40 "$tmp/build.log")"
	finish
fi
note "$(grep '^total: ' "$tmp/build.log" | tail -n 1) (tests run during the build)"
debs=()
for p in $PKGS; do
	deb=$tmp/${p}_${version}_$(dpkg --print-architecture).deb
	check "built $(basename "$deb")" test -f "$deb"
	[ -f "$deb" ] && debs+=("$deb")
done
[ "${#debs[@]}" = 3 ] || finish
# ${shlibs:Depends} expanded by dpkg-shlibdeps: libc6, libsodium23
# (libmcast links libsodium), libmosquitto1 (mcast bridge), libnorm1 and
# libssl3 (send/recv --reliable) at least.
deps=" $(dpkg-deb -f "$tmp/mcast_${version}_"*.deb Depends | tr ',' '\n' |
	sed 's/^ *//; s/ .*//' | tr '\n' ' ')"
note "mcast depends on:$deps"
for d in libc6 libsodium23 libmosquitto1 libnorm1 libssl3; do
	case $deps in
	*" $d "*) ok "mcast's computed Depends has $d" ;;
	*) not_ok "mcast's computed Depends has $d" ;;
	esac
done

# Errors fail; every tag down to pedantic is shown.
lintian --fail-on error --display-info --pedantic "$tmp"/mcast_*.changes >"$tmp/lintian.log" 2>&1
rc=$?
check "lintian finds no errors (exit $rc)" test "$rc" = 0
tags() { grep -c "^$1: " "$tmp/lintian.log"; }
note "lintian: $(tags E) errors, $(tags W) warnings, $(tags I) info, $(tags P) pedantic"
grep -E "^[EWIP]: " "$tmp/lintian.log" | sed "s/^/#   /"

# ---- install --------------------------------------------------------------
# What of the packages' contents exists before they are installed (/usr,
# /lib, ...) is not theirs to remove; everything else must go with purge.
for deb in "${debs[@]}"; do
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||'
done | sort -u | while read -r path; do
	[ -n "$path" ] && { [ -e "$path" ] || [ -L "$path" ]; } && echo "$path"
done >"$tmp/before"
installed=yes
if $APT install "${debs[@]}" >"$tmp/install.log" 2>&1 </dev/null; then
	ok "apt-get install ./mcast ./libmcast0 ./libmcast-dev"
else
	not_ok "apt-get install ./mcast ./libmcast0 ./libmcast-dev"
	note "$(tail -n 20 "$tmp/install.log")"
	finish
fi
for p in $PKGS; do
	dpkg -L "$p" | sort >"$tmp/$p.list"
	note "dpkg -L $p: $(wc -l <"$tmp/$p.list") paths"
done

# Nothing enabled, nothing started: no link in any .wants directory, no
# record of deb-systemd-helper enabling a unit, no maintainer script that
# starts one.
wants=$(ls -d /etc/systemd/system/*.wants/mcast* 2>/dev/null)
same "no mcast unit is enabled (/etc/systemd/system/*.wants)" "" "$wants"
same "deb-systemd-helper enabled no mcast unit" "" \
	"$(find /var/lib/systemd/deb-systemd-helper-enabled -name '*mcast*' 2>/dev/null)"
started=$(grep -l 'deb-systemd-invoke\|systemctl.* start' /var/lib/dpkg/info/mcast.p* 2>/dev/null)
same "no maintainer script starts a unit" "" "$started"
for u in mcast-recv@.service mcast-bridge@.service; do
	check "installed /lib/systemd/system/$u" grep -qxF "/lib/systemd/system/$u" "$tmp/mcast.list"
done

if command -v systemd-analyze >/dev/null 2>&1; then
	# The man check needs man(1); without it only the units are checked.
	man=yes
	command -v man >/dev/null 2>&1 || man=no
	for u in mcast-recv@.service mcast-bridge@.service; do
		if systemd-analyze verify --man="$man" "/lib/systemd/system/$u" >"$tmp/verify" 2>&1; then
			ok "systemd-analyze verify --man=$man $u"
		else
			not_ok "systemd-analyze verify --man=$man $u"
			note "$(cat "$tmp/verify")"
		fi
		score=$(systemd-analyze security --offline=yes "/lib/systemd/system/$u" 2>/dev/null |
			sed -n 's/.*Overall exposure level for [^:]*: //p')
		note "systemd-analyze security --offline=yes $u: ${score:-not available}"
	done
else
	not_ok "systemd-analyze is installed (Debian package systemd) to verify the units"
fi

same "mcast --version" "mcast $version (libmcast $version)" "$(/usr/bin/mcast --version 2>&1)"
for f in recv.conf bridge.conf logrotate; do
	check "example /usr/share/doc/mcast/examples/$f" test -f "/usr/share/doc/mcast/examples/$f"
done

# ---- a send and a recv on lo, in a namespace of our own ---------------------
if ! ip netns add "$ns" || ! ip -n "$ns" link set lo up; then
	not_ok "ip netns add $ns"
	finish
fi
in_ns() { timeout -k 2 20 ip netns exec "$ns" "$@"; }

# recv_bg OUT ERR ARGS...: a receiver in the namespace; waits until it is
# listening (at most 10 s).
recv_bg() {
	local out=$1 err=$2
	shift 2
	in_ns /usr/bin/mcast recv "$@" >"$out" 2>"$err" </dev/null &
	rpid=$!
	for _ in $(seq 1 200); do
		grep -q "listening on" "$err" 2>/dev/null && return 0
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.05
	done
	note "receiver not listening: $(cat "$err")"
}

# The shipped example settings with lo for eth0 (an interface named in a
# settings file must exist), and a file of ours for its output file.
sed 's/^interface = eth0$/interface = lo/' /usr/share/doc/mcast/examples/recv.conf >"$tmp/recv.conf"
check "the example names eth0, replaced by lo here" grep -qx 'interface = lo' "$tmp/recv.conf"
recv_bg "$tmp/recv.out" "$tmp/recv.err" --config "$tmp/recv.conf" \
	--output-file "$tmp/readings.jsonl" -n 3 -w 10s
in_ns /usr/bin/mcast send -i lo -n 3 -I 20ms -T 'reading {seq}' 239.1.2.3:5000 >"$tmp/send.out" 2>&1
check "mcast send -i lo exits 0" test $? = 0
wait "$rpid"
check "mcast recv with the example settings exits 0" test $? = 0
same "the three readings arrive as JSON lines in the output file" \
	"reading 1|reading 2|reading 3" \
	"$(sed -n 's/^{"event":"message",.*"data":"\([^"]*\)"}$/\1/p' "$tmp/readings.jsonl" | paste -sd'|')"

# The bridge's example, pointed at a port on lo where no broker listens
# (without TLS, and with a password file of ours): its settings are all
# taken, and the bridge ends at once, saying why.
echo secret >"$tmp/mqtt.pass"
sed -e 's|^url = mqtts://\([^@]*\)@[^/]*/|url = mqtt://\1@127.0.0.1:1/|' -e '/^cafile = /d' \
	-e "s|^password-file = .*|password-file = $tmp/mqtt.pass|" \
	-e 's/^interface = eth0$/interface = lo/' \
	/usr/share/doc/mcast/examples/bridge.conf >"$tmp/bridge.conf"
in_ns /usr/bin/mcast bridge --config "$tmp/bridge.conf" >"$tmp/bridge.out" 2>"$tmp/bridge.err"
check "mcast bridge with the example settings exits 1 (no broker)" test $? = 1
same "and says why" "mcast: cannot connect to the broker mqtt://127.0.0.1:1: Connection refused" \
	"$(cat "$tmp/bridge.err")"

# ---- examples/ against the installed libmcast-dev ---------------------------
ex=/usr/share/doc/libmcast-dev/examples
same "pkg-config --modversion mcast" "$version" "$(pkg-config --modversion mcast 2>&1)"
# shellcheck disable=SC2046 # flag lists
if cc -o "$tmp/subscriber" "$ex/subscriber.c" $(pkg-config --cflags --libs mcast) 2>"$tmp/cc.log" &&
	cc -static -o "$tmp/publisher" "$ex/publisher.c" \
		$(pkg-config --static --cflags --libs mcast) 2>>"$tmp/cc.log"; then
	ok "examples build with pkg-config: subscriber shared, publisher static"
else
	not_ok "examples build with pkg-config: subscriber shared, publisher static"
	note "$(cat "$tmp/cc.log")"
	finish
fi
lib=$(pkg-config --variable=libdir mcast)
loaded=$(ldd "$tmp/subscriber" | sed -n 's/^[[:space:]]*libmcast\.so\.0 => \([^ ]*\) .*/\1/p')
same "the shared subscriber loads $lib/libmcast.so.0" \
	"$(readlink -f "$lib/libmcast.so.0")" "$(readlink -f "${loaded:-/nonexistent}")"
same "the static publisher needs no shared library" "" \
	"$(readelf -d "$tmp/publisher" 2>/dev/null | grep NEEDED)"
in_ns "$tmp/subscriber" 239.255.42.2:47043 lo 3 >"$tmp/sub.out" 2>"$tmp/sub.err" &
spid=$!
for _ in $(seq 1 200); do
	grep -q "joined" "$tmp/sub.err" 2>/dev/null && break
	sleep 0.05
done
in_ns "$tmp/publisher" 239.255.42.2:47043 lo 3 >/dev/null 2>"$tmp/pub.err"
check "the static publisher exits 0" test $? = 0
wait "$spid"
check "the shared subscriber exits 0 after three readings" test $? = 0
same "the subscriber printed three readings" 3 "$(grep -c 'power kW=' "$tmp/sub.out")"

# ---- purge ----------------------------------------------------------------
# shellcheck disable=SC2086
if $APT purge $PKGS >"$tmp/purge.log" 2>&1 </dev/null; then
	installed=no
	ok "apt-get purge $PKGS"
else
	not_ok "apt-get purge $PKGS"
	note "$(tail -n 20 "$tmp/purge.log")"
fi
left=$(cat "$tmp"/*.list | sort -u | while read -r path; do
	[ "$path" = /. ] && continue
	grep -qxF -- "$path" "$tmp/before" && continue
	{ [ -e "$path" ] || [ -L "$path" ]; } && echo "$path"
done)
same "no file or directory of the packages is left after purge" "" "$left"
gone=$(while read -r path; do
	[ -e "$path" ] || [ -L "$path" ] || echo "$path"
done <"$tmp/before")
same "what existed before the install is still there" "" "$gone"
finish
