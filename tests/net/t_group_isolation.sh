#!/bin/bash
# Two receivers on one host, same port, different groups: each prints only
# its own group's datagrams, though the host has joined both groups.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

mc_bg g1 h2 recv -i eth0 -n 2 -w "$(tmo 3)" 239.1.1.1:5000
mc_bg g2 h2 recv -i eth0 -n 1 -w "$(tmo 3)" 239.1.1.2:5000
mc_bg g61 h2 recv -i eth0 -n 2 -w "$(tmo 3)" '[ff15::1:1]:5000'
mc_bg g62 h2 recv -i eth0 -n 1 -w "$(tmo 3)" '[ff15::1:2]:5000'
for r in g1 g2 g61 g62; do
	wait_listening "$r"
done

# Interleaved, so that a receiver that leaks the other group's datagram
# prints it before its count is reached.
mc_run s h1 send -i eth0 -p 40004 239.1.1.1:5000 for group one
mc_run s h1 send -i eth0 -p 40004 239.1.1.2:5000 for group two
mc_run s h1 send -i eth0 -p 40004 239.1.1.1:5000 for group one
mc_run s h1 send -i eth0 -p 40004 '[ff15::1:1]:5000' for group one
mc_run s h1 send -i eth0 -p 40004 '[ff15::1:2]:5000' for group two
mc_run s h1 send -i eth0 -p 40004 '[ff15::1:1]:5000' for group one

wait_exit g1 "$LONG"
check_rc "239.1.1.1 receiver exits 0" 0 "$RC"
check_file "239.1.1.1 receiver sees only its group" "$T/g1.out" \
"10.77.0.1:40004 -> 239.1.1.1:5000 on eth0, 13 bytes: for group one
10.77.0.1:40004 -> 239.1.1.1:5000 on eth0, 13 bytes: for group one"
wait_exit g2 "$LONG"
check_rc "239.1.1.2 receiver exits 0" 0 "$RC"
check_file "239.1.1.2 receiver sees only its group" "$T/g2.out" \
"10.77.0.1:40004 -> 239.1.1.2:5000 on eth0, 13 bytes: for group two"

wait_exit g61 "$LONG"
check_rc "ff15::1:1 receiver exits 0" 0 "$RC"
check_file "ff15::1:1 receiver sees only its group" "$T/g61.out" \
"[fd77::1]:40004 -> [ff15::1:1]:5000 on eth0, 13 bytes: for group one
[fd77::1]:40004 -> [ff15::1:1]:5000 on eth0, 13 bytes: for group one"
wait_exit g62 "$LONG"
check_rc "ff15::1:2 receiver exits 0" 0 "$RC"
check_file "ff15::1:2 receiver sees only its group" "$T/g62.out" \
"[fd77::1]:40004 -> [ff15::1:2]:5000 on eth0, 13 bytes: for group two"

finish
