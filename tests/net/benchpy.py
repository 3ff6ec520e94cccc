#!/usr/bin/env python3
"""Hand-made datagrams for the mcast bench tests, written from
docs/PROTOCOL.md with the Python standard library only, so that mcast bench
recv is checked against an encoder that shares none of its code.

  benchpy.py send GROUP PORT IFACE ITEM...

Sends each ITEM in order from one socket (TTL / hop limit 1, out of IFACE),
pinned to one CPU so that the path keeps their order. An ITEM is:

  data:ID:SEQS[:SIZE]  one data message (type 3) of SIZE bytes (default 64)
                       from sender_id ID (hex) per sequence number in SEQS,
                       a comma-separated list of numbers and ranges A-B
                       (ascending) in the order given: "1-9,11,10,12-20"
  raw:HEX              one datagram of these bytes ("raw:" alone is empty)
  random:N:LEN         N datagrams of LEN random bytes (fixed seed; none
                       starts with the magic MCST)
  version:V            a 64-byte data message of version V
  flags:F              a 64-byte data message with the reserved flags F
  probe:ID:SEQ         a 64-byte probe (type 1)
  answer:ID:SEQ        a 64-byte answer (type 2)
  type:T               a 64-byte message of the unknown type T
  short:LEN            a data message cut to LEN bytes (LEN < 32)

Prints "sent N" on stderr at the end: the number of datagrams sent.
"""
import os
import random
import struct
import sys
import time

import mcnet

from mcnet import MAGIC, VERSION




def header(version, mtype, flags, sender_id, seq):
    """The 32-byte header of PROTOCOL.md, with t_send = now."""
    return MAGIC + struct.pack("!BBHQQQ", version, mtype, flags, sender_id, seq,
                               time.time_ns())


def message(mtype, sender_id, seq, size=64, version=None, flags=0):
    """A message of its type's version (an unknown type: 1), or of VERSION."""
    if version is None:
        version = VERSION.get(mtype, 1)
    return header(version, mtype, flags, sender_id, seq).ljust(size, b"\0")


def seqs(spec):
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            yield from range(int(a), int(b) + 1)
        else:
            yield int(part)


def datagrams(item, rng):
    kind, _, rest = item.partition(":")
    args = rest.split(":")
    if kind == "data":
        size = int(args[2]) if len(args) > 2 else 64
        for s in seqs(args[1]):
            yield message(3, int(args[0], 16), s, size)
    elif kind == "raw":
        yield bytes.fromhex(rest)
    elif kind == "random":
        for _ in range(int(args[0])):
            b = bytes(rng.getrandbits(8) for _ in range(int(args[1])))
            if b.startswith(MAGIC):
                b = b"X" + b[1:]
            yield b
    elif kind == "version":
        yield message(3, 1, 1, version=int(args[0]))
    elif kind == "flags":
        yield message(3, 1, 1, flags=int(args[0]))
    elif kind == "probe":
        yield message(1, int(args[0], 16), int(args[1]))
    elif kind == "answer":
        yield message(2, int(args[0], 16), int(args[1]))
    elif kind == "type":
        yield message(int(args[0]), 1, 1)
    elif kind == "short":
        yield message(3, 1, 1)[:int(args[0])]
    else:
        raise SystemExit("benchpy.py: unknown item " + item)


def send(group, port, ifname, items):
    s = mcnet.sender(mcnet.family_of(group), ifname)
    # Datagrams sent from one CPU are delivered in order through veth
    # pairs and a bridge; from two they could overtake one another.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(1)
    n = 0
    for item in items:
        for d in datagrams(item, rng):
            s.sendto(d, (group, port))
            n += 1
            # A breather now and then keeps the receiver's queue short.
            if n % 200 == 0:
                time.sleep(0.002)
    s.close()
    print("sent", n, file=sys.stderr)


def main(argv):
    if len(argv) >= 5 and argv[1] == "send":
        send(argv[2], int(argv[3]), argv[4], argv[5:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
