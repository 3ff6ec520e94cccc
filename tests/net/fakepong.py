#!/usr/bin/env python3
"""A stand-in for `mcast pong`, and a hostile sender, written from
docs/PROTOCOL.md with plain Python sockets, so `mcast ping` and `mcast pong`
are checked against code that shares none of their own.

  fakepong.py answer GROUP PORT IFACE IDLE [--hold] [--twice]
      Join GROUP on IFACE (a name), say "ready" on stderr, and answer every
      version 1 probe with the documented 64-byte answer (its sender_id,
      seq and t_send, type 2, version 2, TTL unknown), unicast to the probe's source. With --hold
      the answer to every other probe of a prober is held back and sent
      just after the answer to that prober's next probe (or after 0.3 s
      without one), so answers to probes 1, 2, 3, 4 arrive as 2, 1, 4, 3.
      With --twice each answer is sent twice. Exits after IDLE seconds
      without a probe and prints {"probes": N, "answers": N} on stdout
      (answers counts datagrams sent, so --twice doubles it).

  fakepong.py probe GROUP PORT IFACE TTL N PAUSE WAIT
      A prober: send N version 1 probes back to back to GROUP:PORT out of
      IFACE with multicast TTL (hop limit) TTL, then after PAUSE seconds
      one more, then collect answers for WAIT seconds and print
      {"answers": [[seq, held_back, ttl], ...]} in arrival order, decoded
      as answer version 2 of docs/PROTOCOL.md (ttl null when the
      responder could not tell); anything else that comes back is counted
      in "other".

  fakepong.py hostile GROUP PORT IFACE WAIT KIND=N...
      Send N datagrams of each KIND to GROUP:PORT out of IFACE, then listen
      WAIT seconds on the sending socket and print {"replies": N} on stdout:
      how many datagrams came back (a responder must answer none of them).
      Kinds: garbage (random bytes, never "MCST"), magic ("MCST" alone),
      truncated (a probe cut to 40 bytes), version (a 64-byte probe of
      version 2), answer (a well-formed answer), oversized (an answer of
      100 bytes), data (a well-formed data message of 200 bytes), flags (a
      probe with a reserved flag set), type (a probe of unknown type 9),
      port0 (a well-formed probe from UDP source port 0, through a raw
      socket: IPv4 only, needs root; it must not be answered).
"""
import json
import os
import random
import select
import socket
import struct
import sys
import time

import mcnet

from mcnet import ANSWER, ANSWER_TAIL, DATA, HEADER, MAGIC, PROBE, ipv4_of, receiver


def sender(group, ifname):
    """A UDP socket that sends to GROUP out of IFACE, TTL 1."""
    return mcnet.sender(mcnet.family_of(group), ifname)








def answer_of(probe, responder_id, t_recv):
    """The 64-byte answer to a decoded probe header."""
    _, _, _, _, sender_id, seq, t_send = probe
    return HEADER.pack(MAGIC, 2, ANSWER, 0, sender_id, seq, t_send) + \
        ANSWER_TAIL.pack(responder_id, t_recv, time.time_ns(), 0, 0, 0, 0)


def answer(group, port, ifname, idle, hold, twice):
    rx = receiver(group, port, ifname)
    # Answers leave from a socket of their own, as mcast pong's do.
    tx = socket.socket(rx.family, socket.SOCK_DGRAM)
    responder_id = random.getrandbits(64)
    held = {}  # prober address -> (answer, when held)
    probes = answers = 0

    def send(data, addr):
        nonlocal answers
        for _ in range(2 if twice else 1):
            tx.sendto(data, addr)
            answers += 1

    print("ready", file=sys.stderr, flush=True)
    last = time.monotonic()
    while True:
        now = time.monotonic()
        for addr, (data, when) in list(held.items()):
            if now - when >= 0.3:
                send(data, addr)
                del held[addr]
        if now - last >= idle:
            break
        ready, _, _ = select.select([rx], [], [], 0.05)
        if not ready:
            continue
        data, addr = rx.recvfrom(65535)
        t_recv = time.time_ns()
        if len(data) < 64:
            continue
        probe = HEADER.unpack_from(data)
        if probe[0] != MAGIC or probe[1] != 1 or probe[2] != PROBE or probe[3]:
            continue
        probes += 1
        last = time.monotonic()
        out = answer_of(probe, responder_id, t_recv)
        if not hold:
            send(out, addr)
        elif addr in held:
            send(out, addr)
            send(held.pop(addr)[0], addr)
        else:
            held[addr] = (out, last)
    for addr, (data, _) in held.items():
        send(data, addr)
    print(json.dumps({"probes": probes, "answers": answers}), flush=True)
    return 0


