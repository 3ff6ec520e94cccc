#!/bin/bash
# --rcvbuf reports what was asked, what the kernel granted and the kernel's
# maximum; the receiver still works. Above the maximum, root may force the
# size, and then says so. The top of the documented range, 1G, works too
# (the kernel keeps at most 1G - 1: granted says so).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

max=$(in_ns h2 cat /proc/sys/net/core/rmem_max)
RE='^mcast: receive buffer: asked ([0-9]+) bytes, granted ([0-9]+) bytes \(kernel maximum ([0-9]+) bytes(, forced past the maximum)?\)(; raise net.core.rmem_max or run as root for more)?$'

mc_bg small h2 recv -i eth0 --rcvbuf 64k -n 1 -w "$(tmo 3)" 239.14.0.1:5141
mc_bg large h2 recv -i eth0 --rcvbuf 8M -n 1 -w "$(tmo 3)" 239.14.0.1:5141
mc_bg top h2 recv -i eth0 --rcvbuf 1G -n 1 -w "$(tmo 3)" 239.14.0.1:5141
wait_listening small
wait_listening large
wait_listening top
mc_run s h1 send -i eth0 -p 40014 239.14.0.1:5141 buffered
check_rc "send exits 0" 0 "$RC"

# field NAME N: the Nth number of NAME's receive-buffer line.
field() { sed -nE "s/$RE.*/\\$2/p" "$T/$1.err" | head -1; }

for r in small large top; do
	wait_exit "$r" "$LONG"
	check_rc "--rcvbuf ($r): exits 0" 0 "$RC"
	check_match "--rcvbuf ($r): reports asked/granted/maximum" "$T/$r.err" "$RE"
	check_file "--rcvbuf ($r): still receives" "$T/$r.out" \
		"10.77.0.1:40014 -> 239.14.0.1:5141 on eth0, 8 bytes: buffered"
	check_eq "--rcvbuf ($r): the maximum is net.core.rmem_max" "$max" \
		"$(field "$r" 3)"
done

check_eq "--rcvbuf 64k: asked 65536" 65536 "$(field small 1)"
g=$(field small 2)
check "--rcvbuf 64k: granted at least 65536 (got ${g:-none})" \
	test "${g:-0}" -ge 65536
check_lacks "--rcvbuf 64k: nothing forced below the maximum" "$T/small.err" forced

check_eq "--rcvbuf 8M: asked 8388608" 8388608 "$(field large 1)"
g=$(field large 2)
if [ "$max" -ge 8388608 ]; then
	diag "rmem_max $max is not below 8M: the forcing case is not exercised"
elif grep -q "forced past the maximum" "$T/large.err"; then
	check "--rcvbuf 8M forced: granted at least 8388608 (got ${g:-none})" \
		test "${g:-0}" -ge 8388608
else
	check "--rcvbuf 8M not forced: granted at most twice the maximum (got ${g:-none})" \
		test "${g:-0}" -gt 0 -a "${g:-0}" -le $((2 * max))
fi

check_eq "--rcvbuf 1G: asked 1073741824" 1073741824 "$(field top 1)"
g=$(field top 2)
check "--rcvbuf 1G: granted something, below 1G (got ${g:-none})" \
	test "${g:-0}" -gt 0 -a "${g:-0}" -lt 1073741824

finish
