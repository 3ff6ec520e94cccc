#!/bin/bash
# Envelopes against an independent peer: tests/net/envpy.py, written from
# docs/PROTOCOL.md with PyNaCl, and libmcast through tests/helpers/envtool
# (mcast_env_seal() and mcast_env_open() with the tool's key file readers,
# on pipes: mcast send and recv do not seal yet). Both directions, signed
# and encrypted, keys made by either side:
#   - envelopes the peer seals open in libmcast with the right signer,
#     sequence numbers, time and payload, and libmcast's open in the peer;
#   - a hostile stream from the peer (every byte tampered, every
#     truncation, copies, forgeries, another key, stale and future times,
#     the window's edges, another group key, garbage) interleaved with the
#     genuine one: libmcast gives every datagram the verdict the spec
#     gives it, so the genuine stream is accepted completely and in order;
#   - fingerprints agree, and a secret key file others may read is refused.
# Sends nothing; mcast keygen runs in a namespace with only lo.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_pynacl
ns_add h
ENVPY=$NET_DIR/envpy.py
ENVTOOL=${ENVTOOL:-$(dirname "$MCAST")/tests/helpers/envtool}
if [ ! -x "$ENVTOOL" ]; then
	echo "not ok - the helper $ENVTOOL is built (make check builds it)"
	exit 1
fi
K=$T/keys
mkdir -p "$K"
umask 022
# 2026-11-24 12:00:00 UTC: every envelope is sealed and opened at this time.
T0=1795521600000000000
SEQ0=$((T0 / 1000))

py() { "$PYNACL" "$ENVPY" "$@"; }
# shellcheck disable=SC2086 # MCAST_WRAP is a command line on purpose
tool() { $MCAST_WRAP "$ENVTOOL" "$@"; }

# ---- keys from both sides ------------------------------------------------
mc_run kg h keygen -q "$K/mc"
check_rc "mcast keygen mc" 0 "$RC"
mc_run kgg h keygen -q --group "$K/grp"
check_rc "mcast keygen --group grp" 0 "$RC"
mc_run kgo h keygen -q "$K/other"
py keygen "$K/py" >"$T/py.id"
check_rc "envpy keygen py" 0 $?
py groupkey "$K/wrong"
check_eq "the peer's fingerprint of mc.pub starts with mcast keygen's" \
	"$(cat "$T/kg.out")" "$(py fingerprint "$K/mc.pub" | cut -c1-16)"
check_eq "the peer's fingerprint of grp.key starts with mcast keygen's" \
	"$(cat "$T/kgg.out")" "$(py fingerprint "$K/grp.key" | cut -c1-16)"
check_eq "libmcast's fingerprint of py.pub is the peer's" \
	"$(py fingerprint "$K/py.pub") py" "$(tool keys "$K/py.pub")"
check_eq "the key id of py.pub is the peer's" "$(cat "$T/py.id")" \
	"$(tool keys "$K/py.pub" | cut -c1-16)"

printf 'power out\nups1 on battery, 4%% left\n\n{"kW":1.25}\nlast reading\n' >"$T/payloads"
hex_payloads=$(while IFS= read -r l; do printf '%s' "$l" | od -An -tx1 | tr -d ' \n'; echo; done \
	<"$T/payloads")

# expect_ok FILE SIGNER: FILE holds "ok SIGNER SEQ T0 PAYLOAD" for the five
# payloads, with sequence numbers SEQ0 .. SEQ0 + 4.
expect_ok() {
	local want="" i=0 p
	while IFS= read -r p; do
		want+="ok $2 $((SEQ0 + i)) $T0 $p"$'\n'
		i=$((i + 1))
	done <<<"$hex_payloads"
	check_file "$3" "$1" "${want%$'\n'}"
}

# ---- (a) the peer seals, libmcast opens ----------------------------------
py seal "$K/py.key" --time "$T0" <"$T/payloads" >"$T/py.sig"
py seal "$K/py.key" --encrypt "$K/grp.key" --time "$T0" <"$T/payloads" >"$T/py.enc"
tool open "$K/py.pub" --now "$T0" <"$T/py.sig" >"$T/a1.out" 2>"$T/a1.err"
check_rc "libmcast opens the peer's signed envelopes" 0 $?
expect_ok "$T/a1.out" py "signed by py, every payload, in order, seq from the clock"
tool open "$K/py.pub" --decrypt "$K/grp.key" --now "$T0" <"$T/py.enc" >"$T/a2.out"
expect_ok "$T/a2.out" py "encrypted by the peer with mcast's group key: decrypted"
tool open "$K/py.pub" --now "$T0" <"$T/py.enc" >"$T/a3.out"
check_eq "without the group key: undecryptable, each" "5 undecryptable" \
	"$(sort "$T/a3.out" | uniq -c | awk '{ print $1, $2 }')"
tool open "$K/mc.pub" --now "$T0" <"$T/py.sig" >"$T/a4.out"
check_eq "trusting another key: unknown_key, each" "5 unknown_key" \
	"$(sort "$T/a4.out" | uniq -c | awk '{ print $1, $2 }')"
# A directory of .pub files: the key is found and named by its comment.
mkdir "$K/trusted"
cp "$K/py.pub" "$K/mc.pub" "$K/trusted/"
tool open "$K/trusted" --now "$T0" <"$T/py.sig" >"$T/a5.out"
expect_ok "$T/a5.out" py "trusting a directory of .pub files"

