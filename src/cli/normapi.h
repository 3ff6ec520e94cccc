/*
 * normapi.h - libnorm's header made usable from C, and what the sender
 * (normtx.h) and the receiver (normrx.h) share. Only transport_norm*.c
 * include it, directly or through those two.
 *
 * normApi.h as libnorm 1.5.9 ships it is C++ in two places:
 * NormGetRxBindAddress() takes references and NormStreamGetVacancy() has a
 * default argument. Neither is used here, so both prototypes are turned
 * into harmless ones by function-like macros around the include; two
 * declarations without "void" need -Wstrict-prototypes off for the include.
 */
#ifndef MCAST_CLI_NORMAPI_H
#define MCAST_CLI_NORMAPI_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#define NormGetRxBindAddress(...) NormGetRxBindAddress_cxx_only(void)
#define NormStreamGetVacancy(...) NormStreamGetVacancy_cxx_only(void)
#include <normApi.h>
#undef NormGetRxBindAddress
#undef NormStreamGetVacancy
#pragma GCC diagnostic pop

#include "cli/normwatch.h"
#include "cli/transport_norm.h"

/* One NORM instance and session, and its descriptor in the loop. */
struct norm_sess {
	NormInstanceHandle inst;
	NormSessionHandle sess;
	int fd;
	NormNodeId id;
	const struct norm_opts *o;
	char group[MCAST_ADDRSTRLEN];
	struct norm_watch watch; /* normwatch.h */
};

/*
 * Create the instance and session for o (group, node id, interface, TTL,
 * loopback, SSM), and the watch on libnorm's lock with give_up(arg) as its
 * clean-up (or NULL). Returns 0 or EXIT_FAIL (reported).
 */
int mcast__norm_sess_open(struct norm_sess *s, const struct norm_opts *o,
			  void (*give_up)(void *arg), void *arg);
void mcast__norm_sess_close(struct norm_sess *s);
/* NormGetNextEvent() without waiting, watched (normwatch.h). */
bool mcast__norm_next_event(struct norm_sess *s, NormEvent *ev);
/*
 * Size libnorm's sockets' buffers to bytes, past net.core.[rw]mem_max
 * when privileged (SO_*BUFFORCE). Call after NormStartSender/Receiver:
 * before, the sockets do not exist.
 */
void mcast__norm_sockbufs(struct norm_sess *s, uint64_t bytes, bool rcv);
/* A node's address (no port) into out; false when libnorm has none. */
bool mcast__norm_node_addr(NormNodeHandle node, mcast_addr *out);

#endif
