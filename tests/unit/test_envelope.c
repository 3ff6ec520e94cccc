/*
 * test_envelope.c - sealing and opening envelopes (mcast_env_seal(),
 * mcast_env_open(), mcast_env_parse() in mcast.h, docs/PROTOCOL.md):
 * round trips, the exact bytes of a known envelope, every verdict, every
 * byte tampered with, every truncation, and the edges of the anti-replay
 * window. Pure code, no sockets, no clock: every call is given its time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "env_helpers.h"

/*
 * Two trusted keys: one seals signed envelopes ("ups1"), the other signed
 * and encrypted ones ("ups2"); each key has its own anti-replay window, so
 * the two sealers never make each other's envelopes look replayed.
 */
struct fixture {
	mcast_signkey *key, *ekey, *other;
	mcast_groupkey *group, *wrong;
	mcast_sealer *signer, *encrypter;
	mcast_trust *trust;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	mcast_error e;

	assert_non_null(f);
	char line[MCAST_KEY_LINE_MAX];

	f->key = fixed_key(0);
	f->ekey = fixed_key(9);
	f->other = fixed_key(7);
	f->group = fixed_group(0x42);
	f->wrong = fixed_group(0x43);
	assert_int_equal(mcast_sealer_new(&f->signer, f->key, NULL, &e), 0);
	assert_int_equal(mcast_sealer_new(&f->encrypter, f->ekey, f->group, &e), 0);
	f->trust = trust_of(f->key, "ups1");
	assert_true(mcast_signkey_format_public(f->ekey, "ups2", line, sizeof(line)) > 0);
	assert_int_equal(mcast_trust_add_text(f->trust, line, strlen(line), NULL, &e), 1);
	mcast_trust_set_groupkey(f->trust, f->group);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mcast_sealer_free(f->signer);
	mcast_sealer_free(f->encrypter);
	mcast_trust_free(f->trust);
	mcast_signkey_free(f->key);
	mcast_signkey_free(f->ekey);
	mcast_signkey_free(f->other);
	mcast_groupkey_free(f->group);
	mcast_groupkey_free(f->wrong);
	free(f);
	return 0;
}

/* The envelope of docs/PROTOCOL.md: seed 00..1f, time T0, payload
 * "power out", first seal of its sealer (seq T0 / 1000). */
static const char vector_hex[] =
	"4d43534501000000"				     /* MCSE, 1, flags 0, 0 */
	"56475aa75463474c"				     /* key id */
	"0006610473279000"				     /* seq */
	"18eaf961d28a8000"				     /* time */
	"706f776572206f7574"				     /* "power out" */
	"401c9a8b0bb8b7686c031f5456102ade40c89acd38c1cc82b2cb2de9cc1d4036" /* signature */
	"cd18d84ee465b62032993b921ba1d63d21042f40f4b4e42abcbc1ea5314a2903";

static void test_known_envelope(void **state)
{
	struct fixture *f = *state;
	mcast_sealer *s;
	unsigned char *env;
	char hex[2 * 256 + 1];
	mcast_error e;
	size_t len;

	assert_int_equal(mcast_sealer_new(&s, f->key, NULL, &e), 0);
	env = seal(s, "power out", 9, T0, &len);
	assert_int_equal(len, 9 + MCAST_ENV_OVERHEAD);
	sodium_bin2hex(hex, sizeof(hex), env, len);
	assert_string_equal(hex, vector_hex);
	free(env);
	mcast_sealer_free(s);
}

/* The second vector of docs/PROTOCOL.md: the next envelope, one second
 * later, encrypted with the group key of 32 bytes 0x42 and the nonce
 * 80 81 .. 97. Opened here, since a sealer's nonces are random. */
static const char vector_enc_hex[] =
	"4d435345010100005647" "5aa75463474c00066104" "7327900118eaf9620e25" "4a00"
	"808182838485868788898a8b8c8d8e8f9091929394959697"		     /* nonce */
	"2a9b3046a395391049"						     /* ciphertext */
	"8575bbd50aaa5f3b89428bc26765ebe6"				     /* tag */
	"b32b0e7b2f51f6c51bddb32a9582bbe1d72333a0e1ee2292597d954091d3b744" /* signature */
	"804e86c8bb4a6cf5a7484ec76f57d5660b05e964db045d68d7762ad38c8bce09";