# ---- (b) libmcast seals, the peer opens ----------------------------------
tool seal "$K/mc.key" --time "$T0" <"$T/payloads" >"$T/c.sig" 2>"$T/b1.err"
check_rc "libmcast seals with mcast keygen's key" 0 $?
tool seal "$K/mc.key" --encrypt "$K/grp.key" --time "$T0" <"$T/payloads" >"$T/c.enc"
py open "$K/mc.pub" --now "$T0" <"$T/c.sig" >"$T/b1.out"
expect_ok "$T/b1.out" mc "the peer verifies libmcast's signed envelopes"
py open "$K/mc.pub" --decrypt "$K/grp.key" --now "$T0" <"$T/c.enc" >"$T/b2.out"
expect_ok "$T/b2.out" mc "the peer verifies and decrypts libmcast's encrypted envelopes"
# The sizes are the payload and the fixed overhead: 96, or 136 encrypted.
sizes=$(awk '{ print length($0) / 2 }' "$T/c.sig" | tr '\n' ' ')
check_eq "signed envelopes are 96 bytes longer than their payloads" "105 120 96 107 108 " "$sizes"
sizes=$(awk '{ print length($0) / 2 }' "$T/c.enc" | tr '\n' ' ')
check_eq "encrypted ones 136 bytes longer" "145 160 136 147 148 " "$sizes"
check_lacks "no encrypted envelope holds its plaintext" "$T/c.enc" \
	"$(printf 'power out' | od -An -tx1 | tr -d ' \n')"
# One byte changed: the peer refuses it too.
sed -n 1p "$T/c.sig" | sed 's/^\(.\{60\}\)./\1f/' >"$T/c.bad"
py open "$K/mc.pub" --now "$T0" <"$T/c.bad" >"$T/b3.out"
check_file "the peer refuses a changed envelope" "$T/b3.out" bad_signature

# ---- the hostile stream, for each origin and mode --------------------------
# hostile NAME SIGNER KEY GENUINE [GROUP]: the peer's hostile stream around
# GENUINE (sealed by KEY), opened by libmcast trusting SIGNER's .pub.
hostile() {
	local name=$1 signer=$2 key=$3 genuine=$4 group=${5:-} g=() d=()
	if [ -n "$group" ]; then
		g=(--group "$group" --wrong "$K/wrong.key")
		d=(--decrypt "$group")
	fi
	py hostile "$key" "$K/other.key" "${g[@]}" --time "$T0" <"$genuine" >"$T/$name.h"
	cut -d' ' -f1 "$T/$name.h" >"$T/$name.want"
	cut -d' ' -f2 "$T/$name.h" | tool open "$K/$signer.pub" "${d[@]}" --now "$T0" \
		>"$T/$name.got" 2>"$T/$name.err"
	check_rc "$name: libmcast opens the whole stream" 0 $?
	cut -d' ' -f1 "$T/$name.got" >"$T/$name.verdicts"
	if cmp -s "$T/$name.want" "$T/$name.verdicts"; then
		ok "$name: all $(wc -l <"$T/$name.want") datagrams get the spec's verdict ($(sort "$T/$name.want" | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }'))"
	else
		not_ok "$name: every datagram gets the spec's verdict"
		diff "$T/$name.want" "$T/$name.verdicts" | head -n 20 | sed 's/^/#   /'
	fi
	# The genuine five are among the accepted, complete and in order.
	grep '^ok' "$T/$name.got" | cut -d' ' -f5 | head -n 2 >"$T/$name.first"
	grep '^ok' "$T/$name.got" | awk '{ print $3 }' | head -n 5 >"$T/$name.seqs"
	check_eq "$name: the genuine stream arrives complete and in order" \
		"$(seq "$SEQ0" $((SEQ0 + 4)))" "$(cat "$T/$name.seqs")"
	check_eq "$name: with its payloads" "$(head -n 2 <<<"$hex_payloads")" \
		"$(cat "$T/$name.first")"
	# And the peer's own opener agrees with its expectations.
	cut -d' ' -f2 "$T/$name.h" | py open "$K/$signer.pub" "${d[@]}" --now "$T0" |
		cut -d' ' -f1 >"$T/$name.py"
	check "$name: the peer's own opener agrees" cmp -s "$T/$name.want" "$T/$name.py"
}
hostile "peer-signed" py "$K/py.key" "$T/py.sig"
hostile "mcast-encrypted" mc "$K/mc.key" "$T/c.enc" "$K/grp.key"
# Under valgrind, the two above cover both origins and both modes.
if [ -z "$MCAST_WRAP" ]; then
	hostile "peer-encrypted" py "$K/py.key" "$T/py.enc" "$K/grp.key"
	hostile "mcast-signed" mc "$K/mc.key" "$T/c.sig"
fi

# ---- key files the tool refuses --------------------------------------------
chmod 644 "$K/mc.key"
tool seal "$K/mc.key" --time "$T0" <"$T/payloads" >"$T/p.out" 2>"$T/p.err"
check_rc "a secret key others may read: refused" 1 $?
check_file "with the mode and the fix" "$T/p.err" \
	"envtool: $K/mc.key: permissions 0644 are too open: a secret key file must not be accessible by group or others (chmod 600 $K/mc.key)"
check_empty "and nothing sealed" "$T/p.out"
check_lacks "and the key is not in the message" "$T/p.err" "$(awk '{ print $2 }' "$K/mc.key")"
chmod 640 "$K/grp.key"
tool open "$K/mc.pub" --decrypt "$K/grp.key" --now "$T0" <"$T/c.enc" >"$T/p2.out" 2>"$T/p2.err"
check_rc "a group key the group may read: refused" 1 $?
check_has "naming its mode" "$T/p2.err" "permissions 0640 are too open"
finish
