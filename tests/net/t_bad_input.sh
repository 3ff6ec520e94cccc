#!/bin/bash
# Usage errors: every bad value or combination exits 2 before touching the
# network, prints nothing on stdout and one line on stderr that names the
# value. Runs in a namespace of its own all the same, with only lo.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
ns_add h

# bad DESC NEEDLE ARGS...: mcast ARGS is a usage error naming NEEDLE.
bad() {
	local desc=$1 needle=$2
	shift 2
	mc_run bad h "$@"
	check_rc "$desc: exit code 2" 2 "$RC"
	check_empty "$desc: nothing on stdout" "$T/bad.out"
	check_match "$desc: message starts with \"mcast: \"" "$T/bad.err" '^mcast: '
	if [ -n "$needle" ]; then
		check_has "$desc: message names '$needle'" "$T/bad.err" "$needle"
	fi
}

# bad1: as bad, and the message is a single line.
bad1() {
	bad "$@"
	check_eq "$1: message is one line" 1 "$(nlines "$T/bad.err")"
}

bad1 "send to a unicast address" 10.0.0.1 send 10.0.0.1:5000 hi
bad1 "recv on a unicast address" 10.0.0.1 recv 10.0.0.1:5000
bad1 "send to a group with three octets" 239.1.2 send 239.1.2:5000 hi
bad1 "send to a group without port" 239.1.2.3 send 239.1.2.3 hi
bad1 "recv on a group without port" 239.1.2.3 recv 239.1.2.3
bad1 "send to IPv6 group without brackets" ff15::1 send ff15::1:5000 hi
bad1 "send to port abc" abc send 239.1.2.3:abc hi
bad1 "send to an IPv6 group without ']'" "[ff15::1" send '[ff15::1' hi
bad1 "send to port 70000" 70000 send 239.1.2.3:70000 hi
bad1 "recv on port 70000" 70000 recv 239.1.2.3:70000
bad1 "send to IPv6 port 70000" 70000 send '[ff15::1]:70000' hi
bad1 "send with TTL 300" 300 send -t 300 239.1.2.3:5000 hi
bad1 "send --fec-block without --reliable" "--fec-block needs --reliable" \
	send --fec-block 3 239.1.2.3:5000 hi
bad1 "recv --output without --reliable" "--output needs --reliable" recv --output . 239.1.2.3:5000
bad1 "send with TTL abc" abc send --ttl abc 239.1.2.3:5000 hi
bad1 "send with TTL -1" -1 send -t -1 239.1.2.3:5000 hi
bad1 "send with a bad bind address" 10.0.0.999 send -b 10.0.0.999 239.1.2.3:5000 hi
bad1 "send on unknown interface" nosuch0 send -i nosuch0 239.1.2.3:5000 hi
bad1 "recv on unknown interface" nosuch0 recv -i nosuch0 239.1.2.3:5000
bad1 "recv with one unknown interface of two" nosuch0 recv -i lo -i nosuch0 239.1.2.3:5000
bad1 "send with count abc" abc send -n abc 239.1.2.3:5000 hi
bad1 "send with interval 5x" 5x send -I 5x -n 2 239.1.2.3:5000 hi
bad1 "recv with timeout 5x" 5x recv -w 5x 239.1.2.3:5000
bad1 "recv with rcvbuf 12q" 12q recv --rcvbuf 12q 239.1.2.3:5000
bad1 "recv with a bad source" 10.0.0.999 recv -S 10.0.0.999 232.1.1.1:5000
bad1 "recv with an IPv6 source for an IPv4 group" fd77::1 \
	recv -S fd77::1 232.1.1.1:5000
bad1 "recv excluding an IPv4 source of an IPv6 group" 10.77.0.1 \
	recv -X 10.77.0.1 '[ff15::1]:5000'
bad1 "send with a bad source port" 99999 send -p 99999 239.1.2.3:5000 hi
bad1 "send with --stdin=cooked" cooked send --stdin=cooked 239.1.2.3:5000

# Conflicts name at least one of the two options involved.
bad1 "recv with -S and -X" "" recv -S 10.77.0.1 -X 10.77.0.3 239.1.2.3:5000
check_match "recv with -S and -X: message names the options" "$T/bad.err" \
	'-S|-X|--source|--exclude|source|exclude'
bad1 "send with MESSAGE and --stdin" "" send --stdin 239.1.2.3:5000 hello
check_match "send with MESSAGE and --stdin: message names --stdin" "$T/bad.err" \
	'stdin'

# Missing arguments and unknown options: a usage message may take more
# than one line, so only the exit code and the stream are checked.
bad "send without GROUP" "" send
bad "recv without GROUP" "" recv
bad "send with an unknown option" bogus send --bogus 239.1.2.3:5000 hi
bad "recv with an unknown option" bogus recv --bogus 239.1.2.3:5000
bad "unknown subcommand" frobnicate frobnicate 239.1.2.3:5000
# With no command at all, the usage text itself is the message.
mc_run bad h
check_rc "no command: exit code 2" 2 "$RC"
check_empty "no command: nothing on stdout" "$T/bad.out"
check_has "no command: usage on stderr" "$T/bad.err" "Usage"

# Not a usage error but a runtime one: a well-formed source address this
# host does not have. Exit 1, named in the message.
mc_run bad h send -b 10.99.0.1 239.1.2.3:5000 hi
check_rc "send -b with an address the host lacks: exit 1" 1 "$RC"
check_has "send -b with an address the host lacks: message names it" \
	"$T/bad.err" 10.99.0.1

finish
