#!/bin/bash
# Kernel drops: receivers with a tiny buffer are stopped while a burst
# arrives. Once they run again, their summary counts what they read plus
# what the kernel dropped, and together they make up everything sent.
#   text, json   the burst, then a few more datagrams once they run again
#   tail         the burst only: the drops happen after the last datagram
#                that was queued, and must still be counted at exit
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

N=200
msg=$(head -c 1000 /dev/zero | tr '\0' d)

mc_bg text h2 recv -i eth0 --rcvbuf 8k -w "$(tmo 2)" 239.16.0.1:5161
mc_bg json h3 recv -i eth0 --rcvbuf 8k --json -w "$(tmo 2)" 239.16.0.1:5161
mc_bg tail h2 recv -i eth0 --rcvbuf 8k -w "$(tmo 2)" 239.16.0.2:5162
for r in text json tail; do
	wait_listening "$r"
done
kill -STOP "${PID[text]}" "${PID[json]}" "${PID[tail]}"
mc_run s h1 send -i eth0 -n "$N" -I 1ms -p 40016 239.16.0.1:5161 "$msg"
check_rc "send -n $N -I 1ms exits 0" 0 "$RC"
mc_run s h1 send -i eth0 -n "$N" -I 1ms -p 40016 239.16.0.2:5162 "$msg"
check_rc "send -n $N -I 1ms exits 0 (second group)" 0 "$RC"
kill -CONT "${PID[text]}" "${PID[json]}" "${PID[tail]}"
# Let them drain their queues (a fraction of a millisecond is enough), so
# the next datagrams find room and carry the kernel's drop count.
sleep 0.5
mc_run s h1 send -i eth0 -n 3 -I 100ms -p 40016 239.16.0.1:5161 after
check_rc "send 3 more exits 0" 0 "$RC"

# summary NAME: "DATAGRAMS DROPS" from NAME's stderr summary line.
summary() {
	sed -nE 's/^mcast: ([0-9]+) datagrams?, [0-9]+ bytes from [0-9]+ sources?, ([0-9]+) kernel drops?$/\1 \2/p' "$T/$1.err"
}

for r in text tail; do
	want=$N
	[ "$r" = text ] && want=$((N + 3))
	wait_exit "$r" "$LONG"
	check_rc "$r: exits 0" 0 "$RC"
	sum=$(summary "$r")
	check "$r: the summary line is there" test -n "$sum"
	[ -n "$sum" ] || show "$r.err" "$T/$r.err"
	read -r got drops <<<"${sum:-0 0}"
	check_eq "$r: lines printed = datagrams counted" "$got" "$(nlines "$T/$r.out")"
	check "$r: some kernel drops counted (got $drops)" test "$drops" -gt 0
	check_eq "$r: datagrams + kernel drops = $want sent" "$want" "$((got + drops))"
done

wait_exit json "$LONG"
check_rc "json: exits 0" 0 "$RC"
"$PYTHON" - "$T/json.out" "$((N + 3))" >"$T/json.tap" 2>&1 <<'PY'
import json, sys
n = int(sys.argv[2])
try:
    ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
    msgs = [e for e in ev if e.get("event") == "message"]
    s = ev[-1]
    ok = (s.get("event") == "summary" and s.get("datagrams") == len(msgs)
          and s.get("kernel_drops", 0) > 0
          and s.get("datagrams") + s.get("kernel_drops") == n)
    got = s
except Exception as e:
    ok, got = False, e
print(("ok - " if ok else "not ok - ") +
      "json: summary datagrams + kernel_drops = %d, drops > 0" % n)
if not ok:
    print("#   got: %r" % (got,))
PY
tap_merge "$T/json.tap"

finish
