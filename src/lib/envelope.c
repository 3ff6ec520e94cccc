/*
 * envelope.c - sealing and opening signed (and encrypted) datagrams,
 * docs/PROTOCOL.md "Envelopes, version 1".
 *
 * Layout, integers big-endian:
 *    0  magic "MCSE"        16  seq      (u64)
 *    4  version (u8)        24  time_ns  (u64)
 *    5  flags (u8)          32  payload, or nonce (24) + ciphertext + tag (16)
 *    6  reserved (u16, 0)   end - 64: Ed25519 signature of bytes 0 .. end - 64
 *    8  key id (8)
 *
 * The signature covers the ciphertext, not the plaintext, so that anyone
 * holding only public keys (a relay, a receiver without the group key) can
 * check who sent a datagram, and a receiver rejects a forgery with one
 * verification before spending anything on decryption.
 */
#include "lib/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_ENCRYPTED 0x01

static const uint8_t magic[4] = {'M', 'C', 'S', 'E'};

struct mcast_sealer {
	struct mcast_signkey sign;
	struct mcast_groupkey group;
	bool encrypt;
	bool started; /* last is valid */
	uint64_t last; /* the last sequence number used */
};

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int mcast_sealer_new(mcast_sealer **out, const mcast_signkey *sign,
		     const mcast_groupkey *encrypt, mcast_error *err)
{
	int rc = mcast__sodium_init(err);

	if (rc < 0)
		return rc;
	if (!sign)
		return mcast__fail(err, -EINVAL, "a sealer needs a signing key");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return mcast__fail(err, -ENOMEM, "out of memory");
	(*out)->sign = *sign;
	if (encrypt) {
		(*out)->group = *encrypt;
		(*out)->encrypt = true;
	}
	return 0;
}

void mcast_sealer_free(mcast_sealer *s)
{
	if (!s)
		return;
	sodium_memzero(s, sizeof(*s));
	free(s);
}

size_t mcast_sealer_overhead(const mcast_sealer *s)
{
	return s->encrypt ? MCAST_ENV_OVERHEAD_ENC : MCAST_ENV_OVERHEAD;
}

ssize_t mcast_env_seal(mcast_sealer *s, const void *payload, size_t len,
		       void *out, size_t cap, uint64_t now_ns, mcast_error *err)
{
	size_t max, n;
	uint8_t *p = out;
	uint64_t seq;

	if (!s || !out || (!payload && len))
		return mcast__fail(err, -EINVAL, "no sealer, payload or buffer");
	max = s->encrypt ? MCAST_ENV_PAYLOAD_MAX_ENC : MCAST_ENV_PAYLOAD_MAX;
	if (len > max)
		return mcast__fail(err, -EMSGSIZE,
				   "a payload of %zu bytes does not fit an envelope (at most %zu%s)",
				   len, max, s->encrypt ? " when encrypted" : "");
	n = len + mcast_sealer_overhead(s);
	if (cap < n)
		return mcast__fail(err, -ENOSPC, "an envelope of %zu bytes does not fit %zu", n, cap);
	if (!now_ns)
		now_ns = mcast__realtime_ns();
	/* See mcast.h: from the clock once, then one up per envelope. */
	seq = s->started ? s->last + 1 : now_ns / 1000;
	memcpy(p, magic, 4);
	p[4] = MCAST_ENV_VERSION;
	p[5] = s->encrypt ? FLAG_ENCRYPTED : 0;
	p[6] = p[7] = 0;
	memcpy(p + 8, s->sign.id, MCAST_KEY_ID_LEN);
	put64(p + 16, seq);
	put64(p + 24, now_ns);
	if (s->encrypt) {
		uint8_t *nonce = p + MCAST_ENV_HDR_LEN;

		/* A random nonce: XChaCha20's 192 bits make collisions
		 * negligible without any state that a restart could lose. */
		randombytes_buf(nonce, MCAST_ENV_NONCE_LEN);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
			nonce + MCAST_ENV_NONCE_LEN, NULL, payload, len, p,
			MCAST_ENV_HDR_LEN, NULL, nonce, s->group.key);
	} else if (len) {
		memcpy(p + MCAST_ENV_HDR_LEN, payload, len);
	}
	crypto_sign_detached(p + n - MCAST_ENV_SIG_LEN, NULL, p, n - MCAST_ENV_SIG_LEN,
			     s->sign.sk);
	s->last = seq;
	s->started = true;
	return (ssize_t)n;
}

const char *mcast_env_verdict_name(int verdict)
{
	static const char *const names[MCAST_ENV_VERDICTS] = {
		"ok",		 "unsigned", "malformed", "unknown_key",	"bad_signature",
		"replayed", "too_old",  "too_new",   "undecryptable",
	};

	if (verdict < 0 || verdict >= MCAST_ENV_VERDICTS)
		return "unknown";
	return names[verdict];
}

