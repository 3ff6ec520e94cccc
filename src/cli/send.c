/*
 * send.c - `mcast send GROUP:PORT [MESSAGE...]`: publish datagrams and
 * collect the answers that come back until a deadline.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/lines.h"
#include "cli/output.h"
#include "cli/outsock.h"
#include "cli/parse.h"
#include "cli/peers.h"
#include "cli/template.h"

#include <errno.h>
#include <poll.h>
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
	"[ff15::1]:5000 or [ff02::1%eth0]:5000.\n"
	"\n"
	"Options:\n"
	OUT_USAGE
	"  -n, --count N           send N datagrams, 0 = until interrupted (default 1)\n"
	"  -I, --interval DURATION time between datagrams (default 1s); with\n"
	"                          --stdin the least time between lines\n"
	"  -T, --template TEXT     the message, with {seq} {time} {localtime}\n"
	"                          {epoch} {epoch_ms} {host} {pid}; {{ for a brace\n"
	"      --stdin[=raw]       read the message from standard input: one\n"
	"                          datagram per line, or with =raw all of it as one\n"
	"  -w, --wait DURATION     after each datagram, report the answers that\n"
	"                          arrive; after the last, for DURATION\n"
	"      --expect N          exit 3 unless at least N responders answered\n"
	"      --json              answers and the summary as JSON lines\n"
	"      --config FILE       read settings from FILE ([send] section)\n"
	"  -v, --verbose           log each datagram sent\n"
	"  -q, --quiet             print errors and answers only\n"
	"  -h, --help              show this help\n"
	"\n"
	"Durations: 500us, 250ms, 2s, 1m (units ns to h). Exit status: 0 sent,\n"
	"1 failure, 2 usage error, "
	"3 fewer responders than --expect.\n";

enum {
	OPT_COUNT = OUT_OPT_OWN,
	OPT_INTERVAL,
	OPT_TEMPLATE,
	OPT_STDIN,
	OPT_WAIT,
	OPT_EXPECT,
	OPT_JSON,
	OPT_INPUT /* the setting of --template and --stdin */
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
	CLI_COMMON_OPTIONS,
};

enum input { IN_ARGS, IN_TEMPLATE, IN_LINES, IN_RAW };

struct send_opts {
	mcast_addr group;
	struct outsock out;
	struct tmpl *tmpl; /* --template, compiled when the option is applied */
	uint64_t count, interval_ns, wait_ns, expect;
	bool has_count, has_interval, has_wait, has_expect, json;
	bool input_from_file, count_from_file; /* set by the settings file */
	bool cli_template, cli_stdin;		/* given on the command line */
	enum input input;
	char *message;
	size_t message_len;
	struct cli_config cfg;
};

/* What is kept per responder to --wait. */
struct reply_peer {
	uint64_t replies;
};

struct sender {
	struct send_opts *o;
	struct outsock *out;
	char host[256];
	char *payload; /* room for one datagram */
	size_t max;    /* the largest payload for the family */
	struct lines in;
	uint64_t sent, bytes, replies;
	uint64_t next_ns;	       /* when the next datagram is due */
	struct timespec last_sent; /* CLOCK_REALTIME of the last send */
	struct peers responders; /* of struct reply_peer */
	bool closed; /* standard output's reader went away */
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct send_opts *o = ctx;
	bool from_file = a->file != NULL;
	int c = a->id, rc = outsock_option(&o->out, a);

