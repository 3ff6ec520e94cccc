/*
 * transport_norm.h - reliable delivery over NORM (RFC 5740) with NRL's
 * libnorm: `mcast send --reliable` and `mcast recv --reliable`.
 *
 * The sender carries messages as NORM data objects, standard input as a
 * NORM stream and files as NORM file objects whose info is the file's
 * name (then a NUL, its size and SHA-256: norminfo.h). The receiver hands
 * messages and stream lines to its owner as struct rx_msg, and stores
 * files under --output DIR (filestore.h). libnorm's descriptor is one file
 * event in the loop (loop.h); records go through emit.h.
 *
 * Only transport_norm*.c include normApi.h (through normapi.h); nothing
 * else in the tool or the library sees libnorm.
 */
#ifndef MCAST_CLI_TRANSPORT_NORM_H
#define MCAST_CLI_TRANSPORT_NORM_H

#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/transport.h"
#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Settings for both ends; norm_opts_init() gives the tuned defaults. */
struct norm_opts {
	mcast_addr group;      /* with its port */
	mcast_addr source;     /* SSM source, when ssm */
	bool ssm;
	const char *ifname;    /* NULL: the route to the group */
	unsigned ifindex;      /* its index, 0 when not given */
	int ttl;               /* -1: libnorm's (1) */
	int loop;              /* -1: on (as plain mcast send), 0 off, 1 on */
	/* Sender. */
	uint64_t rate;         /* bits/s fixed; 0 = NORM-CC */
	uint64_t rate_min, rate_max; /* NORM-CC bounds in bits/s, 0 = none */
	unsigned segment;      /* payload bytes per NORM packet */
	unsigned block;        /* FEC source symbols per block */
	unsigned parity;       /* FEC parity symbols computed per block */
	unsigned auto_parity;  /* parity symbols sent proactively */
	double backoff;        /* NACK back-off factor */
	double grtt;           /* initial group round-trip estimate, s */
	double grtt_max;       /* its ceiling, s */
	uint64_t buffer;       /* libnorm buffer space, bytes */
	uint64_t sockbuf;      /* socket buffers, bytes */
	unsigned expect;       /* receivers that must acknowledge; 0 = none */
	uint64_t wait_ns;      /* how long to wait for them */
	mcast_sealer *sealer;  /* --sign: signs each file's info; NULL = none */
	/* Receiver. */
	const char *outdir;    /* where files go */
	bool overwrite;
	uint64_t count;        /* stop after this many objects; 0 = never */
	uint64_t timeout_ns;   /* stop after this long without one; 0 = never */
	mcast_trust *trust;    /* --trust: keep only files whose info a key of
				  it signed; NULL = every file */
	/* Both. */
	bool progress;         /* a progress line (terminal) or records (JSON) */
	bool json;
};

void norm_opts_init(struct norm_opts *o);

/* ---- Sender ------------------------------------------------------------ */

struct norm_tx;

/*
 * Start a NORM sender on o->group, its descriptor in loop l, records to e.
 * Returns 0 or EXIT_FAIL (reported). The caller keeps o, l and e alive
 * until norm_tx_free().
 */
int norm_tx_open(struct norm_tx **out, const struct norm_opts *o,
		 struct loop *l, struct emit *e);
/* Queue one message (copied) as a data object, waiting for room if NORM's
 * queue is full. Returns 0 or an exit code (reported). */
int norm_tx_message(struct norm_tx *t, const void *buf, size_t len);
/* Queue the file at path (hashed first) as a file object. */
int norm_tx_file(struct norm_tx *t, const char *path);
/* Send what fd holds until its end as one NORM stream: lines (each line
 * one message at the receiver) or raw bytes. */
int norm_tx_stream(struct norm_tx *t, int fd, bool raw);
/*
 * Wait until every receiver has had its chance (the flush ends), or with
 * --expect until that many acknowledged everything or --wait ran out;
 * report each receiver and the summary. Returns EXIT_OK, EXIT_EXPECT or
 * EXIT_FAIL.
 */
int norm_tx_finish(struct norm_tx *t);
void norm_tx_free(struct norm_tx *t);
/* The sender as a tx_transport (send = norm_tx_message). */
void norm_tx_transport(struct norm_tx *t, struct tx_transport *tt);

/* ---- Receiver ---------------------------------------------------------- */

struct norm_rx;

/* Start a NORM receiver (files under o->outdir). Returns 0 or EXIT_FAIL. */
int norm_rx_open(struct norm_rx **out, const struct norm_opts *o,
		 struct loop *l, struct emit *e, rx_fn fn, void *owner);
/*
 * Receive until o->count objects, o->timeout_ns of silence or a signal;
 * then report what was stored, refused and lost, and the summary.
 * Returns EXIT_OK, or EXIT_FAIL when nothing (or fewer than o->count)
 * arrived before the timeout.
 */
int norm_rx_run(struct norm_rx *r);
void norm_rx_free(struct norm_rx *r);
/* The receiver as an rx_transport (attach = deliver to fn). */
void norm_rx_transport(struct norm_rx *r, struct rx_transport *rt);

#endif
