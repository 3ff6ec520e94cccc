#!/bin/bash
# t_bridge_reconnect.sh - mcast bridge loses the broker and gets it back.
#
# h1 publishes to the group, h2 bridges it to MQTT, h3 runs the broker
# (Debian's mosquitto, persistent) and a paho-mqtt subscriber with a
# persistent session. First, with QoS 1, the broker is stopped and started
# again mid-stream: the bridge says it lost the broker and got it back,
# reconnects by itself, and every datagram reaches the subscriber (at
# least once, as QoS 1 promises). Then, with QoS 0 and --queue 10, the
# broker is away while 50 datagrams arrive: exactly the first 10 wait and
# are delivered after it returns, and 40 are counted as dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mqttlib.sh"
need_netns
need_mosquitto
need_paho
need_python

# The publisher sends for 3 s (6 s under valgrind); the broker goes away
# after 1 s (2 s) for about a second, so that the outage falls inside.
N=300 IV=10ms AWAY=1
[ -n "$MCAST_WRAP" ] && N=150 IV=40ms AWAY=2
G=239.8.8.8:5000
lab_bridge3
CONF=("listener 1883 10.77.0.3" "listener 1883 127.0.0.1" "allow_anonymous true"
	"queue_qos0_messages true" "max_queued_messages 0")
broker_start mq h3 "${CONF[@]}" || finish
bg sub h3 "$PAHO" "$NET_DIR/mqttpy.py" psub 127.0.0.1 1883 'rc/#' "$((10 * SLOW))" watcher 1
wait_for_file_text "$T/sub.err" subscribed "$LONG" || diag "subscriber silent"

# ---- QoS 1: the broker restarts mid-stream --------------------------------
mc_bg br h2 bridge -i eth0 --to-mqtt --qos 1 --queue 1000 "$G" 'mqtt://10.77.0.3/rc/one'
wait_ready br
mc_bg tx h1 send -i eth0 -n "$N" -I "$IV" -T 'reading {seq}' "$G"
sleep "$AWAY"
broker_stop mq
check_rc "broker stops on SIGTERM" 0 "$RC"
sleep 1
broker_start mq h3 || finish
wait_exit tx "$((LONG + 10))"
check_rc "publisher exits 0" 0 "$RC"
wait_for_file_text "$T/br.err" "back after" "$LONG" || diag "bridge not back"

wait_exit sub "$((LONG + 20))"
check_rc "subscriber ends after its silence" 0 "$RC"
stop_bridge br
check_rc "bridge exits 0 on SIGTERM" 0 "$RC"

got=$(jget "$T/sub.out" 'len(L)')
distinct=$(jget "$T/sub.out" 'len({x["head"] for x in L})')
check_eq "QoS 1: every one of the $N datagrams reached the subscriber" "$N" "$distinct"
[ "$got" = "$distinct" ] || diag "QoS 1 redelivered $((got - distinct)) (at least once)"
check_eq "QoS 1: the payloads are the publisher's" "reading 1 reading $N" \
	"$(jget "$T/sub.out" 'min(L, key=lambda x: int(x["head"].split()[1]))["head"]' \
		'max(L, key=lambda x: int(x["head"].split()[1]))["head"]')"
check_has "the bridge says it lost the broker" "$T/br.err" \
	"mcast: warning: lost the broker mqtt://10.77.0.3:1883: "
check_match "and that it got it back, with what it queued" "$T/br.err" \
	"mcast: warning: broker mqtt://10.77.0.3:1883 back after [0-9]+\\.[0-9]s; [0-9]+ datagrams? queued"
check_match "summary: all $N to MQTT, something queued, nothing dropped" "$T/br.err" \
	"summary: $N datagrams to MQTT \\(of $N received\\), 0 messages to the group; queued 0 \\(at most [1-9][0-9]*\\); dropped 0 queue full, 0 lost with the connection, 0 too large, 0 refused, 0 not sent; 0 unsent at exit"
check_match "summary: one outage, reconnected" "$T/br.err" "1 outage, [1-9][0-9]* reconnects?$"

# ---- QoS 0, --queue 10: the broker away for 50 datagrams ------------------
bg sub2 h3 "$PAHO" "$NET_DIR/mqttpy.py" psub 127.0.0.1 1883 'rc/#' "$((6 * SLOW))" watcher2 0
wait_for_file_text "$T/sub2.err" subscribed "$LONG" || diag "subscriber 2 silent"
mc_bg br2 h2 bridge -i eth0 --to-mqtt --qos 0 --queue 10 --json "$G" 'mqtt://10.77.0.3/rc/two'
wait_ready br2
broker_stop mq
wait_for_file_text "$T/br2.err" "lost the broker" "$LONG" || diag "bridge 2 did not notice"
mc_run tx2 h1 send -i eth0 -n 50 -I 2ms -T 'late {seq}' "$G"
check_rc "publisher 2 exits 0" 0 "$RC"
sleep 0.5
broker_start mq h3 || finish
wait_for_file_text "$T/br2.err" "back after" "$LONG" || diag "bridge 2 not back"
wait_exit sub2 "$((LONG + 20))"
stop_bridge br2
check_rc "bridge 2 exits 0 on SIGTERM" 0 "$RC"
check_eq "QoS 0: the subscriber got exactly the 10 that waited, as JSON records, in order" \
	"$(for i in $(seq 1 10); do printf 'late %d ' "$i"; done | sed 's/ $//')" \
	"$(jget "$T/sub2.out" '" ".join(json.loads(x["body"])["data"] for x in L)')"
check_match "the bridge says the broker is back with 10 queued" "$T/br2.err" \
	"back after [0-9]+\\.[0-9]s; 10 datagrams queued"
S2() { jget "$T/br2.out" "$1"; }
check_eq "JSON summary: received 50, to_mqtt 10, queue_full 40, queue_max 10, outages 1" \
	"50 10 40 10 1" \
	"$(S2 'S["received"]') $(S2 'S["to_mqtt"]') $(S2 'S["queue_full"]') $(S2 'S["queue_max"]') $(S2 'S["outages"]')"
check_has "the full queue is said once on stderr" "$T/br2.err" \
	"mcast: warning: the queue of 10 datagrams is full; dropping (counted)"
finish
