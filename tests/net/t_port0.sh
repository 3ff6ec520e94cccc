#!/bin/bash
# Port 0: the receiver binds a port of the kernel's choosing and says which
# in its "listening on" line; datagrams sent to that port arrive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

mc_bg r4 h2 recv -i eth0 -n 1 -w "$(tmo 3)" 239.8.8.8:0
mc_bg r6 h2 recv -i eth0 -n 1 -w "$(tmo 3)" '[ff15::8]:0'
mc_bg rj h3 recv -i eth0 --json -n 1 -w "$(tmo 3)" 239.8.8.8:0
wait_listening r4
wait_listening r6
wait_listening rj

p4=$(listening_port r4)
p6=$(sed -n 's/.*listening on \[ff15::8\]:\([0-9][0-9]*\),.*/\1/p' "$T/r6.err")
check "IPv4: the listening line names a port other than 0" \
	test "${p4:-0}" -gt 0
check "IPv6: the listening line names a port other than 0" \
	test "${p6:-0}" -gt 0
[ "${p4:-0}" -gt 0 ] || show r4.err "$T/r4.err"
[ "${p6:-0}" -gt 0 ] || show r6.err "$T/r6.err"

mc_run s h1 send -i eth0 -p 40008 "239.8.8.8:${p4:-1}" to port zero
check_rc "IPv4: send to the chosen port exits 0" 0 "$RC"
mc_run s h1 send -i eth0 -p 40008 "[ff15::8]:${p6:-1}" to port zero
check_rc "IPv6: send to the chosen port exits 0" 0 "$RC"

wait_exit r4 "$LONG"
check_rc "IPv4: receiver exits 0" 0 "$RC"
check_file "IPv4: the datagram arrives on the chosen port" "$T/r4.out" \
	"10.77.0.1:40008 -> 239.8.8.8:$p4 on eth0, 12 bytes: to port zero"
wait_exit r6 "$LONG"
check_rc "IPv6: receiver exits 0" 0 "$RC"
check_file "IPv6: the datagram arrives on the chosen port" "$T/r6.out" \
	"[fd77::1]:40008 -> [ff15::8]:$p6 on eth0, 12 bytes: to port zero"

# --json: the listening event carries the chosen port too.
pj=$(listening_port rj)
mc_run s h1 send -i eth0 -p 40008 "239.8.8.8:${pj:-1}" to port zero
wait_exit rj "$LONG"
check_rc "--json: receiver exits 0" 0 "$RC"
check_eq "--json: the listening event has the chosen port" "${pj:-none}" \
	"$(head -n 1 "$T/rj.out" | "$PYTHON" -c \
		'import json, sys; print(json.load(sys.stdin).get("port"))' 2>&1)"

finish
