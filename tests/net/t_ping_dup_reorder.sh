#!/bin/bash
# mcast ping counts duplicated and reordered answers per responder, and
# counts them as neither received twice nor lost:
#   - an nftables rule on h2 sends every answer of h2's pong twice (the
#     kernel may lack netem): 20 duplicates, each a "(DUP!)" line, no loss;
#   - tests/net/fakepong.py on h3, a responder written from
#     docs/PROTOCOL.md in plain Python, answers probe 2 before probe 1, 4
#     before 3, ...: 10 answers out of order, no loss;
#   - fakepong.py sends each answer twice: 20 duplicates, no loss.
# h2 runs a real pong throughout, as the responder that is neither.
#
# Hosts (lab_bridge3): h1 10.77.0.1 probes; h2 and h3 answer.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

PORT=5731
G=239.7.3.1:$PORT
FAKE=("$PYTHON" "$NET_DIR/fakepong.py")
IDLE=$((2 * SLOW))

command -v nft >/dev/null 2>&1 || skip "needs nft (Debian package nftables)"
in_ns h2 nft add table ip dupout 2>/dev/null ||
	skip "needs nf_tables in the kernel (nft add table failed)"
in_ns h2 nft add chain ip dupout out '{ type filter hook output priority 0; }' ||
	skip "needs nf_tables filter chains in the kernel"

# The "sent received loss dup ooo" columns of HOST's row in a text table.
row() {
	grep -E "^${2//./\\.}:[0-9]+ " "$1" | awk '{ print $3, $4, $5, $6, $7 }'
}

# marked FILE HOST MARK: the sequence numbers of HOST's answer lines that
# end with MARK, one per line.
marked() {
	grep -E "^64 bytes from ${2//./\\.}:[0-9]+: seq=[0-9]+ hops=[-0-9]+ time=[0-9.]+ ms \\($3\\)\$" "$1" |
		sed 's/.* seq=\([0-9]*\) .*/\1/'
}

mc_bg pong h2 pong -i eth0 -w "$(tmo 30)" --json "$G"
wait_listening pong

# ---- duplicates made by nftables on h2 ----------------------------------------

# Every datagram h2 sends to the prober from another port than the group's
# (that is, every answer of its pong) is also sent a second time.
in_ns h2 nft add rule ip dupout out ip daddr 10.77.0.1 udp sport != "$PORT" dup to 10.77.0.1 ||
	skip "needs the nf_tables dup expression in the kernel (nf_dup_ipv4)"
bg fake h3 "${FAKE[@]}" answer 239.7.3.1 "$PORT" eth0 "$IDLE"
check "fakepong.py on h3 ready" wait_for_file_text "$T/fake.err" ready "$LONG"

mc_run dt h1 ping -i eth0 -n 20 -I 50ms -w 500ms "$G"
check_rc "ping with duplicated answers exits 0" 0 "$RC"
check_eq "h2: 20 answers marked (DUP!), one per probe" "$(seq 1 20)" "$(marked "$T/dt.out" 10.77.0.2 'DUP!')"
check_eq "h2's row: 20 sent, 20 received, 0% loss, 20 dup, 0 out of order" \
	"20 20 0.0 20 0" "$(row "$T/dt.out" 10.77.0.2)"
check_eq "h3 (fakepong.py, not duplicated): no (DUP!)" "" "$(marked "$T/dt.out" 10.77.0.3 'DUP!')"
check_eq "h3's row: 20 sent, 20 received, no loss, dup or reordering" \
	"20 20 0.0 0 0" "$(row "$T/dt.out" 10.77.0.3)"

mc_run dj h1 ping -i eth0 -n 20 -I 50ms -w 500ms --json "$G"
check_rc "ping --json with duplicated answers exits 0" 0 "$RC"
check_eq "JSON h2: received 20, 0% loss, 20 duplicates, 0 out of order" "20 0.0 20 0" \
	"$(jget "$T/dj.out" 'R["10.77.0.2"]["received"]' 'R["10.77.0.2"]["loss_pct"]' \
		'R["10.77.0.2"]["duplicates"]' 'R["10.77.0.2"]["reordered"]')"
check_eq "JSON: h2's answer events marked duplicate are one per seq 1..20" \
	"$(seq 1 20 | xargs)" \
	"$(jget "$T/dj.out" '" ".join(str(a["seq"]) for a in A if a["duplicate"] and a["responder"] == "10.77.0.2")')"
check_eq "JSON: no answer event of h3 marked duplicate" 0 \
	"$(jget "$T/dj.out" 'sum(1 for a in A if a["duplicate"] and a["responder"] != "10.77.0.2")')"
check_eq "JSON: 60 answers (20 of them duplicates), 2 responders" "60 2" \
	"$(jget "$T/dj.out" 'S["answers"]' 'S["responders"]')"

