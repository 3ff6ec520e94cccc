#!/bin/bash
# bench/compare.sh - mcast bench and mcast ping against iperf2 and sockperf,
# on one namespaced topology, in one run, with the same sizes, duration and
# CPU pinning; prints a Markdown report with the ratio of mcast to each peer.
#
#   sudo bench/compare.sh [-d SECONDS] [-s "64 1400"] [-o REPORT.md]
#
# Topology: a switch namespace with a bridge (snooping off) and three hosts
# h1 h2 h3, each with a veth on the bridge. The sender runs on h1 pinned to
# CPU 0, the receiver on h2 pinned to CPU 1; h3 idles on the segment. Nothing
# touches the host's own interfaces; every process and namespace is removed
# on exit, even on failure. Groups are in 239.0.0.0/8.
#
# Throughput: datagrams/s received, from each tool's own report (iperf2's
# server report, mcast bench recv's count) or, for sockperf, whose server
# reports nothing, from the receiver namespace's UDP counters (InDatagrams,
# which counts datagrams the application read). Those counters are printed
# for every run as a cross-check. Loss is what the sender sent and the
# receiver did not count. Latency: sockperf ping-pong against mcast ping and
# pong, both at 1000 messages/s, round-trip p50 and p99.
set -u
DUR=5
SIZES="64 1400"
OUT=
while getopts d:s:o: opt; do
	case $opt in
	d) DUR=$OPTARG ;;
	s) SIZES=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-d SECONDS] [-s SIZES] [-o REPORT.md]" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
MCAST=${MCAST:-$here/build/mcast}

