#!/bin/bash
# Edges beyond t_bad_input and t_bench_usage. Each row ends with a clear
# message and a documented exit status, and none hangs:
#   - every wrong value of a ping or pong option: exit 2, one line on
#     stderr that names the value, nothing on stdout, nothing sent;
#   - conflicting options of ping, pong, send, recv and bench recv: exit 2,
#     the message names them;
#   - unreadable --config files (missing, a directory, no permission, not
#     text), for every subcommand: exit 2 naming the file;
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

# jget FILE EXPR...: Python expressions over the JSON lines of FILE (L all
# of them, S the last summary, R responder events by address, F sender
# events by sender_id), space-separated.
jget() {
	"$PYTHON" -c '
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
S = ([x for x in L if x.get("event") == "summary"] or [{}])[-1]
R = {x["responder"]: x for x in L if x.get("event") == "responder"}
F = {x["sender_id"]: x for x in L if x.get("event") == "sender"}
print(" ".join(str(eval(e)) for e in sys.argv[2:]))' "$@" 2>&1 | tail -1
}

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

# ---- wrong option values ----------------------------------------------------

# The watcher on h2 sees anything that reaches the group while the usage
# errors run on h1; it must get nothing.
mc_bg watch h2 recv -i eth0 --json "$G"
wait_listening watch

# usage NAME TEXT ARGS...: mcast ARGS in h1 exits 2, prints nothing on
# stdout, and one line on stderr, "mcast: ...", that contains TEXT.
usage() {
	local name=$1 text=$2
	shift 2
	mc_run "$name" h1 "$@"
	check_rc "mcast $*: exits 2" 2 "$RC"
	check_empty "mcast $*: nothing on stdout" "$T/$name.out"
	check_match "mcast $*: one line, \"mcast: ...\"" "$T/$name.err" '^mcast: '
	check_eq "mcast $*: the message is one line" 1 "$(nlines "$T/$name.err")"
	check_has "mcast $*: the message names '$text'" "$T/$name.err" "$text"
}

P1=(ping -i eth0)
usage p_n1 "--count: 'abc' is not a number" "${P1[@]}" -n abc "$G"
usage p_n2 "--count: '-1' is not a number" "${P1[@]}" -n -1 "$G"
usage p_n3 "--count: 18446744073709551616 is out of range" \
	"${P1[@]}" -n 18446744073709551616 "$G"
