#!/bin/bash
# One mcast recv, several groups: GROUP:PORT operands on two ports and a
# range (239.3.1.1+3:5201), IPv4 and IPv6. h2 receives, h1 sends.
#   - each line names the group it came to; only our groups arrive;
#   - the summary counts per group, in text and in JSON (group_summary);
#   - past net.ipv4.igmp_max_memberships (20 groups per socket) the error
#     names it, its value and the sysctl, exit 1, and nothing stays joined;
#   - a group given twice, port 0 with two groups: usage errors;
#   - mcast send to a range and a list sends round robin, one datagram per
#     group in turn, -n N to each group (N rounds);
#   - with the limit raised, 1000 groups in one recv, a datagram to each
#     from mcast send over the range (and from Python), counted exactly
#     (1000 group_summary records each time).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3
PY=("$PYTHON" "$NET_DIR/mcpy.py")

# groups_in NS PREFIX: how many groups joined in NS start with PREFIX.
groups_in() {
	mc "$1" ifaces --json >"$T/ifaces.json" 2>&1
	jget "$T/ifaces.json" \
		"sum(1 for x in L for g in x.get('groups', []) if g['group'].startswith('$2'))"
}
send() { mc_run s h1 send -i eth0 -p 40005 "$@"; }

# IPv4: 239.3.0.1:5200, the range 239.3.1.1 to 239.3.1.4 on 5201.
mc_bg g4 h2 recv -i eth0 -n 5 -w "$(tmo 3)" 239.3.0.1:5200 239.3.1.1+3:5201
wait_listening g4
check_has "one socket for the range" "$T/g4.err" \
	"listening on 239.3.1.1:5201 and 3 more groups on port 5201, joined on eth0"
check_eq "h2 has joined the five groups" 5 "$(groups_in h2 239.3.)"
send 239.3.0.1:5200 zero
send 239.3.1.1:5200 not ours
send 239.3.1.9:5201 not ours
send 239.3.1.2:5201 two
send 239.3.1.4:5201 four
send 239.3.1.2:5201 two
send 239.3.0.1:5200 zero
wait_exit g4 "$LONG"
check_rc "recv of five groups: exit 0" 0 "$RC"
check_file "each line names its group, only ours arrive" "$T/g4.out" \
"10.77.0.1:40005 -> 239.3.0.1:5200 on eth0, 4 bytes: zero
10.77.0.1:40005 -> 239.3.1.2:5201 on eth0, 3 bytes: two
10.77.0.1:40005 -> 239.3.1.4:5201 on eth0, 4 bytes: four
10.77.0.1:40005 -> 239.3.1.2:5201 on eth0, 3 bytes: two
10.77.0.1:40005 -> 239.3.0.1:5200 on eth0, 4 bytes: zero"
check_file "the summary counts per group, in the order given" \
	<(grep -E '^mcast: (239|[0-9]+ datagram)' "$T/g4.err") \
"mcast: 239.3.0.1:5200: 2 datagrams, 8 bytes
mcast: 239.3.1.1:5201: 0 datagrams, 0 bytes
mcast: 239.3.1.2:5201: 2 datagrams, 6 bytes
mcast: 239.3.1.3:5201: 0 datagrams, 0 bytes
mcast: 239.3.1.4:5201: 1 datagram, 4 bytes
mcast: 5 datagrams, 18 bytes from 1 source, 0 kernel drops"
check_eq "all five left on exit" 0 "$(groups_in h2 239.3.)"

# IPv6, in JSON: a range of three and one more group on the same port.
mc_bg g6 h2 recv -i eth0 --json -n 3 -w "$(tmo 3)" '[ff15::3:1]+2:5202' '[ff15::3:9]:5202'
wait_listening g6
send '[ff15::3:3]:5202' three
send '[ff15::3:9]:5202' nine
send '[ff15::3:3]:5202' three
wait_exit g6 "$LONG"
check_rc "IPv6 recv of four groups: exit 0" 0 "$RC"
check_eq "JSON: one listening event for the shared port, with its group count" "4" \
	"$(jget "$T/g6.out" "[x['groups'] for x in E('listening')][0]")"
check_eq "JSON: each message names its group" "ff15::3:3 ff15::3:9 ff15::3:3" \
	"$(jget "$T/g6.out" "' '.join(x['group'] for x in E('message'))")"
