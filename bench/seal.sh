#!/bin/bash
# bench/seal.sh - what verifying signatures costs mcast bench recv, against
# libsodium's own verify loop on the same machine, in one run (issue 13).
#
#   sudo bench/seal.sh [-d SECONDS] [-s BYTES] [-r ROUNDS] [-c N] [-e] [-o REPORT.md]
#
#  ROUNDS times (default 3), in turn, so that a burst of other load on the
#  machine hurts neither side more than the other:
#  1. bench/verify_loop --seconds 0.5 (make bench-verify):
#     crypto_sign_verify_detached() in a tight loop over one message the
#     size an envelope signs, and mcast_env_open() on envelopes of the same
#     payload; best of its five turns each, per second of CPU.
#  2. mcast bench send --sign at --rate max for SECONDS (default 3) to
#     mcast bench recv --trust --rcvbuf 8M, on lo in a private network
#     namespace (unshare -n), the sender pinned to CPU 0 and the receiver
#     (and the verify loop) to CPU 1 when taskset is there. The sender
#     signs faster than one receiver verifies, so the receiver runs flat
#     out on a backlog (the 8M buffer, then kernel drops); each side
#     reports its datagrams per second and CPU ns per datagram.
#  Then, per round and for the best round of each: the receiver's rate per
#  second of its CPU (1e9 / its CPU ns per datagram) over the verify
#  loop's. The goal is >= 0.9x: the envelope (and recvmmsg, the loop, the
#  counting) costing little beyond the crypto.
#
# Last, with valgrind: the receiver of -c N datagrams (default 2000; 0 skips
# it) under callgrind, its instructions against those inside libsodium's
# crypto_sign_verify_detached(), a figure the machine's load does not move.
# -s is the payload (default 64), -e encrypts too (--encrypt/--decrypt, and
# the verify loop adds a decryption). uptime is printed first and last:
# other load on the machine moves every figure.
set -u -o pipefail
D=3 SIZE=64 ENC='' OUT='' ROUNDS=3 CG=2000
while getopts d:s:r:c:eo: opt; do
	case $opt in
	d) D=$OPTARG ;;
	s) SIZE=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	c) CG=$OPTARG ;;
	e) ENC=1 ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-d SECONDS] [-s BYTES] [-r ROUNDS] [-c N] [-e] [-o REPORT.md]" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
MCAST=${MCAST:-$here/$B/mcast}
VERIFY=$here/$B/bench/verify_loop
[ "$(id -u)" = 0 ] || { echo "seal.sh: needs root (unshare -n)" >&2; exit 2; }
[ -x "$MCAST" ] || { echo "seal.sh: build mcast first (make)" >&2; exit 2; }
make -s -C "$here" B="$B" "$B/bench/verify_loop" >/dev/null || exit 1
command -v python3 >/dev/null || { echo "seal.sh: needs python3" >&2; exit 2; }
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
cpu() { if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then taskset -c "$@"; else shift; "$@"; fi; }

"$MCAST" keygen -q "$T/k" >/dev/null && "$MCAST" keygen -q --group "$T/g" >/dev/null || exit 1
vargs=(--size "$SIZE" --seconds 0.5 --json)
sargs=(--sign "$T/k.key")
rargs=(--trust "$T/k.pub")
if [ -n "$ENC" ]; then
	vargs+=(--encrypt)
	sargs+=(--encrypt "$T/g.key")
	rargs+=(--decrypt "$T/g.key")
fi

# run I: one bench send --sign to one bench recv --trust, flat out, on lo
# in a new network namespace; the receiver first, the sender once it
# listens (at most 10 s).
run() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	CGRECV=${CGRECV:-} CGN=${CGN:-} unshare -n bash -c '
		M=$1 T=$2 D=$3 SIZE=$4 I=$5; shift 5
		n=$1; shift; sargs=("${@:1:$n}"); shift "$n"; rargs=("$@")
		cpu() { if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then taskset -c "$@"; else shift; "$@"; fi; }
		ip link set lo up || exit 1
		# shellcheck disable=SC2086 # CGRECV is a command line
		cpu 1 timeout $((D + 60)) $CGRECV "$M" bench recv -i lo --rcvbuf 8M --json -w 2s \
			${CGN:+-n $CGN} "${rargs[@]}" 239.13.9.1:5913 >"$T/r$I.json" 2>"$T/r$I.err" &
		r=$!
		i=0
		while [ $i -lt 100 ] && ! grep -qs "listening on" "$T/r$I.err"; do sleep 0.1; i=$((i + 1)); done
		if [ -n "$CGN" ]; then end=(-n "$CGN"); else end=(-d "${D}s"); fi
		cpu 0 "$M" bench send -i lo --json --rate max --size "$SIZE" "${end[@]}" \
			"${sargs[@]}" 239.13.9.1:5913 >"$T/s$I.json" 2>"$T/s$I.err"
		wait $r
	' sh "$MCAST" "$T" "$D" "$SIZE" "$1" "${#sargs[@]}" "${sargs[@]}" "${rargs[@]}" ||
		{ cat "$T/r$1.err" "$T/s$1.err" >&2; return 1; }
}

