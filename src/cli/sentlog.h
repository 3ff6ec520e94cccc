/*
 * sentlog.h - the last datagrams send sent, to tell which one an answer
 * answers and so measure its round trip from the right send.
 *
 * An echo (recv --echo) names its datagram by its payload; any other
 * answer is taken for one to the latest datagram sent before it arrived.
 * Either way the answer is ambiguous, and its round trip unknown, when the
 * datagram before that one left less than twice the apparent round trip
 * earlier (send -I 0): the answer may as well be to that one.
 */
#ifndef MCAST_CLI_SENTLOG_H
#define MCAST_CLI_SENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define SENTLOG_SIZE 1024

struct sentlog {
	struct {
		uint64_t at;   /* CLOCK_REALTIME ns */
		uint64_t hash; /* of the payload */
	} ring[SENTLOG_SIZE];
	uint64_t n; /* datagrams logged */
};

/* Log a datagram of len bytes at p, sent at at (CLOCK_REALTIME ns). */
void sentlog_add(struct sentlog *l, uint64_t at, const void *p, size_t len);

/* When the datagram an answer (len bytes at p, arrived at arrived) answers
 * was sent, or 0 when that cannot be told. */
uint64_t sentlog_answered(const struct sentlog *l, uint64_t arrived, const void *p,
			  size_t len);

#endif