usage p_I1 "--interval: '5x' is not a duration" "${P1[@]}" -I 5x "$G"
usage p_I2 "--interval: 9000h is too long (at most a year)" "${P1[@]}" -I 9000h "$G"
usage p_I3 "--interval: '-1s' is not a duration" "${P1[@]}" -I -1s "$G"
usage p_w1 "--wait: '5x' is not a duration" "${P1[@]}" -w 5x "$G"
usage p_w2 "--wait: 'ms' is not a duration" "${P1[@]}" -w ms "$G"
usage p_s1 "--size: 63 is out of range (64-65507 bytes)" "${P1[@]}" -s 63 "$G"
usage p_s2 "--size: 65508 is out of range" "${P1[@]}" -s 65508 "$G"
usage p_s3 "--size: 'big' is not a size" "${P1[@]}" -s big "$G"
usage p_s4 "--size: 0 is out of range" "${P1[@]}" -s 0 "$G"
usage p_sa1 "--silent-after: 0 is out of range (1-1024)" "${P1[@]}" --silent-after 0 "$G"
usage p_sa2 "--silent-after: 1025 is out of range" "${P1[@]}" --silent-after 1025 "$G"
usage p_sa3 "--silent-after: 'x' is not a number" "${P1[@]}" --silent-after x "$G"
usage p_e1 "--expect: 0 is out of range" "${P1[@]}" -n 1 --expect 0 "$G"
usage p_e2 "--expect: 'x' is not a number" "${P1[@]}" -n 1 --expect x "$G"
usage p_e3 "--expect: 4097 is out of range" "${P1[@]}" -n 1 --expect 4097 "$G"
usage p_ml1 "--max-loss: 101 is out of range (0-100)" "${P1[@]}" -n 1 --max-loss 101 "$G"
usage p_ml2 "--max-loss: 'x' is not a number" "${P1[@]}" -n 1 --max-loss x "$G"
usage p_ml3 "--max-loss: '-1' is not a number" "${P1[@]}" -n 1 --max-loss -1 "$G"
usage p_ml4 "--max-loss: '2.5' is not a number" "${P1[@]}" -n 1 --max-loss 2.5 "$G"
usage p_t1 "--ttl: 256 is out of range (0-255)" "${P1[@]}" -t 256 "$G"
usage p_t2 "--ttl: 'x' is not a number" "${P1[@]}" -t x "$G"
usage p_b1 "'10.0.0.999'" "${P1[@]}" -b 10.0.0.999 "$G"
usage p_b2 "'fd77::1' is IPv6 but the group is IPv4" "${P1[@]}" -b fd77::1 "$G"
usage p_p1 "--source-port: 0 is out of range (1-65535)" "${P1[@]}" -p 0 "$G"
usage p_p2 "--source-port: 70000 is out of range" "${P1[@]}" -p 70000 "$G"
usage p_p3 "--source-port: 'x' is not a number" "${P1[@]}" -p x "$G"
usage p_i "unknown interface 'nosuch0'" ping -i nosuch0 "$G"
usage p_g1 "'10.1.2.3' is not a multicast group" "${P1[@]}" 10.1.2.3:5771
usage p_g2 "'70000'" "${P1[@]}" 239.77.0.1:70000
usage p_g3 "[ff15::1" "${P1[@]}" '[ff15::1'
usage p_g4 "missing GROUP:PORT" "${P1[@]}"
usage p_x "unexpected argument 'extra'" "${P1[@]}" "$G" extra
usage p_o1 "unknown option '--bogus'" "${P1[@]}" --bogus "$G"
usage p_o2 "option -n needs a value" "${P1[@]}" -n

Q=(pong -i eth0)
usage q_n1 "--count: 0 is out of range" "${Q[@]}" -n 0 "$G"
usage q_n2 "--count: 'x' is not a number" "${Q[@]}" -n x "$G"
usage q_w1 "--timeout: must be more than 0" "${Q[@]}" -w 0 "$G"
usage q_w2 "--timeout: '5x' is not a duration" "${Q[@]}" -w 5x "$G"
usage q_r1 "--reply-rate: 0 is out of range" "${Q[@]}" --reply-rate 0 "$G"
usage q_r2 "--reply-rate: 'x' is not a number" "${Q[@]}" --reply-rate x "$G"
usage q_r3 "--reply-rate: '5/m'" "${Q[@]}" --reply-rate 5/m "$G"
usage q_r4 "--reply-rate: 2000000 is out of range" "${Q[@]}" --reply-rate 2000000 "$G"
usage q_b1 "--rcvbuf: '12q' is not a size" "${Q[@]}" --rcvbuf 12q "$G"
usage q_b2 "--rcvbuf: 1 is out of range" "${Q[@]}" --rcvbuf 1 "$G"
usage q_b3 "--rcvbuf: 2G is out of range" "${Q[@]}" --rcvbuf 2G "$G"
usage q_S1 "--source: '10.0.0.999' is not a valid address" "${Q[@]}" -S 10.0.0.999 232.77.0.1:5771
usage q_S2 "--source: 'fd77::1' is IPv6 but the group is IPv4" "${Q[@]}" -S fd77::1 232.77.0.1:5771
usage q_X1 "--exclude: '10.0.0.999' is not a valid address" "${Q[@]}" -X 10.0.0.999 "$G"
usage q_X2 "--exclude: '10.77.0.3' is IPv4 but the group is IPv6" \
	"${Q[@]}" -X 10.77.0.3 '[ff15::77:1]:5771'
