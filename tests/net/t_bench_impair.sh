#!/bin/bash
# mcast bench recv counts loss and duplicates made by nftables rules (the
# kernel may lack netem), and they add up with what was sent:
#   - loss: a rule on h2's input drops ~10% of the bench datagrams; h2's
#     lost equals the rule's count of drops, received + lost = sent, and
#     loss_pct = lost / expected is plausible; h3, on the same bridge
#     without the rule, loses nothing; the same with GSO trains (the rule
#     then drops a whole train at a time);
#   - duplicates: a rule on the switch copies ~10% of h1's datagrams
#     straight to h2's port as well; h2's duplicates equal the rule's count
#     of copies, and it still received each datagram once; h3 sees none.
# Only datagrams other than the first and the last are dropped: loss is
# counted from gaps between the sequence numbers received, so losing the
# ends could not be seen.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends; h2 and h3 receive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
command -v nft >/dev/null 2>&1 ||
	skip "needs nft (Debian package nftables; tests/deps.sh installs it) for the loss and duplicate rules"
lab_bridge3

N=3000
W=$(tmo 1)
PL=5421 # loss, one datagram per send
PT=5422 # loss, GSO trains
PD=5423 # duplicates
GL=239.42.0.1:$PL
GT=239.42.0.2:$PT
GD=239.42.0.3:$PD

in_ns h2 nft add table inet impair 2>/dev/null ||
	skip "needs nf_tables in the kernel (nft add table failed)"
in_ns h2 nft add chain inet impair in '{ type filter hook input priority 0; }' ||
	skip "needs nf_tables filter chains in the kernel"
# The low 32 bits of the sequence number are bytes 20-23 of the UDP
# payload, bits 224-255 after the 8-byte UDP header. A GSO train reaches
# the input hook whole, and the rule sees its first datagram: trains that
# start within 31 of the end are spared, so the last datagram always comes.
in_ns h2 nft add rule inet impair in udp dport "{ $PL, $PT }" @th,224,32 2-$((N - 32)) \
	numgen random mod 100 \< 10 counter drop ||
	skip "needs the nf_tables numgen expression and raw payload matching in the kernel"
in_ns sw nft add table netdev impair
in_ns sw nft add chain netdev impair fromh1 \
	'{ type filter hook ingress device h1 priority 0; }'
in_ns sw nft add rule netdev impair fromh1 udp dport "$PD" @th,224,32 2-$((N - 1)) \
	numgen random mod 100 \< 10 counter dup to h2 ||
	skip "needs the nf_tables dup expression in the kernel"

# counted NS FAMILY CHAIN: the packets the counter of that chain has seen.
counted() {
	in_ns "$1" nft list chain "$2" impair "$3" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# in_range VALUE LOW HIGH: LOW <= VALUE <= HIGH, for decimal numbers.
# shellcheck disable=SC2317 # called through check
in_range() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'
}

R=(bench recv -i eth0 --rcvbuf 8M -w "$W" --json)
mc_bg l2 h2 "${R[@]}" "$GL"
mc_bg l3 h3 "${R[@]}" "$GL"
mc_bg t2 h2 "${R[@]}" --gro on "$GT"
mc_bg d2 h2 "${R[@]}" "$GD"
mc_bg d3 h3 "${R[@]}" "$GD"
for r in l2 l3 t2 d2 d3; do
	wait_listening "$r"
done

# ---- loss, one datagram per send -----------------------------------------------

mc_run sl h1 bench send -i eth0 --json --gso off --rate 20k -n "$N" "$GL"
check_rc "bench send --gso off exits 0" 0 "$RC"
check_eq "the sender sent $N" "$N" "$(jget "$T/sl.out" 'S["sent"]')"
wait_exit l2 "$LONG"
check_rc "h2's receiver exits 0" 0 "$RC"
# Read once the receiver is done: every datagram has been through the rule.
dropped=$(counted h2 inet in)
check "the rule on h2 dropped some datagrams ($dropped)" test "${dropped:-0}" -gt 0
read -r received lost expected pct dups reord kdrops <<<"$(jget "$T/l2.out" \
	'F[0]["received"]' 'F[0]["lost"]' 'F[0]["expected"]' 'F[0]["loss_pct"]' \
	'F[0]["duplicates"]' 'F[0]["reordered"]' 'S["kernel_drops"]')"
