/*
 * rejoin.c - `mcast recv --rejoin DURATION`: out of the groups for a
 * moment every DURATION, so switches and routers see a leave and a join.
 */
#include "cli/rejoin.h"
#include "cli/cli.h"

#include <errno.h>

/*
 * Out of the groups this long each time, at most half the period. The
 * kernel merges a leave and a join close together into no report at all;
 * out for a while, the leave reaches the wire first.
 */
#define REJOIN_GAP_NS 200000000ULL

static void on_rejoin(struct loop *l, void *data)
{
	struct rejoin *rj = data;
	uint64_t period = rj->period_ns;
	uint64_t gap = period / 2 < REJOIN_GAP_NS ? period / 2 : REJOIN_GAP_NS;

	rj->out = !rj->out;
	if (rj->out) {
		groups_leave(rj->g);
		loop_timer_at(l, rj->timer, cli_now_ns() + gap);
		return;
	}
	if (groups_join(rj->g)) {
		loop_stop(l, EXIT_FAIL);
		return;
	}
	/* Periods kept from the first, as the loop keeps probe intervals. */
	rj->next += period;
	if (rj->next <= cli_now_ns())
		rj->next = cli_now_ns() + period;
	loop_timer_at(l, rj->timer, rj->next);
}

int rejoin_start(struct rejoin *rj, struct loop *l, struct groups *g, uint64_t period_ns)
{
	rj->g = g;
	rj->period_ns = period_ns;
	rj->out = false;
	if (!period_ns)
		return 0;
	rj->timer = loop_timer_new(l, on_rejoin, rj);
	if (rj->timer < 0)
		return -ENOSPC;
	rj->next = cli_now_ns() + period_ns;
	loop_timer_at(l, rj->timer, rj->next);
	return 0;
}
