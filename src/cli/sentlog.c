/*
 * sentlog.c - which sent datagram an answer answers.
 */
#include "cli/sentlog.h"

#include <stdbool.h>

static uint64_t hash_of(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

void sentlog_add(struct sentlog *l, uint64_t at, const void *p, size_t len)
{
	l->ring[l->n % SENTLOG_SIZE].at = at;
	l->ring[l->n % SENTLOG_SIZE].hash = hash_of(p, len);
	l->n++;
}

uint64_t sentlog_answered(const struct sentlog *l, uint64_t arrived, const void *p,
			  size_t len)
{
	uint64_t h = hash_of(p, len), c1 = 0, c2 = 0;
	uint64_t n = l->n < SENTLOG_SIZE ? l->n : SENTLOG_SIZE;
	bool echo = false;

	for (uint64_t i = 0; i < n && !echo; i++)
		echo = l->ring[i].hash == h;
	/* Newest first: the latest candidate sent before the arrival, and
	 * the one before it. */
	for (uint64_t i = 0; i < n && !c2; i++) {
		uint64_t k = (l->n - 1 - i) % SENTLOG_SIZE;

		if (l->ring[k].at > arrived || (echo && l->ring[k].hash != h))
			continue;
		if (!c1)
			c1 = l->ring[k].at;
		else
			c2 = l->ring[k].at;
	}
	if (!c1 || (c2 && 2 * (arrived - c1) >= c1 - c2))
		return 0;
	return c1;
}
