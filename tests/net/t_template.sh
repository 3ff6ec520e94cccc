#!/bin/bash
# Periodic publishing: send --template fills its placeholders anew for each
# datagram ({seq} counts 1, 2, ..., {time} is RFC 3339 UTC, {host} the host
# name); an unknown placeholder is a usage error that names it and sends
# nothing; -n/-I keep their count and schedule; --stdin sends each line as
# it arrives, -I being the least time between two lines.
#
# Times are only checked for sanity, with wide bounds (this is not a
# benchmark): a 40 x 50 ms run takes about 2 s, a line written 0.5 s after
# another leaves at least 0.4 s later.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# The JSON checker: FILE and a mode; prints ok/not ok lines for tap_merge.
cat >"$T/check.py" <<'PY'
import datetime, json, re, sys

def check(cond, desc):
    print(("ok - " if cond else "not ok - ") + desc)

def stamp(text):
    # "2026-11-24T13:08:00.123456Z" -> seconds since the epoch.
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()

RFC3339_UTC = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
RFC3339_OFF = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"

mode, path = sys.argv[1], sys.argv[2]
try:
    ev = [json.loads(line) for line in open(path)]
except ValueError as e:
    check(False, "%s: every line is JSON (%s)" % (mode, e))
    sys.exit(0)
msgs = [e for e in ev if e.get("event") == "message"]

if mode == "atu":
    host = sys.argv[3]
    check(len(msgs) == 5, "template: 5 datagrams arrived (%d)" % len(msgs))
    pat = re.compile(r"^ATU (%s) seq=(\d+) host=(.*)$" % RFC3339_UTC)
    m = [pat.match(e.get("data", "")) for e in msgs]
    check(all(m), "template: each is 'ATU <RFC 3339 UTC> seq=N host=H' (%s)"
          % [e.get("data") for e in msgs])
    if all(m):
        seqs = [int(x.group(2)) for x in m]
        check(seqs == [1, 2, 3, 4, 5], "template: seq is 1..5 in order (%s)" % seqs)
        hosts = set(x.group(3) for x in m)
        check(hosts == {host}, "template: host is the host name %r (%s)" % (host, hosts))
        sent = [stamp(x.group(1)) for x in m]
        got = [stamp(e["time"]) for e in msgs]
        check(all(a < b for a, b in zip(sent, sent[1:])),
              "template: each {time} is later than the one before")
        # Same clock (namespaces share it): sent a moment before received.
        check(all(-0.001 <= g - s < 1.0 for s, g in zip(sent, got)),
              "template: {time} is the send time, within 1 s before arrival")
        check(all(e.get("bytes") == len(e["data"].encode()) for e in msgs),
              "template: bytes is the size of the expansion")

