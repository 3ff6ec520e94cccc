#!/bin/bash
# send --stdin: one datagram per line (newline stripped); --stdin=raw: the
# whole input as one datagram. A datagram too large for the interface MTU
# (1500 on these veths: 1472 bytes of UDP payload over IPv4, 1452 over
# IPv6) is refused with exit 1 and a message naming the size, unless
# --fragment is given.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

# rep CHAR N FILE: N copies of CHAR into FILE.
rep() { head -c "$2" /dev/zero | tr '\0' "$1" >"$3"; }

printf 'a\nbb\nccc\n' >"$T/lines.txt"
printf 'x\ny' >"$T/nonl.txt"
rep x 2000 "$T/x2000"
rep y 2000 "$T/y2000"
rep z 1472 "$T/z1472"
rep w 1473 "$T/w1473"
rep v 1453 "$T/v1453"
rep u 1452 "$T/u1452"
rep m 65507 "$T/m65507"

mc_bg lines h2 recv -i eth0 -n 3 -w "$(tmo 3)" 239.13.0.1:5131
mc_bg nonl h3 recv -i eth0 -n 2 -w "$(tmo 3)" 239.13.0.2:5132
mc_bg big h2 recv -i eth0 --raw -n 1 -w "$(tmo 3)" 239.13.0.3:5133
mc_bg edge h3 recv -i eth0 --raw -n 1 -w "$(tmo 3)" 239.13.0.4:5134
mc_bg edge6 h3 recv -i eth0 --raw -n 1 -w "$(tmo 3)" '[ff15::13]:5135'
mc_bg max h2 recv -i eth0 --raw -n 1 -w "$(tmo 3)" 239.13.0.6:5136
for r in lines nonl big edge edge6 max; do
	wait_listening "$r"
done

mc_feed s h1 "$T/lines.txt" send -i eth0 -p 40013 -I 10ms --stdin 239.13.0.1:5131
check_rc "--stdin with 3 lines exits 0" 0 "$RC"
check_file "--stdin reports 3 datagrams of 6 bytes" "$T/s.err" \
	"mcast: sent 3 datagrams (6 bytes) to 239.13.0.1:5131 via eth0"
mc_feed s h1 "$T/nonl.txt" send -i eth0 -p 40013 -I 10ms --stdin 239.13.0.2:5132
check_rc "--stdin with an unterminated last line exits 0" 0 "$RC"

# Too large: refused, with the size and the limit named, and not sent.
mc_feed s h1 "$T/x2000" send -i eth0 -p 40013 --stdin=raw 239.13.0.3:5133
check_rc "2000 bytes without --fragment: exit 1" 1 "$RC"
check_has "2000 bytes without --fragment: message names 2000" "$T/s.err" 2000
check_has "2000 bytes without --fragment: message names the limit 1472" \
	"$T/s.err" 1472
check_match "2000 bytes without --fragment: message starts with mcast:" \
	"$T/s.err" '^mcast: '
mc_feed s h1 "$T/y2000" send -i eth0 -p 40013 --fragment --stdin=raw \
	239.13.0.3:5133
check_rc "2000 bytes with --fragment: exit 0" 0 "$RC"

# The boundary, IPv4: 1473 refused, 1472 sent whole.
mc_feed s h1 "$T/w1473" send -i eth0 -p 40013 --stdin=raw 239.13.0.4:5134
check_rc "1473 bytes over IPv4: exit 1" 1 "$RC"
check_has "1473 bytes over IPv4: message names 1473" "$T/s.err" 1473
mc_feed s h1 "$T/z1472" send -i eth0 -p 40013 --stdin=raw 239.13.0.4:5134
check_rc "1472 bytes over IPv4: exit 0" 0 "$RC"

# The boundary, IPv6: 1453 refused, 1452 sent whole.
mc_feed s h1 "$T/v1453" send -i eth0 -p 40013 --stdin=raw '[ff15::13]:5135'
check_rc "1453 bytes over IPv6: exit 1" 1 "$RC"
check_has "1453 bytes over IPv6: message names 1453" "$T/s.err" 1453
check_has "1453 bytes over IPv6: message names the limit 1452" "$T/s.err" 1452
mc_feed s h1 "$T/u1452" send -i eth0 -p 40013 --stdin=raw '[ff15::13]:5135'
check_rc "1452 bytes over IPv6: exit 0" 0 "$RC"

# The largest UDP payload IPv4 can carry, fragmented into 45 packets.
mc_feed s h1 "$T/m65507" send -i eth0 -p 40013 --fragment --stdin=raw \
	239.13.0.6:5136
check_rc "65507 bytes with --fragment: exit 0" 0 "$RC"

wait_exit lines "$LONG"
check_rc "receiver of --stdin lines exits 0" 0 "$RC"
check_file "one datagram per line, newlines stripped" "$T/lines.out" \
"10.77.0.1:40013 -> 239.13.0.1:5131 on eth0, 1 byte: a
10.77.0.1:40013 -> 239.13.0.1:5131 on eth0, 2 bytes: bb
10.77.0.1:40013 -> 239.13.0.1:5131 on eth0, 3 bytes: ccc"
wait_exit nonl "$LONG"
check_file "an unterminated last line is sent too" "$T/nonl.out" \
"10.77.0.1:40013 -> 239.13.0.2:5132 on eth0, 1 byte: x
10.77.0.1:40013 -> 239.13.0.2:5132 on eth0, 1 byte: y"
wait_exit big "$LONG"
check_rc "receiver of the fragmented datagram exits 0" 0 "$RC"
check "the fragmented 2000-byte datagram arrives whole (and the refused one not at all)" \
	cmp "$T/y2000" "$T/big.out"
wait_exit edge "$LONG"
check "1472 bytes over IPv4 arrive (and 1473 not at all)" cmp "$T/z1472" "$T/edge.out"
wait_exit max "$LONG"
check "the 65507-byte datagram arrives whole" cmp "$T/m65507" "$T/max.out"
wait_exit edge6 "$LONG"
check "1452 bytes over IPv6 arrive (and 1453 not at all)" cmp "$T/u1452" "$T/edge6.out"

finish
