#!/bin/bash
# t_bridge_flood.sh - mcast bridge under a flood of garbage on the group
# and of MQTT messages too large for a datagram.
#
# h1 floods the group with random bytes (flood.py, plain Python sockets)
# while mcast send publishes real datagrams; the bridge on h2 carries every
# one of them to the broker on h3 unchanged: a paho-mqtt subscriber counts
# exactly the flood's datagrams and bytes plus the real ones. Then paho
# publishes messages of 70000 bytes (more than a datagram holds), 3000
# bytes (fragmented, with --fragment) and 100 bytes: the big ones are counted and dropped with the limit
# named, never cut; a receiver on h1 gets each other one whole, once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_mosquitto
need_paho
need_python

N=20000 RATE=4000 REAL=200 BIG=20 MID=10 SMALL=30
[ -n "$MCAST_WRAP" ] && N=1000 RATE=500 REAL=50 BIG=5 MID=5 SMALL=10
G=239.6.6.6:5000
lab_bridge3
# No limit on what the broker holds for a slow subscriber: what is counted
# at the subscriber is then what the bridge published.
broker_start mq h3 "listener 1883 10.77.0.3" "listener 1883 127.0.0.1" \
	"allow_anonymous true" "max_queued_messages 0" || finish

# ---- a flood of garbage on the group -> MQTT -----------------------------
bg sub h3 "$PAHO" "$NET_DIR/mqttpy.py" sub 127.0.0.1 1883 fl/in "$((4 * SLOW))" 0
wait_for_file_text "$T/sub.err" subscribed "$LONG" || diag "subscriber silent"
mc_bg br h2 bridge -i eth0 --rcvbuf 8M --fragment "$G" mqtt://10.77.0.3/fl/in
wait_ready br
bg flood h1 "$PYTHON" "$NET_DIR/flood.py" send eth0 "$RATE" 11 "$G:random=$N"
mc_run real h1 send -i eth0 -n "$REAL" -I 5ms -T 'real {seq}' "$G"
check_rc "the real sender exits 0" 0 "$RC"
wait_exit flood "$((LONG + 30))"
check_rc "flood.py exits 0 (every datagram sent)" 0 "$RC"
fbytes=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"][sys.argv[2]])' "$T/flood.out" "$G")
rbytes=$(for ((i = 1; i <= REAL; i++)); do printf 'real %d' "$i"; done | wc -c)
wait_exit sub "$((LONG + 30))"
check_rc "the subscriber ends after its silence" 0 "$RC"
check_eq "MQTT: every datagram of the flood and of the sender, once" "$((N + REAL))" \
	"$(nlines "$T/sub.out")"
check_eq "MQTT: their bytes, unchanged in size" "$((fbytes + rbytes))" \
	"$(jget "$T/sub.out" 'sum(x["len"] for x in L)')"
check_eq "MQTT: the real sender's payloads among them" "$REAL" \
	"$(grep -c '"head": "real [0-9]*"' "$T/sub.out")"

# ---- MQTT messages larger than a datagram -> the group --------------------
mc_bg rx h1 recv -i eth0 -w "$(tmo 3)" "$G"
wait_listening rx
bg pbig h3 "$PAHO" "$NET_DIR/mqttpy.py" pub 127.0.0.1 1883 fl/in "$BIG" 70000 big 1
bg pmid h3 "$PAHO" "$NET_DIR/mqttpy.py" pub 127.0.0.1 1883 fl/in "$MID" 3000 mid 1
bg psmall h3 "$PAHO" "$NET_DIR/mqttpy.py" pub 127.0.0.1 1883 fl/in "$SMALL" 100 small 1
for p in pbig pmid psmall; do
	wait_exit "$p" "$LONG"
	check_rc "paho publisher $p exits 0" 0 "$RC"
done
wait_exit rx "$((LONG + 10))"
check_rc "the receiver exits 0 after its silence" 0 "$RC"
stop_bridge br
check_rc "the bridge exits 0 on SIGTERM" 0 "$RC"

check_eq "group: the 3000- and 100-byte messages, each once" "$((MID + SMALL))" "$(nlines "$T/rx.out")"
check_eq "group: the 3000-byte ones whole (fragmented, with --fragment)" "$MID" \
	"$(grep -c '^10.77.0.2:[0-9]* -> 239.6.6.6:5000 on eth0, 3000 bytes: mid ' "$T/rx.out")"
check_eq "group: the 100-byte ones whole" "$SMALL" \
	"$(grep -c '^10.77.0.2:[0-9]* -> 239.6.6.6:5000 on eth0, 100 bytes: small ' "$T/rx.out")"
check_lacks "group: nothing of the big ones, not even cut" "$T/rx.out" ": big "
check_has "the bridge names the limit, once" "$T/br.err" \
	"mcast: warning: a message of 70000 bytes on fl/in is larger than a datagram allows (65507 bytes): dropped, not cut (counted as too large)"
check_eq "the warning is said once" 1 "$(grep -c 'is larger than' "$T/br.err")"
check_match "summary: $((N + REAL)) to MQTT, $((MID + SMALL)) to the group, $BIG too large" \
	"$T/br.err" "summary: $((N + REAL)) datagrams to MQTT \\(of $((N + REAL)) received\\), $((MID + SMALL)) messages to the group; .* 0 queue full, 0 lost with the connection, $BIG too large, 0 refused, 0 not sent; 0 unsent at exit"
finish
