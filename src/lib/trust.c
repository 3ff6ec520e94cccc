/*
 * trust.c - the trust set: the public keys a receiver accepts envelopes
 * from, each with its anti-replay window, the max age and the group key.
 *
 * Keys are kept sorted by key id, so that opening an envelope finds its key
 * with one binary search whatever the number of keys. The window is the
 * one of IPsec (RFC 4303, section 3.4.3; the bitmap as RFC 6479 keeps it):
 * a sequence number is new if it is above the highest accepted, or within
 * MCAST_ENV_WINDOW below it and not yet seen.
 */
#include "lib/internal.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define WORDS (MCAST_ENV_WINDOW / 64)

int mcast_trust_new(mcast_trust **out, mcast_error *err)
{
	int rc = mcast__sodium_init(err);

	if (rc < 0)
		return rc;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return mcast__fail(err, -ENOMEM, "out of memory");
	(*out)->max_age = MCAST_ENV_MAX_AGE;
	return 0;
}

void mcast_trust_free(mcast_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i].name);
	free(t->keys);
	sodium_memzero(t, sizeof(*t));
	free(t);
}

static int by_id(const void *a, const void *b)
{
	return memcmp(((const struct mcast__tkey *)a)->id,
		      ((const struct mcast__tkey *)b)->id, MCAST_KEY_ID_LEN);
}

struct mcast__tkey *mcast__trust_find(mcast_trust *t, const uint8_t *id)
{
	struct mcast__tkey want;

	if (t->n == 0)
		return NULL;
	memset(&want, 0, sizeof(want));
	memcpy(want.id, id, MCAST_KEY_ID_LEN);
	return bsearch(&want, t->keys, t->n, sizeof(want), by_id);
}

/*
 * Whether the key k (not yet in t) is new (1), in t or earlier in the batch
 * already (0), or collides with another key's id (-EEXIST).
 */
static int is_new(mcast_trust *t, const struct mcast__tkey *batch, size_t nb,
		  const struct mcast__tkey *k)
{
	const struct mcast__tkey *old = mcast__trust_find(t, k->id);

	for (size_t i = 0; !old && i < nb; i++)
		if (memcmp(batch[i].id, k->id, MCAST_KEY_ID_LEN) == 0)
			old = &batch[i];
	if (!old)
		return 1;
	return memcmp(old->pk, k->pk, MCAST__PK_LEN) == 0 ? 0 : -EEXIST;
}

/* The name of a key: its comment, else source, else its short fingerprint. */
static char *key_name(const struct mcast__keyline *kl, const char *source,
		      const uint8_t *id)
{
	char hex[MCAST_KEY_SHORT_FPR_LEN];

	if (kl->comment[0])
		return strdup(kl->comment);
	if (source)
		return strdup(source);
	mcast__hex(id, MCAST_KEY_ID_LEN, hex);
	return strdup(hex);
}

static void free_batch(struct mcast__tkey *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(b[i].name);
	free(b);
}

/*
 * Parse every key line of text into a new array (*out, *n): all or none,
 * so that a bad line leaves t as it was.
 */
static int parse_all(mcast_trust *t, const char *text, size_t len,
		     const char *source, struct mcast__tkey **out, size_t *n,
		     size_t *found, mcast_error *err)
{
	struct mcast__keyline kl;
	struct mcast__tkey *b = NULL, k;
	size_t nb = 0, cap = 0, pos = 0;
	unsigned line = 0;
	int rc;

	while ((rc = mcast__key_next(text, len, &pos, &line, MCAST__PUBLIC_WORD,
				     source, &kl, err)) > 0) {
		++*found;
		memset(&k, 0, sizeof(k));
		memcpy(k.pk, kl.key, MCAST__PK_LEN);
		mcast__key_id(k.pk, k.id);
		rc = is_new(t, b, nb, &k);
		if (rc < 0 && source) {
			rc = mcast__fail(err, -EEXIST, "%s:%u: another key has the same key id",
					 source, kl.line);
			break;
		}
		if (rc < 0) {
			rc = mcast__fail(err, -EEXIST, "line %u: another key has the same key id",
					 kl.line);
			break;
		}
		if (rc == 0)
			continue;
		if (nb == cap) {
			struct mcast__tkey *nbuf = realloc(b, (cap ? 2 * cap : 4) * sizeof(*b));

			if (!nbuf) {
				rc = mcast__fail(err, -ENOMEM, "out of memory");
				break;
			}
			b = nbuf;
			cap = cap ? 2 * cap : 4;
		}
		k.name = key_name(&kl, source, k.id);
		if (!k.name) {
			rc = mcast__fail(err, -ENOMEM, "out of memory");
			break;
		}
		b[nb++] = k;
	}
	if (rc < 0) {
		free_batch(b, nb);
		return rc;
	}
	*out = b;
	*n = nb;
	return 0;
}

