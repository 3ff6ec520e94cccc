/*
 * ping.c - `mcast ping GROUP:PORT`: probe a group and measure, for every
 * responder that answers (an open set, not a list given in advance), the
 * round-trip time, loss, duplicates, reordering and how many routers away
 * it is (the probe's TTL minus the one it arrived with, which the answer
 * carries). With --ttl-scan the probes' TTL goes 1, 2, ... MAX in turn,
 * and the report is each responder's smallest TTL.
 *
 * Probes leave on the schedule of sched.c through the UDP transport;
 * answers come back through its drain; the table and every answer go
 * through emit.c; all of it on the one loop.
 */
#include "cli/ping.h"
#include "cli/transport_udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast ping [OPTIONS] GROUP:PORT\n"
	"\n"
	"Send a probe to a group every interval and report, for each responder\n"
	"('mcast pong') that answers: round-trip time, loss, duplicates and\n"
	"reordering, and how many routers away it is (hops: the probe's TTL\n"
	"minus the TTL it arrived with). SIGQUIT or SIGUSR1 prints the table so\n"
	"far.\n"
	"\n"
	"Options:\n"
	OUT_USAGE
	"  -n, --count N           send N probes, 0 = until interrupted (default 0)\n"
	"  -I, --interval DURATION time between probes (default 1s)\n"
	"  -w, --wait DURATION     wait this long for answers after the last\n"
	"                          probe (default 1s)\n"
	"  -s, --size BYTES        probe size, 64-65507 (default 64)\n"
	"      --silent-after N    call a responder silent when it did not answer\n"
	"                          the last N probes (default 3)\n"
	"      --expect N          exit 3 unless at least N responders answered\n"
	"      --max-loss PCT      exit 3 if any responder lost more than PCT %\n"
	"      --ttl-scan MAX      probe with TTL 1, 2, ... MAX in turn (-n defaults\n"
	"                          to MAX) and report each responder's smallest TTL\n"
	"      --busy-poll         spin instead of sleeping between events: lower\n"
	"                          latency, one CPU core kept busy\n"
	"      --json              answers and the table as JSON lines\n"
	"      --config FILE       read settings from FILE ([ping] section)\n"
	"  -v, --verbose           say where timestamps come from, log probes\n"
	"  -q, --quiet             print only the table\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 answers came, 1 no answer or failure, 2 usage error,\n"
	"3 --expect or --max-loss not met.\n";

enum {
	OPT_COUNT = OUT_OPT_OWN,
	OPT_INTERVAL,
	OPT_WAIT,
	OPT_SIZE,
	OPT_SILENT,
	OPT_EXPECT,
	OPT_MAX_LOSS,
	OPT_TTL_SCAN,
	OPT_BUSY,
	OPT_JSON
};

