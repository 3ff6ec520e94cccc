/*
 * bench_send.c - `mcast bench send GROUP:PORT`: sequenced, timestamped
 * datagrams at a paced rate or as fast as the kernel takes them, in
 * batches (sendmmsg) or as segmentation-offloaded trains (UDP GSO).
 */
#include "cli/bench.h"
#include "cli/outsock.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char usage_text[] =
	"Usage: mcast bench send [OPTIONS] GROUP:PORT\n"
	"\n"
	"Send sequenced, timestamped datagrams for 'mcast bench recv' to measure.\n"
	"\n"
	"Options:\n"
	OUT_USAGE
	"      --size BYTES        datagram payload, 32-65507 (default 64)\n"
	"      --rate RATE         datagrams/s (100k), payload bits/s (800Mbit),\n"
	"                          bytes/s (100MB) or max (default max)\n"
	"      --burst N           at most N datagrams back to back, 1-64\n"
	"                          (default 32)\n"
	"  -d, --duration DURATION send for DURATION (default 10s)\n"
	"  -n, --count N           send N datagrams instead\n"
	"      --gso MODE          auto, on or off: let the kernel cut trains of\n"
	"                          datagrams (UDP GSO); auto falls back to batches\n"
	"      --json              progress and summary as JSON lines on stdout\n"
	"      --config FILE       read settings from FILE ([bench send] section)\n"
	"  -v, --verbose           more detail\n"
	"  -q, --quiet             print errors only\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 sent, 1 failure, 2 usage error.\n";

enum {
	OPT_SIZE = OUT_OPT_OWN,
	OPT_RATE,
	OPT_BURST,
	OPT_DURATION,
	OPT_COUNT,
	OPT_GSO,
	OPT_JSON
};

