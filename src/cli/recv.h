/*
 * recv.h - what the two halves of `mcast recv` share: recv_opts.c (usage,
 * option rows, the checks after them) and recv.c (receiving, answering,
 * printing, and --reliable's run).
 */
#ifndef MCAST_CLI_RECV_H
#define MCAST_CLI_RECV_H

#include "cli/emit.h"
#include "cli/groups.h"
#include "cli/join.h"
#include "cli/loop.h"
#include "cli/outfile.h"
#include "cli/peers.h"
#include "cli/rejoin.h"
#include "cli/reliable.h"
#include "cli/responder.h"
#include "cli/rxstats.h"
#include "cli/seal.h"

enum format { FMT_TEXT, FMT_HEX, FMT_RAW, FMT_JSON };

struct recv_opts {
	uint64_t count, timeout_ns, reply_rate, rejoin_ns, stats_ns;
	enum format fmt;
	int n_fmt;
	const char *reply; /* --reply TEXT */
	bool echo;
	struct outfile out; /* --output-file FILE */
	struct seal_opts seal;
	struct cli_config cfg;
	struct reliable rel; /* --reliable: NORM */
};

struct receiver {
	struct recv_opts *o;
	struct join j; /* the join options, copied to each of g's joins */
	struct groups g;
	struct loop l;
	struct emit em;
	int quiet_timer; /* --timeout: armed again by each datagram */
	struct rejoin rejoin;
	bool timed_out;
	/* What arrived. */
	uint64_t datagrams, bytes;
	uint32_t drops;
	struct peers sources; /* no value: counted only */
	/* --reply, --echo */
	bool answering;
	struct responder resp;
	bool cut_warned;
	struct seal seal; /* --sign, --trust: between the transport and us */
	struct rxstats *stats; /* --stats: the table instead of lines */
};

/*
 * Parse recv's options and groups into r (r->o set, zeroed) and reject
 * every conflicting combination. Returns 0, CLI_HELP_SHOWN or an exit code.
 */
int recv_parse(struct receiver *r, int argc, char **argv);

#endif
