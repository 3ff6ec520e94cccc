#!/bin/bash
# mcast keygen: the key files it writes (format, modes, comments), the
# short fingerprint it prints (checked against SHA-256 computed here with
# Python's hashlib from the file's base64), files never overwritten, no key
# ever printed, usage errors. Sends nothing; runs in a namespace of its own
# all the same, with only lo, like every mcast run of these tests.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
ns_add h
K=$T/keys
mkdir -p "$K"
umask 022

# key_b64 FILE: the base64 field of FILE's key line.
key_b64() { awk '!/^#/ && NF { print $2; exit }' "$1"; }

# sha_prefix PREFIX FILE: the first 16 hex digits of SHA-256 of PREFIX
# and the 32 key bytes of FILE, as docs/PROTOCOL.md defines fingerprints.
sha_prefix() {
	"$PYTHON" -c 'import base64, hashlib, sys
k = base64.b64decode(sys.argv[2], validate=True)
assert len(k) == 32
print(hashlib.sha256(sys.argv[1].encode() + k).hexdigest())' "$1" "$(key_b64 "$2")"
}

# mode FILE: its permission bits, e.g. 600.
mode() { stat -c %a "$1"; }

# ---- a signing key pair --------------------------------------------------
mc_run gen h keygen "$K/ups1"
check_rc "keygen NAME exits 0" 0 "$RC"
check_match "stdout is one short fingerprint: 16 hex digits" "$T/gen.out" '^[0-9a-f]{16}$'
check_eq "stdout is one line" 1 "$(nlines "$T/gen.out")"
check_file "stderr says what was written" "$T/gen.err" \
"mcast: wrote the secret key $K/ups1.key (mode 0600): keep it private
mcast: wrote the public key $K/ups1.pub: give it to the receivers"
check_eq "ups1.key has mode 0600" 600 "$(mode "$K/ups1.key")"
check_eq "ups1.pub has mode 0644 (umask 022)" 644 "$(mode "$K/ups1.pub")"
check_match "ups1.key is one secret key line, named ups1" "$K/ups1.key" \
	'^mcast-ed25519-secret [A-Za-z0-9+/]{43}= ups1$'
check_eq "ups1.key is one line" 1 "$(nlines "$K/ups1.key")"
check_match "ups1.pub is one public key line, named ups1" "$K/ups1.pub" \
	'^mcast-ed25519-public [A-Za-z0-9+/]{43}= ups1$'
full=$(sha_prefix "" "$K/ups1.pub")
check_eq "the fingerprint is SHA-256 of the public key (first 16 digits)" \
	"${full:0:16}" "$(cat "$T/gen.out")"
secret=$(key_b64 "$K/ups1.key")
check_lacks "the secret key is not on stdout" "$T/gen.out" "$secret"
check_lacks "the secret key is not on stderr" "$T/gen.err" "$secret"
check "the secret and public keys differ" [ "$secret" != "$(key_b64 "$K/ups1.pub")" ]

# Never overwritten: the files stay byte for byte, exit 1 names the file.
cp "$K/ups1.key" "$T/ups1.key.before"
cp "$K/ups1.pub" "$T/ups1.pub.before"
mc_run again h keygen "$K/ups1"
check_rc "keygen over an existing key exits 1" 1 "$RC"
check_file "and names it" "$T/again.err" "mcast: $K/ups1.key exists: not overwritten"
check_empty "and prints no fingerprint" "$T/again.out"
check "ups1.key is unchanged" cmp -s "$K/ups1.key" "$T/ups1.key.before"
check "ups1.pub is unchanged" cmp -s "$K/ups1.pub" "$T/ups1.pub.before"
rm "$K/ups1.key"
mc_run again2 h keygen "$K/ups1"
check_rc "keygen over an existing .pub exits 1" 1 "$RC"
check_file "and names it" "$T/again2.err" "mcast: $K/ups1.pub exists: not overwritten"
check "and writes no .key" [ ! -e "$K/ups1.key" ]
check "ups1.pub is unchanged" cmp -s "$K/ups1.pub" "$T/ups1.pub.before"

