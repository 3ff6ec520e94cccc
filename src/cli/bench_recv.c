/*
 * bench_recv.c - `mcast bench recv GROUP:PORT`: count what `mcast bench
 * send` sends, per sender: rate, loss, duplicates, reordering, one-way
 * latency percentiles and jitter; and the kernel's drops and our CPU time.
 */
#include "cli/bench.h"
#include "cli/emit.h"
#include "cli/join.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* Senders reported separately; more are counted together as "other". */
#define MAX_FLOWS 64
/* Sequence numbers remembered per sender for duplicate detection. */
#define WINDOW (1u << 16)
/* Receive slots per recvmmsg, each large enough for a GRO train. */
#define SLOTS 32
#define SLOT_SIZE 65536

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
	"      --json              progress and results as JSON lines on stdout\n"
	"      --config FILE       read settings from FILE ([bench recv] section)\n"
	"  -v, --verbose           more detail\n"
	"  -q, --quiet             print only the results\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 measured, 1 failure or nothing arrived, 2 usage error.\n";

enum { OPT_COUNT = JOIN_OPT_OWN, OPT_DURATION, OPT_TIMEOUT, OPT_GRO, OPT_JSON };

static const struct cli_opt bench_recv_options[] = {
	JOIN_OPTIONS,
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("duration", 'd', OPT_DURATION),
	CLI_VALUE("timeout", 'w', OPT_TIMEOUT),
	CLI_VALUE("gro", 0, OPT_GRO),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

/* One sender, by sender id. */
struct flow {
	uint64_t id;
	mcast_addr source;
	uint64_t first_seq, max_seq, received, bytes, dups, reordered, late;
	uint64_t first_ns, last_ns; /* monotonic, for rates */
	uint64_t iv_received, iv_bytes; /* since the last progress line */
	double jitter;	 /* RFC 3550 interarrival jitter, ns */
	int64_t transit; /* the last datagram's transit time, ns */
	mcast_hist *latency;
	uint8_t seen[WINDOW / 8];
};

struct brecv {
	struct join j;
	struct cli_config cfg;
	uint64_t count, duration_ns, timeout_ns;
	int gro;
	bool json;
	struct flow *flows[MAX_FLOWS];
	size_t n_flows;
	uint64_t datagrams, trains, garbage, other, other_senders;
	uint32_t drops;
	unsigned char *buf;
	uint64_t entered; /* when drain() was called */
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct brecv *b = ctx;
	int rc = join_option(&b->j, a);

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
	case OPT_JSON: b->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* Check a setting for bench recv without keeping it (a settings file
 * read by another subcommand, or replaced by the command line). */
static int check(const struct cli_arg *a)
{
	struct brecv *b = calloc(1, sizeof(*b));
	int rc;

	if (!b) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	rc = apply(b, a);
	free(b);
	return rc;
}

const struct cli_spec bench_recv_spec = {
	.name = "bench recv", .opts = bench_recv_options, .apply = apply,
	.check = check, .usage = usage_text, .operands = CLI_GROUP,
};

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
	if (!f || mcast_hist_new(&f->latency) < 0) {
		free(f);
		return NULL;
	}
	f->id = w->sender_id;
	f->source = *src;
	f->first_seq = f->max_seq = w->seq;
	b->flows[b->n_flows++] = f;
	cli_debug("new sender %016llx", (unsigned long long)f->id);
	return f;
}

static bool test_and_set(struct flow *f, uint64_t seq)
{
	uint8_t *byte = &f->seen[(seq % WINDOW) / 8], bit = (uint8_t)(1u << (seq % 8));
	bool was = *byte & bit;

	*byte |= bit;
	return was;
}

/*
 * Count one datagram of a flow. The window of seen sequence numbers slides
 * with the highest one; a datagram older than the window can no longer be
 * told from a duplicate and is counted as late (and received).
 */
static void count(struct flow *f, const mcast_wire *w, uint64_t rx_ns,
		  uint64_t mono)
{
	uint64_t seq = w->seq;
	int64_t transit = (int64_t)(rx_ns - w->t_send), d;

	if (f->received == 0 && f->dups == 0) {
		f->first_ns = mono;
		test_and_set(f, seq);
	} else if (seq > f->max_seq) {
		if (seq - f->max_seq >= WINDOW)
			memset(f->seen, 0, sizeof(f->seen));
		else
			for (uint64_t s = f->max_seq + 1; s < seq; s++)
				f->seen[(s % WINDOW) / 8] &= (uint8_t)~(1u << (s % 8));
		f->max_seq = seq;
		test_and_set(f, seq);
	} else if (f->max_seq - seq >= WINDOW) {
		f->late++;
	} else if (test_and_set(f, seq)) {
		f->dups++;
		return;
	} else {
		f->reordered++;
		if (seq < f->first_seq)
			f->first_seq = seq;
	}
	f->received++;
	f->iv_received++;
	f->bytes += w->len;
	f->iv_bytes += w->len;
	f->last_ns = mono;
	mcast_hist_add(f->latency, transit > 0 ? (uint64_t)transit : 0);
	/* RFC 3550 section 6.4.1: J += (|D| - J) / 16. */
	if (f->received > 1) {
		d = transit - f->transit;
		f->jitter += ((double)(d < 0 ? -d : d) - f->jitter) / 16.0;
	}
	f->transit = transit;
}

static void datagram(struct brecv *b, const unsigned char *p, size_t len,
		     const mcast_rxinfo *ri, uint64_t mono)
{
	mcast_wire w;
	struct flow *f;

	b->datagrams++;
	if (mcast_wire_decode(&w, p, len) < 0) {
		b->garbage++;
		return;
	}
	if (w.type != MCAST_WIRE_T_DATA) {
		b->other++;
		return;
	}
	f = flow_of(b, &w, &ri->source);
	if (!f) {
		b->other_senders++;
		return;
	}
	count(f, &w, cli_ns_of(&ri->time), mono);
}

static uint64_t lost(const struct flow *f)
{
	uint64_t expected = f->max_seq - f->first_seq + 1;

	return expected > f->received ? expected - f->received : 0;
}

static void progress(struct brecv *b, double elapsed, double dt)
{
	char src[MCAST_ADDRSTRLEN];

	if (cli_verbosity < LOG_NORMAL && !b->json)
		return;
	for (size_t i = 0; i < b->n_flows; i++) {
		struct flow *f = b->flows[i];
		double pps = (double)f->iv_received / dt;

		mcast_addr_format(&f->source, src, sizeof(src), 0);
		if (b->json)
			printf("{\"event\":\"progress\",\"elapsed_s\":%.3f,\"sender\":\"%s\","
			       "\"sender_id\":\"%016llx\",\"datagrams_per_s\":%.0f,"
			       "\"mbit_per_s\":%.3f,\"received\":%llu,\"lost\":%llu,"
			       "\"duplicates\":%llu,\"reordered\":%llu,\"kernel_drops\":%u}\n",
			       elapsed, src, (unsigned long long)f->id, pps,
			       (double)f->iv_bytes * 8.0 / dt / 1e6,
			       (unsigned long long)f->received, (unsigned long long)lost(f),
			       (unsigned long long)f->dups, (unsigned long long)f->reordered,
			       b->drops);
		else
			cli_info("%6.1fs %s: %.0f datagrams/s, %.1f Mbit/s, received %llu, "
				 "lost %llu, kernel drops %u", elapsed, src, pps,
				 (double)f->iv_bytes * 8.0 / dt / 1e6,
				 (unsigned long long)f->received,
				 (unsigned long long)lost(f), b->drops);
		f->iv_received = f->iv_bytes = 0;
	}
	fflush(stdout);
}

/*
 * Take every queued datagram, splitting GRO trains. While traffic flows,
 * keep polling the socket for SPIN_NS after it runs dry before going back
 * to sleep: at high rates a sleep per datagram or two costs more CPU in
 * context switches than the datagrams themselves. Returns 0 or -errno.
 */
#define SPIN_NS 200000
static int drain(struct brecv *b)
{
	mcast_rxmsg m[SLOTS];
	uint64_t idle_since = 0;
	mcast_error e;
	int got;

	for (size_t i = 0; i < SLOTS; i++) {
		m[i].buf = b->buf + i * SLOT_SIZE;
		m[i].cap = SLOT_SIZE;
	}
	for (;;) {
		uint64_t mono;

		got = mcast_sock_recv_batch(b->j.sock, m, SLOTS, MCAST_RECV_NOWAIT, &e);
		mono = cli_now_ns();
		if (got == -EAGAIN) {
			if (!idle_since)
				idle_since = mono;
			if (mono - idle_since < SPIN_NS && !cli_stop)
				continue;
			return 0;
		}
		if (got <= 0)
			break;
		idle_since = 0;

		for (int i = 0; i < got; i++) {
			size_t seg = m[i].seg ? m[i].seg : m[i].len;
			const unsigned char *p = m[i].buf;

			if (m[i].info.drops > b->drops)
				b->drops = m[i].info.drops;
			if (m[i].seg)
				b->trains++;
			/* An empty datagram is a datagram too (of garbage). */
			if (m[i].len == 0 && !(b->count && b->datagrams >= b->count))
				datagram(b, p, 0, &m[i].info, mono);
			for (size_t off = 0; off < m[i].len && seg; off += seg) {
				/* -n N counts exactly N, even mid-batch. */
				if (b->count && b->datagrams >= b->count)
					break;
				datagram(b, p + off,
					 m[i].len - off < seg ? m[i].len - off : seg,
					 &m[i].info, mono);
			}
		}
		if (b->count && b->datagrams >= b->count)
			return 0;
		/* Come up for air: progress lines and stop conditions. */
		if (mono - b->entered >= 100000000ULL)
			return 0;
	}
	if (got == -EINTR)
		return 0;
	cli_err("%s", e.msg);
	return got;
}

/* Receive until the count, the duration, the timeout or a signal. */
static int run(struct brecv *b, const sigset_t *unblocked)
{
	struct pollfd p[2];
	nfds_t np = (nfds_t)join_pollfds(&b->j, p);
	uint64_t start = cli_now_ns(), tick = start, last = 0;

	while (!cli_stop && !(b->count && b->datagrams >= b->count)) {
		uint64_t now = cli_now_ns(), until = tick + 1000000000ULL;
		uint64_t before = b->datagrams;
		struct timespec ts;

		if (b->duration_ns && now - start >= b->duration_ns)
			break;
		if (last && now - last >= b->timeout_ns)
			break;
		if (now >= until) {
			progress(b, (double)(now - start) / 1e9, (double)(now - tick) / 1e9);
			tick = now;
			continue;
		}
		if (last && last + b->timeout_ns < until)
			until = last + b->timeout_ns;
		if (b->duration_ns && start + b->duration_ns < until)
			until = start + b->duration_ns;
		ts.tv_sec = (time_t)((until - now) / 1000000000ULL);
		ts.tv_nsec = (long)((until - now) % 1000000000ULL);
		if (ppoll(p, np, &ts, unblocked) <= 0)
			continue;
		if (join_events(&b->j, p))
			return EXIT_FAIL;
		b->entered = cli_now_ns();
		if (drain(b) < 0)
			return EXIT_FAIL;
		if (b->datagrams > before)
			last = cli_now_ns();
	}
	return EXIT_OK;
}

/* The results: a table on stdout, or JSON lines. */
static void results(struct brecv *b, double cpu_ns)
{
	static const double pcts[] = {50, 90, 99, 99.9};
	uint32_t drops;

	if (mcast_sock_drops(b->j.sock, &drops) == 0 && drops > b->drops)
		b->drops = drops;
	if (!b->json && b->n_flows)
		printf("%-24s %10s %12s %9s %8s %6s %5s %6s %9s %9s %9s %9s %9s %9s\n",
		       "sender", "received", "datagrams/s", "Mbit/s", "lost", "loss%",
		       "dup", "reord", "p50 us", "p90 us", "p99 us", "p99.9 us",
		       "max us", "jitter us");
	for (size_t i = 0; i < b->n_flows; i++) {
		struct flow *f = b->flows[i];
		double secs = f->last_ns > f->first_ns ? (double)(f->last_ns - f->first_ns) / 1e9 : 0;
		double pps = secs > 0 ? (double)(f->received - 1) / secs : 0;
		uint64_t expected = f->max_seq - f->first_seq + 1;
		double loss = 100.0 * (double)lost(f) / (double)expected;
		double p[4];
		mcast_hist_stats st;
		char src[MCAST_ADDRSTRLEN];

		mcast_hist_stats_get(f->latency, &st);
		for (size_t k = 0; k < 4; k++)
			p[k] = (double)mcast_hist_percentile(f->latency, pcts[k]) / 1e3;
		mcast_addr_format(&f->source, src, sizeof(src), 0);
		if (b->json) {
			printf("{\"event\":\"sender\",\"sender\":\"%s\",\"sender_id\":\"%016llx\","
			       "\"received\":%llu,\"bytes\":%llu,\"seconds\":%.3f,"
			       "\"datagrams_per_s\":%.0f,\"mbit_per_s\":%.3f,\"expected\":%llu,"
			       "\"lost\":%llu,\"loss_pct\":%.3f,\"duplicates\":%llu,"
			       "\"reordered\":%llu,\"late\":%llu,\"latency_us\":{\"p50\":%.1f,"
			       "\"p90\":%.1f,\"p99\":%.1f,\"p99_9\":%.1f,\"max\":%.1f,"
			       "\"mean\":%.1f},\"jitter_us\":%.1f}\n",
			       src, (unsigned long long)f->id, (unsigned long long)f->received,
			       (unsigned long long)f->bytes, secs, pps,
			       pps * 8.0 * ((double)f->bytes / (double)f->received) / 1e6,
			       (unsigned long long)expected, (unsigned long long)lost(f), loss,
			       (unsigned long long)f->dups, (unsigned long long)f->reordered,
			       (unsigned long long)f->late, p[0], p[1], p[2], p[3],
			       (double)st.max / 1e3, st.mean / 1e3, f->jitter / 1e3);
			continue;
		}
		printf("%-24s %10llu %12.0f %9.1f %8llu %6.2f %5llu %6llu %9.1f %9.1f "
		       "%9.1f %9.1f %9.1f %9.1f\n", src, (unsigned long long)f->received,
		       pps, pps * 8.0 * ((double)f->bytes / (double)f->received) / 1e6,
		       (unsigned long long)lost(f), loss, (unsigned long long)f->dups,
		       (unsigned long long)f->reordered, p[0], p[1], p[2], p[3],
		       (double)st.max / 1e3, f->jitter / 1e3);
	}
	if (b->json)
		printf("{\"event\":\"summary\",\"datagrams\":%llu,\"senders\":%zu,"
		       "\"kernel_drops\":%u,\"gro_trains\":%llu,\"garbage\":%llu,"
		       "\"other\":%llu,\"other_senders\":%llu,"
		       "\"cpu_ns_per_datagram\":%.1f}\n",
		       (unsigned long long)b->datagrams, b->n_flows, b->drops,
		       (unsigned long long)b->trains, (unsigned long long)b->garbage,
		       (unsigned long long)b->other, (unsigned long long)b->other_senders,
		       b->datagrams ? cpu_ns / (double)b->datagrams : 0);
	else
		printf("%llu %s from %zu sender%s; kernel drops %u; GRO trains "
		       "%llu; ignored %llu garbage, %llu other; %.0f ns CPU per "
		       "datagram; latency is one-way, sender clock to receiver clock\n",
		       (unsigned long long)b->datagrams,
		       cli_plural(b->datagrams, "datagram", "datagrams"), b->n_flows,
		       b->n_flows == 1 ? "" : "s", b->drops,
		       (unsigned long long)b->trains,
		       (unsigned long long)b->garbage, (unsigned long long)b->other,
		       b->datagrams ? cpu_ns / (double)b->datagrams : 0);
	fflush(stdout);
}

int cmd_bench_recv(int argc, char **argv)
{
	struct brecv *b = calloc(1, sizeof(*b));
	mcast_addr group;
	sigset_t unblocked;
	struct rusage r0;
	mcast_error e;
	int rc;

	if (!b) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	b->timeout_ns = 2000000000ULL;
	b->gro = BENCH_AUTO;
	rc = cli_parse_args(argc, argv, &bench_recv_spec, b, &b->cfg, &group);
	if (rc == 0)
		rc = join_parse(&b->j, &group);
	if (rc == 0) {
		b->buf = malloc((size_t)SLOTS * SLOT_SIZE);
		if (!b->buf) {
			cli_err("out of memory");
			rc = EXIT_FAIL;
		}
	}
	if (rc == 0) {
		cli_signals(true, false, &unblocked);
		rc = join_open(&b->j);
	}
	if (rc == 0 && b->gro != BENCH_OFF && mcast_sock_set_gro(b->j.sock, true, &e) < 0) {
		if (b->gro == BENCH_ON) {
			cli_err("%s", e.msg);
			rc = EXIT_FAIL;
		} else {
			cli_info("UDP GRO is not available here: %s", e.msg);
		}
	}
	if (rc == 0) {
		{
			struct emit em;

			if (emit_init(&em, stdout, b->json) == 0)
				join_announce(&b->j, &em);
			emit_free(&em);
		}
		getrusage(RUSAGE_SELF, &r0);
		rc = run(b, &unblocked);
		if (rc == 0)
			results(b, bench_cpu_ns(&r0));
		if (rc == 0 && b->datagrams == 0) {
			cli_err("nothing arrived");
			rc = EXIT_FAIL;
		}
	}
	join_close(&b->j);
	for (size_t i = 0; i < b->n_flows; i++) {
		mcast_hist_free(b->flows[i]->latency);
		free(b->flows[i]);
	}
	free(b->buf);
	cli_config_free(&b->cfg);
	free(b);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
