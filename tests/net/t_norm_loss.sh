#!/bin/bash
# mcast send --reliable to three receivers on one bridge, one of them
# behind nftables dropping a share of what reaches it:
#   - no loss at all: --expect 3 lists all three receivers as complete
#     (receivers that never NACK used to stay unknown to the sender), and
#     the sender counts no repairs sent, for files, messages and a --stdin
#     stream (a stream's packets used to count as repairs all);
#   - 5% loss at h2: a random file and 100 messages (20 under valgrind)
#     reach all three; every copy is byte-identical (SHA-256), every
#     receiver printed the messages, the sender's --expect 3 names all
#     three as complete, and the rule really dropped packets;
#   - 20% loss at h2: the same with a file a sixteenth of the size;
#   - h2 loses the first NORM_DATA of a transfer (the one packet of the
#     first message, the first packet of a stream): it still gets every
#     message and every line, in order (receivers used to start at the
#     first packet they heard and acknowledge the rest as complete);
#   - 20% loss at h2: 200 lines of a --stdin stream (50 under valgrind),
#     all in order;
#   - a receiver started late (h4 joins after lines 1-3 of a stream) gets
#     every line sent after it joined (and may get the earlier ones the
#     sender still holds: receivers take a stream from its beginning).
#
# The file is 8 MiB here, 1 MiB under valgrind, and the 64 MiB of the
# issue with NORM_BIG=1 (make check-long: tests/long/t_norm_big.sh).
#
# Hosts: switch sw, br0; h1 10.77.0.1 sends; h2, h3, h4 receive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
command -v nft >/dev/null 2>&1 || skip "needs nft (Debian package nftables)"

switch_add sw br0
for n in 1 2 3 4; do
	ns_add "h$n"
	attach sw br0 "h$n" eth0 "h$n" "10.77.0.$n/24" "fd77::$n/64"
	in_ns "h$n" ip route add 224.0.0.0/4 dev eth0
done

in_ns h2 nft add table inet loss 2>/dev/null ||
	skip "needs nf_tables in the kernel (nft add table failed)"
in_ns h2 nft add chain inet loss in '{ type filter hook input priority 0; }' ||
	skip "needs nf_tables filter chains in the kernel"

# drop_at PERCENT PORT: h2 drops PERCENT% of the UDP that reaches PORT.
drop_at() {
	in_ns h2 nft flush chain inet loss in
	in_ns h2 nft add rule inet loss in udp dport "$2" numgen random mod 100 \< "$1" counter drop ||
		skip "needs the nf_tables numgen expression in the kernel"
}
dropped() {
	in_ns h2 nft list chain inet loss in | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}
sum() { sha256sum "$1" | cut -d' ' -f1; }

# 8 MiB in make check, 1 MiB under valgrind (every packet is slow there),
# 64 MiB in make check-long.
SIZE=$((8 << 20)) MSGS=100 LINES=200
[ -n "$MCAST_WRAP" ] && SIZE=$((1 << 20)) MSGS=20 LINES=50
[ -n "${NORM_BIG:-}" ] && SIZE=$((64 << 20))
head -c "$SIZE" /dev/urandom >"$T/big"