check_eq "JSON: group_summary per group" \
	"ff15::3:1=0 ff15::3:2=0 ff15::3:3=2 ff15::3:9=1" \
	"$(jget "$T/g6.out" "' '.join('%s=%d' % (x['group'], x['datagrams']) for x in E('group_summary'))")"
check_eq "JSON: the summary's total" 3 "$(jget "$T/g6.out" "S['datagrams']")"

# mcast send to a list with a range in it: round robin, -n 2 to each group
# (on one port, so that the receiver's one socket keeps their order).
mc_bg rr h2 recv -i eth0 -n 8 -w "$(tmo 3)" 239.3.0.1:5201 239.3.1.1+2:5201
wait_listening rr
send -n 2 -I 0 239.3.1.1+2:5201,239.3.0.1:5201 rr
check_rc "send to four groups: exit 0" 0 "$RC"
check_file "its summary counts all of them" "$T/s.err" \
	"mcast: sent 8 datagrams (16 bytes) to 239.3.1.1:5201 and 3 more groups via eth0"
wait_exit rr "$LONG"
check_rc "the receiver of the four: exit 0" 0 "$RC"
check_eq "round robin: each group in turn, twice" \
	"239.3.1.1 239.3.1.2 239.3.1.3 239.3.0.1 239.3.1.1 239.3.1.2 239.3.1.3 239.3.0.1" \
	"$(sed -E 's/.* -> ([0-9.]+):.*/\1/' "$T/rr.out" | tr '\n' ' ' | sed 's/ $//')"
mc_run mix h1 send -i eth0 239.3.0.1:5200,[ff15::3:1]:5200 x
check_rc "send to IPv4 and IPv6 at once: exit 2" 2 "$RC"
check_file "it says why" "$T/mix.err" \
	"mcast: '[ff15::3:1]:5200': the groups of one sender are all IPv4 or all IPv6"

# Usage errors.
mc_run dup h2 recv -i eth0 239.3.0.1:5200 239.3.0.0+3:5200
check_rc "a group given twice: exit 2" 2 "$RC"
check_file "it names the group" "$T/dup.err" "mcast: 239.3.0.1:5200: given twice"
mc_run p0 h2 recv -i eth0 239.3.0.1+1:0
check_rc "port 0 with two groups: exit 2" 2 "$RC"
check_file "it says why" "$T/p0.err" \
	"mcast: 239.3.0.1:0: port 0 picks a free port for one group only"

# The kernel's limit: 21 groups on one port are 21 on one socket.
mc_run lim h2 recv -i eth0 -w 1s 239.3.2.0+20:5203
check_rc "21 groups past igmp_max_memberships: exit 1" 1 "$RC"
check_has "the message names the limit, its value and the sysctl" "$T/lim.err" \
	"mcast: cannot join 239.3.2.20 on eth0: at most 20 groups per socket (net.ipv4.igmp_max_memberships = 20); raise it: sysctl -w net.ipv4.igmp_max_memberships=1024"
check_eq "nothing stays joined" 0 "$(groups_in h2 239.3.)"

# Raised: 1000 groups in one recv, one datagram each from a range sender.
ns_sysctl h2 net.ipv4.igmp_max_memberships=1000
mc_bg k4 h2 recv -i eth0 --json --rcvbuf 8M -n 2000 -w "$(tmo 10)" 239.3.16.0+999:5204
wait_listening k4
check_eq "h2 has joined 1000 groups" 1000 "$(groups_in h2 239.3.)"
send -I 0 239.3.16.0+999:5204 one
check_rc "mcast send to the 1000: exit 0" 0 "$RC"
check "and Python sends a datagram to each of the 1000 too" \
	in_ns h1 "${PY[@]}" sendrange 239.3.16.0 1000 5204 eth0
wait_exit k4 "$LONG"
check_rc "1000 groups: exit 0" 0 "$RC"
check_eq "2000 messages, to 1000 distinct groups" "2000 1000" \
	"$(jget "$T/k4.out" "len(E('message'))" "len(set(x['group'] for x in E('message')))")"
check_eq "1000 group_summary records, each of exactly 2" "1000 {2}" \
	"$(jget "$T/k4.out" "len(E('group_summary'))" "set(x['datagrams'] for x in E('group_summary'))")"
check_eq "all 1000 left on exit" 0 "$(groups_in h2 239.3.)"

finish