static void test_known_vectors_open(void **state)
{
	struct fixture *f = *state;
	unsigned char env[160];
	mcast_env_info info;
	size_t len;
	mcast_trust *t = trust_of(f->key, "ups1");
	mcast_groupkey *g = fixed_group(0x42);

	mcast_trust_set_groupkey(t, g);
	assert_int_equal(sodium_hex2bin(env, sizeof(env), vector_hex, strlen(vector_hex),
					NULL, &len, NULL), 0);
	assert_int_equal(open_copy(t, env, len, T0, &info), MCAST_ENV_OK);
	assert_int_equal(info.seq, T0 / 1000);
	assert_memory_equal(info.payload, "power out", 9);
	assert_int_equal(sodium_hex2bin(env, sizeof(env), vector_enc_hex,
					strlen(vector_enc_hex), NULL, &len, NULL), 0);
	assert_int_equal(len, 145);
	assert_int_equal(open_copy(t, env, len, T0 + SEC, &info), MCAST_ENV_OK);
	assert_true(info.encrypted);
	assert_int_equal(info.seq, T0 / 1000 + 1);
	assert_int_equal(info.time_ns, T0 + SEC);
	assert_int_equal(info.payload_len, 9);
	assert_memory_equal(info.payload, "power out", 9);
	assert_string_equal(info.key_hex, "56475aa75463474c");
	mcast_groupkey_free(g);
	mcast_trust_free(t);
}

static void round_trip(struct fixture *f, mcast_sealer *s, size_t plen, uint64_t now)
{
	unsigned char *payload = malloc(plen ? plen : 1), *env;
	mcast_env_info info, peek;
	size_t len;

	assert_non_null(payload);
	for (size_t i = 0; i < plen; i++)
		payload[i] = (unsigned char)(i * 7 + 1);
	env = seal(s, payload, plen, now, &len);
	assert_int_equal(len, plen + mcast_sealer_overhead(s));
	assert_int_equal(mcast_env_parse(env, len, &peek), MCAST_ENV_OK);
	assert_int_equal(open_copy(f->trust, env, len, now + SEC, &info), MCAST_ENV_OK);
	assert_int_equal(info.payload_len, plen);
	assert_memory_equal(info.payload, payload, plen);
	assert_string_equal(info.signer, s == f->encrypter ? "ups2" : "ups1");
	assert_int_equal(info.time_ns, now);
	assert_int_equal(info.seq, peek.seq);
	assert_int_equal(peek.payload_len, plen);
	if (s == f->encrypter) {
		assert_true(info.encrypted && peek.encrypted);
		assert_null(peek.payload);
		/* The plaintext appears nowhere in the envelope. */
		if (plen >= 16)
			assert_null(memmem(env, len, payload, 16));
	} else {
		assert_false(info.encrypted);
		assert_memory_equal(peek.payload, payload, plen);
	}
	free(env);
	free(payload);
}

static void test_round_trips(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 1400, 8972, MCAST_ENV_PAYLOAD_MAX_ENC};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(f, f->signer, sizes[i], T0);
		round_trip(f, f->encrypter, sizes[i], T0);
	}
	round_trip(f, f->signer, MCAST_ENV_PAYLOAD_MAX, T0);
}

