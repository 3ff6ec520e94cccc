#!/bin/bash
# t_bridge_auth.sh - mcast bridge and a broker that checks who connects.
#
# Debian's mosquitto on h3 with three listeners: a password on 1883, TLS
# (a CA made here with openssl) and a password on 8883, TLS with client
# certificates on 8884. A wrong or missing password, an untrusted server
# certificate, a missing client certificate, a refused port (with and
# without TLS), an unreachable host or network, TLS to a port that is not
# TLS and an unknown host each end the bridge at once with exit status 1
# and the reason; a host that accepts TCP and stays silent (oldbroker.py
# silent) ends it after --connect-timeout; the right credentials carry a datagram through, seen by
# mosquitto_sub; a bad URL or a password on the command line is a usage
# error (2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_mosquitto
need_python
command -v openssl >/dev/null 2>&1 || skip "needs openssl"
PASSWD=$(command -v mosquitto_passwd || echo /usr/bin/mosquitto_passwd)
[ -x "$PASSWD" ] || skip "needs mosquitto_passwd (Debian package mosquitto)"

G=239.9.9.9:5000
lab_bridge3

# ---- credentials and certificates -----------------------------------------
pki() {
	local d=$T/pki
	mkdir -p "$d"
	cd "$d" || return 1
	# A CA, and a second one the broker's certificate is not from.
	for ca in ca other; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mcast test $ca" \
			-keyout "$ca.key" -out "$ca.pem" 2>/dev/null || return 1
	done
	openssl req -newkey rsa:2048 -nodes -subj "/CN=10.77.0.3" -keyout server.key \
		-out server.csr 2>/dev/null || return 1
	printf 'subjectAltName=IP:10.77.0.3\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days 2 -extfile server.ext -out server.pem 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=meter" -keyout client.key \
		-out client.csr 2>/dev/null || return 1
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days 2 -out client.pem 2>/dev/null || return 1
	cd - >/dev/null || return 1
}
check "openssl makes a CA, a server and a client certificate" pki
K=$T/pki
"$PASSWD" -b -c "$T/passwd" meter 's3cret pw' 2>/dev/null
check "mosquitto_passwd writes the password file" test -s "$T/passwd"
printf 's3cret pw\n' >"$T/good.pw"
printf 'wrong\n' >"$T/bad.pw"

broker_start mq h3 "per_listener_settings true" \
	"listener 1883 10.77.0.3" "allow_anonymous false" "password_file $T/passwd" \
	"listener 1883 127.0.0.1" "allow_anonymous true" \
	"listener 8883 10.77.0.3" "allow_anonymous false" "password_file $T/passwd" \
	"cafile $K/ca.pem" "certfile $K/server.pem" "keyfile $K/server.key" \
	"listener 8884 10.77.0.3" "cafile $K/ca.pem" "certfile $K/server.pem" \
	"keyfile $K/server.key" "require_certificate true" "use_identity_as_username true" ||
	finish

# fails NAME REASON ARGS...: the bridge exits 1 at once, naming REASON.
fails() {
	local name=$1 why=$2
	shift 2
	mc_run "$name" h2 bridge -i eth0 --to-mqtt "$@"
	check_rc "$name: exit status 1" 1 "$RC"
	check_has "$name: says why" "$T/$name.err" "$why"
}
fails badpw "cannot connect to the broker mqtt://10.77.0.3:1883: the broker refused the connection: " \
	--password-file "$T/bad.pw" "$G" "mqtt://meter@10.77.0.3/t"
check_match "badpw: the broker's reason" "$T/badpw.err" "(Bad user name or password|Not authorized)"
fails nopw "the broker refused the connection: " "$G" "mqtt://10.77.0.3/t"
fails untrusted "certificate verify failed" --cafile "$K/other.pem" \
	--password-file "$T/good.pw" "$G" "mqtts://meter@10.77.0.3/t"
fails systrust "certificate verify failed" --password-file "$T/good.pw" "$G" \
	"mqtts://meter@10.77.0.3/t"
fails nocert "cannot connect to the broker mqtts://10.77.0.3:8884: " --cafile "$K/ca.pem" \
	"$G" "mqtts://10.77.0.3:8884/t"
fails refused "cannot connect to the broker mqtt://10.77.0.3:1999: Connection refused" \
	"$G" "mqtt://10.77.0.3:1999/t"
fails unknown "cannot connect to the broker mqtt://no-such-broker.invalid:1883: unknown host" \
	"$G" "mqtt://no-such-broker.invalid/t"
fails tlsrefused "cannot connect to the broker mqtts://10.77.0.3:1999: Connection refused" \
	--cafile "$K/ca.pem" "$G" "mqtts://10.77.0.3:1999/t"
# h3 routes 10.66.0.0/24 to "unreachable": h2's SYN gets an ICMP host
# unreachable back, as from a router that has no way there.
ns_sysctl h3 net.ipv4.ip_forward=1
in_ns h3 ip route add unreachable 10.66.0.0/24
in_ns h2 ip route add 10.66.0.0/24 via 10.77.0.3
fails unreach "cannot connect to the broker mqtt://10.66.0.9:1883: No route to host" \
	"$G" "mqtt://10.66.0.9/t"
