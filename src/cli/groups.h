/*
 * groups.h - several groups in one receiver: the GROUP:PORT operands and
 * ranges (239.1.1.1+15:5000), one socket per family and port that joins
 * every group on it, and what arrived on each group.
 */
#ifndef MCAST_CLI_GROUPS_H
#define MCAST_CLI_GROUPS_H

#include "cli/join.h"
#include "cli/transport_udp_rx.h"

/* At most this many groups in one process. */
#define GROUPS_MAX 65536

struct group_count {
	uint64_t datagrams, bytes;
};

struct groups {
	mcast_addr *addr;          /* every group, in the order given */
	size_t n;
	size_t *sorted;            /* indices into addr, in address order */
	mcast_addr *by_addr;       /* the groups in that order (the joins' lists) */
	struct group_count *count; /* per group, indexed like addr */
	struct join *joins;        /* one per family and port */
	struct udp_rx *rx;         /* one per join */
	size_t n_joins;
};

/*
 * Parse the operands argv[0..argc) (GROUP:PORT or GROUP+N:PORT each), or
 * cfg_group when there are none, into g. Returns 0 or EXIT_USAGE after
 * one line naming the bad value (a group given twice, port 0 with more
 * than one group, more than GROUPS_MAX groups).
 */
int groups_parse(struct groups *g, int argc, char **argv, const char *cfg_group);
/*
 * Open one join per family and port, each a copy of tmpl's options, and
 * its transport. Past a kernel limit the message names it (libmcast) and
 * nothing stays joined. Returns 0 or an exit code.
 */
int groups_open(struct groups *g, const struct join *tmpl);
/* Attach every transport to l, delivering to fn. 0 or a negative errno. */
int groups_attach(struct groups *g, struct loop *l, rx_fn fn, void *owner);
/* The index of the group a datagram was sent to, or -1 if none of ours
 * (a unicast datagram to the port of a wildcard-bound socket). */
long groups_find(const struct groups *g, const mcast_addr *dst);
/* Leave every group (--rejoin); the sockets stay open. */
void groups_leave(struct groups *g);
/* Join every group again after groups_leave(). 0 or EXIT_FAIL (reported). */
int groups_join(struct groups *g);
/* "listening on ..." for each socket (and the JSON events with e). */
void groups_announce(const struct groups *g, struct emit *e);
/* One record per group with what arrived on it (only with several). */
void groups_summary(const struct groups *g, struct emit *e);
/* The kernel's drop counters of every socket, summed. */
uint32_t groups_drops(const struct groups *g);
/* Leave, close and free everything (safe after a failed open). */
void groups_free(struct groups *g);

#endif