# NAME.key or NAME.pub means NAME; -v adds the full fingerprint; -q leaves
# only stdout; --comment names the key.
mc_run v h keygen -v --comment "site 3 ups" "$K/ups2.key"
check_rc "keygen -v --comment NAME.key exits 0" 0 "$RC"
check "NAME.key wrote ups2.key and ups2.pub" [ -f "$K/ups2.key" ] && [ -f "$K/ups2.pub" ]
check "and no ups2.key.key" [ ! -e "$K/ups2.key.key" ]
check_match "the comment is in ups2.pub" "$K/ups2.pub" ' site 3 ups$'
check_match "and in ups2.key" "$K/ups2.key" ' site 3 ups$'
full=$(sha_prefix "" "$K/ups2.pub")
check_has "-v prints the full fingerprint" "$T/v.err" "fingerprint $full"
check_eq "whose first 16 digits are stdout" "${full:0:16}" "$(cat "$T/v.out")"
mkdir "$K/sub"
mc_run q h keygen -q "$K/sub/ups3"
check_rc "keygen -q exits 0" 0 "$RC"
check_empty "-q: nothing on stderr" "$T/q.err"
check_match "-q: the fingerprint on stdout" "$T/q.out" '^[0-9a-f]{16}$'
check_match "the default comment is NAME without its directory" "$K/sub/ups3.pub" ' ups3$'
check "two keys differ" [ "$(cat "$T/gen.out")" != "$(cat "$T/v.out")" ]

# ---- a group key ---------------------------------------------------------
mc_run g h keygen --group "$K/site"
check_rc "keygen --group exits 0" 0 "$RC"
check_file "stderr says what was written and where it goes" "$T/g.err" \
"mcast: wrote the group key $K/site.key (mode 0600): copy it, privately, to the sender and to each receiver that may read"
check "no site.pub" [ ! -e "$K/site.pub" ]
check_eq "site.key has mode 0600" 600 "$(mode "$K/site.key")"
check_match "site.key is one group key line" "$K/site.key" \
	'^mcast-group-key [A-Za-z0-9+/]{43}= site$'
full=$(sha_prefix mcast-group-key "$K/site.key")
check_eq "the fingerprint is SHA-256 of 'mcast-group-key' and the key" \
	"${full:0:16}" "$(cat "$T/g.out")"
check_lacks "the group key is not on stdout" "$T/g.out" "$(key_b64 "$K/site.key")"
check_lacks "the group key is not on stderr" "$T/g.err" "$(key_b64 "$K/site.key")"
mc_run g2 h keygen -g "$K/site"
check_rc "keygen --group over an existing key exits 1" 1 "$RC"
check_file "and names it" "$T/g2.err" "mcast: $K/site.key exists: not overwritten"

# ---- a settings file -----------------------------------------------------
printf '[keygen]\ncomment = "from the file"\n' >"$T/kg.conf"
mc_run conf h keygen --config "$T/kg.conf" "$K/conf"
check_rc "keygen --config exits 0" 0 "$RC"
check_match "the settings file's comment is used" "$K/conf.pub" ' from the file$'

# ---- errors --------------------------------------------------------------
bad() {
	local desc=$1 code=$2 want=$3
	shift 3
	mc_run bad h "$@"
	check_rc "$desc: exit code $code" "$code" "$RC"
	check_empty "$desc: nothing on stdout" "$T/bad.out"
	check_file "$desc: the message" "$T/bad.err" "$want"
}
bad "no NAME" 2 "mcast: keygen needs a NAME: mcast keygen [--group] NAME" keygen
bad "two NAMEs" 2 "mcast: unexpected argument 'b'" keygen "$K/a" b
bad "a control character in the comment" 2 \
	"mcast: the comment 'a\\x1bb' cannot name a key (at most 64 bytes, no control characters, no blanks at either end)" \
	keygen -c "$(printf 'a\033b')" "$K/ctl"
bad "a directory as NAME" 2 "mcast: '$K/' is not a file name" keygen "$K/"
bad "a directory that does not exist" 1 \
	"mcast: $K/nodir/x.key: No such file or directory" keygen "$K/nodir/x"
check "nothing written for the failures" [ ! -e "$K/a.key" ] && [ ! -e "$K/ctl.key" ]
finish
