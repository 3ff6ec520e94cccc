/*
 * normtx.h - what the NORM sender's files share: its state and the wait in
 * the loop (transport_norm_tx.c), standard input as a stream
 * (transport_norm_txstream.c), progress and the report
 * (transport_norm_txreport.c). Only those three include it.
 */
#ifndef MCAST_CLI_NORMTX_H
#define MCAST_CLI_NORMTX_H

#include "cli/normapi.h"

#define TX_RECEIVERS 256
#define STREAM_BUFFER (1u << 20)
/* The longest one round of acknowledgement requests may take before it is
 * started again (libnorm's own rounds take robust-factor GRTTs). */
#define ACK_ROUND_NS 2000000000ULL
/* How long the session stays up after the last flush for late repairs. */
#define LINGER_NS 1000000000ULL

enum wait_for { W_NONE, W_VACANCY, W_STREAM, W_SENT, W_FLUSH, W_ACK };

struct norm_tx {
	struct norm_sess s;
	const struct norm_opts *o;
	struct loop *l;
	struct emit *e;
	enum wait_for waiting;
	bool vacancy, flushed, acked_round, final;
	uint64_t flushed_objects; /* objects queued when the flush completed */
	NormObjectHandle last;
	char **copies; /* message bodies, alive until the session ends */
	size_t ncopies, capcopies;
	uint64_t objects, sent, files, messages, bytes, start_ns;
	/* NORM_DATA and NORM_INFO packets one pass over the objects takes
	 * (libnorm 1.5.9 does not set the REPAIR flag it defines, so repairs
	 * are what was sent beyond this). */
	uint64_t first_pass;
	uint64_t unflushed; /* stream bytes written since its last flush */
	/* The stream from a descriptor (has_stream: one was opened; stream is
	 * NORM_OBJECT_INVALID again once it is closed). */
	NormObjectHandle stream;
	bool has_stream;
	int in_fd;
	bool raw, eof;
	char in[65536];
	size_t inlen, inoff;
	/* The receivers libnorm heard from. */
	struct {
		NormNodeId id;
		mcast_addr addr;
		bool complete;
	} rcv[TX_RECEIVERS];
	size_t nrcv;
	int progress_timer;
};

/*
 * Run the loop until what w names happened (t->waiting). Returns 0, or
 * EXIT_FAIL after a signal or when the deadline (if not 0) passed.
 */
int mcast__norm_tx_wait(struct norm_tx *t, enum wait_for w, uint64_t deadline);
/* Move what was read from standard input into the stream while it has
 * room, and read more when all of it went. */
void mcast__norm_tx_stream_pump(struct norm_tx *t);
/* The loop timer of --progress: one record, then again in a second. */
void mcast__norm_tx_progress(struct loop *l, void *data);
/* Each receiver (with --expect) and the summary; complete: how many
 * acknowledged everything. */
void mcast__norm_tx_report(struct norm_tx *t, size_t complete);

#endif
