#!/usr/bin/env python3
"""A hostile flood for the mcast receivers, written from docs/PROTOCOL.md
with plain Python sockets (no sendmmsg), so that what mcast recv, mcast
pong and mcast bench recv make of it can be predicted exactly.

  flood.py send IFACE RATE SEED TARGET...

Sends every datagram of every TARGET from one UDP socket out of IFACE (TTL
or hop limit 1), the targets and kinds shuffled together (random.Random(SEED),
so a run can be repeated), paced by a token bucket at RATE datagrams a
second in total, never more than 32 back to back. A TARGET is

  GROUP:PORT:KIND=N[,KIND=N...]     e.g. 239.1.2.3:5000:random=10,data=5

with the IPv6 group in brackets ([ff15::1]:5000:...). It says "flooding"
on stderr once the first datagram is out, and at the end prints one JSON
object on stdout: {"sent": N, "errors": N, "seconds": S, "targets":
{"GROUP:PORT": {"KIND": N, ...}, ...}, "bytes": {"GROUP:PORT": N, ...}}
(payload bytes sent to each target). It exits 1 if any send failed.

Kinds, and how a reader counts them (PROTOCOL.md, "Receiving"); each
well-formed message has its type's version (probe and data 1, answer 2):

  random     0..1472 random bytes, never starting with MCST   garbage
  magic      "MCST" and 0..1 more bytes (shorter than 6)      garbage
  truncated  a probe, answer or data message,                 truncated
             cut to 6..(its minimum - 1) bytes
  version    "MCST", a version other than 1 and 2, any type,  foreign version
             6..1472 bytes
  oversized  an answer (type 2) of 65..1472 bytes             oversized
  flags      a well-formed probe, answer or data message      garbage
             with a reserved flag set
  type       an unknown type (0, 4..255), 6..1472 bytes       garbage
  answer     a well-formed 64-byte answer                     other (pong)
  data       a well-formed data message of 32..1472 bytes     other (pong)
  probe      a well-formed probe of 64..1472 bytes            other (bench recv)

1472 bytes is the largest UDP payload a 1500-byte MTU carries unfragmented
over IPv4. Everything past the 32-byte header is random, so that none of it
reads as text. The sender_id of every well-formed message has its top bit
set: a test can tell the flood's from a real sender's only by address, and
that is the point.
"""
import json
import random
import socket
import sys
import time

import mcnet

from mcnet import DATA, HEADER, MAGIC, PROBE, ANSWER, VERSION
MIN_LEN = {PROBE: 64, ANSWER: 64, DATA: 32}
MAX = 1472
BURST = 32




def sender(family, ifname):
    s = mcnet.sender(family, ifname)
    # Room for a few bursts of the largest datagrams.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    return s


class Maker:
    """Datagrams of each kind, from one seeded generator."""

    def __init__(self, rng):
        self.rng = rng
        self.seq = 0

    def header(self, version, mtype, flags=0):
        self.seq += 1
        sender_id = (1 << 63) | self.rng.getrandbits(63)
        return HEADER.pack(MAGIC, version, mtype, flags, sender_id, self.seq,
                           time.time_ns())

    def fill(self, head, size):
        return head + self.rng.randbytes(max(0, size - len(head)))

    def make(self, kind):
        r = self.rng
        if kind == "random":
            b = r.randbytes(r.randint(0, MAX))
            return b"X" + b[1:] if b.startswith(MAGIC) else b
        if kind == "magic":
            return MAGIC + r.randbytes(r.randint(0, 1))
        if kind == "truncated":
            t = r.choice((PROBE, ANSWER, DATA))
            whole = self.fill(self.header(VERSION[t], t), MIN_LEN[t])
            return whole[:r.randint(6, MIN_LEN[t] - 1)]
        if kind == "version":
            v = r.choice([0] + list(range(3, 256)))
            size = r.randint(6, MAX)
            return self.fill(self.header(v, r.randint(0, 255)), size)[:size]
        if kind == "oversized":
            return self.fill(self.header(VERSION[ANSWER], ANSWER), r.randint(65, MAX))
        if kind == "flags":
            t = r.choice((PROBE, ANSWER, DATA))
            size = 64 if t == ANSWER else r.randint(MIN_LEN[t], MAX)
            return self.fill(self.header(VERSION[t], t, r.randint(1, 0xFFFF)), size)
        if kind == "type":
            size = r.randint(6, MAX)
            t = r.choice([0] + list(range(4, 256)))
            return self.fill(self.header(1, t), size)[:size]
        if kind == "answer":
            return self.fill(self.header(VERSION[ANSWER], ANSWER), 64)
        if kind == "data":
            return self.fill(self.header(1, DATA), r.randint(32, MAX))
        if kind == "probe":
            return self.fill(self.header(1, PROBE), r.randint(64, MAX))
        raise ValueError("unknown kind " + kind)


KINDS = ("random", "magic", "truncated", "version", "oversized", "flags",
         "type", "answer", "data", "probe")


def parse_target(text):
    """GROUP:PORT:KIND=N,... -> (family, (group, port), "GROUP:PORT", {kind: n})."""
    if text.startswith("["):
        close = text.index("]")
        group, rest = text[1:close], text[close + 2:]
        family = socket.AF_INET6
    else:
        group, _, rest = text.partition(":")
        family = socket.AF_INET
    port, _, spec = rest.partition(":")
    kinds = {}
    for item in spec.split(","):
        kind, _, n = item.partition("=")
        if kind not in KINDS:
            raise SystemExit("flood.py: unknown kind '%s'" % kind)
        kinds[kind] = kinds.get(kind, 0) + int(n)
    name = ("[%s]:%s" if family == socket.AF_INET6 else "%s:%s") % (group, port)
    return family, (group, int(port)), name, kinds


def flood(ifname, rate, seed, targets):
    rng = random.Random(seed)
    maker = Maker(rng)
    socks = {}
    plan = []
    for i, (family, addr, _, kinds) in enumerate(targets):
        if family not in socks:
            socks[family] = sender(family, ifname)
        for kind, n in kinds.items():
            plan += [(i, kind)] * n
    rng.shuffle(plan)

    sent = errors = 0
    nbytes = [0] * len(targets)
    start = time.monotonic()
    said = False
    for i, kind in plan:
        # Token bucket: datagram k is due at start + k / rate.
        while True:
            ahead = sent - (time.monotonic() - start) * rate
            if ahead < BURST:
                break
            time.sleep(min(0.002, ahead / rate))
        family, addr = targets[i][0], targets[i][1]
        data = maker.make(kind)
        try:
            socks[family].sendto(data, addr)
            nbytes[i] += len(data)
        except OSError as e:
            errors += 1
            if errors == 1:
                print("flood.py: send: %s" % e, file=sys.stderr, flush=True)
        sent += 1
        if not said:
            print("flooding", file=sys.stderr, flush=True)
            said = True
    seconds = time.monotonic() - start
    out = {"sent": sent, "errors": errors, "seconds": round(seconds, 3),
           "targets": {name: kinds for _, _, name, kinds in targets},
           "bytes": {t[2]: n for t, n in zip(targets, nbytes)}}
    print(json.dumps(out), flush=True)
    return 1 if errors else 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "send":
        targets = [parse_target(t) for t in argv[5:]]
        return flood(argv[2], float(argv[3]), int(argv[4]), targets)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
