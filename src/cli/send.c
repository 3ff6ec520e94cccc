/*
 * send.c - `mcast send GROUP:PORT [MESSAGE...]`: publish datagrams and
 * collect the answers that come back until a deadline.
 *
 * Glue only: the payloads come from source.c, leave on a schedule
 * (sched.c) through a tx_transport (transport_udp.c), answers come back
 * through the transport's drain, and every record goes through emit.c, all
 * on the one loop (loop.c).
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/opt.h"
#include "cli/outsock.h"
#include "cli/sched.h"
#include "cli/seal.h"
#include "cli/sentlog.h"
#include "cli/source.h"
#include "cli/peers.h"
#include "cli/reliable.h"
#include "cli/template.h"
#include "cli/transport_udp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Responders counted exactly up to this many. */
#define RESPONDER_LIMIT 65536

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

struct send_opts {
	mcast_addr group;
	struct outsock out;
	struct tmpl *tmpl; /* --template, compiled when the option is applied */
	uint64_t count, interval_ns, wait_ns, expect;
	bool has_count, has_interval, has_wait, has_expect, json;
	bool input_from_file, count_from_file; /* set by the settings file */
	bool cli_template, cli_stdin;		/* given on the command line */
	enum source_kind input;
	char *message;
	size_t message_len;
	struct seal_opts seal;
	struct cli_config cfg;
	struct reliable rel; /* --reliable: NORM */
};

/* What is kept per responder to --wait. */
struct reply_peer {
	uint64_t replies;
};

struct sender {
	struct send_opts *o;
	struct loop loop;
	struct tx_transport tx;
	struct seal seal;
	struct tx_transport *out; /* tx, or the sealing one in front of it */
	struct emit em;
	struct source src;
	struct sched sched;
	int timer;
	char *payload; /* room for one datagram */
	uint64_t sent, bytes, replies;
	struct sentlog log; /* to tell which datagram an answer answers */
	struct peers responders; /* of struct reply_peer */
	bool done;
};

static bool from_stdin(const struct send_opts *o)
{
	return o->input == SRC_LINES || o->input == SRC_RAW;
}

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
		rc = seal_option(&o->seal, OPT_SEAL, a);
	if (rc == 1)
		rc = reliable_option(&o->rel, a);
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
		return cli_uint(a, 1, RESPONDER_LIMIT, &o->expect);
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

static int parse_args(int argc, char **argv, struct send_opts *o)
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
	if (rc == 0 && o->rel.on && (o->seal.sign || o->seal.encrypt || o->seal.n_trust))
		rc = cli_usage("--sign, --encrypt and --trust do not apply to --reliable yet");
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

/* Count and print one answer (the transport's drain calls this). */
static void on_answer(void *owner, const struct rx_msg *m)
{
	struct sender *s = owner;
	struct reply_peer *r = peers_get(&s->responders, &m->source, NULL);
	uint64_t at = sentlog_answered(&s->log, cli_ns_of(&m->time), m->data, m->len);
	char from[MCAST_ADDRSTRLEN], tmpl[120];

	if (r)
		r->replies++;
	s->replies++;
	mcast_addr_format(&m->source, from, sizeof(from), MCAST_FMT_PORT);
	emit_begin(&s->em, "reply");
	emit_addr(&s->em, "source", &m->source, false);
	emit_u64(&s->em, "source_port", mcast_addr_port(&m->source));
	emit_text(&s->em, "from", from);
	emit_u64(&s->em, "bytes", m->len);
	if (m->signer)
		emit_str(&s->em, "signer", m->signer);
	emit_data(&s->em, m->data, m->len);
	if (at)
		emit_dbl(&s->em, "rtt_ms", (double)(cli_ns_of(&m->time) - at) / 1e6, 3);
	else
		emit_null(&s->em, "rtt_ms");
	snprintf(tmpl, sizeof(tmpl), "reply from {from}, {bytes} byte{bytes?:s}%s%s: {data}",
		 m->signer ? " signed by {signer}" : "",
		 at ? " in {rtt_ms} ms" : " (round trip unknown)");
	if (emit_end(&s->em, EMIT_DATA, tmpl) < 0)
		loop_stop(&s->loop, emit_failed(&s->em));
}

