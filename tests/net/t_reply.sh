#!/bin/bash
# Replies and echo: `send --wait` collects the unicast answers of
# `recv --reply TEXT` and `recv --echo`; --expect N, --json; an answer is
# cut to the size of the datagram it answers (one warning); --reply-rate
# holds answers back; plain Python sockets on either side.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends; h2 10.77.0.2 and h3 10.77.0.3
# answer.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

WAIT=$(tmo 1)

# The source ports of the reply lines of FILE from ADDR, sorted, unique.
reply_ports() {
	sed -n "s/^reply from $2:\\([0-9]*\\), .*/\\1/p" "$1" | sort -u
}

# A plain-socket peer (Python standard library only), so mcast is checked
# against code that shares none of its own.
cat >"$T/peer.py" <<'PY'
"""
peer.py ask GROUP PORT LOCAL PAYLOAD WAIT
    Send PAYLOAD to GROUP:PORT out of the interface with address LOCAL,
    then print every answer for WAIT seconds: "SOURCE PORT DATA".
peer.py answer GROUP PORT LOCAL REPLY|--echo TIMEOUT COUNT
    Join GROUP on LOCAL's interface, say "ready" on stderr, and answer each
    datagram (recvfrom, then sendto its source) with REPLY or with the
    datagram itself; print "SOURCE PORT DATA" per datagram; exit after
    COUNT datagrams, or 1 after TIMEOUT seconds without one.
"""
import socket
import sys
import time


