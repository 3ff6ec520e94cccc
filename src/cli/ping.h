/*
 * ping.h - what ping.c (probing, answers) and ping_table.c (the table and
 * the verdict) share: the prober's state.
 */
#ifndef MCAST_CLI_PING_H
#define MCAST_CLI_PING_H

#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/outsock.h"
#include "cli/sched.h"
#include "cli/peers.h"
#include "cli/seqwin.h"
#include "cli/transport.h"

/* Responders tracked; past this, answers from new ones are counted only. */
#define RESPONDER_LIMIT 4096
/* Probes remembered (send times, duplicate detection) per sequence slot. */
#define WINDOW 1024

/* What is kept per responder (the value of the peer table). */
struct responder {
	struct seqwin win;  /* the answers' sequence numbers */
	mcast_hist *rtt;    /* NULL: memory ran out, only counted */
	uint64_t held_back; /* probes it says it held back (answers v2) */
	int hops;	    /* routers away, from its latest answer; -1 unknown */
	unsigned min_ttl;   /* --ttl-scan: the smallest TTL it answered, 0 none */
	uint64_t answered;  /* answers counted (duplicates too) */
};

/* Datagrams at the prober's socket that were not answers to count. */
struct ignored {
	uint64_t garbage, truncated, oversized, foreign, other, stray;
};

struct pinger {
	struct outsock out;
	struct cli_config cfg;
	mcast_addr group;
	uint64_t count, interval_ns, wait_ns, size, silent_after, expect, max_loss;
	uint64_t ttl_scan; /* --ttl-scan MAX: probes cycle TTL 1..MAX; 0 off */
	bool has_expect, has_max_loss, has_count, has_ttl, busy, json;
	struct loop loop;
	struct tx_transport tx;
	struct emit em;
	struct sched sched;
	int timer;
	uint64_t id, seq; /* this prober; the last probe sent */
	uint64_t sent_mono[WINDOW]; /* when each probe in the window left */
	uint8_t sent_ttl[WINDOW];   /* the TTL / hop limit it left with */
	struct peers map;	    /* responder address -> struct responder */
	uint64_t answers;
	struct ignored ign;
	uint32_t drops; /* answers the kernel dropped at this socket */
	bool said_clock;
};

/* The per-responder table, text or JSON, so far or final. Returns 0 or
 * -1 with errno set (the output failed). */
int ping_report(struct pinger *p, bool final);

/* The --ttl-scan table: each responder's smallest TTL, then what each
 * TTL reaches. Returns 0 or -1 with errno set. */
int ping_scan_report(struct pinger *p, bool final);

/* The exit status the results call for (after the final table). */
int ping_verdict(struct pinger *p);

#endif
