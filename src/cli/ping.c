/*
 * ping.c - `mcast ping GROUP:PORT`: probe a group and measure, for every
 * responder that answers (an open set, not a list given in advance), the
 * round-trip time, loss, duplicates and reordering.
 */
#include "cli/cli.h"
#include "cli/outsock.h"
#include "cli/peers.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* Responders tracked; past this, answers from new ones are counted only. */
#define RESPONDER_LIMIT 4096
/* Probes remembered (send times, duplicate detection) per sequence slot. */
#define WINDOW 1024

static const char usage_text[] =
	"Usage: mcast ping [OPTIONS] GROUP:PORT\n"
	"\n"
	"Send a probe to a group every interval and report, for each responder\n"
	"('mcast pong') that answers: round-trip time, loss, duplicates and\n"
	"reordering. SIGQUIT or SIGUSR1 prints the table so far.\n"
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
	CLI_FLAG("busy-poll", 0, OPT_BUSY),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

struct responder {
	uint64_t first_seq, max_seq, received, dups, ooo;
	uint64_t seen[WINDOW]; /* seen[seq % WINDOW] == seq once answered */
	mcast_hist *rtt;
};

struct pinger {
	struct outsock out;
	struct cli_config cfg;
	mcast_addr group;
	uint64_t count, interval_ns, wait_ns, size, silent_after, expect, max_loss;
	bool has_expect, has_max_loss, busy, json;
	uint64_t id, seq; /* this prober; the last probe sent */
	uint64_t sent_mono[WINDOW]; /* when each probe in the window left */
	struct peers map;	    /* responder address -> struct responder */
	uint64_t answers, garbage, truncated, oversized, foreign, other, stray;
	bool said_clock;
	bool closed; /* standard output's reader went away */
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct pinger *p = ctx;
	int rc = outsock_option(&p->out, a);

	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_COUNT: return cli_uint(a, 0, UINT64_MAX, &p->count);
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
	case OPT_BUSY: p->busy = true; return 0;
	case OPT_JSON: p->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* Check a setting for ping without keeping it (a settings file read by
 * another subcommand, or replaced by the command line). */
static int check(const struct cli_arg *a)
{
	struct pinger *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	rc = apply(p, a);
	free(p);
	return rc;
}

const struct cli_spec ping_spec = {
	.name = "ping", .opts = ping_options, .apply = apply, .check = check,
	.usage = usage_text, .operands = CLI_GROUP, .sends = true,
};

static int send_probe(struct pinger *p)
{
	static unsigned char buf[65536];
	mcast_wire w;

	memset(&w, 0, sizeof(w));
	w.type = MCAST_WIRE_T_PROBE;
	w.sender_id = p->id;
	w.seq = p->seq + 1;
	w.t_send = cli_realtime_ns();
	mcast_wire_encode(&w, buf, sizeof(buf), p->size);
	p->sent_mono[w.seq % WINDOW] = cli_now_ns();
	if (outsock_send(&p->out, buf, p->size))
		return EXIT_FAIL;
	p->seq = w.seq;
	cli_debug("probe %llu sent", (unsigned long long)w.seq);
	return 0;
}

/* The responder at a, created on its first answer; NULL past the limit
 * or when memory ran out (then its answers are only counted). */
static struct responder *responder(struct pinger *p, const mcast_addr *a,
				   uint64_t seq)
{
	bool added;
	struct responder *r = peers_get(&p->map, a, &added);

	/* Without its histogram a responder is only counted (rtt NULL). */
	if (r && added && mcast_hist_new(&r->rtt) == 0)
		r->first_seq = seq;
	return r && r->rtt ? r : NULL;
}

/* The round trip of an answer: kernel receive time minus the probe's send
 * time, or without a kernel timestamp the monotonic clock. */
static uint64_t round_trip(struct pinger *p, const mcast_wire *w,
			   const mcast_rxinfo *ri)
{
	uint64_t rx = cli_ns_of(&ri->time), sent = p->sent_mono[w->seq % WINDOW];

	if (!p->said_clock) {
		cli_debug("receive timestamps from %s", ri->kernel_time
				  ? "the kernel (SO_TIMESTAMPNS)"
				  : "the monotonic clock after each receive");
		p->said_clock = true;
	}
	if (!ri->kernel_time && w->seq + WINDOW > p->seq && sent)
		return cli_now_ns() - sent;
	return rx > w->t_send ? rx - w->t_send : 0;
}

/* Count one answer and print it. Returns 0 or -1 (stdout failed). */
static int on_answer(struct pinger *p, const mcast_wire *w,
		     const mcast_rxinfo *ri)
{
	char src[MCAST_ADDRSTRLEN];
	struct responder *r;
	bool dup, ooo = false;
	uint64_t rtt;

	if (w->sender_id != p->id) {
		p->stray++; /* another prober's answer */
		return 0;
	}
	if (w->seq == 0 || w->seq > p->seq) {
		p->garbage++; /* an answer to a probe never sent */
		return 0;
	}
	r = responder(p, &ri->source, w->seq);
	if (!r) {
		p->other++;
		return 0;
	}
	p->answers++;
	rtt = round_trip(p, w, ri);
	dup = r->seen[w->seq % WINDOW] == w->seq;
	if (dup) {
		r->dups++;
	} else {
		r->seen[w->seq % WINDOW] = w->seq;
		r->received++;
		if (w->seq < r->first_seq)
			r->first_seq = w->seq;
		if (w->seq < r->max_seq)
			ooo = true, r->ooo++;
		else
			r->max_seq = w->seq;
		mcast_hist_add(r->rtt, rtt);
	}
	if (cli_verbosity < LOG_NORMAL)
		return 0;
	if (p->json) {
		mcast_addr_format(&ri->source, src, sizeof(src), 0);
		printf("{\"event\":\"answer\",\"responder\":\"%s\",\"responder_port\":%u,"
		       "\"seq\":%llu,\"bytes\":%zu,\"rtt_ms\":%.3f,\"duplicate\":%s,"
		       "\"out_of_order\":%s}\n", src, mcast_addr_port(&ri->source),
		       (unsigned long long)w->seq, ri->len, (double)rtt / 1e6,
		       dup ? "true" : "false", ooo ? "true" : "false");
	} else {
		mcast_addr_format(&ri->source, src, sizeof(src), MCAST_FMT_PORT);
		printf("%zu bytes from %s: seq=%llu time=%.3f ms%s\n", ri->len, src,
		       (unsigned long long)w->seq, (double)rtt / 1e6,
		       dup ? " (DUP!)" : ooo ? " (out of order)" : "");
	}
	return fflush(stdout) == EOF ? -1 : 0;
}

/*
 * Standard output failed. A closed pipe (mcast ping | head -1) means the
 * reader has what it wanted: stop quietly, as recv does. Anything else is
 * an error. Returns the code that ends the run.
 */
static int output_failed(struct pinger *p)
{
	if (errno == EPIPE) {
		p->closed = true;
		return EXIT_OK;
	}
	cli_err("writing output: %s", strerror(errno));
	return EXIT_FAIL;
}

/* Read every datagram waiting. Returns 0 or an exit code. */
static int drain(struct pinger *p)
{
	static unsigned char buf[65536];
	mcast_rxinfo ri;
	mcast_error e;
	mcast_wire w;
	ssize_t n;

	while ((n = mcast_sock_recv(p->out.sock, buf, sizeof(buf), &ri,
				    MCAST_RECV_NOWAIT, &e)) >= 0) {
		switch (mcast_wire_decode(&w, buf, (size_t)n)) {
		case 0:
			if (w.type != MCAST_WIRE_T_ANSWER)
				p->other++;
			else if (on_answer(p, &w, &ri) < 0)
				return output_failed(p);
			break;
		case -EPROTONOSUPPORT: p->foreign++; break;
		case -ENODATA: p->truncated++; break;
		case -EMSGSIZE: p->oversized++; break;
		default: p->garbage++; break;
		}
	}
	if (n != -EAGAIN && n != -EINTR) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	return 0;
}

/* The last probe whose answers are no longer awaited. */
static uint64_t settled(const struct pinger *p, bool final)
{
	uint64_t now = cli_now_ns(), s = p->seq;

	if (final)
		return s;
	while (s > 0 && p->seq - s < WINDOW && p->sent_mono[s % WINDOW] + p->wait_ns > now)
		s--;
	return s;
}

struct row {
	uint64_t sent, lost;
	double loss;
	bool silent;
	mcast_hist_stats st;
	double p50, p99;
};

static void row_of(const struct pinger *p, const struct responder *r,
		   uint64_t upto, struct row *x)
{
	uint64_t recv = r->received;

	x->sent = upto >= r->first_seq ? upto - r->first_seq + 1 : 0;
	/* Answers to probes still awaited may already be in: clamp. */
	x->lost = x->sent > recv ? x->sent - recv : 0;
	x->loss = x->sent ? 100.0 * (double)x->lost / (double)x->sent : 0;
	x->silent = r->max_seq + p->silent_after <= upto;
	mcast_hist_stats_get(r->rtt, &x->st);
	x->p50 = (double)mcast_hist_percentile(r->rtt, 50) / 1e6;
	x->p99 = (double)mcast_hist_percentile(r->rtt, 99) / 1e6;
}

/* The per-responder table, text or JSON, so far or final. */
static void report(struct pinger *p, bool final)
{
	uint64_t upto = settled(p, final);
	char g[MCAST_ADDRSTRLEN], a[MCAST_ADDRSTRLEN];
	struct row x;

	int w = 28; /* the responder column: wide enough for the longest */

	for (size_t i = 0; i < p->map.n; i++) {
		int len = mcast_addr_format(peers_addr(peers_at(&p->map, i)), a, sizeof(a),
					    MCAST_FMT_PORT);

		if (len > w)
			w = len;
	}
	mcast_addr_format(&p->group, g, sizeof(g), MCAST_FMT_PORT);
	if (!p->json) {
		printf("--- %s ping%s: %llu probe%s sent, %zu responder%s ---\n", g,
		       final ? "" : " (so far)", (unsigned long long)p->seq,
		       p->seq == 1 ? "" : "s", p->map.n, p->map.n == 1 ? "" : "s");
		if (p->map.n)
			printf("%-*s %6s %6s %6s %4s %4s %8s %8s %8s %8s %8s %8s\n",
			       w, "responder", "sent", "recv", "loss%", "dup", "ooo", "min",
			       "avg", "p50", "p99", "max", "mdev");
	}
	for (size_t i = 0; i < p->map.n; i++) {
		const struct responder *r = peers_at(&p->map, i);

		if (!r->rtt)
			continue;
		row_of(p, r, upto, &x);
		if (p->json) {
			mcast_addr_format(peers_addr(r), a, sizeof(a), 0);
			printf("{\"event\":\"responder\",\"responder\":\"%s\","
			       "\"responder_port\":%u,\"sent\":%llu,\"received\":%llu,"
			       "\"loss_pct\":%.1f,\"duplicates\":%llu,\"out_of_order\":%llu,"
			       "\"rtt_ms\":{\"min\":%.3f,\"avg\":%.3f,\"p50\":%.3f,"
			       "\"p99\":%.3f,\"max\":%.3f,\"mdev\":%.3f},\"silent\":%s}\n",
			       a, mcast_addr_port(peers_addr(r)),
			       (unsigned long long)x.sent, (unsigned long long)r->received,
			       x.loss, (unsigned long long)r->dups,
			       (unsigned long long)r->ooo, (double)x.st.min / 1e6,
			       x.st.mean / 1e6, x.p50, x.p99, (double)x.st.max / 1e6,
			       x.st.mdev / 1e6, x.silent ? "true" : "false");
			continue;
		}
		mcast_addr_format(peers_addr(r), a, sizeof(a), MCAST_FMT_PORT);
		printf("%-*s %6llu %6llu %6.1f %4llu %4llu %8.3f %8.3f %8.3f %8.3f "
		       "%8.3f %8.3f%s\n", w, a, (unsigned long long)x.sent,
		       (unsigned long long)r->received, x.loss,
		       (unsigned long long)r->dups, (unsigned long long)r->ooo,
		       (double)x.st.min / 1e6, x.st.mean / 1e6, x.p50, x.p99,
		       (double)x.st.max / 1e6, x.st.mdev / 1e6, x.silent ? "  silent" : "");
	}
	if (p->json)
		printf("{\"event\":\"summary\",\"final\":%s,\"sent\":%llu,"
		       "\"responders\":%zu,\"answers\":%llu,\"ignored\":{\"garbage\":%llu,"
		       "\"truncated\":%llu,\"oversized\":%llu,\"foreign_version\":%llu,"
		       "\"other\":%llu,\"stray\":%llu}}\n", final ? "true" : "false",
		       (unsigned long long)p->seq, p->map.n,
		       (unsigned long long)p->answers, (unsigned long long)p->garbage,
		       (unsigned long long)p->truncated,
		       (unsigned long long)p->oversized, (unsigned long long)p->foreign,
		       (unsigned long long)p->other, (unsigned long long)p->stray);
	else if (p->garbage + p->truncated + p->oversized + p->foreign + p->other + p->stray)
		printf("ignored: %llu garbage, %llu truncated, %llu oversized, %llu of "
		       "another version, %llu other, %llu for another prober\n",
		       (unsigned long long)p->garbage, (unsigned long long)p->truncated,
		       (unsigned long long)p->oversized, (unsigned long long)p->foreign,
		       (unsigned long long)p->other, (unsigned long long)p->stray);
	fflush(stdout);
}

/*
 * Probe on schedule and take answers in between; after the last probe,
 * wait for answers until the deadline. With --busy-poll the wait is a spin
 * on a non-blocking socket, and signals are taken as they come.
 */
static int run(struct pinger *p, const sigset_t *unblocked)
{
	uint64_t next = cli_now_ns(), end = 0;
	bool done = false;
	int rc = 0;

	while (rc == 0 && !cli_stop && !p->closed) {
		uint64_t now = cli_now_ns(), until;
		struct pollfd pfd = {.fd = mcast_sock_fd(p->out.sock), .events = POLLIN};
		struct timespec ts;

		if (cli_report) {
			cli_report = 0;
			report(p, false);
		}
		if (!done && now >= next) {
			rc = send_probe(p);
			next += p->interval_ns;
			if (next + p->interval_ns < now)
				next = now + p->interval_ns; /* far behind: no burst */
			if (p->count && p->seq >= p->count) {
				done = true;
				end = now + p->wait_ns;
			}
			continue;
		}
		if (done && now >= end)
			break;
		if (p->busy) {
			rc = drain(p);
			continue;
		}
		until = done ? end : next;
		ts.tv_sec = (time_t)((until - now) / 1000000000ULL);
		ts.tv_nsec = (long)((until - now) % 1000000000ULL);
		if (ppoll(&pfd, 1, &ts, unblocked) > 0)
			rc = drain(p);
	}
	return rc;
}

/* What a responder owns, freed with the table. */
static void drop_responder(void *v)
{
	struct responder *r = v;

	mcast_hist_free(r->rtt);
}

/* The exit status the results call for. */
static int verdict(struct pinger *p)
{
	uint64_t upto = settled(p, true);
	struct row x;
	int rc = EXIT_OK;

	if (p->has_expect && p->map.n < p->expect) {
		cli_err("%zu responder%s answered, fewer than the %llu expected",
			p->map.n, p->map.n == 1 ? "" : "s", (unsigned long long)p->expect);
		rc = EXIT_EXPECT;
	}
	for (size_t i = 0; p->has_max_loss && i < p->map.n; i++) {
		const struct responder *r = peers_at(&p->map, i);

		if (!r->rtt)
			continue;
		row_of(p, r, upto, &x);
		if (x.loss > (double)p->max_loss) {
			char a[MCAST_ADDRSTRLEN];

			mcast_addr_format(peers_addr(r), a, sizeof(a), MCAST_FMT_PORT);
			cli_err("%s lost %.1f%% of probes, more than --max-loss %llu%%", a,
				x.loss, (unsigned long long)p->max_loss);
			rc = EXIT_EXPECT;
		}
	}
	if (rc == EXIT_OK && p->map.n == 0) {
		cli_err("no responder answered");
		rc = EXIT_FAIL;
	}
	return rc;
}

int cmd_ping(int argc, char **argv)
{
	struct pinger p;
	sigset_t unblocked;
	char g[MCAST_ADDRSTRLEN];
	int rc;

	memset(&p, 0, sizeof(p));
	outsock_init(&p.out);
	p.interval_ns = p.wait_ns = 1000000000ULL;
	p.size = MCAST_WIRE_PROBE_MIN;
	p.silent_after = 3;
	peers_init(&p.map, sizeof(struct responder), RESPONDER_LIMIT, true);
	rc = cli_parse_args(argc, argv, &ping_spec, &p, &p.cfg, &p.group);
	if (rc == 0 && p.count == 0 && (p.has_expect || p.has_max_loss))
		rc = cli_usage("--expect and --max-loss need an end: give --count N");
	if (rc == 0) {
		p.id = cli_random_u64();
		/* Busy polling never sleeps, so signals must land at any time. */
		cli_signals(!p.busy, true, &unblocked);
		rc = outsock_open(&p.out, &p.group);
	}
	if (rc == 0) {
		mcast_addr_format(&p.group, g, sizeof(g), MCAST_FMT_PORT);
		cli_info("probing %s via %s with %llu-byte probes", g,
			 outsock_iface_name(&p.out), (unsigned long long)p.size);
		rc = run(&p, &unblocked);
	}
	if (rc == 0 && !p.closed) {
		report(&p, true);
		rc = verdict(&p);
	}
	peers_free(&p.map, drop_responder);
	outsock_close(&p.out);
	cli_config_free(&p.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