static void test_sizes(void **state)
{
	struct fixture *f = *state;
	static unsigned char payload[MCAST_ENV_MAX], out[MCAST_ENV_MAX + 1];
	mcast_error e;

	assert_int_equal(MCAST_ENV_PAYLOAD_MAX + MCAST_ENV_OVERHEAD, MCAST_ENV_MAX);
	assert_int_equal(MCAST_ENV_PAYLOAD_MAX_ENC + MCAST_ENV_OVERHEAD_ENC, MCAST_ENV_MAX);
	assert_int_equal(MCAST_ENV_OVERHEAD, MCAST_ENV_HDR_LEN + MCAST_ENV_SIG_LEN);
	assert_int_equal(MCAST_ENV_OVERHEAD_ENC, MCAST_ENV_OVERHEAD + MCAST_ENV_NONCE_LEN +
							 MCAST_ENV_TAG_LEN);
	assert_int_equal(mcast_sealer_overhead(f->signer), 96);
	assert_int_equal(mcast_sealer_overhead(f->encrypter), 136);
	assert_int_equal(mcast_env_seal(f->signer, payload, MCAST_ENV_PAYLOAD_MAX, out,
					sizeof(out), T0, &e), MCAST_ENV_MAX);
	assert_int_equal(mcast_env_seal(f->signer, payload, MCAST_ENV_PAYLOAD_MAX + 1, out,
					sizeof(out), T0, &e), -EMSGSIZE);
	assert_string_equal(e.msg, "a payload of 65412 bytes does not fit an envelope (at most 65411)");
	assert_int_equal(mcast_env_seal(f->encrypter, payload, MCAST_ENV_PAYLOAD_MAX_ENC + 1,
					out, sizeof(out), T0, &e), -EMSGSIZE);
	assert_string_equal(e.msg, "a payload of 65372 bytes does not fit an envelope "
				   "(at most 65371 when encrypted)");
	assert_int_equal(mcast_env_seal(f->signer, payload, 10, out, 105, T0, &e), -ENOSPC);
	assert_string_equal(e.msg, "an envelope of 106 bytes does not fit 105");
	assert_int_equal(mcast_env_seal(f->signer, payload, 10, out, 106, T0, &e), 106);
	assert_int_equal(mcast_env_seal(f->signer, NULL, 1, out, 106, T0, &e), -EINVAL);
	assert_int_equal(mcast_env_seal(f->signer, NULL, 0, out, 106, T0, &e), 96);
}

/* Sequence numbers: the clock in microseconds at the first seal, then one
 * up per envelope, whatever the clock says later. */
static void test_sequence(void **state)
{
	struct fixture *f = *state;
	mcast_env_info info;
	mcast_sealer *s;
	unsigned char *env;
	mcast_error e;
	size_t len;

	assert_int_equal(mcast_sealer_new(&s, f->key, NULL, &e), 0);
	for (uint64_t i = 0; i < 5; i++) {
		uint64_t now = i == 3 ? T0 - 60 * SEC : T0 + i * 1000;

		env = seal(s, "x", 1, now, &len);
		assert_int_equal(mcast_env_parse(env, len, &info), MCAST_ENV_OK);
		assert_int_equal(info.seq, T0 / 1000 + i);
		assert_int_equal(info.time_ns, now);
		free(env);
	}
	mcast_sealer_free(s);
	/* now 0 reads the clock. */
	assert_int_equal(mcast_sealer_new(&s, f->key, NULL, &e), 0);
	uint64_t before = (uint64_t)time(NULL) * SEC;
	env = seal(s, "x", 1, 0, &len);
	assert_int_equal(mcast_env_parse(env, len, &info), MCAST_ENV_OK);
	assert_true(info.time_ns >= before && info.time_ns < before + 120 * SEC);
	assert_int_equal(info.seq, info.time_ns / 1000);
	free(env);
	mcast_sealer_free(s);
}

static void test_unsigned(void **state)
{
	struct fixture *f = *state;
	static const char *const texts[] = {"", "M", "MCS", "MCSF", "hello world",
					    "MCST\x01\x01\x00\x00 a probe"};
	mcast_env_info info;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(open_copy(f->trust, (const unsigned char *)texts[i],
					   strlen(texts[i]), T0, &info),
				 MCAST_ENV_UNSIGNED);
		assert_null(info.payload);
		assert_null(info.signer);
	}
	assert_int_equal(mcast_env_parse(NULL, 0, &info), MCAST_ENV_UNSIGNED);
}

/* The verdict for env with byte i flipped by mask, as the format decides. */
static int tampered_verdict(size_t i, unsigned char mask, bool encrypted)
{
	if (i < 4)
		return MCAST_ENV_UNSIGNED;
	if (i == 5 && mask & 1) {
		/* The encryption flag: a short "encrypted" envelope is
		 * malformed; either way the signature no longer matches. */
		if (mask != 1)
			return MCAST_ENV_MALFORMED;
		return encrypted ? MCAST_ENV_BAD_SIGNATURE : MCAST_ENV_MALFORMED;
	}
	if (i < 8)
		return MCAST_ENV_MALFORMED;
	if (i < 16)
		return MCAST_ENV_UNKNOWN_KEY;
	return MCAST_ENV_BAD_SIGNATURE;
}

