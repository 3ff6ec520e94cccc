#!/bin/bash
# mcast bench recv against data messages made by hand (benchpy.py, written
# from docs/PROTOCOL.md), with sequence numbers chosen so that every count
# is known exactly:
#   - pairs swapped: reordered = the number of swaps, nothing lost;
#   - gaps: lost = the numbers left out;
#   - datagrams sent twice: duplicates, counted once as received;
#   - numbers below the first one received: reordered, not lost;
#   - a number further back than the 65536 remembered: late (and received);
#   - garbage, other versions, reserved flags, unknown types and short
#     messages on the bench port are counted as garbage, probes and answers
#     as other, and a real bench sender alongside keeps its exact counts;
#   - empty datagrams are garbage too;
#   - a 65th sender is counted under other_senders;
#   - the same over IPv6.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends by hand, h3 10.77.0.3 runs bench
# send at the same time; h2 receives.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

BENCHPY=$NET_DIR/benchpy.py
W=$(tmo 1)

# flow FILE ID: "received expected lost duplicates reordered late" of the
# sender with id ID (hex, as given to benchpy.py) in FILE.
flow() {
	local id
	id=$(printf '%016x' "0x$2")
	jget "$1" "I['$id']['received']" "I['$id']['expected']" "I['$id']['lost']" \
		"I['$id']['duplicates']" "I['$id']['reordered']" "I['$id']['late']"
}

# benchpy NAME HOST GROUP PORT ITEM...: benchpy.py send in the background.
benchpy() {
	local name=$1 h=$2
	shift 2
	bg "$name" "$h" "$PYTHON" "$BENCHPY" send "$1" "$2" eth0 "${@:3}"
}

# 1..1000 with 10 and 11, 20 and 21, ... 990 and 991 swapped: 99 swaps.
swapped=1-9
for k in $(seq 1 98); do
	swapped+=",$((10 * k + 1)),$((10 * k)),$((10 * k + 2))-$((10 * k + 9))"
done
swapped+=",991,990,992-1000"
# 1..500 with every 50th sent twice in a row, and 7 again at the end.
twice=1-50
for k in $(seq 1 9); do
	twice+=",$((50 * k)),$((50 * k + 1))-$((50 * k + 50))"
done
twice+=",500,7"

R=(bench recv -i eth0 --rcvbuf 8M -w "$W" --json)
mc_bg main h2 "${R[@]}" 239.43.0.1:5431
mc_bg empty h2 "${R[@]}" 239.43.0.2:5432
mc_bg many h2 "${R[@]}" 239.43.0.3:5433
mc_bg six h2 "${R[@]}" '[ff15::43:4]:5434'
for r in main empty many six; do
	wait_listening "$r"
done

# ---- chosen sequences, garbage and a real sender, all at once --------------------

mc_bg real h3 bench send -i eth0 --json --rate 20k -n 2000 239.43.0.1:5431
benchpy py h1 239.43.0.1 5431 \
	"data:a:$swapped" \
	"data:b:1-99,101-199,205-776,778-1000" \
	"data:c:$twice" \
	"data:d:5-10,1-4" \
	"data:e:1-3,65540,2" \
	random:20:100 version:2 version:0 flags:1 flags:256 type:9 type:0 \
	short:31 short:5 raw:4d435354 raw:4d4353540103 \
	probe:a:1 probe:ff:2 answer:a:1
wait_exit py "$LONG"
check_rc "benchpy.py exits 0" 0 "$RC"
check_has "benchpy.py sent 2552 datagrams" "$T/py.err" "sent 2552"
wait_exit real "$LONG"
check_rc "bench send alongside exits 0" 0 "$RC"
check_eq "bench send alongside sent 2000" 2000 "$(jget "$T/real.out" 'S["sent"]')"
wait_exit main "$LONG"
check_rc "receiver exits 0" 0 "$RC"

check_eq "99 pairs swapped: received 1000 of 1000, no loss or dup, reordered 99" \
	"1000 1000 0 0 99 0" "$(flow "$T/main.out" a)"
check_eq "100, 200-204 and 777 left out: received 993 of 1000, lost 7" \
	"993 1000 7 0 0 0" "$(flow "$T/main.out" b)"
check_eq "11 datagrams sent twice: received 500, duplicates 11, no loss or reordering" \
	"500 500 0 11 0 0" "$(flow "$T/main.out" c)"
check_eq "1-4 after 5-10: received 10 of 10, reordered 4, not lost" \
	"10 10 0 0 4 0" "$(flow "$T/main.out" d)"
check_eq "2 again after 65540: late, not a duplicate; 65535 lost in between" \
	"5 65540 65535 0 0 1" "$(flow "$T/main.out" e)"
