/*
 * sched.h - one drift-free schedule for everything that sends on a beat
 * (send -I, ping -I, bench send --rate): datagram k is due at
 * start + k * interval, counted from the first send, so the time spent
 * sending never adds up into drift. Far behind (a slow standard input, a
 * stopped process), the schedule starts afresh instead of catching up in a
 * burst.
 */
#ifndef MCAST_CLI_SCHED_H
#define MCAST_CLI_SCHED_H

#include <stdint.h>

struct sched {
	uint64_t start;   /* monotonic ns when datagram 0 was due */
	double interval;  /* ns between datagrams (0: always due) */
	uint64_t taken;   /* datagrams sent since start */
	uint64_t slack;   /* how many may be owed before starting afresh */
};

/* Start at now (the first datagram is due at once), interval_ns apart;
 * with more than slack datagrams owed, sched_took() starts afresh. */
void sched_init(struct sched *s, uint64_t now, double interval_ns, uint64_t slack);
/* When the next datagram is due (monotonic ns). */
uint64_t sched_next(const struct sched *s);
/* How many datagrams are due at now, at most max (0 = none yet). */
uint64_t sched_due(const struct sched *s, uint64_t now, uint64_t max);
/* n datagrams went out at now. */
void sched_took(struct sched *s, uint64_t n, uint64_t now);

#endif
