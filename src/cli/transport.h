/*
 * transport.h - the seam between what carries payloads (plain UDP today,
 * NORM next) and the commands that print, answer or measure them.
 *
 * Receiving: a transport attaches its descriptors to the loop and, for
 * each payload, fills a struct rx_msg and calls the owner's rx_fn. The
 * per-datagram open step (signature check, decryption: seal.c) runs between
 * the transport and the owner, and fills in signer. Printers take an
 * rx_msg, never a transport's own metadata type.
 *
 * Sending: a tx_transport sends one payload (already sealed) to its group.
 */
#ifndef MCAST_CLI_TRANSPORT_H
#define MCAST_CLI_TRANSPORT_H

#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct loop;

/* One received payload and what is known of it. */
struct rx_msg {
	const void *data;
	size_t len;
	mcast_addr source;   /* the sender, with its port */
	mcast_addr group;    /* the group and port it was sent to */
	unsigned ifindex;    /* arrival interface, 0 if unknown */
	const char *ifname;  /* its name, "?" if unknown */
	struct timespec time; /* arrival time (CLOCK_REALTIME) */
	bool kernel_time;    /* time is the kernel's (else read after receipt) */
	int ttl;             /* TTL / hop limit on arrival, -1 if unknown */
	uint32_t drops;      /* the kernel's drop counter for the socket */
	bool truncated;      /* cut to the transport's buffer (len is what is kept) */
	uint64_t mono_ns;    /* CLOCK_MONOTONIC when the transport took it */
	const char *signer;  /* who signed it (seal.c), NULL if nobody */
	const char *key_id;  /* an envelope's key id in hex, verified or not */
	uint64_t seq;        /* the sender's sequence number, if has_seq */
	bool has_seq;
};

/* Called for each payload; m and its data live until the call returns. */
typedef void (*rx_fn)(void *owner, const struct rx_msg *m);

struct rx_transport {
	/* Put the transport's descriptors into the loop; deliver to fn. */
	int (*attach)(struct rx_transport *t, struct loop *l, rx_fn fn, void *owner);
	/* Leave, close, free what the transport holds (safe to call twice). */
	void (*close)(struct rx_transport *t);
	void *impl;
};

struct tx_transport {
	/* Send one payload; 0, or an exit code after reporting the failure. */
	int (*send)(struct tx_transport *t, const void *buf, size_t len);
	/* The largest payload one send can carry. */
	size_t (*max_payload)(const struct tx_transport *t);
	void (*close)(struct tx_transport *t);
	void *impl;
};

#endif
