/*
 * transport_udp.h - plain UDP datagrams behind the transport seam. The
 * sending side wraps the socket of outsock.c (send, ping, bench send);
 * answers that come back to it (send --wait, ping) are read through one
 * non-blocking drain, as rx_msg records.
 */
#ifndef MCAST_CLI_TRANSPORT_UDP_H
#define MCAST_CLI_TRANSPORT_UDP_H

#include "cli/outsock.h"
#include "cli/transport.h"

struct loop;

/*
 * Open the socket o describes for group and make t send through it
 * (t->close closes it; o stays the caller's). Returns 0, EXIT_USAGE or
 * EXIT_FAIL after saying why.
 */
int udp_tx_open(struct tx_transport *t, struct outsock *o, const mcast_addr *group);

/* The outsock under t (for batches and GSO trains, which only UDP has). */
struct outsock *udp_tx_outsock(const struct tx_transport *t);

/*
 * Watch t's socket in l for answers (unicast datagrams back to the
 * sender's port) and hand each to fn, reading until the socket is empty.
 * A receive error is reported and stops l with EXIT_FAIL. Returns 0 or
 * -ENOSPC.
 */
int udp_tx_answers(struct tx_transport *t, struct loop *l, rx_fn fn, void *owner);

/* The kernel's count of answers dropped for a full socket buffer, read
 * now; 0 where the kernel cannot say. */
uint32_t udp_tx_drops(const struct tx_transport *t);

#endif
