#!/bin/bash
# mcast --reliable speaks NORM with a program that is not mcast: normpeer
# (tests/net/normpeer.c), written against libnorm's C API alone.
#   - normpeer sends files: mcast recv --reliable stores them under their
#     names (unverified: a foreign sender sends no checksum), byte for byte;
#   - mcast sends files: normpeer stores them under the name in the info
#     (up to the NUL that starts mcast's checksum part), byte for byte;
#   - mcast sends messages and standard input: normpeer prints each data
#     object and each stream line;
#   - positive acknowledgement both ways: normpeer's watermark is
#     acknowledged by mcast recv, mcast send --expect 1 by normpeer;
#   - and mcast to mcast over IPv6 (ff15::).
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends; h2 10.77.0.2 receives.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
need_normpeer
lab_bridge3

SIZE=$((1 << 20))
[ -n "$MCAST_WRAP" ] && SIZE=$((256 << 10))
head -c "$SIZE" /dev/urandom >"$T/f1"
printf 'hello from h1\n' >"$T/f2"
sum() { sha256sum "$1" | cut -d' ' -f1; }

# ---- normpeer sends, mcast receives ---------------------------------------

mkdir "$T/d1"
mc_bg r1 h2 recv --reliable -i eth0 --output "$T/d1" -n 2 -w "$(tmo 10)" --json 239.7.14.1:6201
wait_listening r1
bg p1 h1 "$NORMPEER" 0x0a4d0001 239.7.14.1 6201 eth0 send "$T/f1" "$T/f2"
wait_exit r1 "$LONG"
check_rc "mcast recv --reliable -n 2 exits 0 after normpeer's two files" 0 "$RC"
wait_exit p1 "$LONG"
check_rc "normpeer's sender exits 0" 0 "$RC"
check_eq "f1 from normpeer is byte-identical (SHA-256)" "$(sum "$T/f1")" "$(sum "$T/d1/f1")"
check_eq "f2 from normpeer is byte-identical" "$(cat "$T/f2")" "$(cat "$T/d1/f2")"
check_eq "JSON: two file events, unverified (normpeer sends no checksum)" \
	"2 False False" "$(jget "$T/r1.out" 'len(E("file"))' 'E("file")[0]["verified"]' 'E("file")[1]["verified"]')"
check_eq "JSON summary: 2 files, nothing refused or lost" "2 0 0" \
	"$(jget "$T/r1.out" 'S["files"]' 'S["refused_total"]' 'S["lost"]')"
check_eq "nothing else in the output directory (no temporary directory left)" \
	"f1 f2" "$(ls -A "$T/d1" | tr '\n' ' ' | sed 's/ $//')"

# ---- mcast sends files, normpeer receives ---------------------------------

mkdir "$T/d2"
bg p2 h2 "$NORMPEER" 0x0a4d0002 239.7.14.1 6202 eth0 recv-files "$T/d2" 2
wait_for_file_text "$T/p2.err" "normpeer: receiving" "$LONG"
mc_run s2 h1 send --reliable -i eth0 --rate 100M --file "$T/f1" --file "$T/f2" 239.7.14.1:6202
check_rc "mcast send --reliable --file twice exits 0" 0 "$RC"
wait_exit p2 "$LONG"
check_rc "normpeer stored both files" 0 "$RC"
check_file "normpeer names them by the info up to its NUL" "$T/p2.out" "file f1 $SIZE
file f2 14"
check_eq "f1 at normpeer is byte-identical (SHA-256)" "$(sum "$T/f1")" "$(sum "$T/d2/f1")"
check_eq "f2 at normpeer is byte-identical" "$(cat "$T/f2")" "$(cat "$T/d2/f2")"
check_match "the sender's summary counts 2 objects" "$T/s2.err" \
	"^mcast: sent 2 objects \\($((SIZE + 14)) bytes\\) in "

# ---- mcast sends messages and a stream, normpeer prints them ---------------

