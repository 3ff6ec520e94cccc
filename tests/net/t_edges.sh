#!/bin/bash
# Edges at run time, beyond t_signal_leave and t_count_timeout (the usage
# edges are in t_edges_usage). Each row ends with a clear message and a
# documented exit status, and none hangs:
#   - a closed standard output: `mcast recv | head -n 1` (text, --json,
#     --raw) exits 0 without an error and leaves its group, and
#     `mcast ping | head -n 1` ends too;
#   - signals while sending: SIGTERM ends send and bench send with exit 0
#     and a summary that counts exactly what the receiver got;
#     SIGSTOP/SIGCONT pauses send, bench send and ping, which then finish
#     their count with nothing lost; SIGUSR1 makes ping print its table so
#     far and go on;
#   - recv -n 1 and pong -n 1 without traffic or -w: SIGTERM ends them, 0;
#   - an interface deleted under recv (IPv4 and IPv6), pong and bench recv:
#     one line naming it ("disappeared"), exit 1, at once; under send, ping
#     and bench send: one error line, exit 1.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends, h2 10.77.0.2 receives; extra
# veth pairs x1.. on h2 and y1.. on h1 are made to be deleted.
# The helpers below are called through check, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

G=239.77.0.1:5771

# /proc/net/igmp shows an IPv4 group as the 32-bit word in host order.
g4hex() {
	local IFS=. a
	read -r -a a <<<"$1"
	case $(printf '\1\0' | od -An -tx2 | tr -d ' ') in
	0001) printf '%02X%02X%02X%02X' "${a[3]}" "${a[2]}" "${a[1]}" "${a[0]}" ;;
	*) printf '%02X%02X%02X%02X' "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}" ;;
	esac
}
joined() { in_ns "$1" grep -q "$(g4hex "$2")" /proc/net/igmp; }
not_joined() { ! joined "$@"; }

# ---- a closed standard output ---------------------------------------------------

# piped NAME NS HEAD-ARGS MCAST-ARGS...: mcast ARGS in the background with
# its standard output a FIFO read by head HEAD-ARGS (whose output goes to
# $T/NAME.head): PID[NAME] is mcast itself, and wait_exit gives its code.
piped() {
	local name=$1 ns=$2 hargs=$3
	shift 3
	rm -f "$T/$name.out"
	mkfifo "$T/$name.out"
	# shellcheck disable=SC2086 # HEAD-ARGS are words on purpose
	head $hargs <"$T/$name.out" >"$T/$name.head" &
	PIDS+=("$!")
	mc_bg "$name" "$ns" "$@"
}

n=0
for mode in text --json --raw; do
	n=$((n + 1))
	g=239.77.1.$n
	args=(recv -i eth0)
	[ "$mode" = text ] || args+=("$mode")
	piped "pr$n" h2 "-n 1" "${args[@]}" "$g:5771"
	wait_listening "pr$n"
	check "recv $mode | head -n 1: h2 joined $g" joined h2 "$g"
	mc_run s h1 send -i eth0 -n 3 -I 200ms "$g:5771" $'hello\n'
	wait_exit "pr$n" 5
	check_rc "recv $mode | head -n 1: mcast recv exits 0 once head has gone" 0 "$RC"
	case $mode in
	--json) want='{"event":"listening","group":"'$g'","port":5771,"interfaces":["eth0"],"groups":1}' ;;
	--raw) want=hello ;;
	*) want="10.77.0.1:$(sed -n 's/.*\.1:\([0-9]*\) ->.*/\1/p' "$T/pr$n.head") -> $g:5771 on eth0, 6 bytes: hello\\n" ;;
	esac
	check_file "recv $mode | head -n 1: head got the first line" "$T/pr$n.head" "$want"
	check_lacks "recv $mode | head -n 1: no error about the output" "$T/pr$n.err" "writing output"
	check_eq "recv $mode | head -n 1: stderr is the listening line and the summary only" "" \
		"$(grep -vE '^mcast: (listening on |[0-9]+ datagrams?, )' "$T/pr$n.err")"
	check "recv $mode | head -n 1: h2 left $g" not_joined h2 "$g"
