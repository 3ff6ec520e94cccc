/*
 * pong.c - `mcast pong GROUP:PORT`: answer the probes of `mcast ping`.
 *
 * Every datagram on a multicast group may come from anyone, so pong decodes
 * strictly, counts what it ignores by kind, and answers only well-formed
 * probes of its own version, never larger than the probe, rate limited per
 * source.
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/join.h"
#include "cli/limit.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* Probers counted exactly up to this many. */
#define PROBER_LIMIT 65536

static const char usage_text[] =
	"Usage: mcast pong [OPTIONS] GROUP:PORT\n"
	"\n"
	"Join a group and answer the probes of 'mcast ping', unicast to each\n"
	"prober. Anything else that arrives is counted and ignored.\n"
	"\n"
	"Options:\n"
	JOIN_USAGE
	"      --reply-rate N[/s]  answer each prober at most N times a second\n"
	"                          (default 1000)\n"
	"  -n, --count N           exit after answering N probes\n"
	"  -w, --timeout DURATION  exit after DURATION without a probe\n"
	"      --json              the summary as a JSON line on stdout\n"
	"      --config FILE       read settings from FILE ([pong] section)\n"
	"  -v, --verbose           log each join, leave and answer\n"
	"  -q, --quiet             print errors only\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 done, 1 failure or no probe before --timeout, 2 usage error.\n";

enum { OPT_REPLY_RATE = JOIN_OPT_OWN, OPT_COUNT, OPT_TIMEOUT, OPT_JSON };

