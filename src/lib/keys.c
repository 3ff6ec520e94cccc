/*
 * keys.c - signing keys and group keys, and their one-line text form
 * (docs/PROTOCOL.md, "Key files"): "mcast-ed25519-secret BASE64 [comment]",
 * "mcast-ed25519-public ...", "mcast-group-key ...".
 *
 * A key file may be pasted, mailed or compared by eye, so the parser is
 * strict about the key (exactly 44 characters of padded base64 that decode
 * to 32 bytes, with no stray bits, so one key has one spelling) and says on
 * which line what is wrong. It never quotes a line back: the line may be a
 * secret key, and error messages end up in logs.
 */
#include "lib/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define B64_LEN 44 /* 32 bytes in padded base64 */

/* The fingerprint of a group key hashes this prefix with the key, so it
 * can never equal the fingerprint of a public key that is the same bytes. */
static const char group_fpr_prefix[] = "mcast-group-key";

int mcast__sodium_init(mcast_error *err)
{
	/* sodium_init() is idempotent and thread-safe: 0 first, 1 after. */
	if (sodium_init() < 0)
		return mcast__fail(err, -EIO, "libsodium failed to initialise");
	return 0;
}

void mcast__key_id(const uint8_t *pk, uint8_t *id)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, MCAST__PK_LEN);
	memcpy(id, h, MCAST_KEY_ID_LEN);
}

void mcast__hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

uint64_t mcast__realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Fail with "SOURCE:LINE: why" or "line LINE: why". */
static int line_fail(mcast_error *err, const char *source, unsigned line,
		     const char *why)
{
	if (source)
		return mcast__fail(err, -EINVAL, "%s:%u: %s", source, line, why);
	return mcast__fail(err, -EINVAL, "line %u: %s", line, why);
}

/* What a line that starts with another key type holds, for the message. */
static const char *type_name(const char *p, size_t n)
{
	static const struct {
		const char *word, *name;
	} types[] = {
		{MCAST__SECRET_WORD, "a secret signing key"},
		{MCAST__PUBLIC_WORD, "a public key"},
		{MCAST__GROUP_WORD, "a group key"},
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strlen(types[i].word) == n && memcmp(types[i].word, p, n) == 0)
			return types[i].name;
	return NULL;
}

/*
 * Check the comment p[0..n) (already trimmed) and copy it into kl. Bytes
 * from 0x80 up pass (UTF-8 names); controls do not, C0, DEL or C1 (UTF-8
 * c2 80 .. c2 9f, which terminals obey as escapes too), so a signer's name
 * printed in a log is one harmless line.
 */
static const char *take_comment(const char *p, size_t n,
				struct mcast__keyline *kl)
{
	if (n > MCAST_KEY_COMMENT_MAX)
		return "the comment is longer than 64 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] >= 0x80 &&
		     (unsigned char)p[i + 1] <= 0x9f))
			return "the comment contains a control character";
	}
	memcpy(kl->comment, p, n);
	kl->comment[n] = '\0';
	return NULL;
}

/*
 * Decode the 44 characters at p into key[32] if they are the one spelling
 * of 32 bytes in padded base64: 43 characters of the alphabet, then "=".
 * The alphabet is checked here because libsodium 1.0.18's decoder takes
 * some bytes above 0x7f for letters (fuzz_keys found one); and the result
 * is encoded again and compared, so that no decoder leniency (stray low
 * bits, say) gives one key two spellings.
 */
