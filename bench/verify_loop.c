/*
 * verify_loop.c - the ceiling for a verifying receiver: libsodium's own
 * crypto_sign_verify_detached() in a tight loop over messages the size of
 * what an envelope signs, next to mcast_env_open() on envelopes of the
 * same payload size, on the same machine in the same run. A receiver that
 * checks signatures cannot open envelopes faster than the first figure;
 * the ratio says what the envelope costs beyond the crypto itself.
 *
 *   verify_loop [--size BYTES] [--seconds S] [--rounds N] [--encrypt] [--json]
 *
 * BYTES is the payload (default 64, as mcast bench send), S the CPU time
 * each loop runs per round (default 2), N the rounds (default 5). The two
 * loops take turns, and the median round of each counts (the best is
 * printed too), so that a burst of other load on the machine hurts neither
 * more than the other. Both go round a ring of RING distinct messages, as
 * a receiver verifies distinct datagrams: Ed25519 verification takes a
 * time that depends on the message (its hash) a little. With --encrypt the
 * envelopes are also encrypted, and the reference loop adds one
 * XChaCha20-Poly1305 decryption of the same size to each verification.
 * Rates are per second of this process's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), which other load moves less than wall-clock
 * time; the wall-clock rates are printed too. bench/seal.sh runs it with
 * --rounds 1 between turns of mcast bench recv --trust.
 *
 * Build and run: make bench-verify (ARGS="--size 1400" for other sizes).
 */
#include <mcast.h>
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Distinct envelopes, so that none is a replay, but few: a receiver opens a
 * datagram recvmsg() has just copied, which is in the cache, as the
 * reference loop's one message is. A new trust set (a fresh window) per
 * lap costs a few microseconds per RING opens.
 */
#define RING 64
#define ROUNDS_MAX 99
#define T0 1795521600000000000ull

struct rate {
	unsigned long long n;
	double wall, cpu; /* seconds */
};

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static unsigned char gk[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];

/* libsodium alone: verify a ring of signed messages (and decrypt) over
 * and over. */
static struct rate reference(size_t size, bool enc, double seconds)
{
	size_t mlen = MCAST_ENV_HDR_LEN + (enc ? MCAST_ENV_NONCE_LEN + MCAST_ENV_TAG_LEN : 0) + size;
	unsigned char *m = calloc(RING, mlen), *plain = malloc(size + 1);
	unsigned char (*sig)[crypto_sign_BYTES] = malloc(RING * crypto_sign_BYTES);
	unsigned char nonce[24] = {0};
	double w0, c0, end;
	struct rate r = {0};

	if (!m || !plain || !sig)
		exit(1);
	randombytes_buf(m, RING * mlen);
	for (size_t j = 0; j < RING; j++) {
		unsigned char *mj = m + j * mlen;

		if (enc)
			crypto_aead_xchacha20poly1305_ietf_encrypt(mj + 56, NULL, plain, size, mj,
								   32, NULL, nonce, gk);
		crypto_sign_detached(sig[j], NULL, mj, mlen, sk);
	}
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	end = c0 + seconds;
	do {
		for (size_t j = 0; j < RING; j++) {
			unsigned char *mj = m + j * mlen;

			if (crypto_sign_verify_detached(sig[j], mj, mlen, pk) != 0)
				exit(1);
			if (enc && crypto_aead_xchacha20poly1305_ietf_decrypt(
					   plain, NULL, NULL, mj + 56, size + 16, mj, 32, nonce, gk) != 0)
				exit(1);
		}
		r.n += RING;
	} while (now(CLOCK_PROCESS_CPUTIME_ID) < end);
	r.cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	r.wall = now(CLOCK_MONOTONIC) - w0;
	free(m);
	free(plain);
	free(sig);
	return r;
}

static mcast_trust *trust_for(const char *pub, mcast_groupkey *g)
{
	mcast_trust *t;
	mcast_error e;

	if (mcast_trust_new(&t, &e) < 0 || mcast_trust_add_text(t, pub, strlen(pub), NULL, &e) != 1) {
		fprintf(stderr, "verify_loop: %s\n", e.msg);
		exit(1);
	}
	mcast_trust_set_groupkey(t, g);
	mcast_trust_set_max_age(t, 0);
	return t;
}

/* libmcast: open a ring of distinct envelopes, a new trust set per lap. */
static struct rate envelopes(size_t size, bool enc, double seconds)
{
	char secret[MCAST_KEY_LINE_MAX], pub[MCAST_KEY_LINE_MAX], b64[45];
	size_t envlen = size + (enc ? MCAST_ENV_OVERHEAD_ENC : MCAST_ENV_OVERHEAD);
	unsigned char *ring = malloc(RING * envlen), *payload = calloc(1, size + 1);
	unsigned char *plain = malloc(size + 1);
	mcast_signkey *k;
	mcast_groupkey *g = NULL;
	mcast_sealer *s;
	mcast_trust *t;
	mcast_env_info info;
	mcast_error e;
	double w0, c0, end;
	struct rate r = {0};
	size_t i = 0;

