#!/usr/bin/env python3
"""envpy.py - an independent peer for mcast's envelopes, written from
docs/PROTOCOL.md ("Envelopes, version 1" and "Key files") alone, with
PyNaCl (Debian python3-nacl) and the standard library: it shares no code
with libmcast, and libsodium only through PyNaCl's own bindings.

  envpy.py keygen NAME            NAME.key (mode 0600) and NAME.pub
  envpy.py groupkey NAME          NAME.key, a group key (mode 0600)
  envpy.py fingerprint FILE       the fingerprint of a .pub or group key
  envpy.py seal KEY [--encrypt GROUP] [--time NS]
                                  each line of stdin (without its newline)
                                  sealed: one envelope per line, in hex
  envpy.py open PUB... [--decrypt GROUP] [--max-age S] [--now NS]
                                  each hex line of stdin opened: "VERDICT",
                                  or "ok SIGNER SEQ TIME PAYLOAD-HEX"
  envpy.py hostile KEY OTHER [--group GROUP] [--wrong WRONG] [--time NS]
                                  reads the hex envelopes KEY sealed at
                                  --time (five or more, in order) and
                                  writes "EXPECTED HEX" lines: the genuine
                                  ones interleaved with forged, tampered,
                                  truncated, replayed, stale, future-dated
                                  and undecryptable ones and garbage, each
                                  with the verdict the spec gives it

Times are nanoseconds since 1970 (default: now); --max-age is in seconds
(default 30). Exit status 0, or 1 with a message on stderr.
"""
import argparse
import base64
import hashlib
import os
import random
import struct
import sys
import time

import nacl.bindings
import nacl.exceptions
import nacl.signing

MAGIC = b"MCSE"
VERSION = 1
ENCRYPTED = 0x01
# magic, version, flags, reserved, key id, seq, time: the 32-byte header.
HEADER = struct.Struct(">4sBBH8sQQ")
SIG_LEN, NONCE_LEN, TAG_LEN = 64, 24, 16
WINDOW = 1024
SECRET, PUBLIC, GROUP = ("mcast-ed25519-secret", "mcast-ed25519-public",
                         "mcast-group-key")


def fail(msg):
    sys.stderr.write("envpy: %s\n" % msg)
    sys.exit(1)


# ---- key files -------------------------------------------------------------

def key_lines(text):
    """(type, 32 key bytes, comment) for each key line of a key file."""
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r").strip(" \t")
        if not line or line.startswith("#"):
            continue
        words = line.replace("\t", " ").split(" ", 2)
        if len(words) < 2 or len(words[1]) != 44:
            fail("line %d: not a key line" % n)
        key = base64.b64decode(words[1], validate=True)
        if len(key) != 32 or base64.b64encode(key).decode() != words[1]:
            fail("line %d: not canonical base64 of 32 bytes" % n)
        comment = words[2].strip(" \t") if len(words) > 2 else ""
        out.append((words[0], key, comment))
    return out


def read_key(path, kind):
    if kind != PUBLIC and os.stat(path).st_mode & 0o077:
        fail("%s: readable by others" % path)
    with open(path) as f:
        keys = [k for k in key_lines(f.read()) if k[0] == kind]
    if not keys:
        fail("%s: no %s line" % (path, kind))
    return keys


def write_new(path, text, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def key_id(pk):
    return hashlib.sha256(pk).digest()[:8]


def b64(key):
    return base64.b64encode(key).decode()


# ---- envelopes -------------------------------------------------------------

def seal(sk, payload, seq, t, group=None, version=VERSION, nonce=None):
    """One envelope: the header, the payload (or nonce and ciphertext with
    the header as associated data), the Ed25519 signature of all that."""
    pk = bytes(sk.verify_key)
    header = HEADER.pack(MAGIC, version, ENCRYPTED if group else 0, 0,
                         key_id(pk), seq, t)
    if group:
        nonce = nonce or os.urandom(NONCE_LEN)
        body = nonce + nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            payload, header, nonce, group)
    else:
        body = payload
    signed = header + body
    return signed + sk.sign(signed).signature


