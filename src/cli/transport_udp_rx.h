/*
 * transport_udp_rx.h - the receiving side of plain UDP behind the transport
 * seam: the joined socket of join.c (recv, pong, bench recv) read from the
 * loop, each datagram handed on as a struct rx_msg.
 */
#ifndef MCAST_CLI_TRANSPORT_UDP_RX_H
#define MCAST_CLI_TRANSPORT_UDP_RX_H

#include "cli/join.h"
#include "cli/loop.h"
#include "cli/transport.h"

/* Slots per receive batch (bench), each large enough for a GRO train. */
#define UDP_RX_SLOTS 32
#define UDP_RX_SLOT_SIZE 65536
/* Batch mode hands datagrams on for about this long (checked every few
 * datagrams) before it gives the loop back to its timers and signals. A
 * batch is up to UDP_RX_SLOTS trains of 64 datagrams, and with --trust
 * each costs a signature check (~80 us): what is left waits in the slots
 * for the next turn of the loop. */
#define UDP_RX_AIR_NS 5000000ULL

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
	/* Batch mode: the last batch and how far it has been handed on
	 * (slot next, its first off bytes). While some is left, a before-wait
	 * hook (chained to one the loop had at attach) hands on more and keeps
	 * the loop from sleeping (busy), as the socket may have nothing new. */
	mcast_rxmsg slot[UDP_RX_SLOTS];
	int got, next;
	size_t off;
	bool busy_was;
	loop_hook_fn prev_hook;
	void *prev_data;
	uint64_t trains; /* GRO trains taken (batch mode) */
	uint64_t datagrams; /* handed to fn */
};

/*
 * Make u the transport over j's socket (opened with join_open(): u does
 * not open it; u->t.close leaves the group and closes it). batch as
 * above. Returns 0 or -ENOMEM.
 */
int udp_rx_init(struct udp_rx *u, struct join *j, bool batch);

/* Whether datagrams wait: a batch not yet all handed on, or the socket
 * readable now. A receiver that was busy (a slow handler, preempted) is
 * not idle because no datagram was handed on for a while. */
bool udp_rx_pending(const struct udp_rx *u);

/* The kernel's drop counter for the socket, read now (0 if unknown). */
uint32_t udp_rx_drops(const struct udp_rx *u);

#endif