static void tamper_each_byte(struct fixture *f, mcast_sealer *s, uint64_t now)
{
	static const unsigned char masks[] = {0x01, 0x80, 0xff};
	unsigned char *env, *bad;
	mcast_env_info info;
	size_t len;

	env = seal(s, "power out at site 3", 19, now, &len);
	bad = malloc(len);
	assert_non_null(bad);
	for (size_t i = 0; i < len; i++)
		for (size_t m = 0; m < sizeof(masks); m++) {
			int want = tampered_verdict(i, masks[m], s == f->encrypter);

			memcpy(bad, env, len);
			bad[i] ^= masks[m];
			if (open_copy(f->trust, bad, len, now, &info) != want)
				fail_msg("byte %zu ^ 0x%02x: verdict %s, want %s", i, masks[m],
					 mcast_env_verdict_name(open_copy(f->trust, bad, len, now, &info)),
					 mcast_env_verdict_name(want));
			assert_null(info.payload);
		}
	/* None of that moved the window: the genuine envelope still opens. */
	assert_int_equal(open_copy(f->trust, env, len, now, &info), MCAST_ENV_OK);
	assert_memory_equal(info.payload, "power out at site 3", 19);
	free(bad);
	free(env);
}

static void test_tamper_each_byte(void **state)
{
	struct fixture *f = *state;

	tamper_each_byte(f, f->signer, T0);
	tamper_each_byte(f, f->encrypter, T0);
}

static void truncate_each_length(struct fixture *f, mcast_sealer *s)
{
	size_t len, min = mcast_sealer_overhead(s);
	unsigned char *env = seal(s, "truncate me, please", 19, T0, &len);
	mcast_env_info info;

	for (size_t n = 0; n < len; n++) {
		int want = n < 4 ? MCAST_ENV_UNSIGNED
			   : n < min ? MCAST_ENV_MALFORMED
				     : MCAST_ENV_BAD_SIGNATURE;

		assert_int_equal(open_copy(f->trust, env, n, T0, &info), want);
		assert_int_equal(mcast_env_parse(env, n, &info),
				 n < 4 ? MCAST_ENV_UNSIGNED
				 : n < min ? MCAST_ENV_MALFORMED
					   : MCAST_ENV_OK);
	}
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_OK);
	free(env);
}

static void test_truncation(void **state)
{
	struct fixture *f = *state;

	truncate_each_length(f, f->signer);
	truncate_each_length(f, f->encrypter);
}

static void test_malformed_header(void **state)
{
	struct fixture *f = *state;
	mcast_env_info info;
	size_t len;
	unsigned char *env = seal(f->signer, "abc", 3, T0, &len);

	env[4] = 2; /* another version */
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_MALFORMED);
	env[4] = 1;
	env[5] = 0x02; /* a reserved flag */
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_MALFORMED);
	env[5] = 0;
	env[7] = 1; /* the reserved bytes */
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_MALFORMED);
	env[7] = 0;
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_OK);
	free(env);
}

static void test_unknown_key(void **state)
{
	struct fixture *f = *state;
	mcast_env_info info;
	mcast_sealer *s;
	unsigned char *env;
	char fpr[MCAST_KEY_FPR_LEN];
	mcast_error e;
	size_t len;

	assert_int_equal(mcast_sealer_new(&s, f->other, NULL, &e), 0);
	env = seal(s, "forged", 6, T0, &len);
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_UNKNOWN_KEY);
	mcast_signkey_fingerprint(f->other, fpr);
	fpr[16] = '\0';
	assert_string_equal(info.key_hex, fpr);
	assert_null(info.signer);
	assert_null(info.payload);
	/* The same forgery claiming the trusted key's id: bad signature. */
	mcast_signkey_fingerprint(f->key, fpr);
	assert_int_equal(sodium_hex2bin(env + 8, 8, fpr, 16, NULL, NULL, NULL), 0);
	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_BAD_SIGNATURE);
	assert_null(info.signer);
	free(env);
	mcast_sealer_free(s);
}

