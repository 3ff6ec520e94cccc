#!/bin/bash
# t_bridge_sites.sh - two sites joined by mcast bridge through a broker.
#
# Site A (br0): publisher a1, bridge a2, receiver a3. Site B (br1):
# publisher b1, bridge b2, receiver b3. The broker (Debian's mosquitto)
# runs on r, which sits on both and forwards no multicast. Both bridges run
# both ways on one topic pattern, with QoS 1. Each site's publisher sends
# N numbered datagrams at once; a paho-mqtt client publishes M messages
# straight to the broker. Each receiver must get exactly its own site's N
# (from the publisher), the other site's N and the M (from its bridge),
# nothing twice and nothing looped back; an independent mosquitto_sub sees
# each site's N exactly once on the broker.
#
# With BRIDGE_PROTOCOL=3.1.1 (t_bridge_sites311.sh) the bridges speak MQTT
# 3.1.1, which has no no-local: the broker sends each bridge its own
# messages back, and the bridge must recognise them itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_mosquitto
need_paho
need_python

N=200
M=50
[ -n "$MCAST_WRAP" ] && N=40 M=10
G=239.7.7.7:5000
PROTO=${BRIDGE_PROTOCOL:-5}

switch_add sw br0 br1
ns_add r
attach sw br0 r eth0 r0 10.79.1.1/24 fd79:1::1/64
attach sw br1 r eth1 r1 10.79.2.1/24 fd79:2::1/64
for h in a1 a2 a3 b1 b2 b3; do
	ns_add "$h"
done
attach sw br0 a1 eth0 pa1 10.79.1.11/24 fd79:1::11/64
attach sw br0 a2 eth0 pa2 10.79.1.12/24 fd79:1::12/64
attach sw br0 a3 eth0 pa3 10.79.1.13/24 fd79:1::13/64
attach sw br1 b1 eth0 pb1 10.79.2.21/24 fd79:2::21/64
attach sw br1 b2 eth0 pb2 10.79.2.22/24 fd79:2::22/64
attach sw br1 b3 eth0 pb3 10.79.2.23/24 fd79:2::23/64
for h in a1 a2 a3 b1 b2 b3; do
	in_ns "$h" ip route add 224.0.0.0/4 dev eth0
done

broker_start mq r "listener 1883 10.79.1.1" "listener 1883 10.79.2.1" \
	"listener 1883 127.0.0.1" "allow_anonymous true" || finish

TOPIC='lab/{group}/{source}'
mc_bg brA a2 bridge -i eth0 --qos 1 --protocol "$PROTO" "$G" "mqtt://10.79.1.1/$TOPIC"
mc_bg brB b2 bridge -i eth0 --qos 1 --protocol "$PROTO" "$G" "mqtt://10.79.2.1/$TOPIC"
# A third bridge, one way, publishes site B's traffic as JSON records.
mc_bg brJ b3 bridge -i eth0 --to-mqtt --json --progress 300ms "$G" \
	"mqtt://10.79.2.1/json/{group}"
bg watch r mosquitto_sub -h 127.0.0.1 -V mqttv5 -q 1 -t 'lab/#' -v
bg watchJ r mosquitto_sub -h 127.0.0.1 -t 'json/#' -v
bg paho r "$PAHO" "$NET_DIR/mqttpy.py" sub 127.0.0.1 1883 'lab/#' "$((6 * SLOW))" 1
wait_ready brA
wait_ready brB
wait_ready brJ
wait_for_file_text "$T/paho.err" subscribed "$LONG" || diag "paho subscriber silent"

mc_bg rxA a3 recv -i eth0 -w "$(tmo 3)" "$G"
mc_bg rxB b3 recv -i eth0 -w "$(tmo 3)" "$G"
wait_listening rxA
wait_listening rxB

# Both sites at once, and a third publisher on the broker itself.
mc_bg txA a1 send -i eth0 -n "$N" -I 2ms -T 'siteA {seq}' "$G"
mc_bg txB b1 send -i eth0 -n "$N" -I 2ms -T 'siteB {seq}' "$G"
bg pub r "$PAHO" "$NET_DIR/mqttpy.py" pub 127.0.0.1 1883 lab/239.7.7.7/paho "$M" 64 paho 1
wait_exit txA "$LONG"
check_rc "site A publisher exits 0" 0 "$RC"
wait_exit txB "$LONG"
check_rc "site B publisher exits 0" 0 "$RC"
wait_exit pub "$LONG"
check_rc "paho publisher exits 0" 0 "$RC"

wait_exit rxA "$((LONG + 10))"
check_rc "site A receiver exits 0 after silence" 0 "$RC"
wait_exit rxB "$((LONG + 10))"
check_rc "site B receiver exits 0 after silence" 0 "$RC"

# payloads FILE SOURCE: the payloads of recv's text lines from SOURCE, sorted.
payloads() {
	sed -n "s/^$2:[0-9]* -> [^ ]* on eth0, [0-9]* bytes: //p" "$1" | sort
}
seqs() {
	for ((i = 1; i <= $2; i++)); do echo "$1 $i"; done | sort
}
expect_paho=$(for ((i = 1; i <= M; i++)); do printf 'paho %d %s\n' "$i" \
	"$(printf '%*s' $((64 - 6 - ${#i})) '' | tr ' ' .)"; done | sort)

