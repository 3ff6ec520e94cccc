/*
 * bench_recv.c - `mcast bench recv GROUP:PORT`: count what `mcast bench
 * send` sends, per sender: rate, loss, duplicates, reordering, one-way
 * latency percentiles and jitter; and the kernel's drops and our CPU time.
 * The counting is here; the progress lines and the table in bench_report.c.
 */
#include "cli/bench_recv.h"
#include "cli/loop.h"
#include "cli/seal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast bench recv [OPTIONS] GROUP:PORT\n"
	"\n"
	"Join a group and measure what 'mcast bench send' sends: per sender,\n"
	"datagrams and bytes per second, loss, duplicates, reordering, one-way\n"
	"latency (p50 p90 p99 p99.9 max; exact on one host, otherwise as good as\n"
	"the clocks' synchronisation) and jitter; kernel drops and CPU time per\n"
	"datagram. A progress line every second, a table at the end.\n"
	"\n"
	"Options:\n"
	JOIN_USAGE
	"  -n, --count N           stop after N datagrams\n"
	"  -d, --duration DURATION stop after DURATION\n"
	"  -w, --timeout DURATION  stop after DURATION without a datagram, once\n"
	"                          traffic has started (default 2s)\n"
	"      --gro MODE          auto, on or off: take trains of datagrams from\n"
	"                          the kernel at once (UDP GRO)\n"
	SEAL_RX_USAGE("datagrams")
	"      --json              progress and results as JSON lines on stdout\n"
	"      --config FILE       read settings from FILE ([bench recv] section)\n"
	"  -v, --verbose           more detail\n"
	"  -q, --quiet             print only the results\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 measured, 1 failure or nothing arrived, 2 usage error.\n";

enum {
	OPT_COUNT = JOIN_OPT_OWN,
	OPT_DURATION,
	OPT_TIMEOUT,
	OPT_GRO,
	OPT_JSON,
	OPT_SEAL /* SEAL_RX_OPTIONS(OPT_SEAL): --trust, --decrypt, --max-age */
};

static const struct cli_opt bench_recv_options[] = {
	JOIN_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("duration", 'd', OPT_DURATION),
	CLI_VALUE("timeout", 'w', OPT_TIMEOUT),
	CLI_VALUE("gro", 0, OPT_GRO),
	CLI_FLAG("json", 0, OPT_JSON),
	SEAL_RX_OPTIONS(OPT_SEAL),
	CLI_COMMON_OPTIONS,
};

struct brecv_cmd {
	struct brecv b;
	struct join j;
	struct cli_config cfg;
	uint64_t count, duration_ns, timeout_ns;
	int gro;
	struct udp_rx rx;
	struct loop l;
	int quiet_timer, tick_timer;
	uint64_t start, tick;
	struct seal_opts so;
	struct seal seal; /* --trust: opens each datagram before it is counted */
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct brecv_cmd *b = ctx;
	int rc = join_option(&b->j, a);

	if (rc == 1)
		rc = seal_option(&b->so, OPT_SEAL, a);
	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_COUNT: return cli_uint(a, 1, UINT64_MAX, &b->count);
	case OPT_DURATION: return cli_duration(a, &b->duration_ns);
	case OPT_TIMEOUT:
		rc = cli_duration(a, &b->timeout_ns);
		if (rc == 0 && b->timeout_ns == 0)
			rc = cli_usage_at(a, "--timeout: must be more than 0");
		return rc;
	case OPT_GRO: return bench_parse_mode(a, &b->gro);
	case OPT_JSON: b->b.json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec bench_recv_spec = {
	.name = "bench recv", .opts = bench_recv_options, .apply = apply,
	.ctx_size = sizeof(struct brecv_cmd), .usage = usage_text, .operands = CLI_GROUP,
};

/* The flow of sender w->sender_id, created on its first datagram; NULL
 * past MAX_FLOWS or when memory ran out (then counted as other_senders). */
static struct flow *flow_of(struct brecv *b, const mcast_wire *w,
			    const mcast_addr *src)
{
	struct flow *f;

	for (size_t i = 0; i < b->n_flows; i++)
		if (b->flows[i]->id == w->sender_id)
			return b->flows[i];
	if (b->n_flows == MAX_FLOWS)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f || mcast_hist_new(&f->latency) < 0 || seqwin_init(&f->win, WINDOW) < 0) {
		if (f)
			mcast_hist_free(f->latency);
		free(f);
		return NULL;
	}
	f->id = w->sender_id;
	f->source = *src;
	b->flows[b->n_flows++] = f;
	cli_debug("new sender %016llx", (unsigned long long)f->id);
	return f;
}

/* Count one datagram of a flow (seqwin.h: a datagram older than the window
 * is late, and received). */
static void count(struct flow *f, const mcast_wire *w, uint64_t rx_ns,
		  uint64_t mono)
{
	int64_t transit = (int64_t)(rx_ns - w->t_send), d;

	if (f->win.received == 0)
		f->first_ns = mono;
	if (seqwin_add(&f->win, w->seq) == SEQWIN_DUPLICATE)
		return;
	f->iv_received++;
	f->bytes += w->len;
	f->iv_bytes += w->len;
	f->last_ns = mono;
	mcast_hist_add(f->latency, transit > 0 ? (uint64_t)transit : 0);
	/* RFC 3550 section 6.4.1: J += (|D| - J) / 16. */
	if (f->win.received > 1) {
		d = transit - f->transit;
		f->jitter += ((double)(d < 0 ? -d : d) - f->jitter) / 16.0;
	}
	f->transit = transit;
}

