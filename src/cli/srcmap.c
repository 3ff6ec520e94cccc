/*
 * srcmap.c - an insertion-ordered array with an open-addressing index.
 */
#include "cli/srcmap.h"

#include <stdlib.h>
#include <string.h>

/* The bytes that identify an address: family, address, scope, port. */
struct key {
	uint8_t family, pad;
	uint16_t port;
	uint32_t scope;
	uint8_t addr[16];
};

static void make_key(const struct srcmap *m, const mcast_addr *a, struct key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)mcast_addr_family(a);
	if (m->with_port)
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
static uint32_t *probe(const struct srcmap *m, uint32_t *index, size_t slots,
		       const struct key *k)
{
	for (size_t i = hash(k) & (slots - 1);; i = (i + 1) & (slots - 1)) {
		struct key have;

		if (index[i] == 0)
			return &index[i];
		make_key(m, &m->v[index[i] - 1].addr, &have);
		if (memcmp(&have, k, sizeof(have)) == 0)
			return &index[i];
	}
}

void srcmap_init(struct srcmap *m, size_t limit, bool with_port)
{
	memset(m, 0, sizeof(*m));
	m->limit = limit;
	m->with_port = with_port;
}

/* Make room for one more entry: a bigger array, a bigger index. */
static int grow(struct srcmap *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct srcmap_entry *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	/* Keep the index at most half full so probes stay short. */
	if (2 * (m->n + 1) > m->slots) {
		size_t slots = m->slots ? 2 * m->slots : 32;
		uint32_t *index = calloc(slots, sizeof(*index));
		struct key k;

		if (!index)
			return -1;
		for (size_t i = 0; i < m->n; i++) {
			make_key(m, &m->v[i].addr, &k);
			*probe(m, index, slots, &k) = (uint32_t)(i + 1);
		}
		free(m->index);
		m->index = index;
		m->slots = slots;
	}
	return 0;
}

struct srcmap_entry *srcmap_get(struct srcmap *m, const mcast_addr *a,
				bool *added)
{
	struct srcmap_entry *e;
	struct key k;

	if (added)
		*added = false;
	make_key(m, a, &k);
	if (m->slots) {
		uint32_t *slot = probe(m, m->index, m->slots, &k);

		if (*slot)
			return &m->v[*slot - 1];
	}
	if (m->n >= m->limit || grow(m) < 0) {
		m->full = true;
		return NULL;
	}
	e = &m->v[m->n];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	m->n++;
	*probe(m, m->index, m->slots, &k) = (uint32_t)m->n;
	if (added)
		*added = true;
	return e;
}

void srcmap_free(struct srcmap *m)
{
	free(m->v);
	free(m->index);
	memset(m, 0, sizeof(*m));
}
