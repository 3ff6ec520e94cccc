/*
 * rxstats.h - `mcast recv --stats`: instead of a line per datagram, a
 * table per group and source every interval (datagrams/s, Mbit/s, totals,
 * time since the last datagram; loss, duplicates and reordering where the
 * traffic numbers its datagrams), redrawn in place on a terminal, one
 * record per row to a pipe or with --json, and a final table on exit.
 */
#ifndef MCAST_CLI_RXSTATS_H
#define MCAST_CLI_RXSTATS_H

#include "cli/emit.h"
#include "cli/groups.h"
#include "cli/loop.h"
#include "cli/opt.h"
#include "cli/transport.h"

struct rxstats;

/* --stats[=INTERVAL] as given in a: 1s without a value, else the
 * duration (more than 0). Returns 0 or EXIT_USAGE naming the value. */
int rxstats_option(const struct cli_arg *a, uint64_t *interval_ns);

/*
 * A live view of what arrives on the groups of g, printed through em
 * every interval_ns on a timer of l (the first after one interval). When
 * em writes text to a terminal, each table replaces the last one on the
 * screen. g, l and em stay the caller's and must outlive the view.
 * Returns 0, or EXIT_FAIL (said) when memory or timers ran out.
 */
int rxstats_open(struct rxstats **sp, struct loop *l, struct emit *em,
		 const struct groups *g, uint64_t interval_ns);

/* Count datagram m, which was sent to group gi of g. */
void rxstats_add(struct rxstats *s, long gi, const struct rx_msg *m);

/*
 * The final table (rates averaged over the whole run). Returns 0, or -1
 * with errno set when the output failed.
 */
int rxstats_final(struct rxstats *s);

void rxstats_free(struct rxstats *s);

#endif
