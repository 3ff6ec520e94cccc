#!/bin/bash
# bench/bridge.sh - what mcast bridge costs on the way from a group to an
# MQTT subscriber, against the broker's own ceiling, in one run.
#
#   sudo bench/bridge.sh [-n MESSAGES] [-o REPORT.md] [-p PERF-PREFIX] [-a BRIDGE-OPTIONS]
#
# -a adds options to the bridge of pass 2 (e.g. "--qos 1", "--protocol 3.1.1").
# With -p, perf(1) records the bridge (call graphs) during each pass of 2,
# into PERF-PREFIX.RATE.data, for `perf report -i`.
#
# Topology: a switch namespace with a bridge (snooping off) and hosts h1
# h2 h3 with a veth each. The broker (Debian's mosquitto) and mosquitto_sub
# run on h3, bound to h3's lab address. Nothing touches the host's own
# interfaces; every process and namespace is removed on exit.
#
#  1. Ceiling: mosquitto_pub -l on h2 publishes MESSAGES 64-byte lines (QoS
#     0) to the broker; mosquitto_sub -C MESSAGES -F %U on h3 receives them
#     and stamps each. The rate is what arrived over the time from the
#     first to the last arrival (the subscriber gives up after 60 s).
#  2. Bridge: mcast bench send on h1 sends MESSAGES 64-byte datagrams to
#     239.4.4.4:5000 at 0.9x and at 1.0x the ceiling; mcast bridge
#     --to-mqtt on h2 publishes them (QoS 0) to the broker; mosquitto_sub
#     -C MESSAGES on h3. Reported: what bench send sent, what the bridge
#     received and published (its summary), the UDP receive-buffer drops
#     in h2, what the subscriber got, and its rate measured as in 1.
#  3. Latency at 1000 messages/s: group to subscriber through the bridge
#     (t_send in each bench datagram against mosquitto_sub's receive time,
#     -F %U), and publisher to subscriber without it (a paho-mqtt publisher
#     on h2 stamping each message); p50 and p99, and the difference at p50.
set -u
N=200000
OUT=
PERF=
ARGS=
while getopts n:o:p:a: opt; do
	case $opt in
	n) N=$OPTARG ;;
	o) OUT=$OPTARG ;;
	p) PERF=$OPTARG ;;
	a) ARGS=$OPTARG ;;
	*) echo "usage: $0 [-n MESSAGES] [-o REPORT.md] [-p PERF-PREFIX] [-a BRIDGE-OPTIONS]" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
MCAST=${MCAST:-$here/build/mcast}
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "bridge.sh: needs root (ip netns)" >&2; exit 2; }
[ -x "$MCAST" ] || { echo "bridge.sh: build mcast first (make)" >&2; exit 2; }
[ -x "$MOSQUITTO" ] && command -v mosquitto_sub >/dev/null &&
	"$PY" -c 'import paho.mqtt.client' 2>/dev/null ||
	{ echo "bridge.sh: needs mosquitto, mosquitto-clients, python3-paho-mqtt" >&2; exit 2; }

P=mqb$$
T=$(mktemp -d)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
BROKER=
cleanup() {
	[ -n "$BROKER" ] && kill "$BROKER" 2>/dev/null
	for ns in h1 h2 h3 sw; do
		ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$P-$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }
ip netns add "$P-sw"
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0 stp_state 0
ip -n "$P-sw" link set br0 up
for n in 1 2 3; do
	ip netns add "$P-h$n"
	ip -n "$P-h$n" link set lo up
	ip -n "$P-sw" link add "p$n" type veth peer name eth0 netns "$P-h$n"
	ip -n "$P-sw" link set "p$n" master br0 up
	ip -n "$P-h$n" addr add "10.76.0.$n/24" dev eth0
	ip -n "$P-h$n" link set eth0 up
	ip -n "$P-h$n" route add 224.0.0.0/4 dev eth0
done