	if (rc != 1)
		return rc;
	/*
	 * The command line overrides the settings file: a message source or a
	 * count given here replaces the file's, rather than conflicting.
	 */
	if (!from_file && (c == OPT_TEMPLATE || c == OPT_STDIN) && o->input_from_file) {
		o->input = IN_ARGS;
		tmpl_free(o->tmpl);
		o->tmpl = NULL;
	}
	if (c == OPT_TEMPLATE || c == OPT_STDIN)
		o->input_from_file = from_file;
	/* Both on the command line, in either order, is a conflict. */
	if (!from_file && c == OPT_TEMPLATE)
		o->cli_template = true;
	if (!from_file && c == OPT_STDIN)
		o->cli_stdin = true;
	if (c == OPT_COUNT)
		o->count_from_file = from_file;
	switch (c) {
	case OPT_COUNT:
		o->has_count = true;
		return cli_uint(a, 0, UINT64_MAX, &o->count);
	case OPT_INTERVAL:
		o->has_interval = true;
		return cli_duration(a, &o->interval_ns);
	case OPT_TEMPLATE: {
		char msg[200];

		o->input = IN_TEMPLATE;
		tmpl_free(o->tmpl);
		o->tmpl = NULL;
		/* Compiled here, so an error names where it was made. */
		if (tmpl_compile(a->value, &o->tmpl, msg, sizeof(msg)) < 0)
			return cli_usage_at(a, "--template: %s", msg);
		return 0;
	}
	case OPT_STDIN:
		if (!a->value)
			o->input = IN_LINES;
		else if (strcmp(a->value, "raw") == 0)
			o->input = IN_RAW;
		else
			return cli_usage_at(a, "--stdin: unknown mode '%s' (expected raw)",
					    a->value);
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

/* Check a setting for send without keeping it (a settings file read by
 * another subcommand, or replaced by the command line). */
static int check(const struct cli_arg *a)
{
	struct send_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	outsock_init(&o.out);
	rc = apply(&o, a);
	tmpl_free(o.tmpl);
	return rc;
}

const struct cli_spec send_spec = {
	.name = "send", .opts = send_options, .apply = apply, .check = check,
	.usage = usage_text, .operands = CLI_GROUP_WORDS, .sends = true,
};

/* Join argv words with single spaces into one malloc'ed message. */
static char *join_words(int n, char **words, size_t *len)
{
	size_t total = 1;
	char *msg, *p;

	for (int i = 0; i < n; i++)
		total += strlen(words[i]) + 1;
	msg = malloc(total);
	if (!msg)
		return NULL;
	p = msg;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(words[i]);

		if (i)
			*p++ = ' ';
		memcpy(p, words[i], l);
		p += l;
	}
	*p = '\0';
	*len = (size_t)(p - msg);
	return msg;
}

static int parse_args(int argc, char **argv, struct send_opts *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	outsock_init(&o->out);
	o->count = 1;
	o->interval_ns = 1000000000ULL;
	rc = cli_parse_args(argc, argv, &send_spec, o, &o->cfg, &o->group);
	if (rc)
		return rc;
	/* Message words on the command line beat the file's template or stdin. */
	if (o->input_from_file && optind < argc) {
		o->input = IN_ARGS;
		tmpl_free(o->tmpl);
		o->tmpl = NULL;
	}
	/* The file's count is for repeated messages: not for stdin. */
	if ((o->input == IN_LINES || o->input == IN_RAW) && o->count_from_file)
		o->has_count = false;
	/* One block that rejects every conflicting combination. */
	if (o->input != IN_ARGS && optind < argc)
		return cli_usage("give MESSAGE words, --template or --stdin, not two");
	if (o->input == IN_ARGS && optind >= argc)
		return cli_usage("no message: give MESSAGE words, --template or --stdin");
	if (((o->input == IN_LINES || o->input == IN_RAW) && o->tmpl) ||
	    (o->cli_template && o->cli_stdin))
		return cli_usage("give --template or --stdin, not both");
	if ((o->input == IN_LINES || o->input == IN_RAW) && o->has_count)
		return cli_usage("--count does not apply to --stdin (one datagram per line)");
	if (o->input == IN_RAW && o->has_interval)
		return cli_usage("--interval does not apply to --stdin=raw");
	if (o->has_expect && !o->has_wait)
		return cli_usage("--expect needs --wait: answers are only collected while waiting");
	if (o->count == 0 && o->has_expect)
		return cli_usage("--expect needs an end: give --count N (not 0)");
	if (o->input == IN_ARGS) {
		o->message = join_words(argc - optind, argv + optind, &o->message_len);
		if (!o->message) {
			cli_err("out of memory");
			return EXIT_FAIL;
		}
	}
	return 0;
}

/* Open the socket and make room for one datagram. */
static int setup(struct sender *s)
{
	struct send_opts *o = s->o;
	int rc;

	s->max = mcast_max_payload(mcast_addr_family(&o->group));
	s->payload = malloc(s->max);
	if (!s->payload) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	s->out = &o->out;
	rc = outsock_open(&o->out, &o->group);
	return rc;
}

static int send_one(struct sender *s, const void *buf, size_t len)
{
	char dst[MCAST_ADDRSTRLEN];
	int rc;

	clock_gettime(CLOCK_REALTIME, &s->last_sent);
	rc = outsock_send(s->out, buf, len);
	if (rc)
		return rc;
	s->sent++;
	s->bytes += len;
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(&s->o->group, dst, sizeof(dst), MCAST_FMT_PORT);
		cli_debug("sent %zu %s to %s (#%llu)", len, cli_plural(len, "byte", "bytes"),
			  dst, (unsigned long long)s->sent);
	}
	return 0;
}

