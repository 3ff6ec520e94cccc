#!/bin/bash
# Usage edges beyond t_bad_input and t_bench_usage: each exits 2 before
# anything is sent, prints nothing on stdout and one line on stderr.
#   - every wrong value of a ping or pong option: the line names the value;
#   - conflicting options of ping, pong, send, recv and bench recv: the
#     line names them (--template and --stdin in either order);
#   - -q with -v, in every subcommand; port 0 for a sender (send, ping,
#     bench send: the port is named, nothing about GSO comes first); a
#     source (-S, -X) or --bind address that is a group, unspecified,
#     broadcast or given twice: the line names the address;
#   - unreadable settings files, for every subcommand: missing, a
#     directory, not text, over 1 MiB, with a NUL byte, and (as nobody)
#     without permission: the line names the file;
#   - a receiver on the group meanwhile gets nothing.
#
# Hosts (lab_bridge3): h1 runs the commands; h2 watches the group.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

G=239.77.0.1:5771

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

# ---- -q -v, port 0 for senders, source addresses -------------------------------

for cmd in send recv ping pong "bench send" "bench recv" ifaces; do
	# shellcheck disable=SC2206 # "bench send" is two words on purpose
	c=($cmd)
	n=${cmd// /_}
	if [ "$cmd" = ifaces ]; then
		usage "qv_$n" "choose -q or -v, not both" "${c[@]}" -q -v
	else
		usage "qv_$n" "choose -q or -v, not both" "${c[@]}" -i eth0 -v -q "$G" hi
	fi
done
usage qv_order "choose -q or -v, not both" recv -i eth0 -q -q -v "$G"

usage p0_send "239.77.0.1:0: a sender needs a port from 1 to 65535, not 0" \
	send -i eth0 239.77.0.1:0 hi
usage p0_send6 "[ff15::77]:0: a sender needs a port from 1 to 65535, not 0" \
	send -i eth0 '[ff15::77]:0' hi
usage p0_ping "239.77.0.1:0: a sender needs a port from 1 to 65535, not 0" \
	ping -i eth0 -n 1 239.77.0.1:0
usage p0_bsend "239.77.0.1:0: a sender needs a port from 1 to 65535, not 0" \
	bench send -i eth0 -n 1 239.77.0.1:0
usage p0_bsend6 "[ff15::77]:0: a sender needs a port from 1 to 65535, not 0" \
	bench send -i eth0 --gso on -n 1 '[ff15::77]:0'

S=232.77.0.1:5771
S6='[ff35::77]:5771'
usage sa_dup "--source: 10.77.0.1 is given twice" recv -i eth0 -S 10.77.0.1 -S 10.77.0.1 "$S"
usage sa_dup6 "--source: fd77:0::1 is given twice" \
	recv -i eth0 -S fd77::1 -S fd77:0::1 "$S6"
usage sa_xdup "--exclude: 10.77.0.9 is given twice" \
	pong -i eth0 -X 10.77.0.9 -X 10.77.0.9 "$G"
usage sa_xdupb "--exclude: 10.77.0.9 is given twice" \
	bench recv -i eth0 -X 10.77.0.8 -X 10.77.0.9 -X 10.77.0.9 "$G"
usage sa_mc "--source: 239.1.1.1 is not a unicast address" recv -i eth0 -S 239.1.1.1 "$S"
usage sa_any "--source: 0.0.0.0 is not a unicast address" pong -i eth0 -S 0.0.0.0 "$S"
usage sa_any6 "--source: :: is not a unicast address" recv -i eth0 -S :: "$S6"
usage sa_bc "--exclude: 255.255.255.255 is not a unicast address" \
	bench recv -i eth0 -X 255.255.255.255 "$G"
usage sa_mc6 "--exclude: ff15::1 is not a unicast address" recv -i eth0 -X ff15::1 "$S6"
usage b_mc "--bind: 239.1.1.1 is not a unicast address" send -i eth0 -b 239.1.1.1 "$G" hi
usage b_any "--bind: 0.0.0.0 is not a unicast address" ping -i eth0 -n 1 -b 0.0.0.0 "$G"
usage b_mc6 "--bind: ff15::1 is not a unicast address" \
	bench send -i eth0 -n 1 -b ff15::1 '[ff15::77]:5771'

# ---- unreadable settings files ------------------------------------------------

mkdir "$T/conf.d"
printf 'count = 1\n' >"$T/conf.d/ok.conf"
# Not text: bytes of an ELF header (without a NUL byte).
printf '\177ELF\2\1\1\377\376\n' >"$T/bin.conf"
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
	usage "f3_$n" "$T/bin.conf:1: unknown setting" "${c[@]}" --config "$T/bin.conf" "$G"
	usage "f4_$n" "cannot read settings file $T/big.conf: File too large" \
		"${c[@]}" --config "$T/big.conf" "$G"
done
usage f5 "$T/nul.conf" recv -i eth0 -w "$(tmo 1)" --config "$T/nul.conf" "$G"
# Root reads any file, so the permission case runs as nobody (the usage
# error comes before any socket is opened). In an unprivileged user
# namespace (tests/net/run.sh as an ordinary user) nobody is not mapped,
# and the case cannot run.
if ! command -v setpriv >/dev/null 2>&1; then
	diag "setpriv (util-linux) missing: the unreadable-file case is not run (root reads any file)"
elif ! in_ns h1 setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	diag "cannot become uid 65534 here (a user namespace?): the unreadable-file case is not run"
else
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
fi

kill -TERM "${PID[watch]}"
wait_exit watch "$LONG"
check_rc "the watcher exits 0" 0 "$RC"
check_eq "no usage error sent anything to the group" 0 "$(jget "$T/watch.out" 'S["datagrams"]')"
grep -F '"event":"message"' "$T/watch.out" | sed 's/^/#   the watcher got: /'

check_eq "no sanitizer report in any stderr" "" \
	"$(grep -lE 'AddressSanitizer|runtime error' "$T"/*.err)"

finish
