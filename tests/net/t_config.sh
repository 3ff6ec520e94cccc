#!/bin/bash
# Settings files (--config FILE): the power-monitoring example of mcast(1),
# one file shared by a publisher on h1 and receivers on h2 and h3, with
# [send] and [recv] sections; the command line overrides the file (-n, -t,
# the group, and -i, which replaces the file's interface list); every error
# in a file is a usage error (exit 2) whose message names FILE:LINE.
# Options that set one thing are one setting: the file's hex = yes with
# --json on the command line prints JSON, the file's source with -X is an
# exclude join. Every section is checked whichever subcommand reads the
# file ([recv] count = abc stops send too).
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

WAIT=$(tmo 1)

# A plain-socket receiver that reports each datagram's TTL (IP_RECVTTL),
# so the ttl setting can be seen on the wire:
#   ttl.py GROUP PORT LOCAL IDLE  ->  "SOURCE TTL DATA" per datagram,
# until IDLE seconds pass without one.
cat >"$T/ttl.py" <<'PY'
import socket, struct, sys

group, port, local, idle = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton(group) + socket.inet_aton(local))
s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
s.settimeout(idle)
print("ready", file=sys.stderr, flush=True)
while True:
    try:
        data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
    except socket.timeout:
        break
    ttl = None
    for level, kind, d in anc:
        if level == socket.IPPROTO_IP and kind == getattr(socket, "IP_TTL", 2):
            ttl = struct.unpack("i", d[:4])[0]
    print(addr[0], ttl, data.decode(errors="backslashreplace"), flush=True)
PY

# The JSON checker for the receivers: FILE GROUP PORT N HOST.
cat >"$T/check.py" <<'PY'
import json, re, sys

def check(cond, desc):
    print(("ok - " if cond else "not ok - ") + desc)

path, group, port, n, host = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
name = path.rsplit("/", 1)[-1]
try:
    ev = [json.loads(line) for line in open(path)]
except ValueError as e:
    check(False, "%s: every line is JSON (json = yes) (%s)" % (name, e))
    sys.exit(0)
check(bool(ev) and ev[0].get("event") == "listening" and ev[0].get("group") == group
      and ev[0].get("port") == port and ev[0].get("interfaces") == ["eth0"],
      "%s: listening on %s:%d, eth0 (%s)" % (name, group, port, ev[:1]))
msgs = [e for e in ev if e.get("event") == "message"]
pat = re.compile(r"^ATU \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z seq=(\d+) host=(\S+) kW=21\.5$")
m = [pat.match(e.get("data", "")) for e in msgs]
check(len(msgs) == n and all(m) and [int(x.group(1)) for x in m] == list(range(1, n + 1))
      and all(x.group(2) == host for x in m),
      "%s: %d datagrams 'ATU <time> seq=1.. host=%s kW=21.5' (%s)"
      % (name, n, host, [e.get("data") for e in msgs]))
s = ev[-1] if ev else {}
check(s.get("event") == "summary" and s.get("datagrams") == n and s.get("replies") == n
      and s.get("replies_held_back") == 0,
      "%s: summary: %d datagrams, %d answered (reply = ack), none held back (%s)"
      % (name, n, n, s))
PY

host=$(in_ns h1 uname -n)

# ---- The example of mcast(1), adapted: eth0, three datagrams -----------------
cat >"$T/power.conf" <<'EOF'
# /etc/mcast/power.conf
group = 239.23.0.1:5230
interface = eth0

[send]
ttl = 4
count = 3                # not 0: this test must end
interval = 100ms
template = "ATU {time} seq={seq} host={host} kW=21.5"

[recv]
json = yes
reply = ack
count = 3
timeout = 3s
EOF
# Each answer must come before the next send, even under valgrind.
sed -i "s/^interval = 100ms$/interval = $((100 * SLOW))ms/" "$T/power.conf"
mc_bg p2 h2 recv --config "$T/power.conf"
mc_bg p3 h3 recv --config "$T/power.conf"
bg pttl h3 "$PYTHON" "$T/ttl.py" 239.23.0.1 5230 10.77.0.3 "$((2 * SLOW))"
wait_listening p2
wait_listening p3
check "the TTL reader is ready" wait_for_file_text "$T/pttl.err" ready "$LONG"
check_has "recv --config: the file's interface and group" "$T/p2.err" \
	"mcast: listening on 239.23.0.1:5230, joined on eth0"

mc_run ps h1 send --config "$T/power.conf" --wait "$WAIT"
check_rc "send --config power.conf --wait exits 0" 0 "$RC"
check_match "send --config: 3 datagrams to the file's group via eth0, 6 replies from 2 responders" \
	"$T/ps.err" \
	'^mcast: sent 3 datagrams \([0-9]+ bytes\) to 239\.23\.0\.1:5230 via eth0; 6 replies from 2 responders$'