static void test_replayed(void **state)
{
	struct fixture *f = *state;
	mcast_env_info info;
	size_t len;
	unsigned char *env = seal(f->signer, "once", 4, T0, &len);

	assert_int_equal(open_copy(f->trust, env, len, T0, &info), MCAST_ENV_OK);
	assert_int_equal(open_copy(f->trust, env, len, T0 + SEC, &info), MCAST_ENV_REPLAYED);
	assert_string_equal(info.signer, "ups1");
	assert_null(info.payload);
	free(env);
}

static void test_age(void **state)
{
	struct fixture *f = *state;
	mcast_env_info info;
	unsigned char *env[6];
	size_t len[6];

	for (int i = 0; i < 6; i++)
		env[i] = seal(f->signer, "t", 1, T0, &len[i]);
	assert_int_equal(open_copy(f->trust, env[0], len[0], T0 + 30 * SEC + 1, &info),
			 MCAST_ENV_TOO_OLD);
	assert_string_equal(info.signer, "ups1");
	assert_int_equal(open_copy(f->trust, env[0], len[0], T0 - 30 * SEC - 1, &info),
			 MCAST_ENV_TOO_NEW);
	/* The edges: exactly max age either way is still fresh. */
	assert_int_equal(open_copy(f->trust, env[1], len[1], T0 + 30 * SEC, &info), MCAST_ENV_OK);
	assert_int_equal(open_copy(f->trust, env[2], len[2], T0 - 30 * SEC, &info), MCAST_ENV_OK);
	mcast_trust_set_max_age(f->trust, 2 * SEC);
	assert_int_equal(open_copy(f->trust, env[3], len[3], T0 + 3 * SEC, &info),
			 MCAST_ENV_TOO_OLD);
	mcast_trust_set_max_age(f->trust, 0);
	assert_int_equal(open_copy(f->trust, env[3], len[3], T0 + 1000000 * SEC, &info),
			 MCAST_ENV_OK);
	assert_int_equal(open_copy(f->trust, env[4], len[4], 1, &info), MCAST_ENV_OK);
	/* A stale envelope never entered the window: env[0] opens now. */
	assert_int_equal(open_copy(f->trust, env[0], len[0], T0, &info), MCAST_ENV_OK);
	mcast_trust_set_max_age(f->trust, MCAST_ENV_MAX_AGE);
	for (int i = 0; i < 6; i++)
		free(env[i]);
}

static void test_undecryptable(void **state)
{
	struct fixture *f = *state;
	mcast_trust *plain = trust_of(f->ekey, NULL), *wrong = trust_of(f->ekey, "w");
	mcast_env_info info;
	unsigned char small[4], *env, *sig;
	mcast_error e;
	size_t len, slen;
	char line[MCAST_KEY_LINE_MAX];

	env = seal(f->encrypter, "secret reading", 14, T0, &len);
	sig = seal(f->signer, "clear reading", 13, T0, &slen);
	assert_true(mcast_signkey_format_public(f->key, NULL, line, sizeof(line)) > 0);
	assert_int_equal(mcast_trust_add_text(wrong, line, strlen(line), NULL, &e), 1);
	mcast_trust_set_groupkey(wrong, f->wrong);
	assert_int_equal(open_copy(plain, env, len, T0, &info), MCAST_ENV_UNDECRYPTABLE);
	assert_true(info.encrypted);
	assert_non_null(info.signer); /* the signature did verify */
	assert_int_equal(open_copy(wrong, env, len, T0, &info), MCAST_ENV_UNDECRYPTABLE);
	assert_null(info.payload);
	/* Neither moved the window: with the right key it opens. */
	mcast_trust_set_groupkey(plain, f->group);
	assert_int_equal(open_copy(plain, env, len, T0, &info), MCAST_ENV_OK);
	assert_memory_equal(info.payload, "secret reading", 14);
	/* A signed envelope needs no group key. */
	assert_int_equal(open_copy(wrong, sig, slen, T0, &info), MCAST_ENV_OK);
	/* Too small a buffer for the plaintext is the caller's mistake. */
	assert_int_equal(mcast_env_open(f->trust, env, len, small, sizeof(small), T0, &info, &e),
			 -ENOSPC);
	assert_string_equal(e.msg, "the plaintext of 14 bytes does not fit 4");
	assert_int_equal(mcast_env_open(f->trust, env, len, NULL, 0, T0, &info, &e), -ENOSPC);
	assert_int_equal(mcast_env_open(NULL, env, len, NULL, 0, T0, &info, &e), -EINVAL);
	assert_int_equal(mcast_env_open(f->trust, env, len, NULL, 0, T0, NULL, NULL), -ENOSPC);
	mcast_trust_free(plain);
	mcast_trust_free(wrong);
	free(env);
	free(sig);
}

