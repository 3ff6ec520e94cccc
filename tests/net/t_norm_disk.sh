#!/bin/bash
# mcast recv --reliable on a disk that fills up: a file larger than the
# file system under --output (a 1 MiB tmpfs) is reported lost, naming it
# and "No space left on device", counted in the summary (no_space); no
# file under its name and no temporary file are left; the receiver never
# acknowledges it, so the sender's --expect report names that receiver
# incomplete and exits 3, while a receiver with room stores the file.
#
# Hosts (lab_bridge3): h1 10.77.0.1 sends; h2 10.77.0.2 (tmpfs) and
# h3 10.77.0.3 receive.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3

mkdir -p "$T/full" "$T/room"
mount -t tmpfs -o size=1m,mode=0755 mcast-test "$T/full" 2>/dev/null ||
	skip "cannot mount a tmpfs"
# The tmpfs goes before lib.sh's cleanup removes $T.
trap 'st=$?; umount "$T/full" 2>/dev/null; lab_cleanup; exit $st' EXIT

sum() { sha256sum "$1" | cut -d' ' -f1; }
SIZE=$((2 << 20))
head -c "$SIZE" /dev/urandom >"$T/big"
# The receiver learns that the file does not fit from its first packet,
# in its own loop; libnorm receives in a thread of its own. At a rate that
# lets a receiver slowed down by valgrind fall a whole file behind, it
# would learn it only after libnorm had acknowledged the file.
RATE=40M
[ -n "$MCAST_WRAP" ] && RATE=8M

mc_bg fr h2 recv --reliable -i eth0 --output "$T/full" -n 1 -w "$(tmo 10)" 239.7.17.1:6501
mc_bg rr h3 recv --reliable -i eth0 --output "$T/room" -n 1 -w "$(tmo 10)" 239.7.17.1:6501
wait_listening fr
wait_listening rr
mc_bg s h1 send --reliable -i eth0 -v --rate "$RATE" --expect 2 --wait "$(tmo 3)" \
	--file "$T/big" 239.7.17.1:6501

wait_exit fr "$LONG"
check_rc "the receiver without room exits 1 (a file lost)" 1 "$RC"
check_match "it names the file and says why" "$T/fr.err" \
	"^mcast: lost big: 0 of $SIZE bytes arrived \\(No space left on device\\); nothing stored under that name$"
check_eq "one line says so" 1 "$(grep -c '^mcast: lost' "$T/fr.err")"
check_match "the summary counts it" "$T/fr.err" '1 lost \(1 for want of space\)$'
check_eq "nothing is left under --output, not even a temporary file" "" "$(ls -A "$T/full")"
wait_exit s $((LONG * 2))
check_rc "the sender exits 3: not every receiver has everything" 3 "$RC"
[ "$RC" = 3 ] || { show "receiver without room" "$T/fr.err"; show "sender" "$T/s.err"; }
check_match "the sender names h2 incomplete" "$T/s.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.2: incomplete$'
check_match "the sender names h3 complete" "$T/s.err" \
	'^mcast: receiver [0-9a-f]{8} at 10\.77\.0\.3: has everything$'
wait_exit rr "$LONG"
check_rc "the receiver with room exits 0" 0 "$RC"
check_eq "its copy is byte-identical" "$(sum "$T/big")" "$(sum "$T/room/big")"

# A file of the same name that appears under --output while the file is
# arriving is not replaced either (without --overwrite): the receiver says
# so (a skipped record, counted in exists) and leaves no temporary file. The sender stands
# still while the other file is written, so that the transfer cannot end
# first on a loaded machine.
head -c $((512 << 10)) /dev/urandom >"$T/mid"
mkdir -p "$T/late"
mc_bg late h3 recv --reliable -i eth0 --output "$T/late" -n 1 -w "$(tmo 10)" --json 239.7.17.1:6502
wait_listening late
mc_bg ls h1 send --reliable -i eth0 --rate 2M --file "$T/mid" 239.7.17.1:6502
for i in $(seq 1 200); do
	[ -n "$(find "$T/late" -path '*/.mcast-tmp-*' -type f -size +0 2>/dev/null)" ] && break
	sleep 0.05
done
kill -STOP "${PID[ls]}"
echo mine >"$T/late/mid"
kill -CONT "${PID[ls]}"
wait_exit late "$LONG"
check_rc "the receiver of a file that appeared meanwhile exits 0" 0 "$RC"
check_eq "the file that appeared is left as it was" mine "$(cat "$T/late/mid")"
check_eq "the receiver reports it skipped: exists" "mid exists 1" \
	"$(jget "$T/late.out" 'E("skipped")[0]["name"]' 'E("skipped")[0]["reason"]' 'S["exists"]')"
check_eq "nothing else is left under --output" "mid" "$(ls -A "$T/late")"
wait_exit ls "$LONG"

# A file of that name found there when its info arrives: kept and
# reported (and counted by -n, so the receiver ends at once); with
# --overwrite it is replaced.
printf 'new\n' >"$T/pre"
mkdir -p "$T/keep" "$T/over"
echo mine >"$T/keep/pre"
echo mine >"$T/over/pre"
mc_bg keep h2 recv --reliable -i eth0 --output "$T/keep" -n 1 -w "$(tmo 10)" --json 239.7.17.1:6503
mc_bg over h3 recv --reliable -i eth0 --output "$T/over" -n 1 -w "$(tmo 10)" --overwrite 239.7.17.1:6503
wait_listening keep
wait_listening over
mc_bg ps h1 send --reliable -i eth0 --rate 2M --file "$T/pre" 239.7.17.1:6503
wait_exit keep "$LONG"
check_rc "a receiver that finds the file there exits 0" 0 "$RC"
check_eq "it leaves that file as it was" mine "$(cat "$T/keep/pre")"
check_eq "and reports it skipped: exists" "pre exists 1 1" \
	"$(jget "$T/keep.out" 'E("skipped")[0]["name"]' 'E("skipped")[0]["reason"]' 'S["exists"]' 'S["objects"]')"
check_eq "nothing else is left there" "pre" "$(ls -A "$T/keep")"
wait_exit over "$LONG"
check_rc "a receiver with --overwrite exits 0" 0 "$RC"
check_eq "it replaces the file" new "$(cat "$T/over/pre")"
check_eq "nothing else is left under its --output" "pre" "$(ls -A "$T/over")"
wait_exit ps "$LONG"

finish
