/*
 * srcmap.h - per-address state (sources, responders), bounded in memory: a
 * hostile segment can forge any number of sources, so past a limit the map
 * stops growing and says so. Entries keep the order they were added in.
 */
#ifndef MCAST_CLI_SRCMAP_H
#define MCAST_CLI_SRCMAP_H

#include "mcast.h"

struct srcmap_entry {
	mcast_addr addr; /* as first seen (with its port) */
	uint64_t count;  /* free for the user: datagrams, replies, ... */
	uint64_t a, b;   /* free for the user: tokens and time, ... */
};

struct srcmap {
	struct srcmap_entry *v; /* entries, in the order added */
	size_t n, cap;
	uint32_t *index; /* hash table of entry numbers + 1; 0 = empty */
	size_t slots;    /* a power of two, at least twice n */
	size_t limit;
	bool with_port; /* the port is part of the key */
	bool full;      /* an address was refused for want of room */
};

/* An empty map of at most limit entries, keyed by address (and port). */
void srcmap_init(struct srcmap *m, size_t limit, bool with_port);
/* The entry for a, added (zeroed, *added true) if new. NULL when the map is
 * full or memory ran out; then m->full is set. */
struct srcmap_entry *srcmap_get(struct srcmap *m, const mcast_addr *a,
				bool *added);
void srcmap_free(struct srcmap *m);

#endif