static bool canonical_b64(const char *p, uint8_t *key, size_t *len, const char **end)
{
	char again[B64_LEN + 1];
	bool ok;

	for (int i = 0; i < B64_LEN - 1; i++) {
		char c = p[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	if (p[B64_LEN - 1] != '=')
		return false;
	if (sodium_base642bin(key, 32, p, B64_LEN, NULL, len, end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *len != 32 || *end != p + B64_LEN)
		return false;
	sodium_bin2base64(again, sizeof(again), key, 32, sodium_base64_VARIANT_ORIGINAL);
	ok = memcmp(again, p, B64_LEN) == 0;
	sodium_memzero(again, sizeof(again));
	return ok;
}

/*
 * Parse one non-blank, non-comment line p[0..n) that should be of type
 * word. Returns NULL with kl filled, or what is wrong.
 */
static const char *parse_line(const char *p, size_t n, const char *word,
			      struct mcast__keyline *kl)
{
	size_t w = 0, k, b64_len = 0;
	const char *end = NULL, *other;

	while (w < n && !blank(p[w]))
		w++;
	if (w != strlen(word) || memcmp(p, word, w) != 0) {
		other = type_name(p, w);
		if (!other)
			return "not a key line";
		if (strcmp(word, MCAST__SECRET_WORD) == 0)
			return strcmp(other, "a public key") == 0
				       ? "this is a public key: a secret key file starts with 'mcast-ed25519-secret'"
				       : "this is a group key, not a secret signing key";
		if (strcmp(word, MCAST__PUBLIC_WORD) == 0)
			return strcmp(other, "a group key") == 0
				       ? "this is a group key, not a public key"
				       : "this is a secret key: never hand it out; give the .pub file";
		return strcmp(other, "a public key") == 0
			       ? "this is a public key, not a group key"
			       : "this is a secret signing key, not a group key";
	}
	while (w < n && blank(p[w]))
		w++;
	for (k = w; k < n && !blank(p[k]); k++)
		;
	if (k - w != B64_LEN)
		return "the key is not 44 characters of base64";
	if (!canonical_b64(p + w, kl->key, &b64_len, &end)) {
		sodium_memzero(kl->key, sizeof(kl->key));
		return "the key is not valid base64 of 32 bytes";
	}
	while (k < n && blank(p[k]))
		k++;
	return take_comment(p + k, n - k, kl);
}

int mcast__key_next(const char *text, size_t len, size_t *pos, unsigned *line,
		    const char *word, const char *source,
		    struct mcast__keyline *kl, mcast_error *err)
{
	while (*pos < len) {
		const char *p = text + *pos, *nl = memchr(p, '\n', len - *pos);
		size_t n = nl ? (size_t)(nl - p) : len - *pos, s = 0;
		const char *why;

		*pos += nl ? n + 1 : n;
		++*line;
		if (memchr(p, '\0', n))
			return line_fail(err, source, *line, "the line contains a NUL byte");
		/* Trim blanks, and the CR of a file written on Windows. */
		while (n > 0 && (blank(p[n - 1]) || p[n - 1] == '\r'))
			n--;
		while (s < n && blank(p[s]))
			s++;
		if (s == n || p[s] == '#')
			continue;
		memset(kl, 0, sizeof(*kl));
		kl->line = *line;
		why = parse_line(p + s, n - s, word, kl);
		if (why) {
			sodium_memzero(kl, sizeof(*kl));
			return line_fail(err, source, *line, why);
		}
		return 1;
	}
	return 0;
}

/*
 * Exactly one key line of type word in text, into key[32]. Returns 0,
 * -EINVAL with a message.
 */
static int parse_one(const char *text, size_t len, const char *word,
		     uint8_t *key, mcast_error *err)
{
	struct mcast__keyline kl, extra;
	unsigned line = 0;
	size_t pos = 0;
	int rc;

	if (!text)
		return mcast__fail(err, -EINVAL, "no key text");
	rc = mcast__key_next(text, len, &pos, &line, word, NULL, &kl, err);
	if (rc == 0)
		return mcast__fail(err, -EINVAL, "no '%s' line", word);
	if (rc < 0)
		return rc;
	rc = mcast__key_next(text, len, &pos, &line, word, NULL, &extra, err);
	sodium_memzero(&extra, sizeof(extra));
	if (rc != 0) {
		sodium_memzero(&kl, sizeof(kl));
		return rc < 0 ? rc : line_fail(err, NULL, line, "a second key: the file must hold one");
	}
	memcpy(key, kl.key, sizeof(kl.key));
	sodium_memzero(&kl, sizeof(kl));
	return 0;
}

/*
 * Write "WORD BASE64[ COMMENT]\n" for the 32 bytes key into buf. Returns
 * the length, -EINVAL for a bad comment, -ENOSPC.
 */
static ssize_t format_line(const char *word, const uint8_t *key,
			   const char *comment, char *buf, size_t cap)
{
	char b64[B64_LEN + 1];
	struct mcast__keyline kl;
	size_t cn = comment ? strlen(comment) : 0, need;
	int n;

	if (cn && (blank(comment[0]) || blank(comment[cn - 1]) ||
		   take_comment(comment, cn, &kl)))
		return -EINVAL;
	need = strlen(word) + 1 + B64_LEN + (cn ? cn + 1 : 0) + 1;
	if (!buf || cap < need + 1)
		return -ENOSPC;
	sodium_bin2base64(b64, sizeof(b64), key, 32, sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(buf, cap, "%s %s%s%s\n", word, b64, cn ? " " : "", cn ? comment : "");
	sodium_memzero(b64, sizeof(b64));
	return n;
}

static void fingerprint(const uint8_t *prefix, size_t plen, const uint8_t *key,
			size_t klen, char *out)
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	if (plen)
		crypto_hash_sha256_update(&st, prefix, plen);
	crypto_hash_sha256_update(&st, key, klen);
	crypto_hash_sha256_final(&st, h);
	mcast__hex(h, sizeof(h), out);
}

/* A signing key from its 32-byte seed, or NULL without memory. */
static mcast_signkey *signkey_from_seed(const uint8_t *seed)
{
	mcast_signkey *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	mcast__key_id(k->pk, k->id);
	return k;
}

int mcast_signkey_new(mcast_signkey **out, mcast_error *err)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int rc = mcast__sodium_init(err);

	if (rc < 0)
		return rc;
	randombytes_buf(seed, sizeof(seed));
	*out = signkey_from_seed(seed);
	sodium_memzero(seed, sizeof(seed));
	return *out ? 0 : mcast__fail(err, -ENOMEM, "out of memory");
}

int mcast_signkey_parse(mcast_signkey **out, const char *text, size_t len,
			mcast_error *err)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	int rc = mcast__sodium_init(err);

	if (rc == 0)
		rc = parse_one(text, len, MCAST__SECRET_WORD, seed, err);
	if (rc < 0)
		return rc;
	*out = signkey_from_seed(seed);
	sodium_memzero(seed, sizeof(seed));
	return *out ? 0 : mcast__fail(err, -ENOMEM, "out of memory");
}

ssize_t mcast_signkey_format_secret(const mcast_signkey *k, const char *comment,
				    char *buf, size_t cap)
{
	/* libsodium's secret key is the seed followed by the public key; the
	 * file holds the seed, which is what other Ed25519 libraries take. */
	return format_line(MCAST__SECRET_WORD, k->sk, comment, buf, cap);
}

ssize_t mcast_signkey_format_public(const mcast_signkey *k, const char *comment,
				    char *buf, size_t cap)
{
	return format_line(MCAST__PUBLIC_WORD, k->pk, comment, buf, cap);
}

void mcast_signkey_fingerprint(const mcast_signkey *k, char *out)
{
	fingerprint(NULL, 0, k->pk, sizeof(k->pk), out);
}

void mcast_signkey_free(mcast_signkey *k)
{
	if (!k)
		return;
	sodium_memzero(k, sizeof(*k));
	free(k);
}

int mcast_groupkey_new(mcast_groupkey **out, mcast_error *err)
{
	int rc = mcast__sodium_init(err);

	if (rc < 0)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return mcast__fail(err, -ENOMEM, "out of memory");
	crypto_aead_xchacha20poly1305_ietf_keygen((*out)->key);
	return 0;
}

int mcast_groupkey_parse(mcast_groupkey **out, const char *text, size_t len,
			 mcast_error *err)
{
	uint8_t key[MCAST__GK_LEN];
	int rc = mcast__sodium_init(err);

	if (rc == 0)
		rc = parse_one(text, len, MCAST__GROUP_WORD, key, err);
	if (rc < 0)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (*out)
		memcpy((*out)->key, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	return *out ? 0 : mcast__fail(err, -ENOMEM, "out of memory");
}

ssize_t mcast_groupkey_format(const mcast_groupkey *k, const char *comment,
			      char *buf, size_t cap)
{
	return format_line(MCAST__GROUP_WORD, k->key, comment, buf, cap);
}

void mcast_groupkey_fingerprint(const mcast_groupkey *k, char *out)
{
	fingerprint((const uint8_t *)group_fpr_prefix, strlen(group_fpr_prefix),
		    k->key, sizeof(k->key), out);
}

void mcast_groupkey_free(mcast_groupkey *k)
{
	if (!k)
		return;
	sodium_memzero(k, sizeof(*k));
	free(k);
}