check_eq "the hand-made senders are all 10.77.0.1" \
	"10.77.0.1 10.77.0.1 10.77.0.1 10.77.0.1 10.77.0.1" \
	"$(jget "$T/main.out" 'I["000000000000000a"]["sender"]' 'I["000000000000000b"]["sender"]' \
		'I["000000000000000c"]["sender"]' 'I["000000000000000d"]["sender"]' \
		'I["000000000000000e"]["sender"]')"
rid=$(jget "$T/real.out" 'S["sender_id"]')
check_eq "the real sender among the garbage: received 2000 of 2000, nothing lost, duplicated or reordered" \
	"2000 2000 0 0 0 0 10.77.0.3" \
	"$(jget "$T/main.out" "I['$rid']['received']" "I['$rid']['expected']" "I['$rid']['lost']" \
		"I['$rid']['duplicates']" "I['$rid']['reordered']" "I['$rid']['late']" \
		"I['$rid']['sender']")"
# 1000 + 993 + 511 + 10 + 5 data messages, 30 ignored and 3 other: 2552.
# Sorted as pong and ping sort them (ignored.c): 20 random, 2 with flags,
# 2 unknown types, a 5-byte data message and "MCST" alone: 26 garbage; a
# 31-byte data message and "MCST" with version 1, type 3 (6 bytes): 2
# truncated; versions 2 and 0: 2 foreign; 2 probes and an answer: 3 other.
check_eq "summary: 6 senders; ignored 26 garbage, 2 truncated, 0 oversized, 2 foreign, 3 other; no kernel drops" \
	'6 {"garbage":26,"truncated":2,"oversized":0,"foreign":2,"other":3} 0 0' \
	"$(jget "$T/main.out" 'S["senders"]' 'S["ignored"]' \
		'S["other_senders"]' 'S["kernel_drops"]')"
check_eq "summary: datagrams = the 2552 sent by hand + 2000 by bench send" 4552 \
	"$(jget "$T/main.out" 'S["datagrams"]')"

# ---- empty datagrams ------------------------------------------------------------

benchpy pyempty h1 239.43.0.2 5432 raw: raw: data:77:1
wait_exit pyempty "$LONG"
check_rc "benchpy.py (empty datagrams) exits 0" 0 "$RC"
wait_exit empty "$LONG"
check_rc "receiver of empty datagrams exits 0" 0 "$RC"
check_eq "2 empty datagrams and a data message: 3 datagrams, 2 garbage, 1 sender" "3 2 1" \
	"$(jget "$T/empty.out" 'S["datagrams"]' 'S["ignored"]["garbage"]' 'S["senders"]')"

# ---- more than 64 senders ------------------------------------------------------------

items=()
for k in $(seq 1 67); do
	items+=("data:$(printf '%x' $((0x1000 + k))):1-2")
done
benchpy pymany h1 239.43.0.3 5433 "${items[@]}"
wait_exit pymany "$LONG"
check_rc "benchpy.py (67 senders) exits 0" 0 "$RC"
wait_exit many "$LONG"
check_rc "receiver of 67 senders exits 0" 0 "$RC"
check_eq "67 senders: 64 reported, the 3 others' 6 datagrams under other_senders" \
	"64 64 6 134" "$(jget "$T/many.out" 'len(F)' 'S["senders"]' 'S["other_senders"]' \
		'S["datagrams"]')"
check_eq "the first 64 senders each received 2 of 2" "64" \
	"$(jget "$T/many.out" 'len([f for f in F if (f["received"], f["expected"], f["lost"]) == (2, 2, 0)])')"

# ---- IPv6 ------------------------------------------------------------------------------

benchpy py6 h1 ff15::43:4 5434 data:16:1-5,7,6,8-10,12-20 data:17:1-3,3,4 random:3:40
wait_exit py6 "$LONG"
check_rc "benchpy.py over IPv6 exits 0" 0 "$RC"
wait_exit six "$LONG"
check_rc "IPv6 receiver exits 0" 0 "$RC"
check_eq "IPv6: 6 and 7 swapped, 11 left out: received 19 of 20, lost 1, reordered 1" \
	"19 20 1 0 1 0" "$(flow "$T/six.out" 16)"
check_eq "IPv6: 3 twice: received 4, 1 duplicate" "4 4 0 1 0 0" "$(flow "$T/six.out" 17)"
check_eq "IPv6: senders fd77::1, 3 garbage" "fd77::1 3" \
	"$(jget "$T/six.out" 'I["0000000000000016"]["sender"]' 'S["ignored"]["garbage"]')"

finish