# run_transfer NAME PORT FILE: h1 sends FILE then MSGS messages to h2, h3
# and h4, and waits for all three to acknowledge everything.
run_transfer() {
	local name=$1 port=$2 file=$3 h
	for h in h2 h3 h4; do
		mkdir -p "$T/$name-$h"
		mc_bg "$name-$h" "$h" recv --reliable -i eth0 --output "$T/$name-$h" \
			-n $((MSGS + 1)) -w "$(tmo 20)" --json "239.7.15.1:$port"
	done
	for h in h2 h3 h4; do
		wait_listening "$name-$h"
	done
	RC=0
	timeout -k 2 $((LONG * 6)) ip netns exec "${P}h1" $MCAST_WRAP "$MCAST" send --reliable \
		-i eth0 --rate 300M --expect 3 --wait "$(tmo 30)" --json --file "$file" \
		-n "$MSGS" "239.7.15.1:$port" a message >"$T/$name-s.out" 2>"$T/$name-s.err" || RC=$?
	check_rc "$name: the sender exits 0 (3 of 3 receivers have everything)" 0 "$RC"
	[ "$RC" = 0 ] || { show "sender stderr" "$T/$name-s.err"; show "sender output" "$T/$name-s.out"; }
	check_eq "$name: the sender lists three receivers, all complete" "3 True True True" \
		"$(jget "$T/$name-s.out" 'len(E("receiver"))' 'E("receiver")[0]["complete"]' \
			'E("receiver")[1]["complete"]' 'E("receiver")[2]["complete"]')"
	for h in h2 h3 h4; do
		wait_exit "$name-$h" $((LONG * 3))
		check_rc "$name: $h exits 0" 0 "$RC"
		check_eq "$name: $h's copy is byte-identical (SHA-256)" "$(sum "$file")" \
			"$(sum "$T/$name-$h/$(basename "$file")" 2>/dev/null)"
		check_eq "$name: $h printed the $MSGS messages" "$MSGS a message" \
			"$(jget "$T/$name-$h.out" 'len(E("message"))' 'E("message")[-1]["data"]')"
		check_eq "$name: $h's summary: 1 file, $MSGS messages, nothing lost" \
			"1 $MSGS 0" "$(jget "$T/$name-$h.out" 'S["files"]' 'S["messages"]' 'S["lost"]')"
	done
	REPAIRS=$(jget "$T/$name-s.out" 'S["repairs_sent"]')
}

# repairs_none NAME SENT, repairs_some NAME SENT: what the sender counts
# as repairs is what it sent beyond one pass over its objects: none
# without loss (receivers NACK at the start of a transfer even then, for
# nothing missing), some when a data packet was lost. (A random drop may
# hit only commands, or GSO trains, so the lossy transfers are not asked.)
repairs_none() {
	check_eq "$1: nothing was dropped, and the sender counts no repairs sent" 0 "$2"
}
repairs_some() {
	check "$1: a data packet was dropped, and the sender counts repairs sent ($2)" \
		test "${2:-0}" -gt 0
}

# No loss at all: receivers that never NACK are known to the sender too
# (it used to list only those it had heard from, and exit 3).
head -c $((64 << 10)) /dev/urandom >"$T/small"
in_ns h2 nft flush chain inet loss in
run_transfer loss0 6300 "$T/small"
repairs_none loss0 "$REPAIRS"

drop_at 5 6301
run_transfer loss5 6301 "$T/big"
d=$(dropped)
check "loss5: the rule at h2 dropped packets ($d)" test "${d:-0}" -gt 0

head -c $((SIZE / 16)) /dev/urandom >"$T/mid"
drop_at 20 6302
run_transfer loss20 6302 "$T/mid"
d=$(dropped)
check "loss20: the rule at h2 dropped packets ($d)" test "${d:-0}" -gt 0
in_ns h2 nft flush chain inet loss in

# ---- the first packet lost, a lossy stream ---------------------------------

# drop_first PORT: h2 drops the first NORM_DATA (byte 0: version 1, type 2)
# that reaches PORT, and nothing else.
drop_first() {
	in_ns h2 nft flush chain inet loss in
	in_ns h2 nft add rule inet loss in udp dport "$1" @th,64,8 0x12 \
		numgen inc mod 1000000 \< 1 counter drop ||
		skip "needs nf_tables payload and numgen expressions in the kernel"
}

# stream_to NAME PORT LINES [SEND-OPTION...]: h1 sends LINES (a file) as a
# --stdin stream to h2, which must print them all.
stream_to() {
	local name=$1 port=$2 lines=$3 n
	shift 3
	n=$(wc -l <"$lines")
	mc_bg "$name-h2" h2 recv --reliable -i eth0 -n "$n" -w "$(tmo 20)" "239.7.15.1:$port"
	wait_listening "$name-h2"
	RC=0
	timeout -k 2 $((LONG * 3)) ip netns exec "${P}h1" $MCAST_WRAP "$MCAST" send --reliable \
		-i eth0 --rate 10M "$@" --stdin "239.7.15.1:$port" \
		<"$lines" >"$T/$name-s.out" 2>"$T/$name-s.err" || RC=$?
	check_rc "$name: the stream's sender exits 0" 0 "$RC"
	[ "$RC" = 0 ] || show "sender stderr" "$T/$name-s.err"
	wait_exit "$name-h2" $((LONG * 2))
	check_rc "$name: h2 exits 0 after all $n lines" 0 "$RC"
	check_eq "$name: h2 printed every line, in order" "$(cat "$lines")" \
		"$(sed 's/.*bytes[^:]*: //' "$T/$name-h2.out")"
}
# text_repairs NAME: the repairs a stream's sender counts in its summary.
text_repairs() {
	sed -n 's/.* \([0-9]*\) repairs\{0,1\} sent.*/\1/p' "$T/$1-s.err"
}

