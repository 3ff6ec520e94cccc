#!/bin/sh
# t_examples.sh - examples/subscriber prints what examples/publisher sends.
#
# Both run in a private network namespace that holds only lo (unshare -n):
# the subscriber joins on lo, the publisher sends three readings to lo,
# and the subscriber must print exactly those three readings. Every wait is
# bounded; the whole exchange takes about two seconds.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"

sub=$build/examples/subscriber
pub=$build/examples/publisher
group=239.255.42.1:47042
if [ ! -x "$sub" ] || [ ! -x "$pub" ]; then
	not_ok "the examples are built in $build/examples"
	finish
fi

# Usage errors need no network.
err=$("$sub" 2>&1 >/dev/null)
check "subscriber without arguments exits 2" [ $? -eq 2 ]
same "and says how to call it" "usage: subscriber GROUP:PORT IFACE [COUNT]" "$err"
err=$("$pub" "$group" lo 0 2>&1 >/dev/null)
check "publisher with COUNT 0 exits 2" [ $? -eq 2 ]
same "and says how to call it" "usage: publisher GROUP:PORT IFACE [COUNT]" "$err"
err=$("$pub" 10.0.0.1:5000 lo 1 2>&1 >/dev/null)
same "publisher refuses a unicast group" \
	"publisher: '10.0.0.1' is not a multicast group (expected 224.0.0.0/4 or ff00::/8)" "$err"
err=$("$sub" "$group" nosuch0 2>&1 >/dev/null)
same "subscriber names an unknown interface" "subscriber: unknown interface 'nosuch0'" "$err"

find_netns || skip "cannot make a private network namespace here (unshare -n needs root or user namespaces)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# SC2016: the script's variables expand inside the namespace; SC2086: NETNS
# is a command line.
# shellcheck disable=SC2016,SC2086
timeout -k 5 30 $NETNS env IP="$IP" WRAP="${MCAST_WRAP:-}" sh -c '
	"$IP" link set lo up || exit 1
	timeout 10 $WRAP "$1" "$3" lo 3 >"$4/sub.out" 2>"$4/sub.err" &
	s=$!
	# The subscriber says when it has joined: wait for that, 5 s at most.
	i=0
	while [ $i -lt 50 ] && ! grep -q joined "$4/sub.err" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	$WRAP "$2" "$3" lo 3 >"$4/pub.out" 2>"$4/pub.err"
	echo $? >"$4/pub.rc"
	wait $s
	echo $? >"$4/sub.rc"
' sh "$sub" "$pub" "$group" "$tmp"
rc=$?
check "the exchange finished within 30 s" test "$rc" -ne 124 -a "$rc" -ne 137

same "subscriber printed the three readings with their source and interface" \
"127.0.0.1 on lo: power kW=1.25 seq=1
127.0.0.1 on lo: power kW=1.50 seq=2
127.0.0.1 on lo: power kW=1.75 seq=3" "$(cat "$tmp/sub.out" 2>/dev/null)"
same "subscriber said where it joined, and nothing else" \
	"subscriber: joined $group on lo" "$(cat "$tmp/sub.err" 2>/dev/null)"
same "subscriber exited 0 after 3 datagrams" 0 "$(cat "$tmp/sub.rc" 2>/dev/null)"
same "publisher reported each reading it sent" \
"sent: power kW=1.25 seq=1
sent: power kW=1.50 seq=2
sent: power kW=1.75 seq=3" "$(cat "$tmp/pub.out" 2>/dev/null)"
same "publisher exited 0, silent on stderr" "0:" \
	"$(cat "$tmp/pub.rc" 2>/dev/null):$(cat "$tmp/pub.err" 2>/dev/null)"
finish
