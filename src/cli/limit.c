/*
 * limit.c - who may be answered, and how often.
 */
#include "cli/limit.h"
#include "cli/cli.h"
#include "cli/opt.h"

#include <string.h>

/* Sources remembered for rate limiting; past this, answers are refused. */
#define LIMIT_SOURCES 65536


bool limit_answerable(const mcast_addr *a)
{
	if (mcast_addr_port(a) == 0 || mcast_addr_is_multicast(a))
		return false;
	if (mcast_addr_family(a) == AF_INET) {
		in_addr_t v = ntohl(a->u.sin.sin_addr.s_addr);

		return v != INADDR_ANY && v != INADDR_BROADCAST;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->u.sin6.sin6_addr);
}

void limit_init(struct limit *l, uint64_t rate)
{
	peers_init(&l->map, sizeof(struct limit_peer), LIMIT_SOURCES, false);
	l->rate = rate ? rate : 1;
}

bool limit_allow(struct limit *l, const mcast_addr *a, uint64_t now)
{
	uint64_t t = 1000000000ULL / l->rate, tau = (l->rate - 1) * t;
	struct limit_peer *e = peers_get(&l->map, a, NULL);

	if (!e)
		return false;
	if (e->next_ns > now + tau) {
		e->held_back++;
		return false;
	}
	e->next_ns = (e->next_ns > now ? e->next_ns : now) + t;
	return true;
}

uint64_t limit_held_back(const struct limit *l, const mcast_addr *a)
{
	const struct limit_peer *e = peers_find(&l->map, a);

	return e ? e->held_back : 0;
}

void limit_free(struct limit *l)
{
	peers_free(&l->map, NULL);
}

int limit_parse_rate(const struct cli_arg *a, uint64_t *out)
{
	struct cli_arg bare = *a;
	char buf[32];
	size_t n = strlen(a->value);

	if (n >= 2 && n < sizeof(buf) && strcmp(a->value + n - 2, "/s") == 0) {
		memcpy(buf, a->value, n - 2);
		buf[n - 2] = '\0';
		bare.value = buf;
	}
	return cli_uint(&bare, 1, 1000000, out);
}
