/*
 * internal.h - what the library's modules share and nothing outside sees.
 * Internal non-static names start with mcast__.
 */
#ifndef MCAST_INTERNAL_H
#define MCAST_INTERNAL_H

#include "mcast.h"

#include <errno.h>
#include <stdarg.h>

/*
 * Write a formatted message into err (if not NULL). Messages quote what
 * users typed, so control bytes are written as \xHH: a message stays one
 * printable line whatever the input was.
 */
void mcast__set_msg(mcast_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Set the message and yield code, so a failure reads
 * `return mcast__fail(err, -EINVAL, "bad port '%s'", p);`. A macro, so that
 * readers and static analysers see the value returned.
 */
#define mcast__fail(err, code, ...) (mcast__set_msg((err), __VA_ARGS__), (code))

/* One group joined on one interface, from one source or from any. */
struct membership {
	mcast_addr group;
	mcast_addr source; /* family AF_UNSPEC for any-source */
	unsigned ifindex;
};

struct mcast_sock {
	int fd;
	int family;
	uint16_t local_port; /* host order, once bound */
	struct membership *m;
	size_t n, cap;
};

/* -EAFNOSUPPORT (with a message naming what) unless a is of s's family. */
int mcast__check_family(const mcast_sock *s, const mcast_addr *a,
			const char *what, mcast_error *err);

/* The socket option level for a family: IPPROTO_IP or IPPROTO_IPV6. */
int mcast__level(int family);

/*
 * Platform specifics (os_linux.c). Everything that names a Linux-only socket
 * option or reads /proc lives behind these, so a port replaces one file.
 */

/* Turn on what a receiving socket reports with each datagram: arrival
 * interface and destination (PKTINFO), kernel timestamps, kernel drops.
 * Also turns off IP_MULTICAST_ALL. Returns 0 or -errno. */
int mcast__os_rx_setup(int fd, int family);

/* Fill info (and *seg, the GRO segment size, if seg is not NULL) from the
 * control messages of one received datagram. */
void mcast__os_rx_cmsg(struct msghdr *msg, int family, mcast_rxinfo *info,
		       size_t *seg);

/* Ask for (on) coalesced receives; fills in rx seg from the control data. */
int mcast__os_set_gro(int fd, bool on);
/* Attach a GSO segment size to an outgoing message's control buffer
 * (at least MCAST__CMSG_SPACE bytes). Returns the control length used. */
size_t mcast__os_gso_cmsg(void *control, size_t seg);

/* The control buffer size that mcast__os_rx_cmsg() needs. */
#define MCAST__CMSG_SPACE 256

/* Set the receive buffer, forcing past the limit when the process may.
 * Fills info. Returns 0 or -errno. */
int mcast__os_set_rcvbuf(int fd, size_t bytes, mcast_bufinfo *info);

/* The socket's drop counter (SO_MEMINFO). Returns 0 or -errno. */
int mcast__os_drops(int fd, uint32_t *out);

/* Refuse (on) or allow (off) fragmentation of outgoing datagrams. */
int mcast__os_set_dontfrag(int fd, int family, bool on);

/* The interface index the routing table sends dst through. Returns 0,
 * -ENETUNREACH or -errno. */
int mcast__os_route_ifindex(const mcast_addr *dst, unsigned *ifindex);

#endif
