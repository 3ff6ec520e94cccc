#!/bin/bash
# Closed standard descriptors: mcast opens 0, 1 and 2 on /dev/null when
# they are closed, before any socket, so a socket never becomes standard
# input, output or error (before, `send --stdin <&-` polled its own socket
# as input and hung, `recv >&-` failed with "Destination address
# required", and `send 2>&-` wrote its diagnostics into the socket).
#   - send --stdin with standard input closed: no input, exits 0 at once,
#     sends nothing;
#   - recv and pong with standard output closed: they work, exit 0;
#   - send -v with standard error closed: exactly the message is sent;
#   - ifaces with standard output closed: exits 0.
# Hosts (lab_bridge3): h1 sends, h2 receives, h3 watches the group.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

G=239.79.0.1:5791

# closed NAME NS FD ARGS...: mcast ARGS in the background in NS with
# descriptor FD (0, 1 or 2) closed; the others go to $T/NAME.* as usual.
# valgrind itself cannot start with descriptor 2 closed (it exits 127
# before mcast runs), so that case runs the binary unwrapped.
closed() {
	local name=$1 ns=$2 fd=$3 wrap=$MCAST_WRAP
	shift 3
	[ "$fd" = 2 ] && wrap=
	# shellcheck disable=SC2016,SC2086 # $@ is for the inner sh; wrap splits
	bg "$name" "$ns" sh -c 'fd=$1; shift; exec "$@" '"$fd"'>&-' sh "$fd" \
		$wrap "$MCAST" "$@"
}

mc_bg watch h3 recv -i eth0 --json -w "$(tmo 4)" "$G"
wait_listening watch

# recv with standard output closed still receives and ends after -n 1.
closed r1 h2 1 recv -i eth0 -n 1 -w "$(tmo 4)" "$G"
wait_listening r1
# pong too (its summary goes to /dev/null).
closed p1 h2 1 pong -i eth0 -n 1 -w "$(tmo 4)" 239.79.0.2:5792
wait_listening p1

# send --stdin with standard input closed: end of input at once.
closed s1 h1 0 send -i eth0 --stdin "$G"
wait_exit s1 "$LONG"
check_rc "send --stdin <&-: exits 0 (does not hang)" 0 "$RC"
check_has "send --stdin <&-: sent nothing" "$T/s1.err" "mcast: sent 0 datagrams"

# send -v with standard error closed: the datagram is the message only.
closed s2 h1 2 send -v -i eth0 "$G" hello
wait_exit s2 "$LONG"
check_rc "send -v 2>&-: exits 0" 0 "$RC"
wait_exit r1 "$LONG"
check_rc "recv >&-: received one datagram and exited 0" 0 "$RC"
check_has "recv >&-: its diagnostics still on stderr" "$T/r1.err" "1 datagram, 5 bytes"

# ping answers pong, whose standard output is closed.
mc_run pi h1 ping -i eth0 -n 1 -w "$(tmo 2)" 239.79.0.2:5792
check_rc "ping to pong >&-: answered, exits 0" 0 "$RC"
wait_exit p1 "$LONG"
check_rc "pong >&-: answered one probe and exited 0" 0 "$RC"

closed i1 h2 1 ifaces
wait_exit i1 "$LONG"
check_rc "ifaces >&-: exits 0" 0 "$RC"
check_empty "ifaces >&-: nothing on stderr" "$T/i1.err"

wait_exit watch "$LONG"
check_rc "the watcher exits 0" 0 "$RC"
check_eq "the group got exactly one datagram, 'hello'" "1 hello" \
	"$(jget "$T/watch.out" 'len(E("message"))' 'E("message")[0]["data"]')"

finish