/* n envelopes from one new sealer of f->key, sequence numbers T0/1000 + i. */
static unsigned char **seal_many(struct fixture *f, size_t n, size_t *len)
{
	unsigned char **env = calloc(n, sizeof(*env));
	mcast_sealer *s;
	mcast_error e;

	assert_non_null(env);
	assert_int_equal(mcast_sealer_new(&s, f->key, NULL, &e), 0);
	for (size_t i = 0; i < n; i++)
		env[i] = seal(s, &i, sizeof(i), T0, len);
	mcast_sealer_free(s);
	return env;
}

static void free_many(unsigned char **env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

/* Open env[i] of a seal_many() batch with a trust set; check the verdict. */
#define OPEN(t, i, want)                                                      \
	do {                                                                  \
		mcast_env_info info_;                                         \
		int v_ = open_copy((t), env[(i)], len, T0, &info_);           \
		if (v_ != (want))                                             \
			fail_msg("envelope %d: %s, want %s", (int)(i),        \
				 mcast_env_verdict_name(v_),                  \
				 mcast_env_verdict_name(want));               \
	} while (0)

static void test_window_edges(void **state)
{
	struct fixture *f = *state;
	size_t len;
	unsigned char **env = seal_many(f, 3100, &len);
	mcast_trust *t = trust_of(f->key, NULL);

	OPEN(t, 2000, MCAST_ENV_OK);
	OPEN(t, 976, MCAST_ENV_REPLAYED); /* 1024 below the top: out */
	OPEN(t, 977, MCAST_ENV_OK);	  /* 1023 below: in, new */
	OPEN(t, 977, MCAST_ENV_REPLAYED);
	OPEN(t, 1999, MCAST_ENV_OK);
	OPEN(t, 2000, MCAST_ENV_REPLAYED);
	OPEN(t, 2001, MCAST_ENV_OK);
	OPEN(t, 977, MCAST_ENV_REPLAYED); /* fell out as the top moved */
	OPEN(t, 978, MCAST_ENV_OK);
	OPEN(t, 3023, MCAST_ENV_OK);	  /* 1022 ahead */
	OPEN(t, 2000, MCAST_ENV_REPLAYED); /* 1023 below, seen */
	OPEN(t, 2001, MCAST_ENV_REPLAYED);
	OPEN(t, 2002, MCAST_ENV_OK);	  /* 1021 below, never seen */
	OPEN(t, 1999, MCAST_ENV_REPLAYED); /* 1024 below */
	mcast_trust_free(t);

	/* Reordered within the window: all accepted once, in any order. */
	t = trust_of(f->key, NULL);
	for (int i = 1023; i >= 0; i--)
		OPEN(t, i, MCAST_ENV_OK);
	for (int i = 0; i < 1024; i++)
		OPEN(t, i, MCAST_ENV_REPLAYED);
	OPEN(t, 1024, MCAST_ENV_OK);
	OPEN(t, 0, MCAST_ENV_REPLAYED);
	mcast_trust_free(t);

	/* A bit left over from a number the window slid past must not make
	 * its successor at the same bit look seen. */
	t = trust_of(f->key, NULL);
	OPEN(t, 5, MCAST_ENV_OK);
	OPEN(t, 1028, MCAST_ENV_OK); /* 1023 ahead: 5 stays in the window */
	OPEN(t, 5, MCAST_ENV_REPLAYED);
	OPEN(t, 1029, MCAST_ENV_OK); /* same bit as 5, which leaves */
	OPEN(t, 6, MCAST_ENV_OK);
	OPEN(t, 2052, MCAST_ENV_OK); /* same bit as 1028, 1023 ahead of 1029 */
	OPEN(t, 1029, MCAST_ENV_REPLAYED);
	OPEN(t, 3090, MCAST_ENV_OK); /* far ahead: the window empties */
	OPEN(t, 2067, MCAST_ENV_OK); /* 1023 below */
	OPEN(t, 2066, MCAST_ENV_REPLAYED);
	mcast_trust_free(t);
	free_many(env, 3100);
}

/*
 * A sender restarts: its new run's sequence numbers start from the clock,
 * above every number of the old run, so an old datagram captured and
 * replayed within max age is rejected once the new run has been heard,
 * even one the receiver never saw.
 */
static void test_restart(void **state)
{
	struct fixture *f = *state;
	mcast_trust *t = trust_of(f->key, NULL);
	mcast_sealer *run1, *run2;
	unsigned char *a[3], *b;
	mcast_env_info info;
	size_t len;
	mcast_error e;

	assert_int_equal(mcast_sealer_new(&run1, f->key, NULL, &e), 0);
	for (int i = 0; i < 3; i++)
		a[i] = seal(run1, "old run", 7, T0 + (uint64_t)i * SEC / 10, &len);
	mcast_sealer_free(run1);
	assert_int_equal(open_copy(t, a[0], len, T0, &info), MCAST_ENV_OK);
	assert_int_equal(open_copy(t, a[1], len, T0, &info), MCAST_ENV_OK);
	assert_int_equal(mcast_sealer_new(&run2, f->key, NULL, &e), 0);
	b = seal(run2, "new run", 7, T0 + 2 * SEC, &len);
	assert_int_equal(open_copy(t, b, len, T0 + 2 * SEC, &info), MCAST_ENV_OK);
	assert_true(info.seq > T0 / 1000 + 2);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(open_copy(t, a[i], len, T0 + 5 * SEC, &info),
				 MCAST_ENV_REPLAYED);
		free(a[i]);
	}
	free(b);
	mcast_sealer_free(run2);
	mcast_trust_free(t);
}