[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (ip netns)" >&2; exit 2; }
[ -x "$MCAST" ] || { echo "compare.sh: build mcast first (make)" >&2; exit 2; }
for tool in iperf sockperf taskset python3; do
	command -v $tool >/dev/null && continue
	pkg=$tool
	[ $tool = taskset ] && pkg=util-linux
	echo "compare.sh: installing $pkg (Debian package)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg >/dev/null </dev/null ||
		{ echo "compare.sh: cannot install $pkg" >&2; exit 2; }
done

P=mcb$$
T=$(mktemp -d)
cleanup() {
	for ns in h1 h2 h3 sw; do
		ip netns pids "$P-$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$P-$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$T" || exit 1

ip netns add "$P-sw"
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
ip -n "$P-sw" link set br0 up
for n in 1 2 3; do
	ns=$P-h$n
	ip netns add "$ns"
	ip -n "$P-sw" link add p$n type veth peer name eth0 netns "$ns"
	ip -n "$P-sw" link set p$n master br0 up
	ip -n "$ns" addr add 10.99.0.$n/24 dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add 224.0.0.0/4 dev eth0
done
# Senders on CPU 0, receivers on CPU 1 (as the machine allows).
cpus=$(nproc)
C0=0
C1=$((cpus > 1 ? 1 : 0))
on() { host=$1 cpu=$2; shift 2; ip netns exec "$P-$host" taskset -c "$cpu" "$@"; }
snmp() { ip netns exec "$P-h2" awk '/^Udp: [0-9]/ { print $2, $6; exit }' /proc/net/snmp; }

report=$T/report.md
say() { printf '%s\n' "$*" | tee -a "$report"; }
declare -A RATE LOSS

# run_* SIZE: each sets RX (datagrams/s received), LOSSP (percent) and a
# line of the kernel's counters, and leaves nothing running.
run_iperf() {
	local size=$1 before after
	before=$(snmp)
	on h2 $C1 timeout $((DUR + 8)) iperf -s -u -B 239.7.7.1%eth0 -l "$size" \
		-t $((DUR + 4)) >"$T/iperf_s" 2>&1 &
	local srv=$!
	sleep 1
	on h1 $C0 timeout $((DUR + 5)) iperf -c 239.7.7.1 -u -T 1 -b 10G -l "$size" \
		-t "$DUR" >"$T/iperf_c" 2>&1
	wait $srv
	after=$(snmp)
	# The server's report: "... lost/total (percent%)".
	read -r lost total < <(grep -Eo '[0-9]+/ *[0-9]+ +\(' "$T/iperf_s" | tail -n 1 |
		tr -d '(' | tr '/' ' ')
	lost=${lost:-0} total=${total:-0}
	RX=$(awk -v t="$total" -v l="$lost" -v d="$DUR" 'BEGIN { printf "%.0f", (t - l) / d }')
	LOSSP=$(awk -v t="$total" -v l="$lost" 'BEGIN { printf("%.2f", (t ? 100 * l / t : 0)) }')
	KERN="$before -> $after"
}

run_sockperf() {
	local size=$1 before after sent got
	on h2 $C1 timeout $((DUR + 8)) sockperf sr --ip 239.7.7.2 --port 7002 \
		--mc-rx-if 10.99.0.2 >"$T/sp_s" 2>&1 &
	local srv=$!
	sleep 1
	before=$(snmp)
	on h1 $C0 timeout $((DUR + 5)) sockperf tp --ip 239.7.7.2 --port 7002 \
		--mc-tx-if 10.99.0.1 --mps=max -m "$size" -t "$DUR" >"$T/sp_c" 2>&1
	sleep 1
	after=$(snmp)
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	sent=$(grep -Eo 'Total of [0-9]+ messages sent' "$T/sp_c" | grep -Eo '[0-9]+')
	got=$(( ${after%% *} - ${before%% *} ))
	RX=$(awk -v g="$got" -v d="$DUR" 'BEGIN { printf "%.0f", g / d }')
	LOSSP=$(awk -v s="${sent:-0}" -v g="$got" 'BEGIN { printf("%.2f", (s > g ? 100 * (s - g) / s : 0)) }')
	KERN="$before -> $after"
}

run_mcast() {
	local size=$1 gso=$2 before after
	before=$(snmp)
	on h2 $C1 "$MCAST" bench recv -q --json -i eth0 --rcvbuf 8M --gro "$gso" -w 2s \
		239.7.7.3:7003 >"$T/mc_r" 2>"$T/mc_r.err" &
	local rcv=$!
	sleep 1
	on h1 $C0 "$MCAST" bench send -q --json -i eth0 --gso "$gso" --size "$size" \
		-d "${DUR}s" 239.7.7.3:7003 >"$T/mc_s" 2>"$T/mc_s.err"
	wait $rcv
	after=$(snmp)
	read -r RX LOSSP < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "sender":
        print("%.0f %.2f" % (e["received"] / float(sys.argv[2]), e["loss_pct"]))
        break
else:
    print("0 100")' "$T/mc_r" "$DUR")
	KERN="$before -> $after"
}

say "# mcast compared with iperf2 and sockperf"
say ""
say "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); kernel $(uname -r)"
say "$("$MCAST" --version); $(iperf -v 2>&1 | head -n 1); $(sockperf --version 2>&1 | grep -m1 -o 'version.*' || echo sockperf)"
say ""
say "Topology: bridge with 3 hosts in private namespaces, sender on CPU $C0, receiver on CPU $C1, ${DUR}s per run."
say ""
say "## Throughput (datagrams/s received by one receiver)"
say ""
say "| payload | tool | received/s | loss % | kernel UDP InDatagrams RcvbufErrors before -> after |"
say "|---:|---|---:|---:|---|"
for size in $SIZES; do
	for tool in iperf2 sockperf mcast mcast-gso; do
		case $tool in
		iperf2) run_iperf "$size" ;;
		sockperf) run_sockperf "$size" ;;
		mcast) run_mcast "$size" off ;;
		mcast-gso) run_mcast "$size" on ;;
		esac
		RATE[$tool,$size]=$RX
		LOSS[$tool,$size]=$LOSSP
		say "| $size | $tool | $RX | $LOSSP | $KERN |"
	done
done
say ""
say "Ratios of mcast to each peer (received/s):"
say ""
say "| payload | mcast / iperf2 | mcast / sockperf | mcast-gso / iperf2 | mcast-gso / sockperf |"
say "|---:|---:|---:|---:|---:|"
# (In awk, "printf ..., b > 0" would redirect output to a file: parenthesise.)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf("%.2fx", (b > 0 ? a / b : 0)) }'; }
for size in $SIZES; do
	say "| $size | $(ratio "${RATE[mcast,$size]}" "${RATE[iperf2,$size]}") | $(ratio "${RATE[mcast,$size]}" "${RATE[sockperf,$size]}") | $(ratio "${RATE[mcast-gso,$size]}" "${RATE[iperf2,$size]}") | $(ratio "${RATE[mcast-gso,$size]}" "${RATE[sockperf,$size]}") |"
