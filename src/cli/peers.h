/*
 * peers.h - a table of per-peer state (sources, responders, probers),
 * bounded in memory: a hostile segment can forge any number of sources, so
 * past a limit the table stops growing and says so.
 *
 * After libuv's handles: the table stores one value of the caller's own
 * type per peer (its size given to peers_init()), zeroed when the peer is
 * added, never reinterpreted by the table. A value stays at the same
 * address for the life of the table, so callers may keep pointers to it.
 * Peers keep the order they were added in.
 */
#ifndef MCAST_CLI_PEERS_H
#define MCAST_CLI_PEERS_H

#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct peer; /* one peer: its address, then its value */

struct peers {
	struct peer **v; /* peers, in the order added */
	size_t n, cap;
	uint32_t *index; /* hash table of peer numbers + 1; 0 = empty */
	size_t slots;    /* a power of two, at least twice n */
	size_t limit, value_size;
	bool with_port; /* the port is part of the key */
	bool full;      /* a peer was refused for want of room */
};

/*
 * An empty table of at most limit peers, each with a value of value_size
 * bytes (0 for none), keyed by address, and by port too when with_port.
 */
void peers_init(struct peers *t, size_t value_size, size_t limit, bool with_port);

/*
 * The value of peer a, added (zeroed; *added set true when added is not
 * NULL) if new. NULL when the table is full or memory ran out; then
 * t->full is set.
 */
void *peers_get(struct peers *t, const mcast_addr *a, bool *added);

/* The value of peer a, or NULL when a is not in the table. */
void *peers_find(const struct peers *t, const mcast_addr *a);

/* How many peers there are. */
size_t peers_count(const struct peers *t);

/* The value of the i-th peer added (i < peers_count()). */
void *peers_at(const struct peers *t, size_t i);

/* The address of the peer whose value is v, as first seen (with its port). */
const mcast_addr *peers_addr(const void *v);

/*
 * Free the table; drop (if not NULL) is called first on each value, for
 * what the value owns (histograms, buffers).
 */
void peers_free(struct peers *t, void (*drop)(void *v));

#endif
