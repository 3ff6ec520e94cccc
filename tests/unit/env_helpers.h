/*
 * env_helpers.h - keys, trust sets and envelopes for the envelope tests.
 *
 * Keys come from fixed seeds, so that every run seals the same bytes (the
 * signature of Ed25519 is deterministic; only the nonce of an encrypted
 * envelope is random). Buffers handed to mcast_env_open() are malloc'ed
 * copies of exactly the envelope's length, so AddressSanitizer sees a read
 * one byte past the end.
 */
#ifndef ENV_HELPERS_H
#define ENV_HELPERS_H

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mcast.h"

/* 2026-11-24 12:00:00 UTC, an arbitrary fixed sealing time. */
#define T0 1795521600000000000ull
#define SEC 1000000000ull

/* The secret key file text of the key whose seed is 32 bytes of `fill`
 * (fill 0 gives seed 00 01 02 .. 1f). */
static inline void seed_text(unsigned char fill, char *out, size_t cap)
{
	unsigned char seed[32];
	char b64[45];

	for (int i = 0; i < 32; i++)
		seed[i] = fill ? fill : (unsigned char)i;
	sodium_bin2base64(b64, sizeof(b64), seed, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, cap, "mcast-ed25519-secret %s\n", b64);
}

static inline mcast_signkey *fixed_key(unsigned char fill)
{
	char text[128];
	mcast_signkey *k = NULL;
	mcast_error e;

	seed_text(fill, text, sizeof(text));
	assert_int_equal(mcast_signkey_parse(&k, text, strlen(text), &e), 0);
	return k;
}

static inline mcast_groupkey *fixed_group(unsigned char fill)
{
	unsigned char key[32];
	char b64[45], text[128];
	mcast_groupkey *g = NULL;
	mcast_error e;

	memset(key, fill, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64), key, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(text, sizeof(text), "mcast-group-key %s\n", b64);
	assert_int_equal(mcast_groupkey_parse(&g, text, strlen(text), &e), 0);
	return g;
}

/* A trust set holding the public half of k, named `name`. */
static inline mcast_trust *trust_of(const mcast_signkey *k, const char *name)
{
	char line[MCAST_KEY_LINE_MAX];
	mcast_trust *t = NULL;
	mcast_error e;

	assert_int_equal(mcast_trust_new(&t, &e), 0);
	assert_true(mcast_signkey_format_public(k, name, line, sizeof(line)) > 0);
	assert_int_equal(mcast_trust_add_text(t, line, strlen(line), NULL, &e), 1);
	return t;
}

/* Seal payload with s at now into a new exact-size buffer (*len bytes). */
static inline unsigned char *seal(mcast_sealer *s, const void *payload,
				  size_t plen, uint64_t now, size_t *len)
{
	unsigned char *buf = malloc(plen + MCAST_ENV_OVERHEAD_ENC);
	unsigned char *exact;
	mcast_error e;
	ssize_t n;

	assert_non_null(buf);
	n = mcast_env_seal(s, payload, plen, buf, plen + MCAST_ENV_OVERHEAD_ENC, now, &e);
	assert_true(n > 0);
	exact = malloc((size_t)n);
	assert_non_null(exact);
	memcpy(exact, buf, (size_t)n);
	free(buf);
	*len = (size_t)n;
	return exact;
}

/* Open a malloc'ed exact copy of env[0..len) with t at now. */
static inline int open_copy(mcast_trust *t, const unsigned char *env, size_t len,
			    uint64_t now, mcast_env_info *info)
{
	unsigned char *copy = malloc(len ? len : 1);
	static unsigned char plain[MCAST_ENV_MAX];
	mcast_error e;
	int v;

	assert_non_null(copy);
	if (len)
		memcpy(copy, env, len);
	v = mcast_env_open(t, copy, len, plain, sizeof(plain), now, info, &e);
	/* The payload pointer must not outlive the copy: point it at plain. */
	if (info && info->payload && info->payload != plain) {
		memcpy(plain, info->payload, info->payload_len);
		info->payload = plain;
	}
	free(copy);
	return v;
}

#endif
