#!/bin/bash
# Several receivers of one group and port on one host: each of them gets
# every datagram (IPv4 and IPv6).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

for i in 1 2 3; do
	mc_bg "v4r$i" h2 recv -i eth0 -n 2 -w "$(tmo 3)" 239.3.3.3:5003
	mc_bg "v6r$i" h2 recv -i eth0 -n 2 -w "$(tmo 3)" '[ff15::3]:5003'
done
for i in 1 2 3; do
	wait_listening "v4r$i"
	wait_listening "v6r$i"
done

mc_run s4 h1 send -i eth0 -n 2 -I 100ms -p 40003 239.3.3.3:5003 one for all
check_rc "IPv4 send exits 0" 0 "$RC"
mc_run s6 h1 send -i eth0 -n 2 -I 100ms -p 40003 '[ff15::3]:5003' one for all
check_rc "IPv6 send exits 0" 0 "$RC"

for i in 1 2 3; do
	wait_exit "v4r$i" "$LONG"
	check_rc "IPv4 receiver $i exits 0" 0 "$RC"
	check_file "IPv4 receiver $i got both datagrams" "$T/v4r$i.out" \
"10.77.0.1:40003 -> 239.3.3.3:5003 on eth0, 11 bytes: one for all
10.77.0.1:40003 -> 239.3.3.3:5003 on eth0, 11 bytes: one for all"
	wait_exit "v6r$i" "$LONG"
	check_rc "IPv6 receiver $i exits 0" 0 "$RC"
	check_file "IPv6 receiver $i got both datagrams" "$T/v6r$i.out" \
"[fd77::1]:40003 -> [ff15::3]:5003 on eth0, 11 bytes: one for all
[fd77::1]:40003 -> [ff15::3]:5003 on eth0, 11 bytes: one for all"
done

finish
