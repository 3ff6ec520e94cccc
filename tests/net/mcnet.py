"""mcnet.py - what the Python test peers (mcpy, benchpy, fakepong, flood)
share: an interface's IPv4 address, a multicast sender socket, a receiver
socket joined on one interface, the TTL each datagram arrived with, and the
constants of the wire format in docs/PROTOCOL.md. Standard library only, so
that the peers share no code with mcast itself.
"""
import fcntl
import socket
import struct

MAGIC = b"MCST"
PROBE, ANSWER, DATA = 1, 2, 3
# Each type has its version: answers gained fields in version 2.
VERSION = {PROBE: 1, ANSWER: 2, DATA: 1}
# magic, version, type, flags, sender_id, seq, t_send: 32 bytes.
HEADER = struct.Struct(">4sBBHQQQ")
# An answer: the header, then responder_id, t_recv, t_answer, held_back,
# the probe's arrival TTL, 1 when that TTL is known, reserved.
ANSWER_TAIL = struct.Struct(">QQQIBBH")

# Python's socket module lacks some of these (3.11 has no IP_RECVTTL);
# the fallbacks are Linux's values from <linux/in.h> and <linux/in6.h>.
IP_TTL = getattr(socket, "IP_TTL", 2)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)


def family_of(group):
    return socket.AF_INET6 if ":" in group else socket.AF_INET


def ipv4_of(ifname):
    """The interface's primary IPv4 address (SIOCGIFADDR)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        req = struct.pack("256s", ifname.encode()[:15])
        return socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x8915, req)[20:24])
    finally:
        s.close()


def sender(family, ifname):
    """A UDP socket that sends multicast out of IFACE with TTL 1, bound to
    an ephemeral port (so answers can come back to it)."""
    s = socket.socket(family, socket.SOCK_DGRAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF,
                     socket.if_nametoindex(ifname))
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
        s.bind(("::", 0))
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                     socket.inet_aton(ipv4_of(ifname)))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        s.bind(("0.0.0.0", 0))
    return s


def receiver(group, port, ifname, bind_group=True):
    """A UDP socket on PORT that joined GROUP on IFACE. With bind_group it
    is bound to the group itself (no other group's traffic); without, to
    the wildcard, as the simplest plain-socket receivers are."""
    idx = socket.if_nametoindex(ifname)
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((group, port, 0, idx) if bind_group else ("::", port))
        mreq = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", idx)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((group if bind_group else "", port))
        mreq = socket.inet_aton(group) + socket.inet_aton(ipv4_of(ifname))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return s


def want_ttl(s):
    """Ask the kernel to report the TTL (IPv4) or hop limit (IPv6) each
    datagram arrives with, as a control message."""
    if s.family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)


def recv_ttl(s):
    """One datagram from a socket that asked want_ttl(): (data, address,
    ttl), ttl -1 when no control message carried it."""
    data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(64))
    ttl = -1
    for level, kind, value in anc:
        if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                             (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
            ttl = struct.unpack("@i", value[:4])[0]
    return data, addr, ttl