/* One datagram from the transport. */
static void on_datagram(void *owner, const struct rx_msg *m)
{
	struct brecv_cmd *c = owner;
	struct brecv *b = &c->b;
	struct flow *f;
	mcast_wire w;

	loop_timer_at(&c->l, c->quiet_timer, m->mono_ns + c->timeout_ns);
	b->datagrams++;
	if (m->drops > b->drops)
		b->drops = m->drops;
	/* -n N counts exactly N, even mid-batch. */
	if (c->count && b->datagrams >= c->count)
		loop_stop(&c->l, EXIT_OK);
	if (!ignored_decode(&b->ignored, &w, m, MCAST_WIRE_T_DATA))
		return;
	f = flow_of(b, &w, &m->source);
	if (!f) {
		b->other_senders++;
		return;
	}
	count(f, &w, cli_ns_of(&m->time), m->mono_ns);
}

/* With --trust, each datagram as it arrived: traffic has started even when
 * every datagram is rejected, so the timeout counts from it; then it is
 * opened, and on_datagram() gets it when accepted. */
static void on_wire(void *owner, const struct rx_msg *m)
{
	struct brecv_cmd *c = owner;

	loop_timer_at(&c->l, c->quiet_timer, m->mono_ns + c->timeout_ns);
	seal_rx_fn(&c->seal, m);
}

/* No datagram handed on for the timeout: the end, unless datagrams wait
 * (a receiver busy verifying, or preempted, falls behind; the traffic
 * has not stopped). Those re-arm the timer as they are handed on. */
static void on_quiet(struct loop *l, void *data)
{
	struct brecv_cmd *c = data;

	if (udp_rx_pending(&c->rx))
		loop_timer_at(l, c->quiet_timer, cli_now_ns() + c->timeout_ns);
	else
		loop_stop(l, EXIT_OK);
}

/* A progress line a second. */
static void on_tick(struct loop *l, void *data)
{
	struct brecv_cmd *c = data;
	uint64_t now = cli_now_ns();

	bench_progress(&c->b, (double)(now - c->start) / 1e9, (double)(now - c->tick) / 1e9);
	c->tick = now;
	loop_timer_at(l, c->tick_timer, now + 1000000000ULL);
}

/* Receive until the count, the duration, the timeout or a signal. */
static int run(struct brecv_cmd *c)
{
	struct loop *l = &c->l;
	int rc;

	c->start = c->tick = cli_now_ns();
	/* The timeout counts once traffic has started: armed by a datagram. */
	c->quiet_timer = loop_timer_new(l, on_quiet, c);
	c->tick_timer = loop_timer_new(l, on_tick, c);
	loop_timer_at(l, c->tick_timer, c->start + 1000000000ULL);
	if (c->duration_ns)
		loop_deadline(l, c->start + c->duration_ns);
	seal_rx(&c->seal, on_datagram, c);
	rc = c->rx.t.attach(&c->rx.t, l, seal_trusts(&c->seal) ? on_wire : on_datagram, c);
	if (rc < 0) {
		cli_err("cannot watch the socket: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (loop_run(l) == LOOP_STOPPED)
		return l->rc;
	return EXIT_OK;
}

/* Open the socket, its GRO and the loop. Returns an exit code. */
static int setup(struct brecv_cmd *c)
{
	mcast_error e;
	int rc = seal_check(&c->so, NULL, NULL);

	if (rc == 0)
		rc = seal_init(&c->seal, &c->so);
	c->b.seal = &c->seal;
	if (rc)
		return rc;
	if (loop_init(&c->l) < 0 || emit_init(&c->b.em, stdout, c->b.json) < 0 ||
	    udp_rx_init(&c->rx, &c->j, true) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	rc = join_open(&c->j);
	if (rc == 0 && c->gro != BENCH_OFF && mcast_sock_set_gro(c->j.sock, true, &e) < 0) {
		if (c->gro == BENCH_ON) {
			cli_err("%s", e.msg);
			rc = EXIT_FAIL;
		} else {
			cli_info("UDP GRO is not available here: %s", e.msg);
		}
	}
	return rc;
}

int cmd_bench_recv(int argc, char **argv)
{
	struct brecv_cmd *c = calloc(1, sizeof(*c));
	mcast_addr group;
	struct rusage r0;
	int rc;

	if (!c) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	c->timeout_ns = 2000000000ULL;
	c->gro = BENCH_AUTO;
	rc = cli_parse_args(argc, argv, &bench_recv_spec, c, &c->cfg, &group);
	if (rc == 0)
		rc = join_parse(&c->j, &group);
	if (rc == 0)
		rc = setup(c);
	if (rc == 0) {
		join_announce(&c->j, &c->b.em);
		getrusage(RUSAGE_SELF, &r0);
		rc = run(c);
		c->b.trains = c->rx.trains;
		if (udp_rx_drops(&c->rx) > c->b.drops)
			c->b.drops = udp_rx_drops(&c->rx);
		if (rc == 0)
			bench_results(&c->b, bench_cpu_ns(&r0));
		if (rc == 0 && c->b.datagrams == 0) {
			cli_err("nothing arrived");
			rc = EXIT_FAIL;
		}
	}
	if (c->rx.t.close)
		c->rx.t.close(&c->rx.t);
	join_close(&c->j);
	loop_free(&c->l);
	bench_recv_free(&c->b);
	seal_free(&c->seal);
	cli_config_free(&c->cfg);
	free(c);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