strip_reply "$T/ps.out" >"$T/ps.strip"
check_file "send --config: each receiver answers ack (reply = ack) three times" "$T/ps.strip" \
"reply from 10.77.0.2:PORT, 3 bytes in T ms: ack
reply from 10.77.0.2:PORT, 3 bytes in T ms: ack
reply from 10.77.0.2:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 3 bytes in T ms: ack"
for r in p2 p3; do
	wait_exit "$r" "$LONG"
	check_rc "recv --config ($r) exits 0 after count = 3" 0 "$RC"
	"$PYTHON" "$T/check.py" "$T/$r.out" 239.23.0.1 5230 3 "$host" >"$T/$r.tap" 2>&1
	tap_merge "$T/$r.tap"
done
wait_exit pttl "$LONG"
check_eq "ttl = 4 from [send]: three datagrams, each with TTL 4" "4 4 4" \
	"$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' "$T/pttl.out")"

# ---- The command line overrides the file -------------------------------------
# -n 2 beats count = 3, -t 2 beats ttl = 4, the group operand beats group,
# and recv's -n 2 beats its count = 3.
G=239.23.0.2
mc_bg o2 h2 recv --config "$T/power.conf" -n 2 $G:5231
bg ottl h3 "$PYTHON" "$T/ttl.py" $G 5231 10.77.0.3 "$((2 * SLOW))"
wait_listening o2
check "the TTL reader is ready" wait_for_file_text "$T/ottl.err" ready "$LONG"
mc_run os h1 send --config "$T/power.conf" -n 2 -t 2 -I 50ms --wait "$WAIT" $G:5231
check_rc "send --config with -n 2 -t 2 GROUP exits 0" 0 "$RC"
check_match "-n 2 beats count = 3; the group operand beats group" "$T/os.err" \
	'^mcast: sent 2 datagrams \([0-9]+ bytes\) to 239\.23\.0\.2:5231 via eth0; 2 replies from 1 responder$'
wait_exit ottl "$LONG"
check_eq "-t 2 beats ttl = 4, and only 2 datagrams went out" "2 2" \
	"$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' "$T/ottl.out")"
wait_exit o2 "$LONG"
check_rc "recv --config -n 2 exits 0 after 2 datagrams" 0 "$RC"
"$PYTHON" "$T/check.py" "$T/o2.out" $G 5231 2 "$host" >"$T/o2.tap" 2>&1
tap_merge "$T/o2.tap"

# -i on the command line replaces the file's interface list; without it
# the file's lines add up.
cat >"$T/ifaces.conf" <<'EOF'
group = 239.23.0.3:5232
interface = lo
interface = eth0
[send]
interface = lo
[recv]
count = 1
timeout = 3s
EOF
mc_bg both h2 recv --config "$T/ifaces.conf"
mc_bg only h3 recv --config "$T/ifaces.conf" -i eth0
wait_listening both
wait_listening only
check_has "recv: two interface lines in the file join on both" "$T/both.err" \
	"mcast: listening on 239.23.0.3:5232, joined on lo, eth0"
check_has "recv: -i eth0 on the command line replaces the file's list" "$T/only.err" \
	"mcast: listening on 239.23.0.3:5232, joined on eth0"
check_lacks "recv: -i eth0 on the command line: lo is not joined" "$T/only.err" "lo,"
# The file gives the group, so the message comes by -T: a first operand
# would be taken for the group.
mc_run is h1 send --config "$T/ifaces.conf" -i eth0 -T hello
check_rc "send --config with -i eth0 exits 0" 0 "$RC"
check_file "send: -i eth0 beats the file's interface = lo" "$T/is.err" \
	"mcast: sent 1 datagram (5 bytes) to 239.23.0.3:5232 via eth0"
for r in both only; do
	wait_exit "$r" "$LONG"
	check_rc "recv --config ($r) gets the datagram and exits 0" 0 "$RC"
	check_file "recv --config ($r) printed the datagram" "$T/$r.out" \
		"10.77.0.1:$(sed -n 's/^10\.77\.0\.1:\([0-9]*\) .*/\1/p' "$T/$r.out") -> 239.23.0.3:5232 on eth0, 5 bytes: hello"
done

# ---- One setting, two options: the command line's replaces the file's -------
# The file says hex = yes and source = 10.77.0.9 (a host that never sends);
# --json and -X 10.77.0.9 replace them: JSON, and h1's datagram arrives.
cat >"$T/over.conf" <<'EOF'
group = 239.23.0.4:5233
interface = eth0
[recv]
hex = yes
source = 10.77.0.9
count = 1
timeout = 3s
EOF
mc_bg ov h2 recv --config "$T/over.conf" --json -X 10.77.0.9
wait_listening ov
check_lacks "hex = yes with --json: no conflict" "$T/ov.err" "choose one of"
check_lacks "source = with -X: no 'do not mix'" "$T/ov.err" "do not mix"
mc_run ovs h1 send -i eth0 239.23.0.4:5233 replaced
check_rc "send to the replaced-settings receiver exits 0" 0 "$RC"
wait_exit ov "$LONG"
check_rc "recv --config with --json -X exits 0 after one datagram" 0 "$RC"
check_eq "--json replaced hex = yes: the datagram as JSON, from h1" "message 10.77.0.1 replaced" \
	"$(jget "$T/ov.out" 'E("message")[0]["event"]' 'E("message")[0]["source"]' 'E("message")[0]["data"]')"