/* Each key has its own window. */
static void test_two_keys(void **state)
{
	struct fixture *f = *state;
	mcast_trust *t = trust_of(f->key, "a");
	mcast_sealer *s1, *s2;
	char line[MCAST_KEY_LINE_MAX];
	unsigned char *x, *y;
	mcast_env_info info;
	mcast_error e;
	size_t len;

	assert_true(mcast_signkey_format_public(f->other, "b", line, sizeof(line)) > 0);
	assert_int_equal(mcast_trust_add_text(t, line, strlen(line), NULL, &e), 1);
	assert_int_equal(mcast_sealer_new(&s1, f->key, NULL, &e), 0);
	assert_int_equal(mcast_sealer_new(&s2, f->other, NULL, &e), 0);
	x = seal(s1, "x", 1, T0, &len);
	y = seal(s2, "y", 1, T0, &len); /* the same sequence number */
	assert_int_equal(open_copy(t, x, len, T0, &info), MCAST_ENV_OK);
	assert_string_equal(info.signer, "a");
	assert_int_equal(open_copy(t, y, len, T0, &info), MCAST_ENV_OK);
	assert_string_equal(info.signer, "b");
	assert_int_equal(open_copy(t, y, len, T0, &info), MCAST_ENV_REPLAYED);
	free(x);
	free(y);
	mcast_sealer_free(s1);
	mcast_sealer_free(s2);
	mcast_trust_free(t);
}

static void test_verdict_names(void **state)
{
	static const char *const names[] = {"ok", "unsigned", "malformed", "unknown_key",
					    "bad_signature", "replayed", "too_old",
					    "too_new", "undecryptable"};

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), MCAST_ENV_VERDICTS);
	for (int i = 0; i < MCAST_ENV_VERDICTS; i++)
		assert_string_equal(mcast_env_verdict_name(i), names[i]);
	assert_string_equal(mcast_env_verdict_name(-1), "unknown");
	assert_string_equal(mcast_env_verdict_name(MCAST_ENV_VERDICTS), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_envelope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_vectors_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_each_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undecryptable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_keys, setup, teardown),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
