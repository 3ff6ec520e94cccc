#!/bin/bash
# The senders (send, ping, bench send) at their edges, issue 10:
#   - fast loops stop on SIGTERM and SIGINT after the datagram in hand,
#     with their summary: send -n 0 -I 0, send -I 1us, ping -I 0 without
#     -n, a flood on send --stdin -I 0 (#1);
#   - send --wait -I 0 against recv --echo never reports a negative round
#     trip: known ones are >= 0, ambiguous ones null (#2);
#   - ping's table so far (SIGUSR1) never has more answers than probes (#3);
#   - bench send --rate holds from the first datagram (#9);
#   - ping counts answers its own socket buffer dropped, and probes a
#     rate-limited pong held back, apart from loss (#10);
#   - an interface down before the start is one error line; going down
#     mid-run, send, ping and bench send still print their summary (#11);
#   - bench send beyond the MTU gives send's message, GSO or not (#12);
#   - the smaller ones: a message larger than any datagram (exit 2), no
#     route (one line), bench send -d 0 and -d with -n (exit 2), --no-loop
#     on lo (a warning), --stdin without -I (documented).
# Hosts (lab_bridge3): h1 10.77.0.1 sends, h2 10.77.0.2 answers.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

# Let a command started in the background get going (valgrind is slow to).
settle() {
	sleep 0.5
	[ -z "$MCAST_WRAP" ] || sleep 3
}

# stops NAME SIGNAL DESC: NAME (running) gets SIGNAL and must exit 0
# within 5 s (20 under valgrind).
stops() {
	kill "-$2" "${PID[$1]}"
	wait_exit "$1" $((5 * SLOW))
	check_rc "$3: $2 ends it at once, exit 0" 0 "$RC"
}

# ---- #1: fast loops stop on a signal ----------------------------------------

mc_bg f1 h1 send -i eth0 -n 0 -I 0 239.78.1.1:5781 x
settle
stops f1 TERM "send -n 0 -I 0"
check_match "send -n 0 -I 0: the summary" "$T/f1.err" '^mcast: sent [0-9]+ datagrams'

mc_bg f2 h1 send -i eth0 -n 0 -I 1us 239.78.1.1:5781 x
settle
stops f2 INT "send -I 1us"
check_match "send -I 1us: the summary" "$T/f2.err" '^mcast: sent [0-9]+ datagrams'

mc_bg pong1 h2 pong -i eth0 -w "$(tmo 20)" 239.78.1.2:5782
wait_listening pong1
mc_bg f3 h1 ping -i eth0 -I 0 -q 239.78.1.2:5782
settle
stops f3 TERM "ping -I 0"
check_has "ping -I 0: the table" "$T/f3.out" "--- 239.78.1.2:5782 ping:"

mkfifo "$T/yes.fifo"
yes >"$T/yes.fifo" 2>/dev/null &
PIDS+=("$!")
# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
ip netns exec "${P}h1" $MCAST_WRAP "$MCAST" send -i eth0 --stdin -I 0 239.78.1.1:5781 \
	<"$T/yes.fifo" >"$T/f4.out" 2>"$T/f4.err" &
PID[f4]=$!
PIDS+=("$!")
settle
stops f4 TERM "yes | send --stdin -I 0"
check_match "yes | send --stdin: the summary" "$T/f4.err" '^mcast: sent [0-9]+ datagrams'

# ---- #2: round trips with -I 0 ------------------------------------------------

mc_bg echo1 h2 recv -i eth0 --echo -w "$(tmo 3)" 239.78.2.1:5783
wait_listening echo1
mc_run w1 h1 send -i eth0 -n 300 -I 0 --wait 500ms --json 239.78.2.1:5783 hello
check_rc "send -n 300 -I 0 --wait against --echo exits 0" 0 "$RC"
check_eq "every rtt_ms is null or a number >= 0 (got none below 0)" "ok" \
	"$(jget "$T/w1.out" '"ok" if all(x["rtt_ms"] is None or x["rtt_ms"] >= 0 for x in E("reply")) else [x["rtt_ms"] for x in E("reply") if x["rtt_ms"] < 0][:3]')"
check "some replies came back" test "$(jget "$T/w1.out" 'len(E("reply"))')" -gt 0
mc_run w2 h1 send -i eth0 -n 100 -I 0 --wait 500ms --json -T 'n{seq}' 239.78.2.1:5783
check_eq "echoes of distinct payloads: each round trip known and >= 0" "ok" \
	"$(jget "$T/w2.out" '"ok" if all(x["rtt_ms"] is not None and x["rtt_ms"] >= 0 for x in E("reply")) else [x["rtt_ms"] for x in E("reply")][:5]')"
