#!/bin/bash
# Signed datagrams end to end (issue 13): mcast send --sign and mcast recv
# --trust on the wire, against an independent peer (tests/net/envpy.py,
# PyNaCl, written from docs/PROTOCOL.md):
#   - the peer's envelopes are accepted by recv --trust, signer named in
#     text and JSON; recv without --trust shows them signed, not verified;
#   - what mcast send --sign puts on the wire verifies in the peer;
#   - a hostile stream (forged, every byte tampered, every truncation,
#     replays in and beyond the window, stale, future, undecryptable,
#     garbage) interleaved with the genuine one: every hostile datagram is
#     rejected and counted under its kind, the genuine ones arrive all and
#     in order;
#   - a datagram of an earlier run of the sender replayed within --max-age
#     is rejected once newer ones were seen;
#   - send --sign to several groups (round robin) signs each datagram;
#   - a secret key others may read is refused; no key appears in output.
#
# Hosts (lab_bridge3): h1 sends (mcast, the peer), h2 receives, h3 captures
# what is on the wire with a plain Python socket.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
need_pynacl
lab_bridge3
G=239.13.0.1
PORT=5013
WAIT=$(tmo 2)
K=$T/keys
mkdir -p "$K"
umask 022
ENVPY=$NET_DIR/envpy.py
py() { "$PYNACL" "$ENVPY" "$@"; }

# blast FILE: send each hex line of FILE (the last word of the line) from h1,
# one datagram each, in order, from one socket.
cat >"$T/blast.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import mcnet
s = mcnet.sender(mcnet.family_of(sys.argv[2]), "eth0")
for line in open(sys.argv[4]):
    words = line.split()
    # "VERDICT HEX" or "HEX"; a verdict alone is the empty datagram.
    hexa = words[-1] if words and (len(words) > 1 or words[0][0] in "0123456789abcdef") else ""
    s.sendto(bytes.fromhex(hexa), (sys.argv[2], int(sys.argv[3])))
PY
blast() { in_ns h1 "$PYTHON" "$T/blast.py" "$NET_DIR" "$G" "$PORT" "$1"; }
capture_bg() { bg "$1" h3 "$PYTHON" "$NET_DIR/mcpy.py" recv "$G" "$PORT" eth0 "$((LONG))" "$2"; }
wait_ready() { wait_for_file_text "$T/$1.err" ready "$LONG" || not_ok "$1 is ready"; }

mc_run kg h1 keygen -q "$K/mc"
check_rc "mcast keygen mc" 0 "$RC"
mc_run kgg h1 keygen -q --group "$K/grp"
py keygen "$K/py" >/dev/null
py keygen "$K/other" >/dev/null
py groupkey "$K/wrong"
secret=$(awk '{print $2}' "$K/mc.key")

# ---- (a) the peer seals, recv --trust accepts ------------------------------
printf 'power out\nups1 on battery\nlast reading\n' >"$T/payloads"
py seal "$K/py.key" <"$T/payloads" >"$T/a.hex"
mc_bg a h2 recv -i eth0 --trust "$K/py.pub" --json -n 3 -w "$WAIT" "$G:$PORT"
wait_listening a
blast "$T/a.hex"
wait_exit a 10
check_rc "recv --trust: the peer's three envelopes accepted" 0 "$RC"
check_eq "signer, payloads, in order" "py power out|py ups1 on battery|py last reading" \
	"$(jget "$T/a.out" '"|".join(x["signer"] + " " + x["data"] for x in E("message"))')"
check_eq "verified, sequence numbers follow" "True True True 1 1" \
	"$(jget "$T/a.out" 'E("message")[0]["verified"]' 'E("message")[1]["verified"]' \
		'E("message")[2]["verified"]' 'E("message")[1]["seq"] - E("message")[0]["seq"]' \
		'E("message")[2]["seq"] - E("message")[1]["seq"]')"

mc_bg a2 h2 recv -i eth0 --trust "$K/py.pub" -n 1 -w "$WAIT" "$G:$PORT"
wait_listening a2
blast <(head -1 "$T/a.hex")
wait_exit a2 10
check_match "text names the signer" "$T/a2.out" ', 9 bytes, signed by py: power out$'