# The sender of the lost first packet waits for h2's acknowledgement
# (--expect 1): without it, its flush ends after a few round trips, and h2
# slowed down by a sanitizer may ask for the repair later than that.
drop_first 6304
mc_bg first-h2 h2 recv --reliable -i eth0 -n 5 -w "$(tmo 20)" --json 239.7.15.1:6304
wait_listening first-h2
mc_run first-s h1 send --reliable -i eth0 --rate 10M --expect 1 --wait "$(tmo 20)" -n 5 \
	239.7.15.1:6304 a message
check_rc "first: the sender exits 0" 0 "$RC"
wait_exit first-h2 $((LONG * 2))
check_rc "first: h2 exits 0 after 5 messages" 0 "$RC"
check_eq "first: h2 printed all 5 messages, nothing lost" "5 5 0" \
	"$(jget "$T/first-h2.out" 'len(E("message"))' 'S["messages"]' 'S["lost"]')"
check_eq "first: the rule dropped the first data packet" 1 "$(dropped)"

printf 'l1\nl2\nl3\nl4\nl5\n' >"$T/five"
drop_first 6305
stream_to sfirst 6305 "$T/five" --expect 1 --wait "$(tmo 20)"
check_eq "sfirst: the rule dropped the first data packet" 1 "$(dropped)"
repairs_some sfirst "$(text_repairs sfirst)"

# Without loss: a stream's first pass is not counted as repairs.
in_ns h2 nft flush chain inet loss in
stream_to s0 6307 "$T/five"
repairs_none s0 "$(text_repairs s0)"

seq -f 'line %g of a lossy stream' 1 "$LINES" >"$T/lines"
drop_at 20 6306
stream_to s20 6306 "$T/lines"
d=$(dropped)
check "s20: the rule at h2 dropped packets ($d)" test "${d:-0}" -gt 0
in_ns h2 nft flush chain inet loss in

# ---- a receiver started late -------------------------------------------------

mkfifo "$T/feed"
mc_bg late-h2 h2 recv --reliable -i eth0 -n 6 -w "$(tmo 20)" 239.7.15.1:6303
wait_listening late-h2
bg late-s h1 bash -c 'exec "$@" <"$0"' "$T/feed" $MCAST_WRAP "$MCAST" send --reliable \
	-i eth0 --rate 10M -v --stdin 239.7.15.1:6303
exec 7>"$T/feed"
printf 'one\ntwo\nthree\n' >&7
check "h2 prints the first three lines" wait_for_lines "$T/late-h2.out" 3 "$LONG"
mc_bg late-h4 h4 recv --reliable -i eth0 -w "$(tmo 3)" 239.7.15.1:6303
wait_listening late-h4
printf 'four\nfive\nsix\n' >&7
exec 7>&-
wait_exit late-s "$LONG"
check_rc "the stream's sender exits 0" 0 "$RC"
wait_exit late-h2 "$LONG"
check_eq "h2 got all six lines" "one two three four five six" \
	"$(sed 's/.*bytes: //' "$T/late-h2.out" | tr '\n' ' ' | sed 's/ $//')"
wait_exit late-h4 "$LONG"
check_rc "h4, started late, exits 0 after the stream went quiet" 0 "$RC"
got=$(sed 's/.*bytes: //' "$T/late-h4.out" | tr '\n' ' ' | sed 's/ $//')
case $got in
"one two three four five six" | "two three four five six" | "three four five six" | \
	"four five six") ok "h4 got every line sent after it joined ($got)" ;;
*) not_ok "h4 got every line sent after it joined"; diag "  got: $got" ;;
esac

finish