static const struct cli_opt bench_send_options[] = {
	OUT_OPTIONS,
	CLI_VALUE("size", 0, OPT_SIZE),
	CLI_VALUE("rate", 0, OPT_RATE),
	CLI_VALUE("burst", 0, OPT_BURST),
	CLI_VALUE("duration", 'd', OPT_DURATION),
	CLI_VALUE("count", 'n', OPT_COUNT),
	CLI_VALUE("gso", 0, OPT_GSO),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

struct bsend {
	struct outsock out;
	struct cli_config cfg;
	mcast_addr group;
	uint64_t size, burst, count, duration_ns;
	const char *rate_text;
	double rate;	/* datagrams per second; 0 = as fast as possible */
	int gso;	/* BENCH_OFF, BENCH_ON, BENCH_AUTO */
	bool json, has_count;
	uint64_t id, seq, bytes, calls, full;
	unsigned char *buf; /* MCAST_BATCH_MAX datagrams, back to back */
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct bsend *b = ctx;
	int rc = outsock_option(&b->out, a);

	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_SIZE:
		return cli_size(a, MCAST_WIRE_HDR_LEN, mcast_max_payload(AF_INET), &b->size);
	case OPT_RATE: b->rate_text = a->value; return 0;
	case OPT_BURST: return cli_uint(a, 1, MCAST_BATCH_MAX, &b->burst);
	case OPT_DURATION: return cli_duration(a, &b->duration_ns);
	case OPT_COUNT:
		b->has_count = true;
		return cli_uint(a, 1, UINT64_MAX, &b->count);
	case OPT_GSO: return bench_parse_mode(a, &b->gso);
	case OPT_JSON: b->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* Check a setting for bench send without keeping it (a settings file
 * read by another subcommand, or replaced by the command line). */
static int check(const struct cli_arg *a)
{
	struct bsend b;

	memset(&b, 0, sizeof(b));
	return apply(&b, a);
}

const struct cli_spec bench_send_spec = {
	.name = "bench send", .opts = bench_send_options, .apply = apply,
	.check = check, .usage = usage_text, .operands = CLI_GROUP, .sends = true,
};

/*
 * "max", "100k" (datagrams/s), "100kpps", "800Mbit", "800Mbps" or "800Mb"
 * (payload bits/s), "100MB" or "100MBps" (payload bytes/s). Units are case
 * sensitive: b is a bit, B a byte. Returns 0 or EXIT_USAGE; *pps is 0 for
 * max.
 */
static int parse_rate(const char *text, uint64_t size, double *pps)
{
	static const struct {
		const char *unit;
		unsigned bits; /* per unit of the rate: 0 = datagrams */
	} units[] = {{"", 0}, {"pps", 0}, {"bit", 1}, {"bps", 1},
		     {"b", 1}, {"B", 8}, {"Bps", 8}};
	char *end;
	double v;

	if (strcmp(text, "max") == 0) {
		*pps = 0;
		return 0;
	}
	v = strtod(text, &end);
	if (end == text || v <= 0 || v != v)
		return cli_usage("--rate: '%s' is not a rate (e.g. 100k, 800Mbit, max)", text);
	switch (*end) {
	case 'k': case 'K': v *= 1e3; end++; break;
	case 'M': v *= 1e6; end++; break;
	case 'G': v *= 1e9; end++; break;
	default: break;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		*pps = units[i].bits ? v * units[i].bits / (8.0 * (double)size) : v;
		if (*pps < 1 || *pps > 1e9)
			return cli_usage("--rate: %s is out of range (1 to 1G datagrams/s)", text);
		return 0;
	}
	return cli_usage("--rate: '%s' is not a rate (e.g. 100k, 800Mbit, max)", text);
}

/* Stamp n datagrams from the next sequence number with the time now. */
static void stamp(struct bsend *b, size_t n)
{
	uint64_t t = cli_realtime_ns();

	for (size_t i = 0; i < n; i++)
		mcast_wire_stamp(b->buf + i * b->size, b->seq + 1 + i, t);
}

/*
 * Send n datagrams, as one GSO train or one sendmmsg batch. Returns how
 * many went out (0 when the device queue is full), or -1 after an error
 * was reported.
 */
static long send_some(struct bsend *b, size_t n)
{
	struct iovec iov[MCAST_BATCH_MAX];
	mcast_error e;
	long sent;

	stamp(b, n);
	b->calls++;
	if (b->gso != BENCH_OFF) {
		ssize_t r = mcast_sock_send_segments(b->out.sock, &b->group, b->buf,
						     n * b->size, b->size, &e);

		if (r >= 0)
			return (long)n;
		if (r == -ENOBUFS || r == -EAGAIN)
			return 0;
		if (outsock_gone(&b->out))
			return -1;
		if (b->gso == BENCH_ON || b->seq > 0) {
			cli_err("%s", e.msg);
			return -1;
		}
		/* The first train failed: this path cannot segment. */
		cli_info("UDP GSO is not available here (%s); sending in batches",
			 e.msg);
		b->gso = BENCH_OFF;
	}
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = b->buf + i * b->size;
		iov[i].iov_len = b->size;
	}
	sent = mcast_sock_send_batch(b->out.sock, &b->group, iov, n, &e);
	if (sent == -ENOBUFS || sent == -EAGAIN)
		return 0;
	if (sent < 0 && sent != -EMSGSIZE && outsock_gone(&b->out))
		return -1;
	if (sent < 0) {
		if (sent == -EMSGSIZE)
			return outsock_send(&b->out, b->buf, b->size) ? -1 : 0;
		cli_err("%s", e.msg);
		return -1;
	}
	return sent;
}

static void progress(struct bsend *b, uint64_t start, uint64_t *last_t,
		     uint64_t *last_seq)
{
	uint64_t now = cli_now_ns();
	double dt = (double)(now - *last_t) / 1e9, el = (double)(now - start) / 1e9;
	double pps = dt > 0 ? (double)(b->seq - *last_seq) / dt : 0;

	if (b->json)
		printf("{\"event\":\"progress\",\"elapsed_s\":%.3f,\"sent\":%llu,"
		       "\"datagrams_per_s\":%.0f,\"mbit_per_s\":%.3f}\n", el,
		       (unsigned long long)b->seq, pps,
		       pps * 8.0 * (double)b->size / 1e6);
	else
		cli_info("%6.1fs sent %llu, %.0f datagrams/s, %.1f Mbit/s", el,
			 (unsigned long long)b->seq, pps, pps * 8.0 * (double)b->size / 1e6);
	fflush(stdout);
	*last_t = now;
	*last_seq = b->seq;
}

/*
 * Send until the count, the duration or a signal. Pacing is a token bucket
 * that holds --burst tokens at most: the rate holds on average, and no
 * more than --burst datagrams ever leave back to back.
 */
static int run(struct bsend *b)
{
	uint64_t start = cli_now_ns(), last = start, tick = start, last_seq = 0;
	double tokens = (double)b->burst;

	while (!cli_stop) {
		uint64_t now = cli_now_ns();
		size_t n = (size_t)b->burst;
		long sent;

		if ((b->has_count && b->seq >= b->count) ||
		    (!b->has_count && now - start >= b->duration_ns))
			break;
		if (now - tick >= 1000000000ULL) {
			progress(b, start, &tick, &last_seq);
			tick = now;
		}
		if (b->rate > 0) {
			tokens += (double)(now - last) * b->rate / 1e9;
			if (tokens > (double)b->burst)
				tokens = (double)b->burst;
			last = now;
			if (tokens < 1) {
				uint64_t wait = (uint64_t)((1 - tokens) * 1e9 / b->rate);
				struct timespec ts = {(time_t)(wait / 1000000000ULL),
						      (long)(wait % 1000000000ULL)};

				nanosleep(&ts, NULL);
				continue;
			}
			n = (size_t)tokens;
		}
		if (b->has_count && n > b->count - b->seq)
			n = (size_t)(b->count - b->seq);
		sent = send_some(b, n);
		if (sent < 0)
			return EXIT_FAIL;
		if (sent == 0) {
			/* The device queue is full: wait until it drains a little. */
			struct pollfd p = {.fd = mcast_sock_fd(b->out.sock), .events = POLLOUT};

			b->full++;
			poll(&p, 1, 1);
			continue;
		}
		b->seq += (uint64_t)sent;
		b->bytes += (uint64_t)sent * b->size;
		tokens -= (double)sent;
	}
	b->duration_ns = cli_now_ns() - start;
	return EXIT_OK;
}

static void summary(struct bsend *b, const struct rusage *r0)
{
	double secs = (double)b->duration_ns / 1e9;
	double pps = secs > 0 ? (double)b->seq / secs : 0;
	double cpu = bench_cpu_ns(r0);
	double per = b->seq ? cpu / (double)b->seq : 0;
	char g[MCAST_ADDRSTRLEN];

	mcast_addr_format(&b->group, g, sizeof(g), MCAST_FMT_PORT);
	if (b->json) {
		printf("{\"event\":\"summary\",\"sender_id\":\"%016llx\",\"sent\":%llu,"
		       "\"bytes\":%llu,\"seconds\":%.3f,\"datagrams_per_s\":%.0f,"
		       "\"mbit_per_s\":%.3f,\"gso\":%s,\"calls\":%llu,"
		       "\"queue_full\":%llu,\"cpu_ns_per_datagram\":%.1f}\n",
		       (unsigned long long)b->id, (unsigned long long)b->seq,
		       (unsigned long long)b->bytes, secs, pps,
		       pps * 8.0 * (double)b->size / 1e6,
		       b->gso != BENCH_OFF ? "true" : "false",
		       (unsigned long long)b->calls, (unsigned long long)b->full, per);
		fflush(stdout);
		return;
	}
	cli_info("sent %llu %s of %llu bytes to %s via %s in %.2fs: %.0f "
		 "datagrams/s, %.1f Mbit/s; %s, %llu %s, queue full %llu %s; "
		 "%.0f ns CPU per datagram (sender id %016llx)",
		 (unsigned long long)b->seq, cli_plural(b->seq, "datagram", "datagrams"),
		 (unsigned long long)b->size, g,
		 outsock_iface_name(&b->out), secs, pps,
		 pps * 8.0 * (double)b->size / 1e6,
		 b->gso != BENCH_OFF ? "GSO trains" : "sendmmsg batches",
		 (unsigned long long)b->calls, cli_plural(b->calls, "call", "calls"),
		 (unsigned long long)b->full, cli_plural(b->full, "time", "times"), per,
		 (unsigned long long)b->id);
}

int cmd_bench_send(int argc, char **argv)
{
	struct rusage r0;
	struct bsend b;
	mcast_wire w;
	int rc;

	memset(&b, 0, sizeof(b));
	outsock_init(&b.out);
	b.size = 64;
	b.burst = 32;
	b.duration_ns = 10000000000ULL;
	b.gso = BENCH_AUTO;
	rc = cli_parse_args(argc, argv, &bench_send_spec, &b, &b.cfg, &b.group);
	if (rc == 0 && b.rate_text)
		rc = parse_rate(b.rate_text, b.size, &b.rate);
	/* A GSO train is at most 64 segments and 64 KiB. */
	if (rc == 0 && b.gso != BENCH_OFF && b.burst * b.size > mcast_max_payload(AF_INET)) {
		if (b.gso == BENCH_ON)
			rc = cli_usage("--gso on: --burst %llu of %llu bytes exceeds 64 KiB",
				       (unsigned long long)b.burst, (unsigned long long)b.size);
		else
			b.burst = mcast_max_payload(AF_INET) / b.size;
		if (b.burst == 0)
			b.burst = 1;
	}
	if (rc == 0) {
		b.buf = calloc(MCAST_BATCH_MAX, b.size);
		if (!b.buf) {
			cli_err("out of memory");
			rc = EXIT_FAIL;
		}
	}
	if (rc == 0) {
		b.id = cli_random_u64();
		memset(&w, 0, sizeof(w));
		w.type = MCAST_WIRE_T_DATA;
		w.sender_id = b.id;
		for (size_t i = 0; i < MCAST_BATCH_MAX; i++)
			mcast_wire_encode(&w, b.buf + i * b.size, b.size, b.size);
		cli_signals(false, false, NULL);
		rc = outsock_open(&b.out, &b.group);
	}
	if (rc == 0) {
		getrusage(RUSAGE_SELF, &r0);
		rc = run(&b);
		if (rc == 0)
			summary(&b, &r0);
	}
	outsock_close(&b.out);
	free(b.buf);
	cli_config_free(&b.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
