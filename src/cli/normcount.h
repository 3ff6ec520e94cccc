/*
 * normcount.h - NORM packets libnorm sent on the sockets it was told are
 * libnorm's (normcount.c), for the summaries of send and recv --reliable.
 */
#ifndef MCAST_CLI_NORMCOUNT_H
#define MCAST_CLI_NORMCOUNT_H

#include <stdbool.h>
#include <stdint.h>

struct normcount {
	uint64_t data;    /* NORM_DATA and NORM_INFO sent */
	uint64_t repairs; /* of those, with the REPAIR flag (libnorm 1.5.9
			   * does not set it: count beyond the first pass) */
	uint64_t nacks;   /* NORM_NACK sent: repairs requested */
	uint64_t acks;    /* NORM_ACK sent */
};

/* Count what is sent on fd from now on (up to 8 sockets). */
void mcast__normcount_watch(int fd);
/* The counts so far. */
void mcast__normcount_get(struct normcount *out);

#endif