/* The last datagram went: wait for answers until the deadline, or end. */
static void finish(struct sender *s)
{
	s->done = true;
	loop_fd_del(&s->loop, s->src.fd);
	if (s->o->has_wait)
		loop_deadline(&s->loop, cli_now_ns() + s->o->wait_ns);
	else
		loop_stop(&s->loop, EXIT_OK);
}

static void send_payload(struct sender *s, size_t len)
{
	/* Stamped before the send: on lo an echo can arrive before it returns. */
	uint64_t at = cli_realtime_ns();
	char dst[MCAST_ADDRSTRLEN];
	int rc = s->out->send(s->out, s->payload, len);

	if (rc) {
		loop_stop(&s->loop, rc);
		return;
	}
	sentlog_add(&s->log, at, s->payload, len);
	s->sent++;
	s->bytes += len;
	sched_took(&s->sched, 1, cli_now_ns());
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(s->o->out.last, dst, sizeof(dst), MCAST_FMT_PORT);
		cli_debug("sent %zu bytes to %s (#%llu)", len, dst,
			  (unsigned long long)s->sent);
	}
}

/* The next datagram is due (or input arrived): send it, or wait for
 * standard input, or finish. */
static void on_due(struct loop *l, void *data)
{
	struct sender *s = data;
	long n;

	if (!source_ready(&s->src)) {
		loop_fd_events(l, s->src.fd, LOOP_READ);
		return;
	}
	n = source_next(&s->src, s->payload);
	if (n == SOURCE_FAILED) {
		loop_stop(l, EXIT_FAIL);
		return;
	}
	if (n == SOURCE_WAIT) {
		loop_fd_events(l, s->src.fd, LOOP_READ);
		return;
	}
	if (n == SOURCE_END) {
		finish(s);
		return;
	}
	send_payload(s, (size_t)n);
	if (!l->stopped && !from_stdin(s->o) && s->o->count && s->sent >= s->o->count)
		finish(s);
	else if (!l->stopped)
		loop_timer_at(l, s->timer, sched_next(&s->sched));
}

/* Standard input has something: read it, and once the next datagram (or
 * the end) is in, stop watching until it is due. */
static void on_stdin(struct loop *l, int fd, unsigned events, void *data)
{
	struct sender *s = data;
	int rc = source_fill(&s->src);

	(void)fd, (void)events;
	if (rc) {
		loop_stop(l, rc);
		return;
	}
	if (!source_ready(&s->src))
		return;
	loop_fd_events(l, s->src.fd, 0);
	/* At the end of input there is no next datagram to wait for. */
	if (s->src.in.eof && !s->src.in.len)
		loop_timer_at(l, s->timer, cli_now_ns());
	else
		loop_timer_at(l, s->timer, sched_next(&s->sched));
}

