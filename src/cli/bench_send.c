/*
 * bench_send.c - `mcast bench send GROUP:PORT`: sequenced, timestamped
 * datagrams at a paced rate or as fast as the kernel takes them, in
 * batches (sendmmsg) or as segmentation-offloaded trains (UDP GSO).
 *
 * On the one loop: a send timer paced by sched.c (the rate holds from the
 * first datagram, at most --burst back to back), a progress timer, the
 * duration as the loop's deadline, and the socket watched for room when
 * the device queue is full. Records go through emit.c.
 */
#include "cli/bench.h"
#include "cli/opt.h"
#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/outsock.h"
#include "cli/sched.h"
#include "cli/seal.h"
#include "cli/transport_udp.h"

#include <errno.h>
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
	"  -d, --duration DURATION send for DURATION, more than 0 (default 10s)\n"
	"  -n, --count N           send N datagrams instead (not with -d; on the\n"
	"                          command line either replaces the file's other)\n"
	"      --gso MODE          auto, on or off: let the kernel cut trains of\n"
	"                          datagrams (UDP GSO); auto falls back to batches\n"
	SEAL_TX_USAGE("datagram (its payload is --size)")
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
	OPT_JSON,
	OPT_SEAL /* SEAL_TX_OPTIONS(OPT_SEAL): --sign, --encrypt */
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
	SEAL_TX_OPTIONS(OPT_SEAL),
	CLI_COMMON_OPTIONS,
};

struct bsend {
	struct outsock out;
	struct cli_config cfg;
	mcast_addr group;
	uint64_t size, burst, count, duration_ns;
	size_t wsize; /* on the wire: size, or the envelope of size bytes */
	const char *rate_text;
	double rate;	/* datagrams per second; 0 = as fast as possible */
	int gso;	/* BENCH_OFF, BENCH_ON, BENCH_AUTO */
	bool json, has_count, has_duration, count_from_file, duration_from_file;
	struct loop loop;
	struct tx_transport tx;
	struct emit em;
	struct sched sched;
	int send_timer, progress_timer;
	uint64_t start, tick, tick_seq;
	uint64_t id, seq, bytes, calls, full;
	unsigned char *buf; /* MCAST_BATCH_MAX datagrams, back to back */
	struct seal_opts so;
	struct seal seal;   /* with --sign, env holds buf's envelopes */
	unsigned char *env;
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct bsend *b = ctx;
	bool from_file = a->file != NULL;
	int rc = outsock_option(&b->out, a);

	if (rc == 1)
		rc = seal_option(&b->so, OPT_SEAL, a);
	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_SIZE:
		return cli_size(a, MCAST_WIRE_HDR_LEN, mcast_max_payload(AF_INET), &b->size);
	case OPT_RATE: b->rate_text = a->value; return 0;
	case OPT_BURST: return cli_uint(a, 1, MCAST_BATCH_MAX, &b->burst);
	case OPT_DURATION:
		b->has_duration = true;
		b->duration_from_file = from_file;
		rc = cli_duration(a, &b->duration_ns);
		if (rc == 0 && b->duration_ns == 0)
			rc = cli_usage_at(a, "--duration: must be more than 0 (it would send "
					  "nothing)");
		return rc;
	case OPT_COUNT:
		b->has_count = true;
		b->count_from_file = from_file;
		return cli_uint(a, 1, UINT64_MAX, &b->count);
	case OPT_GSO: return bench_parse_mode(a, &b->gso);
	case OPT_JSON: b->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec bench_send_spec = {
	.name = "bench send", .opts = bench_send_options, .apply = apply,
	.ctx_size = sizeof(struct bsend), .usage = usage_text, .operands = CLI_GROUP,
	.sends = true,
};

/* Stamp n datagrams from the next sequence number with the time now, and
 * with --sign seal them: where they are, or NULL after an error was said. */
static unsigned char *stamp(struct bsend *b, size_t n)
{
	uint64_t t = cli_realtime_ns();

	for (size_t i = 0; i < n; i++)
		mcast_wire_stamp(b->buf + i * b->size, b->seq + 1 + i, t);
	if (!seal_signs(&b->seal))
		return b->buf;
	return seal_batch(&b->seal, b->buf, b->size, n, b->env, t) ? NULL : b->env;
}

/* One GSO train of the n datagrams at base: n, 0 when the queue is full,
 * -1 after an error was reported, or -2 when this path cannot segment
 * (then batches). */
static long send_train(struct bsend *b, const unsigned char *base, size_t n)
{
	struct outsock *o = udp_tx_outsock(&b->tx);
	mcast_error e;
	ssize_t r = mcast_sock_send_segments(o->sock, &b->group, base, n * b->wsize,
					     b->wsize, &e);

	if (r >= 0)
		return (long)n;
	if (r == -ENOBUFS || r == -EAGAIN)
		return 0;
	if (outsock_gone(o))
		return -1;
	if (b->gso == BENCH_ON || b->seq > 0) {
		cli_err("%s", e.msg);
		return -1;
	}
	/* The first train failed: this path cannot segment. */
	cli_info("UDP GSO is not available here (%s); sending in batches", e.msg);
	b->gso = BENCH_OFF;
	return -2;
}

/*
 * Send n datagrams, as one GSO train or one sendmmsg batch. Returns how
 * many went out (0 when the device queue is full), or -1 after an error
 * was reported.
 */
static long send_some(struct bsend *b, size_t n)
{
	struct outsock *o = udp_tx_outsock(&b->tx);
	struct iovec iov[MCAST_BATCH_MAX];
	unsigned char *base = stamp(b, n);
	mcast_error e;
	long sent;

	if (!base)
		return -1;
	b->calls++;
	if (b->gso != BENCH_OFF) {
		sent = send_train(b, base, n);
		if (sent != -2)
			return sent;
	}
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = base + i * b->wsize;
		iov[i].iov_len = b->wsize;
	}
	sent = mcast_sock_send_batch(o->sock, &b->group, iov, n, &e);
	if (sent == -ENOBUFS || sent == -EAGAIN)
		return 0;
	if (sent < 0) {
		outsock_failed(o, sent, b->wsize, e.msg);
		return -1;
	}
	return sent;
}

