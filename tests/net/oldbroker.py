#!/usr/bin/env python3
"""A broker that speaks MQTT 3.1.1 only, written from the MQTT 3.1.1 spec
with plain Python sockets, for checking that `mcast bridge` falls back from
MQTT 5 (mosquitto cannot be told to refuse version 5: it speaks 3.1, 3.1.1
and 5 on every listener). Also a silent server, for connect timeouts.

  oldbroker.py serve ADDR PORT SECONDS
      Listen on ADDR:PORT and say "listening" on stderr. A CONNECT of any
      protocol level but 4 gets the 3.1.1 CONNACK "unacceptable protocol
      version" (return code 1) and the connection is closed, as section
      3.1.2.2 says; level 4 gets "accepted". Then: SUBSCRIBE gets a SUBACK
      granting QoS 0 and one PUBLISH "from the old broker" on the topic
      filter (QoS 0); each PUBLISH received is printed on stdout as one
      JSON line {"topic", "payload"}; PINGREQ gets PINGRESP. Every CONNECT
      is printed as {"connect": LEVEL}. Exits after SECONDS.
  oldbroker.py silent ADDR PORT SECONDS
      Accept connections and never send a byte (a host that takes TCP but
      does not speak TLS or MQTT); exits after SECONDS.
"""
import json
import select
import socket
import sys
import time


def out(obj):
    print(json.dumps(obj), flush=True)


def remaining_length(buf, i):
    """The remaining length at buf[i:], and where it ends; None if short."""
    n, mult = 0, 1
    for k in range(4):
        if i + k >= len(buf):
            return None
        b = buf[i + k]
        n += (b & 0x7F) * mult
        mult *= 128
        if not b & 0x80:
            return n, i + k + 1
    raise ValueError("malformed remaining length")


def packets(buf):
    """Split whole packets off buf: (list of (type byte, body), rest)."""
    got = []
    while len(buf) >= 2:
        rl = remaining_length(buf, 1)
        if rl is None or len(buf) < rl[1] + rl[0]:
            break
        n, start = rl
        got.append((buf[0], buf[start:start + n]))
        buf = buf[start + n:]
    return got, buf


def encode_len(n):
    b = bytearray()
    while True:
        d, n = n % 128, n // 128
        b.append(d | (0x80 if n else 0))
        if not n:
            return bytes(b)


def publish(topic, payload):
    t = topic.encode()
    body = len(t).to_bytes(2, "big") + t + payload
    return b"\x30" + encode_len(len(body)) + body


def handle(conn, kind, body):
    """Answer one packet; False when the connection is to close."""
    ptype = kind >> 4
    if ptype == 1:  # CONNECT: protocol name (2+4 bytes), then the level
        level = body[2 + int.from_bytes(body[0:2], "big")]
        out({"connect": level})
        if level != 4:
            conn.sendall(b"\x20\x02\x00\x01")
            return False
        conn.sendall(b"\x20\x02\x00\x00")
    elif ptype == 8:  # SUBSCRIBE: packet id, then (filter, options)...
        pid = body[0:2]
        flen = int.from_bytes(body[2:4], "big")
        filt = body[4:4 + flen].decode()
        conn.sendall(b"\x90\x03" + pid + b"\x00")
        conn.sendall(publish(filt.replace("#", "x").replace("+", "x"),
                             b"from the old broker"))
    elif ptype == 3:  # PUBLISH, QoS 0 (no packet id)
        tlen = int.from_bytes(body[0:2], "big")
        out({"topic": body[2:2 + tlen].decode(),
             "payload": body[2 + tlen:].decode(errors="replace")})
    elif ptype == 12:  # PINGREQ
        conn.sendall(b"\xd0\x00")
    elif ptype == 14:  # DISCONNECT
        return False
    return True


def serve(addr, port, seconds, silent):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    print("listening", file=sys.stderr, flush=True)
    end = time.monotonic() + seconds
    conns = {}
    while time.monotonic() < end:
        r, _, _ = select.select([s] + list(conns), [], [], 0.2)
        for c in r:
            if c is s:
                nc, _ = s.accept()
                conns[nc] = b""
                continue
            data = c.recv(65536)
            if silent:
                if not data:
                    del conns[c]
                    c.close()
                continue
            keep = bool(data)
            got, conns[c] = packets(conns[c] + data)
            for kind, body in got:
                keep = keep and handle(c, kind, body)
            if not keep:
                del conns[c]
                c.close()


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("serve", "silent"):
        print(__doc__, file=sys.stderr)
        return 2
    serve(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[1] == "silent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