static const struct cli_opt pong_options[] = {
	JOIN_OPTIONS,
	CLI_VALUE("reply-rate", 0, OPT_REPLY_RATE),
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("timeout", 'w', OPT_TIMEOUT),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

struct ponger {
	struct join j;
	struct cli_config cfg;
	uint64_t count, timeout_ns, rate;
	bool json;
	uint64_t id; /* this responder, in every answer */
	mcast_sock *answer;
	struct limit limits;
	struct peers probers; /* no value: counted only */
	/* What arrived. */
	uint64_t answered, held_back, garbage, truncated, oversized, foreign,
		other;
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct ponger *p = ctx;
	int rc = join_option(&p->j, a);

	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_REPLY_RATE: return limit_parse_rate(a, &p->rate);
	case OPT_COUNT: return cli_uint(a, 1, UINT64_MAX, &p->count);
	case OPT_TIMEOUT:
		rc = cli_duration(a, &p->timeout_ns);
		if (rc == 0 && p->timeout_ns == 0)
			rc = cli_usage_at(a, "--timeout: must be more than 0");
		return rc;
	case OPT_JSON: p->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec pong_spec = {"pong", pong_options, apply, usage_text, CLI_GROUP};

/* Handle one datagram: count it, and answer it if it is a probe. */
static void handle(struct ponger *p, const void *buf, const mcast_rxinfo *ri)
{
	unsigned char out[MCAST_WIRE_ANSWER_LEN];
	char src[MCAST_ADDRSTRLEN];
	mcast_error e;
	mcast_wire w;
	int rc;

	/* Our buffer holds any UDP datagram, so a cut one is oversized. */
	rc = ri->truncated ? -EMSGSIZE : mcast_wire_decode(&w, buf, ri->len);
	switch (rc) {
	case 0: break;
	case -EPROTONOSUPPORT: p->foreign++; return;
	case -ENODATA: p->truncated++; return;
	case -EMSGSIZE: p->oversized++; return;
	default: p->garbage++; return;
	}
	if (w.type != MCAST_WIRE_T_PROBE) {
		p->other++;
		return;
	}
	if (!limit_answerable(&ri->source) ||
	    !limit_allow(&p->limits, &ri->source, cli_now_ns())) {
		p->held_back++;
		return;
	}
	w.type = MCAST_WIRE_T_ANSWER;
	w.responder_id = p->id;
	w.t_recv = cli_ns_of(&ri->time);
	w.t_answer = cli_realtime_ns();
	mcast_wire_encode(&w, out, sizeof(out), sizeof(out));
	if (mcast_sock_send(p->answer, &ri->source, out, sizeof(out), &e) < 0) {
		cli_debug("answer not sent: %s", e.msg);
		return;
	}
	p->answered++;
	if (peers_get(&p->probers, &ri->source, NULL) && cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(&ri->source, src, sizeof(src), MCAST_FMT_PORT);
		cli_debug("answered probe %llu of %s", (unsigned long long)w.seq, src);
	}
}

/* Answer until the count, the timeout or a signal. Returns an exit code. */
static int serve(struct ponger *p, const sigset_t *unblocked)
{
	static unsigned char buf[65536];
	struct pollfd pfd[2];
	nfds_t np = (nfds_t)join_pollfds(&p->j, pfd);
	uint64_t last = cli_now_ns();
	mcast_rxinfo ri;
	mcast_error e;

	while (!cli_stop && !(p->count && p->answered >= p->count)) {
		struct timespec ts, *tsp = NULL;
		ssize_t n;

		if (p->timeout_ns) {
			uint64_t now = cli_now_ns(), end = last + p->timeout_ns;

			if (now >= end)
				break;
			ts.tv_sec = (time_t)((end - now) / 1000000000ULL);
			ts.tv_nsec = (long)((end - now) % 1000000000ULL);
			tsp = &ts;
		}
		if (ppoll(pfd, np, tsp, unblocked) <= 0)
			continue;
		if (join_events(&p->j, pfd))
			return EXIT_FAIL;
		while ((n = mcast_sock_recv(p->j.sock, buf, sizeof(buf), &ri,
					    MCAST_RECV_NOWAIT, &e)) >= 0) {
			uint64_t before = p->answered + p->held_back;

			handle(p, buf, &ri);
			/* Any probe, answered or held back, is a sign of life. */
			if (p->answered + p->held_back > before)
				last = cli_now_ns();
			if (p->count && p->answered >= p->count)
				break;
		}
		if (n < 0 && n != -EAGAIN && n != -EINTR) {
			cli_err("%s", e.msg);
			return EXIT_FAIL;
		}
	}
	if (p->timeout_ns && !cli_stop && p->answered == 0) {
		if (p->held_back)
			cli_err("%llu probe%s arrived, but none could be answered (held "
				"back: unanswerable source or over --reply-rate)",
				(unsigned long long)p->held_back, p->held_back == 1 ? "" : "s");
		else
			cli_err("no probe arrived before the timeout");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static void summary(const struct ponger *p)
{
	if (p->json) {
		printf("{\"event\":\"summary\",\"answered\":%llu,\"probers\":%zu,"
		       "\"held_back\":%llu,\"ignored\":{\"garbage\":%llu,"
		       "\"truncated\":%llu,\"oversized\":%llu,\"foreign_version\":%llu,"
		       "\"other\":%llu}}\n",
		       (unsigned long long)p->answered, p->probers.n,
		       (unsigned long long)p->held_back, (unsigned long long)p->garbage,
		       (unsigned long long)p->truncated,
		       (unsigned long long)p->oversized, (unsigned long long)p->foreign,
		       (unsigned long long)p->other);
		fflush(stdout);
		return;
	}
	cli_info("answered %llu probe%s from %zu prober%s, %llu held back; ignored "
		 "%llu garbage, %llu truncated, %llu oversized, %llu of another "
		 "version, %llu other",
		 (unsigned long long)p->answered, p->answered == 1 ? "" : "s",
		 p->probers.n, p->probers.n == 1 ? "" : "s",
		 (unsigned long long)p->held_back, (unsigned long long)p->garbage,
		 (unsigned long long)p->truncated, (unsigned long long)p->oversized,
		 (unsigned long long)p->foreign, (unsigned long long)p->other);
}

int cmd_pong(int argc, char **argv)
{
	struct ponger p;
	mcast_addr group;
	sigset_t unblocked;
	mcast_error e;
	int rc;

	memset(&p, 0, sizeof(p));
	p.rate = 1000;
	peers_init(&p.probers, 0, PROBER_LIMIT, true);
	rc = cli_parse_args(argc, argv, &pong_spec, &p, &p.cfg, &group);
	if (rc == 0)
		rc = join_parse(&p.j, &group);
	limit_init(&p.limits, p.rate);
	p.id = cli_random_u64();
	if (rc == 0) {
		cli_signals(true, false, &unblocked);
		rc = join_open(&p.j);
	}
	/* Answers leave from their own socket: a group is no source address. */
	if (rc == 0 && mcast_sock_new(&p.answer, mcast_addr_family(&p.j.group), &e) < 0) {
		cli_err("%s", e.msg);
		rc = EXIT_FAIL;
	}
	if (rc == 0) {
		{
			struct emit em;

			if (emit_init(&em, stdout, p.json) == 0)
				join_announce(&p.j, &em);
			emit_free(&em);
		}
		rc = serve(&p, &unblocked);
		join_close(&p.j);
		summary(&p);
	}
	join_close(&p.j);
	mcast_sock_free(p.answer);
	limit_free(&p.limits);
	peers_free(&p.probers, NULL);
	cli_config_free(&p.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
