#!/bin/bash
# IPv6 across hosts (ff15::/16): h1 sends, h2 and h3 each receive every
# datagram with the exact payload and h1's address as the source.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

G='[ff15::1]:5000'
# h3 leaves the interface to the kernel: eth0 is its only route to ff00::/8.
mc_bg rh2 h2 recv -i eth0 -n 3 -w "$(tmo 3)" "$G"
mc_bg rh3 h3 recv -n 3 -w "$(tmo 3)" "$G"
wait_listening rh2
wait_listening rh3

mc_run s1 h1 send -i eth0 -n 3 -I 100ms "$G" hello
check_rc "send -n 3 exits 0" 0 "$RC"
check_empty "send prints nothing on stdout" "$T/s1.out"
check_file "send reports what it sent" "$T/s1.err" \
	"mcast: sent 3 datagrams (15 bytes) to [ff15::1]:5000 via eth0"

for h in h2 h3; do
	wait_exit "r$h" "$LONG"
	check_rc "$h: recv exits 0 after 3 datagrams" 0 "$RC"
	check_eq "$h: prints 3 lines" 3 "$(nlines "$T/r$h.out")"
	check_eq "$h: every line is h1's datagram" 3 "$(grep -cE \
		'^\[fd77::1\]:[0-9]+ -> \[ff15::1\]:5000 on eth0, 5 bytes: hello$' \
		"$T/r$h.out")"
	check_has "$h: says where it listens" "$T/r$h.err" \
		"mcast: listening on [ff15::1]:5000, joined on eth0"
	if [ "$h" = h3 ]; then
		check_has "h3 (no -i): says the kernel chose eth0" "$T/r$h.err" \
			"joined on eth0 (chosen by the kernel)"
	fi
	check_has "$h: prints the summary" "$T/r$h.err" \
		"mcast: 3 datagrams, 15 bytes from 1 source"
done
[ "$FAILS" -eq 0 ] || show "rh2 stdout" "$T/rh2.out"

finish
