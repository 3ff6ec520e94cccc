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
"""
import socket
import sys

import mcnet




def send(group, port, ifname, payload):
    s = mcnet.sender(mcnet.family_of(group), ifname)
    s.sendto(payload, (group, port))
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


def main(argv):
    if len(argv) == 6 and argv[1] == "send":
        send(argv[2], int(argv[3]), argv[4], bytes.fromhex(argv[5]))
        return 0
    if len(argv) == 7 and argv[1] == "recv":
        return recv(argv[2], int(argv[3]), argv[4], float(argv[5]),
                    int(argv[6]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
