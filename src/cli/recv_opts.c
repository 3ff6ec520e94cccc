/*
 * recv_opts.c - the options of `mcast recv`: its --help, its rows (with
 * the join, seal and --reliable groups), apply(), and the one block that
 * rejects conflicting combinations.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/recv.h"

#include <stdbool.h>

static const char usage_text[] =
	"Usage: mcast recv [OPTIONS] GROUP:PORT...\n"
	"\n"
	"Join multicast groups and print each datagram that arrives.\n"
	"GROUP:PORT is 239.1.2.3:5000, [ff15::1]:5000 or [ff02::1%eth0]:5000;\n"
	"port 0 picks a free port and prints it (one group only). A range\n"
	"GROUP+N:PORT (239.1.1.1+15:5000, [ff15::1]+15:5000) is the group and\n"
	"the N after it. Groups on one port share one socket, so the kernel's\n"
	"limit of groups per socket applies (net.ipv4.igmp_max_memberships).\n"
	"\n"
	"Options:\n"
	JOIN_USAGE
	"      --reply TEXT        answer each datagram with TEXT, unicast to its\n"
	"                          sender (cut to the datagram's size)\n"
	"      --echo              answer each datagram with itself\n"
	"      --reply-rate N[/s]  answer each source at most N times a second\n"
	"                          (default 100)\n"
	SEAL_TX_USAGE("answer")
	SEAL_RX_USAGE("datagrams")
	"  -n, --count N           exit after N datagrams\n"
	"  -w, --timeout DURATION  exit after DURATION without a datagram\n"
	"      --hex               print payloads as hex bytes\n"
	"      --raw               write only the payload bytes (for pipes)\n"
	"      --json              one JSON object per line\n"
	"      --stats[=INTERVAL]  a table per group and source every INTERVAL\n"
	"                          (default 1s) instead of each datagram\n"
	"      --output-file FILE  append the output to FILE instead of standard\n"
	"                          output; reopen FILE on SIGHUP (logrotate)\n"
	"      --rejoin DURATION   leave every group every DURATION and join it\n"
	"                          again 200ms later (switch and router\n"
	"                          convergence)\n"
	"      --config FILE       read settings from FILE ([recv] section)\n"
	"  -v, --verbose           log each join and leave; show each datagram's TTL\n"
	"  -q, --quiet             print data only\n"
	"  -h, --help              show this help\n"
	"\n"
	REL_RECV_USAGE
	"\n"
	"Exit status: 0 done, 1 failure or timeout before anything (or before N\n"
	"datagrams with -n) arrived, or with --reliable a file lost, 2 usage error.\n";

enum {
	OPT_COUNT = JOIN_OPT_OWN,
	OPT_TIMEOUT,
	OPT_HEX,
	OPT_RAW,
	OPT_JSON,
	OPT_OUTPUT_FILE,
	OPT_REPLY,
	OPT_ECHO,
	OPT_REPLY_RATE,
	OPT_FORMAT, /* the setting of --hex, --raw and --json */
	OPT_ANSWER, /* the setting of --reply and --echo */
	OPT_REJOIN,
	OPT_STATS,
	OPT_SEAL    /* SEAL_OPTIONS(OPT_SEAL): --sign, --trust, ... */
};

