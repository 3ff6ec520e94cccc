/*
 * srcset.c - open addressing with linear probing over address bytes.
 */
#include "cli/srcset.h"

#include <stdlib.h>
#include <string.h>

struct srcset_slot {
	uint8_t used, family;
	uint8_t addr[16];
	uint32_t scope;
};

static void key(const mcast_addr *a, struct srcset_slot *k)
{
	memset(k, 0, sizeof(*k));
	k->used = 1;
	k->family = (uint8_t)mcast_addr_family(a);
	if (k->family == AF_INET6) {
		memcpy(k->addr, &a->u.sin6.sin6_addr, 16);
		k->scope = a->u.sin6.sin6_scope_id;
	} else {
		memcpy(k->addr, &a->u.sin.sin_addr, 4);
	}
}

/* FNV-1a over the key bytes. */
static size_t hash(const struct srcset_slot *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

static struct srcset_slot *probe(struct srcset_slot *slots, size_t cap,
				 const struct srcset_slot *k)
{
	for (size_t i = hash(k) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].used || memcmp(&slots[i], k, sizeof(*k)) == 0)
			return &slots[i];
}

void srcset_init(struct srcset *s, size_t limit)
{
	memset(s, 0, sizeof(*s));
	s->limit = limit;
}

static int grow(struct srcset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 16;
	struct srcset_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].used)
			*probe(slots, cap, &s->slots[i]) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int srcset_add(struct srcset *s, const mcast_addr *a)
{
	struct srcset_slot k, *slot;

	key(a, &k);
	if (s->cap) {
		slot = probe(s->slots, s->cap, &k);
		if (slot->used)
			return 0;
	}
	if (s->count >= s->limit) {
		s->full = true;
		return -1;
	}
	/* Keep the table at most half full so probes stay short. */
	if (2 * (s->count + 1) > s->cap && grow(s) < 0) {
		s->full = true;
		return -1;
	}
	*probe(s->slots, s->cap, &k) = k;
	s->count++;
	return 1;
}

void srcset_free(struct srcset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