static const struct cli_opt ping_options[] = {
	OUT_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("interval", 'I', OPT_INTERVAL),
	CLI_VALUE("wait", 'w', OPT_WAIT),
	CLI_VALUE("size", 's', OPT_SIZE),
	CLI_VALUE("silent-after", 0, OPT_SILENT),
	CLI_VALUE("expect", 0, OPT_EXPECT),
	CLI_VALUE("max-loss", 0, OPT_MAX_LOSS),
	CLI_VALUE("ttl-scan", 0, OPT_TTL_SCAN),
	CLI_FLAG("busy-poll", 0, OPT_BUSY),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct pinger *p = ctx;
	int rc = outsock_option(&p->out, a);

	if (a->id == OUT_OPT_TTL)
		p->has_ttl = true;
	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_COUNT:
		p->has_count = true;
		return cli_uint(a, 0, UINT64_MAX, &p->count);
	case OPT_INTERVAL: return cli_duration(a, &p->interval_ns);
	case OPT_WAIT: return cli_duration(a, &p->wait_ns);
	case OPT_SIZE:
		return cli_size(a, MCAST_WIRE_PROBE_MIN, mcast_max_payload(AF_INET),
				&p->size);
	case OPT_SILENT: return cli_uint(a, 1, WINDOW, &p->silent_after);
	case OPT_EXPECT:
		p->has_expect = true;
		return cli_uint(a, 1, RESPONDER_LIMIT, &p->expect);
	case OPT_MAX_LOSS:
		p->has_max_loss = true;
		return cli_uint(a, 0, 100, &p->max_loss);
	case OPT_TTL_SCAN: return cli_uint(a, 1, 255, &p->ttl_scan);
	case OPT_BUSY: p->busy = true; return 0;
	case OPT_JSON: p->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec ping_spec = {
	.name = "ping", .opts = ping_options, .apply = apply,
	.ctx_size = sizeof(struct pinger),
	.usage = usage_text, .operands = CLI_GROUP, .sends = true,
};

/* The TTL probe seq leaves with: -t, or with --ttl-scan MAX 1..MAX in
 * turn. With the scan it is set on the socket; EXIT_FAIL if that fails. */
static int probe_ttl(struct pinger *p, uint64_t seq, unsigned *ttl)
{
	mcast_error e;

	*ttl = (unsigned)p->out.ttl;
	if (!p->ttl_scan)
		return 0;
	*ttl = (unsigned)((seq - 1) % p->ttl_scan) + 1;
	if (mcast_sock_set_ttl(p->out.sock, *ttl, &e) < 0) {
		cli_err("cannot set TTL %u: %s", *ttl, e.msg);
		return EXIT_FAIL;
	}
	return 0;
}

/* The probe timer: send the next probe; after the last, wait for answers
 * until the deadline. */
static void on_probe(struct loop *l, void *data)
{
	static unsigned char buf[65536];
	struct pinger *p = data;
	mcast_wire w;
	unsigned ttl;
	int rc;

	memset(&w, 0, sizeof(w));
	w.type = MCAST_WIRE_T_PROBE;
	w.sender_id = p->id;
	w.seq = p->seq + 1;
	rc = probe_ttl(p, w.seq, &ttl);
	if (rc) {
		loop_stop(l, rc);
		return;
	}
	w.t_send = cli_realtime_ns();
	mcast_wire_encode(&w, buf, sizeof(buf), p->size);
	p->sent_mono[w.seq % WINDOW] = cli_now_ns();
	p->sent_ttl[w.seq % WINDOW] = (uint8_t)ttl;
	rc = p->tx.send(&p->tx, buf, p->size);
	if (rc) {
		loop_stop(l, rc);
		return;
	}
	p->seq = w.seq;
	cli_debug("probe %llu sent", (unsigned long long)w.seq);
	sched_took(&p->sched, 1, cli_now_ns());
	if (p->count && p->seq >= p->count)
		loop_deadline(l, cli_now_ns() + p->wait_ns);
	else
		loop_timer_at(l, p->timer, sched_next(&p->sched));
}

/* The responder at a, created on its first answer; NULL past the limit
 * or when memory ran out (then its answers are only counted). */
static struct responder *responder(struct pinger *p, const mcast_addr *a)
{
	bool added;
	struct responder *r = peers_get(&p->map, a, &added);

	if (r && added)
		r->hops = -1;
	if (r && added && (mcast_hist_new(&r->rtt) < 0 || seqwin_init(&r->win, WINDOW) < 0)) {
		mcast_hist_free(r->rtt);
		r->rtt = NULL;
	}
	return r && r->rtt ? r : NULL;
}

/* The round trip of an answer: kernel receive time minus the probe's send
 * time, or without a kernel timestamp the monotonic clock. */
static uint64_t round_trip(struct pinger *p, const mcast_wire *w,
			   const struct rx_msg *m)
{
	uint64_t rx = cli_ns_of(&m->time), sent = p->sent_mono[w->seq % WINDOW];

	if (!p->said_clock) {
		cli_debug("receive timestamps from %s", m->kernel_time
				  ? "the kernel (SO_TIMESTAMPNS)"
				  : "the monotonic clock after each receive");
		p->said_clock = true;
	}
	if (!m->kernel_time && w->seq + WINDOW > p->seq && sent)
		return cli_now_ns() - sent;
	return rx > w->t_send ? rx - w->t_send : 0;
}

/* Count an answer to one of our probes in its responder's window; says
 * whether it was a duplicate and whether it came out of order. */
static void count_answer(struct responder *r, uint64_t seq, uint64_t rtt,
			 bool *dup, bool *reordered)
{
	enum seqwin_verdict v = seqwin_add(&r->win, seq);

	*dup = v == SEQWIN_DUPLICATE;
	*reordered = v == SEQWIN_REORDERED || v == SEQWIN_LATE;
	if (!*dup)
		mcast_hist_add(r->rtt, rtt);
}

/*
 * The routers between us and a responder: the TTL the probe left with
 * minus the TTL it arrived with (which the answer says). -1 when the
 * responder could not tell, the probe is no longer in the window, or the
 * answer claims more than was sent (then it is not to be believed).
 */
static int hops_of(const struct pinger *p, const mcast_wire *w, unsigned *sent)
{
	*sent = p->sent_ttl[w->seq % WINDOW];
	if (w->ttl < 0 || w->seq + WINDOW <= p->seq || (unsigned)w->ttl > *sent)
		return -1;
	return (int)*sent - w->ttl;
}

/* The line (or JSON record) of one answer. */
static void print_answer(struct pinger *p, const mcast_wire *w, const struct rx_msg *m,
			 uint64_t rtt, int hops, unsigned ttl, bool dup, bool reordered)
{
	char from[MCAST_ADDRSTRLEN], ttl_text[16] = "";

	mcast_addr_format(&m->source, from, sizeof(from), MCAST_FMT_PORT);
	if (p->ttl_scan)
		snprintf(ttl_text, sizeof(ttl_text), "ttl=%u ", ttl);
	emit_begin(&p->em, "answer");
	emit_addr(&p->em, "responder", &m->source, false);
	emit_u64(&p->em, "responder_port", mcast_addr_port(&m->source));
	emit_text(&p->em, "from", from);
	emit_u64(&p->em, "seq", w->seq);
	emit_u64(&p->em, "bytes", m->len);
	emit_u64(&p->em, "probe_ttl", ttl);
	emit_text(&p->em, "ttl_text", ttl_text);
	if (hops < 0)
		emit_null(&p->em, "hops");
	else
		emit_u64(&p->em, "hops", (uint64_t)hops);
	emit_dbl(&p->em, "rtt_ms", (double)rtt / 1e6, 3);
	emit_bool(&p->em, "duplicate", dup);
	emit_bool(&p->em, "reordered", reordered);
	emit_text(&p->em, "mark", dup ? " (DUP!)" : reordered ? " (out of order)" : "");
	if (emit_end(&p->em, EMIT_DATA, "{bytes} bytes from {from}: seq={seq} {ttl_text}"
		     "hops={hops} time={rtt_ms} ms{mark}") < 0)
		loop_stop(&p->loop, emit_failed(&p->em));
}

static void on_answer(struct pinger *p, const mcast_wire *w, const struct rx_msg *m)
{
	struct responder *r;
	bool dup, reordered;
	uint64_t rtt;
	unsigned ttl;
	int hops;

	if (w->sender_id != p->id) {
		p->ign.stray++; /* another prober's answer */
		return;
	}
	if (w->seq == 0 || w->seq > p->seq) {
		p->ign.garbage++; /* an answer to a probe never sent */
		return;
	}
	r = responder(p, &m->source);
	if (!r) {
		p->ign.other++;
		return;
	}
	p->answers++;
	r->answered++;
	rtt = round_trip(p, w, m);
	count_answer(r, w->seq, rtt, &dup, &reordered);
	/* A count so far: the latest answer has the highest. */
	if (w->held_back > r->held_back)
		r->held_back = w->held_back;
	hops = hops_of(p, w, &ttl);
	if (hops >= 0)
		r->hops = hops;
	if (w->seq + WINDOW > p->seq && (!r->min_ttl || ttl < r->min_ttl))
		r->min_ttl = ttl;
	if (cli_verbosity >= LOG_NORMAL)
		print_answer(p, w, m, rtt, hops, ttl, dup, reordered);
}

/* One datagram at the prober's socket (the transport's drain calls this). */
static void on_datagram(void *owner, const struct rx_msg *m)
{
	struct pinger *p = owner;
	mcast_wire w;

	p->drops = m->drops;
	switch (mcast_wire_decode(&w, m->data, m->len)) {
	case 0:
		if (w.type != MCAST_WIRE_T_ANSWER)
			p->ign.other++;
		else
			on_answer(p, &w, m);
		break;
	case -EPROTONOSUPPORT: p->ign.foreign++; break;
	case -ENODATA: p->ign.truncated++; break;
	case -EMSGSIZE: p->ign.oversized++; break;
	default: p->ign.garbage++; break;
	}
}

/* SIGQUIT, SIGUSR1: the table so far. */
static void on_report(struct loop *l, void *data)
{
	struct pinger *p = data;

	if ((p->ttl_scan ? ping_scan_report(p, false) : ping_report(p, false)) < 0)
		loop_stop(l, emit_failed(&p->em));
}

/*
 * Probe on schedule and take answers in between; after the last probe,
 * wait for answers until the deadline. With --busy-poll the loop spins
 * instead of sleeping. The table follows whatever ended the run, a failed
 * send included, unless the output's reader went away.
 */
static int run(struct pinger *p)
{
	char g[MCAST_ADDRSTRLEN];
	int rc;

	if (loop_init(&p->loop) < 0 || emit_init(&p->em, stdout, p->json) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	p->loop.busy = p->busy;
	p->loop.on_report = on_report;
	p->loop.report_data = p;
	p->timer = loop_timer_new(&p->loop, on_probe, p);
	if (udp_tx_answers(&p->tx, &p->loop, on_datagram, p) < 0)
		return EXIT_FAIL;
	mcast_addr_format(&p->group, g, sizeof(g), MCAST_FMT_PORT);
	cli_info("probing %s via %s with %llu-byte probes", g,
		 outsock_iface_name(&p->out), (unsigned long long)p->size);
	sched_init(&p->sched, cli_now_ns(), (double)p->interval_ns, 1);
	loop_timer_at(&p->loop, p->timer, sched_next(&p->sched));
	rc = loop_run(&p->loop) == LOOP_STOPPED ? p->loop.rc : EXIT_OK;
	if (p->em.closed)
		return EXIT_OK;
	if ((p->ttl_scan ? ping_scan_report(p, true) : ping_report(p, true)) < 0)
		return emit_failed(&p->em);
	return rc ? rc : ping_verdict(p);
}

static int parse(struct pinger *p, int argc, char **argv)
{
	int rc = cli_parse_args(argc, argv, &ping_spec, p, &p->cfg, &p->group);

	if (rc == 0 && p->ttl_scan && p->has_ttl)
		rc = cli_usage("--ttl-scan sets each probe's TTL: leave out -t");
	if (rc == 0 && p->ttl_scan && p->has_max_loss)
		rc = cli_usage("--max-loss means nothing with --ttl-scan (low TTLs are "
			       "meant not to reach): leave one out");
	if (rc == 0 && p->ttl_scan && !p->has_count)
		p->count = p->ttl_scan;
	if (rc == 0 && p->count == 0 && (p->has_expect || p->has_max_loss))
		rc = cli_usage("--expect and --max-loss need an end: give --count N");
	return rc;
}

/* What a responder owns, freed with the table. */
static void drop_responder(void *v)
{
	struct responder *r = v;

	mcast_hist_free(r->rtt);
	seqwin_free(&r->win);
}

int cmd_ping(int argc, char **argv)
{
	struct pinger *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	outsock_init(&p->out);
	p->interval_ns = p->wait_ns = 1000000000ULL;
	p->size = MCAST_WIRE_PROBE_MIN;
	p->silent_after = 3;
	peers_init(&p->map, sizeof(struct responder), RESPONDER_LIMIT, true);
	rc = parse(p, argc, argv);
	if (rc == 0) {
		p->id = cli_random_u64();
		rc = udp_tx_open(&p->tx, &p->out, &p->group);
	}
	if (rc == 0)
		rc = run(p);
	if (p->tx.close)
		p->tx.close(&p->tx);
	loop_free(&p->loop);
	emit_free(&p->em);
	peers_free(&p->map, drop_responder);
	cli_config_free(&p->cfg);
	free(p);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
