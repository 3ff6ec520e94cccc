#!/bin/bash
# t_bridge_fallback.sh - mcast bridge and a broker that speaks MQTT 3.1.1
# only.
#
# Debian's mosquitto speaks 3.1, 3.1.1 and 5 on every listener and has no
# setting that refuses 5, so the old broker is tests/net/oldbroker.py: plain
# Python sockets, answering a version 5 CONNECT with the 3.1.1 CONNACK
# "unacceptable protocol version" and closing, as MQTT 3.1.1 section
# 3.1.2.2 says. The bridge on h2 must connect again at once with 3.1.1,
# say so, and work both ways: a datagram from h1 reaches the broker as a
# PUBLISH, the broker's PUBLISH reaches a receiver on h1. With
# --protocol 5 the same refusal ends the bridge at once (exit 1, the
# reason named).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_python

G=239.9.7.7:5000
lab_bridge3
bg old h3 "$PYTHON" "$NET_DIR/oldbroker.py" serve 10.77.0.3 1883 "$((LONG * 3))"
wait_for_file_text "$T/old.err" listening "$LONG" || diag "oldbroker.py silent"

mc_bg rx h1 recv -i eth0 -n 1 -w "$(tmo 5)" "$G"
wait_listening rx
mc_bg br h2 bridge -i eth0 "$G" mqtt://10.77.0.3/old/t
wait_ready br
check_has "the bridge says it speaks MQTT 3.1.1" "$T/br.err" \
	"bridge ready: $G <-> mqtt://10.77.0.3:1883/old/t (MQTT 3.1.1, QoS 0)"
wait_exit rx "$((LONG + 5))"
check_rc "the receiver on h1 got the broker's message" 0 "$RC"
check_match "its payload, unchanged" "$T/rx.out" \
	"^10\\.77\\.0\\.2:[0-9]+ -> $G on eth0, 19 bytes: from the old broker\$"
mc_run tx h1 send -i eth0 "$G" "via 3.1.1"
check_rc "the sender exits 0" 0 "$RC"
wait_for_file_text "$T/old.out" '"payload": "via 3.1.1"' "$LONG" ||
	diag "no PUBLISH at the old broker"
check_eq "the old broker got the datagram as one PUBLISH on old/t" \
	'{"topic": "old/t", "payload": "via 3.1.1"}' "$(grep -F '"topic"' "$T/old.out")"
check_eq "it was asked for 5 first, then 3.1.1" '{"connect": 5} {"connect": 4}' \
	"$(grep -F '"connect"' "$T/old.out" | tr '\n' ' ' | sed 's/ $//')"
stop_bridge br
check_rc "the bridge exits 0 on SIGTERM" 0 "$RC"
check_match "its summary: one datagram each way" "$T/br.err" \
	"summary: 1 datagram to MQTT \\(of 1 received\\), 1 message to the group;"

mc_run only5 h2 bridge -i eth0 --to-mqtt --protocol 5 "$G" mqtt://10.77.0.3/old/t
check_rc "--protocol 5: exit status 1" 1 "$RC"
check_has "--protocol 5: the broker's reason" "$T/only5.err" \
	"mcast: cannot connect to the broker mqtt://10.77.0.3:1883: the broker refused the connection: "
check_has "--protocol 5: names the protocol version" "$T/only5.err" "Unsupported Protocol Version"
finish
