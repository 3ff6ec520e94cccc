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
#include "cli/ignored.h"
#include "cli/join.h"
#include "cli/loop.h"
#include "cli/peers.h"
#include "cli/responder.h"
#include "cli/transport_udp_rx.h"

#include <errno.h>
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
	struct udp_rx rx;
	struct loop l;
	struct emit em;
	int quiet_timer; /* --timeout: armed again by each probe */
	bool timed_out;
	struct responder resp;
	struct peers probers; /* no value: counted only */
	struct ignored ignored;
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

const struct cli_spec pong_spec = {
	.name = "pong", .opts = pong_options, .apply = apply,
	.ctx_size = sizeof(struct ponger),
	.usage = usage_text, .operands = CLI_GROUP,
};

/* The answer to probe w: the probe's header, who answers, when, the TTL
 * the probe arrived with and how many of this prober's probes were held
 * back so far (PROTOCOL.md, answer version 2). */
static void make_answer(struct ponger *p, mcast_wire *w, const struct rx_msg *m,
			unsigned char out[MCAST_WIRE_ANSWER_LEN])
{
	uint64_t held = responder_held_back(&p->resp, &m->source);

	w->type = MCAST_WIRE_T_ANSWER;
	w->responder_id = p->id;
	w->t_recv = cli_ns_of(&m->time);
	w->t_answer = cli_realtime_ns();
	w->ttl = m->ttl;
	w->held_back = held > UINT32_MAX ? UINT32_MAX : (uint32_t)held;
	mcast_wire_encode(w, out, MCAST_WIRE_ANSWER_LEN, MCAST_WIRE_ANSWER_LEN);
}

/* One datagram: count it, and answer it if it is a probe. */
static void on_datagram(void *owner, const struct rx_msg *m)
{
	unsigned char out[MCAST_WIRE_ANSWER_LEN];
	struct ponger *p = owner;
	mcast_wire w;

	if (!ignored_decode(&p->ignored, &w, m, MCAST_WIRE_T_PROBE))
		return;
	/* Any probe, answered or held back, is a sign of life. */
	if (p->timeout_ns)
		loop_timer_at(&p->l, p->quiet_timer, cli_now_ns() + p->timeout_ns);
	if (!responder_allow(&p->resp, m))
		return;
	make_answer(p, &w, m, out);
	if (responder_send(&p->resp, m, out, sizeof(out), "probe") == 0)
		peers_get(&p->probers, &m->source, NULL);
	if (p->count && p->resp.answered >= p->count)
		loop_stop(&p->l, EXIT_OK);
}

static void on_quiet(struct loop *l, void *data)
{
	struct ponger *p = data;

	p->timed_out = true;
	loop_stop(l, EXIT_OK);
}

/* Answer until the count, the timeout or a signal. Returns an exit code. */
static int serve(struct ponger *p)
{
	struct loop *l = &p->l;
	uint64_t held;
	int rc;

	p->quiet_timer = loop_timer_new(l, on_quiet, p);
	if (p->timeout_ns)
		loop_timer_at(l, p->quiet_timer, cli_now_ns() + p->timeout_ns);
	rc = p->rx.t.attach(&p->rx.t, l, on_datagram, p);
	if (rc < 0) {
		cli_err("cannot watch the socket: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (loop_run(l) == LOOP_STOPPED && l->rc)
		return l->rc;
	held = p->resp.held_back;
	if (p->timeout_ns && !loop_signalled() && p->resp.answered == 0) {
		if (held)
			cli_err("%llu probe%s arrived, but none could be answered (held "
				"back: unanswerable source or over --reply-rate)",
				(unsigned long long)held, held == 1 ? "" : "s");
		else
			cli_err("no probe arrived before the timeout");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static void summary(struct ponger *p)
{
	struct emit *e = &p->em;

	emit_begin(e, "summary");
	emit_u64(e, "answered", p->resp.answered);
	emit_u64(e, "probers", peers_count(&p->probers));
	emit_u64(e, "held_back", p->resp.held_back);
	emit_obj(e, "ignored");
	ignored_fields(e, &p->ignored);
	emit_obj_end(e);
	emit_end(e, EMIT_INFO,
		 "answered {answered} probe{answered?:s} from {probers} "
		 "prober{probers?:s}, {held_back} held back; ignored " IGNORED_TEXT);
}

/* Open what answering needs, after the options. Returns an exit code. */
static int setup(struct ponger *p)
{
	int rc = 0;

	if (loop_init(&p->l) < 0 || emit_init(&p->em, stdout, p->json) < 0 ||
	    udp_rx_init(&p->rx, &p->j, false) < 0) {
		cli_err("out of memory");
		rc = EXIT_FAIL;
	}
	if (rc == 0)
		rc = join_open(&p->j);
	if (rc == 0)
		rc = responder_open(&p->resp, mcast_addr_family(&p->j.group));
	return rc;
}

int cmd_pong(int argc, char **argv)
{
	struct ponger p;
	mcast_addr group;
	int rc;

	memset(&p, 0, sizeof(p));
	p.rate = 1000;
	peers_init(&p.probers, 0, PROBER_LIMIT, true);
	rc = cli_parse_args(argc, argv, &pong_spec, &p, &p.cfg, &group);
	if (rc == 0)
		rc = join_parse(&p.j, &group);
	responder_init(&p.resp, p.rate);
	p.id = cli_random_u64();
	if (rc == 0)
		rc = setup(&p);
	if (rc == 0) {
		join_announce(&p.j, &p.em);
		rc = serve(&p);
		join_close(&p.j);
		summary(&p);
	}
	if (p.rx.t.close)
		p.rx.t.close(&p.rx.t);
	join_close(&p.j);
	loop_free(&p.l);
	emit_free(&p.em);
	responder_close(&p.resp);
	peers_free(&p.probers, NULL);
	cli_config_free(&p.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