mc_bg a3 h2 recv -i eth0 --json -n 1 -w "$WAIT" "$G:$PORT"
wait_listening a3
blast <(head -1 "$T/a.hex")
wait_exit a3 10
check_eq "without --trust: signed, not verified, key id shown, no signer" \
	"False None 16 power out" \
	"$(jget "$T/a3.out" 'E("message")[0]["verified"]' 'E("message")[0]["signer"]' \
		'len(E("message")[0]["key_id"])' 'E("message")[0]["data"]')"

# ---- (b) mcast send --sign, the peer verifies ------------------------------
capture_bg b 2
wait_ready b
mc_run bs h1 send -i eth0 --sign "$K/mc.key" -n 2 -I 10ms "$G:$PORT" "power ok"
check_rc "send --sign exits 0" 0 "$RC"
wait_exit b 10
check_eq "two datagrams captured" 2 "$(nlines "$T/b.out")"
awk '{print $3}' "$T/b.out" | py open "$K/mc.pub" >"$T/b.open"
check_eq "the peer verifies both: signer mc, payload 'power ok'" \
	"ok mc 706f776572206f6b|ok mc 706f776572206f6b" \
	"$(awk '{print $1, $2, $5}' "$T/b.open" | paste -sd'|')"
mc_run be h1 send -i eth0 --sign "$K/mc.key" --encrypt "$K/grp.key" "$G:$PORT" x
check_rc "send --sign --encrypt exits 0" 0 "$RC"
check_lacks "no key in send's output" "$T/bs.err" "$secret"

# ---- (c) hostile stream -----------------------------------------------------
# The peer dates its stale and future envelopes 31 s from the stream's
# time; the receiver's --max-age 20s keeps them too old and too new, and the
# genuine ones fresh, for 11 s after the stream is made, however slowly the
# test runs.
hostile() {
	local t1
	t1=$(date +%s%N)
	seq 1 "$N" | sed 's/^/reading /' |
		py seal "$K/py.key" --encrypt "$K/grp.key" --time "$t1" >"$T/genuine.hex"
	py hostile "$K/py.key" "$K/other.key" --group "$K/grp.key" --wrong "$K/wrong.key" \
		--time "$t1" <"$T/genuine.hex" >"$T/hostile.txt"
}
N=6
[ -n "$MCAST_WRAP" ] && N=5
hostile
oks=$(grep -c '^ok ' "$T/hostile.txt")
total=$(nlines "$T/hostile.txt")
mc_bg c h2 recv -i eth0 --rcvbuf 8M --trust "$K/py.pub" --decrypt "$K/grp.key" --json --max-age 20s \
	-w "$WAIT" "$G:$PORT"
wait_listening c
blast "$T/hostile.txt"
wait_exit c 20
check_rc "the receiver got every genuine datagram ($oks of $total)" 0 "$RC"
want=$(grep '^ok ' "$T/hostile.txt" | awk '{print $2}' |
	py open "$K/py.pub" --decrypt "$K/grp.key" | awk '{print $5}' | paste -sd'|')
check_eq "genuine payloads, complete and in order" "$want" \
	"$(jget "$T/c.out" '"|".join(x["data"].encode().hex() for x in E("message"))')"
exp_counts=$(awk '$1 != "ok" {n[$1]++} END {for (k in n) print k, n[k]}' "$T/hostile.txt" | sort |
	paste -sd' ')
check_eq "every hostile datagram rejected, counted under its kind" "$exp_counts" \
	"$(jget "$T/c.out" '" ".join("%s %d" % (k, v) for k, v in sorted(S["rejected"].items()) if v)')"
check_eq "rejected total, no kernel drops" "$((total - oks)) 0" \
	"$(jget "$T/c.out" 'S["rejected_total"]' 'S["kernel_drops"]')"

# With -v: rejections logged at most once per source per second.
hostile
mc_bg cv h2 recv -v -i eth0 --rcvbuf 8M --trust "$K/py.pub" --decrypt "$K/grp.key" --max-age 20s \
	-w "$WAIT" "$G:$PORT"
