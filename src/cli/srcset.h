/*
 * srcset.h - a set of distinct source addresses, bounded in memory: a
 * hostile segment can forge any number of sources, so past a limit the set
 * stops growing and says so.
 */
#ifndef MCAST_CLI_SRCSET_H
#define MCAST_CLI_SRCSET_H

#include "mcast.h"

struct srcset {
	struct srcset_slot *slots;
	size_t cap;   /* slots, a power of two */
	size_t count; /* distinct addresses stored */
	size_t limit; /* the most it will store */
	bool full;    /* an address was refused for want of room */
};

/* Start an empty set that holds at most limit addresses. */
void srcset_init(struct srcset *s, size_t limit);
/* Add the address of a (the port is ignored). Returns 1 if new, 0 if seen,
 * -1 if the set is full or out of memory (then s->full is set). */
int srcset_add(struct srcset *s, const mcast_addr *a);
void srcset_free(struct srcset *s);

#endif