class Trust:
    """A receiver's trust set: public keys by key id, a window per key."""

    def __init__(self, keys, group=None, max_age=30 * 10**9):
        self.keys = {key_id(pk): (pk, name) for pk, name in keys}
        self.windows = {}
        self.group = group
        self.max_age = max_age

    def seen(self, kid, seq):
        top, accepted = self.windows.get(kid, (None, set()))
        if top is None or seq > top:
            return False
        return top - seq >= WINDOW or seq in accepted

    def add(self, kid, seq):
        top, accepted = self.windows.get(kid, (None, set()))
        if top is None or seq > top:
            top = seq
        accepted = {s for s in accepted | {seq} if top - s < WINDOW}
        self.windows[kid] = (top, accepted)

    def open(self, env, now):
        """(verdict, signer, seq, time, payload), in the order of checks."""
        if len(env) < 4 or env[:4] != MAGIC:
            return ("unsigned",)
        if len(env) < HEADER.size + SIG_LEN:
            return ("malformed",)
        _, version, flags, reserved, kid, seq, t = HEADER.unpack(env[:32])
        encrypted = flags & ENCRYPTED
        if version != VERSION or flags & ~ENCRYPTED or reserved:
            return ("malformed",)
        if encrypted and len(env) < 32 + NONCE_LEN + TAG_LEN + SIG_LEN:
            return ("malformed",)
        if kid not in self.keys:
            return ("unknown_key",)
        pk, name = self.keys[kid]
        try:
            nacl.signing.VerifyKey(pk).verify(env[:-SIG_LEN], env[-SIG_LEN:])
        except nacl.exceptions.BadSignatureError:
            return ("bad_signature",)
        if self.max_age and t > now + self.max_age:
            return ("too_new",)
        if self.max_age and now > t + self.max_age:
            return ("too_old",)
        if self.seen(kid, seq):
            return ("replayed",)
        body = env[32:-SIG_LEN]
        if encrypted:
            if not self.group:
                return ("undecryptable",)
            try:
                body = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                    body[NONCE_LEN:], env[:32], body[:NONCE_LEN], self.group)
            except nacl.exceptions.CryptoError:
                return ("undecryptable",)
        self.add(kid, seq)
        return ("ok", name, seq, t, body)


def expected_tamper(env, i):
    """The verdict for env with the low bit of byte i flipped."""
    encrypted = env[5] & ENCRYPTED
    if i < 4:
        return "unsigned"
    if i == 5:  # the encryption flag: now too short to be encrypted?
        return "malformed" if not encrypted and len(env) < 136 else "bad_signature"
    if i < 8:
        return "malformed"
    if i < 16:
        return "unknown_key"
    return "bad_signature"


def expected_cut(env, n):
    minimum = 136 if env[5] & ENCRYPTED else 96
    if n < 4:
        return "unsigned"
    return "malformed" if n < minimum else "bad_signature"


