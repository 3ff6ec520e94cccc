/*
 * recv.c - `mcast recv GROUP:PORT`: join a group and print what arrives.
 */
#include "cli/cli.h"
#include "cli/join.h"
#include "cli/limit.h"
#include "cli/outfile.h"
#include "cli/output.h"
#include "cli/parse.h"
#include "cli/peers.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct sources counted exactly up to this many; past it, "at least". */
#define SOURCE_LIMIT 65536

static const char usage_text[] =
	"Usage: mcast recv [OPTIONS] GROUP:PORT\n"
	"\n"
	"Join a multicast group and print each datagram that arrives.\n"
	"GROUP:PORT is 239.1.2.3:5000, [ff15::1]:5000 or [ff02::1%eth0]:5000;\n"
	"port 0 picks a free port and prints it.\n"
	"\n"
	"Options:\n"
	JOIN_USAGE
	"      --reply TEXT        answer each datagram with TEXT, unicast to its\n"
	"                          sender (cut to the datagram's size)\n"
	"      --echo              answer each datagram with itself\n"
	"      --reply-rate N[/s]  answer each source at most N times a second\n"
	"                          (default 100)\n"
	"  -n, --count N           exit after N datagrams\n"
	"  -w, --timeout DURATION  exit after DURATION without a datagram\n"
	"      --hex               print payloads as hex bytes\n"
	"      --raw               write only the payload bytes (for pipes)\n"
	"      --json              one JSON object per line\n"
	"      --output-file FILE  append the output to FILE instead of standard\n"
	"                          output; reopen FILE on SIGHUP (logrotate)\n"
	"      --config FILE       read settings from FILE ([recv] section)\n"
	"  -v, --verbose           log each join and leave\n"
	"  -q, --quiet             print data only\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 done, 1 failure or timeout before anything (or before N\n"
	"datagrams with -n) arrived, 2 usage error.\n";

enum {
	OPT_COUNT = JOIN_OPT_OWN,
	OPT_TIMEOUT,
	OPT_HEX,
	OPT_RAW,
	OPT_JSON,
	OPT_OUTPUT_FILE,
	OPT_REPLY,
	OPT_ECHO,
	OPT_REPLY_RATE
};

static const struct cli_opt recv_options[] = {
	JOIN_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("timeout", 'w', OPT_TIMEOUT),
	CLI_FLAG("hex", 0, OPT_HEX),
	CLI_FLAG("raw", 0, OPT_RAW),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_VALUE("output-file", 0, OPT_OUTPUT_FILE),
	CLI_VALUE("reply", 0, OPT_REPLY),
	CLI_FLAG("echo", 0, OPT_ECHO),
	CLI_VALUE("reply-rate", 0, OPT_REPLY_RATE),
	CLI_COMMON_OPTIONS,
};

enum format { FMT_TEXT, FMT_HEX, FMT_RAW, FMT_JSON };

struct recv_opts {
	uint64_t count, timeout_ns, reply_rate;
	enum format fmt;
	int n_fmt;
	const char *reply; /* --reply TEXT */
	bool echo;
	struct outfile out; /* --output-file FILE */
	struct cli_config cfg;
};

