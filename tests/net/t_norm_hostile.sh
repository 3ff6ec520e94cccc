#!/bin/bash
# mcast recv --reliable against what a hostile or failing network gives it:
#   - file names no honest sender uses (sent by normpeer with a raw info):
#     each refused and counted by reason, nothing written outside --output,
#     only the honest file stored;
#   - a garbage flood on the NORM port (random bytes and NORM-shaped
#     headers) during a transfer: the transfer completes byte-identical,
#     the receiver does not crash and writes nothing else;
#   - a receiver killed (SIGKILL) mid-file: no file under the final name,
#     and the sender's --expect report names it incomplete (exit 3); a
#     receiver stopped by SIGTERM mid-file says what it lost and leaves
#     nothing behind.
#
# Hosts (lab_bridge3): h1 10.77.0.1, h2 10.77.0.2, h3 10.77.0.3.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
need_normpeer
lab_bridge3

sum() { sha256sum "$1" | cut -d' ' -f1; }
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

# ---- hostile names ------------------------------------------------------------

mkdir -p "$T/names/out" "$T/names/outside"
printf 'x\n' >"$T/x"
printf 'honest\n' >"$T/good.txt"
long=$(printf 'a%.0s' $(seq 1 300))
args=()
for name in "../evil" "/tmp/mcast-abs-evil-$$" "a/../../evil2" $'ctl\nname' "." \
	"a//b" "$long" ".mcast-tmp-00000000/x"; do
	args+=("info:$(hex "$name"):$T/x")
done
args+=("info:6e756c0078:$T/x") # "nul\0x"
args+=("info:$(hex good.txt):$T/good.txt")
touch "$T/names/marker"
mc_bg nr h2 recv --reliable -i eth0 --output "$T/names/out" -n 1 -w "$(tmo 10)" --json 239.7.16.1:6401
wait_listening nr
bg np h1 "$NORMPEER" 0x0a4d0001 239.7.16.1 6401 eth0 send "${args[@]}"
wait_exit nr "$LONG"
check_rc "recv exits 0 after the one honest file" 0 "$RC"
wait_exit np "$LONG"
check_eq "only good.txt is stored" "good.txt" "$(ls -A "$T/names/out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "good.txt is intact" "honest" "$(cat "$T/names/out/good.txt")"
check_eq "nine names refused" 9 "$(jget "$T/nr.out" 'S["refused_total"]')"
check_eq "refused by reason: absolute 1, dotdot 2, dot 2, control 1, nul 1, too_long 1, reserved 1" \
	'{"empty":0,"absolute":1,"dotdot":2,"dot":2,"control":1,"nul":1,"too_long":1,"reserved":1}' \
	"$(jget "$T/nr.out" 'S["refused"]')"
check_eq "each refusal is a record with the sender's address" "9 10.77.0.1" \
	"$(jget "$T/nr.out" 'len(E("refused"))' 'E("refused")[0]["source"]')"
check "nothing written outside --output" test ! -e "$T/names/evil" -a ! -e "$T/evil" \
	-a ! -e "$T/evil2" -a ! -e "/tmp/mcast-abs-evil-$$" -a ! -e "$T/names/outside/x"
check_eq "no other new file anywhere under the test directory" "" \
	"$(find "$T" -newer "$T/names/marker" -type f ! -path "$T/names/out/good.txt" \
		! -name '*.out' ! -name '*.err' | head -5)"

# ---- a garbage flood during a transfer ------------------------------------------

N=20000
[ -n "$MCAST_WRAP" ] && N=2000
head -c $((4 << 20)) /dev/urandom >"$T/data"
seq 1 100 >"$T/lines"
in_ns h2 nft add table inet count
in_ns h2 nft add chain inet count in '{ type filter hook input priority 0; }'
cat >"$T/garbage.py" <<'PYEOF'
import os, random, socket, struct, sys
n, group, port, kind = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
r = random.Random(14)
firsts = [b for b in range(256) if b >> 4 != 1]
for i in range(n):
    if kind == "junk":
        # Random bytes whose first nibble is not NORM's version 1.
        body = bytes([r.choice(firsts)]) + os.urandom(r.randrange(0, 1472))
    else:
        # NORM version 1, a message type 1-7, a header length, sequence,
        # a random source id, and random bytes after: shaped enough for
        # libnorm to look further than the first byte.
        body = struct.pack("!BBHI", 0x10 | r.randrange(1, 8), r.randrange(0, 256),
                           r.randrange(0, 65536), r.getrandbits(32))
        body += os.urandom(r.randrange(0, 1465))
    s.sendto(body, (group, port))
print(n)
PYEOF