in_ns h2 nft delete table ip dupout
wait_exit fake "$LONG"
check_rc "fakepong.py exits 0" 0 "$RC"
check_file "fakepong.py answered the 40 probes once each" "$T/fake.out" \
	'{"probes": 40, "answers": 40}'

# ---- reordering: fakepong.py answers 2, 1, 4, 3, ... -----------------------------

bg hold h3 "${FAKE[@]}" answer 239.7.3.1 "$PORT" eth0 "$IDLE" --hold
check "fakepong.py --hold on h3 ready" wait_for_file_text "$T/hold.err" ready "$LONG"
# Two probers at once: fakepong.py holds back answers per prober.
mc_bg ot h1 ping -i eth0 -n 20 -I 50ms -w 500ms "$G"
mc_bg oj h1 ping -i eth0 -n 20 -I 50ms -w 500ms --json "$G"
wait_exit ot "$LONG"
check_rc "ping with reordered answers exits 0" 0 "$RC"
wait_exit oj "$LONG"
check_rc "ping --json with reordered answers exits 0" 0 "$RC"
check_eq "h3: the answers to probes 1, 3, ..., 19 are marked (out of order)" \
	"$(seq 1 2 19)" "$(marked "$T/ot.out" 10.77.0.3 'out of order')"
check_eq "h3's row: 20 sent, 20 received, 0% loss, 0 dup, 10 out of order" \
	"20 20 0.0 0 10" "$(row "$T/ot.out" 10.77.0.3)"
check_eq "h2's row: nothing out of order" "20 20 0.0 0 0" "$(row "$T/ot.out" 10.77.0.2)"
check_eq "JSON h3: received 20, 0% loss, 0 duplicates, 10 out of order" "20 0.0 0 10" \
	"$(jget "$T/oj.out" 'R["10.77.0.3"]["received"]' 'R["10.77.0.3"]["loss_pct"]' \
		'R["10.77.0.3"]["duplicates"]' 'R["10.77.0.3"]["reordered"]')"
check_eq "JSON h3: answer events in the order 2 1 4 3 ..., the odd ones reordered" \
	"2:F 1:T 4:F 3:T 6:F 5:T 8:F 7:T 10:F 9:T 12:F 11:T 14:F 13:T 16:F 15:T 18:F 17:T 20:F 19:T" \
	"$(jget "$T/oj.out" '" ".join("%d:%s" % (a["seq"], "FT"[a["reordered"]]) for a in A if a["responder"] == "10.77.0.3")')"
check_eq "JSON h2: nothing out of order" "0 20" \
	"$(jget "$T/oj.out" 'R["10.77.0.2"]["reordered"]' 'R["10.77.0.2"]["received"]')"
wait_exit hold "$LONG"
check_rc "fakepong.py --hold exits 0" 0 "$RC"
check_file "fakepong.py --hold answered the 40 probes once each" "$T/hold.out" \
	'{"probes": 40, "answers": 40}'

# ---- duplicates made by fakepong.py ---------------------------------------------

bg twice h3 "${FAKE[@]}" answer 239.7.3.1 "$PORT" eth0 "$IDLE" --twice
check "fakepong.py --twice on h3 ready" wait_for_file_text "$T/twice.err" ready "$LONG"
mc_run tj h1 ping -i eth0 -n 20 -I 50ms -w 500ms --json "$G"
check_rc "ping --json with answers sent twice exits 0" 0 "$RC"
check_eq "JSON h3: received 20, 0% loss, 20 duplicates, 0 out of order" "20 0.0 20 0" \
	"$(jget "$T/tj.out" 'R["10.77.0.3"]["received"]' 'R["10.77.0.3"]["loss_pct"]' \
		'R["10.77.0.3"]["duplicates"]' 'R["10.77.0.3"]["reordered"]')"
check_eq "JSON h3: each seq answered, then marked duplicate" \
	"$(seq 1 20 | sed 's/.*/&:F &:T/' | tr '\n' ' ' | sed 's/ $//')" \
	"$(jget "$T/tj.out" '" ".join("%d:%s" % (a["seq"], "FT"[a["duplicate"]]) for a in A if a["responder"] == "10.77.0.3")')"
check_eq "JSON h2: no duplicates" "0" "$(jget "$T/tj.out" 'R["10.77.0.2"]["duplicates"]')"
wait_exit twice "$LONG"
check_rc "fakepong.py --twice exits 0" 0 "$RC"
check_file "fakepong.py --twice sent 40 answers to 20 probes" "$T/twice.out" \
	'{"probes": 20, "answers": 40}'

kill -TERM "${PID[pong]}"
wait_exit pong "$LONG"
check_eq "h2's pong answered each of the 100 probes once" "100 0" \
	"$(jget "$T/pong.out" 'S["answered"]' 'S["held_back"]')"

finish
