/*
 * clock.c - the clocks (monotonic and real time, in nanoseconds) and
 * random ids.
 */
#include "cli/cli.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t cli_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return cli_ns_of(&t);
}

uint64_t cli_ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

uint64_t cli_realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return cli_ns_of(&t);
}

uint64_t cli_random_u64(void)
{
	uint64_t v;

	/* Ids need only differ between runs; fall back to time and pid. */
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = cli_now_ns() ^ ((uint64_t)getpid() << 32);
	return v;
}