static void on_progress(struct loop *l, void *data)
{
	struct bsend *b = data;
	uint64_t now = cli_now_ns();
	double dt = (double)(now - b->tick) / 1e9, el = (double)(now - b->start) / 1e9;
	double pps = dt > 0 ? (double)(b->seq - b->tick_seq) / dt : 0;
	double mbit = pps * 8.0 * (double)b->size / 1e6;
	char eltext[32], mbtext[32];

	/* The text line rounds more than JSON does. */
	snprintf(eltext, sizeof(eltext), "%6.1f", el);
	snprintf(mbtext, sizeof(mbtext), "%.1f", mbit);
	emit_begin(&b->em, "progress");
	emit_dbl(&b->em, "elapsed_s", el, 3);
	emit_u64(&b->em, "sent", b->seq);
	emit_dbl(&b->em, "datagrams_per_s", pps, 0);
	emit_dbl(&b->em, "mbit_per_s", mbit, 3);
	emit_text(&b->em, "el", eltext);
	emit_text(&b->em, "mbit", mbtext);
	if (emit_end(&b->em, EMIT_INFO, "{el}s sent {sent}, {datagrams_per_s} datagrams/s, "
		     "{mbit} Mbit/s") < 0)
		loop_stop(l, emit_failed(&b->em));
	b->tick = now;
	b->tick_seq = b->seq;
	loop_timer_at(l, b->progress_timer, now + 1000000000ULL);
}

/* The device queue is full: wait for room (or a millisecond, whichever
 * comes first), as the kernel gives no wake-up for every driver. */
static void on_room(struct loop *l, int fd, unsigned events, void *data)
{
	struct bsend *b = data;

	(void)events;
	loop_fd_events(l, fd, 0);
	loop_timer_at(l, b->send_timer, cli_now_ns());
}

/* Send one batch of what the schedule says is due: 1 sent some, 0 none
 * due or the queue is full, -1 failed. */
static int send_due(struct bsend *b, uint64_t now)
{
	size_t n = (size_t)sched_due(&b->sched, now, b->burst);
	long sent;

	if (b->has_count && n > b->count - b->seq)
		n = (size_t)(b->count - b->seq);
	if (!n)
		return 0;
	sent = send_some(b, n);
	if (sent < 0)
		return -1;
	if (sent == 0) {
		b->full++;
		loop_fd_events(&b->loop, mcast_sock_fd(udp_tx_outsock(&b->tx)->sock),
			       LOOP_WRITE);
		loop_timer_at(&b->loop, b->send_timer, now + 1000000);
		return 0;
	}
	b->seq += (uint64_t)sent;
	b->bytes += (uint64_t)sent * b->size;
	sched_took(&b->sched, (uint64_t)sent, now);
	return 1;
}