def hostile(args, genuine):
    """The genuine envelopes of the signer in order, and between them every
    kind of envelope a receiver must reject, with the verdict for each."""
    sk = nacl.signing.SigningKey(read_key(args.key, SECRET)[0][1])
    other = nacl.signing.SigningKey(read_key(args.other, SECRET)[0][1])
    group = read_key(args.group, GROUP)[0][1] if args.group else None
    wrong = read_key(args.wrong, GROUP)[0][1] if args.wrong else None
    rng = random.Random(13)
    t, age = args.time, 30 * 10**9
    seqs = [HEADER.unpack(e[:32])[5] for e in genuine]
    if len(genuine) < 5 or seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        fail("hostile needs five or more envelopes in sequence")
    out = [("ok", genuine[0])]
    e0 = genuine[0]
    out += [(expected_tamper(e0, i), e0[:i] + bytes([e0[i] ^ 1]) + e0[i + 1:])
            for i in range(len(e0))]
    out += [(expected_cut(e0, n), e0[:n]) for n in range(len(e0))]
    out.append(("replayed", e0))
    out.append(("ok", genuine[1]))
    spare = seqs[-1] + 100  # numbers no genuine envelope uses
    out.append(("unknown_key", seal(other, b"forged", spare, t, group)))
    forged = bytearray(seal(other, b"forged", spare, t, group))
    forged[8:16] = key_id(bytes(sk.verify_key))
    out.append(("bad_signature", bytes(forged)))
    for _ in range(20):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        out.append(("unsigned", b"X" + junk))
    out.append(("unsigned", b"MCST\x01\x01\x00\x00" + bytes(56)))  # a probe
    out.append(("malformed", seal(sk, b"v2", spare, t, group, version=2)))
    out.append(("too_old", seal(sk, b"stale", spare, t - age - 10**9, group)))
    out.append(("too_new", seal(sk, b"future", spare, t + age + 10**9, group)))
    out += [("ok", e) for e in genuine[2:]]
    out.append(("replayed", genuine[2]))  # out of order, within the window
    if group and wrong:
        out.append(("undecryptable", seal(sk, b"other group", spare, t, wrong)))
    top = seqs[-1]
    out.append(("replayed", seal(sk, b"below", top - WINDOW, t, group)))
    edge = seal(sk, b"edge", top - WINDOW + 1, t, group)
    out += [("ok", edge), ("replayed", edge)]
    out.append(("ok", seal(sk, b"far ahead", top + 5000, t, group)))
    out.append(("replayed", genuine[-1]))  # now far below the window
    return out


# ---- commands ----------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command")
    p.add_argument("files", nargs="*")
    p.add_argument("--encrypt", "--decrypt", "--group", dest="group")
    p.add_argument("--wrong")
    p.add_argument("--time", type=int, default=0)
    p.add_argument("--now", type=int, default=0)
    p.add_argument("--max-age", type=float, default=30)
    args = p.parse_args()
    args.time = args.time or time.time_ns()
    cmd, files = args.command, args.files

    if cmd == "keygen" and len(files) == 1:
        sk = nacl.signing.SigningKey.generate()
        name = os.path.basename(files[0])
        write_new(files[0] + ".key", "%s %s %s\n" % (SECRET, b64(bytes(sk)), name), 0o600)
        write_new(files[0] + ".pub", "%s %s %s\n" % (PUBLIC, b64(bytes(sk.verify_key)), name),
                  0o644)
        print(key_id(bytes(sk.verify_key)).hex())
    elif cmd == "groupkey" and len(files) == 1:
        name = os.path.basename(files[0])
        write_new(files[0] + ".key", "%s %s %s\n" % (GROUP, b64(os.urandom(32)), name), 0o600)
    elif cmd == "fingerprint" and len(files) == 1:
        with open(files[0]) as f:
            kind, key, _ = key_lines(f.read())[0]
        prefix = b"mcast-group-key" if kind == GROUP else b""
        print(hashlib.sha256(prefix + key).hexdigest())
    elif cmd == "seal" and len(files) == 1:
        sk = nacl.signing.SigningKey(read_key(files[0], SECRET)[0][1])
        group = read_key(args.group, GROUP)[0][1] if args.group else None
        seq = args.time // 1000
        for line in sys.stdin.read().splitlines():
            print(seal(sk, line.encode(), seq, args.time, group).hex())
            seq += 1
    elif cmd == "open" and files:
        keys = []
        for path in files:
            keys += [(k, c or path) for _, k, c in read_key(path, PUBLIC)]
        group = read_key(args.group, GROUP)[0][1] if args.group else None
        trust = Trust(keys, group, int(args.max_age * 10**9))
        now = args.now or time.time_ns()
        for line in sys.stdin.read().splitlines():
            r = trust.open(bytes.fromhex(line.strip()), now)
            print(r[0] if len(r) == 1 else "ok %s %d %d %s" % (r[1], r[2], r[3], r[4].hex()))
    elif cmd == "hostile" and len(files) == 2:
        args.key, args.other = files
        genuine = [bytes.fromhex(x) for x in sys.stdin.read().split()]
        for verdict, env in hostile(args, genuine):
            print(verdict, env.hex())
    else:
        fail("usage: see the top of %s" % sys.argv[0])


if __name__ == "__main__":
    main()