done

# Round trips: sockperf ping-pong against mcast ping/pong, 64 bytes, 1000/s.
lat_sockperf() {
	local extra=$1
	on h2 $C1 timeout $((DUR + 8)) sockperf sr --ip 239.7.7.4 --port 7004 \
		--mc-rx-if 10.99.0.2 >"$T/pp_s" 2>&1 &
	local srv=$!
	sleep 1
	# shellcheck disable=SC2086 # extra options on purpose
	on h1 $C0 timeout $((DUR + 5)) sockperf pp --ip 239.7.7.4 --port 7004 \
		--mc-tx-if 10.99.0.1 -m 64 --mps=1000 -t "$DUR" --full-rtt $extra >"$T/pp_c" 2>&1
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	P50=$(grep -E 'percentile 50\.000' "$T/pp_c" | grep -Eo '[0-9.]+$')
	P99=$(grep -E 'percentile 99\.000' "$T/pp_c" | grep -Eo '[0-9.]+$')
}

lat_mcast() {
	local extra=$1
	on h2 $C1 "$MCAST" pong -q -i eth0 -w $((DUR + 3))s 239.7.7.5:7005 \
		>/dev/null 2>&1 &
	local srv=$!
	sleep 1
	# shellcheck disable=SC2086 # extra options on purpose
	on h1 $C0 "$MCAST" ping -q --json -i eth0 -I 1ms -n $((DUR * 1000)) -w 1s $extra \
		239.7.7.5:7005 >"$T/ping" 2>&1
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	read -r P50 P99 < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "responder":
        print("%.1f %.1f" % (e["rtt_ms"]["p50"] * 1000, e["rtt_ms"]["p99"] * 1000))
        break
else:
    print("0 0")' "$T/ping")
}

say ""
say "## Round-trip latency (64 bytes, 1000 messages/s, microseconds)"
say ""
say "| mode | tool | RTT p50 | RTT p99 |"
say "|---|---|---:|---:|"
declare -A L50
for mode in blocking busy-poll; do
	if [ $mode = blocking ]; then
		lat_sockperf ""
	else
		lat_sockperf "--timeout 0"
	fi
	L50[sockperf,$mode]=${P50:-0}
	say "| $mode | sockperf pp | ${P50:-?} | ${P99:-?} |"
	if [ $mode = blocking ]; then lat_mcast ""; else lat_mcast "--busy-poll"; fi
	L50[mcast,$mode]=${P50:-0}
	say "| $mode | mcast ping | ${P50:-?} | ${P99:-?} |"
done
say ""
say "mcast ping p50 / sockperf pp p50: blocking $(ratio "${L50[mcast,blocking]}" "${L50[sockperf,blocking]}"), busy-poll $(ratio "${L50[mcast,busy-poll]}" "${L50[sockperf,busy-poll]}") (below 1.00x is better)."
say ""
say "Commands (GROUP, SIZE and DURATION as above; each in its namespace, pinned with taskset):"
say ""
say '    iperf -s -u -B 239.7.7.1%eth0 -l SIZE ; iperf -c 239.7.7.1 -u -T 1 -b 10G -l SIZE -t DURATION'
say '    sockperf sr --ip 239.7.7.2 --port 7002 --mc-rx-if 10.99.0.2 ; sockperf tp --ip 239.7.7.2 --port 7002 --mc-tx-if 10.99.0.1 --mps=max -m SIZE -t DURATION'
say '    mcast bench recv -i eth0 --rcvbuf 8M --gro off|on -w 2s 239.7.7.3:7003 ; mcast bench send -i eth0 --gso off|on --size SIZE -d DURATION 239.7.7.3:7003'
say '    sockperf sr ... ; sockperf pp --ip 239.7.7.4 --port 7004 --mc-tx-if 10.99.0.1 -m 64 --mps=1000 -t DURATION --full-rtt [--timeout 0]'
say '    mcast pong -i eth0 239.7.7.5:7005 ; mcast ping -i eth0 -I 1ms -n DURATION*1000 [--busy-poll] 239.7.7.5:7005'
case $OUT in
"") ;;
/*) cp "$report" "$OUT" ;;
*) cp "$report" "$OLDPWD/$OUT" ;;
esac
exit 0
