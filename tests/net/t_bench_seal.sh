#!/bin/bash
# mcast bench with envelopes (issue 13): bench send --sign [--encrypt]
# seals every datagram, bench recv --trust [--decrypt] opens each before
# counting it. Counts and exit codes, not rates (the rates are for
# bench/seal.sh):
#   - a signed stream is counted whole, per sender, nothing lost; the
#     sender's summary says it signed (and encrypted);
#   - datagrams of an unknown key and unsigned ones are rejected, counted
#     by kind in the summary, and not counted as received;
#   - an encrypted stream without --decrypt is undecryptable;
#   - only rejected datagrams: "nothing arrived", exit 1;
#   - usage errors exit 2 (--encrypt without --sign, --decrypt without
#     --trust, a secret key others may read, a missing key file).
#
# Hosts (lab_bridge3): h1 sends, h2 receives.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3
G=239.13.2.1:5015
K=$T/keys
mkdir -p "$K"
umask 022
# A receive buffer for every datagram, as a receiver under valgrind is slow.
N=300 M=100 U=50 RATE=5k
if [ -n "$MCAST_WRAP" ]; then N=60 M=20 U=10 RATE=500; fi
WAIT=$(tmo 3)
for k in pub other; do mc_run "k$k" h1 keygen -q "$K/$k"; done
mc_run kg h1 keygen -q --group "$K/grp"
brecv() { mc_bg "$1" h2 bench recv -i eth0 --gro off --rcvbuf 8M --json -w "$WAIT" "${@:2}" "$G"; }
bsend() { mc_run "$1" h1 bench send -i eth0 --json --rate "$RATE" "${@:2}" "$G"; }

# ---- signed: counted; other keys and unsigned: rejected by kind -------------
brecv r --trust "$K/pub.pub"
wait_listening r
bsend s1 --sign "$K/pub.key" -n "$N"
check_rc "bench send --sign exits 0" 0 "$RC"
bsend s2 --sign "$K/other.key" -n "$M"
bsend s3 -n "$U"
wait_exit r "$LONG"
check_rc "bench recv --trust exits 0" 0 "$RC"
check_eq "the sender says it signed, did not encrypt, sent $N" "True False $N" \
	"$(jget "$T/s1.out" 'S["signed"]' 'S["encrypted"]' 'S["sent"]')"
check_eq "one sender counted: $N received, none lost, its id" \
	"1 $N 0 $(jget "$T/s1.out" 'S["sender_id"]')" \
	"$(jget "$T/r.out" 'len(E("sender"))' 'E("sender")[0]["received"]' \
		'E("sender")[0]["lost"]' 'E("sender")[0]["sender_id"]')"
check_eq "summary: $N datagrams; $M unknown key, $U unsigned, $((M + U)) rejected" \
	"$N $M $U $((M + U)) 0" \
	"$(jget "$T/r.out" 'S["datagrams"]' 'S["rejected"]["unknown_key"]' \
		'S["rejected"]["unsigned"]' 'S["rejected_total"]' 'S["kernel_drops"]')"
check "CPU time per datagram is reported" \
	test "$(jget "$T/r.out" 'int(S["cpu_ns_per_datagram"] > 0)')" = 1

# ---- encrypted: opened with --decrypt, undecryptable without ---------------
brecv e --trust "$K/pub.pub" --decrypt "$K/grp.key"
wait_listening e
bsend s4 --sign "$K/pub.key" --encrypt "$K/grp.key" -n "$M"
wait_exit e "$LONG"
check_eq "signed and encrypted: the sender says so, the receiver counts $M" \
	"True True $M 0" \
	"$(jget "$T/s4.out" 'S["signed"]' 'S["encrypted"]') $(jget "$T/e.out" 'S["datagrams"]' \
		'S["rejected_total"]')"
mc_run s6 h1 bench send -i eth0 --sign "$K/pub.key" --encrypt "$K/grp.key" -n 1 "$G"
check_match "the text summary of bench send says so" "$T/s6.err" \
	'; (GSO trains|sendmmsg batches), signed and encrypted, '

brecv u --trust "$K/pub.pub"
wait_listening u
bsend s5 --sign "$K/pub.key" --encrypt "$K/grp.key" -n "$U"
wait_exit u "$LONG"
check_rc "only rejected datagrams: bench recv exits 1" 1 "$RC"
check_has "saying nothing arrived" "$T/u.err" "nothing arrived"

# ---- usage ------------------------------------------------------------------
mc_run x1 h1 bench send -i eth0 --encrypt "$K/grp.key" -n 1 "$G"
check_rc "bench send --encrypt without --sign: exit 2" 2 "$RC"
mc_run x2 h2 bench recv -i eth0 --decrypt "$K/grp.key" -w 1s "$G"
check_rc "bench recv --decrypt without --trust: exit 2" 2 "$RC"
mc_run x3 h2 bench recv -i eth0 --trust "$K/missing.pub" -w 1s "$G"
check_rc "bench recv --trust with a missing file: exit 2" 2 "$RC"
chmod 0644 "$K/pub.key"
mc_run x4 h1 bench send -i eth0 --sign "$K/pub.key" -n 1 "$G"
check_rc "bench send --sign with a key others may read: exit 2" 2 "$RC"
check_has "saying why" "$T/x4.err" "too open"
check_lacks "without the key" "$T/x4.err" "$(awk '{print $2}' "$K/pub.key")"
mc_run x5 h1 bench send -i eth0 --sign "$K/other.key" --size 65500 -n 1 "$G"
check_rc "bench send --sign --size 65500 (no room for the envelope): exit 2" 2 "$RC"
finish
