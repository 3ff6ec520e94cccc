/*
 * transport_udp_rx.h - the receiving side of plain UDP behind the transport
 * seam: the joined socket of join.c (recv, pong, bench recv) read from the
 * loop, each datagram handed on as a struct rx_msg.
 */
#ifndef MCAST_CLI_TRANSPORT_UDP_RX_H
#define MCAST_CLI_TRANSPORT_UDP_RX_H

#include "cli/join.h"
#include "cli/transport.h"

/* Slots per receive batch (bench), each large enough for a GRO train. */
#define UDP_RX_SLOTS 32
#define UDP_RX_SLOT_SIZE 65536

struct udp_rx {
	struct rx_transport t; /* the seam; t.impl points back here */
	struct join *j;
	struct loop *l;
	rx_fn fn;
	void *owner;
	/* Batch mode (bench recv): recvmmsg into slots, GRO trains split,
	 * the socket kept polled for a while after it runs dry. */
	bool batch;
	unsigned char *buf;
	uint64_t trains; /* GRO trains taken (batch mode) */
	uint64_t datagrams; /* handed to fn */
};

/*
 * Make u the transport over j's socket (opened with join_open(): u does
 * not open it; u->t.close leaves the group and closes it). batch as
 * above. Returns 0 or -ENOMEM.
 */
int udp_rx_init(struct udp_rx *u, struct join *j, bool batch);

/* The kernel's drop counter for the socket, read now (0 if unknown). */
uint32_t udp_rx_drops(const struct udp_rx *u);

#endif