# A receiver fed NORM-shaped garbage runs, under valgrind, with the
# suppression of libnorm's leak of what it builds for the senders such
# garbage names (tests/valgrind-flood.supp), and only such a receiver.
FLOOD_WRAP=$MCAST_WRAP
case $MCAST_WRAP in
valgrind*) FLOOD_WRAP="$MCAST_WRAP --suppressions=$REPO_DIR/tests/valgrind-flood.supp" ;;
esac

# flood_run KIND PORT: h3 floods h2 with KIND garbage while h1 sends a
# 4 MiB file and 100 lines to h2. Sets FR_RC to the receiver's exit code.
flood_run() {
	local kind=$1 port=$2 got
	mkdir -p "$T/flood-$kind"
	in_ns h2 nft add rule inet count in ip saddr 10.77.0.3 udp dport "$port" counter
	MCAST_WRAP=$FLOOD_WRAP mc_bg "fr-$kind" h2 recv --reliable -i eth0 --output "$T/flood-$kind" -n 101 \
		-w "$(tmo 5)" --json "239.7.16.1:$port"
	wait_listening "fr-$kind"
	bg "flood-$kind" h3 "$PYTHON" "$T/garbage.py" "$N" 239.7.16.1 "$port" "$kind"
	RC=0
	timeout -k 2 $((LONG * 3)) ip netns exec "${P}h1" $MCAST_WRAP "$MCAST" send --reliable \
		-i eth0 --rate 100M --file "$T/data" --stdin "239.7.16.1:$port" <"$T/lines" \
		>"$T/fs-$kind.out" 2>"$T/fs-$kind.err" || RC=$?
	check_rc "$kind flood: the sender exits 0" 0 "$RC"
	wait_exit "flood-$kind" "$LONG"
	# Garbage that looks like NORM keeps libnorm busy (and the receiver's
	# -w from running out) for a while after the flood itself.
	wait_exit "fr-$kind" $((LONG * 6))
	FR_RC=$RC
	check "$kind flood: the receiver was not killed by a signal (exit $FR_RC)" test "$FR_RC" -lt 2
	[ "$FR_RC" -lt 2 ] && [ "$FR_RC" -ge 0 ] || show "receiver stderr" "$T/fr-$kind.err"
	got=$(in_ns h2 nft list chain inet count in | grep "dport $port" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	# A loaded machine drops part of a flood on the way (veth, bridge):
	# what matters is that a good share of it reached the receiver.
	check "$kind flood: it reached the receiver (${got:-0} of $N datagrams)" \
		test "${got:-0}" -ge $((N / 10))
}

# Garbage that is not NORM: the transfer goes through untouched.
flood_run junk 6402
check_rc "junk flood: the receiver exits 0" 0 "$FR_RC"
[ "$FR_RC" = 0 ] || show "receiver output" "$T/fr-junk.out"
check_eq "junk flood: the file is byte-identical" "$(sum "$T/data")" "$(sum "$T/flood-junk/data")"
check_eq "junk flood: 100 lines arrived" 100 "$(jget "$T/fr-junk.out" 'len(E("message"))')"
check_eq "junk flood: nothing else stored" "data" "$(ls -A "$T/flood-junk" | tr '\n' ' ' | sed 's/ $//')"

# NORM-shaped garbage: libnorm checks no integrity of its own, and such a
# flood can corrupt what it assembles. The SHA-256 is there for that: the
# file is stored byte-identical, or not at all and reported lost.
flood_run norm 6403
if [ -e "$T/flood-norm/data" ]; then
	check_eq "NORM-shaped flood: the stored file is byte-identical" "$(sum "$T/data")" \
		"$(sum "$T/flood-norm/data")"
elif grep -q "giving up" "$T/fr-norm.err"; then
	# libnorm's thread would not let go of its lock (normwatch.h).
	check_rc "NORM-shaped flood: the receiver that gave up on libnorm exits 1" 1 "$FR_RC"
else
	check_eq "NORM-shaped flood: the file is not stored, and reported lost" "data" \
		"$(jget "$T/fr-norm.out" 'E("lost")[0]["name"]')"
	check_rc "NORM-shaped flood: the receiver exits 1 (a file lost)" 1 "$FR_RC"
fi
check_eq "NORM-shaped flood: nothing else stored" "" "$(ls -A "$T/flood-norm" | grep -vx data)"

# ---- a receiver that libnorm will not let go of -----------------------------------
# Enough NORM-shaped garbage can make libnorm's thread spin for good with
# its lock held, the receiver waiting for that lock (src/cli/normwatch.h).
# Whether or not this flood does it, SIGTERM must end the receiver, which
# leaves nothing behind and, if it had to give up on libnorm, says so.

NT=100000
[ -n "$MCAST_WRAP" ] && NT=10000
mkdir -p "$T/stuck"
MCAST_WRAP=$FLOOD_WRAP mc_bg stuck h2 recv --reliable -i eth0 --output "$T/stuck" 239.7.16.1:6405
wait_listening stuck
timeout $((LONG * 3)) ip netns exec "${P}h3" "$PYTHON" "$T/garbage.py" "$NT" 239.7.16.1 6405 norm \
	>/dev/null
kill -TERM "${PID[stuck]}"
wait_exit stuck "$LONG"
check "after a flood of $NT NORM-shaped datagrams, SIGTERM ends the receiver (exit $RC)" \
	test "$RC" -le 1
[ "$RC" -le 1 ] || show "receiver stderr" "$T/stuck.err"
check_eq "the flooded receiver leaves nothing in its output directory" "" "$(ls -A "$T/stuck")"
if grep -q "giving up" "$T/stuck.err"; then
	check_rc "the receiver that gave up on libnorm exits 1" 1 "$RC"
	check_match "it says why" "$T/stuck.err" \
		'^mcast: libnorm has kept mcast waiting [0-9.]+ s for its lock \(a flood of NORM-shaped datagrams can do that\): giving up$'
else
	check_match "its summary counts what it refused and lost" "$T/stuck.err" \
		'; [0-9]+ refused, [0-9]+ not replaced, [0-9]+ lost \([0-9]+ for want of space\)$'
fi

# ---- receivers that go away mid-file ------------------------------------------------

SIZE=$((32 << 20)) RATE=60M
[ -n "$MCAST_WRAP" ] && SIZE=$((2 << 20)) RATE=8M
head -c "$SIZE" /dev/urandom >"$T/big"
mkdir -p "$T/k1" "$T/k2" "$T/k3"
mc_bg k2 h2 recv --reliable -i eth0 --output "$T/k2" -n 1 -w "$(tmo 20)" 239.7.16.1:6404
mc_bg k3 h3 recv --reliable -i eth0 --output "$T/k3" -n 1 -w "$(tmo 20)" 239.7.16.1:6404
mc_bg k1 h1 recv --reliable -i eth0 --output "$T/k1" -n 1 -w "$(tmo 20)" 239.7.16.1:6404
wait_listening k1
wait_listening k2
wait_listening k3
mc_bg ks h1 send --reliable -i eth0 -v --rate "$RATE" --expect 3 --wait "$(tmo 3)" \
	--file "$T/big" 239.7.16.1:6404

# partial DIR: a temporary file with some bytes in it, under DIR/.mcast-tmp-*.
partial() {
	[ -n "$(find "$1" -path '*/.mcast-tmp-*' -type f -size +0 2>/dev/null)" ]
}
check "the sender hears from h3" wait_for_file_text "$T/ks.err" "at 10.77.0.3 joined" "$LONG"
for i in $(seq 1 200); do partial "$T/k3" && partial "$T/k1" && break; sleep 0.05; done
check "h3 and h1 have part of the file" partial "$T/k3"
# The sender stands still meanwhile, so that h1 cannot finish the file
# before its signal (a loaded machine delivers it late); --wait counts
# from the end of the sender's first pass, so the pause costs it nothing.
kill -STOP "${PID[ks]}"
kill -KILL "${PID[k3]}"
kill -TERM "${PID[k1]}"
wait_exit k1 "$LONG"
kill -CONT "${PID[ks]}"
check_rc "h1's receiver, stopped by SIGTERM mid-file, exits 1 (a file lost)" 1 "$RC"
check_match "h1 says what it lost" "$T/k1.err" \
	"^mcast: lost big: [0-9]+ of $SIZE bytes arrived \\(interrupted\\); nothing stored under that name$"
check_eq "h1 leaves nothing in its output directory" "" "$(ls -A "$T/k1")"
wait_exit ks $((LONG * 2))
check_rc "the sender exits 3: not every receiver has everything" 3 "$RC"
check_match "the sender names h3 incomplete" "$T/ks.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.3: incomplete$'
check_match "the sender names h2 complete" "$T/ks.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.2: has everything$'
check_match "the sender says 1 of 3" "$T/ks.err" \
	'^mcast: 1 of 3 expected receivers acknowledged everything within --wait$'
wait_exit k2 "$LONG"
check_eq "h2's copy is byte-identical" "$(sum "$T/big")" "$(sum "$T/k2/big")"
check "h3 (killed) has no file under the final name" test ! -e "$T/k3/big"

finish
