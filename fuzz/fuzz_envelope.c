/*
 * fuzz_envelope.c - mcast_env_open() and mcast_env_parse() on arbitrary
 * datagrams, the opener every trusting receiver runs on whatever a shared
 * group carries; and mcast_env_seal() on arbitrary payloads.
 *
 * The first byte picks the mode.
 *
 * Even: the rest is a datagram, opened (an exact-size heap copy) by a trust
 * set holding key A and the group key, at the time the seeds were sealed
 * (so that they stay valid). Properties: the verdict is one of the nine; parse and
 * open agree on what is an envelope and on its fields; nothing but an
 * envelope that libsodium itself verifies against key A is ever accepted
 * (so garbage never passes as genuine), its payload lies inside the input
 * or the plaintext buffer with the length the layout gives; a second open
 * of an accepted envelope is a replay.
 *
 * Odd: the rest is a payload, sealed by key A (the second byte's bit 0:
 * encrypted; bit 1 too: with another group key) and opened back to the
 * same bytes (or, with another group key, undecryptable); changed at one
 * byte, and cut at one length, both chosen by the input, it is never
 * accepted; opened 31 s after or before its time (bit 2) it is too old or
 * too new, which leaves the window alone.
 */
#include "fuzz.h"

#include "mcast.h"

#include <errno.h>
#include <sodium.h>

/* Key A: seed 00 01 .. 1f (docs/PROTOCOL.md's test key); group key 0x42. */
#define SEED_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PUB_B64 "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
#define GROUP_B64 "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
#define T0 1795521600000000000ull

static mcast_signkey *key_a;
static mcast_groupkey *group, *other_group;
static unsigned char pk_a[32];
static unsigned char plain[MCAST_ENV_MAX];

static void init(void)
{
	static const char sk[] = "mcast-ed25519-secret " SEED_B64 "\n";
	static const char gk[] = "mcast-group-key " GROUP_B64 "\n";
	mcast_error e;

	if (key_a)
		return;
	FUZZ_CHECK(mcast_signkey_parse(&key_a, sk, strlen(sk), &e) == 0, "%s", e.msg);
	FUZZ_CHECK(mcast_groupkey_parse(&group, gk, strlen(gk), &e) == 0, "%s", e.msg);
	FUZZ_CHECK(mcast_groupkey_new(&other_group, &e) == 0, "%s", e.msg);
	FUZZ_CHECK(sodium_base642bin(pk_a, 32, PUB_B64, 44, NULL, NULL, NULL,
				     sodium_base64_VARIANT_ORIGINAL) == 0, "base64");
}

/* A fresh trust set: key A, the group key, the default max age. */
static mcast_trust *trust(void)
{
	static const char pub[] = "mcast-ed25519-public " PUB_B64 " a\n";
	mcast_trust *t;
	mcast_error e;

	FUZZ_CHECK(mcast_trust_new(&t, &e) == 0, "%s", e.msg);
	FUZZ_CHECK(mcast_trust_add_text(t, pub, strlen(pub), NULL, &e) == 1, "%s", e.msg);
	mcast_trust_set_groupkey(t, group);
	return t;
}

static void check_accepted(const uint8_t *env, size_t len, const mcast_env_info *info,
			   const mcast_env_info *peek)
{
	size_t over = info->encrypted ? MCAST_ENV_OVERHEAD_ENC : MCAST_ENV_OVERHEAD;
	const uint8_t *p = info->payload;

	FUZZ_CHECK(len >= MCAST_ENV_OVERHEAD, "accepted %zu bytes", len);
	FUZZ_CHECK(crypto_sign_verify_detached(env + len - 64, env, len - 64, pk_a) == 0,
		   "accepted an envelope libsodium does not verify with key A");
	FUZZ_CHECK(info->signer && strcmp(info->signer, "a") == 0, "signer");
	FUZZ_CHECK(info->payload_len == len - over, "payload length %zu of %zu",
		   info->payload_len, len);
	FUZZ_CHECK(info->encrypted ? p == plain
				   : p == env + MCAST_ENV_HDR_LEN,
		   "payload outside the envelope or the plaintext buffer");
	FUZZ_CHECK(peek->seq == info->seq && peek->time_ns == info->time_ns &&
			   peek->encrypted == info->encrypted &&
			   memcmp(peek->key_id, info->key_id, MCAST_KEY_ID_LEN) == 0,
		   "parse and open disagree on the header");
	if (!info->encrypted)
		FUZZ_CHECK(peek->payload == p, "parse's payload");
}

