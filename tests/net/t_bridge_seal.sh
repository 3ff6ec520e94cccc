#!/bin/bash
# t_bridge_seal.sh - a signature made at one site is checked at another
# (issue 13): mcast send --sign at site A, mcast bridge --to-mqtt there,
# Debian's mosquitto on r, mcast bridge --from-mqtt at site B, mcast recv
# --trust at site B. Every envelope arrives verified, named by its signer
# although its source is site B's bridge, and in order; a message published
# straight to the broker (not signed) and a copy of one of A's envelopes
# published again by mosquitto_pub (a replay through the broker) are
# rejected, each counted under its kind.
#
# Site A (br0): publisher a1, bridge a2. Site B (br1): bridge b2, receiver
# b3. The broker runs on r, on both, forwarding no multicast; a3 captures
# site A's first envelope with a plain Python socket.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=mqttlib.sh
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_mosquitto
need_python

N=20
[ -n "$MCAST_WRAP" ] && N=8
G=239.7.13.1:5013
K=$T/keys
mkdir -p "$K"
umask 022

switch_add sw br0 br1
ns_add r
attach sw br0 r eth0 r0 10.79.1.1/24 fd79:1::1/64
attach sw br1 r eth1 r1 10.79.2.1/24 fd79:2::1/64
for h in a1 a2 a3 b2 b3; do
	ns_add "$h"
done
attach sw br0 a1 eth0 pa1 10.79.1.11/24 fd79:1::11/64
attach sw br0 a2 eth0 pa2 10.79.1.12/24 fd79:1::12/64
attach sw br0 a3 eth0 pa3 10.79.1.13/24 fd79:1::13/64
attach sw br1 b2 eth0 pb2 10.79.2.22/24 fd79:2::22/64
attach sw br1 b3 eth0 pb3 10.79.2.23/24 fd79:2::23/64
for h in a1 a2 a3 b2 b3; do
	in_ns "$h" ip route add 224.0.0.0/4 dev eth0
done
mc_run kg a1 keygen -q "$K/ups1"

broker_start mq r "listener 1883 10.79.1.1" "listener 1883 10.79.2.1" \
	"listener 1883 127.0.0.1" "allow_anonymous true" || finish

TOPIC='site/{group}'
mc_bg brA a2 bridge -i eth0 --to-mqtt --qos 1 "$G" "mqtt://10.79.1.1/$TOPIC"
mc_bg brB b2 bridge -i eth0 --from-mqtt --qos 1 "$G" "mqtt://10.79.2.1/$TOPIC"
# a3 keeps site A's first envelope as it was on the wire, to publish again.
bg first a3 "$PYTHON" "$NET_DIR/mcpy.py" recv "${G%:*}" "${G#*:}" eth0 "$LONG" 1
wait_for_file_text "$T/first.err" ready "$LONG" || not_ok "the capture is ready"
wait_ready brA
wait_ready brB
mc_bg rx b3 recv -i eth0 --trust "$K/ups1.pub" --json -w "$(tmo 3)" "$G"
wait_listening rx

mc_run tx a1 send -i eth0 --sign "$K/ups1.key" -n "$N" -I 10ms -T 'ups1 reading {seq}' "$G"
check_rc "the signing publisher exits 0" 0 "$RC"
wait_exit first "$LONG"
"$PYTHON" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' \
	"$(awk '{print $3}' "$T/first.out")" >"$T/first.bin"
check_eq "site A's first envelope captured: 96 bytes over 'ups1 reading 1'" \
	"$((96 + 14))" "$(wc -c <"$T/first.bin")"
# Once site B has the genuine stream (a listening line and N messages): a
# stranger's message, and a replay of the first envelope.
wait_for_lines "$T/rx.out" "$((N + 1))" "$LONG" || not_ok "site B received the genuine stream"
in_ns r mosquitto_pub -h 127.0.0.1 -q 1 -t site/239.7.13.1 -m 'power out'
in_ns r mosquitto_pub -h 127.0.0.1 -q 1 -t site/239.7.13.1 -f "$T/first.bin"
wait_exit rx "$((LONG + 10))"
check_rc "the trusting receiver exits 0 after silence" 0 "$RC"
check_eq "all $N verified, signed by ups1, from site B's bridge, in order" \
	"$N ups1 10.79.2.22 True" \
	"$(jget "$T/rx.out" 'len(E("message"))' '",".join(sorted(set(x["signer"] for x in E("message"))))' \
		'",".join(sorted(set(x["source"] for x in E("message"))))' \
		'[x["data"] for x in E("message")] == ["ups1 reading %d" % i for i in range(1, '"$N"' + 1)]')"
check_eq "the stranger's message unsigned, the copy replayed, nothing else rejected" "1 1 2" \
	"$(jget "$T/rx.out" 'S["rejected"]["unsigned"]' 'S["rejected"]["replayed"]' 'S["rejected_total"]')"
stop_bridge brA
check_rc "bridge A exits 0 on SIGTERM" 0 "$RC"
stop_bridge brB
check_rc "bridge B exits 0 on SIGTERM" 0 "$RC"
finish