usage q_i "unknown interface 'nosuch0'" pong -i nosuch0 "$G"
usage q_g1 "'10.1.2.3' is not a multicast group" "${Q[@]}" 10.1.2.3:5771
usage q_g2 "missing GROUP:PORT" "${Q[@]}"
usage q_x "unexpected argument 'extra'" "${Q[@]}" "$G" extra
usage q_o1 "unknown option '--bogus'" "${Q[@]}" --bogus "$G"
usage q_o2 "unknown option -z" "${Q[@]}" -z "$G"
usage q_o3 "option -w needs a value" "${Q[@]}" "$G" -w

# ---- conflicting options ----------------------------------------------------

usage c_pe "--expect and --max-loss need an end: give --count N" \
	"${P1[@]}" --expect 1 "$G"
usage c_pm "--expect and --max-loss need an end: give --count N" \
	"${P1[@]}" --max-loss 5 "$G"
usage c_pe0 "--expect and --max-loss need an end: give --count N" \
	"${P1[@]}" -n 0 --expect 1 "$G"
usage c_se "--expect needs --wait" send -i eth0 --expect 1 "$G" hi
usage c_se0 "--expect needs an end: give --count N (not 0)" \
	send -i eth0 -n 0 -w 1s --expect 1 "$G" hi
usage c_re "choose --reply TEXT or --echo, not both" recv -i eth0 --reply ack --echo "$G"
usage c_rf1 "choose one of --hex, --raw and --json" recv -i eth0 --hex --json "$G"
usage c_rf2 "choose one of --hex, --raw and --json" recv -i eth0 --raw --hex "$G"
usage c_qsx "--source and --exclude do not mix" \
	"${Q[@]}" -S 10.77.0.1 -X 10.77.0.3 232.77.0.1:5771
usage c_bsx "--source and --exclude do not mix" \
	bench recv -i eth0 -S 10.77.0.1 -X 10.77.0.3 232.77.0.1:5771
usage c_st1 "give --template or --stdin, not both" send -i eth0 -T x --stdin "$G"
# The same two options in the other order are the same conflict.
usage c_st2 "give --template or --stdin, not both" send -i eth0 --stdin -T x "$G"
usage c_sn "--count does not apply to --stdin" send -i eth0 --stdin -n 3 "$G"
usage c_sI "--interval does not apply to --stdin=raw" send -i eth0 --stdin=raw -I 1s "$G"
usage c_cc "--config: give one settings file" \
	recv -i eth0 --config /dev/null --config /dev/null "$G"

# ---- unreadable settings files ------------------------------------------------