	if (!ring || !payload || !plain)
		exit(1);
	sodium_bin2base64(b64, sizeof(b64), sk, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(secret, sizeof(secret), "mcast-ed25519-secret %s\n", b64);
	if (mcast_signkey_parse(&k, secret, strlen(secret), &e) < 0 ||
	    (enc && mcast_groupkey_new(&g, &e) < 0) || mcast_sealer_new(&s, k, g, &e) < 0) {
		fprintf(stderr, "verify_loop: %s\n", e.msg);
		exit(1);
	}
	mcast_signkey_format_public(k, "bench", pub, sizeof(pub));
	for (size_t j = 0; j < RING; j++)
		if (mcast_env_seal(s, payload, size, ring + j * envlen, envlen, T0, &e) !=
		    (ssize_t)envlen)
			exit(1);
	t = trust_for(pub, g);
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	end = c0 + seconds;
	do {
		for (int j = 0; j < 64; j++, i++) {
			if (i == RING) {
				mcast_trust_free(t);
				t = trust_for(pub, g);
				i = 0;
			}
			if (mcast_env_open(t, ring + i * envlen, envlen, plain, size + 1, T0, &info,
					   &e) != MCAST_ENV_OK)
				exit(1);
		}
		r.n += 64;
	} while (now(CLOCK_PROCESS_CPUTIME_ID) < end);
	r.cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	r.wall = now(CLOCK_MONOTONIC) - w0;
	mcast_trust_free(t);
	mcast_sealer_free(s);
	mcast_signkey_free(k);
	mcast_groupkey_free(g);
	free(ring);
	free(payload);
	free(plain);
	return r;
}

static int by_rate(const void *a, const void *b)
{
	const struct rate *x = a, *y = b;
	double rx = x->n / x->cpu, ry = y->n / y->cpu;

	return rx < ry ? -1 : rx > ry;
}

/* The median of n rounds by rate per CPU second (sorts r), and the best. */
static struct rate median(struct rate *r, int n, struct rate *best)
{
	qsort(r, (size_t)n, sizeof(*r), by_rate);
	*best = r[n - 1];
	return r[n / 2];
}

static void print(size_t size, bool enc, bool json, int rounds, double seconds,
		  struct rate ref, struct rate env, struct rate ref_best, struct rate env_best)
{
	if (json) {
		printf("{\"payload_bytes\":%zu,\"encrypted\":%s,\"signed_bytes\":%zu,\"rounds\":%d,"
		       "\"libsodium_verifies_per_cpu_s\":%.0f,\"libsodium_verifies_per_s\":%.0f,"
		       "\"mcast_env_open_per_cpu_s\":%.0f,\"mcast_env_open_per_s\":%.0f,"
		       "\"libsodium_best_per_cpu_s\":%.0f,\"mcast_env_open_best_per_cpu_s\":%.0f,"
		       "\"ratio\":%.3f}\n",
		       size, enc ? "true" : "false", size + (enc ? 72 : 32), rounds,
		       ref.n / ref.cpu, ref.n / ref.wall, env.n / env.cpu, env.n / env.wall,
		       ref_best.n / ref_best.cpu, env_best.n / env_best.cpu,
		       (env.n / env.cpu) / (ref.n / ref.cpu));
		return;
	}
	printf("payload %zu bytes%s: each verification covers %zu bytes; median of %d rounds "
	       "of %.1f s of CPU\n", size, enc ? ", encrypted" : "", size + (enc ? 72 : 32),
	       rounds, seconds);
	printf("  crypto_sign_verify_detached%s  %8.0f /s CPU  %8.0f /s wall  %6.2f us each"
	       "  (best %.0f /s CPU)\n", enc ? " + decrypt" : "", ref.n / ref.cpu,
	       ref.n / ref.wall, 1e6 * ref.cpu / ref.n, ref_best.n / ref_best.cpu);
	printf("  mcast_env_open%s  %8.0f /s CPU  %8.0f /s wall  %6.2f us each"
	       "  (best %.0f /s CPU)\n", enc ? "              " : "             ",
	       env.n / env.cpu, env.n / env.wall, 1e6 * env.cpu / env.n,
	       env_best.n / env_best.cpu);
	printf("  mcast_env_open / libsodium: %.3fx\n", (env.n / env.cpu) / (ref.n / ref.cpu));
}

int main(int argc, char **argv)
{
	size_t size = 64;
	double seconds = 2;
	long rounds = 5;
	bool enc = false, json = false;
	struct rate ref[ROUNDS_MAX], env[ROUNDS_MAX], rm, em, rb, eb;

	for (int i = 1; i < argc; i++) {
		char *end = NULL;

		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size = strtoul(argv[++i], &end, 10);
		else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], &end);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = strtol(argv[++i], &end, 10);
		else if (strcmp(argv[i], "--encrypt") == 0)
			enc = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			end = argv[i];
		if (end && *end) {
			fprintf(stderr, "usage: verify_loop [--size BYTES] [--seconds S] "
					"[--rounds N] [--encrypt] [--json]\n");
			return 2;
		}
	}
	if (size > (enc ? MCAST_ENV_PAYLOAD_MAX_ENC : MCAST_ENV_PAYLOAD_MAX) || seconds <= 0 ||
	    rounds < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "verify_loop: size, seconds or rounds out of range\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	crypto_aead_xchacha20poly1305_ietf_keygen(gk);
	for (int round = 0; round < rounds; round++) {
		ref[round] = reference(size, enc, seconds);
		env[round] = envelopes(size, enc, seconds);
	}
	rm = median(ref, (int)rounds, &rb);
	em = median(env, (int)rounds, &eb);
	print(size, enc, json, (int)rounds, seconds, rm, em, rb, eb);
	return 0;
}
