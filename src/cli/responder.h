/*
 * responder.h - the answer path of `recv --reply/--echo` and `pong`: one
 * check of who may be answered, one per-source rate limit, one socket the
 * answers leave from, one log line.
 *
 * Every datagram on a group may come from anyone, so a receiver answers
 * only unicast senders with a port, each at most `rate` times a second (a
 * burst of one second's worth), and never with more bytes than it got: it
 * cannot be made to amplify traffic toward a forged address.
 */
#ifndef MCAST_CLI_RESPONDER_H
#define MCAST_CLI_RESPONDER_H

#include "cli/limit.h"
#include "cli/transport.h"

struct responder {
	/* Answers leave from a socket of their own: the receiving socket is
	 * bound to the group, and a group is no source address. */
	mcast_sock *sock;
	struct limit limit;
	uint64_t answered;  /* answers sent */
	uint64_t held_back; /* answers refused: unanswerable or over the rate */
};

/*
 * Set up r to answer at most rate times a second per source; no socket
 * yet. responder_open() makes the socket for family (AF_INET, AF_INET6):
 * 0, or EXIT_FAIL after saying why.
 */
void responder_init(struct responder *r, uint64_t rate);
int responder_open(struct responder *r, int family);

/*
 * Whether m may be answered now: its source is answerable and within its
 * rate. A refusal is counted as held back, in r and for the source.
 */
bool responder_allow(struct responder *r, const struct rx_msg *m);

/* How many answers to src's address were held back so far. */
uint64_t responder_held_back(const struct responder *r, const mcast_addr *src);

/*
 * Send len bytes of buf to m's source (after responder_allow()). Counts
 * and, with -v, logs "answered SOURCE with N bytes (what)". Returns 0, or
 * -1 when it could not be sent (logged with -v, not counted).
 */
int responder_send(struct responder *r, const struct rx_msg *m, const void *buf,
		   size_t len, const char *what);

/* Close the socket and forget the sources (safe to call twice). */
void responder_close(struct responder *r);

#endif
