#!/bin/bash
# bench/filecast.sh - one file to three receivers on a namespaced bridge:
# mcast send/recv --reliable (NORM) against uftp/uftpd and udp-sender/
# udp-receiver (udpcast), same topology, same file, in one run, with 0% and
# with 5% loss at one receiver. Prints a Markdown report.
#
#   sudo bench/filecast.sh [-s SIZE_MIB] [-r ROUNDS] [-t TOOLS] [-o REPORT.md]
#
# -t picks tools (space or comma separated, default "mcast uftp uftp_tuned
# udpcast"). mcast's settings for this bench are options on its command
# lines, MCAST_SEND_ARGS (default "--rate 2G") and MCAST_RECV_ARGS (default
# "--rcvbuf 32M"): replace them to try others (bench/RESULTS.md has the
# measurements).
#
# Topology: a switch namespace with a bridge (snooping off) and hosts h1
# (sender), h2, h3, h4 (receivers), each with a veth on the bridge,
# 10.98.0.N/24, MTU 1500. Loss: nftables on h2 drops 5% of the UDP that
# reaches it (numgen random; the kernel may lack netem).
#
# Figure: wall time from the sender's start until every receiver holds a
# byte-identical copy: the sender has exited and each receiver's copy is in
# place (mcast: the file under its final name, which appears only once
# verified; uftp: the sender exits when every named receiver reported the
# file complete; udpcast: every udp-receiver has exited). Copies are then
# compared by SHA-256 (not timed); a round with a bad or missing copy is
# reported as failed, never timed. Goodput = file size / wall time. Medians
# over ROUNDS, the tools taking turns within each round.
#
# Daemons run only inside the lab namespaces and are stopped by PID; where
# systemd runs, the uftp package's own service is disabled first (it starts
# one on every interface when installed).
set -u
SIZE_MIB=256
ROUNDS=3
OUT=
TOOLS="mcast uftp uftp_tuned udpcast"
while getopts s:r:t:o: opt; do
	case $opt in
	s) SIZE_MIB=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	t) TOOLS=${OPTARG//,/ } ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-s SIZE_MIB] [-r ROUNDS] [-t TOOLS] [-o REPORT.md]" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
MCAST=${MCAST:-$here/build/mcast}
read -r -a SEND_ARGS <<<"${MCAST_SEND_ARGS---rate 2G}"
read -r -a RECV_ARGS <<<"${MCAST_RECV_ARGS---rcvbuf 32M}"

[ "$(id -u)" = 0 ] || { echo "filecast.sh: needs root (ip netns)" >&2; exit 2; }
[ -x "$MCAST" ] || { echo "filecast.sh: build mcast first (make)" >&2; exit 2; }
for tool in uftp:uftp uftpd:uftp udp-sender:udpcast udp-receiver:udpcast nft:nftables; do
	command -v "${tool%%:*}" >/dev/null && continue
	echo "filecast.sh: needs ${tool%%:*} (Debian package ${tool#*:})" >&2
	exit 2
done
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled uftp >/dev/null 2>&1; then
	echo "filecast.sh: disabling the uftp package's own service" >&2
	systemctl disable --now uftp
fi

P=mcf$$
T=$(mktemp -d)
DAEMONS=()
cleanup() {
	local pid ns
	for pid in "${DAEMONS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.2
	for pid in "${DAEMONS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for ns in h1 h2 h3 h4 sw; do
		for pid in $(ip netns pids "$P-$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$P-$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$P-sw"
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
ip -n "$P-sw" link set br0 up
for n in 1 2 3 4; do
	ns=$P-h$n
	ip netns add "$ns"
	ip -n "$P-sw" link add "p$n" type veth peer name eth0 netns "$ns"
	ip -n "$P-sw" link set "p$n" master br0 up
	ip -n "$ns" addr add "10.98.0.$n/24" dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add 224.0.0.0/4 dev eth0
done
at() { local h=$1; shift; ip netns exec "$P-$h" "$@"; }
at h2 nft add table inet loss
at h2 nft add chain inet loss in '{ type filter hook input priority 0; }'
set_loss() {
	at h2 nft flush chain inet loss in
	[ "$1" = 0 ] || at h2 nft add rule inet loss in udp dport != 22 numgen random mod 100 \< "$1" drop
}

FILE=$T/payload.bin
head -c $((SIZE_MIB << 20)) /dev/urandom >"$FILE"
WANT=$(sha256sum "$FILE" | cut -d' ' -f1)
RECEIVERS="h2 h3 h4"
now() { date +%s.%N; }

# copies_ok DIR...: each DIR holds a byte-identical payload.bin.
copies_ok() {
	local d
	for d in "$@"; do
		[ "$(sha256sum "$d/payload.bin" 2>/dev/null | cut -d' ' -f1)" = "$WANT" ] || return 1
	done
}

fresh_dirs() {
	local h
	rm -rf "$T/out"
	for h in $RECEIVERS; do mkdir -p "$T/out/$h"; done
}

# Each run_TOOL PORT prints the wall time in seconds, or "fail".
run_mcast() {
	local port=$1 h pids=() t0 t1 s
	fresh_dirs
	for h in $RECEIVERS; do
		at "$h" "$MCAST" recv --reliable -i eth0 --output "$T/out/$h" -n 1 -w 60s "${RECV_ARGS[@]}" \
			"239.9.9.1:$port" >/dev/null 2>"$T/$h.err" &
		pids+=($!)
	done
	for h in $RECEIVERS; do
		for _ in $(seq 100); do grep -q listening "$T/$h.err" 2>/dev/null && break; sleep 0.05; done
	done
	t0=$(now)
	at h1 timeout -k 2 120 "$MCAST" send --reliable -q -i eth0 "${SEND_ARGS[@]}" \
		--expect 3 --wait 30s --file "$FILE" "239.9.9.1:$port" >/dev/null 2>"$T/send.err"
	s=$?
	for _ in $(seq 6000); do
		[ -e "$T/out/h2/payload.bin" ] && [ -e "$T/out/h3/payload.bin" ] &&
			[ -e "$T/out/h4/payload.bin" ] && break
		sleep 0.01
	done
	t1=$(now)
	wait "${pids[@]}" 2>/dev/null
	if [ "$s" = 0 ] && copies_ok "$T/out/h2" "$T/out/h3" "$T/out/h4"; then
		echo "$t1 - $t0" | bc
	else
		echo fail
	fi
}

run_uftp() {
	local port=$1 tuned=$2 h n=1 t0 t1 s args
	fresh_dirs
	DAEMONS=()
	for h in $RECEIVERS; do
		at "$h" uftpd -d -I eth0 -M 239.9.9.2 -p "$port" -D "$T/out/$h" -U "0x10$n" -q \
			-x 1 -F "$T/$h.status" -B 4194304 >/dev/null 2>&1 &
		DAEMONS+=($!)
		n=$((n + 1))
	done
	sleep 0.5
	args=(-R -1)
	[ "$tuned" = 1 ] && args=(-R -1 -B 4194304 -b 1400 -r 0.01:0.001:0.05)
	t0=$(now)
	at h1 timeout -k 2 120 uftp -I eth0 -M 239.9.9.2 -P 239.9.9.2 -p "$port" "${args[@]}" \
		-H 0x101,0x102,0x103 -x 1 "$FILE" >/dev/null 2>"$T/uftp.err"
	s=$?
	t1=$(now)
	for h in "${DAEMONS[@]}"; do kill -TERM "$h" 2>/dev/null; done
	wait "${DAEMONS[@]}" 2>/dev/null
	DAEMONS=()
	if [ "$s" = 0 ] && copies_ok "$T/out/h2" "$T/out/h3" "$T/out/h4"; then
		echo "$t1 - $t0" | bc
	else
		echo fail
	fi
}

run_udpcast() {
	local port=$1 h pids=() t0 t1
	fresh_dirs
	for h in $RECEIVERS; do
		at "$h" timeout -k 2 120 udp-receiver --file "$T/out/$h/payload.bin" --interface eth0 \
			--portbase "$port" --mcast-rdv-address 239.9.9.3 --nokbd --start-timeout 60 \
			>/dev/null 2>&1 &
		pids+=($!)
	done
	sleep 0.5
	t0=$(now)
	at h1 timeout -k 2 120 udp-sender --file "$FILE" --interface eth0 --portbase "$port" \
		--mcast-data-address 239.9.9.3 --mcast-rdv-address 239.9.9.3 --min-receivers 3 \
		--nokbd --rexmit-hello-interval 100 >/dev/null 2>&1
	wait "${pids[@]}" 2>/dev/null
	t1=$(now)
	# udp-sender exits 0 even when it gave up: only the copies tell.
	if copies_ok "$T/out/h2" "$T/out/h3" "$T/out/h4"; then
		echo "$t1 - $t0" | bc
	else
		echo fail
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "" }'; }

declare -A R
port=7000
for loss in 0 5; do
	set_loss "$loss"
	for ((r = 1; r <= ROUNDS; r++)); do
		for tool in $TOOLS; do
			port=$((port + 2))
			case $tool in
			mcast) v=$(run_mcast "$port") ;;
			uftp) v=$(run_uftp "$port" 0) ;;
			uftp_tuned) v=$(run_uftp "$port" 1) ;;
			udpcast) v=$(run_udpcast "$port") ;;
			esac
			echo "loss $loss% round $r $tool: $v" >&2
			R[$tool,$loss]="${R[$tool,$loss]:-} $v"
		done
	done
