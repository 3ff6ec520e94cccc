#!/bin/bash
# What mcast pong puts in an answer besides the probe's header (answer
# version 2, docs/PROTOCOL.md): the TTL or hop limit the probe arrived with
# (issue 12), and how many of this prober's probes pong held back so far
# under --reply-rate (issue 10, item 10), which its summary counts too.
#
# Hosts (lab_bridge3): h2 runs pong --reply-rate 1 --json; h1 is a prober
# written from PROTOCOL.md in plain Python (fakepong.py probe) that sends
# 20 probes back to back with TTL 7, pauses 1.5 s (so pong's rate allows
# one more), sends one more and decodes the answers. Pong answers at most
# one probe a second per source in bursts of one, so most of the 20 are
# held back; the last answer carries the count of all of them.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

FAKE=("$PYTHON" "$NET_DIR/fakepong.py")

for fam in 4 6; do
	if [ "$fam" = 4 ]; then g=239.7.5.1 G=239.7.5.1:5751; else g=ff15::7:5 G="[ff15::7:5]:5751"; fi
	mc_bg "pong$fam" h2 pong -i eth0 --reply-rate 1 -w "$(tmo 20)" --json "$G"
	wait_listening "pong$fam"
	RC=0
	timeout -k 2 "$LONG" ip netns exec "${P}h1" "${FAKE[@]}" probe "$g" 5751 eth0 7 20 1.5 1 \
		>"$T/probe$fam.out" 2>"$T/probe$fam.err" || RC=$?
	check_rc "IPv$fam: the Python prober ran" 0 "$RC"
	[ "$RC" = 0 ] || show "prober stderr" "$T/probe$fam.err"
	kill -TERM "${PID[pong$fam]}"
	wait_exit "pong$fam" "$LONG"
	check_rc "IPv$fam: pong exits 0" 0 "$RC"
	python3 - "$T/probe$fam.out" "$T/pong$fam.out" "$fam" >"$T/check$fam.tap" <<'PY'
import json, sys
ans = json.load(open(sys.argv[1]))
summ = [json.loads(l) for l in open(sys.argv[2]) if '"summary"' in l][-1]
a, fam = ans["answers"], sys.argv[3]
def check(what, want, got):
    print(("ok - IPv%s: " if want == got else "not ok - IPv%s: ") % fam + what)
    if want != got:
        print("#   want %r, got %r" % (want, got))
held = summ.get("held_back")
check("each answer says the probe arrived with TTL 7", [7] * len(a), [x[2] for x in a])
check("nothing but answers came back", 0, ans["other"])
check("answers + held back = the 21 probes", 21, len(a) + (held or 0))
check("some of the burst was held back", True, (held or 0) >= 1)
check("the probe after the pause was answered", 21, a[-1][0] if a else None)
check("its answer counts every probe held back before it, as pong's summary does",
      held, a[-1][1] if a else None)
check("the first answer had nothing held back before it", 0, a[0][1] if a else None)
check("held back never decreases from answer to answer", True,
      all(x[1] <= y[1] for x, y in zip(a, a[1:])))
PY
	tap_merge "$T/check$fam.tap"
done

finish