def hostile_message(kind, n):
    """Datagram number n of KIND."""
    sender_id, seq, t_send = 0x0123456789ABCDEF, n + 1, time.time_ns()
    probe = HEADER.pack(MAGIC, 1, PROBE, 0, sender_id, seq, t_send) + bytes(32)
    if kind == "probe":
        return probe
    if kind == "garbage":
        data = os.urandom(random.randint(1, 200))
        return b"X" + data if data.startswith(MAGIC) else data
    if kind == "magic":
        return MAGIC
    if kind == "truncated":
        return probe[:40]
    if kind == "version":
        return HEADER.pack(MAGIC, 2, PROBE, 0, sender_id, seq, t_send) + bytes(32)
    if kind == "answer":
        return HEADER.pack(MAGIC, 2, ANSWER, 0, sender_id, seq, t_send) + \
            ANSWER_TAIL.pack(1, t_send, t_send, 0, 0, 0, 0)
    if kind == "oversized":
        return HEADER.pack(MAGIC, 2, ANSWER, 0, sender_id, seq, t_send) + \
            ANSWER_TAIL.pack(1, t_send, t_send, 0, 0, 0, 0) + bytes(36)
    if kind == "data":
        return HEADER.pack(MAGIC, 1, DATA, 0, sender_id, seq, t_send) + \
            bytes(range(168))
    if kind == "flags":
        return HEADER.pack(MAGIC, 1, PROBE, 0x0100, sender_id, seq, t_send) + \
            bytes(32)
    if kind == "type":
        return HEADER.pack(MAGIC, 1, 9, 0, sender_id, seq, t_send) + bytes(32)
    raise ValueError("unknown kind " + kind)


def raw_sender(group, ifname):
    """A raw IPv4 socket for UDP datagrams with a header of our own."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton(ipv4_of(ifname)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    return s


def hostile(group, port, ifname, wait, kinds):
    s = sender(group, ifname)
    raw = None
    for kind, count in kinds:
        for n in range(count):
            if kind == "port0":
                raw = raw or raw_sender(group, ifname)
                probe = hostile_message("probe", n)
                # Source port 0; checksum 0 means none in IPv4.
                udp = struct.pack(">HHHH", 0, port, 8 + len(probe), 0)
                raw.sendto(udp + probe, (group, 0))
            else:
                s.sendto(hostile_message(kind, n), (group, port))
            # Paced, so that no receive buffer on the way overflows.
            time.sleep(0.002)
    replies = 0
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([s], [], [], left)
        if ready:
            s.recvfrom(65535)
            replies += 1
    print(json.dumps({"replies": replies}), flush=True)
    return 0


def probe(group, port, ifname, ttl, n, pause, wait):
    s = sender(group, ifname)
    if s.family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    sender_id = random.getrandbits(63)

    def one(seq):
        s.sendto(HEADER.pack(MAGIC, 1, PROBE, 0, sender_id, seq, time.time_ns()) +
                 bytes(32), (group, port))

    for seq in range(1, n + 1):
        one(seq)
    time.sleep(pause)
    one(n + 1)
    answers, other = [], 0
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([s], [], [], left)
        if not ready:
            continue
        data, _ = s.recvfrom(65535)
        head = HEADER.unpack_from(data) if len(data) == 64 else None
        if not head or head[:4] != (MAGIC, 2, ANSWER, 0) or head[4] != sender_id:
            other += 1
            continue
        _, _, _, held, t, known, _ = ANSWER_TAIL.unpack_from(data, HEADER.size)
        answers.append([head[5], held, t if known & 1 else None])
    print(json.dumps({"answers": answers, "other": other}), flush=True)
    return 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "answer":
        flags = argv[6:]
        if any(f not in ("--hold", "--twice") for f in flags):
            print(__doc__, file=sys.stderr)
            return 2
        return answer(argv[2], int(argv[3]), argv[4], float(argv[5]),
                      "--hold" in flags, "--twice" in flags)
    if len(argv) == 9 and argv[1] == "probe":
        return probe(argv[2], int(argv[3]), argv[4], int(argv[5]), int(argv[6]),
                     float(argv[7]), float(argv[8]))
    if len(argv) >= 7 and argv[1] == "hostile":
        kinds = []
        for arg in argv[6:]:
            kind, _, count = arg.partition("=")
            if kind != "port0":
                hostile_message(kind, 0)  # reject an unknown kind up front
            kinds.append((kind, int(count)))
        return hostile(argv[2], int(argv[3]), argv[4], float(argv[5]), kinds)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