# The same two options both on the command line are still a conflict.
mc_run ovc h2 recv --config "$T/over.conf" --json --hex
check_rc "--json --hex on the command line: exit 2" 2 "$RC"
check_has "--json --hex on the command line: the conflict is named" "$T/ovc.err" \
	"choose one of --hex, --raw and --json"

# ---- Errors: exit 2, one line naming FILE:LINE ----------------------------------
# bad NAME SUBCOMMAND LINE TEXT FILE-CONTENT [ARGS...]: write the file, run
# mcast SUBCOMMAND --config FILE ARGS in h1, and expect exit 2 with one
# line "mcast: FILE:LINE: ..." that contains TEXT.
bad() {
	local name=$1 cmd=$2 line=$3 text=$4 content=$5 f
	shift 5
	f="$T/$name.conf"
	printf '%s\n' "$content" >"$f"
	mc_run "$name" h1 "$cmd" --config "$f" "$@"
	check_rc "$name: exit 2" 2 "$RC"
	check_match "$name: one line that names $(basename "$f"):$line" "$T/$name.err" \
		"^mcast: $f:$line: "
	check_has "$name: the message says what is wrong" "$T/$name.err" "$text"
	check_eq "$name: one line on stderr" 1 "$(nlines "$T/$name.err")"
	check_empty "$name: nothing on stdout" "$T/$name.out"
}

bad unknown_key send 3 "unknown setting 'colour'" \
'group = 239.23.0.9:5239
# a comment
colour = blue'
bad unknown_in_section send 4 "unknown setting 'reply' for [send]" \
'group = 239.23.0.9:5239

[send]
reply = ack'
# Another subcommand's section is checked too: names, flags and values.
bad other_key send 3 "unknown setting 'bogus' for [recv]" \
'group = 239.23.0.9:5239
[recv]
bogus = 1' hello
bad other_value send 3 "--count: 'abc' is not a number" \
'group = 239.23.0.9:5239
[recv]
count = abc' hello
bad other_flag recv 2 "'fragment' is a flag" \
'[send]
fragment = maybe
group = 239.23.0.9:5239'
bad other_bench ping 5 "--gro: 'fast' is not auto, on or off" \
'group = 239.23.0.9:5239
[bench send]
gso = auto
[bench recv]
gro = fast'
bad other_global recv 2 "--ttl: 300 is out of range" \
'group = 239.23.0.9:5239
ttl = 300'
bad unknown_in_recv recv 3 "unknown setting 'ttll'" \
'group = 239.23.0.9:5239
[recv]
ttll = 4'
bad bad_ttl send 2 "300" \
'group = 239.23.0.9:5239
ttl = 300'
bad bad_count recv 3 "--count" \
'group = 239.23.0.9:5239
[recv]
count = many'
bad bad_interval send 4 "soon" \
'group = 239.23.0.9:5239
[send]
# how often
interval = soon'
bad bad_flag recv 2 "'json' is a flag" \
'[recv]
json = maybe
group = 239.23.0.9:5239'
bad bad_rate recv 2 "fast" \
'group = 239.23.0.9:5239
reply-rate = fast'
bad bad_quote send 3 "unbalanced quotes" \
'group = 239.23.0.9:5239
[send]
template = "ATU {time}'
bad bad_section send 2 "unknown section [sned]" \
'group = 239.23.0.9:5239
[sned]
ttl = 4'
bad bad_header recv 1 "malformed section header" \
'[recv
json = yes'
bad config_in_file send 1 "'config' cannot be set" \
'config = /etc/mcast/other.conf' 239.23.0.9:5239 hello
# Values that are checked after the options are read are still a bad value
# in the file, which mcast(1) says is reported with the file and line.
bad bad_template send 3 "{nope}" \
'group = 239.23.0.9:5239
[send]
template = "x {nope}"'
bad bad_interface recv 2 "nosuch0" \
'group = 239.23.0.9:5239
interface = nosuch0'
bad bad_group recv 1 "239.23.0.9" \
'group = 239.23.0.9'

# Unreadable files name the file.
mc_run nofile h1 send --config "$T/does-not-exist.conf" 239.23.0.9:5239 hello
check_rc "a missing settings file: exit 2" 2 "$RC"
check_file "a missing settings file: the message names it" "$T/nofile.err" \
	"mcast: cannot read settings file $T/does-not-exist.conf: No such file or directory"
mc_run dirfile h1 recv --config "$T" 239.23.0.9:5239
check_rc "a directory as settings file: exit 2" 2 "$RC"
check_match "a directory as settings file: the message names it" "$T/dirfile.err" \
	"^mcast: cannot read settings file $T: "
mc_run twice h1 send --config "$T/power.conf" --config "$T/power.conf"
check_rc "--config twice: exit 2" 2 "$RC"
check_has "--config twice: the message says one" "$T/twice.err" "--config: give one settings file"

finish
