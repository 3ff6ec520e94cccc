#!/bin/bash
# SIGTERM and SIGINT end a receiver cleanly: it leaves every group (the
# kernel's membership list no longer has it), prints its summary and exits 0.
# The helpers below are called through check, which shellcheck cannot see.
# shellcheck disable=SC2317
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

# /proc/net/igmp shows groups as the in-memory 32-bit word, so on a
# little-endian host 239.1.2.3 reads 030201EF; /proc/net/igmp6 shows the
# address as 32 hex digits.
case $(printf '\1\0' | od -An -tx2 | tr -d ' ') in
0001) G4HEX=030201EF ;; # little-endian
*) G4HEX=EF010203 ;;
esac
G6HEX=ff150000000000000000000000001234

joined4() { in_ns h2 grep -q "$G4HEX" /proc/net/igmp; }
joined6() { in_ns h2 grep -q "$G6HEX" /proc/net/igmp6; }
left4() { ! joined4; }
left6() { ! joined6; }

# stop NAME SIGNAL: signal the receiver and wait for it to end.
stop() {
	kill "-$2" "${PID[$1]}"
	wait_exit "$1" "$LONG"
}

check "before: h2 is not in 239.1.2.3" left4
check "before: h2 is not in ff15::1234" left6

# SIGTERM, IPv4, nothing received.
mc_bg t4 h2 recv -i eth0 -w 60s 239.1.2.3:5010
wait_listening t4
check "SIGTERM: while running, /proc/net/igmp lists 239.1.2.3 on h2" joined4
stop t4 TERM
check_rc "SIGTERM: exits 0" 0 "$RC"
check_has "SIGTERM: prints the summary" "$T/t4.err" \
	"mcast: 0 datagrams, 0 bytes from 0 sources, 0 kernel drops"
check "SIGTERM: 239.1.2.3 is gone from /proc/net/igmp" left4

# SIGTERM with -v after two datagrams: the joined and left lines.
mc_bg v4 h2 recv -v -i eth0 -w 60s 239.1.2.3:5010
wait_listening v4
pid=${PID[v4]}
check "-v: while running, /proc/net/igmp lists 239.1.2.3 on h2" joined4
mc_run s h1 send -i eth0 -n 2 -I 50ms 239.1.2.3:5010 hello
check_rc "send exits 0" 0 "$RC"
# Give the datagrams time to be read. stdout may be buffered until exit,
# so this wait is bounded and not a check.
wait_for_lines "$T/v4.out" 2 3 || true
stop v4 TERM
check_rc "-v SIGTERM: exits 0" 0 "$RC"
check_has "-v: says it joined" "$T/v4.err" "mcast[$pid]: joined 239.1.2.3 on eth0"
check_has "-v SIGTERM: says it left" "$T/v4.err" "mcast[$pid]: left 239.1.2.3 on eth0"
check_has "-v SIGTERM: summary counts the two datagrams" "$T/v4.err" \
	"mcast: 2 datagrams, 10 bytes from 1 source"
check_eq "-v SIGTERM: both datagrams printed" 2 "$(nlines "$T/v4.out")"
check "-v SIGTERM: 239.1.2.3 is gone from /proc/net/igmp" left4

# SIGINT, IPv6, -v. A background job of a script starts with SIGINT
# ignored; env --default-signal gives the receiver the default back, as an
# interactive shell would.
if env --default-signal=INT true 2>/dev/null; then
	# shellcheck disable=SC2086
	bg i6 h2 env --default-signal=INT $MCAST_WRAP "$MCAST" recv -v -i eth0 \
		-w 60s '[ff15::1234]:5010'
	wait_listening i6
	pid=${PID[i6]}
	check "SIGINT: while running, /proc/net/igmp6 lists ff15::1234 on h2" joined6
	stop i6 INT
	check_rc "SIGINT: exits 0" 0 "$RC"
	check_has "SIGINT: says it left" "$T/i6.err" "mcast[$pid]: left ff15::1234 on eth0"
	check_has "SIGINT: prints the summary" "$T/i6.err" \
		"mcast: 0 datagrams, 0 bytes from 0 sources, 0 kernel drops"
	check "SIGINT: ff15::1234 is gone from /proc/net/igmp6" left6
else
	diag "env --default-signal unavailable: SIGINT case not run"
fi

# SIGTERM, IPv6, with -i all (lo and eth0: h2's multicast-capable interfaces).
mc_bg t6 h2 recv -v -i all -w 60s '[ff15::1234]:5010'
wait_listening t6
pid=${PID[t6]}
check "SIGTERM (IPv6): while running, /proc/net/igmp6 lists ff15::1234" joined6
stop t6 TERM
check_rc "SIGTERM (IPv6): exits 0" 0 "$RC"
check_has "SIGTERM (IPv6): says it left" "$T/t6.err" "mcast[$pid]: left ff15::1234 on eth0"
check "SIGTERM (IPv6): ff15::1234 is gone from /proc/net/igmp6" left6

finish
