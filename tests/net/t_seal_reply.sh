#!/bin/bash
# Signed answers (issue 13): recv --echo/--reply --sign signs what it
# answers, send --wait --trust accepts only answers a trusted key signed,
# names the signer and counts the rest by kind; a signed answer is never
# larger than the datagram it answers (the reply is cut, said once).
#
# Hosts (lab_bridge3): h1 sends; h2 answers signed (key srv); h3 answers
# unsigned.
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_netns
need_python
lab_bridge3
G=239.13.0.2:5014
WAIT=$(tmo 1)
K=$T/keys
mkdir -p "$K"
umask 022
mc_run k1 h1 keygen -q "$K/mc"
mc_run k2 h2 keygen -q "$K/srv"

# ---- signed echo, verified by the sender -----------------------------------
mc_bg e h2 recv -i eth0 --trust "$K/mc.pub" --echo --sign "$K/srv.key" -n 3 -w "$(tmo 5)" "$G"
mc_bg u h3 recv -i eth0 --echo -n 3 -w "$(tmo 5)" "$G"
wait_listening e
wait_listening u
mc_run s h1 send -i eth0 --sign "$K/mc.key" --trust "$K/srv.pub" --json -n 3 -I 100ms \
	-w "$WAIT" "$G" "fans off"
check_rc "send --sign --wait --trust exits 0" 0 "$RC"
wait_exit e 10
wait_exit u 10
check_eq "three answers, all signed by srv, each the echoed message" \
	"3 srv,srv,srv fans off|fans off|fans off" \
	"$(jget "$T/s.out" 'S["replies"]' '",".join(x["signer"] for x in E("reply"))' \
		'"|".join(x["data"] for x in E("reply"))')"
check_eq "the unsigned echoes of h3 are rejected as unsigned" "3 3" \
	"$(jget "$T/s.out" 'S["rejected"]["unsigned"]' 'S["rejected_total"]')"
check_eq "the receiver answered three, printed the signer" 3 \
	"$(grep -c 'signed by mc: fans off' "$T/e.out")"

# ---- a reply longer than the request fits, cut ------------------------------
mc_bg r h2 recv -i eth0 --trust "$K/mc.pub" --reply "the fans are off now, all of them" \
	--sign "$K/srv.key" -n 2 -w "$(tmo 5)" "$G"
wait_listening r
mc_run s2 h1 send -i eth0 --sign "$K/mc.key" --trust "$K/srv.pub" --json -n 2 -I 100ms \
	-w "$WAIT" "$G" "off?"
wait_exit r 10
check_eq "the signed reply is cut to the request's size: 4 bytes of text" \
	"2 the |the " \
	"$(jget "$T/s2.out" 'S["replies"]' '"|".join(x["data"] for x in E("reply"))')"
check_eq "said once" 1 "$(grep -c 'would be larger than it' "$T/r.err")"

# ---- usage ------------------------------------------------------------------
mc_run x h2 recv -i eth0 --echo --encrypt "$K/srv.key" -w 1s "$G"
check_rc "--encrypt without --sign is a usage error" 2 "$RC"
finish