check_eq "site A hears its publisher's $N once each" "$(seqs siteA "$N")" \
	"$(payloads "$T/rxA.out" 10.79.1.11)"
check_eq "site A hears site B's $N and the $M from MQTT, once each, via bridge A" \
	"$( (seqs siteB "$N"; echo "$expect_paho") | sort)" \
	"$(payloads "$T/rxA.out" 10.79.1.12)"
check_eq "site A hears nothing else" "$((2 * N + M))" "$(nlines "$T/rxA.out")"
check_eq "site B hears its publisher's $N once each" "$(seqs siteB "$N")" \
	"$(payloads "$T/rxB.out" 10.79.2.21)"
check_eq "site B hears site A's $N and the $M from MQTT, once each, via bridge B" \
	"$( (seqs siteA "$N"; echo "$expect_paho") | sort)" \
	"$(payloads "$T/rxB.out" 10.79.2.22)"
check_eq "site B hears nothing else" "$((2 * N + M))" "$(nlines "$T/rxB.out")"

stop_bridge brA
check_rc "bridge A exits 0 on SIGTERM" 0 "$RC"
stop_bridge brB
check_rc "bridge B exits 0 on SIGTERM" 0 "$RC"
stop_bridge brJ
check_rc "the JSON bridge exits 0 on SIGTERM" 0 "$RC"
kill -TERM "${PID[watchJ]}" 2>/dev/null
wait_exit watchJ "$LONG"
wait_exit paho "$((LONG + 10))"
kill -TERM "${PID[watch]}" 2>/dev/null
wait_exit watch "$LONG"

# The broker saw each site's datagrams exactly once (plus paho's M).
check_eq "mosquitto_sub: site A's datagrams once each on lab/239.7.7.7/10.79.1.11" \
	"$N" "$(grep -c '^lab/239.7.7.7/10.79.1.11 ' "$T/watch.out")"
check_eq "mosquitto_sub: site B's datagrams once each on lab/239.7.7.7/10.79.2.21" \
	"$N" "$(grep -c '^lab/239.7.7.7/10.79.2.21 ' "$T/watch.out")"
check_eq "mosquitto_sub: nothing else on lab/#" "$((2 * N + M))" "$(nlines "$T/watch.out")"
check_eq "paho: $((2 * N + M)) messages on lab/#" "$((2 * N + M))" "$(nlines "$T/paho.out")"
props=$((2 * N))
[ "$PROTO" = 5 ] || props=0
check_eq "paho: bridge messages carry the mcast-bridge user property (MQTT 5 only)" "$props" \
	"$(grep -c '"user": \[\["mcast-bridge", "[0-9a-f]\{16\}"\]\]' "$T/paho.out")"
check_eq "JSON bridge: a record for each of site B's $((2 * N + M)) datagrams" \
	"$((2 * N + M))" "$(grep -c '^json/239.7.7.7 {"event":"message","time":"' "$T/watchJ.out")"
check_eq "JSON bridge: records name source, group, interface and payload" "$N" \
	"$(grep -c '"source":"10.79.2.21","source_port":[0-9]*,"group":"239.7.7.7","port":5000,"interface":"eth0","bytes":[0-9]*,"data":"siteB [0-9]*"}$' "$T/watchJ.out")"

# What each bridge says it did.
# With 3.1.1 the broker echoes each bridge's N messages back to it.
own=0
[ "$PROTO" = 5 ] || own=$N
check_match "bridge A: $N to MQTT, $((N + M)) to the group, $((N + M)) own datagrams and $own own messages not looped" \
	"$T/brA.err" "summary: $N datagrams to MQTT \\(of $N received\\), $((N + M)) messages to the group; .*not looped: $((N + M)) own datagrams, $own own messages?;"
check_has "bridge A: nothing dropped" "$T/brA.err" \
	"dropped 0 queue full, 0 lost with the connection, 0 too large, 0 refused, 0 not sent; 0 unsent at exit"
check_has "bridge A: MQTT $PROTO" "$T/brA.err" "(MQTT $PROTO, QoS 1)"
check "the JSON bridge: progress events on stdout" grep -q '^{"event":"progress","elapsed_s":' "$T/brJ.out"
check_match "bridge B: $N to MQTT, $((N + M)) to the group, $((N + M)) own datagrams and $own own messages not looped" \
	"$T/brB.err" "summary: $N datagrams to MQTT \\(of $N received\\), $((N + M)) messages to the group; .*not looped: $((N + M)) own datagrams, $own own messages?;"
sj() { jget "$T/brJ.out" "$1"; }
check_eq "JSON bridge summary: received, to_mqtt, from_mqtt, own_datagrams" \
	"$((2 * N + M)) $((2 * N + M)) 0 0" \
	"$(sj 'S["received"]') $(sj 'S["to_mqtt"]') $(sj 'S["from_mqtt"]') $(sj 'S["own_datagrams"]')"
check_eq "JSON bridge summary: nothing dropped or unsent" "0 0 0 0 0 0" \
	"$(sj 'S["queue_full"]') $(sj 'S["lost"]') $(sj 'S["too_large"]') $(sj 'S["refused"]') $(sj 'S["send_failed"]') $(sj 'S["unsent"]')"
check_empty "bridge A: no warnings" <(grep -v -e 'listening on' -e 'bridge ready' -e 'summary:' "$T/brA.err")
finish
