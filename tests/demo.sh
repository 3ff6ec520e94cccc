#!/bin/sh
# The README's first command: two receivers and a sender on lo. Nothing
# leaves the host: every socket is tied to the loopback interface, TTL 0.
# Needs no root.
set -u
mcast=${1:-build/mcast}
group=239.255.77.1:47001
out=$(mktemp -d)
trap 'kill $r1 $r2 2>/dev/null; rm -rf "$out"' EXIT INT TERM

echo "\$ mcast recv -i lo -n 3 -w 5s $group            # receiver 1, text"
echo "\$ mcast recv -i lo -n 3 -w 5s --json $group     # receiver 2, JSON lines"
"$mcast" recv -i lo -n 3 -w 5s "$group" >"$out/r1" 2>"$out/r1.err" & r1=$!
"$mcast" recv -i lo -n 3 -w 5s --json "$group" >"$out/r2" 2>"$out/r2.err" & r2=$!
# Wait (at most 5 s) until both receivers have joined.
i=0
while [ $i -lt 50 ] && ! { grep -q listening "$out/r1.err" && grep -q listening "$out/r2"; }; do
	sleep 0.1; i=$((i + 1))
done
echo "\$ mcast send -i lo -t 0 -n 3 -I 200ms $group 'reading 21.5 C'"
"$mcast" send -i lo -t 0 -n 3 -I 200ms "$group" 'reading 21.5 C' || exit 1
wait $r1; s1=$?
wait $r2; s2=$?
echo
echo "--- receiver 1 (stdout, then stderr):"
cat "$out/r1" "$out/r1.err"
echo "--- receiver 2 (stdout, then stderr):"
cat "$out/r2" "$out/r2.err"
[ $s1 -eq 0 ] && [ $s2 -eq 0 ]
