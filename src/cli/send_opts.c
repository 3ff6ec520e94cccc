/*
 * send_opts.c - the options of `mcast send`: its --help, its rows (with
 * the socket, seal and --reliable groups), apply(), and the one block that
 * rejects conflicting combinations.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/send.h"

#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast send [OPTIONS] GROUP:PORT [MESSAGE...]\n"
	"\n"
	"Send MESSAGE (the words joined by spaces) to a multicast group, and with\n"
	"--wait report every answer. GROUP:PORT is 239.1.2.3:5000,\n"
	"[ff15::1]:5000 or [ff02::1%eth0]:5000. Several groups, GROUP+N:PORT\n"
	"(239.1.1.1+15:5000: 16 groups) or a comma-separated list of them, are\n"
	"sent to in turn, one datagram each (round robin); -n N is N per group.\n"
	"\n"
	"Options:\n"
	OUT_USAGE
	"  -n, --count N           send N datagrams (to each group), 0 = until\n"
	"                          interrupted (default 1)\n"
	"  -I, --interval DURATION time between datagrams (default 1s); with\n"
	"                          --stdin the least time between lines (without\n"
	"                          it, each line is sent as soon as it arrives)\n"
	"  -T, --template TEXT     the message, with {seq} {time} {localtime}\n"
	"                          {epoch} {epoch_ms} {host} {pid}; {{ for a brace\n"
	"      --stdin[=raw]       read the message from standard input: one\n"
	"                          datagram per line, or with =raw all of it as one\n"
	"  -w, --wait DURATION     after each datagram, report the answers that\n"
	"                          arrive; after the last, for DURATION\n"
	"      --expect N          exit 3 unless at least N responders answered\n"
	SEAL_TX_USAGE("datagram")
	SEAL_RX_USAGE("answers (with --wait)")
	"      --json              answers and the summary as JSON lines\n"
	"      --config FILE       read settings from FILE ([send] section)\n"
	"  -v, --verbose           log each datagram sent\n"
	"  -q, --quiet             print errors and answers only\n"
	"  -h, --help              show this help\n"
	"\n"
	REL_SEND_USAGE
	"\n"
	"Durations: 500us, 250ms, 2s, 1m (units ns to h). Exit status: 0 sent,\n"
	"1 failure, 2 usage error, "
	"3 fewer responders (with --reliable: receivers) than --expect.\n";

enum {
	OPT_COUNT = OUT_OPT_OWN,
	OPT_INTERVAL,
	OPT_TEMPLATE,
	OPT_STDIN,
	OPT_WAIT,
	OPT_EXPECT,
	OPT_JSON,
	OPT_INPUT, /* the setting of --template and --stdin */
	OPT_SEAL   /* SEAL_OPTIONS(OPT_SEAL): --sign, --trust, ... */
};

static const struct cli_opt send_options[] = {
	OUT_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("interval", 'I', OPT_INTERVAL),
	CLI_VALUE("template", 'T', OPT_TEMPLATE, .setting = OPT_INPUT),
	CLI_OPTIONAL("stdin", 0, OPT_STDIN, .setting = OPT_INPUT),
	CLI_VALUE("wait", 'w', OPT_WAIT),
	CLI_VALUE("expect", 0, OPT_EXPECT),
	CLI_FLAG("json", 0, OPT_JSON),
	SEAL_OPTIONS(OPT_SEAL),
	REL_SEND_OPTIONS,
	CLI_COMMON_OPTIONS,
};

/* Forget the file's message source when the command line gives one. */
static void drop_file_input(struct send_opts *o)
{
	o->input = SRC_WORDS;
	tmpl_free(o->tmpl);
	o->tmpl = NULL;
}