/* Open the transport, set up the source and the loop. */
static int setup(struct sender *s)
{
	struct send_opts *o = s->o;
	bool paced = !from_stdin(o) || o->has_interval;
	int rc = seal_init(&s->seal, &o->seal);

	if (rc == 0)
		rc = udp_tx_open(&s->tx, &o->out, &o->group);
	if (rc == 0)
		rc = seal_tx_open(&s->seal, &s->tx, o->message_len, &s->out);
	if (rc)
		return rc;
	source_init(&s->src, o->input, s->out->max_payload(s->out));
	s->src.message = o->message;
	s->src.message_len = o->message_len;
	s->src.tmpl = o->tmpl;
	s->src.count = o->count;
	s->payload = malloc(s->src.max);
	if (!s->payload || emit_init(&s->em, stdout, o->json) < 0 ||
	    loop_init(&s->loop) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	s->timer = loop_timer_new(&s->loop, on_due, s);
	sched_init(&s->sched, cli_now_ns(), paced ? (double)o->interval_ns : 0, 1);
	loop_timer_at(&s->loop, s->timer, sched_next(&s->sched));
	seal_rx(&s->seal, on_answer, s);
	if (o->has_wait && udp_tx_answers(&s->tx, &s->loop, seal_rx_fn, &s->seal) < 0)
		return EXIT_FAIL;
	if (from_stdin(o) &&
	    loop_fd_add(&s->loop, s->src.fd, LOOP_READ, on_stdin, s) < 0)
		return EXIT_FAIL;
	return 0;
}

static int summary(struct sender *s)
{
	struct send_opts *o = s->o;
	char to[MCAST_ADDRSTRLEN + 32], tmpl[600];

	/* The group and interface are for the text only, as they always were. */
	mcast_addr_format(&o->group, to, sizeof(to), MCAST_FMT_PORT);
	if (o->cfg.n_groups > 1)
		snprintf(to + strlen(to), sizeof(to) - strlen(to), " and %zu more group%s",
			 o->cfg.n_groups - 1, o->cfg.n_groups > 2 ? "s" : "");
	emit_begin(&s->em, "summary");
	emit_u64(&s->em, "sent", s->sent);
	emit_u64(&s->em, "bytes", s->bytes);
	emit_u64(&s->em, "replies", s->replies);
	emit_u64(&s->em, "responders", s->responders.n);
	emit_text(&s->em, "to", to);
	emit_text(&s->em, "via", outsock_iface_name(&o->out));
	emit_text(&s->em, "at_least", s->responders.full ? "at least " : "");
	snprintf(tmpl, sizeof(tmpl), "%s%s",
		 "sent {sent} datagram{sent?:s} ({bytes} byte{bytes?:s}) to {to} via {via}",
		 o->has_wait ? "; {replies} repl{replies?y:ies} from "
			       "{at_least}{responders} responder{responders?:s}" : "");
	seal_summary(&s->seal, &s->em, "; answers: ", tmpl, sizeof(tmpl));
	if (emit_end(&s->em, EMIT_INFO, tmpl) < 0)
		return emit_failed(&s->em);
	if (o->has_expect && s->responders.n < o->expect) {
		cli_err("%zu responder%s answered, fewer than the %llu expected",
			s->responders.n, s->responders.n == 1 ? "" : "s",
			(unsigned long long)o->expect);
		return EXIT_EXPECT;
	}
	return EXIT_OK;
}

/* Run the loop. The summary follows whatever ended it, a failure after
 * some datagrams left included (an interface going down mid-run): what
 * was done is still worth saying. */
static int run(struct sender *s)
{
	enum loop_end end = loop_run(&s->loop);
	int rc = end == LOOP_STOPPED ? s->loop.rc : EXIT_OK, src;

	if (s->em.closed || (rc && !s->sent))
		return s->em.closed ? EXIT_OK : rc;
	src = summary(s);
	return rc ? rc : src;
}

/* --reliable: the same group, interface, TTL, loopback, count, --expect,
 * --wait and --json, over NORM. */
static int send_reliable(struct send_opts *o)
{
	struct reliable_send_input in = {.message = o->message,
					 .message_len = o->message_len,
					 .count = o->message ? o->count : 0,
					 .from_stdin = from_stdin(o),
					 .raw = o->input == SRC_RAW};
	struct norm_opts *no = &o->rel.o;
	mcast_iface ifc;
	int rc;

	no->group = o->group;
	if (o->out.iface_spec) {
		rc = cli_iface(o->out.iface_spec, &ifc);
		if (rc)
			return rc;
		no->ifname = ifc.name;
	}
	no->ttl = (int)o->out.ttl;
	no->loop = o->out.loop;
	no->json = o->json;
	no->expect = (unsigned)o->expect;
	if (o->has_wait)
		no->wait_ns = o->wait_ns;
	return reliable_send(&o->rel, &in);
}

int cmd_send(int argc, char **argv)
{
	struct send_opts o;
	struct sender s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = parse_args(argc, argv, &o);
	if (rc == 0 && o.rel.on) {
		rc = send_reliable(&o);
	} else if (rc == 0) {
		s.o = &o;
		peers_init(&s.responders, sizeof(struct reply_peer), RESPONDER_LIMIT, true);
		rc = setup(&s);
		if (rc == 0)
			rc = run(&s);
	}
	if (s.tx.close)
		s.tx.close(&s.tx);
	loop_free(&s.loop);
	emit_free(&s.em);
	peers_free(&s.responders, NULL);
	seal_free(&s.seal);
	source_free(&s.src);
	tmpl_free(o.tmpl);
	free(s.payload);
	free(o.message);
	cli_config_free(&o.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