/* Milliseconds from a to b (both CLOCK_REALTIME). */
static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Print one answer; -1 with errno when stdout fails. */
static int print_reply(struct sender *s, const void *buf, size_t len,
		       const mcast_rxinfo *ri)
{
	double rtt = ms_between(&s->last_sent, &ri->time);
	char src[MCAST_ADDRSTRLEN];
	int rc;

	if (s->o->json) {
		mcast_addr_format(&ri->source, src, sizeof(src), 0);
		printf("{\"event\":\"reply\",\"source\":\"%s\",\"source_port\":%u,"
		       "\"bytes\":%zu,", src, mcast_addr_port(&ri->source), ri->len);
		if (cli_utf8_valid(buf, len)) {
			fputs("\"data\":", stdout);
			rc = cli_write_json_string(stdout, buf, len);
		} else {
			fputs("\"data_base64\":", stdout);
			rc = cli_write_base64(stdout, buf, len);
		}
		printf(",\"rtt_ms\":%.3f}\n", rtt);
	} else {
		mcast_addr_format(&ri->source, src, sizeof(src), MCAST_FMT_PORT);
		printf("reply from %s, %zu %s in %.3f ms: ", src, ri->len,
		       cli_plural(ri->len, "byte", "bytes"), rtt);
		rc = cli_write_escaped(stdout, buf, len);
		putchar('\n');
	}
	return fflush(stdout) == EOF ? -1 : rc;
}

/* Read every answer waiting on the socket. Returns 0 or an exit code. */
static int drain_replies(struct sender *s)
{
	static unsigned char buf[65536];
	mcast_rxinfo ri;
	mcast_error e;
	ssize_t n;

	while ((n = mcast_sock_recv(s->out->sock, buf, sizeof(buf), &ri,
				    MCAST_RECV_NOWAIT, &e)) >= 0) {
		struct reply_peer *r = peers_get(&s->responders, &ri.source, NULL);

		if (r)
			r->replies++;
		s->replies++;
		if (print_reply(s, buf, (size_t)n, &ri) < 0) {
			/* The reader has gone (send --wait | head -1): stop. */
			if (errno == EPIPE) {
				s->closed = true;
				return 0;
			}
			cli_err("writing output: %s", strerror(errno));
			return EXIT_FAIL;
		}
	}
	if (n != -EAGAIN && n != -EINTR) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	return 0;
}