done

report=$T/report.md
{
	echo "One ${SIZE_MIB} MiB random file to three receivers (h2, h3, h4) on one bridge;"
	echo "wall time until all three hold a byte-identical copy, median of $ROUNDS"
	echo "rounds (failed rounds: no copy or a bad one), goodput = size / time."
	echo
	echo "| tool | 0% loss | 5% loss at h2 |"
	echo "|---|---|---|"
	for tool in $TOOLS; do
		row="| $tool |"
		for loss in 0 5; do
			vals=${R[$tool,$loss]}
			fails=$(echo "$vals" | tr ' ' '\n' | grep -c fail)
			med=$(echo "$vals" | tr ' ' '\n' | grep -v '^$' | grep -v fail | median)
			if [ -n "$med" ]; then
				gp=$(echo "scale=0; $SIZE_MIB * 8 * 1.048576 / $med" | bc)
				row="$row $(printf '%.2f' "$med") s, $gp Mbit/s"
			else
				row="$row -"
			fi
			[ "$fails" = 0 ] || row="$row ($fails failed)"
			row="$row |"
		done
		echo "$row"
	done
	echo
	echo "Runs (seconds): "
	for tool in $TOOLS; do
		echo "- $tool: 0%:${R[$tool,0]}; 5%:${R[$tool,5]}"
	done
} >"$report"
cat "$report"
[ -z "$OUT" ] || cp "$report" "$OUT"
