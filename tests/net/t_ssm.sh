#!/bin/bash
# Source filters. h1 and h3 both send to the same groups; h2 receives.
#   -S 10.77.0.1 on an SSM group      only h1's datagrams
#   -X 10.77.0.1 on an ASM group      only h3's datagrams
#   -S fd77::1 on ff35::/16           only h1's (IPv6)
#   -X fd77::1 on ff15::/16           only h3's (IPv6)
#   -S on a 239 group, or a 232 group without -S: a warning, but it works
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

WARN='warn|SSM|ssm|source-specific'

# Each receiver ends on the count of datagrams it should get; -w is only a
# backstop. Each group hears first the sender its receiver must not show,
# then the one it must, so a filter that let the wrong one through shows
# it within the count. (Ending on -w alone failed under valgrind: seven
# sends went by before the first one an -S receiver wanted.)
mc_bg inc4 h2 recv -i eth0 -S 10.77.0.1 -n 1 -w "${LONG}s" 232.1.1.1:5061
mc_bg exc4 h2 recv -i eth0 -X 10.77.0.1 -n 1 -w "${LONG}s" 239.6.6.6:5062
mc_bg inc6 h2 recv -i eth0 -S fd77::1 -n 1 -w "${LONG}s" '[ff35::6]:5063'
mc_bg exc6 h2 recv -i eth0 -X fd77::1 -n 1 -w "${LONG}s" '[ff15::6]:5064'
mc_bg asm_s h2 recv -i eth0 -S 10.77.0.1 -n 1 -w "${LONG}s" 239.6.6.7:5065
mc_bg ssm_any h2 recv -i eth0 -n 2 -w "${LONG}s" 232.1.1.2:5066
mc_bg two_s h2 recv -i eth0 -S 10.77.0.1 -S 10.77.0.3 -n 2 -w "${LONG}s" 232.1.1.3:5067
for r in inc4 exc4 inc6 exc6 asm_s ssm_any two_s; do
	wait_listening "$r"
done

for g in 232.1.1.1:5061 239.6.6.6:5062 '[ff35::6]:5063' '[ff15::6]:5064' \
	239.6.6.7:5065 232.1.1.2:5066 232.1.1.3:5067; do
	case $g in
	239.6.6.6:* | *ff15::6*) order="1 3" ;; # -X h1: h1 first
	*) order="3 1" ;;
	esac
	for h in $order; do
		mc_run "s$h" "h$h" send -i eth0 -p 4006$h "$g" "from-h$h"
		check_rc "h$h sends to $g" 0 "$RC"
	done
done

wait_exit inc4 "$LONG"
check_rc "-S 10.77.0.1: exits 0" 0 "$RC"
check_file "-S 10.77.0.1: only h1's datagram" "$T/inc4.out" \
	"10.77.0.1:40061 -> 232.1.1.1:5061 on eth0, 7 bytes: from-h1"
check_lacks "-S on an SSM group: no warning" "$T/inc4.err" warn

wait_exit exc4 "$LONG"
check_rc "-X 10.77.0.1: exits 0" 0 "$RC"
check_file "-X 10.77.0.1: only h3's datagram" "$T/exc4.out" \
	"10.77.0.3:40063 -> 239.6.6.6:5062 on eth0, 7 bytes: from-h3"

wait_exit inc6 "$LONG"
check_rc "-S fd77::1: exits 0" 0 "$RC"
check_file "-S fd77::1: only h1's datagram" "$T/inc6.out" \
	"[fd77::1]:40061 -> [ff35::6]:5063 on eth0, 7 bytes: from-h1"

wait_exit exc6 "$LONG"
check_rc "-X fd77::1: exits 0" 0 "$RC"
check_file "-X fd77::1: only h3's datagram" "$T/exc6.out" \
	"[fd77::3]:40063 -> [ff15::6]:5064 on eth0, 7 bytes: from-h3"

wait_exit asm_s "$LONG"
check_rc "-S on a 239 group: exits 0" 0 "$RC"
check_match "-S on a 239 group: warns" "$T/asm_s.err" "$WARN"
check_file "-S on a 239 group: only h1's datagram" "$T/asm_s.out" \
	"10.77.0.1:40061 -> 239.6.6.7:5065 on eth0, 7 bytes: from-h1"

wait_exit ssm_any "$LONG"
check_rc "232 group without -S: exits 0" 0 "$RC"
check_match "232 group without -S: warns" "$T/ssm_any.err" "$WARN"
check_file "232 group without -S: both senders' datagrams" "$T/ssm_any.out" \
"10.77.0.3:40063 -> 232.1.1.2:5066 on eth0, 7 bytes: from-h3
10.77.0.1:40061 -> 232.1.1.2:5066 on eth0, 7 bytes: from-h1"

wait_exit two_s "$LONG"
check_rc "two -S: exits 0" 0 "$RC"
check_file "two -S: both sources' datagrams" "$T/two_s.out" \
"10.77.0.3:40063 -> 232.1.1.3:5067 on eth0, 7 bytes: from-h3
10.77.0.1:40061 -> 232.1.1.3:5067 on eth0, 7 bytes: from-h1"

# -v names each source join and each blocked source.
mc_bg vs h2 recv -v -i eth0 -S 10.77.0.1 -S 10.77.0.3 -w 1s 232.1.1.4:5068
mc_bg vx h2 recv -v -i eth0 -X 10.77.0.3 -w 1s 239.6.6.8:5069
wait_listening vs
wait_listening vx
wait_exit vs "$LONG"
check_match "-v -S: joined source 10.77.0.1" "$T/vs.err" \
	'^mcast\[[0-9]+\]: joined 232\.1\.1\.4 source 10\.77\.0\.1 on eth0$'
check_match "-v -S: joined source 10.77.0.3" "$T/vs.err" \
	'^mcast\[[0-9]+\]: joined 232\.1\.1\.4 source 10\.77\.0\.3 on eth0$'
wait_exit vx "$LONG"
check_match "-v -X: blocked source 10.77.0.3" "$T/vx.err" \
	'^mcast\[[0-9]+\]: blocked source 10\.77\.0\.3 of 239\.6\.6\.8 on eth0$'

finish