mkdir "$T/conf.d"
printf 'count = 1\n' >"$T/conf.d/ok.conf"
# Not text: the start of an ELF file.
printf '\177ELF\2\1\1\0\0\0\n\377\376\n' >"$T/bin.conf"
# Over the 1 MiB a settings file may have.
truncate -s 1048577 "$T/big.conf"
# A NUL byte, then a setting that does not exist: the file is not cut short
# at the NUL, so the bad setting is still found.
printf 'count = 1\n\0\nbogus = 1\n' >"$T/nul.conf"
for cmd in send recv ping pong "bench send" "bench recv"; do
	# shellcheck disable=SC2206 # "bench send" is two words on purpose
	c=($cmd)
	n=${cmd// /_}
	usage "f1_$n" "cannot read settings file $T/none.conf: No such file or directory" \
		"${c[@]}" --config "$T/none.conf" "$G"
	usage "f2_$n" "cannot read settings file $T/conf.d: Is a directory" \
		"${c[@]}" --config "$T/conf.d" "$G"
	usage "f3_$n" "$T/bin.conf:1: unknown setting '\x7fELF" "${c[@]}" --config "$T/bin.conf" "$G"
	usage "f4_$n" "cannot read settings file $T/big.conf: File too large" \
		"${c[@]}" --config "$T/big.conf" "$G"
done
usage f5 "$T/nul.conf" recv -i eth0 -w "$(tmo 1)" --config "$T/nul.conf" "$G"
# Root reads any file, so the permission case runs as nobody (the usage
# error comes before any socket is opened).
if command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$T"
	chmod 000 "$T/conf.d/ok.conf"
	for cmd in recv ping; do
		RC=0
		# shellcheck disable=SC2086
		in_ns h1 timeout -k 2 "$LONG" setpriv --reuid=65534 --regid=65534 --clear-groups \
			$MCAST_WRAP "$MCAST" "$cmd" -i eth0 --config "$T/conf.d/ok.conf" "$G" \
			>"$T/perm.out" 2>"$T/perm.err" </dev/null || RC=$?
		check_rc "$cmd --config (mode 000, as nobody): exits 2" 2 "$RC"
		check_empty "$cmd --config (mode 000, as nobody): nothing on stdout" "$T/perm.out"
		check_file "$cmd --config (mode 000, as nobody): one line naming the file" \
			"$T/perm.err" "mcast: cannot read settings file $T/conf.d/ok.conf: Permission denied"
	done
	chmod 644 "$T/conf.d/ok.conf"
else
	diag "setpriv (util-linux) missing: the unreadable-file case is not run (root reads any file)"
fi

kill -TERM "${PID[watch]}"
wait_exit watch "$LONG"
check_rc "the watcher exits 0" 0 "$RC"
check_eq "no usage error sent anything to the group" 0 "$(jget "$T/watch.out" 'S["datagrams"]')"
grep -F '"event":"message"' "$T/watch.out" | sed 's/^/#   the watcher got: /'

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
	--json) want='{"event":"listening","group":"'$g'","port":5771,"interfaces":["eth0"]}' ;;
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
	'^64 bytes from 10\.77\.0\.2:[0-9]+: seq=1 time=[0-9.]+ ms$'
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
sleep 1
kill -TERM "${PID[bs1]}"
wait_exit bs1 "$LONG"
check_rc "bench send -d 5s, SIGTERM after 1 s: exits 0" 0 "$RC"
read -r bsent bsecs bid <<<"$(jget "$T/bs1.out" 'S["sent"]' 'S["seconds"]' 'S["sender_id"]')"
check "bench send, SIGTERM: it stopped early (${bsecs:-?} s, sent ${bsent:-?})" \
	"$PYTHON" -c "import sys; sys.exit(not (0 < ${bsecs:-9} < 4 and ${bsent:-0} > 0))"
wait_exit br1 "$LONG"
check_rc "its bench receiver exits 0" 0 "$RC"
check_eq "bench send, SIGTERM: received what the summary says was sent, nothing lost" \
	"${bsent:-?} ${bsent:-?} 0 0" \
	"$(jget "$T/br1.out" "F['$bid']['received']" "F['$bid']['expected']" \
		"F['$bid']['lost']" 'S["kernel_drops"]')"

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
	"$(jget "$T/br2.out" "F['$bid']['received']" "F['$bid']['expected']" \
		"F['$bid']['lost']" 'S["kernel_drops"]')"

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
	mc_bg "e$n" h1 "${args[@]}"
	sleep 0.5
	check "$cmd -i y$n is sending" proc_alive "${PID[e$n]}"
	ip -n "${P}h1" link del "y$n"
	wait_exit "e$n" 5
	check_rc "$cmd, y$n deleted: exits 1 at once" 1 "$RC"
	# Everything but the start and progress lines.
	grep -vE '^mcast: (probing|sent|[ 0-9.]+s sent|UDP GSO)' "$T/e$n.err" >"$T/e$n.errs"
	check_match "$cmd, y$n deleted: an error line about the send" "$T/e$n.errs" \
		'^mcast: (send to [^ ]+|sendmsg[^:]*): (Network is unreachable|No such device)$'
	check_eq "$cmd, y$n deleted: only that one error line" 1 "$(nlines "$T/e$n.errs")"
done

check_eq "no sanitizer report in any stderr" "" \
	"$(grep -lE 'AddressSanitizer|runtime error' "$T"/*.err)"

finish
