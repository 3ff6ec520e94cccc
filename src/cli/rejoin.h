/*
 * rejoin.h - `mcast recv --rejoin DURATION`: leave every group every
 * DURATION and join it again a moment later (mcjoin -r), on a timer of
 * the receiver's loop.
 */
#ifndef MCAST_CLI_REJOIN_H
#define MCAST_CLI_REJOIN_H

#include "cli/groups.h"
#include "cli/loop.h"

struct rejoin {
	struct groups *g;
	uint64_t period_ns;
	uint64_t next;  /* when the next leave is due */
	int timer;
	bool out;       /* between the leave and the join again */
};

/*
 * Leave and join g's groups every period_ns on a timer of l (nothing when
 * period_ns is 0). A join that fails stops l with EXIT_FAIL (reported).
 * g and l must outlive rj's use. Returns 0 or -ENOSPC (no timer left).
 */
int rejoin_start(struct rejoin *rj, struct loop *l, struct groups *g, uint64_t period_ns);

#endif