done

mc_bg pong h2 pong -i eth0 "$G"
wait_listening pong
# ping probes until interrupted by default; a reader that went away is as
# good a reason to stop as for recv.
piped pp h1 "-n 1" ping -i eth0 -I 100ms "$G"
wait_exit pp 5
check "ping | head -n 1: mcast ping ends once head has gone" test "$RC" != 124
check_rc "ping | head -n 1: mcast ping exits 0" 0 "$RC"
check_match "ping | head -n 1: head got the first answer" "$T/pp.head" \
	'^64 bytes from 10\.77\.0\.2:[0-9]+: seq=1 hops=0 time=[0-9.]+ ms$'
piped pp5 h1 "-n 1" ping -i eth0 -n 5 -I 100ms "$G"
wait_exit pp5 5
check_rc "ping -n 5 | head -n 1: exits 0" 0 "$RC"
check_lacks "ping -n 5 | head -n 1: no error about the output" "$T/pp5.err" "writing output"

# ---- signals while sending ---------------------------------------------------------

# summary_sent NAME: N of "mcast: sent N datagrams" in NAME's stderr.
summary_sent() {
	sed -nE 's/^mcast: sent ([0-9]+) datagrams? \(.*/\1/p' "$T/$1.err"
}

# SIGTERM ends send -n 0 after the current datagram: its summary counts
# exactly what the receiver got.
mc_bg r1 h2 recv -i eth0 --json -w "$(tmo 2)" 239.77.2.1:5772
wait_listening r1
mc_bg s1 h1 send -i eth0 -n 0 -I 1ms 239.77.2.1:5772 x
# The signal comes once the sender is surely in its loop: after the
# receiver has its first datagram (a slow start under valgrind is no test).
wait_for_lines "$T/r1.out" 2 "$LONG"
sleep 1
kill -TERM "${PID[s1]}"
wait_exit s1 "$LONG"
check_rc "send -n 0 -I 1ms, SIGTERM: exits 0" 0 "$RC"
sent=$(summary_sent s1)
check "send -n 0, SIGTERM: the summary says how many were sent ($sent)" test "${sent:-0}" -gt 100
wait_exit r1 "$LONG"
check_rc "its receiver exits 0" 0 "$RC"
check_eq "send -n 0, SIGTERM: the receiver got exactly the $sent sent" "${sent:-?} ${sent:-?}" \
	"$(jget "$T/r1.out" 'S["datagrams"]' 'S["bytes"]')"

# SIGTERM ends bench send -d 5s early, with a summary; the receiver counts
# what it says it sent.
mc_bg br1 h2 bench recv -i eth0 --json --rcvbuf 8M -w "$(tmo 2)" 239.77.2.2:5772
wait_listening br1
mc_bg bs1 h1 bench send -i eth0 -d 5s --rate 20k --json 239.77.2.2:5772
# The signal comes once the sender has been sending for a second: after
# its first progress record (under valgrind it may take longer to start).
check "bench send -d 5s prints a first progress record" \
	wait_for_file_text "$T/bs1.out" '"event":"progress"' "$LONG"
kill -TERM "${PID[bs1]}"
wait_exit bs1 "$LONG"
check_rc "bench send -d 5s, SIGTERM after its first progress record: exits 0" 0 "$RC"
read -r bsent bsecs bid <<<"$(jget "$T/bs1.out" 'S["sent"]' 'S["seconds"]' 'S["sender_id"]')"
check "bench send, SIGTERM: it stopped early (${bsecs:-?} s, sent ${bsent:-?})" \
	"$PYTHON" -c "import sys; sys.exit(not (0 < ${bsecs:-9} < 4 and ${bsent:-0} > 0))"
wait_exit br1 "$LONG"
check_rc "its bench receiver exits 0" 0 "$RC"
check_eq "bench send, SIGTERM: received what the summary says was sent, nothing lost" \
	"${bsent:-?} ${bsent:-?} 0 0" \
	"$(jget "$T/br1.out" "I['$bid']['received']" "I['$bid']['expected']" \
		"I['$bid']['lost']" 'S["kernel_drops"]')"

