#!/bin/bash
# mcast ping measures loss per responder, and marks one that stopped
# answering as silent:
#   - an nftables rule on h2 drops every fifth probe that reaches it
#     (the kernel may lack netem): h2's loss is plausible and equals the
#     rule's own count of drops, h1 and h3 lose nothing; --max-loss 50
#     exits 0 and --max-loss 1 exits 3 naming h2 alone;
#   - h3's pong is stopped halfway through a run: h3 is reported silent
#     (text and JSON), h1 and h2 are not.
#
# Hosts (lab_bridge3): h1 10.77.0.1 probes; h1, h2, h3 answer.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

PORT=5721
G=239.7.2.1:$PORT

# Skip unless nft works inside our namespaces (nftables installed, and a
# kernel with nf_tables and its numgen expression).
command -v nft >/dev/null 2>&1 || skip "needs nft (Debian package nftables)"
in_ns h2 nft add table inet loss 2>/dev/null ||
	skip "needs nf_tables in the kernel (nft add table failed)"
in_ns h2 nft add chain inet loss in '{ type filter hook input priority 0; }' ||
	skip "needs nf_tables filter chains in the kernel"
# Every fifth probe that reaches h2 is dropped: 20% loss, never two in a
# row. (Random drops would, about once in 125 runs, take the last three
# probes and make h2 rightly "silent", which the checks below rule out.)
in_ns h2 nft add rule inet loss in udp dport "$PORT" numgen inc mod 5 == 0 counter drop ||
	skip "needs the nf_tables numgen expression in the kernel"

# The probes the rule on h2 has dropped so far.
dropped() {
	in_ns h2 nft list chain inet loss in | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# wait_for_match FILE ERE SECONDS: poll until a line of FILE matches ERE.
# shellcheck disable=SC2317 # called through check
wait_for_match() {
	local i n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	grep -qE -- "$2" "$1" 2>/dev/null
}

# in_range VALUE LOW HIGH: LOW <= VALUE <= HIGH, for decimal numbers.
# shellcheck disable=SC2317 # called through check
in_range() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'
}

for h in h1 h2 h3; do
	mc_bg "pong$h" "$h" pong -i eth0 -w "$(tmo 20)" "$G"
done
for h in h1 h2 h3; do
	wait_listening "pong$h"
done

# ---- loss -------------------------------------------------------------------

before=$(dropped)
mc_run l50 h1 ping -i eth0 -n 100 -I 10ms -w 500ms --json --max-loss 50 "$G"
after=$(dropped)
check_rc "ping --max-loss 50 with 20% loss on h2 exits 0" 0 "$RC"
grep -v '^mcast: probing ' "$T/l50.err" >"$T/l50.other"
check_empty "ping --max-loss 50 met: no complaint on stderr" "$T/l50.other"
loss=$(jget "$T/l50.out" 'R["10.77.0.2"]["loss_pct"]')
check "h2's loss ($loss%) is between 5% and 40%" in_range "$loss" 5 40
check_eq "h2 answered every probe the rule let through ($((after - before)) dropped)" \
	"$((100 - (after - before)))" "$(jget "$T/l50.out" 'R["10.77.0.2"]["received"]')"
check_eq "h2: lost = sent - received, loss_pct = lost / sent" "ok" \
	"$(jget "$T/l50.out" '"ok" if abs(R["10.77.0.2"]["loss_pct"] - 100 * (R["10.77.0.2"]["sent"] - R["10.77.0.2"]["received"]) / R["10.77.0.2"]["sent"]) < 0.051 else R["10.77.0.2"]')"
for n in 1 3; do
	check_eq "10.77.0.$n: 100 sent, 100 received, 0% loss" "100 100 0.0 0" \
		"$(jget "$T/l50.out" "R['10.77.0.$n']['sent']" "R['10.77.0.$n']['received']" \
			"R['10.77.0.$n']['loss_pct']" "R['10.77.0.$n']['duplicates']")"
done
check_eq "no responder silent" "False False False" \
	"$(jget "$T/l50.out" 'R["10.77.0.1"]["silent"]' 'R["10.77.0.2"]["silent"]' 'R["10.77.0.3"]["silent"]')"

mc_run l1 h1 ping -i eth0 -n 100 -I 10ms -w 500ms -q --max-loss 1 "$G"
check_rc "ping --max-loss 1 with 20% loss on h2 exits 3" 3 "$RC"
check_match "ping --max-loss 1 names h2 and its loss" "$T/l1.err" \
	'^mcast: 10\.77\.0\.2:[0-9]+ lost [0-9]+\.[0-9]% of probes, more than --max-loss 1%$'
check_lacks "ping --max-loss 1 does not name h1" "$T/l1.err" "10.77.0.1"
check_lacks "ping --max-loss 1 does not name h3" "$T/l1.err" "10.77.0.3"
row=$(grep -E '^10\.77\.0\.2:[0-9]+ ' "$T/l1.out")
said=$(sed -n 's/.* lost \([0-9.]*\)% of probes.*/\1/p' "$T/l1.err")
check_eq "the loss named on stderr is the one in h2's table row" "$said" \
	"$(echo "$row" | awk '{ print $5 }')"

in_ns h2 nft delete table inet loss

# ---- a responder falls silent -------------------------------------------------

# One prober prints text, the other JSON; h3's pong is stopped once the
# text prober has seen h3 answer probe 15 of 30.
mc_bg st h1 ping -i eth0 -n 30 -I 50ms -w 500ms "$G"
mc_bg sj h1 ping -i eth0 -n 30 -I 50ms -w 500ms --json "$G"
check "h3 answers probe 15" wait_for_match "$T/st.out" \
	'^64 bytes from 10\.77\.0\.3:[0-9]+: seq=15 ' "$LONG"
kill -TERM "${PID[pongh3]}"
wait_exit pongh3 "$LONG"
check_rc "h3's pong exits 0 on SIGTERM" 0 "$RC"
wait_exit st "$LONG"
check_rc "ping with a silent responder exits 0" 0 "$RC"
wait_exit sj "$LONG"
check_rc "ping --json with a silent responder exits 0" 0 "$RC"

check_match "text: h3's row says silent" "$T/st.out" '^10\.77\.0\.3:[0-9]+ .*  silent$'
check_eq "text: h1's and h2's rows do not" "" \
	"$(grep -E '^10\.77\.0\.[12]:[0-9]+ ' "$T/st.out" | grep silent)"
check_eq "text: 3 rows" 3 "$(grep -cE '^10\.77\.0\.[123]:[0-9]+ ' "$T/st.out")"
check_eq "JSON: h3 silent, h1 and h2 not" "True False False" \
	"$(jget "$T/sj.out" 'R["10.77.0.3"]["silent"]' 'R["10.77.0.1"]["silent"]' 'R["10.77.0.2"]["silent"]')"
check_eq "JSON: h1 and h2 answered all 30" "30 30" \
	"$(jget "$T/sj.out" 'R["10.77.0.1"]["received"]' 'R["10.77.0.2"]["received"]')"
got=$(jget "$T/sj.out" 'R["10.77.0.3"]["received"]')
check "JSON: h3 answered about half ($got of 30)" in_range "$got" 10 25
loss=$(jget "$T/sj.out" 'R["10.77.0.3"]["loss_pct"]')
check "JSON: h3's loss ($loss%) counts the probes after it stopped" in_range "$loss" 16 67

finish