mc_run w3 h1 send -i eth0 -n 300 -I 0 --wait 500ms 239.78.2.1:5783 hello
check_lacks "text: no negative time" "$T/w3.out" " in -"

# ---- #3: the table so far -------------------------------------------------------

mc_bg p3 h1 ping -i eth0 -n 200 -I 10ms -w 2s --json 239.78.1.2:5782
check "ping answered a first probe" wait_for_file_text "$T/p3.out" '"event":"answer"' "$LONG"
sleep 0.5
kill -USR1 "${PID[p3]}"
check "ping, SIGUSR1: a table so far" wait_for_file_text "$T/p3.out" '"final":false' 5
kill -TERM "${PID[p3]}"
wait_exit p3 "$LONG"
check_eq "the table so far: received <= sent, loss_pct = (sent - received) / sent" "ok" \
	"$("$PYTHON" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
i = [n for n, x in enumerate(L) if x.get("event") == "summary"][0]
rows = [x for x in L[:i] if x.get("event") == "responder"]
bad = [r for r in rows if r["received"] > r["sent"] or
       abs(r["loss_pct"] - (100.0 * (r["sent"] - r["received"]) / r["sent"] if r["sent"] else 0)) > 0.06]
print("ok" if rows and not bad else (rows, bad))' "$T/p3.out")"

# ---- #9: bench send pacing -------------------------------------------------------

mc_run b1 h1 bench send -i eth0 --rate 1 -d 2s --json 239.78.3.1:5784
check_rc "bench send --rate 1 -d 2s exits 0" 0 "$RC"
check "bench send --rate 1 -d 2s: 2 or 3 datagrams, not a burst" \
	test "$(jget "$T/b1.out" 'S["sent"] in (2, 3)')" = True
mc_run b2 h1 bench send -i eth0 --rate 800bit -d 1s --json 239.78.3.1:5784
check_eq "bench send --rate 800bit -d 1s (1.56/s of 64 bytes): 2 datagrams" 2 \
	"$(jget "$T/b2.out" 'S["sent"]')"

# ---- #10: ping's own kernel drops ---------------------------------------------------

mc_bg p10 h1 ping -i eth0 -p 40781 -n 6 -I 300ms -w 1s 239.78.1.2:5782
check "ping -p 40781 answered" wait_for_file_text "$T/p10.out" "bytes from" "$LONG"
kill -STOP "${PID[p10]}"
# 20000 datagrams of 1400 bytes at the stopped prober: far more than any
# socket buffer holds.
in_ns h2 "$PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20000):
    try:
        s.sendto(b"\0" * 1400, ("10.77.0.1", 40781))
    except OSError:
        pass'
kill -CONT "${PID[p10]}"
wait_exit p10 "$LONG"
check_rc "ping after a flood at its socket exits 0" 0 "$RC"
check_match "ping says its own socket dropped answers, apart from path loss" "$T/p10.out" \
	'^kernel drops: [1-9][0-9]* answers dropped by this host \(its socket buffer was full\)'

# pong --reply-rate holds probes back and says so in its answers: ping
# shows them apart, and does not count them as loss.
mc_bg pongr h2 pong -i eth0 --reply-rate 10/s -w "$(tmo 20)" 239.78.1.3:5789
wait_listening pongr
mc_run hb h1 ping -i eth0 -n 60 -I 10ms -w 500ms --json 239.78.1.3:5789
# (Probes held back after the last answer are known to no one: lost.)
check_eq "ping of a rate-limited pong: some held back, and loss_pct leaves them out" \
	"True True" \
	"$(jget "$T/hb.out" 'R["10.77.0.2"]["held_back"] > 0' \
		'abs(R["10.77.0.2"]["loss_pct"] - 100.0 * (R["10.77.0.2"]["sent"] - R["10.77.0.2"]["received"] - R["10.77.0.2"]["held_back"]) / R["10.77.0.2"]["sent"]) < 0.06')"
mc_run hbt h1 ping -i eth0 -n 60 -I 10ms -w 500ms -q 239.78.1.3:5789
check_match "the text row says how many were held back, not lost" "$T/hbt.out" \
	'^10\.77\.0\.2:[0-9]+ .* [1-9][0-9]* held back by the responder, not lost$'

# ---- #11: an interface down --------------------------------------------------------

