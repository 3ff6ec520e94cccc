#!/bin/bash
# mcast ifaces: on h2, with receivers holding an ASM group with a blocked
# source, an SSM group with one source and an IPv6 SSM group, the listing
# (text and JSON) shows each group on eth0 with its users and sources;
# once the receivers are gone, so are the groups. A source blocked by one
# of two sockets is shown as what it is, not as the group's filter. With
# -v, each interface's IGMP and MLD versions (a forced version named) and
# each source's socket counts. An interface without the MULTICAST flag
# (one end of a veth pair, multicast off) appears only with --all.
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

in_ns h2 ip link add dummy7 type veth peer name dummy8
in_ns h2 ip link set dummy7 multicast off up

mc_bg asm h2 recv -i eth0 -X 10.77.0.9 -w "$(tmo 8)" 239.20.0.1:5201
mc_bg asm2 h2 recv -i eth0 -w "$(tmo 8)" 239.20.0.1:5201
mc_bg ssm h2 recv -i eth0 -S 10.77.0.1 -w "$(tmo 8)" 232.20.0.1:5202
mc_bg ssm6 h2 recv -i eth0 -S fd77::1 -w "$(tmo 8)" '[ff35::20]:5203'
for r in asm asm2 ssm ssm6; do
	wait_listening "$r"
done

mc_run text h2 ifaces
check_rc "ifaces exits 0" 0 "$RC"
check_match "eth0 with its index, MTU and MULTICAST flag" "$T/text.out" \
	'^eth0: index [0-9]+, mtu 1500, <[A-Z,]*MULTICAST[A-Z,]*>$'
check_match "eth0's addresses" "$T/text.out" '^    addresses: 10\.77\.0\.2 .*fd77::2'
check_match "the ASM group with two users, one of which blocks the source" "$T/text.out" \
	'^        239\.20\.0\.1, 2 users \(1 of them not from 10\.77\.0\.9\)$'
check_match "the SSM group with its source" "$T/text.out" \
	'^        232\.20\.0\.1, 1 user \(from 10\.77\.0\.1\)$'
check_match "the IPv6 SSM group with its source" "$T/text.out" \
	'^        ff35::20, 1 user \(from fd77::1\)$'
check_match "lo is listed (loopback carries multicast)" "$T/text.out" '^lo: index 1,'
check_lacks "dummy7 (no MULTICAST flag) is not listed" "$T/text.out" dummy7

# -v: the versions, IGMPv2 forced on eth0, and per-source socket counts.
ns_sysctl h2 net.ipv4.conf.eth0.force_igmp_version=2
mc_run verbose h2 ifaces -v
check_rc "ifaces -v exits 0" 0 "$RC"
check_match "-v: eth0 runs IGMPv2, forced, and MLDv2 unless v1 is heard" "$T/verbose.out" \
	'^    igmp: v2 \(force_igmp_version 2\); mld: v2, or v1 while an MLDv1 querier is heard$'
check_match "-v: lo runs IGMPv3" "$T/verbose.out" \
	'^    igmp: v3 \(no older querier heard\); mld: '
check_match "-v: the blocked source with its socket counts" "$T/verbose.out" \
	'^            source 10\.77\.0\.9: included by 0 sockets, excluded by 1$'
check_match "-v: the SSM source with its socket counts" "$T/verbose.out" \
	'^            source 10\.77\.0\.1: included by 1 socket, excluded by 0$'
check "-v shows more than the plain listing" test "$(nlines "$T/verbose.out")" -gt "$(nlines "$T/text.out")"
mc_run vjson h2 ifaces --json
check_match "--json: eth0's igmp version and forced version" "$T/vjson.out" \
	'"name":"eth0".*"igmp":\{"version":2,"forced":2\},"mld":\{"forced":0\}'
ns_sysctl h2 net.ipv4.conf.eth0.force_igmp_version=0

mc_run all h2 ifaces --all
check_match "--all lists dummy7" "$T/all.out" '^dummy7: index [0-9]+, mtu [0-9]+, <'

mc_run json h2 ifaces --json
check_rc "ifaces --json exits 0" 0 "$RC"
check "JSON: eth0's groups, users and sources as documented" python3 - "$T/json.out" <<'PY'
import json, sys
ifs = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["event"] == "interface", o
    ifs[o["name"]] = o
e = ifs["eth0"]
assert e["mtu"] == 1500 and "MULTICAST" in e["flags"] and "UP" in e["flags"], e
assert "10.77.0.2" in e["addresses"] and "fd77::2" in e["addresses"], e
g = {x["group"]: x for x in e["groups"]}
assert g["239.20.0.1"]["users"] == 2, g
assert g["239.20.0.1"]["sources"] == [{"source": "10.77.0.9", "include": 0, "exclude": 1}], g
assert g["232.20.0.1"]["sources"] == [{"source": "10.77.0.1", "include": 1, "exclude": 0}], g
assert g["ff35::20"]["sources"] == [{"source": "fd77::1", "include": 1, "exclude": 0}], g
assert "dummy7" not in ifs
PY

for r in asm asm2 ssm ssm6; do
	kill -TERM "${PID[$r]}"
done
for r in asm asm2 ssm ssm6; do
	wait_exit "$r" 10
done
mc_run after h2 ifaces
check_lacks "after the receivers left, 239.20.0.1 is gone" "$T/after.out" 239.20.0.1
check_lacks "and 232.20.0.1" "$T/after.out" 232.20.0.1
check_lacks "and ff35::20" "$T/after.out" ff35::20

mc_run bad h2 ifaces --bogus
check_rc "an unknown option exits 2" 2 "$RC"
mc_run extra h2 ifaces eth0
check_rc "an argument exits 2" 2 "$RC"
check_match "and is named" "$T/extra.err" "unexpected argument 'eth0'"
finish