{
	echo "load before: $(uptime)"
	# The verify loop and the receiver take turns, as the verify loop's own
	# two loops do, so that a burst of other load hurts neither more.
	for i in $(seq 1 "$ROUNDS"); do
		cpu 1 "$VERIFY" "${vargs[@]}" >"$T/v$i.json" || exit 1
		run "$i" || exit 1
	done
	# Instructions, which load does not move: callgrind on a receiver of
	# CG datagrams, its whole run (start-up included) against the
	# instructions inside crypto_sign_verify_detached().
	if [ "$CG" -gt 0 ] && command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
		CGRECV="valgrind --tool=callgrind --callgrind-out-file=$T/cg.out" CGN=$CG run cg || exit 1
		echo
		echo "callgrind, bench recv --trust of $CG datagrams (user-space instructions):"
		callgrind_annotate --inclusive=yes "$T/cg.out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); tot = $1 }
			     /crypto_sign_verify_detached \[/ && !v { gsub(",", "", $1); v = $1 }
			     END { if (tot && v) printf "  total %d, in crypto_sign_verify_detached %d: verification is %.2f%% of the receiver'"'"'s instructions (%.4fx)\n", tot, v, 100 * v / tot, v / tot }'
	fi
	echo "load after:  $(uptime)"
	python3 - "$T" "$D" "$SIZE" "${ENC:-0}" "$ROUNDS" <<'PY'
import json, sys
t, d, size, enc, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", int(sys.argv[5])
def records(path, event):
    return [r for r in (json.loads(l) for l in open(path) if l.startswith("{"))
            if r.get("event") == event]
v = [json.loads(open("%s/v%d.json" % (t, i)).read()) for i in range(1, rounds + 1)]
s = [records("%s/s%d.json" % (t, i), "summary")[0] for i in range(1, rounds + 1)]
r = [records("%s/r%d.json" % (t, i), "summary")[0] for i in range(1, rounds + 1)]
w = [(records("%s/r%d.json" % (t, i), "sender") or [{"datagrams_per_s": 0}])[0]["datagrams_per_s"]
     for i in range(1, rounds + 1)]
per = lambda ns: 1e9 / ns if ns else 0
print()
print("payload %s bytes, %s; %d rounds, each: verify_loop --seconds 0.5 (best of its"
      " 5 turns), then %s s of bench send to bench recv" % (
          size, "signed and encrypted" if enc else "signed", rounds, d))
print()
print("| round | libsodium verify loop%s /s CPU | mcast_env_open loop /s CPU "
      "| bench send --sign /s (CPU ns each) | bench recv --trust /s CPU (CPU ns each) "
      "| bench recv /s wall | sent, verified, kernel drops | recv / verify loop |" % (
          " + decrypt" if enc else ""))
print("|---:|---:|---:|---:|---:|---:|---|---:|")
for i in range(rounds):
    ref = v[i]["libsodium_verifies_per_cpu_s"]
    rx = per(r[i]["cpu_ns_per_datagram"])
    print("| %d | %.0f | %.0f | %.0f (%.0f) | %.0f (%.0f) | %.0f | %d, %d, %d | %.3fx |" % (
        i + 1, ref, v[i]["mcast_env_open_per_cpu_s"], s[i]["datagrams_per_s"],
        s[i]["cpu_ns_per_datagram"], rx, r[i]["cpu_ns_per_datagram"], w[i], s[i]["sent"],
        r[i]["datagrams"], r[i]["kernel_drops"], rx / ref))
best_ref = max(x["libsodium_verifies_per_cpu_s"] for x in v)
best_env = max(x["mcast_env_open_per_cpu_s"] for x in v)
best_rx = max(per(x["cpu_ns_per_datagram"]) for x in r)
print()
print("best of the rounds: verify loop %.0f/s, mcast_env_open loop %.0f/s (%.3fx), "
      "bench recv --trust %.0f/s: %.3fx the verify loop (goal >= 0.9x)" % (
          best_ref, best_env, best_env / best_ref, best_rx, best_rx / best_ref))
PY
} | tee "${OUT:-/dev/null}"