static void open_datagram(const uint8_t *data, size_t size)
{
	uint8_t *env = malloc(size ? size : 1);
	mcast_env_info info, peek;
	mcast_trust *t = trust();
	mcast_error e;
	int v, pv;

	FUZZ_CHECK(env != NULL, "out of memory");
	if (size)
		memcpy(env, data, size);
	pv = mcast_env_parse(env, size, &peek);
	FUZZ_CHECK(pv == MCAST_ENV_OK || pv == MCAST_ENV_UNSIGNED || pv == MCAST_ENV_MALFORMED,
		   "parse gave %d", pv);
	v = mcast_env_open(t, env, size, plain, sizeof(plain), T0, &info, &e);
	FUZZ_CHECK(v >= 0 && v < MCAST_ENV_VERDICTS, "open gave %d", v);
	FUZZ_CHECK((pv == MCAST_ENV_OK) == (v != MCAST_ENV_UNSIGNED && v != MCAST_ENV_MALFORMED),
		   "parse says %d, open %d", pv, v);
	if (pv != MCAST_ENV_OK)
		FUZZ_CHECK(v == pv, "parse says %d, open %d", pv, v);
	FUZZ_CHECK((v == MCAST_ENV_OK) == (info.payload != NULL), "payload set for %d", v);
	if (v == MCAST_ENV_OK) {
		check_accepted(env, size, &info, &peek);
		v = mcast_env_open(t, env, size, plain, sizeof(plain), T0, &info, &e);
		FUZZ_CHECK(v == MCAST_ENV_REPLAYED, "a second open gave %d", v);
	}
	mcast_trust_free(t);
	free(env);
}

static void seal_payload(const uint8_t *data, size_t size)
{
	bool enc = size > 0 && (data[0] & 1), wrong = enc && (data[0] & 2);
	bool late = size > 0 && (data[0] & 4);
	static uint8_t env[MCAST_ENV_MAX];
	mcast_env_info info;
	mcast_sealer *s;
	mcast_trust *t = trust();
	size_t pos, cut;
	mcast_error e;
	ssize_t n;
	int v;

	if (size) {
		data++;
		size--;
	}
	FUZZ_CHECK(mcast_sealer_new(&s, key_a, !enc ? NULL : wrong ? other_group : group, &e) == 0,
		   "%s", e.msg);
	n = mcast_env_seal(s, data, size, env, sizeof(env), T0, &e);
	FUZZ_CHECK(n == (ssize_t)(size + mcast_sealer_overhead(s)), "sealed %zd", n);
	/* One byte changed and one length cut, where the input says. */
	pos = size ? (data[0] * 131u + data[size - 1]) % (size_t)n : 7;
	cut = size ? (data[size / 2] * 257u + size) % (size_t)n : 50;
	env[pos] ^= 0x10;
	v = mcast_env_open(t, env, (size_t)n, plain, sizeof(plain), T0, &info, &e);
	FUZZ_CHECK(v > MCAST_ENV_OK && v < MCAST_ENV_VERDICTS, "byte %zu changed: %d", pos, v);
	env[pos] ^= 0x10;
	v = mcast_env_open(t, env, cut, plain, sizeof(plain), T0, &info, &e);
	FUZZ_CHECK(v > MCAST_ENV_OK && v < MCAST_ENV_VERDICTS, "cut at %zu: %d", cut, v);
	if (late) {
		v = mcast_env_open(t, env, (size_t)n, plain, sizeof(plain), T0 + 31000000000ull,
				   &info, &e);
		FUZZ_CHECK(v == MCAST_ENV_TOO_OLD, "31 s late: %d", v);
		v = mcast_env_open(t, env, (size_t)n, plain, sizeof(plain), T0 - 31000000000ull,
				   &info, &e);
		FUZZ_CHECK(v == MCAST_ENV_TOO_NEW, "31 s early: %d", v);
	}
	v = mcast_env_open(t, env, (size_t)n, plain, sizeof(plain), T0, &info, &e);
	if (wrong) {
		FUZZ_CHECK(v == MCAST_ENV_UNDECRYPTABLE && !info.payload,
			   "another group key's envelope gave %d", v);
	} else {
		FUZZ_CHECK(v == MCAST_ENV_OK, "the sealed envelope gave %d", v);
		FUZZ_CHECK(info.payload_len == size &&
				   (size == 0 || memcmp(info.payload, data, size) == 0),
			   "the payload changed in a round trip");
	}
	mcast_sealer_free(s);
	mcast_trust_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size == 0 || (data[0] & 1) == 0)
		open_datagram(data + (size > 0), size - (size > 0));
	else
		seal_payload(data + 1, size - 1);
	return 0;
}
