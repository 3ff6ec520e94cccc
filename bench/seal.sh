#!/bin/bash
# bench/seal.sh - what verifying signatures costs mcast bench recv, against
# libsodium's own verify loop on the same machine, in one run (issue 13).
#
#   sudo bench/seal.sh [-r ROUNDS] [-n N] [-t SECONDS] [-s BYTES] [-c N] [-e] [-o REPORT.md]
#
# ROUNDS (default 9) short turns of each side, alternating (the verify
# loop first in odd rounds, the receiver first in even ones), both pinned
# to CPU 1 when taskset is there, so that a burst of other load, a CPU
# that is slower or busier, hurts neither side more than the other:
#  - bench/verify_loop --rounds 1 --seconds SECONDS (default 0.3; make
#    bench-verify): crypto_sign_verify_detached() in a tight loop over a
#    ring of distinct messages the size an envelope signs, then
#    mcast_env_open() on a ring of envelopes of the same payload; each
#    rate per second of its CPU time.
#  - mcast bench recv --trust of a backlog of N signed datagrams (default
#    4000), on lo in a private network namespace (unshare -n): the
#    receiver joins, is stopped (SIGSTOP), mcast bench send --sign -n N at
#    --rate max (on CPU 0) fills its 8M receive buffer, and then the
#    receiver is let go (SIGCONT) and verifies the N datagrams with
#    nothing else of this script running, until -n N. Its rate is 1e9 /
#    the CPU ns per datagram it reports itself (getrusage over its run:
#    user and system time, every recvmmsg, copy, verification and count).
# The figure: the median of the receiver's rates over the median of the
# verify loop's (the same statistic on both sides), goal >= 0.9x; the
# median of the per-round ratios is printed beside it as a check.
#
# Last, with valgrind: the receiver of -c N datagrams (default 2000; 0 skips
# it) under callgrind, its instructions against those inside libsodium's
# crypto_sign_verify_detached(), a figure the machine's load does not move.
# -s is the payload (default 64), -e encrypts too (--encrypt/--decrypt, and
# the verify loop adds a decryption). uptime is printed first and last:
# other load on the machine moves every figure; run it on a quiet machine.
set -u -o pipefail
ROUNDS=9 N=4000 TURN=0.3 SIZE=64 ENC='' OUT='' CG=2000
usage() { echo "usage: $0 [-r ROUNDS] [-n N] [-t SECONDS] [-s BYTES] [-c N] [-e] [-o REPORT.md]" >&2; exit 2; }
while getopts r:n:t:s:c:eo: opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	n) N=$OPTARG ;;
	t) TURN=$OPTARG ;;
	s) SIZE=$OPTARG ;;
	c) CG=$OPTARG ;;
	e) ENC=1 ;;
	o) OUT=$OPTARG ;;
	*) usage ;;
	esac
done
{ [ "$ROUNDS" -ge 1 ] && [ "$N" -ge 1 ] && [ "$CG" -ge 0 ]; } 2>/dev/null || usage
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
# PIN0/PIN1: the command prefix that pins to CPU 0 or 1 (empty without
# taskset or a second CPU). taskset execs the command: $! is its PID.
PIN0='' PIN1=''
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN0='taskset -c 0' PIN1='taskset -c 1'; fi

"$MCAST" keygen -q "$T/k" >/dev/null && "$MCAST" keygen -q --group "$T/g" >/dev/null || exit 1
vargs=(--size "$SIZE" --seconds "$TURN" --rounds 1 --json)
sargs=(--sign "$T/k.key")
rargs=(--trust "$T/k.pub")
if [ -n "$ENC" ]; then
	vargs+=(--encrypt)
	sargs+=(--encrypt "$T/g.key")
	rargs+=(--decrypt "$T/g.key")
fi

# run I COUNT: bench recv --trust of a backlog of COUNT datagrams from
# bench send --sign, on lo in a new network namespace. The receiver first,
# stopped once it listens (at most 10 s), the sender, then the receiver
# let go; it ends at COUNT datagrams (or 2 s after the last, if the kernel
# dropped some), within a minute (+ 10 minutes under a $CGRECV wrapper).
run() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	CGRECV=${CGRECV:-} PIN0=$PIN0 PIN1=$PIN1 unshare -n bash -c '
		M=$1 T=$2 SIZE=$3 I=$4 n=$5; shift 5
		k=$1; shift; sargs=("${@:1:$k}"); shift "$k"; rargs=("$@")
		ip link set lo up || exit 1
		lim=60; [ -z "$CGRECV" ] || lim=600
		# shellcheck disable=SC2086 # PIN1 and CGRECV are command lines
		$PIN1 $CGRECV "$M" bench recv -i lo --rcvbuf 8M --json -w 2s -d "${lim}s" -n "$n" \
			"${rargs[@]}" 239.13.9.1:5913 >"$T/r$I.json" 2>"$T/r$I.err" &
		r=$!
		i=0
		while [ $i -lt 100 ] && ! grep -qs "listening on" "$T/r$I.err"; do sleep 0.1; i=$((i + 1)); done
		kill -STOP "$r"
		# shellcheck disable=SC2086 # PIN0 is a command line
		timeout 60 $PIN0 "$M" bench send -i lo --json --rate max --size "$SIZE" -n "$n" \
			"${sargs[@]}" 239.13.9.1:5913 >"$T/s$I.json" 2>"$T/s$I.err"
		s=$?
		kill -CONT "$r"
		wait "$r" && [ "$s" = 0 ]
	' sh "$MCAST" "$T" "$SIZE" "$1" "$2" "${#sargs[@]}" "${sargs[@]}" "${rargs[@]}" ||
		{ cat "$T/r$1.err" "$T/s$1.err" >&2; return 1; }
}

