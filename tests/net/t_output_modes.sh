#!/bin/bash
# Output modes of recv: text (escaped), --hex, --raw and --json, with text
# and binary payloads sent by `send --stdin=raw`.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

printf '\001\002\377' >"$T/hex.bin"
printf 'raw\000\001\377\n\tend' >"$T/raw.bin"
printf 'hello' >"$T/hello.bin"
printf '\000\001\377' >"$T/bin3.bin"
printf 'a\tb\\c\n\303\251' >"$T/esc.bin"        # a TAB b \ c LF e-acute
printf '\303(\r\177' >"$T/bad.bin"             # invalid UTF-8, CR, DEL

mc_bg hex h2 recv -i eth0 --hex -n 1 -w "$(tmo 3)" 239.12.0.1:5121
mc_bg raw h2 recv -i eth0 --raw -n 1 -w "$(tmo 3)" 239.12.0.2:5122
mc_bg json h3 recv -i eth0 --json -n 2 -w "$(tmo 3)" 239.12.0.3:5123
mc_bg text h3 recv -i eth0 -n 3 -w "$(tmo 3)" 239.12.0.4:5124
mc_bg json6 h2 recv -i eth0 --json -n 1 -w "$(tmo 3)" '[ff15::12]:5125'
for r in hex raw json text json6; do
	wait_listening "$r"
done

# sendf FILE GROUP:PORT: FILE's bytes as one datagram from h1:40012.
sendf() {
	mc_feed s h1 "$1" send -i eth0 -p 40012 --stdin=raw "$2"
	check_rc "send --stdin=raw $(basename "$1") to $2 exits 0" 0 "$RC"
}
sendf "$T/hex.bin" 239.12.0.1:5121
sendf "$T/raw.bin" 239.12.0.2:5122
sendf "$T/hello.bin" 239.12.0.3:5123
sendf "$T/bin3.bin" 239.12.0.3:5123
sendf "$T/bin3.bin" 239.12.0.4:5124
sendf "$T/esc.bin" 239.12.0.4:5124
sendf "$T/bad.bin" 239.12.0.4:5124
sendf "$T/hello.bin" '[ff15::12]:5125'

wait_exit hex "$LONG"
check_rc "--hex exits 0" 0 "$RC"
check_file "--hex prints lower-case hex bytes" "$T/hex.out" \
	"10.77.0.1:40012 -> 239.12.0.1:5121 on eth0, 3 bytes: 01 02 ff"

wait_exit raw "$LONG"
check_rc "--raw exits 0" 0 "$RC"
check "--raw prints exactly the payload bytes" cmp "$T/raw.bin" "$T/raw.out"

wait_exit text "$LONG"
check_rc "text mode exits 0" 0 "$RC"
check_file "text mode escapes bytes, keeps UTF-8" "$T/text.out" \
'10.77.0.1:40012 -> 239.12.0.4:5124 on eth0, 3 bytes: \x00\x01\xff
10.77.0.1:40012 -> 239.12.0.4:5124 on eth0, 8 bytes: a\tb\\c\né
10.77.0.1:40012 -> 239.12.0.4:5124 on eth0, 4 bytes: \xc3(\r\x7f'

wait_exit json "$LONG"
check_rc "--json exits 0" 0 "$RC"
check_lacks "--json: no summary on stderr" "$T/json.err" "kernel drops"
"$PYTHON" - "$T/json.out" >"$T/json.tap" 2>&1 <<'PY'
import json, re, sys
n = 0
def check(desc, cond, got=None):
    global n
    n += 1
    print(("ok - " if cond else "not ok - ") + "--json: " + desc)
    if not cond and got is not None:
        print("#   got: %r" % (got,))
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
    ev = [json.loads(l) for l in lines]
except Exception as e:
    check("every line is a JSON object", False, str(e))
    sys.exit(0)
check("every line is a JSON object", all(isinstance(e, dict) for e in ev))
check("4 lines: listening, 2 messages, summary", len(ev) == 4, lines)
if len(ev) != 4:
    sys.exit(0)
lis, m1, m2, summ = ev
check("listening event", lis == {"event": "listening", "group": "239.12.0.3",
      "port": 5123, "interfaces": ["eth0"], "groups": 1}, lis)
keys = ["event", "time", "source", "source_port", "group", "port",
        "interface", "bytes", "ttl", "data"]
check("message keys in the documented order", list(m1) == keys, list(m1))
check("text message fields", {k: m1.get(k) for k in keys if k != "time"} == {
      "event": "message", "source": "10.77.0.1", "source_port": 40012,
      "group": "239.12.0.3", "port": 5123, "interface": "eth0",
      "bytes": 5, "ttl": 1, "data": "hello"}, m1)
check("time is RFC 3339 UTC with microseconds",
      re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
                   str(m1.get("time"))) is not None, m1.get("time"))
check("binary message has data_base64 AAH/ and no data",
      m2.get("data_base64") == "AAH/" and "data" not in m2, m2)
check("binary message: 3 bytes from 10.77.0.1", m2.get("bytes") == 3
      and m2.get("source") == "10.77.0.1" and m2.get("event") == "message", m2)
check("summary event", summ == {"event": "summary", "datagrams": 2,
      "bytes": 8, "sources": 1, "kernel_drops": 0}, summ)
PY
tap_merge "$T/json.tap"

wait_exit json6 "$LONG"
check_rc "--json IPv6 exits 0" 0 "$RC"
"$PYTHON" - "$T/json6.out" >"$T/json6.tap" 2>&1 <<'PY'
import json, sys
try:
    ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
    lis, m = ev[0], ev[1]
    ok = (lis.get("group") == "ff15::12" and lis.get("port") == 5125
          and m.get("source") == "fd77::1" and m.get("group") == "ff15::12"
          and m.get("data") == "hello" and m.get("interface") == "eth0")
except Exception as e:
    ok, ev = False, e
print(("ok - " if ok else "not ok - ") +
      "--json IPv6: addresses without brackets, fields correct")
if not ok:
    print("#   got: %r" % (ev,))
PY
tap_merge "$T/json6.tap"

finish
