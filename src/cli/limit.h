/*
 * limit.h - the rules every answering subcommand (recv --reply, pong)
 * follows, so that a receiver can never be turned into a reflector.
 */
#ifndef MCAST_CLI_LIMIT_H
#define MCAST_CLI_LIMIT_H

#include "cli/peers.h"

/* Whether a datagram from a may be answered: only a unicast sender with a
 * port; never a group, broadcast or unspecified address. */
bool limit_answerable(const mcast_addr *a);

/* What the rate limit keeps per source. */
struct limit_peer {
	uint64_t next_ns;   /* the theoretical arrival time of the next answer */
	uint64_t held_back; /* answers refused to this source so far */
};

/* A per-source rate limit: at most rate answers a second, in bursts of up
 * to rate (the generic cell rate algorithm). */
struct limit {
	struct peers map; /* of struct limit_peer */
	uint64_t rate;
};

void limit_init(struct limit *l, uint64_t rate);
/* Whether source a may be answered now (monotonic ns); counts it if so,
 * and counts a refusal in the source's held_back. A full table refuses,
 * rather than let a flood of forged sources in. */
bool limit_allow(struct limit *l, const mcast_addr *a, uint64_t now_ns);
/* How many answers to a were refused so far (0 for an unknown source). */
uint64_t limit_held_back(const struct limit *l, const mcast_addr *a);
void limit_free(struct limit *l);

struct cli_arg;
/* Parse "100" or "100/s" for option a; a usage error otherwise. */
int limit_parse_rate(const struct cli_arg *a, uint64_t *out);

#endif