wait_listening cv
blast "$T/hostile.txt"
wait_exit cv 20
lines=$(grep -c 'rejected a datagram from' "$T/cv.err")
check "-v logs rejections, not one line per datagram ($lines lines)" \
	test "$lines" -ge 1 -a "$lines" -le 5
check_match "the summary counts them by kind" "$T/cv.err" \
	"$((total - oks)) rejected \\([0-9]+ unsigned, [0-9]+ malformed"

# ---- (d) a datagram of an earlier run, replayed ----------------------------
capture_bg d 1
wait_ready d
mc_run d1 h1 send -i eth0 --sign "$K/mc.key" "$G:$PORT" "earlier run"
wait_exit d 10
mc_bg d2 h2 recv -i eth0 --trust "$K/mc.pub" --json -w "$WAIT" "$G:$PORT"
wait_listening d2
mc_run d3 h1 send -i eth0 --sign "$K/mc.key" -n 2 -I 10ms "$G:$PORT" "later run"
blast "$T/d.out"
wait_exit d2 20
check_eq "the later run is received, the earlier run's datagram replayed" \
	"later run|later run 1" \
	"$(jget "$T/d2.out" '"|".join(x["data"] for x in E("message"))' 'S["rejected"]["replayed"]')"

# ---- (f) several groups, round robin: each datagram signed ----------------
mc_bg f h2 recv -i eth0 --trust "$K/mc.pub" --json -n 4 -w "$WAIT" "239.13.1.1+1:$PORT"
wait_listening f
mc_run fs h1 send -i eth0 --sign "$K/mc.key" -n 2 -I 10ms "239.13.1.1+1:$PORT" "two groups"
check_rc "send --sign to two groups exits 0" 0 "$RC"
wait_exit f 10
check_eq "two to each group, all verified, sequence numbers in order" \
	"239.13.1.1 239.13.1.2 239.13.1.1 239.13.1.2 mc mc mc mc True" \
	"$(jget "$T/f.out" '" ".join(x["group"] for x in E("message"))' \
		'" ".join(x["signer"] for x in E("message"))' \
		'[x["seq"] for x in E("message")] == sorted(x["seq"] for x in E("message"))')"

# ---- (e) keys ---------------------------------------------------------------
chmod 0644 "$K/mc.key"
mc_run e1 h1 send -i eth0 --sign "$K/mc.key" "$G:$PORT" x
check_rc "a secret key others may read is refused" 2 "$RC"
check_has "saying why" "$T/e1.err" "chmod"
check_lacks "without the key in the message" "$T/e1.err" "$secret"
chmod 0640 "$K/mc.key"
mc_run e5 h1 send -i eth0 --sign "$K/mc.key" "$G:$PORT" x
check_rc "a secret key the group may read is refused" 2 "$RC"
check_has "saying its mode" "$T/e5.err" "permissions 0640 are too open"
chmod 0600 "$K/mc.key"
chmod 0604 "$K/grp.key"
mc_run e6 h2 recv -i eth0 --trust "$K/mc.pub" --decrypt "$K/grp.key" -w 1s "$G:$PORT"
check_rc "a group key others may read is refused" 2 "$RC"
check_has "saying why" "$T/e6.err" "permissions 0604 are too open"
chmod 0600 "$K/grp.key"
group=$(awk '{print $2}' "$K/grp.key")
# shellcheck disable=SC2016 # expanded by sh -c
check "no secret or group key in any output of any run" \
	sh -c '! grep -lF -e "$1" -e "$2" "$3"/*.out "$3"/*.err' sh "$secret" "$group" "$T"
mc_run e2 h2 recv -i eth0 --decrypt "$K/grp.key" -w 1s "$G:$PORT"
check_rc "--decrypt without --trust is a usage error" 2 "$RC"
mc_run e3 h2 recv -i eth0 --sign "$K/mc.key" -w 1s "$G:$PORT"
check_rc "recv --sign without --reply is a usage error" 2 "$RC"
mc_run e4 h1 send -i eth0 --trust "$K/mc.pub" "$G:$PORT" x
check_rc "send --trust without --wait is a usage error" 2 "$RC"
finish