# SIGSTOP then SIGCONT: send and bench send go on and finish their count.
mc_bg r2 h2 recv -i eth0 --json -w "$(tmo 3)" 239.77.2.3:5772
mc_bg br2 h2 bench recv -i eth0 --json --rcvbuf 8M -w "$(tmo 3)" 239.77.2.4:5772
wait_listening r2
wait_listening br2
mc_bg s2 h1 send -i eth0 -n 100 -I 10ms -T '{seq}' 239.77.2.3:5772
mc_bg bs2 h1 bench send -i eth0 -n 20000 --rate 20k --json 239.77.2.4:5772
sleep 0.3
kill -STOP "${PID[s2]}" "${PID[bs2]}"
sleep 1
check "send and bench send are stopped, not gone" proc_alive "${PID[s2]}"
kill -CONT "${PID[s2]}" "${PID[bs2]}"
wait_exit s2 "$LONG"
check_rc "send -n 100, SIGSTOP and SIGCONT: exits 0" 0 "$RC"
check_eq "send -n 100, SIGSTOP and SIGCONT: sent 100" 100 "$(summary_sent s2)"
wait_exit bs2 "$LONG"
check_rc "bench send -n 20000, SIGSTOP and SIGCONT: exits 0" 0 "$RC"
bid=$(jget "$T/bs2.out" 'S["sender_id"]')
check_eq "bench send -n 20000, SIGSTOP and SIGCONT: sent 20000" 20000 \
	"$(jget "$T/bs2.out" 'S["sent"]')"
wait_exit r2 "$LONG"
check_rc "its receiver exits 0" 0 "$RC"
check_eq "send, SIGSTOP and SIGCONT: the receiver got 1 to 100, in order" \
	"$(seq 1 100 | tr '\n' ' ')" \
	"$(jget "$T/r2.out" '" ".join(x["data"] for x in L if x["event"] == "message") + " "')"
wait_exit br2 "$LONG"
check_rc "its bench receiver exits 0" 0 "$RC"
check_eq "bench send, SIGSTOP and SIGCONT: received 20000 of 20000, nothing lost, no kernel drops" \
	"20000 20000 0 0" \
	"$(jget "$T/br2.out" "I['$bid']['received']" "I['$bid']['expected']" \
		"I['$bid']['lost']" 'S["kernel_drops"]')"

# ping: SIGUSR1 prints the table so far and goes on; SIGSTOP and SIGCONT
# pause it, and every probe is still answered.
mc_bg p3 h1 ping -i eth0 -n 30 -I 50ms -w 1s --json "$G"
check "ping answered a first probe" wait_for_file_text "$T/p3.out" '"event":"answer"' "$LONG"
kill -USR1 "${PID[p3]}"
check "ping, SIGUSR1: a table so far (\"final\":false)" \
	wait_for_file_text "$T/p3.out" '"final":false' 5
check "ping goes on after SIGUSR1" proc_alive "${PID[p3]}"
kill -STOP "${PID[p3]}"
sleep 0.5
kill -CONT "${PID[p3]}"
wait_exit p3 "$LONG"
check_rc "ping -n 30 with SIGUSR1, SIGSTOP and SIGCONT: exits 0" 0 "$RC"
check_eq "ping: h2 answered all 30 probes, 0% loss; one table so far, then the final one" \
	"30 30 0.0 30 False True" \
	"$(jget "$T/p3.out" "R['10.77.0.2']['sent']" "R['10.77.0.2']['received']" \
		"R['10.77.0.2']['loss_pct']" 'S["sent"]' \
		'[x["final"] for x in L if x["event"] == "summary"][0]' 'S["final"]')"