struct receiver {
	struct recv_opts *o;
	struct join j;
	/* What arrived. */
	uint64_t datagrams, bytes;
	uint32_t drops;
	struct peers sources; /* no value: counted only */
	/* Answers: a socket of their own, and a token bucket per source. */
	mcast_sock *answer;
	struct limit limits;
	uint64_t answered, held_back;
	bool cut_warned;
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct receiver *r = ctx;
	struct recv_opts *o = r->o;
	int rc = join_option(&r->j, a);

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
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec recv_spec = {"recv", recv_options, apply, usage_text, CLI_GROUP};

static int parse_args(int argc, char **argv, struct receiver *r)
{
	struct recv_opts *o = r->o;
	mcast_addr group;
	int rc;

	o->reply_rate = 100;
	rc = cli_parse_args(argc, argv, &recv_spec, r, &o->cfg, &group);
	if (rc)
		return rc;
	rc = join_parse(&r->j, &group);
	if (rc)
		return rc;
	/* One block that rejects every conflicting combination. */
	if (o->n_fmt > 1)
		return cli_usage("choose one of --hex, --raw and --json");
	if (o->reply && o->echo)
		return cli_usage("choose --reply TEXT or --echo, not both");
	return 0;
}

/* Write one datagram in the chosen format; -1 with errno on write error. */
static int print_datagram(struct receiver *r, const void *buf, size_t len,
			  const mcast_rxinfo *ri)
{
	char src[MCAST_ADDRSTRLEN], dst[MCAST_ADDRSTRLEN], when[40];
	const char *ifn = join_iface_name(&r->j, ri->ifindex);
	FILE *f = stdout;
	int rc;

	switch (r->o->fmt) {
	case FMT_RAW:
		rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
		break;
	case FMT_JSON:
		mcast_addr_format(&ri->source, src, sizeof(src), 0);
		mcast_addr_format(&ri->dest, dst, sizeof(dst), 0);
		cli_format_rfc3339(&ri->time, when, sizeof(when));
		fprintf(f, "{\"event\":\"message\",\"time\":\"%s\",\"source\":\"%s\","
			   "\"source_port\":%u,\"group\":\"%s\",\"port\":%u,"
			   "\"interface\":\"%s\",\"bytes\":%zu,",
			when, src, mcast_addr_port(&ri->source), dst,
			mcast_addr_port(&ri->dest), ifn, ri->len);
		if (cli_utf8_valid(buf, len)) {
			fputs("\"data\":", f);
			rc = cli_write_json_string(f, buf, len);
		} else {
			fputs("\"data_base64\":", f);
			rc = cli_write_base64(f, buf, len);
		}
		if (rc == 0)
			rc = fputs("}\n", f) == EOF ? -1 : 0;
		break;
	default:
		mcast_addr_format(&ri->source, src, sizeof(src), MCAST_FMT_PORT);
		mcast_addr_format(&ri->dest, dst, sizeof(dst), MCAST_FMT_PORT);
		fprintf(f, "%s -> %s on %s, %zu bytes: ", src, dst, ifn, ri->len);
		rc = r->o->fmt == FMT_HEX ? cli_write_hex(f, buf, len)
					  : cli_write_escaped(f, buf, len);
		if (rc == 0)
			rc = putc('\n', f) == EOF ? -1 : 0;
	}
	/* Flush each datagram: a reader on a pipe wants it now, not later. */
	if (fflush(f) == EOF)
		rc = -1;
	return rc;
}

static void summary(struct receiver *r)
{
	char answers[96] = "";
	uint32_t drops;

	/* Drops after the last datagram received show only in the counter. */
	if (r->j.sock && mcast_sock_drops(r->j.sock, &drops) == 0 && drops > r->drops)
		r->drops = drops;

	if (r->o->fmt == FMT_JSON) {
		if (r->answer)
			snprintf(answers, sizeof(answers),
				 ",\"replies\":%llu,\"replies_held_back\":%llu",
				 (unsigned long long)r->answered,
				 (unsigned long long)r->held_back);
		printf("{\"event\":\"summary\",\"datagrams\":%llu,\"bytes\":%llu,"
		       "\"sources\":%zu,\"kernel_drops\":%u%s}\n",
		       (unsigned long long)r->datagrams, (unsigned long long)r->bytes,
		       r->sources.n, r->drops, answers);
		fflush(stdout);
		return;
	}
	if (r->answer)
		snprintf(answers, sizeof(answers), "; answered %llu (%llu held back)",
			 (unsigned long long)r->answered, (unsigned long long)r->held_back);
	cli_info("%llu datagram%s, %llu bytes from %s%zu source%s, %u kernel drop%s%s",
		 (unsigned long long)r->datagrams, r->datagrams == 1 ? "" : "s",
		 (unsigned long long)r->bytes, r->sources.full ? "at least " : "",
		 r->sources.n, r->sources.n == 1 ? "" : "s", r->drops,
		 r->drops == 1 ? "" : "s", answers);
}

/*
 * Answer a datagram with --reply TEXT or --echo, unicast to its sender. An
 * answer is never larger than the datagram it answers, and each source is
 * answered at most reply_rate times a second (a burst of one second's
 * worth), so a receiver cannot amplify traffic toward a forged address.
 */
static void answer(struct receiver *r, const void *buf, size_t len,
		   const mcast_rxinfo *ri)
{
	struct recv_opts *o = r->o;
	const void *data = o->echo ? buf : o->reply;
	size_t n = o->echo ? len : strlen(o->reply);
	char src[MCAST_ADDRSTRLEN];
	mcast_error e;

	if (!limit_answerable(&ri->source)) {
		r->held_back++;
		return;
	}
	if (n > len) {
		if (!r->cut_warned)
			cli_warn("--reply text (%zu bytes) is longer than a datagram it "
				 "answers (%zu bytes): answers are cut to the size of "
				 "what they answer", n, len);
		r->cut_warned = true;
		n = len;
	}
	if (!limit_allow(&r->limits, &ri->source, cli_now_ns())) {
		r->held_back++;
		return;
	}
	if (mcast_sock_send(r->answer, &ri->source, data, n, &e) < 0) {
		cli_debug("answer not sent: %s", e.msg);
		return;
	}
	r->answered++;
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(&ri->source, src, sizeof(src), MCAST_FMT_PORT);
		cli_debug("answered %s with %zu bytes", src, n);
	}
}