/*
 * The send timer: the batches that are due, then sleep until the next.
 * Up to 64 batches go per call: one trip round the loop (a ppoll and a
 * read) per batch would cost a fifth of the rate on small datagrams. A
 * signal, the deadline or a due progress line still ends it after the
 * batch in hand: a sender slower than its rate (signing under valgrind)
 * would otherwise starve the progress timer for the whole run.
 */
static void on_send(struct loop *l, void *data)
{
	struct bsend *b = data;
	uint64_t progress_at = loop_timer_due(l, b->progress_timer);
	int rc = 1;

	for (int k = 0; k < 64 && rc == 1; k++) {
		uint64_t now = cli_now_ns();

		if (loop_signalled() || (l->deadline && now >= l->deadline) ||
		    (progress_at && now >= progress_at))
			break;
		rc = send_due(b, now);
		if (b->has_count && b->seq >= b->count) {
			loop_stop(l, EXIT_OK);
			return;
		}
	}
	if (rc < 0)
		loop_stop(l, EXIT_FAIL);
	else if (!loop_timer_due(l, b->send_timer))
		loop_timer_at(l, b->send_timer, sched_next(&b->sched));
}

/* Send until the count, the duration or a signal. Returns an exit code. */
static int run(struct bsend *b)
{
	struct loop *l = &b->loop;
	int rc;

	if (loop_init(l) < 0 || emit_init(&b->em, stdout, b->json) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	b->send_timer = loop_timer_new(l, on_send, b);
	b->progress_timer = loop_timer_new(l, on_progress, b);
	loop_fd_add(l, mcast_sock_fd(udp_tx_outsock(&b->tx)->sock), 0, on_room, b);
	b->start = b->tick = cli_now_ns();
	/* A token bucket that starts with one token: the rate holds from the
	 * first datagram, and never more than --burst leave back to back. */
	sched_init(&b->sched, b->start, b->rate > 0 ? 1e9 / b->rate : 0, b->burst);
	loop_timer_at(l, b->send_timer, b->start);
	loop_timer_at(l, b->progress_timer, b->start + 1000000000ULL);
	if (!b->has_count)
		loop_deadline(l, b->start + b->duration_ns);
	rc = loop_run(l) == LOOP_STOPPED ? l->rc : EXIT_OK;
	b->duration_ns = cli_now_ns() - b->start;
	return rc;
}

static int summary(struct bsend *b, const struct rusage *r0)
{
	double secs = (double)b->duration_ns / 1e9;
	double pps = secs > 0 ? (double)b->seq / secs : 0;
	double per = b->seq ? bench_cpu_ns(r0) / (double)b->seq : 0;
	char g[MCAST_ADDRSTRLEN], secs_t[32], size_t_[32], mbit_t[32], cpu_t[32], how[64];

	/* The text line has its own roundings, and the size. */
	mcast_addr_format(&b->group, g, sizeof(g), MCAST_FMT_PORT);
	snprintf(secs_t, sizeof(secs_t), "%.2f", secs);
	snprintf(size_t_, sizeof(size_t_), "%llu", (unsigned long long)b->size);
	snprintf(mbit_t, sizeof(mbit_t), "%.1f", pps * 8.0 * (double)b->size / 1e6);
	snprintf(cpu_t, sizeof(cpu_t), "%.0f", per);
	snprintf(how, sizeof(how), "%s%s", b->gso != BENCH_OFF ? "GSO trains" : "sendmmsg batches",
		 !b->so.sign ? "" : b->so.encrypt ? ", signed and encrypted" : ", signed");
	emit_begin(&b->em, "summary");
	emit_id(&b->em, "sender_id", b->id);
	emit_u64(&b->em, "sent", b->seq);
	emit_u64(&b->em, "bytes", b->bytes);
	emit_dbl(&b->em, "seconds", secs, 3);
	emit_dbl(&b->em, "datagrams_per_s", pps, 0);
	emit_dbl(&b->em, "mbit_per_s", pps * 8.0 * (double)b->size / 1e6, 3);
	emit_bool(&b->em, "gso", b->gso != BENCH_OFF);
	emit_bool(&b->em, "signed", b->so.sign != NULL);
	emit_bool(&b->em, "encrypted", b->so.encrypt != NULL);
	emit_u64(&b->em, "calls", b->calls);
	emit_u64(&b->em, "queue_full", b->full);
	emit_dbl(&b->em, "cpu_ns_per_datagram", per, 1);
	emit_text(&b->em, "size", size_t_);
	emit_text(&b->em, "group", g);
	emit_text(&b->em, "via", outsock_iface_name(&b->out));
	emit_text(&b->em, "secs", secs_t);
	emit_text(&b->em, "mbit_text", mbit_t);
	emit_text(&b->em, "cpu_text", cpu_t);
	emit_text(&b->em, "how", how);
	if (emit_end(&b->em, EMIT_INFO,
		     "sent {sent} datagram{sent?:s} of {size} bytes to {group} via {via} in "
		     "{secs}s: {datagrams_per_s} datagrams/s, {mbit_text} Mbit/s; {how}, "
		     "{calls} call{calls?:s}, queue full {queue_full} time{queue_full?:s}; "
		     "{cpu_text} ns CPU per datagram (sender id {sender_id})") < 0)
		return emit_failed(&b->em);
	return EXIT_OK;
}

/* Check the options together; the size against the path's MTU. */
static int check(struct bsend *b)
{
	int rc = 0;

	/* The command line replaces the file's other end; both on one side
	 * of it is a conflict. */
	if (b->has_count && b->has_duration && b->count_from_file != b->duration_from_file) {
		if (b->count_from_file)
			b->has_count = false;
	} else if (b->has_count && b->has_duration) {
		return cli_usage("give --duration or --count, not both");
	}
	b->wsize = b->size + (!b->so.sign ? 0 : b->so.encrypt ? MCAST_ENV_OVERHEAD_ENC
							      : MCAST_ENV_OVERHEAD);
	if (b->wsize > MCAST_ENV_MAX)
		return cli_usage("--size %llu: a signed datagram carries at most %llu bytes",
				 (unsigned long long)b->size,
				 (unsigned long long)(MCAST_ENV_MAX - (b->wsize - b->size)));
	rc = seal_check(&b->so, NULL, NULL);
	if (rc == 0 && b->rate_text)
		rc = bench_parse_rate(b->rate_text, b->size, &b->rate);
	/* A GSO train is at most 64 segments and 64 KiB. */
	if (rc == 0 && b->gso != BENCH_OFF && b->burst * b->wsize > mcast_max_payload(AF_INET)) {
		if (b->gso == BENCH_ON)
			return cli_usage("--gso on: --burst %llu of %llu bytes exceeds 64 KiB",
					 (unsigned long long)b->burst, (unsigned long long)b->size);
		b->burst = mcast_max_payload(AF_INET) / b->wsize;
		if (b->burst == 0)
			b->burst = 1;
	}
	return rc;
}

/* Buffers, the sender id, the transport; then the size against the MTU,
 * with the message a send gives, before GSO is tried. */
static int setup(struct bsend *b)
{
	mcast_wire w;
	int rc;

	rc = seal_init(&b->seal, &b->so);
	if (rc)
		return rc;
	b->buf = calloc(MCAST_BATCH_MAX, b->size);
	b->env = b->so.sign ? malloc(MCAST_BATCH_MAX * b->wsize) : NULL;
	if (!b->buf || (b->so.sign && !b->env)) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	b->id = cli_random_u64();
	memset(&w, 0, sizeof(w));
	w.type = MCAST_WIRE_T_DATA;
	w.sender_id = b->id;
	for (size_t i = 0; i < MCAST_BATCH_MAX; i++)
		mcast_wire_encode(&w, b->buf + i * b->size, b->size, b->size);
	rc = udp_tx_open(&b->tx, &b->out, &b->group);
	return rc ? rc : outsock_check_size(&b->out, b->wsize);
}

int cmd_bench_send(int argc, char **argv)
{
	struct rusage r0;
	struct bsend b;
	int rc, src;

	memset(&b, 0, sizeof(b));
	outsock_init(&b.out);
	b.size = 64;
	b.burst = 32;
	b.duration_ns = 10000000000ULL;
	b.gso = BENCH_AUTO;
	rc = cli_parse_args(argc, argv, &bench_send_spec, &b, &b.cfg, &b.group);
	if (rc == 0)
		rc = check(&b);
	if (rc == 0)
		rc = setup(&b);
	if (rc == 0) {
		getrusage(RUSAGE_SELF, &r0);
		rc = run(&b);
		/* What was sent is worth saying, after a failure too. */
		src = !b.em.closed && (rc == 0 || b.seq) ? summary(&b, &r0) : EXIT_OK;
		rc = rc ? rc : src;
	}
	if (b.tx.close)
		b.tx.close(&b.tx);
	loop_free(&b.loop);
	emit_free(&b.em);
	seal_free(&b.seal);
	free(b.buf);
	free(b.env);
	cli_config_free(&b.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
