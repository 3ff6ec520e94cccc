#!/bin/bash
# mcast bench: usage errors exit 2 and name the bad value, before anything
# is sent; a bench receiver that gets nothing exits 1 and says so.
#   - bench send: --rate, --gso, --size, --burst, --count, --duration, a
#     GSO train over 64 KiB, a missing or extra argument;
#   - bench recv: --gro, --timeout 0, --count 0, no group;
#   - `mcast bench` alone and an unknown mode exit 2; --help exits 0;
#   - bench recv -d 1s with nothing sent exits 1 ("nothing arrived"), and
#     so does one with only -w ended by SIGTERM: -w counts only once
#     traffic has started (mcast(1)), so it waits until then.
# Every command runs inside the namespaces, and a receiver on the group
# checks that no usage error sent anything.
#
# Hosts (lab_bridge3): h1 runs the commands; h2 listens.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

G=239.44.0.1:5441

# usage NAME TEXT ARGS...: mcast ARGS in h1 exits 2, prints nothing on
# stdout, and says TEXT on stderr.
usage() {
	local name=$1 text=$2
	shift 2
	mc_run "$name" h1 "$@"
	check_rc "mcast $* exits 2" 2 "$RC"
	check_has "mcast $*: the message names the value" "$T/$name.err" "$text"
	check_empty "mcast $*: nothing on stdout" "$T/$name.out"
}

# The watcher takes anything that reaches the group while the usage
# errors run; it is told to stop with SIGTERM at the end.
mc_bg watch h2 bench recv -i eth0 --json "$G"
wait_listening watch

S=(bench send -i eth0 -n 10)
usage rate1 "--rate: '12x' is not a rate" "${S[@]}" --rate 12x "$G"
usage rate2 "--rate: '0' is not a rate" "${S[@]}" --rate 0 "$G"
usage rate3 "--rate: '-5k' is not a rate" "${S[@]}" --rate -5k "$G"
usage rate4 "--rate: 0.5 is out of range" "${S[@]}" --rate 0.5 "$G"
usage rate5 "--rate: 2G is out of range" "${S[@]}" --rate 2G "$G"
usage rate6 "--rate: '5Mbitx' is not a rate" "${S[@]}" --rate 5Mbitx "$G"
usage gso "--gso: 'maybe' is not auto, on or off" "${S[@]}" --gso maybe "$G"
usage size1 "--size: 10 is out of range (32-65507 bytes)" "${S[@]}" --size 10 "$G"
usage size2 "--size: 31 is out of range" "${S[@]}" --size 31 "$G"
usage size3 "--size: 65508 is out of range" "${S[@]}" --size 65508 "$G"
usage size4 "--size: 'big' is not a size" "${S[@]}" --size big "$G"
usage burst1 "--burst: 0 is out of range (1-64)" "${S[@]}" --burst 0 "$G"
usage burst2 "--burst: 65 is out of range (1-64)" "${S[@]}" --burst 65 "$G"
usage burst3 "--burst: 'x' is not a number" "${S[@]}" --burst x "$G"
usage count "--count: 0 is out of range" bench send -i eth0 -n 0 "$G"
usage dur "--duration: '1x' is not a duration" bench send -i eth0 -d 1x "$G"
usage train "--gso on: --burst 64 of 1400 bytes exceeds 64 KiB" \
	"${S[@]}" --gso on --size 1400 --burst 64 "$G"
usage nogroup "missing GROUP:PORT" bench send -i eth0 -n 10
usage extra "unexpected argument 'extra'" "${S[@]}" "$G" extra
usage badgroup "'10.1.2.3' is not a multicast group" "${S[@]}" 10.1.2.3:5441

usage gro "--gro: 'nope' is not auto, on or off" bench recv -i eth0 --gro nope "$G"
usage w0 "--timeout: must be more than 0" bench recv -i eth0 -w 0 "$G"
usage n0 "--count: 0 is out of range" bench recv -i eth0 -n 0 "$G"
usage rgroup "missing GROUP:PORT" bench recv -i eth0

mc_run bench h1 bench
check_rc "mcast bench alone exits 2" 2 "$RC"
check_has "mcast bench alone shows the usage on stderr" "$T/bench.err" \
	"Usage: mcast bench send [OPTIONS] GROUP:PORT"
check_empty "mcast bench alone: nothing on stdout" "$T/bench.out"
usage fly "bench: unknown mode 'fly' (expected send or recv)" bench fly
mc_run help h1 bench --help
check_rc "mcast bench --help exits 0" 0 "$RC"
check_has "mcast bench --help shows the usage on stdout" "$T/help.out" \
	"mcast bench recv [OPTIONS] GROUP:PORT"

kill -TERM "${PID[watch]}"
wait_exit watch "$LONG"
check_rc "the watcher got nothing from the usage errors: it exits 1" 1 "$RC"
check_has "the watcher says nothing arrived" "$T/watch.err" "mcast: nothing arrived"

# ---- nothing arrives ------------------------------------------------------------

mc_run d1 h2 bench recv -i eth0 -d 1s "$G"
check_rc "bench recv -d 1s with nothing sent exits 1" 1 "$RC"
check_has "bench recv -d 1s says nothing arrived" "$T/d1.err" "mcast: nothing arrived"
check_has "bench recv -d 1s still prints its closing line" "$T/d1.out" \
	"0 datagrams from 0 senders; kernel drops 0;"

mc_run dj h2 bench recv -i eth0 -d 1s --json "$G"
check_rc "bench recv -d 1s --json with nothing sent exits 1" 1 "$RC"
check_has "bench recv --json: a summary of 0 datagrams, 0 senders" "$T/dj.out" \
	'{"event":"summary","datagrams":0,"senders":0,'

mc_bg w1 h2 bench recv -i eth0 -w 1s "$G"
wait_listening w1
sleep 2
check "bench recv -w 1s is still waiting for traffic 2s later" proc_alive "${PID[w1]}"
kill -TERM "${PID[w1]}"
wait_exit w1 "$LONG"
check_rc "bench recv -w 1s ended by SIGTERM with nothing sent exits 1" 1 "$RC"
check_has "bench recv -w 1s says nothing arrived" "$T/w1.err" "mcast: nothing arrived"

finish
