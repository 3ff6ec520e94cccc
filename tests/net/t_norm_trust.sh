#!/bin/bash
# Signed file infos over NORM: mcast send --reliable --sign signs each
# file's info (name, size, SHA-256; docs/PROTOCOL.md), and mcast recv
# --reliable --trust keeps only files a trusted key vouched for.
#   - mcast send --sign to two trusting receivers: every file stored,
#     byte-identical, the signer named in text and JSON;
#   - normpeer (libnorm's C API alone) sends infos built by envpy.py
#     (PyNaCl, from docs/PROTOCOL.md alone): the peer's genuinely signed
#     file is kept, signer named; an unsigned one (any foreign NORM
#     sender's), one signed by a key not trusted, one with a tampered
#     signature and one whose signature is another file's are rejected,
#     each counted by kind and named, and nothing of them is left in DIR;
#     a receiver without --trust keeps them all, as any NORM receiver;
#   - normpeer as the receiver stores a signed file under its name.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends; h2 10.77.0.2 and h3 10.77.0.3
# receive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
need_pynacl
need_normpeer
lab_bridge3

ENVPY="$NET_DIR/envpy.py"
K="$T/keys"
mkdir -p "$K"
py() { "$PYNACL" "$ENVPY" "$@"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
files() { ls -A "$1" | tr '\n' ' ' | sed 's/ $//'; }

mc_run kg h1 keygen -q "$K/alice"
check_rc "mcast keygen alice" 0 "$RC"
py keygen "$K/py" >/dev/null
py keygen "$K/mallory" >/dev/null
SIZE=$((256 << 10))
[ -n "$MCAST_WRAP" ] && SIZE=$((64 << 10))
head -c "$SIZE" /dev/urandom >"$T/a1"
printf 'second file\n' >"$T/a2"

# ---- mcast signs, mcast trusts -------------------------------------------------
mkdir -p "$T/j" "$T/t"
mc_bg rj h2 recv --reliable -i eth0 --trust "$K/alice.pub" --output "$T/j" -n 2 \
	-w "$(tmo 10)" --json 239.7.18.1:6601
mc_bg rt h3 recv --reliable -i eth0 --trust "$K/alice.pub" --output "$T/t" -n 2 \
	-w "$(tmo 10)" 239.7.18.1:6601
wait_listening rj
wait_listening rt
mc_run s1 h1 send --reliable -i eth0 --sign "$K/alice.key" --expect 2 --wait "$(tmo 5)" \
	--file "$T/a1" --file "$T/a2" 239.7.18.1:6601
check_rc "send --reliable --sign: both receivers acknowledge" 0 "$RC"
wait_exit rj "$LONG"
check_rc "the JSON receiver exits 0" 0 "$RC"
wait_exit rt "$LONG"
check_rc "the text receiver exits 0" 0 "$RC"
check_eq "both files stored, byte-identical" "$(sum "$T/a1") $(sum "$T/a2")" \
	"$(sum "$T/j/a1") $(sum "$T/t/a2")"
check_eq "JSON: each file's signer is alice, verified" "a1 alice True|a2 alice True" \
	"$(jget "$T/rj.out" '"|".join("%s %s %s" % (x["name"], x["signer"], x["verified"]) for x in E("file"))')"
check_eq "JSON summary: nothing rejected" "0" "$(jget "$T/rj.out" 'S["rejected_total"]')"
check_match "text: the signer is named" "$T/rt.out" \
	"^stored a1, $SIZE bytes from 10\\.77\\.0\\.1 in [0-9.]+ s, signed by alice$"

# ---- --expect: a receiver that rejects a file is never counted complete ---------
# h2 trusts only the peer's key: it rejects alice's file and must not
# acknowledge it, so the sender names it incomplete and exits 3, while h3
# stores it. The receiver checks an info in its own loop and libnorm
# receives in its own thread: a file that arrived whole before its info
# was checked may have been acknowledged already (the receiver says so).
# So the file takes half a second (four under valgrind, where a sender
# that started late catches up on its rate in a burst).
RATE=4M
[ -n "$MCAST_WRAP" ] && RATE=512k
head -c $((256 << 10)) /dev/urandom >"$T/a3"
mkdir -p "$T/x" "$T/y"
mc_bg xr h2 recv --reliable -i eth0 --trust "$K/py.pub" --output "$T/x" -w "$(tmo 10)" \
	239.7.18.1:6605
mc_bg xt h3 recv --reliable -i eth0 --trust "$K/alice.pub" --output "$T/y" -n 1 \
	-w "$(tmo 10)" 239.7.18.1:6605
wait_listening xr
wait_listening xt
mc_run xs h1 send --reliable -i eth0 --rate "$RATE" --sign "$K/alice.key" --expect 2 \
	--wait "$(tmo 1)" --file "$T/a3" 239.7.18.1:6605
check_rc "send --expect 2, one receiver rejects the file: exit 3" 3 "$RC"
check_match "the sender names the rejecting receiver incomplete" "$T/xs.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.2: incomplete$'
check_match "the sender names the trusting receiver complete" "$T/xs.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.3: has everything$'
[ "$RC" = 3 ] || { show "rejecting receiver" "$T/xr.err"; show "sender" "$T/xs.err"; }
wait_exit xt "$LONG"
check_rc "the trusting receiver exits 0" 0 "$RC"
check_eq "its copy is byte-identical" "$(sum "$T/a3")" "$(sum "$T/y/a3")"
kill -TERM "${PID[xr]}" 2>/dev/null
wait_exit xr "$LONG"
check_eq "the rejecting receiver rejected a3 once, for its unknown key" \
	"mcast: warning: rejected a3 from 10.77.0.1: unknown_key" \
	"$(grep 'a3' "$T/xr.err")"
check_eq "it stored nothing, not even a temporary file" "" "$(files "$T/x")"

# ---- a foreign sender, infos from PyNaCl ------------------------------------------
# info NAME FILE KEY [BODY-NAME]: the info of FILE sent as NAME, signed by
# KEY (none: unsigned) over the name, size and SHA-256 of BODY-NAME.
body() { printf '%s\0mcast1 size=%d sha256=%s' "$1" "$(stat -c %s "$2")" "$(sum "$2")"; }
info() {
	local name=$1 file=$2 key=$3 over=${4:-$1}
	[ -z "$key" ] && { body "$name" "$file" | hex; return; }
	printf '%s%s%s' "$(body "$name" "$file" | hex)" 00 \
		"$(body "$over" "$file" | py seal "$key")"
}
for f in plain other forged swapped genuine; do printf '%s\n' "$f" >"$T/$f"; done
tampered=$(info forged "$T/forged" "$K/py.key")
last=$(printf '%s' "$tampered" | tail -c 2)
tampered="${tampered%??}$(printf '%02x' $((0x$last ^ 1)))"
mkdir -p "$T/f" "$T/n"
mc_bg fj h2 recv --reliable -i eth0 --trust "$K/py.pub" --trust "$K/alice.pub" \
	--output "$T/f" -n 1 -w "$(tmo 10)" --json 239.7.18.1:6602
mc_bg fn h3 recv --reliable -i eth0 --output "$T/n" -n 5 -w "$(tmo 10)" 239.7.18.1:6602
wait_listening fj
wait_listening fn
bg np h1 "$NORMPEER" 0x0a4d0001 239.7.18.1 6602 eth0 send \
	"info:$(info plain "$T/plain" ""):$T/plain" \
	"info:$(info other "$T/other" "$K/mallory.key"):$T/other" \
	"info:$tampered:$T/forged" \
	"info:$(info swapped "$T/swapped" "$K/py.key" genuine):$T/swapped" \
	"info:$(info genuine "$T/genuine" "$K/py.key"):$T/genuine"
wait_exit fj "$LONG"
check_rc "the trusting receiver exits 0 after the genuine file" 0 "$RC"
check_eq "only the genuinely signed file is stored" "genuine" "$(files "$T/f")"
check_eq "its signer is the peer's key, verified" "genuine py True" \
	"$(jget "$T/fj.out" '" ".join(str(E("file")[0][k]) for k in ("name", "signer", "verified"))')"
check_eq "rejected by kind: unsigned 1, unknown key 1, bad signature 2" \
	'4 {"unsigned":1,"malformed":0,"unknown_key":1,"bad_signature":2}' \
	"$(jget "$T/fj.out" 'S["rejected_total"]' 'S["rejected"]')"
check_eq "each rejection named, with its reason and source" \
	"plain unsigned|other unknown_key|forged bad_signature|swapped bad_signature 10.77.0.1" \
	"$(jget "$T/fj.out" '"|".join(x["name"] + " " + x["reason"] for x in E("rejected"))' \
		'E("rejected")[0]["source"]')"
wait_exit fn "$LONG"
check_rc "the receiver without --trust exits 0" 0 "$RC"
check_eq "without --trust every file is kept" "forged genuine other plain swapped" \
	"$(files "$T/n" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
wait_exit np "$LONG"

# ---- a foreign receiver takes a signed file as any other -------------------------
mkdir -p "$T/p"
bg pr h2 "$NORMPEER" 0x0a4d0002 239.7.18.1 6604 eth0 recv-files "$T/p" 1
wait_for_file_text "$T/pr.err" "normpeer: receiving" "$LONG"
mc_run s3 h1 send --reliable -i eth0 --sign "$K/alice.key" --file "$T/a2" 239.7.18.1:6604
check_rc "send --reliable --sign to normpeer exits 0" 0 "$RC"
wait_exit pr "$LONG"
check_rc "normpeer stored the signed file" 0 "$RC"
check_file "normpeer names it by the info up to its first NUL" "$T/pr.out" "file a2 12"
check_eq "its copy is byte-identical" "$(cat "$T/a2")" "$(cat "$T/p/a2")"

# ---- usage ---------------------------------------------------------------------
mc_run u1 h1 send --reliable --sign "$K/alice.key" 239.7.18.1:6603 hello
check_rc "send --reliable --sign with a message: usage error" 2 "$RC"
check_match "it says --sign signs files" "$T/u1.err" "signs files"
mc_run u2 h2 recv --reliable --trust "$K/alice.pub" --max-age 5s 239.7.18.1:6603
check_rc "recv --reliable --max-age: usage error" 2 "$RC"

finish