bg p3 h2 "$NORMPEER" 0x0a4d0002 239.7.14.1 6203 eth0 recv-data 3
wait_for_file_text "$T/p3.err" "normpeer: receiving" "$LONG"
mc_run s3 h1 send --reliable -i eth0 -n 3 239.7.14.1:6203 hello world
check_rc "mcast send --reliable -n 3 exits 0" 0 "$RC"
wait_exit p3 "$LONG"
check_rc "normpeer got three data objects" 0 "$RC"
check_file "each message is one data object" "$T/p3.out" "data 11: hello world
data 11: hello world
data 11: hello world"

bg p4 h2 "$NORMPEER" 0x0a4d0002 239.7.14.1 6204 eth0 recv-data 3
wait_for_file_text "$T/p4.err" "normpeer: receiving" "$LONG"
printf 'one\ntwo\nthree\n' >"$T/lines"
RC=0
timeout -k 2 "$LONG" ip netns exec "${P}h1" $MCAST_WRAP "$MCAST" send --reliable -i eth0 \
	--stdin 239.7.14.1:6204 <"$T/lines" >"$T/s4.out" 2>"$T/s4.err" || RC=$?
check_rc "mcast send --reliable --stdin exits 0" 0 "$RC"
wait_exit p4 "$LONG"
check_rc "normpeer got three stream lines" 0 "$RC"
check_file "standard input arrives as a NORM stream, line by line" "$T/p4.out" "line 3: one
line 3: two
line 5: three"

# ---- positive acknowledgement, both ways -----------------------------------

mkdir "$T/d5"
mc_bg r5 h2 recv --reliable -i eth0 --output "$T/d5" -n 1 -w "$(tmo 10)" 239.7.14.1:6205
wait_listening r5
bg p5 h1 "$NORMPEER" 0x0a4d0001 239.7.14.1 6205 eth0 send --ack 1 "$T/f2"
wait_exit p5 "$LONG"
check_rc "normpeer's watermark is acknowledged by mcast recv" 0 "$RC"
check_match "normpeer lists mcast's receiver as acknowledged" "$T/p5.out" \
	'^node [0-9a-f]{4}0002 acknowledged$'
wait_exit r5 "$LONG"
check_rc "mcast recv exits 0" 0 "$RC"

mkdir "$T/d6"
bg p6 h2 "$NORMPEER" 0x0a4d0002 239.7.14.1 6206 eth0 recv-files "$T/d6" 1
wait_for_file_text "$T/p6.err" "normpeer: receiving" "$LONG"
mc_run s6 h1 send --reliable -i eth0 --expect 1 --wait "$(tmo 5)" --json --file "$T/f2" 239.7.14.1:6206
check_rc "mcast send --expect 1 with normpeer as the receiver exits 0" 0 "$RC"
check_eq "JSON: normpeer (node 0a4d0002 at 10.77.0.2) has everything" \
	"0a4d0002 10.77.0.2 True" \
	"$(jget "$T/s6.out" 'E("receiver")[0]["node_id"]' 'E("receiver")[0]["address"]' 'E("receiver")[0]["complete"]')"
check_eq "JSON summary: 1 of 1 expected receivers complete" "1 1 1" \
	"$(jget "$T/s6.out" 'S["objects"]' 'S["complete"]' 'S["expected"]')"
wait_exit p6 "$LONG"

# ---- IPv6, mcast to mcast ---------------------------------------------------

mkdir "$T/d7"
mc_bg r7 h2 recv --reliable -i eth0 --output "$T/d7" -n 2 -w "$(tmo 10)" '[ff15::7:14]:6207'
wait_listening r7
mc_run s7 h1 send --reliable -i eth0 --file "$T/f1" '[ff15::7:14]:6207' over IPv6
check_rc "mcast send --reliable over IPv6 exits 0" 0 "$RC"
wait_exit r7 "$LONG"
check_rc "mcast recv --reliable over IPv6 exits 0" 0 "$RC"
check_eq "IPv6: f1 byte-identical" "$(sum "$T/f1")" "$(sum "$T/d7/f1")"
check_match "IPv6: the message is printed as a datagram would be" "$T/r7.out" \
	'^\[[0-9a-f:]+\]:[0-9]+ -> \[ff15::7:14\]:6207 on eth0, 9 bytes: over IPv6$'

finish