static const struct cli_opt recv_options[] = {
	JOIN_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("timeout", 'w', OPT_TIMEOUT),
	CLI_FLAG("hex", 0, OPT_HEX, .setting = OPT_FORMAT),
	CLI_FLAG("raw", 0, OPT_RAW, .setting = OPT_FORMAT),
	CLI_FLAG("json", 0, OPT_JSON, .setting = OPT_FORMAT),
	CLI_VALUE("output-file", 0, OPT_OUTPUT_FILE),
	CLI_VALUE("reply", 0, OPT_REPLY, .setting = OPT_ANSWER),
	CLI_FLAG("echo", 0, OPT_ECHO, .setting = OPT_ANSWER),
	CLI_VALUE("reply-rate", 0, OPT_REPLY_RATE),
	CLI_VALUE("rejoin", 0, OPT_REJOIN),
	SEAL_OPTIONS(OPT_SEAL),
	CLI_OPTIONAL("stats", 0, OPT_STATS),
	REL_RECV_OPTIONS,
	CLI_COMMON_OPTIONS,
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct receiver *r = ctx;
	struct recv_opts *o = r->o;
	int rc = join_option(&r->j, a);

	if (rc == 1)
		rc = reliable_seal_option(&o->rel, &o->seal, OPT_SEAL, a);
	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_COUNT:
		return cli_uint(a, 1, UINT64_MAX, &o->count);
	case OPT_TIMEOUT:
		rc = cli_duration(a, &o->timeout_ns);
		if (rc == 0 && o->timeout_ns == 0)
			rc = cli_usage_at(a, "--timeout: must be more than 0");
		return rc;
	case OPT_HEX: o->fmt = FMT_HEX, o->n_fmt++; return 0;
	case OPT_RAW: o->fmt = FMT_RAW, o->n_fmt++; return 0;
	case OPT_JSON: o->fmt = FMT_JSON, o->n_fmt++; return 0;
	case OPT_REPLY: o->reply = a->value; return 0;
	case OPT_ECHO: o->echo = true; return 0;
	case OPT_REPLY_RATE: return limit_parse_rate(a, &o->reply_rate);
	case OPT_OUTPUT_FILE: o->out.path = a->value; return 0;
	case OPT_REJOIN:
		rc = cli_duration(a, &o->rejoin_ns);
		if (rc == 0 && o->rejoin_ns == 0)
			rc = cli_usage_at(a, "--rejoin: must be more than 0");
		return rc;
	case OPT_STATS: return rxstats_option(a, &o->stats_ns);
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* The scratch context a setting is checked in: a receiver with its
 * options beside it. */
struct recv_scratch {
	struct receiver r; /* first: apply() is given the whole */
	struct recv_opts o;
};

static void scratch_init(void *ctx)
{
	struct recv_scratch *s = ctx;

	s->r.o = &s->o;
}

const struct cli_spec recv_spec = {
	.name = "recv", .opts = recv_options, .apply = apply,
	.ctx_size = sizeof(struct recv_scratch), .ctx_init = scratch_init,
	.usage = usage_text, .operands = CLI_GROUP,
};

int recv_parse(struct receiver *r, int argc, char **argv)
{
	struct recv_opts *o = r->o;
	int rc;

	o->reply_rate = 100;
	reliable_init(&o->rel);
	rc = cli_options(argc, argv, &recv_spec, r, &o->cfg);
	if (rc)
		return rc;
	rc = groups_parse(&r->g, argc - optind, argv + optind, o->cfg.group);
	if (rc)
		return rc;
	/* One block that rejects every conflicting combination. */
	if (o->n_fmt > 1)
		return cli_usage("choose one of --hex, --raw and --json");
	if (o->reply && o->echo)
		return cli_usage("choose --reply TEXT or --echo, not both");
	if (o->stats_ns && (o->fmt == FMT_HEX || o->fmt == FMT_RAW))
		return cli_usage("--stats prints a table, not payloads: leave out --hex and --raw");
	rc = reliable_check(&o->rel);
	if (rc == 0 && o->rel.on && (o->reply || o->echo))
		rc = cli_usage("--reply and --echo do not apply to --reliable");
	if (rc == 0 && o->rel.on && (r->j.n_iface_spec > 1 || r->j.n_source > 1 ||
				     r->j.n_exclude || r->g.n != 1))
		rc = cli_usage("--reliable takes one group, one -i and at most one -S, no -X");
	if (rc == 0 && o->rel.on && (o->seal.sign || o->seal.decrypt || o->seal.has_max_age))
		rc = cli_usage("--sign, --decrypt and --max-age do not apply to --reliable "
			       "(--trust checks the signature of each file's info)");
	if (rc == 0 && o->rel.on && o->stats_ns)
		rc = cli_usage("--stats does not apply to --reliable");
	if (rc)
		return rc;
	return seal_check(&o->seal, NULL, o->reply || o->echo ? NULL : "--sign signs "
			  "answers: it needs --reply or --echo");
}