int mcast_trust_add_text(mcast_trust *t, const char *text, size_t len,
			 const char *source, mcast_error *err)
{
	struct mcast__tkey *b = NULL, *keys;
	size_t nb = 0, found = 0;
	int rc;

	if (!t || !text)
		return mcast__fail(err, -EINVAL, "no trust set or no text");
	rc = parse_all(t, text, len, source, &b, &nb, &found, err);
	if (rc < 0)
		return rc;
	if (nb == 0) {
		free(b);
		return found > INT_MAX ? INT_MAX : (int)found;
	}
	keys = realloc(t->keys, (t->n + nb) * sizeof(*keys));
	if (!keys) {
		free_batch(b, nb);
		return mcast__fail(err, -ENOMEM, "out of memory");
	}
	memcpy(keys + t->n, b, nb * sizeof(*b));
	free(b);
	t->keys = keys;
	t->n += nb;
	qsort(t->keys, t->n, sizeof(*t->keys), by_id);
	return found > INT_MAX ? INT_MAX : (int)found;
}

size_t mcast_trust_count(const mcast_trust *t)
{
	return t->n;
}

int mcast_trust_key(const mcast_trust *t, size_t i, const char **name, char *fpr)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	if (i >= t->n)
		return -ENOENT;
	if (name)
		*name = t->keys[i].name;
	if (fpr) {
		crypto_hash_sha256(h, t->keys[i].pk, MCAST__PK_LEN);
		mcast__hex(h, sizeof(h), fpr);
	}
	return 0;
}

void mcast_trust_set_max_age(mcast_trust *t, uint64_t ns)
{
	t->max_age = ns;
}

void mcast_trust_set_groupkey(mcast_trust *t, const mcast_groupkey *g)
{
	sodium_memzero(&t->group, sizeof(t->group));
	t->has_group = g != NULL;
	if (g)
		t->group = *g;
}

static bool bit(const uint64_t *seen, uint64_t seq)
{
	return (seen[(seq / 64) % WORDS] >> (seq % 64)) & 1;
}

bool mcast__window_seen(const struct mcast__tkey *k, uint64_t seq)
{
	if (!k->any || seq > k->top)
		return false;
	if (k->top - seq >= MCAST_ENV_WINDOW)
		return true;
	return bit(k->seen, seq);
}

void mcast__window_add(struct mcast__tkey *k, uint64_t seq)
{
	if (!k->any || seq > k->top) {
		uint64_t ahead = k->any ? seq - k->top : MCAST_ENV_WINDOW;

		/* The numbers the window slides past leave it: their bits
		 * become the bits of top + 1 .. seq, not seen yet. */
		if (ahead >= MCAST_ENV_WINDOW)
			memset(k->seen, 0, sizeof(k->seen));
		else
			for (uint64_t i = 1; i <= ahead; i++) {
				uint64_t s = k->top + i;

				k->seen[(s / 64) % WORDS] &= ~(1ull << (s % 64));
			}
		k->top = seq;
		k->any = true;
	}
	k->seen[(seq / 64) % WORDS] |= 1ull << (seq % 64);
}