check_eq "h2: lost = the rule's drops" "$dropped" "$lost"
check_eq "h2: received = sent - dropped" "$((N - ${dropped:-0}))" "$received"
check_eq "h2: received + lost = sent = expected" "$N $N" "$((received + lost)) $expected"
check "h2: loss_pct ($pct) is between 2 and 25" in_range "$pct" 2 25
check_eq "h2: loss_pct = 100 * lost / expected, to 3 decimals" \
	"$(awk -v l="$lost" -v e="$expected" 'BEGIN { printf "%.3f", 100 * l / e }')" \
	"$(awk -v p="$pct" 'BEGIN { printf "%.3f", p }')"
check_eq "h2: no duplicates, nothing out of order, no kernel drops" "0 0 0" "$dups $reord $kdrops"
wait_exit l3 "$LONG"
check_rc "h3's receiver exits 0" 0 "$RC"
check_eq "h3 (no rule): received $N, lost 0, 0.000%" "$N 0 0.0" \
	"$(jget "$T/l3.out" 'F[0]["received"]' 'F[0]["lost"]' 'F[0]["loss_pct"]')"

# ---- loss of whole GSO trains ---------------------------------------------------

before=$(counted h2 inet in)
mc_run st h1 bench send -i eth0 --json --gso on --rate 20k -n "$N" "$GT"
check_rc "bench send --gso on exits 0" 0 "$RC"
check_eq "the sender sent $N in GSO trains" "$N True" "$(jget "$T/st.out" 'S["sent"]' 'S["gso"]')"
wait_exit t2 "$LONG"
check_rc "h2's GRO receiver exits 0" 0 "$RC"
trains=$(($(counted h2 inet in) - before))
check "the rule on h2 dropped some trains ($trains)" test "$trains" -gt 0
read -r received lost dups reord <<<"$(jget "$T/t2.out" 'F[0]["received"]' \
	'F[0]["lost"]' 'F[0]["duplicates"]' 'F[0]["reordered"]')"
check_eq "GSO: received + lost = sent" "$N" "$((received + lost))"
check "GSO: at least one datagram lost per train dropped ($lost >= $trains)" \
	test "${lost:-0}" -ge "$trains"
check_eq "GSO: no duplicates, nothing out of order" "0 0" "$dups $reord"
check_eq "GSO: the summary's datagrams are those received" "$received" \
	"$(jget "$T/t2.out" 'S["datagrams"]')"

# ---- duplicates --------------------------------------------------------------------

mc_run sd h1 bench send -i eth0 --json --gso off --rate 20k -n "$N" "$GD"
check_rc "bench send to the duplicated group exits 0" 0 "$RC"
wait_exit d2 "$LONG"
check_rc "h2's receiver exits 0" 0 "$RC"
copies=$(counted sw netdev fromh1)
check "the rule on the switch copied some datagrams ($copies)" test "${copies:-0}" -gt 0
check_eq "h2: duplicates = the rule's copies; received $N, lost 0, nothing out of order" \
	"$copies $N 0 0" "$(jget "$T/d2.out" 'F[0]["duplicates"]' 'F[0]["received"]' \
		'F[0]["lost"]' 'F[0]["reordered"]')"
check_eq "h2's summary: $N + copies datagrams from 1 sender" "$((N + ${copies:-0})) 1" \
	"$(jget "$T/d2.out" 'S["datagrams"]' 'S["senders"]')"
wait_exit d3 "$LONG"
check_rc "h3's receiver exits 0" 0 "$RC"
check_eq "h3 (not copied to): received $N, no duplicates" "$N 0" \
	"$(jget "$T/d3.out" 'F[0]["received"]' 'F[0]["duplicates"]')"

finish
