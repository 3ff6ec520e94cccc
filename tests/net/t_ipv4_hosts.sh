#!/bin/bash
# IPv4 across hosts: h1 sends, h2 and h3 each receive every datagram with
# the exact payload and h1's address as the source.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3
# A second address on h1, to check -b picks the source address.
in_ns h1 ip addr add 10.77.0.11/24 dev eth0

G=239.1.2.3:5000
for h in h2 h3; do
	mc_bg "r$h" "$h" recv -i eth0 -n 5 -w "$(tmo 3)" "$G"
done
wait_listening rh2
wait_listening rh3

mc_run s1 h1 send -i eth0 -n 3 -I 100ms -p 40001 "$G" hello world
check_rc "send -n 3 exits 0" 0 "$RC"
check_empty "send prints nothing on stdout" "$T/s1.out"
check_file "send reports what it sent" "$T/s1.err" \
	"mcast: sent 3 datagrams (33 bytes) to 239.1.2.3:5000 via eth0"

# Without -i the kernel routes 224.0.0.0/4 to eth0.
mc_run s2 h1 send -p 40002 "$G" kernel choice
check_rc "send without -i exits 0" 0 "$RC"
check_match "send without -i reports eth0" "$T/s2.err" \
	'^mcast: sent 1 datagrams? \(13 bytes\) to 239\.1\.2\.3:5000 via eth0'

mc_run s3 h1 send -i eth0 -b 10.77.0.11 -p 40003 "$G" bound
check_rc "send -b 10.77.0.11 exits 0" 0 "$RC"

for h in h2 h3; do
	wait_exit "r$h" "$LONG"
	check_rc "$h: recv exits 0 after 5 datagrams" 0 "$RC"
	check_file "$h: prints the 5 datagrams" "$T/r$h.out" \
"10.77.0.1:40001 -> 239.1.2.3:5000 on eth0, 11 bytes: hello world
10.77.0.1:40001 -> 239.1.2.3:5000 on eth0, 11 bytes: hello world
10.77.0.1:40001 -> 239.1.2.3:5000 on eth0, 11 bytes: hello world
10.77.0.1:40002 -> 239.1.2.3:5000 on eth0, 13 bytes: kernel choice
10.77.0.11:40003 -> 239.1.2.3:5000 on eth0, 5 bytes: bound"
	check_has "$h: says where it listens" "$T/r$h.err" \
		"mcast: listening on 239.1.2.3:5000, joined on eth0"
	check_has "$h: prints the summary" "$T/r$h.err" \
		"mcast: 5 datagrams, 51 bytes from 2 sources, 0 kernel drops"
done

finish
