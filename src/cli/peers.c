/*
 * peers.c - an insertion-ordered array of peers with an open-addressing
 * index. Each peer is allocated on its own, so its value never moves.
 */
#include "cli/peers.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct peer {
	mcast_addr addr;
	/* The value follows, aligned for any type. */
	alignas(max_align_t) unsigned char value[];
};

/* The bytes that identify an address: family, address, scope, port. */
struct key {
	uint8_t family, pad;
	uint16_t port;
	uint32_t scope;
	uint8_t addr[16];
};

static void make_key(const struct peers *t, const mcast_addr *a, struct key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)mcast_addr_family(a);
	if (t->with_port)
		k->port = mcast_addr_port(a);
	if (k->family == AF_INET6) {
		memcpy(k->addr, &a->u.sin6.sin6_addr, 16);
		k->scope = a->u.sin6.sin6_scope_id;
	} else {
		memcpy(k->addr, &a->u.sin.sin_addr, 4);
	}
}

/* FNV-1a over the key bytes. */
static size_t hash(const struct key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* The index slot for k: the one holding it, or the empty one it goes in. */
static uint32_t *probe(const struct peers *t, uint32_t *index, size_t slots,
		       const struct key *k)
{
	for (size_t i = hash(k) & (slots - 1);; i = (i + 1) & (slots - 1)) {
		struct key have;

		if (index[i] == 0)
			return &index[i];
		make_key(t, &t->v[index[i] - 1]->addr, &have);
		if (memcmp(&have, k, sizeof(have)) == 0)
			return &index[i];
	}
}

void peers_init(struct peers *t, size_t value_size, size_t limit, bool with_port)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
	t->value_size = value_size;
	t->with_port = with_port;
}

/* Make room for one more peer: a bigger array, a bigger index. */
static int grow(struct peers *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct peer **v = realloc(t->v, cap * sizeof(struct peer *));

		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	/* Keep the index at most half full so probes stay short. */
	if (2 * (t->n + 1) > t->slots) {
		size_t slots = t->slots ? 2 * t->slots : 32;
		uint32_t *index = calloc(slots, sizeof(*index));
		struct key k;

		if (!index)
			return -1;
		for (size_t i = 0; i < t->n; i++) {
			make_key(t, &t->v[i]->addr, &k);
			*probe(t, index, slots, &k) = (uint32_t)(i + 1);
		}
		free(t->index);
		t->index = index;
		t->slots = slots;
	}
	return 0;
}

void *peers_find(const struct peers *t, const mcast_addr *a)
{
	struct key k;
	uint32_t *slot;

	if (!t->slots)
		return NULL;
	make_key(t, a, &k);
	slot = probe(t, t->index, t->slots, &k);
	return *slot ? t->v[*slot - 1]->value : NULL;
}

void *peers_get(struct peers *t, const mcast_addr *a, bool *added)
{
	void *have = peers_find(t, a);
	struct peer *p;
	struct key k;

	if (added)
		*added = false;
	if (have)
		return have;
	if (t->n >= t->limit || grow(t) < 0 ||
	    !(p = calloc(1, sizeof(*p) + t->value_size))) {
		t->full = true;
		return NULL;
	}
	p->addr = *a;
	t->v[t->n++] = p;
	make_key(t, a, &k);
	*probe(t, t->index, t->slots, &k) = (uint32_t)t->n;
	if (added)
		*added = true;
	return p->value;
}

size_t peers_count(const struct peers *t)
{
	return t->n;
}

void *peers_at(const struct peers *t, size_t i)
{
	return t->v[i]->value;
}

const mcast_addr *peers_addr(const void *v)
{
	const unsigned char *p = v;

	return &((const struct peer *)(p - offsetof(struct peer, value)))->addr;
}

void peers_free(struct peers *t, void (*drop)(void *v))
{
	for (size_t i = 0; i < t->n; i++) {
		if (drop)
			drop(t->v[i]->value);
		free(t->v[i]);
	}
	free(t->v);
	free(t->index);
	memset(t, 0, sizeof(*t));
}
