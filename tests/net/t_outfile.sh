#!/bin/bash
# recv --output-file FILE: the output is appended to FILE instead of
# standard output, in every format, and FILE is reopened by name on SIGHUP,
# so a rotation (rename, then SIGHUP, as logrotate does without
# copytruncate) puts every datagram in exactly one of the two files.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
lab_bridge3

G=239.16.0.1:5160

# payloads FILE: the payloads in FILE's JSON message lines, one a line.
payloads() {
	sed -n 's/^{"event":"message",.*"data":"\([^"]*\)"}$/\1/p' "$1"
}

# stop NAME: SIGTERM the receiver and wait for it to end.
stop() {
	kill -TERM "${PID[$1]}"
	wait_exit "$1" "$LONG"
}

# ---- a rotation between two batches ------------------------------------
mkdir "$T/log"
out=$T/log/recv.jsonl
mc_bg rot h2 recv -i eth0 --json --output-file "$out" "$G"
wait_listening rot
check_has "the listening event goes to the file" "$out" '{"event":"listening"'
mc_run a h1 send -i eth0 -n 20 -I 5ms -T 'a{seq}' "$G"
check_rc "first batch of 20 sent" 0 "$RC"
wait_for_lines "$out" 21 "$LONG" || diag "only $(nlines "$out") lines before the rotation"
mv "$out" "$out.1"
kill -HUP "${PID[rot]}"
# The receiver creates the file again when it handles the signal.
for _ in $(seq 1 $((LONG * 20))); do
	[ -e "$out" ] && break
	sleep 0.05
done
check "after SIGHUP the receiver creates $(basename "$out") again" test -e "$out"
check "the receiver is still running after SIGHUP" proc_alive "${PID[rot]}"
mc_run b h1 send -i eth0 -n 20 -I 5ms -T 'b{seq}' "$G"
check_rc "second batch of 20 sent" 0 "$RC"
wait_for_lines "$out" 20 "$LONG" || true
stop rot
check_rc "the receiver exits 0 on SIGTERM" 0 "$RC"
check_empty "nothing on standard output" "$T/rot.out"
payloads "$out.1" >"$T/old.p"
payloads "$out" >"$T/new.p"
check_file "the renamed file has the first batch, in order" "$T/old.p" \
	"$(seq -f 'a%g' 1 20)"
check_file "the new file has the second batch, in order" "$T/new.p" \
	"$(seq -f 'b%g' 1 20)"
check_match "the JSON summary ends the new file" "$out" \
	'^\{"event":"summary","datagrams":40,"bytes":[0-9]+,"sources":1,'
check_lacks "no summary in the renamed file" "$out.1" '"event":"summary"'

# ---- rotations while datagrams keep coming ------------------------------
# Two renames and SIGHUPs during a stream of 300 datagrams: whenever each
# signal lands, every datagram is in exactly one of the three files.
out=$T/log/stream.jsonl
mc_bg str h2 recv -i eth0 --json --output-file "$out" "$G"
wait_listening str
mc_bg snd h1 send -i eth0 -n 300 -I "$((4 * SLOW))ms" -T 'c{seq}' "$G"
for k in 1 2; do
	wait_for_lines "$out" 50 "$LONG" || true
	mv "$out" "$out.$k"
	kill -HUP "${PID[str]}"
done
wait_exit snd "$((LONG * 3))"
check_rc "the stream of 300 was sent" 0 "$RC"
got() { cat "$out.1" "$out.2" "$out" 2>/dev/null | grep -c '"event":"message"'; }
for _ in $(seq 1 $((LONG * 20))); do
	[ "$(got)" -ge 300 ] && break
	sleep 0.05
done
stop str
check_rc "the streaming receiver exits 0" 0 "$RC"
check "the first renamed file has datagrams" test -n "$(payloads "$out.1")"
cat "$out.1" "$out.2" "$out" >"$T/all.jsonl"
payloads "$T/all.jsonl" | sort -V >"$T/all.p"
check_file "each of the 300 datagrams is in exactly one file" "$T/all.p" \
	"$(seq -f 'c%g' 1 300)"
check_has "the summary counts all 300" "$out" '"datagrams":300,'
check_lacks "no warning from the rotations" "$T/str.err" "warning"

# ---- text and raw output, appended, and from a settings file -----------
txt=$T/log/text.log
echo "an older line" >"$txt"
mc_bg txt h2 recv -i eth0 -n 2 -w "$(tmo 5)" --output-file "$txt" "$G"
wait_listening txt
mc_run s h1 send -i eth0 -p 40016 -n 2 -I 5ms -T 't{seq}' "$G"
wait_exit txt "$LONG"
check_rc "text mode to a file exits 0" 0 "$RC"
check_file "text lines are appended after what the file held" "$txt" \
"an older line
10.77.0.1:40016 -> 239.16.0.1:5160 on eth0, 2 bytes: t1
10.77.0.1:40016 -> 239.16.0.1:5160 on eth0, 2 bytes: t2"
check_empty "text mode: nothing on standard output" "$T/txt.out"
check_has "text mode: the summary stays on standard error" "$T/txt.err" \
	"mcast: 2 datagrams, 4 bytes from 1 source"

raw=$T/log/raw.bin
printf '[recv]\noutput-file = %s\nraw = yes\n' "$raw" >"$T/recv.conf"
mc_bg raw h2 recv -i eth0 -n 1 -w "$(tmo 5)" --config "$T/recv.conf" "$G"
wait_listening raw
printf 'r\000\001\377' >"$T/r.bin"
mc_feed s h1 "$T/r.bin" send -i eth0 --stdin=raw "$G"
wait_exit raw "$LONG"
check_rc "raw mode from a settings file exits 0" 0 "$RC"
check "raw mode: the file holds exactly the payload bytes" cmp "$T/r.bin" "$raw"
check_empty "raw mode: nothing on standard output" "$T/raw.out"

# ---- a reopen that fails keeps the old file ------------------------------
mkdir "$T/gone"
mc_bg gone h2 recv -i eth0 --output-file "$T/gone/x.log" -w 60s "$G"
wait_listening gone
mc_run s h1 send -i eth0 -T 'before' "$G"
wait_for_lines "$T/gone/x.log" 1 "$LONG" || true
mv "$T/gone" "$T/moved"
kill -HUP "${PID[gone]}"
wait_for_file_text "$T/gone.err" "cannot reopen" "$LONG" || true
check_has "a failed reopen is a warning naming the file" "$T/gone.err" \
	"mcast: warning: --output-file $T/gone/x.log: cannot reopen (No such file or directory); still writing to the old file"
mc_run s h1 send -i eth0 -T 'after' "$G"
wait_for_lines "$T/moved/x.log" 2 "$LONG" || true
stop gone
check_rc "after a failed reopen the receiver still exits 0" 0 "$RC"
check_match "output continues in the old file" "$T/moved/x.log" ' bytes: after$'

# ---- a file that cannot be opened -----------------------------------------
mc_run bad h2 recv -i eth0 -w 1s --output-file "$T/nosuch/dir/x" "$G"
check_rc "an unopenable --output-file exits 1" 1 "$RC"
check_file "and says why, naming the file" "$T/bad.err" \
	"mcast: --output-file $T/nosuch/dir/x: No such file or directory"

finish