/* Read what standard input has. Returns 0 or an exit code. */
static int fill_lines(struct sender *s)
{
	int rc = lines_fill(&s->in, STDIN_FILENO, s->max);

	if (rc < 0) {
		cli_err("reading standard input: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	return 0;
}

/* Whether standard input holds the next datagram (a line, or all of it). */
static bool input_ready(const struct sender *s)
{
	if (s->o->input == IN_RAW)
		return s->in.eof || s->in.len > s->max;
	/* At the end of input, "ready" means ready to say there is no more. */
	return lines_ready(&s->in, s->max);
}

/* The next datagram into s->payload: its length, -1 none yet, -2 no more,
 * or -3 after an error already reported. */
static long next_payload(struct sender *s)
{
	struct send_opts *o = s->o;
	struct tmpl_vars v;
	long n;

	switch (o->input) {
	case IN_LINES:
		n = lines_next(&s->in, s->payload, s->max);
		if (n == -2) {
			cli_err("an input line is larger than one datagram can carry (%zu bytes)",
				s->max);
			return -3;
		}
		return n == -1 && s->in.eof ? -2 : n;
	case IN_RAW:
		if (s->sent)
			return -2;
		if (s->in.len > s->max) {
			cli_err("standard input is larger than one datagram can carry (%zu bytes)",
				s->max);
			return -3;
		}
		if (!s->in.eof)
			return -1;
		if (s->in.len)
			memcpy(s->payload, s->in.buf, s->in.len);
		return (long)s->in.len;
	case IN_TEMPLATE:
		if (o->count && s->sent >= o->count)
			return -2;
		v.seq = s->sent + 1;
		clock_gettime(CLOCK_REALTIME, &v.now);
		v.host = s->host;
		v.pid = (long)getpid();
		n = tmpl_expand(o->tmpl, &v, s->payload, s->max);
		if (n < 0) {
			cli_err("the template expands to more than one datagram can carry (%zu bytes)",
				s->max);
			return -3;
		}
		return n;
	case IN_ARGS:
	default:
		if (o->count && s->sent >= o->count)
			return -2;
		if (o->message_len > s->max) {
			cli_err("the message is %zu bytes, more than one datagram can carry (%zu)",
				o->message_len, s->max);
			return -3;
		}
		memcpy(s->payload, o->message, o->message_len);
		return (long)o->message_len;
	}
}

/*
 * The sending loop: send each datagram when it is due, listen for answers
 * (with --wait) and for standard input (with --stdin) in between, and after
 * the last datagram wait for answers until the deadline. Everything waits
 * in one ppoll(), the only place SIGINT and SIGTERM can land.
 */
static int run(struct sender *s, const sigset_t *unblocked)
{
	struct send_opts *o = s->o;
	bool from_stdin = o->input == IN_LINES || o->input == IN_RAW;
	bool paced = !from_stdin || o->has_interval;
	bool done = false;
	uint64_t end = 0;
	int rc = 0;

	s->next_ns = cli_now_ns();
	while (rc == 0 && !cli_stop && !s->closed) {
		uint64_t now = cli_now_ns(), until = UINT64_MAX;
		bool ready = !from_stdin || input_ready(s);
		struct pollfd p[2];
		struct timespec ts;
		nfds_t np = 0;

		bool drained = from_stdin && s->in.eof && !s->in.len && s->sent;

		if (!done && ready && (!paced || now >= s->next_ns || drained)) {
			long n = next_payload(s);

			if (n == -3)
				return EXIT_FAIL;
			if (n == -2) {
				done = true;
				end = now + o->wait_ns;
			} else if (n >= 0) {
				rc = send_one(s, s->payload, (size_t)n);
				/*
				 * Deadlines advance by the interval from the first send,
				 * not from the last, so sending time does not add up
				 * into drift. Far behind (a slow stdin), start afresh.
				 */
				s->next_ns += o->interval_ns;
				if (s->next_ns + o->interval_ns < now)
					s->next_ns = now + o->interval_ns;
				/* The last of --count: wait for answers, not the interval. */
				if (!from_stdin && o->count && s->sent >= o->count) {
					done = true;
					end = cli_now_ns() + o->wait_ns;
				}
				continue;
			}
		}
		if (done && (!o->has_wait || now >= end))
			break;
		if (o->has_wait) {
			p[np].fd = mcast_sock_fd(s->out->sock);
			p[np++].events = POLLIN;
		}
		if (!done && from_stdin && !ready && !s->in.eof) {
			p[np].fd = STDIN_FILENO;
			p[np++].events = POLLIN;
		}
		if (done)
			until = end;
		else if (ready && paced)
			until = s->next_ns;
		if (until != UINT64_MAX) {
			uint64_t d = until > now ? until - now : 0;

			ts.tv_sec = (time_t)(d / 1000000000ULL);
			ts.tv_nsec = (long)(d % 1000000000ULL);
		}
		if (ppoll(p, np, until == UINT64_MAX ? NULL : &ts, unblocked) <= 0)
			continue;
		for (nfds_t i = 0; i < np && rc == 0; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			rc = p[i].fd == STDIN_FILENO ? fill_lines(s) : drain_replies(s);
		}
	}
	return rc;
}

static int summary(struct sender *s)
{
	struct send_opts *o = s->o;
	char dst[MCAST_ADDRSTRLEN], answers[96] = "";

	if (o->json) {
		printf("{\"event\":\"summary\",\"sent\":%llu,\"bytes\":%llu,"
		       "\"replies\":%llu,\"responders\":%zu}\n",
		       (unsigned long long)s->sent, (unsigned long long)s->bytes,
		       (unsigned long long)s->replies, s->responders.n);
		fflush(stdout);
	} else {
		mcast_addr_format(&o->group, dst, sizeof(dst), MCAST_FMT_PORT);
		if (o->has_wait)
			snprintf(answers, sizeof(answers), "; %llu repl%s from %s%zu responder%s",
				 (unsigned long long)s->replies, s->replies == 1 ? "y" : "ies",
				 s->responders.full ? "at least " : "", s->responders.n,
				 s->responders.n == 1 ? "" : "s");
		cli_info("sent %llu datagram%s (%llu %s) to %s via %s%s",
			 (unsigned long long)s->sent, s->sent == 1 ? "" : "s",
			 (unsigned long long)s->bytes, cli_plural(s->bytes, "byte", "bytes"),
			 dst, outsock_iface_name(&o->out), answers);
	}
	if (o->has_expect && s->responders.n < o->expect) {
		cli_err("%zu responder%s answered, fewer than the %llu expected",
			s->responders.n, s->responders.n == 1 ? "" : "s",
			(unsigned long long)o->expect);
		return EXIT_EXPECT;
	}
	return EXIT_OK;
}

int cmd_send(int argc, char **argv)
{
	struct send_opts o;
	struct sender s;
	sigset_t unblocked;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = parse_args(argc, argv, &o);
	if (rc == 0) {
		s.o = &o;
		peers_init(&s.responders, sizeof(struct reply_peer), RESPONDER_LIMIT, true);
		if (gethostname(s.host, sizeof(s.host) - 1) < 0)
			snprintf(s.host, sizeof(s.host), "localhost");
		cli_signals(true, false, &unblocked);
		rc = setup(&s);
		if (rc == 0)
			rc = run(&s, &unblocked);
		if (rc == 0 && !s.closed)
			rc = summary(&s);
	}
	outsock_close(&o.out);
	peers_free(&s.responders, NULL);
	tmpl_free(o.tmpl);
	free(s.payload);
	lines_free(&s.in);
	free(o.message);
	cli_config_free(&o.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