# recv -n 1 and pong -n 1 with nothing arriving and no -w: SIGTERM ends
# them with exit 0 (-n counts only with -w towards exit 1).
mc_bg r4 h2 recv -i eth0 -n 1 239.77.3.1:5773
mc_bg q4 h2 pong -i eth0 -n 1 239.77.3.2:5773
wait_listening r4
wait_listening q4
sleep 0.3
kill -TERM "${PID[r4]}" "${PID[q4]}"
wait_exit r4 5
check_rc "recv -n 1, nothing arrived, SIGTERM: exits 0" 0 "$RC"
check_has "recv -n 1, SIGTERM: summary of nothing" "$T/r4.err" \
	"mcast: 0 datagrams, 0 bytes from 0 sources, 0 kernel drops"
wait_exit q4 5
check_rc "pong -n 1, nothing arrived, SIGTERM: exits 0" 0 "$RC"
check_has "pong -n 1, SIGTERM: summary of nothing" "$T/q4.err" "mcast: answered 0 probes"

# ---- an interface that disappears ---------------------------------------------------

# gone NAME DESC IFACE: IFACE was deleted under NAME, which must end within
# 5 s with exit 1 and exactly one line that names IFACE.
gone() {
	wait_exit "$1" 5
	check_rc "$2: exits 1 at once" 1 "$RC"
	check_eq "$2: one line names $3" \
		"mcast: interface $3 disappeared; leaving the group and stopping" \
		"$(grep disappeared "$T/$1.err")"
}

n=0
for cmd in recv recv6 pong "bench recv"; do
	n=$((n + 1))
	attach sw br0 h2 "x$n" "h2x$n" "10.79.$n.2/24" "fd79:$n::2/64"
	if [ "$cmd" = recv6 ]; then
		wait_v6_ready h2 "x$n"
		mc_bg "d$n" h2 recv -i "x$n" "[ff15::77:$n]:5774"
	else
		# shellcheck disable=SC2086 # "bench recv" is two words on purpose
		mc_bg "d$n" h2 $cmd -i "x$n" "239.77.4.$n:5774"
	fi
	wait_listening "d$n"
	ip -n "${P}h2" link del "x$n"
	gone "d$n" "$cmd, x$n deleted" "x$n"
done

# Senders have no watch: the next send fails, and says so in one line.
n=0
for cmd in send ping "bench send"; do
	n=$((n + 1))
	attach sw br0 h1 "y$n" "h1y$n" "10.80.$n.1/24" "fd80:$n::1/64"
	case $cmd in
	send) args=(send -n 0 -I 10ms -i "y$n" "239.77.5.$n:5775" x) ;;
	ping) args=(ping -n 0 -I 10ms -i "y$n" "239.77.5.$n:5775") ;;
	*) args=(bench send -d 20s --rate 1k -i "y$n" "239.77.5.$n:5775") ;;
	esac
	# A receiver on h1 itself hears the looped-back copy: the sender is
	# then past its start and sending on y$n (a fixed sleep was too short
	# under valgrind, which deleted y$n before the sender resolved it).
	mc_bg "w$n" h1 recv -n 1 -w "${LONG}s" -i "y$n" "239.77.5.$n:5775"
	wait_listening "w$n"
	mc_bg "e$n" h1 "${args[@]}"
	wait_exit "w$n" "$((LONG + 5))"
	check_rc "$cmd -i y$n is sending (its own host hears it)" 0 "$RC"
	check "$cmd -i y$n is still sending" proc_alive "${PID[e$n]}"
	ip -n "${P}h1" link del "y$n"
	wait_exit "e$n" 5
	check_rc "$cmd, y$n deleted: exits 1 at once" 1 "$RC"
	# Everything but the start and progress lines.
	grep -vE '^mcast: (probing|sent|[ 0-9.]+s sent|UDP GSO)' "$T/e$n.err" >"$T/e$n.errs"
	check_match "$cmd, y$n deleted: an error line about the send" "$T/e$n.errs" \
		"^mcast: interface y$n (disappeared|went down); stopping\$"
	check_eq "$cmd, y$n deleted: only that one error line" 1 "$(nlines "$T/e$n.errs")"
done

check_eq "no sanitizer report in any stderr" "" \
	"$(grep -lE 'AddressSanitizer|runtime error' "$T"/*.err)"

finish