static int apply(void *ctx, const struct cli_arg *a)
{
	struct send_opts *o = ctx;
	bool from_file = a->file != NULL;
	int c = a->id, rc = outsock_option(&o->out, a);
	char msg[200];

	if (rc == 1)
		rc = reliable_seal_option(&o->rel, &o->seal, OPT_SEAL, a);
	if (rc != 1)
		return rc;
	/*
	 * The command line overrides the settings file: a message source or a
	 * count given here replaces the file's, rather than conflicting.
	 */
	if (!from_file && (c == OPT_TEMPLATE || c == OPT_STDIN) && o->input_from_file)
		drop_file_input(o);
	if (c == OPT_TEMPLATE || c == OPT_STDIN)
		o->input_from_file = from_file;
	/* Both on the command line, in either order, is a conflict. */
	o->cli_template |= !from_file && c == OPT_TEMPLATE;
	o->cli_stdin |= !from_file && c == OPT_STDIN;
	if (c == OPT_COUNT)
		o->count_from_file = from_file;
	switch (c) {
	case OPT_COUNT:
		o->has_count = true;
		return cli_uint(a, 0, UINT64_MAX, &o->count);
	case OPT_INTERVAL:
		o->has_interval = true;
		return cli_duration(a, &o->interval_ns);
	case OPT_TEMPLATE:
		drop_file_input(o);
		o->input = SRC_TEMPLATE;
		/* Compiled here, so an error names where it was made. */
		if (tmpl_compile(a->value, &o->tmpl, msg, sizeof(msg)) < 0)
			return cli_usage_at(a, "--template: %s", msg);
		return 0;
	case OPT_STDIN:
		if (a->value && strcmp(a->value, "raw") != 0)
			return cli_usage_at(a, "--stdin: unknown mode '%s' (expected raw)",
					    a->value);
		o->input = a->value ? SRC_RAW : SRC_LINES;
		return 0;
	case OPT_WAIT:
		o->has_wait = true;
		return cli_duration(a, &o->wait_ns);
	case OPT_EXPECT:
		o->has_expect = true;
		return cli_uint(a, 1, SEND_RESPONDER_LIMIT, &o->expect);
	case OPT_JSON: o->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* The scratch context a setting is checked in (cli_check_setting()). */
static void scratch_init(void *ctx)
{
	outsock_init(&((struct send_opts *)ctx)->out);
}

static void scratch_free(void *ctx)
{
	tmpl_free(((struct send_opts *)ctx)->tmpl);
}

const struct cli_spec send_spec = {
	.name = "send", .opts = send_options, .apply = apply,
	.ctx_size = sizeof(struct send_opts), .ctx_init = scratch_init,
	.ctx_free = scratch_free,
	.usage = usage_text, .operands = CLI_GROUP_WORDS, .sends = true,
	.ranges = true,
};

/* One block that rejects every conflicting combination; words is how
 * many message words the command line has. */
static int check_conflicts(struct send_opts *o, int words)
{
	if (o->input != SRC_WORDS && words)
		return cli_usage("give MESSAGE words, --template or --stdin, not two");
	if (o->input == SRC_WORDS && !words)
		return cli_usage("no message: give MESSAGE words, --template or --stdin");
	if ((from_stdin(o) && o->tmpl) || (o->cli_template && o->cli_stdin))
		return cli_usage("give --template or --stdin, not both");
	if (from_stdin(o) && o->has_count)
		return cli_usage("--count does not apply to --stdin (one datagram per line)");
	if (o->input == SRC_RAW && o->has_interval)
		return cli_usage("--interval does not apply to --stdin=raw");
	if (o->has_expect && !o->has_wait)
		return cli_usage("--expect needs --wait: answers are only collected while waiting");
	if (o->count == 0 && o->has_expect)
		return cli_usage("--expect needs an end: give --count N (not 0)");
	return seal_check(&o->seal, o->has_wait ? NULL : "--trust, --decrypt and --max-age "
			  "check answers: they need --wait", NULL);
}

int send_parse(struct send_opts *o, int argc, char **argv)
{
	int rc;

	memset(o, 0, sizeof(*o));
	outsock_init(&o->out);
	reliable_init(&o->rel);
	o->count = 1;
	o->interval_ns = 1000000000ULL;
	rc = cli_parse_args(argc, argv, &send_spec, o, &o->cfg, &o->group);
	if (rc)
		return rc;
	/* Message words on the command line beat the file's template or stdin. */
	if (o->input_from_file && optind < argc)
		drop_file_input(o);
	/* The file's count is for repeated messages: not for stdin. */
	if (from_stdin(o) && o->count_from_file)
		o->has_count = false;
	o->out.dsts = o->cfg.groups;
	o->out.n_dsts = o->cfg.n_groups;
	/* -n N is N datagrams to each group: N rounds. */
	if (o->cfg.n_groups > 1 && o->count) {
		if (o->count > UINT64_MAX / o->cfg.n_groups)
			return cli_usage("--count: %llu to each of %zu groups is too many",
					 (unsigned long long)o->count, o->cfg.n_groups);
		o->count *= o->cfg.n_groups;
	}
	/* --reliable checks its own combinations first. */
	rc = reliable_check(&o->rel);
	if (rc == 0 && o->rel.on && o->cfg.n_groups > 1)
		rc = cli_usage("--reliable sends to one group, not %zu", o->cfg.n_groups);
	if (rc == 0 && o->rel.on && o->input == SRC_TEMPLATE)
		rc = cli_usage("--template does not apply to --reliable");
	if (rc == 0 && o->rel.on && o->has_interval)
		rc = cli_usage("--interval does not apply to --reliable (NORM paces by --rate)");
	if (rc == 0 && o->rel.on && (o->seal.encrypt || o->seal.n_trust))
		rc = cli_usage("--encrypt and --trust do not apply to --reliable");
	if (rc == 0 && o->rel.on && o->seal.sign && (o->input != SRC_WORDS || optind < argc))
		rc = cli_usage("--sign with --reliable signs files (--file), not messages "
			       "or --stdin");
	if (rc == 0 && o->rel.on && o->input == SRC_WORDS && optind >= argc && o->rel.nfiles)
		return 0;
	if (rc == 0 && o->rel.on && o->has_expect && !o->has_wait)
		o->has_wait = true, o->wait_ns = o->rel.o.wait_ns;
	if (rc)
		return rc;
	rc = check_conflicts(o, argc - optind);
	if (rc || o->input != SRC_WORDS)
		return rc;
	o->message = source_join_words(argc - optind, argv + optind, &o->message_len);
	if (!o->message) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	/* Larger than any datagram of the family: the command line is wrong. */
	if (o->message_len > mcast_max_payload(mcast_addr_family(&o->group)))
		return cli_usage("the message is %zu bytes, more than one datagram can "
				 "carry (%zu)", o->message_len,
				 mcast_max_payload(mcast_addr_family(&o->group)));
	return 0;
}
