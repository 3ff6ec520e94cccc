#!/bin/sh
# deps.sh - make sure the test suite's dependencies are present.
#
# Checks for cmocka (unit tests), libsodium (libmcast's signatures and
# encryption: the library itself needs it), libnorm and libcrypto headers
# (the tool's NORM transport and file checksums, the NORM test peer),
# python3 (network test helpers) with PyNaCl (the independent envelope
# peer, tests/net/envpy.py), ip (iproute2, network namespaces), nft (nftables: the ping tests drop
# and duplicate packets with it inside their namespaces, as the kernel may
# lack netem), smcrouted (smcroute: the multicast routers of the routed
# network tests, run only inside their namespaces), and for the MQTT
# bridge's tests libmosquitto-dev, mosquitto, mosquitto-clients,
# python3-paho-mqtt and openssl (a mosquitto service that installing starts
# is stopped and disabled again). Silent when everything is there. When
# something is missing and we are root on a Debian-like system, installs it
# with apt-get (non-interactively, so it works under CI=true with no stdin);
# otherwise names the Debian package to install and exits 1. smcroute
# conflicts with pimd: where pimd is installed it is left alone and the
# routed tests skip, saying why.
#
# The check functions are called through need(), which shellcheck cannot see.
# shellcheck disable=SC2317
set -u

CC=${CC:-cc}
export DEBIAN_FRONTEND=noninteractive

# The tests link with -lcmocka, so the header alone is not enough: compile
# and link a tiny program the way the Makefile will.
have_cmocka() {
	tmp=$(mktemp -d 2>/dev/null) || return 1
	cat >"$tmp/t.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
static void t(void **state) { (void)state; }
int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(t) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
EOF
	$CC -o "$tmp/t" "$tmp/t.c" -lcmocka >/dev/null 2>&1
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

have_sodium() {
	tmp=$(mktemp -d 2>/dev/null) || return 1
	printf '#include <sodium.h>\nint main(void) { return sodium_init() < 0; }\n' >"$tmp/t.c"
	$CC -o "$tmp/t" "$tmp/t.c" -lsodium >/dev/null 2>&1
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# Debian's python3-nacl is for the system's python3, which need not be the
# first python3 on PATH (pyenv, a virtualenv): tests/net/lib.sh looks in both.
have_nacl() {
	for py in python3 /usr/bin/python3; do
		"$py" -c 'import nacl.signing, nacl.bindings' >/dev/null 2>&1 && return 0
	done
	return 1
}

# The NORM peer of the network tests (tests/net/normpeer.c) and the tool
# itself link libnorm; the tool hashes files with libcrypto.
have_libnorm() {
	[ -f /usr/include/normApi.h ] || [ -f /usr/local/include/normApi.h ]
}

have_libssl() {
	[ -f /usr/include/openssl/evp.h ] || [ -f /usr/local/include/openssl/evp.h ]
}

have_python3() {
	command -v python3 >/dev/null 2>&1
}

# ip lives in /sbin or /usr/sbin, which an unprivileged PATH may lack.
have_ip() {
	command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ]
}

# nft lives in /usr/sbin too.
have_nft() {
	command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || [ -x /sbin/nft ]
}

have_smcroute() {
	command -v smcrouted >/dev/null 2>&1 || [ -x /usr/sbin/smcrouted ] ||
		[ -x /sbin/smcrouted ]
}

# Debian's smcroute and pimd conflict; never remove pimd to make room.
pimd_installed() {
	dpkg-query -W -f='${Status}' pimd 2>/dev/null | grep -q 'install ok installed'
}

can_install() {
	[ "$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

updated=no
installed_mosquitto=no
status=0

# need WHAT PKG CHECK: install PKG when CHECK fails, or say how to.
need() {
	what=$1 pkg=$2 check=$3
	$check && return 0
	if can_install; then
		if [ "$updated" = no ]; then
			apt-get update -qq </dev/null >/dev/null
			updated=yes
		fi
		apt-get install -y -qq --no-install-recommends --no-remove "$pkg" \
			</dev/null >/dev/null
		[ "$pkg" = mosquitto ] && installed_mosquitto=yes
		$check && return 0
	fi
	echo "mcast: tests need $what (Debian package $pkg): apt-get install $pkg" >&2
	status=1
}

# The MQTT bridge's tests (tests/net/t_bridge_*.sh) run Debian's broker and
# clients inside their namespaces, and make certificates with openssl.
have_mosquitto() {
	command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]
}
have_mosquitto_clients() {
	command -v mosquitto_sub >/dev/null 2>&1
}
have_paho() {
	/usr/bin/python3 -c 'import paho.mqtt.client' >/dev/null 2>&1 ||
		python3 -c 'import paho.mqtt.client' >/dev/null 2>&1
}
have_openssl() {
	command -v openssl >/dev/null 2>&1
}
have_mosquitto_dev() {
	[ -f /usr/include/mosquitto.h ]
}

need cmocka libcmocka-dev have_cmocka
need libsodium libsodium-dev have_sodium
need python3 python3 have_python3
need PyNaCl python3-nacl have_nacl
need ip iproute2 have_ip
need nft nftables have_nft
if pimd_installed && ! have_smcroute; then
	echo "mcast: pimd is installed, which conflicts with smcroute: the routed" \
		"network tests will skip" >&2
else
	need smcrouted smcroute have_smcroute
fi
need libmosquitto libmosquitto-dev have_mosquitto_dev
need mosquitto mosquitto have_mosquitto
need mosquitto_sub mosquitto-clients have_mosquitto_clients
need paho-mqtt python3-paho-mqtt have_paho
need openssl openssl have_openssl

# Installing mosquitto enables and starts its service where systemd runs;
# the tests start their own brokers inside their namespaces, so none may
# listen on the machine itself.
if [ "$installed_mosquitto" = yes ] && [ -d /run/systemd/system ] &&
	command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now mosquitto >/dev/null 2>&1
fi
need libnorm libnorm-dev have_libnorm
need libcrypto libssl-dev have_libssl

exit $status