def ask(group, port, local, payload, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.sendto(payload.encode(), (group, port))
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            return 0
        print(addr[0], addr[1], data.decode(errors="backslashreplace"), flush=True)


def answer(group, port, local, reply, timeout, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    mreq = socket.inet_aton(group) + socket.inet_aton(local)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    for _ in range(count):
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            return 1
        s.sendto(data if reply == "--echo" else reply.encode(), addr)
        print(addr[0], addr[1], data.decode(errors="backslashreplace"), flush=True)
    return 0


if sys.argv[1] == "ask":
    sys.exit(ask(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
                 float(sys.argv[6])))
sys.exit(answer(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
                float(sys.argv[6]), int(sys.argv[7])))
PY
PEER=("$PYTHON" "$T/peer.py")

# ---- Three responders: ack on h2, ack and echo on h3 -------------------------
# Each receiver runs until 2 s pass without a datagram, so one that saw
# an extra datagram (its own answer, another's echo) would print it.
G=239.21.0.1:5210
mc_bg ack2 h2 recv -i eth0 --reply ack -w "$(tmo 2)" $G
mc_bg ack3 h3 recv -i eth0 --reply ack -w "$(tmo 2)" $G
mc_bg echo3 h3 recv -i eth0 --echo -w "$(tmo 2)" $G
for r in ack2 ack3 echo3; do
	wait_listening "$r"
done

mc_run s1 h1 send -i eth0 --wait "$WAIT" $G ping
check_rc "send --wait with three responders exits 0" 0 "$RC"
strip_reply "$T/s1.out" >"$T/s1.strip"
check_file "send --wait lists three answers: ack, ack and the echoed payload" "$T/s1.strip" \
"reply from 10.77.0.2:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 4 bytes in T ms: ping"
check_eq "the two responders on h3 answer from two ports" 2 \
	"$(reply_ports "$T/s1.out" 10.77.0.3 | wc -l)"
check_file "the summary counts 3 replies from 3 responders" "$T/s1.err" \
	"mcast: sent 1 datagram (4 bytes) to 239.21.0.1:5210 via eth0; 3 replies from 3 responders"

mc_run s2 h1 send -i eth0 --wait "$WAIT" --expect 4 $G ping
check_rc "--expect 4 with three responders exits 3" 3 "$RC"
check_has "--expect 4 says how many answered" "$T/s2.err" \
	"mcast: 3 responders answered, fewer than the 4 expected"
check_eq "--expect 4 still lists the three answers" 3 "$(nlines "$T/s2.out")"

mc_run s3 h1 send -i eth0 --wait "$WAIT" --expect 3 $G ping
check_rc "--expect 3 with three responders exits 0" 0 "$RC"
check_lacks "--expect 3 met: no complaint" "$T/s3.err" "expected"

mc_run s4 h1 send -i eth0 --wait "$WAIT" --json $G ping
check_rc "send --wait --json exits 0" 0 "$RC"
"$PYTHON" - "$T/s4.out" >"$T/s4.tap" 2>&1 <<'PY'
import json, sys

def check(cond, desc):
    print(("ok - " if cond else "not ok - ") + desc)

try:
    ev = [json.loads(line) for line in open(sys.argv[1])]
except ValueError as e:
    check(False, "--json: every line is JSON (%s)" % e)
    sys.exit(0)
replies = [e for e in ev if e.get("event") == "reply"]
check(len(ev) == 4 and ev[-1].get("event") == "summary",
      "--json: three reply lines, then the summary last")
check(len(replies) == 3, "--json: three reply events")
got = sorted((r.get("source"), r.get("data")) for r in replies)
check(got == [("10.77.0.2", "ack"), ("10.77.0.3", "ack"), ("10.77.0.3", "ping")],
      "--json: replies are ack from h2, ack and ping from h3 (%s)" % got)
ok = all(set(r) == {"event", "source", "source_port", "bytes", "data", "rtt_ms"}
         for r in replies)
check(ok, "--json: a reply has event, source, source_port, bytes, data, rtt_ms")
check(all(isinstance(r.get("source_port"), int) and 0 < r["source_port"] < 65536
          for r in replies), "--json: source_port is a port number")
check(all(r.get("bytes") == len(r.get("data", "").encode()) for r in replies),
      "--json: bytes is the size of data")
check(all(isinstance(r.get("rtt_ms"), (int, float)) and 0 <= r["rtt_ms"] < 1000
          for r in replies), "--json: 0 <= rtt_ms < 1000")
s = ev[-1]
check(s.get("sent") == 1 and s.get("replies") == 3 and s.get("responders") == 3,
      "--json: summary sent 1, replies 3, responders 3 (%s)" % s)
check(s.get("bytes") == 4, "--json: summary bytes 4")
PY
tap_merge "$T/s4.tap"
check_lacks "--json: nothing but errors on stderr" "$T/s4.err" "sent 1 datagram"

for r in ack2 ack3 echo3; do
	wait_exit "$r" "$LONG"
	check_rc "$r exits 0 after its idle timeout" 0 "$RC"
	# Four datagrams were sent: a receiver that saw its own answer, or
	# another receiver's echo, would count more.
	check_eq "$r printed exactly the 4 datagrams sent" 4 "$(nlines "$T/$r.out")"
	check_eq "$r got every datagram from h1" 4 \
		"$(grep -c '^10\.77\.0\.1:[0-9]* -> 239\.21\.0\.1:5210 on eth0, 4 bytes: ping$' "$T/$r.out")"
	check_has "$r's summary: 4 answered, none held back" "$T/$r.err" \
		"mcast: 4 datagrams, 16 bytes from 1 source, 0 kernel drops; answered 4 (0 held back)"
done

# ---- An answer is never longer than the datagram ----------------------------
G=239.21.0.2:5211
mc_bg cut h2 recv -i eth0 --reply ACKNOWLEDGED -n 4 -w "$(tmo 3)" $G
wait_listening cut
# A reply's round trip is known when it comes within half an interval of
# its datagram: under valgrind the first replies take tens of ms.
ivl=50ms
[ -n "$MCAST_WRAP" ] && ivl=500ms
mc_run c1 h1 send -i eth0 -n 3 -I "$ivl" --wait "$WAIT" $G ok
check_rc "send to a --reply longer than the datagram exits 0" 0 "$RC"
strip_reply "$T/c1.out" >"$T/c1.strip"
check_file "the 12-byte reply to a 2-byte datagram is cut to 2 bytes" "$T/c1.strip" \
"reply from 10.77.0.2:PORT, 2 bytes in T ms: AC
reply from 10.77.0.2:PORT, 2 bytes in T ms: AC
reply from 10.77.0.2:PORT, 2 bytes in T ms: AC"
mc_run c2 h1 send -i eth0 --wait "$WAIT" --json $G 'long enough for it'
check_match "a datagram longer than the reply gets the whole reply" "$T/c2.out" \
	'^\{"event":"reply","source":"10\.77\.0\.2","source_port":[0-9]+,"bytes":12,"data":"ACKNOWLEDGED","rtt_ms":[0-9.]+\}$'
wait_exit cut "$LONG"
check_rc "the cutting receiver exits 0" 0 "$RC"
check_eq "the cut is warned about once, not per datagram" 1 \
	"$(grep -c 'warning:.*longer' "$T/cut.err")"
check_match "the warning names both sizes" "$T/cut.err" \
	'^mcast: warning: .*12 bytes.*2 bytes'

# ---- --reply-rate holds answers back -----------------------------------------
G=239.21.0.3:5212
mc_bg rate h3 recv -i eth0 --reply ack --reply-rate 2/s -n 10 -w "$(tmo 3)" $G
wait_listening rate
mc_run r1 h1 send -i eth0 -n 10 -I 10ms --wait "$WAIT" $G x
check_rc "send of 10 datagrams to a rate-limited receiver exits 0" 0 "$RC"
answers=$(nlines "$T/r1.out")
check "2/s: between 1 and 4 of 10 datagrams answered (got $answers)" \
	test "$answers" -ge 1 -a "$answers" -le 4
wait_exit rate "$LONG"
check_rc "the rate-limited receiver exits 0" 0 "$RC"
check_eq "the rate-limited receiver still prints all 10 datagrams" 10 "$(nlines "$T/rate.out")"
read -r answered held < <(sed -n 's/.*; answered \([0-9]*\) (\([0-9]*\) held back)$/\1 \2/p' "$T/rate.err")
check_eq "recv's summary: answered is what the sender got" "$answers" "${answered:-}"
check_eq "recv's summary: answered + held back = 10" 10 "$((${answered:-0} + ${held:-0}))"

# ---- A plain Python sender collects the answers of two mcast receivers -------
G=239.21.0.4
mc_bg pa2 h2 recv -i eth0 --reply ack -n 1 -w "$(tmo 3)" $G:5213
mc_bg pa3 h3 recv -i eth0 --reply ack -n 1 -w "$(tmo 3)" $G:5213
wait_listening pa2
wait_listening pa3
RC=0
timeout -k 2 "$LONG" ip netns exec "${P}h1" "${PEER[@]}" ask $G 5213 10.77.0.1 hello "$((SLOW))" \
	>"$T/pask.out" 2>"$T/pask.err" || RC=$?
check_rc "the Python sender exits 0" 0 "$RC"
sed -E 's/ [0-9]+ / PORT /' "$T/pask.out" | sort >"$T/pask.strip"
check_file "the Python sender gets exactly two acks, from h2 and h3" "$T/pask.strip" \
"10.77.0.2 PORT ack
10.77.0.3 PORT ack"
wait_exit pa2 "$LONG"
check_rc "mcast recv --reply answering Python exits 0 (h2)" 0 "$RC"
wait_exit pa3 "$LONG"
check_rc "mcast recv --reply answering Python exits 0 (h3)" 0 "$RC"

# ---- mcast send collects the answers of plain Python receivers ---------------
G=239.21.0.5
bg pack h2 "${PEER[@]}" answer $G 5214 10.77.0.2 ack "$((3 * SLOW))" 1
bg pecho h3 "${PEER[@]}" answer $G 5214 10.77.0.3 --echo "$((3 * SLOW))" 1
check "Python ack receiver ready" wait_for_file_text "$T/pack.err" ready "$LONG"
check "Python echo receiver ready" wait_for_file_text "$T/pecho.err" ready "$LONG"
mc_run py1 h1 send -i eth0 -p 40021 --wait "$WAIT" --expect 2 $G:5214 hello py
check_rc "send --expect 2 with two Python responders exits 0" 0 "$RC"
strip_reply "$T/py1.out" >"$T/py1.strip"
check_file "send lists the Python ack and the Python echo" "$T/py1.strip" \
"reply from 10.77.0.2:PORT, 3 bytes in T ms: ack
reply from 10.77.0.3:PORT, 8 bytes in T ms: hello py"
check_eq "the Python receivers answer from the group's port" 5214 \
	"$(sed -n 's/^reply from [^:]*:\([0-9]*\),.*/\1/p' "$T/py1.out" | sort -u)"
wait_exit pack "$LONG"
check_file "the Python receiver saw the datagram from 10.77.0.1:40021" "$T/pack.out" \
	"10.77.0.1 40021 hello py"
wait_exit pecho "$LONG"
check_rc "the Python echo receiver exits 0" 0 "$RC"

# ---- IPv6 --------------------------------------------------------------------
G='[ff15::21]:5215'
mc_bg v6 h2 recv -i eth0 --reply ack6 -n 1 -w "$(tmo 3)" "$G"
wait_listening v6
mc_run s6 h1 send -i eth0 --wait "$WAIT" --expect 1 "$G" ping6
check_rc "IPv6: send --wait --expect 1 exits 0" 0 "$RC"
check_match "IPv6: the answer comes from h2 with its data" "$T/s6.out" \
	'^reply from \[(fd77::2|fe80::[0-9a-f:]+%eth0)\]:[0-9]+, 4 bytes in [0-9.]+ ms: ack6$'
check_eq "IPv6: one answer" 1 "$(nlines "$T/s6.out")"
wait_exit v6 "$LONG"
check_rc "IPv6: the receiver exits 0" 0 "$RC"

finish