fails tlsunreach "cannot connect to the broker mqtts://10.66.0.9:8883: No route to host" \
	--cafile "$K/ca.pem" "$G" "mqtts://10.66.0.9/t"
fails nonet "cannot connect to the broker mqtt://10.99.0.9:1883: Network is unreachable" \
	"$G" "mqtt://10.99.0.9/t"
# TLS to the plain MQTT port: the broker takes the ClientHello for a bad
# packet and closes (a reset when it leaves bytes unread).
fails nottls "cannot connect to the broker mqtts://10.77.0.3:1883: " --cafile "$K/ca.pem" \
	"$G" "mqtts://10.77.0.3:1883/t"
check_match "nottls: the connection closed in the handshake" "$T/nottls.err" \
	"(Connection reset by peer|the broker closed the connection during the TLS handshake)"
# A host that takes the TCP connection and never says a word: the attempt
# ends after --connect-timeout.
bg silent h3 "$PYTHON" "$NET_DIR/oldbroker.py" silent 10.77.0.3 1885 "$((LONG * 2))"
wait_for_file_text "$T/silent.err" listening "$LONG" || diag "oldbroker.py silent"
fails silent "cannot connect to the broker mqtt://10.77.0.3:1885: no answer within 1 s" \
	--connect-timeout 1s "$G" "mqtt://10.77.0.3:1885/t"
fails tlssilent "cannot connect to the broker mqtts://10.77.0.3:1885: no answer within 1.5 s" \
	--connect-timeout 1500ms --cafile "$K/ca.pem" "$G" "mqtts://10.77.0.3:1885/t"
mc_run badtmo h2 bridge --connect-timeout 50ms "$G" "mqtt://10.77.0.3/t"
check_rc "--connect-timeout 50ms: exit status 2" 2 "$RC"
check_has "--connect-timeout 50ms: named" "$T/badtmo.err" \
	"mcast: --connect-timeout 50ms: must be 100ms-1h"

mc_run badurl h2 bridge "$G" "mqtt://meter:secret@10.77.0.3/t"
check_rc "a password in the URL: exit status 2" 2 "$RC"
check_has "a password in the URL: says to use --password-file" "$T/badurl.err" \
	"mcast: URL 'mqtt://meter:secret@10.77.0.3/t': a password in the URL would show in ps and shell history: use --password-file"
mc_run cmdpw h2 bridge --password x "$G" "mqtt://meter@10.77.0.3/t"
check_rc "--password on the command line: exit status 2" 2 "$RC"
mc_run nourl h2 bridge "$G"
check_rc "no URL anywhere: exit status 2" 2 "$RC"
check_has "no URL: says where one goes" "$T/nourl.err" \
	"mcast: give GROUP:PORT and a broker URL (mqtt://HOST/TOPIC), or 'url =' in the settings file"
mc_run cmdurl h2 bridge --url "mqtt://10.77.0.3/t" "$G"
check_rc "--url on the command line: exit status 2" 2 "$RC"
check_has "--url on the command line: says the URL is the operand" "$T/cmdurl.err" \
	"mcast: --url: give the URL after GROUP:PORT; 'url =' is for settings files"
mc_run noport h2 bridge "$G" "mqtt://10.77.0.3:0/t"
check_rc "port 0 in the URL: exit status 2" 2 "$RC"
check_has "port 0: named" "$T/noport.err" "port '0' is not a number 1-65535"

# works NAME URL ARGS...: the bridge connects and carries one datagram to
# mosquitto_sub on the broker's loopback listener. With URL "" neither the
# group nor the URL is on the command line (a settings file gives them).
works() {
	local name=$1 url=$2
	shift 2
	bg "sub$name" h3 mosquitto_sub -h 127.0.0.1 -t t -C 1 -W "$LONG"
	sleep 0.3
	[ -n "$url" ] && set -- "$@" "$G" "$url"
	mc_bg "$name" h2 bridge -i eth0 --to-mqtt "$@"
	wait_ready "$name" || return
	mc_run "tx$name" h1 send -i eth0 "$G" "via $name"
	wait_exit "sub$name" "$((LONG + 2))"
	check_rc "$name: mosquitto_sub got a message" 0 "$RC"
	check_eq "$name: the datagram, unchanged" "via $name" "$(cat "$T/sub$name.out")"
	stop_bridge "$name"
	check_rc "$name: exit status 0 on SIGTERM" 0 "$RC"
}
works pwfile "mqtt://meter@10.77.0.3/t" --password-file "$T/good.pw"
printf '[bridge]\npassword = "s3cret pw"\n' >"$T/bridge.conf"
works pwconf "mqtt://meter@10.77.0.3/t" --config "$T/bridge.conf"
# As mcast-bridge@NAME.service runs it: the group, the URL and the password
# all from the settings file.
printf '[bridge]\ngroup = %s\nurl = mqtt://meter@10.77.0.3/t\npassword = "s3cret pw"\n' \
	"$G" >"$T/unit.conf"
works unitconf "" --config "$T/unit.conf"
works tls "mqtts://meter@10.77.0.3/t" --cafile "$K/ca.pem" --password-file "$T/good.pw"
works clientcert "mqtts://10.77.0.3:8884/t" --cafile "$K/ca.pem" --cert "$K/client.pem" \
	--key "$K/client.key"
finish
