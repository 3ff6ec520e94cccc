#!/bin/bash
# Interop with plain sockets (tests/net/mcpy.py, Python standard library):
# a Python sender to an mcast receiver and an mcast sender to a Python
# receiver, IPv4 and IPv6; the bytes must match exactly.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3
PY=("$PYTHON" "$NET_DIR/mcpy.py")

hex() { od -An -v -tx1 | tr -d ' \n'; }

# Python -> mcast. The payload has a NUL, a high byte and a newline.
printf 'py\000\001\377 bytes\n' >"$T/py.bin"
payload=$(hex <"$T/py.bin")
mc_bg r4 h2 recv -i eth0 --raw -n 1 -w "$(tmo 3)" 239.11.0.1:5111
mc_bg r6 h2 recv -i eth0 --raw -n 1 -w "$(tmo 3)" '[ff15::11]:5111'
wait_listening r4
wait_listening r6
check "Python sends to 239.11.0.1" in_ns h1 "${PY[@]}" send 239.11.0.1 5111 eth0 "$payload"
check "Python sends to ff15::11" in_ns h1 "${PY[@]}" send ff15::11 5111 eth0 "$payload"
wait_exit r4 "$LONG"
check_rc "mcast recv of a Python datagram exits 0" 0 "$RC"
check "mcast recv --raw prints the Python sender's exact bytes" cmp "$T/py.bin" "$T/r4.out"
wait_exit r6 "$LONG"
check_rc "mcast recv of a Python datagram exits 0 (IPv6)" 0 "$RC"
check "mcast recv --raw prints the Python sender's exact bytes (IPv6)" \
	cmp "$T/py.bin" "$T/r6.out"

# mcast -> Python.
bg p4 h2 "${PY[@]}" recv 239.11.0.2 5112 eth0 "$((5 * SLOW))" 1
bg p6 h3 "${PY[@]}" recv ff15::12 5112 eth0 "$((5 * SLOW))" 1
check "Python IPv4 receiver ready" wait_for_file_text "$T/p4.err" ready "$LONG"
check "Python IPv6 receiver ready" wait_for_file_text "$T/p6.err" ready "$LONG"
mc_run s4 h1 send -i eth0 -p 40011 239.11.0.2:5112 hello from mcast
check_rc "mcast send to 239.11.0.2 exits 0" 0 "$RC"
mc_run s6 h1 send -i eth0 -p 40011 '[ff15::12]:5112' hello from mcast
check_rc "mcast send to ff15::12 exits 0" 0 "$RC"
want=$(printf 'hello from mcast' | hex)
wait_exit p4 "$LONG"
check_rc "Python IPv4 receiver got a datagram" 0 "$RC"
check_file "Python IPv4 receiver got the exact bytes from 10.77.0.1:40011" \
	"$T/p4.out" "10.77.0.1 40011 $want"
wait_exit p6 "$LONG"
check_rc "Python IPv6 receiver got a datagram" 0 "$RC"
check_file "Python IPv6 receiver got the exact bytes from [fd77::1]:40011" \
	"$T/p6.out" "fd77::1 40011 $want"

finish
