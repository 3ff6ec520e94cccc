/*
 * bench_recv.h - what bench_recv.c counts and bench_report.c prints.
 */
#ifndef MCAST_CLI_BENCH_RECV_H
#define MCAST_CLI_BENCH_RECV_H

#include "cli/bench.h"
#include "cli/emit.h"
#include "cli/ignored.h"
#include "cli/join.h"
#include "cli/seqwin.h"
#include "cli/transport_udp_rx.h"

/* Senders reported separately; more are counted together as other_senders. */
#define MAX_FLOWS 64
/* Sequence numbers remembered per sender for duplicate detection. */
#define WINDOW (1u << 16)

/* One sender, by sender id. */
struct flow {
	uint64_t id;
	mcast_addr source;
	struct seqwin win; /* received, lost, duplicates, reordered, late */
	uint64_t bytes;
	uint64_t first_ns, last_ns; /* monotonic, for rates */
	uint64_t iv_received, iv_bytes; /* since the last progress line */
	double jitter;	 /* RFC 3550 interarrival jitter, ns */
	int64_t transit; /* the last datagram's transit time, ns */
	mcast_hist *latency;
};

/* What a run measured. */
struct brecv {
	bool json;
	struct emit em;
	struct flow *flows[MAX_FLOWS];
	size_t n_flows;
	uint64_t datagrams, trains, other_senders;
	struct ignored ignored;
	uint32_t drops;
	const struct seal *seal; /* its rejections, with --trust */
};

/* A progress record per sender: elapsed seconds since the start, dt since
 * the last one. */
void bench_progress(struct brecv *b, double elapsed, double dt);
/* The table (text) or sender records (JSON), then the summary. */
void bench_results(struct brecv *b, double cpu_ns);
/* Free the flows and the emitter. */
void bench_recv_free(struct brecv *b);

#endif
