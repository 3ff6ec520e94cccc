/*
 * sched.c - the drift-free schedule of send, ping and bench send.
 */
#include "cli/sched.h"

void sched_init(struct sched *s, uint64_t now, double interval_ns, uint64_t slack)
{
	s->start = now;
	s->interval = interval_ns > 0 ? interval_ns : 0;
	s->taken = 0;
	s->slack = slack ? slack : 1;
}

uint64_t sched_next(const struct sched *s)
{
	/* A product in floating point: exact for any interval in whole
	 * nanoseconds up to 2^53 ns, and fractional rates do not round. */
	return s->start + (uint64_t)((double)s->taken * s->interval);
}

uint64_t sched_due(const struct sched *s, uint64_t now, uint64_t max)
{
	uint64_t next = sched_next(s), n;

	if (now < next)
		return 0;
	if (s->interval <= 0)
		return max;
	n = (uint64_t)((double)(now - next) / s->interval) + 1;
	return n < max ? n : max;
}

void sched_took(struct sched *s, uint64_t n, uint64_t now)
{
	s->taken += n;
	/* Owing more than slack datagrams: the next one is an interval from
	 * now, as if the one just sent had been the first. */
	if (sched_next(s) + (uint64_t)((double)s->slack * s->interval) < now) {
		s->start = now;
		s->taken = 1;
	}
}