elif mode == "others":
    pid = sys.argv[3]
    check(len(msgs) == 2, "placeholders: 2 datagrams arrived (%d)" % len(msgs))
    pat = re.compile(r"^e=(\d+) ms=(\d+) pid=(\d+) lt=(%s) \{x\} \}$" % RFC3339_OFF)
    m = [pat.match(e.get("data", "")) for e in msgs]
    check(len(m) == 2 and all(m),
          "placeholders: 'e=N ms=N pid=N lt=<RFC 3339 +hh:mm> {x} }' (%s)"
          % [e.get("data") for e in msgs])
    if len(m) == 2 and all(m):
        t = [stamp(e["time"]) for e in msgs]
        e_ = [int(x.group(1)) for x in m]
        ms = [int(x.group(2)) for x in m]
        lt = [x.group(4) for x in m]
        check(all(abs(a - b) <= 2 for a, b in zip(e_, t)), "placeholders: {epoch} is now")
        check(all(abs(a / 1000.0 - b) <= 2 for a, b in zip(ms, t)),
              "placeholders: {epoch_ms} is now")
        check(all(a // 1000 == b for a, b in zip(ms, e_)),
              "placeholders: {epoch_ms} / 1000 is {epoch}")
        check(all(x.endswith("+00:00") for x in lt), "placeholders: TZ=UTC gives +00:00")
        check(all(abs(datetime.datetime.fromisoformat(a).timestamp() - b) <= 2
                  for a, b in zip(lt, t)), "placeholders: {localtime} is now")
        check(len(set(x.group(3) for x in m)) == 1,
              "placeholders: {pid} is the same in every datagram")
        check(m[0].group(3) == pid,
              "placeholders: {pid} is the sender's pid (%s, %s)" % (m[0].group(3), pid))

elif mode == "span":
    n, lo, hi = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    check(len(msgs) == n, "interval: %d datagrams arrived (%d)" % (n, len(msgs)))
    if msgs:
        span = stamp(msgs[-1]["time"]) - stamp(msgs[0]["time"])
        check(lo <= span <= hi, "interval: first to last took %.3f s, in [%g, %g]"
              % (span, lo, hi))
        seqs = [e.get("data") for e in msgs]
        check(seqs == ["n=%d" % i for i in range(1, n + 1)],
              "interval: every datagram, in order")

elif mode == "gaps":
    # Data, then the least gap: each datagram at least that long after
    # the one before.
    want, least = sys.argv[3].split(","), float(sys.argv[4])
    check([e.get("data") for e in msgs] == want,
          "stdin: datagrams %s (%s)" % (want, [e.get("data") for e in msgs]))
    t = [stamp(e["time"]) for e in msgs]
    gaps = [b - a for a, b in zip(t, t[1:])]
    check(len(gaps) == len(want) - 1 and all(g >= least for g in gaps),
          "stdin: each line left at least %g s after the one before (%s)"
          % (least, ["%.3f" % g for g in gaps]))
PY
pycheck() {
	"$PYTHON" "$T/check.py" "$@" >"$T/check.tap" 2>&1
	tap_merge "$T/check.tap"
}

# ---- The ATU example: five datagrams, 100 ms apart ---------------------------
G=239.22.0.1:5221
mc_bg atu h2 recv -i eth0 --json -n 5 -w "$(tmo 3)" $G
wait_listening atu

# An unknown placeholder or an unclosed brace: exit 2, named, nothing sent
# (the receiver above would see it as a sixth datagram, out of order).
mc_run bad h1 send -i eth0 --template 'ATU {time} seq={sequence}' $G
check_rc "--template with {sequence}: exit 2" 2 "$RC"
check_has "--template with {sequence}: the message names it" "$T/bad.err" "{sequence}"
check_match "--template with {sequence}: one 'mcast: ' line" "$T/bad.err" '^mcast: .*unknown placeholder'
check_eq "--template with {sequence}: one line on stderr" 1 "$(nlines "$T/bad.err")"
check_empty "--template with {sequence}: nothing on stdout" "$T/bad.out"
mc_run bad2 h1 send -i eth0 --template 'ATU {time' $G
check_rc "--template with an unclosed brace: exit 2" 2 "$RC"
check_has "--template with an unclosed brace: the message says so" "$T/bad2.err" "unclosed"
mc_run bad3 h1 send -i eth0 --template 'x {seq}' $G extra words
check_rc "--template and MESSAGE words: exit 2" 2 "$RC"

host=$(in_ns h1 uname -n)
mc_run atu_s h1 send -i eth0 --template 'ATU {time} seq={seq} host={host}' -n 5 -I 100ms $G
check_rc "send --template -n 5 -I 100ms exits 0" 0 "$RC"
check_match "the sender's summary counts 5 datagrams" "$T/atu_s.err" \
	'^mcast: sent 5 datagrams \([0-9]+ bytes\) to 239\.22\.0\.1:5221 via eth0$'
wait_exit atu "$LONG"
check_rc "the receiver of 5 templated datagrams exits 0" 0 "$RC"
pycheck atu "$T/atu.out" "$host"

# ---- Every other placeholder, and the escapes --------------------------------
G=239.22.0.2:5222
mc_bg oth h3 recv -i eth0 --json -n 2 -w "$(tmo 3)" $G
wait_listening oth
# env execs mcast in place, as `ip netns exec` does, so PID is its pid.
# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
bg oth_s h1 env TZ=UTC $MCAST_WRAP "$MCAST" send -i eth0 -n 2 -I 50ms \
	--template 'e={epoch} ms={epoch_ms} pid={pid} lt={localtime} {{x}} }' $G
spid=${PID[oth_s]}
wait_exit oth_s "$LONG"
check_rc "send with every other placeholder exits 0" 0 "$RC"
wait_exit oth "$LONG"
check_rc "its receiver exits 0" 0 "$RC"
pycheck others "$T/oth.out" "$spid"

# ---- The schedule: 40 datagrams at 50 ms take about 2 s ----------------------
G=239.22.0.3:5223
mc_bg span h2 recv -i eth0 --json -n 40 -w "$(tmo 3)" $G
wait_listening span
t0=$(now)
mc_run span_s h1 send -i eth0 --template 'n={seq}' -n 40 -I 50ms $G
t1=$(now)
check_rc "send -n 40 -I 50ms exits 0" 0 "$RC"
wall=$(echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}')
hi=$((3 * SLOW))
check "send -n 40 -I 50ms took between 1.9 s and $hi s (took $wall s)" \
	awk -v w="$wall" -v hi="$hi" 'BEGIN { exit !(w >= 1.9 && w <= hi) }'
wait_exit span "$LONG"
check_rc "the receiver of 40 datagrams exits 0" 0 "$RC"
pycheck span "$T/span.out" 40 1.9 "$hi"

# ---- --stdin: each line as it arrives ----------------------------------------
G=239.22.0.4:5224
mc_bg lines h3 recv -i eth0 --json -n 2 -w "$(tmo 3)" $G
wait_listening lines
# The sender reads a FIFO: the first line is written, and must arrive
# while the input is still open; the second follows 0.5 s after that.
mkfifo "$T/fifo"
# shellcheck disable=SC2016,SC2086 # $0 is for the inner sh; MCAST_WRAP is a command line
bg lines_s h1 sh -c 'exec "$@" <"$0"' "$T/fifo" $MCAST_WRAP "$MCAST" send -i eth0 --stdin $G
# Read-write, so the open never blocks even if the sender failed to start.
exec 3<>"$T/fifo"
printf 'first\n' >&3
# The receiver's "listening" line, then the first datagram.
check "send --stdin sends a line before its input ends" \
	wait_for_lines "$T/lines.out" 2 "$((3 * SLOW))"
sleep 0.5
printf 'second\n' >&3
exec 3>&-
wait_exit lines_s "$LONG"
check_rc "send --stdin fed line by line exits 0" 0 "$RC"
check_has "send --stdin counts 2 datagrams" "$T/lines_s.err" "sent 2 datagrams (11 bytes)"
wait_exit lines "$LONG"
check_rc "the --stdin receiver exits 0" 0 "$RC"
pycheck gaps "$T/lines.out" first,second 0.4

# -I with --stdin is the least time between two lines, even when they are
# all there at once.
G=239.22.0.5:5225
mc_bg paced h2 recv -i eth0 --json -n 3 -w "$(tmo 3)" $G
wait_listening paced
printf 'a\nbb\nccc\n' >"$T/abc.txt"
mc_feed paced_s h1 "$T/abc.txt" send -i eth0 --stdin -I 300ms $G
check_rc "send --stdin -I 300ms exits 0" 0 "$RC"
wait_exit paced "$LONG"
check_rc "the paced --stdin receiver exits 0" 0 "$RC"
pycheck gaps "$T/paced.out" a,bb,ccc 0.25

finish