/* Receive until the count, the timeout or a signal. Returns an exit code. */
static int receive(struct receiver *r, const sigset_t *unblocked)
{
	static unsigned char buf[65536];
	struct recv_opts *o = r->o;
	uint64_t last = cli_now_ns();
	struct pollfd p[2];
	nfds_t np = (nfds_t)join_pollfds(&r->j, p);
	char d[32];
	mcast_rxinfo ri;
	mcast_error e;

	while (!cli_stop && !(o->count && r->datagrams >= o->count)) {
		struct timespec ts, *tsp = NULL;
		ssize_t n;

		outfile_check(&o->out);
		if (o->timeout_ns) {
			uint64_t now = cli_now_ns(), end = last + o->timeout_ns;

			if (now >= end)
				break;
			ts.tv_sec = (time_t)((end - now) / 1000000000ULL);
			ts.tv_nsec = (long)((end - now) % 1000000000ULL);
			tsp = &ts;
		}
		if (ppoll(p, np, tsp, unblocked) <= 0)
			continue; /* timeout or signal: the loop head decides */
		if (join_events(&r->j, p))
			return EXIT_FAIL;
		n = mcast_sock_recv(r->j.sock, buf, sizeof(buf), &ri, MCAST_RECV_NOWAIT, &e);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0) {
			cli_err("%s", e.msg);
			return EXIT_FAIL;
		}
		last = cli_now_ns();
		r->datagrams++;
		r->bytes += (uint64_t)n;
		if (ri.drops > r->drops)
			r->drops = ri.drops;
		peers_get(&r->sources, &ri.source, NULL);
		if (r->answer)
			answer(r, buf, (size_t)n, &ri);
		if (print_datagram(r, buf, (size_t)n, &ri) < 0) {
			/* The reader went away (mcast recv | head -1): done. */
			if (errno == EPIPE)
				return EXIT_OK;
			cli_err("writing output: %s", strerror(errno));
			return EXIT_FAIL;
		}
	}
	if (cli_stop || !o->timeout_ns || (o->count && r->datagrams >= o->count))
		return EXIT_OK;
	cli_format_duration(o->timeout_ns, d, sizeof(d));
	if (r->datagrams == 0) {
		cli_err("nothing arrived within %s", d);
		return EXIT_FAIL;
	}
	if (o->count) {
		cli_err("only %llu of %llu datagrams arrived before %s of silence",
			(unsigned long long)r->datagrams, (unsigned long long)o->count, d);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_recv(int argc, char **argv)
{
	struct recv_opts o;
	struct receiver r;
	sigset_t unblocked;
	mcast_error e;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	r.o = &o;
	peers_init(&r.sources, 0, SOURCE_LIMIT, false);
	rc = parse_args(argc, argv, &r);
	limit_init(&r.limits, o.reply_rate);
	if (rc == 0)
		rc = outfile_open(&o.out);
	if (rc == 0) {
		cli_signals(true, false, &unblocked);
		outfile_signals(&o.out, &unblocked);
		rc = join_open(&r.j);
	}
	/*
	 * Answers leave from a socket of their own: the receiving socket is
	 * bound to the group, and a group is no source address.
	 */
	if (rc == 0 && (o.reply || o.echo) &&
	    mcast_sock_new(&r.answer, mcast_addr_family(&r.j.group), &e) < 0) {
		cli_err("%s", e.msg);
		rc = EXIT_FAIL;
	}
	if (rc == 0) {
		join_announce(&r.j, o.fmt == FMT_JSON);
		rc = receive(&r, &unblocked);
		/* After EPIPE the JSON summary goes nowhere, harmlessly. */
		summary(&r);
		join_close(&r.j);
	}
	join_close(&r.j);
	mcast_sock_free(r.answer);
	peers_free(&r.sources, NULL);
	limit_free(&r.limits);
	cli_config_free(&o.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
