#!/usr/bin/env python3
"""A plain-socket multicast peer for the interop tests, using only the
Python standard library, so mcast is checked against code that shares none
of its own.

  mcpy.py send GROUP PORT IFACE HEXPAYLOAD
      One datagram, TTL/hop limit 1, out of IFACE (an interface name; for
      IPv4 its first address is used with IP_MULTICAST_IF).
  mcpy.py recv GROUP PORT IFACE TIMEOUT COUNT
      Join GROUP on IFACE, print "ready" on stderr, then one line per
      datagram on stdout: "SOURCE SOURCEPORT HEXPAYLOAD". Exits 0 after
      COUNT datagrams, 1 if TIMEOUT seconds pass without one.
  mcpy.py sendrange GROUP COUNT PORT IFACE
      One datagram "gI" (I = 0 .. COUNT-1) to each of COUNT consecutive
      groups from GROUP up (239.1.0.0, 239.1.0.1, ...), TTL 1, out of IFACE.
  mcpy.py recvttl GROUP PORT IFACE TIMEOUT COUNT
      As recv, on a socket bound to GROUP, with IP_RECVTTL or
      IPV6_RECVHOPLIMIT: one line per datagram, "SOURCE TTL BYTES", the
      TTL or hop limit it arrived with (-1 if the kernel did not say).
"""
import ipaddress
import socket
import sys

import mcnet


def send(group, port, ifname, payload):
    s = mcnet.sender(mcnet.family_of(group), ifname)
    s.sendto(payload, (group, port))
    s.close()


def sendrange(group, count, port, ifname):
    first = ipaddress.ip_address(group)
    s = mcnet.sender(mcnet.family_of(group), ifname)
    for i in range(count):
        s.sendto(b"g%d" % i, (str(first + i), port))
    s.close()


def recv(group, port, ifname, timeout, count):
    s = mcnet.receiver(group, port, ifname, bind_group=False)
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    got = 0
    while got < count:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            return 1
        print(addr[0], addr[1], data.hex(), flush=True)
        got += 1
    return 0


def recvttl(group, port, ifname, timeout, count):
    s = mcnet.receiver(group, port, ifname)
    mcnet.want_ttl(s)
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    for _ in range(count):
        try:
            data, addr, ttl = mcnet.recv_ttl(s)
        except socket.timeout:
            return 1
        print(addr[0], ttl, len(data), flush=True)
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "send":
        send(argv[2], int(argv[3]), argv[4], bytes.fromhex(argv[5]))
        return 0
    if len(argv) == 6 and argv[1] == "sendrange":
        sendrange(argv[2], int(argv[3]), int(argv[4]), argv[5])
        return 0
    if len(argv) == 7 and argv[1] in ("recv", "recvttl"):
        fn = recv if argv[1] == "recv" else recvttl
        return fn(argv[2], int(argv[3]), argv[4], float(argv[5]),
                  int(argv[6]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