verify() {
	# shellcheck disable=SC2086 # PIN1 is a command line
	$PIN1 "$VERIFY" "${vargs[@]}" >"$T/v$1.json"
}

{
	echo "load before: $(uptime)"
	for i in $(seq 1 "$ROUNDS"); do
		if [ $((i % 2)) = 1 ]; then
			verify "$i" && run "$i" "$N" || exit 1
		else
			run "$i" "$N" && verify "$i" || exit 1
		fi
	done
	# Instructions, which load does not move: callgrind on a receiver of
	# CG datagrams, its whole run (start-up included) against the
	# instructions inside crypto_sign_verify_detached().
	if [ "$CG" -gt 0 ] && command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
		CGRECV="valgrind --tool=callgrind --callgrind-out-file=$T/cg.out" run cg "$CG" || exit 1
		echo
		echo "callgrind, bench recv --trust of $CG datagrams (user-space instructions):"
		callgrind_annotate --inclusive=yes "$T/cg.out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); tot = $1 }
			     /crypto_sign_verify_detached \[/ && !v { gsub(",", "", $1); v = $1 }
			     END { if (tot && v) printf "  total %d, in crypto_sign_verify_detached %d: verification is %.2f%% of the receiver'"'"'s instructions (%.4fx)\n", tot, v, 100 * v / tot, v / tot }'
	fi
	echo "load after:  $(uptime)"
	python3 - "$T" "$SIZE" "${ENC:-0}" "$ROUNDS" "$N" "$TURN" <<'PY'
import json, statistics, sys
t, size, enc, rounds, n, turn = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4]), sys.argv[5], sys.argv[6]
def records(path, event):
    return [r for r in (json.loads(l) for l in open(path) if l.startswith("{"))
            if r.get("event") == event]
rng = range(1, rounds + 1)
v = [json.loads(open("%s/v%d.json" % (t, i)).read()) for i in rng]
s = [records("%s/s%d.json" % (t, i), "summary")[0] for i in rng]
r = [records("%s/r%d.json" % (t, i), "summary")[0] for i in rng]
w = [(records("%s/r%d.json" % (t, i), "sender") or [{"datagrams_per_s": 0}])[0]["datagrams_per_s"]
     for i in rng]
per = lambda ns: 1e9 / ns if ns else 0
ref = [x["libsodium_verifies_per_cpu_s"] for x in v]
env = [x["mcast_env_open_per_cpu_s"] for x in v]
rx = [per(x["cpu_ns_per_datagram"]) for x in r]
print()
print("payload %s bytes, %s; %d rounds, alternating, on one CPU: verify_loop --rounds 1"
      " --seconds %s, and bench recv --trust of a backlog of %s datagrams" % (
          size, "signed and encrypted" if enc else "signed", rounds, turn, n))
print()
print("| round | libsodium verify loop%s /s CPU | mcast_env_open loop /s CPU "
      "| bench recv --trust /s CPU (CPU ns each) | bench recv /s wall "
      "| sent, verified, kernel drops | recv / verify loop |" % (" + decrypt" if enc else ""))
print("|---:|---:|---:|---:|---:|---|---:|")
for i in range(rounds):
    print("| %d | %.0f | %.0f | %.0f (%.0f) | %.0f | %d, %d, %d | %.3fx |" % (
        i + 1, ref[i], env[i], rx[i], r[i]["cpu_ns_per_datagram"], w[i], s[i]["sent"],
        r[i]["datagrams"], r[i]["kernel_drops"], rx[i] / ref[i]))
med = statistics.median
spread = lambda xs: "%.0f-%.0f" % (min(xs), max(xs))
print()
print("medians of %d rounds: libsodium verify loop %.0f/s CPU (%s), mcast_env_open loop"
      " %.0f/s (%.3fx), bench recv --trust %.0f/s CPU (%s)" % (
          rounds, med(ref), spread(ref), med(env), med(env) / med(ref), med(rx), spread(rx)))
print("median of the per-round ratios: %.3fx" % med([a / b for a, b in zip(rx, ref)]))
print()
ratio = med(rx) / med(ref)
print("RATIO bench recv --trust / libsodium verify loop (medians, CPU time): %.3fx"
      " (goal >= 0.9x: %s)" % (ratio, "met" if ratio >= 0.9 else "NOT met"))
PY
} | tee "${OUT:-/dev/null}"