int mcast_env_parse(const void *env, size_t len, mcast_env_info *info)
{
	const uint8_t *p = env;
	size_t min;

	memset(info, 0, sizeof(*info));
	if (!p || len < 4 || memcmp(p, magic, 4) != 0)
		return MCAST_ENV_UNSIGNED;
	if (len < MCAST_ENV_OVERHEAD || p[4] != MCAST_ENV_VERSION ||
	    (p[5] & ~FLAG_ENCRYPTED) || p[6] || p[7])
		return MCAST_ENV_MALFORMED;
	info->encrypted = p[5] & FLAG_ENCRYPTED;
	min = info->encrypted ? MCAST_ENV_OVERHEAD_ENC : MCAST_ENV_OVERHEAD;
	if (len < min)
		return MCAST_ENV_MALFORMED;
	memcpy(info->key_id, p + 8, MCAST_KEY_ID_LEN);
	mcast__hex(info->key_id, MCAST_KEY_ID_LEN, info->key_hex);
	info->seq = get64(p + 16);
	info->time_ns = get64(p + 24);
	info->payload_len = len - min;
	if (!info->encrypted)
		info->payload = p + MCAST_ENV_HDR_LEN;
	return MCAST_ENV_OK;
}

/* TOO_OLD, TOO_NEW or OK for an envelope's time against now. */
static int check_age(const mcast_trust *t, uint64_t time_ns, uint64_t now_ns)
{
	if (!t->max_age)
		return MCAST_ENV_OK;
	if (!now_ns)
		now_ns = mcast__realtime_ns();
	if (time_ns > now_ns && time_ns - now_ns > t->max_age)
		return MCAST_ENV_TOO_NEW;
	if (now_ns > time_ns && now_ns - time_ns > t->max_age)
		return MCAST_ENV_TOO_OLD;
	return MCAST_ENV_OK;
}

/* Decrypt the body of an encrypted envelope into out. OK or UNDECRYPTABLE. */
static int decrypt(const mcast_trust *t, const uint8_t *p, size_t len,
		   uint8_t *out, size_t plain_len)
{
	const uint8_t *nonce = p + MCAST_ENV_HDR_LEN;
	size_t clen = len - MCAST_ENV_HDR_LEN - MCAST_ENV_NONCE_LEN - MCAST_ENV_SIG_LEN;

	if (!t->has_group)
		return MCAST_ENV_UNDECRYPTABLE;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, NULL, NULL, nonce + MCAST_ENV_NONCE_LEN, clen, p,
		    MCAST_ENV_HDR_LEN, nonce, t->group.key) != 0) {
		sodium_memzero(out, plain_len);
		return MCAST_ENV_UNDECRYPTABLE;
	}
	return MCAST_ENV_OK;
}

int mcast_env_open(mcast_trust *t, const void *env, size_t len, void *out,
		   size_t cap, uint64_t now_ns, mcast_env_info *info,
		   mcast_error *err)
{
	mcast_env_info local;
	const uint8_t *p = env;
	struct mcast__tkey *k;
	const void *body;
	int v;

	if (!info)
		info = &local;
	if (!t || !env)
		return mcast__fail(err, -EINVAL, "no trust set or no envelope");
	v = mcast_env_parse(env, len, info);
	/* The payload is handed out only once everything has been checked. */
	body = info->payload;
	info->payload = NULL;
	if (v != MCAST_ENV_OK)
		return v;
	k = mcast__trust_find(t, info->key_id);
	if (!k)
		return MCAST_ENV_UNKNOWN_KEY;
	if (info->encrypted && t->has_group && info->payload_len &&
	    (!out || cap < info->payload_len))
		return mcast__fail(err, -ENOSPC,
				   "the plaintext of %zu bytes does not fit %zu",
				   info->payload_len, out ? cap : 0);
	if (crypto_sign_verify_detached(p + len - MCAST_ENV_SIG_LEN, p,
					len - MCAST_ENV_SIG_LEN, k->pk) != 0)
		return MCAST_ENV_BAD_SIGNATURE;
	info->signer = k->name;
	v = check_age(t, info->time_ns, now_ns);
	if (v != MCAST_ENV_OK)
		return v;
	if (mcast__window_seen(k, info->seq))
		return MCAST_ENV_REPLAYED;
	if (info->encrypted) {
		/* An empty plaintext needs no room, but a place to point at. */
		static uint8_t empty[1];
		uint8_t *dst = info->payload_len ? out : empty;

		v = decrypt(t, p, len, dst, info->payload_len);
		if (v != MCAST_ENV_OK)
			return v;
		body = dst;
	}
	mcast__window_add(k, info->seq);
	info->payload = body;
	return MCAST_ENV_OK;
}