cat >"$T/mq.conf" <<CONF
user root
listener 1883 10.76.0.3
allow_anonymous true
max_queued_messages 0
CONF
ip netns exec "$P-h3" "$MOSQUITTO" -c "$T/mq.conf" >"$T/mq.log" 2>&1 &
BROKER=$!
sleep 1

# ---- 1. the broker's ceiling ----------------------------------------------
"$PY" -c 'import sys
n = int(sys.argv[1])
sys.stdout.write("".join("%-64s\n" % ("m%d" % i) for i in range(n)))' "$N" | tr ' ' . >"$T/lines"
# rate FILE: messages and messages/s in mosquitto_sub -F %U output.
rate() {
	"$PY" -c 'import sys
t = [float(l) for l in open(sys.argv[1]) if l.strip()]
print(len(t), int((len(t) - 1) / (t[-1] - t[0])) if len(t) > 1 else 0)' "$1"
}
# cpu_us PID: the CPU time (user and system) process PID has used, in us.
TCK=$(getconf CLK_TCK)
cpu_us() {
	awk -v t="$TCK" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1e6 / t) }' "/proc/$1/stat"
}
# TCP segments sent from h2 (the bridge's namespace) so far.
tcp_out_segs() {
	in_ns h2 awk '/^Tcp:/ { if (n++) print $12 }' /proc/net/snmp
}
# pstat_start PID FILE: count the system calls and the context switches
# (each a sleep or a preemption) of process PID into FILE, if perf(1) can;
# perf's PID in PSTAT. pstat_stop PERF-PID: stop it, its FILE written.
# pstat FILE EVENT: the count of EVENT ("?" unknown).
PERF_OK=$(perf stat -e raw_syscalls:sys_enter,context-switches -x, -o /dev/null true 2>/dev/null && echo 1)
pstat_start() {
	PSTAT=
	[ -n "$PERF_OK" ] || return 0
	perf stat -e raw_syscalls:sys_enter,context-switches -x, -p "$1" -o "$2" >/dev/null 2>&1 &
	PSTAT=$!
}
pstat_stop() {
	[ -n "$1" ] || return 0
	kill -INT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
pstat() {
	awk -F, -v e="$2" '$3 == e { print $1 }' "$1" 2>/dev/null
}
# per COUNT N: COUNT / N with two decimals ("?" when unknown).
per() {
	"$PY" -c 'import sys
c, n = sys.argv[1:]
print("%.2f" % (int(c) / float(n)) if c.isdigit() and int(n) else "?")' "$1" "$2"
}
in_ns h3 mosquitto_sub -h 10.76.0.3 -t bench -C "$N" -W 60 -F '%U' >"$T/ceil.out" &
sub=$!
sleep 0.5
b0=$(cpu_us "$BROKER") segs0=$(tcp_out_segs)
pstat_start "$BROKER" "$T/bps.out"
in_ns h2 timeout 120 mosquitto_pub -h 10.76.0.3 -t bench -l <"$T/lines"
wait "$sub"
pstat_stop "$PSTAT"
ceil_bsc=$(per "$(pstat "$T/bps.out" raw_syscalls:sys_enter)" "$N")
ceil_bcs=$(per "$(pstat "$T/bps.out" context-switches)" "$N")
ceil_cpu=$(( ($(cpu_us "$BROKER") - b0) * 10 / N ))
ceil_segs=$("$PY" -c "print('%.2f' % (($(tcp_out_segs) - $segs0) / $N))")
read -r ceil_got ceil < <(rate "$T/ceil.out")
echo "ceiling: $ceil_got of $N at $ceil messages/s" >&2

# ---- 2. through the bridge --------------------------------------------------
# UDP receive-buffer drops in h2 (the bridge's namespace) so far.
rcvbuf_errors() {
	in_ns h2 awk '/^Udp:/ { if (n++) print $6 }' /proc/net/snmp
}
# run_bridge RATE: one pass; prints a Markdown table row.
run_bridge() {
	local rate=$1 got r sent
	# ip netns exec itself (not in_ns, a function: its $! would be a
	# subshell's), so that the signal reaches the bridge.
	local drops0
	drops0=$(rcvbuf_errors)
	# No --json: it would publish a JSON record of each datagram (several
	# times the 64 bytes the ceiling carries); the text summary says the
	# same counts, the namespace's UDP counters the kernel's drops.
	# shellcheck disable=SC2086 # ARGS is a list of options
	ip netns exec "$P-h2" "$MCAST" bridge -i eth0 --to-mqtt --rcvbuf 8M --queue 100000 $ARGS \
		239.4.4.4:5000 mqtt://10.76.0.3/bench >"$T/br.out" 2>"$T/br.err" &
	local br=$!
	for _ in $(seq 100); do grep -q "bridge ready" "$T/br.err" && break; sleep 0.05; done
	in_ns h3 mosquitto_sub -h 10.76.0.3 -t bench -C "$N" -W 60 -F '%U' >"$T/sub.out" &
	local sub=$!
	sleep 0.5
	local perf=
	if [ -n "$PERF" ]; then
		perf record -q -g -F 499 -p "$br" -o "$PERF.$rate.data" 2>"$T/perf.err" &
		perf=$!
	fi
	# System calls of the bridge and the broker, counted by perf(1).
	local b0 c0 bcpu ccpu segs0 sc bps
	pstat_start "$br" "$T/sc.out"
	sc=$PSTAT
	pstat_start "$BROKER" "$T/bps.out"
	bps=$PSTAT
	segs0=$(tcp_out_segs)
	b0=$(cpu_us "$BROKER") c0=$(cpu_us "$br")
	in_ns h1 "$MCAST" bench send -i eth0 --size 64 --rate "$rate" -n "$N" --json \
		239.4.4.4:5000 >"$T/bs.out" 2>"$T/bs.err"
	wait "$sub"
	bcpu=$(( ($(cpu_us "$BROKER") - b0) * 10 / N )) ccpu=$(( ($(cpu_us "$br") - c0) * 10 / N ))
	local segs=$(( $(tcp_out_segs) - segs0 )) calls bcalls bcs
	pstat_stop "$sc"
	pstat_stop "$bps"
	calls=$(pstat "$T/sc.out" raw_syscalls:sys_enter)
	bcalls=$(pstat "$T/bps.out" raw_syscalls:sys_enter)
	bcs=$(pstat "$T/bps.out" context-switches)
	[ -n "$perf" ] && kill -INT "$perf" && wait "$perf"
	kill -TERM "$br"
	wait "$br"
	read -r got r < <(rate "$T/sub.out")
	sent=$("$PY" -c 'import json,sys
L=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print([x for x in L if x.get("event")=="summary"][-1]["sent"])' "$T/bs.out" 2>/dev/null || echo "?")
	"$PY" - "$T/br.err" "$rate" "$sent" "$got" "$r" "$ceil" "$(($(rcvbuf_errors) - drops0))" \
		"$bcpu" "$ccpu" "${calls:-?}" "$segs" "${bcalls:-?}" "${bcs:-?}" <<'PY'
import re, sys
f, rate, sent, got, r, ceil, drops, bcpu, ccpu, calls, segs, bcalls, bcs = sys.argv[1:]
m = [re.search(r"summary: (\d+) datagrams? to MQTT \(of (\d+) received\)", l)
     for l in open(f)]
pub, rx = [x for x in m if x][-1].groups()
per = lambda v: "%.2f" % (int(v) / float(rx)) if v.isdigit() and int(rx) else "?"
print("| %s | %s | %s | %s | %s | %s | %s | %.2f | %.1f | %.1f | %s | %s | %s | %s |" % (rate, sent,
      rx, pub, drops, got, r, int(r) / float(ceil), int(bcpu) / 10, int(ccpu) / 10, per(calls),
      per(segs), per(bcalls), per(bcs)))
PY
}
rows=$(for f in 0.9 1.0; do run_bridge "$("$PY" -c "print(int($ceil * $f))")"; done)

# ---- 3. latency at 1000 messages/s ------------------------------------------
LN=5000
ip netns exec "$P-h2" "$MCAST" bridge -i eth0 --to-mqtt 239.4.4.4:5000 mqtt://10.76.0.3/lat \
	>/dev/null 2>"$T/brl.err" &
brl=$!
for _ in $(seq 100); do grep -q "bridge ready" "$T/brl.err" && break; sleep 0.05; done
in_ns h3 mosquitto_sub -h 10.76.0.3 -t lat -C "$LN" -W 60 -F '%U %x' >"$T/lat.out" &
sub=$!
sleep 0.5
in_ns h1 "$MCAST" bench send -i eth0 --size 64 --rate 1000 -n "$LN" 239.4.4.4:5000 2>/dev/null
wait "$sub"
kill -TERM "$brl"
wait "$brl" 2>/dev/null
in_ns h3 mosquitto_sub -h 10.76.0.3 -t base -C "$LN" -W 60 -F '%U %p' >"$T/base.out" &
sub=$!
sleep 0.5
in_ns h2 "$PY" - "$LN" <<'PY'
import sys, time
import paho.mqtt.client as mqtt
c = mqtt.Client()
c.connect("10.76.0.3", 1883)
c.loop_start()
n = int(sys.argv[1])
t = time.time()
for i in range(n):
    c.publish("base", "%d" % time.time_ns())
    t += 0.001
    d = t - time.time()
    if d > 0:
        time.sleep(d)
time.sleep(0.5)
c.loop_stop()
PY
wait "$sub"
lat=$("$PY" - "$T/lat.out" "$T/base.out" <<'PY'
import sys
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]
br = []
for l in open(sys.argv[1]):
    u, x = l.split()
    br.append(int(u.replace(".", "")) - int(x[48:64], 16))
ba = [int(u.replace(".", "")) - int(p) for u, p in (l.split() for l in open(sys.argv[2]))]
b50, b99, a50, a99 = pct(br, 50), pct(br, 99), pct(ba, 50), pct(ba, 99)
print("| group -> bridge -> broker -> subscriber | %d | %.0f | %.0f |" % (len(br), b50 / 1e3, b99 / 1e3))
print("| publisher -> broker -> subscriber (no bridge) | %d | %.0f | %.0f |" % (len(ba), a50 / 1e3, a99 / 1e3))
print()
print("Added by the bridge at p50: %.0f us (goal: < 1000 us)." % ((b50 - a50) / 1e3))
PY
)

report() {
	cat <<REP
## $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -r), $(nproc) CPUs, mosquitto $("$MOSQUITTO" -h 2>/dev/null | sed -n 's/^mosquitto version //p'), $N messages of 64 bytes, QoS 0${ARGS:+, bridge $ARGS}

Load average before the run: $LOAD0.

Broker ceiling (mosquitto_pub -l -> mosquitto -> mosquitto_sub): **$ceil messages/s**
($ceil_got of $N received); the broker used $((ceil_cpu / 10)).$((ceil_cpu % 10)) us of CPU, $ceil_bsc system calls and $ceil_bcs context switches per message;
mosquitto_pub sent it $ceil_segs TCP segments per message.

| bench send rate | sent | bridge received | bridge published | kernel drops at the bridge | subscriber got | subscriber rate | x ceiling | broker CPU us/msg | bridge CPU us/msg | bridge syscalls/msg | TCP segments/msg to the broker | broker syscalls/msg | broker context switches/msg |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$rows

Latency at 1000 messages/s, microseconds:

| path | messages | p50 | p99 |
|---|---|---|---|
$lat
REP
}
if [ -n "$OUT" ]; then report >"$OUT"; cat "$OUT"; else report; fi
