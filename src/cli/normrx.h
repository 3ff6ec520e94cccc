/*
 * normrx.h - what the NORM receiver's two files share: the receiver's state
 * (transport_norm_rx.c: events, timers, summary) and its handling of file
 * and stream objects (transport_norm_rxobj.c). Only those two include it.
 */
#ifndef MCAST_CLI_NORMRX_H
#define MCAST_CLI_NORMRX_H

#include "cli/filestore.h"
#include "cli/normapi.h"
#include "cli/norminfo.h"

#define RX_PENDING 256
#define RX_STREAMS 8
#define LINE_MAX_BYTES 65536
#define LINGER_NS 1000000000ULL

/* A file object being received. */
struct rxfile {
	NormObjectHandle h;
	NormNodeHandle sender;
	struct norminfo ni;
	bool named;
	bool reset; /* aborted by mcast itself (buffers freed): not lost */
	bool suspect; /* unnamed, it is likely a rejected file again */
	const char *signer; /* --trust: the key that signed its info */
	uint64_t start_ns;
};

/*
 * A file kept pending so that libnorm never acknowledges it to its sender
 * (see hold() in transport_norm_rxobj.c): one that did not fit on the
 * disk, remembered until its sender repeats it, or one whose info --trust
 * rejected, remembered so that a repeat is not counted again.
 */
struct rxheld {
	NormNodeHandle sender;
	struct norminfo ni;
	bool rejected;
	bool dropped; /* some of its data was dropped: it cannot complete */
};
#define RX_HELD 32

struct rxstream {
	NormObjectHandle h;
	bool raw;
	char buf[LINE_MAX_BYTES];
	size_t len;
};

struct norm_rx {
	struct norm_sess s;
	const struct norm_opts *o;
	struct loop *l;
	struct emit *e;
	rx_fn fn;
	void *owner;
	struct filestore fs;
	bool fs_open;
	struct rxfile *pending[RX_PENDING];
	struct rxstream *streams[RX_STREAMS];
	uint64_t objects, files, messages, bytes, file_bytes;
	uint64_t refused[NI_NKINDS], refused_total, exists, lost, streams_lost, no_space;
	uint64_t rejected[MCAST_ENV_VERDICTS], rejected_total; /* --trust */
	struct rxheld held[RX_HELD];
	size_t nheld;
	uint64_t start_ns, last_ns;
	int idle_timer, progress_timer, linger_timer;
	bool stop_failed, done;
	bool resetting; /* a sender's buffers were freed: its aborts are ours */
};

/* A node's address into a (all zero when libnorm has none). */
void mcast__norm_rx_source(NormNodeHandle node, mcast_addr *a);
/* Hand one message (or stream line) of sender to the owner, counted (as
 * an object too); with --trust, only counted as rejected (unsigned). */
void mcast__norm_rx_deliver(struct norm_rx *r, NormNodeHandle sender, const void *p,
			    size_t n);
/* One more object done; after the last one -n asked for, linger (see .c). */
void mcast__norm_rx_counted(struct norm_rx *r);

/* The file being received as object h, or NULL (not a file, or dropped). */
struct rxfile *mcast__norm_rx_file_of(NormObjectHandle h);
/* Report name as lost: got of size bytes had arrived, why. Counted. */
void mcast__norm_rx_lost(struct norm_rx *r, const char *name, uint64_t got, uint64_t size,
			 const char *why);
/*
 * The events of file objects: a new one is tracked (or cancelled when
 * RX_PENDING are in progress), its info checked (a refused name or an
 * existing file cancels it), a completed one verified and renamed into
 * place, an aborted one reported lost; nothing stays under a final name
 * unless it was complete and correct.
 */
void mcast__norm_rx_file_new(struct norm_rx *r, const NormEvent *ev);
void mcast__norm_rx_file_info(struct norm_rx *r, const NormEvent *ev);
void mcast__norm_rx_file_done(struct norm_rx *r, const NormEvent *ev);
void mcast__norm_rx_file_aborted(struct norm_rx *r, const NormEvent *ev);
/*
 * The events of streams: the info says lines or raw; each read hands over
 * every complete line (raw: every piece) and resyncs at the next line
 * after a gap libnorm could not repair; the end hands over what is left.
 */
void mcast__norm_rx_stream_info(struct norm_rx *r, const NormEvent *ev);
void mcast__norm_rx_stream_read(struct norm_rx *r, const NormEvent *ev);
void mcast__norm_rx_stream_end(struct norm_rx *r, const NormEvent *ev);

#endif