n=0
for cmd in send ping "bench send"; do
	n=$((n + 1))
	attach sw br0 h1 "z$n" "h1z$n" "10.81.$n.1/24" "fd81:$n::1/64"
	ip -n "${P}h1" link set "z$n" down
	case $cmd in
	send) args=(send -n 3 -I 10ms -i "z$n" "239.78.4.$n:5785" x) ;;
	ping) args=(ping -n 3 -I 10ms -i "z$n" "239.78.4.$n:5785") ;;
	*) args=(bench send -d 1s --rate 1k -i "z$n" "239.78.4.$n:5785") ;;
	esac
	mc_run "d$n" h1 "${args[@]}"
	check_rc "$cmd -i z$n (down): exit 1" 1 "$RC"
	check_file "$cmd -i z$n (down): one line saying so" "$T/d$n.err" \
		"mcast: interface z$n is down; nothing can be sent through it"
	# Up, then down under it: the summary of what was done, and one error.
	ip -n "${P}h1" link set "z$n" up
	case $cmd in
	send) args=(send -n 0 -I 10ms -i "z$n" "239.78.4.$n:5785" x) ;;
	ping) args=(ping -n 0 -I 10ms -i "z$n" "239.78.4.$n:5785") ;;
	*) args=(bench send -d 20s --rate 1k -i "z$n" "239.78.4.$n:5785") ;;
	esac
	mc_bg "m$n" h1 "${args[@]}"
	settle
	ip -n "${P}h1" link set "z$n" down
	wait_exit "m$n" $((5 * SLOW))
	check_rc "$cmd, z$n going down: exit 1" 1 "$RC"
	check_eq "$cmd, z$n going down: one error line" \
		"mcast: interface z$n went down; stopping" \
		"$(grep -vE '^mcast: (probing|sent|[ 0-9.]+s sent)' "$T/m$n.err")"
	if [ "$cmd" = ping ]; then
		check_has "ping, z$n going down: the table" "$T/m$n.out" \
			"--- 239.78.4.$n:5785 ping:"
	else
		check_match "$cmd, z$n going down: the summary" "$T/m$n.err" '^mcast: sent [1-9]'
	fi
done

# ---- #12: bench send beyond the MTU -------------------------------------------------

for opt in "--size 1500" "--gso on --size 1473" "--gso off --size 1473"; do
	# shellcheck disable=SC2086 # the options are words on purpose
	mc_run mtu h1 bench send -i eth0 $opt -n 10 239.78.5.1:5786
	check_rc "bench send $opt on a 1500-byte MTU: exit 1" 1 "$RC"
	check_match "bench send $opt: send's message, with the limit and --fragment" "$T/mtu.err" \
		"^mcast: datagram of 1[0-9]{3} bytes is larger than the path allows: at most 1472 bytes fit in one packet on eth0 \\(MTU 1500\\); --fragment"
	check_eq "bench send $opt: only that line" 1 "$(nlines "$T/mtu.err")"
done

# ---- the smaller ones ------------------------------------------------------------

mc_run big h1 send -i eth0 239.78.6.1:5787 "$(head -c 65508 /dev/zero | tr '\0' a)"
check_rc "a 65508-byte message: usage error, exit 2" 2 "$RC"
check_file "a 65508-byte message: one line with the limit" "$T/big.err" \
	"mcast: the message is 65508 bytes, more than one datagram can carry (65507)"

ns_add lonely
mc_run nr lonely send 239.78.6.1:5787 x
check_rc "send with no route: exit 1" 1 "$RC"
check_eq "send with no route: one line" 1 "$(nlines "$T/nr.err")"
check_match "send with no route: it says so, and what to do" "$T/nr.err" \
	'^mcast: .*: no route to the group; choose an interface with -i$'

mc_run d0 h1 bench send -i eth0 -d 0 239.78.6.1:5787
check_rc "bench send -d 0: exit 2, as recv -w 0" 2 "$RC"
check_file "bench send -d 0: says why" "$T/d0.err" \
	"mcast: --duration: must be more than 0 (it would send nothing)"
mc_run dn h1 bench send -i eth0 -d 1s -n 10 239.78.6.1:5787
check_rc "bench send -d 1s -n 10: exit 2" 2 "$RC"
check_file "bench send -d 1s -n 10: one of them" "$T/dn.err" \
	"mcast: give --duration or --count, not both"

mc_run nl h1 send -i lo --no-loop -q 239.78.6.2:5788 x
check_rc "send -i lo --no-loop -q: exit 0" 0 "$RC"
mc_run nl h1 send -i lo --no-loop 239.78.6.2:5788 x
check_has "send -i lo --no-loop: a warning that it does nothing there" "$T/nl.err" \
	"mcast: warning: --no-loop has no effect on lo"

mc_run help h1 send --help
check_has "send --help: --stdin lines go as they arrive without -I" "$T/help.out" \
	"it, each line is sent as soon as it arrives"

finish
