/*
 * transport_norm_tx.c - the NORM sender of `mcast send --reliable`.
 *
 * Objects are handed to libnorm in the order given; when its queue is full
 * the caller waits in the loop for NORM_TX_QUEUE_VACANCY. The end is
 * NORM_TX_FLUSH_COMPLETED after the last object (every receiver had its
 * chance to ask for repairs), or with --expect a watermark on the last
 * object: libnorm asks each receiver it has heard from (its acking list is
 * populated automatically) and reports who acknowledged everything.
 */
#include "cli/cli.h"
#include "cli/filestore.h"
#include "cli/normapi.h"
#include "cli/normcount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TX_RECEIVERS 256
#define STREAM_BUFFER (1u << 20)
/* The longest one round of acknowledgement requests may take before it is
 * started again (libnorm's own rounds take robust-factor GRTTs). */
#define ACK_ROUND_NS 2000000000ULL

enum wait_for { W_NONE, W_VACANCY, W_STREAM, W_SENT, W_FLUSH, W_ACK };

struct norm_tx {
	struct norm_sess s;
	const struct norm_opts *o;
	struct loop *l;
	struct emit *e;
	enum wait_for waiting;
	bool vacancy, flushed, acked_round, final;
	NormObjectHandle last;
	char **copies; /* message bodies, alive until the session ends */
	size_t ncopies, capcopies;
	uint64_t objects, sent, files, messages, bytes, start_ns;
	/* NORM_DATA and NORM_INFO packets one pass over the objects takes
	 * (libnorm 1.5.9 does not set the REPAIR flag it defines, so repairs
	 * are what was sent beyond this). */
	uint64_t first_pass;
	/* The stream from a descriptor. */
	NormObjectHandle stream;
	int in_fd;
	bool raw, eof;
	char in[65536];
	size_t inlen, inoff;
	/* The receivers libnorm heard from. */
	struct {
		NormNodeId id;
		mcast_addr addr;
		bool complete;
	} rcv[TX_RECEIVERS];
	size_t nrcv;
	int progress_timer;
};

static void add_receiver(struct norm_tx *t, NormNodeHandle node)
{
	NormNodeId id = NormNodeGetId(node);
	char a[MCAST_ADDRSTRLEN] = "?";

	for (size_t i = 0; i < t->nrcv; i++)
		if (t->rcv[i].id == id)
			return;
	if (t->nrcv == TX_RECEIVERS)
		return;
	t->rcv[t->nrcv].id = id;
	if (mcast__norm_node_addr(node, &t->rcv[t->nrcv].addr))
		mcast_addr_format(&t->rcv[t->nrcv].addr, a, sizeof(a), 0);
	t->nrcv++;
	cli_debug("receiver %08x at %s joined", (unsigned)id, a);
}

/* After a watermark round: who acknowledged, and how many did. */
static size_t ack_round(struct norm_tx *t)
{
	NormNodeId id = NORM_NODE_NONE;
	NormAckingStatus st;
	size_t ok = 0;

	while (NormGetNextAckingNode(t->s.sess, &id, &st)) {
		if (id == NORM_NODE_NONE)
			continue;
		add_receiver(t, NormGetAckingNodeHandle(t->s.sess, id));
		for (size_t i = 0; i < t->nrcv; i++)
			if (t->rcv[i].id == id)
				t->rcv[i].complete = st == NORM_ACK_SUCCESS;
	}
	for (size_t i = 0; i < t->nrcv; i++)
		ok += t->rcv[i].complete;
	return ok;
}

static void handle(struct norm_tx *t, const NormEvent *ev)
{
	if (cli_verbosity >= LOG_VERBOSE && ev->type != NORM_TX_QUEUE_VACANCY)
		cli_debug("NORM event %d at %.3f s", (int)ev->type,
			  (double)(cli_now_ns() - t->start_ns) / 1e9);
	switch (ev->type) {
	case NORM_TX_QUEUE_VACANCY:
	case NORM_TX_QUEUE_EMPTY:
		t->vacancy = true;
		break;
	case NORM_TX_OBJECT_SENT:
		t->sent++;
		break;
	case NORM_TX_FLUSH_COMPLETED:
		/* libnorm posts no NORM_TX_OBJECT_SENT for a stream. */
		if (t->final && t->sent >= t->objects - (t->stream != NORM_OBJECT_INVALID))
			t->flushed = true;
		break;
	case NORM_TX_WATERMARK_COMPLETED:
		t->acked_round = true;
		break;
	case NORM_ACKING_NODE_NEW:
		add_receiver(t, ev->sender);
		/* A watermark set before libnorm knew this receiver does not
		 * ask it (and may never complete): ask again, including it. */
		if (t->waiting == W_ACK)
			NormResetWatermark(t->s.sess);
		break;
	default:
		break;
	}
}

static bool satisfied(const struct norm_tx *t)
{
	switch (t->waiting) {
	case W_VACANCY: return t->vacancy;
	case W_STREAM: return t->eof && t->inoff == t->inlen;
	case W_SENT: return t->sent >= t->objects - (t->stream != NORM_OBJECT_INVALID);
	case W_FLUSH: return t->flushed;
	case W_ACK: return t->acked_round;
	default: return false;
	}
}

static void stream_pump(struct norm_tx *t);

static void on_norm(struct loop *l, int fd, unsigned events, void *data)
{
	struct norm_tx *t = data;
	NormEvent ev;

	(void)fd, (void)events;
	while (NormGetNextEvent(t->s.inst, &ev, false))
		handle(t, &ev);
	if (t->stream != NORM_OBJECT_INVALID && t->vacancy)
		stream_pump(t);
	if (satisfied(t))
		loop_stop(l, 0);
}

/* Run the loop until what t->waiting names happened. Returns 0, or
 * EXIT_FAIL after a signal or when the deadline (if any) passed. */
static int wait_until(struct norm_tx *t, enum wait_for w, uint64_t deadline)
{
	enum loop_end end;

	t->waiting = w;
	if (satisfied(t))
		return 0;
	loop_deadline(t->l, deadline);
	end = loop_run(t->l);
	loop_deadline(t->l, 0);
	t->waiting = W_NONE;
	return end == LOOP_STOPPED ? 0 : EXIT_FAIL;
}

/*
 * Once a second: how far the first pass is (NORM_DATA sent that were not
 * repairs, times the segment size, against what was queued), the rate
 * and the time left at that rate, and the repairs sent.
 */
static void progress(struct loop *l, void *data)
{
	struct norm_tx *t = data;
	double secs = (double)(cli_now_ns() - t->start_ns) / 1e9, pct, rate, eta;
	struct normcount c;
	uint64_t done;

	mcast__normcount_get(&c);
	done = c.data * t->o->segment;
	if (done > t->bytes)
		done = t->bytes;
	pct = t->bytes ? 100.0 * (double)done / (double)t->bytes : 100.0;
	rate = secs > 0 ? (double)done * 8 / secs / 1e6 : 0;
	eta = rate > 0 ? (double)(t->bytes - done) * 8 / (rate * 1e6) : 0;
	emit_begin(t->e, "progress");
	emit_dbl(t->e, "percent", pct, 1);
	emit_u64(t->e, "bytes_sent", done);
	emit_u64(t->e, "bytes", t->bytes);
	emit_dbl(t->e, "rate_mbps", rate, 1);
	emit_dbl(t->e, "eta_s", eta, 1);
	emit_u64(t->e, "repairs_sent", c.data > t->first_pass ? c.data - t->first_pass : 0);
	emit_u64(t->e, "objects_sent", t->sent);
	emit_u64(t->e, "objects", t->objects);
	emit_end(t->e, EMIT_INFO, "{percent}% of {bytes} bytes, {rate_mbps} Mbit/s, "
				  "ETA {eta_s} s, {repairs_sent} repairs sent");
	loop_timer_at(l, t->progress_timer, cli_now_ns() + 1000000000ULL);
}

int norm_tx_open(struct norm_tx **out, const struct norm_opts *o,
		 struct loop *l, struct emit *e)
{
	struct norm_tx *t = calloc(1, sizeof(*t));
	NormSessionHandle s;
	int rc;

	*out = t;
	if (!t) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	t->o = o, t->l = l, t->e = e;
	t->last = t->stream = NORM_OBJECT_INVALID;
	t->in_fd = -1;
	t->vacancy = true;
	t->progress_timer = -1;
	rc = mcast__norm_sess_open(&t->s, o);
	if (rc)
		return rc;
	s = t->s.sess;
	NormSetGrttEstimate(s, o->grtt);
	NormSetGrttMax(s, o->grtt_max);
	NormSetBackoffFactor(s, o->backoff);
	if (o->rate) {
		NormSetCongestionControl(s, o->expect != 0, false); /* feedback only */
		NormSetTxRate(s, (double)o->rate);
	} else {
		NormSetCongestionControl(s, true, true);
		if (o->rate_min || o->rate_max)
			NormSetTxRateBounds(s, o->rate_min ? (double)o->rate_min : -1.0,
					    o->rate_max ? (double)o->rate_max : -1.0);
	}
	if (o->expect) {
		/*
		 * libnorm learns a receiver only from what that receiver sends,
		 * and asks for acknowledgements only of receivers it knows: one
		 * that lost nothing sends no NACK, and was never listed (2 of 3
		 * in a run without loss). So: CC feedback is collected even at a
		 * fixed --rate (every receiver answers the sender's CC probes,
		 * the rate is not adjusted), and NORM_NODE_NONE, which never
		 * answers, keeps the acknowledgement rounds going until the
		 * others are known, as NRL's normCast does it.
		 */
		NormSetAutoAckingNodes(s, NORM_TRACK_RECEIVERS);
		NormAddAckingNode(s, NORM_NODE_NONE);
	}
	if (!NormStartSender(s, NormGetRandomSessionId(), (UINT32)o->buffer,
			     (UINT16)o->segment, (UINT16)o->block, (UINT16)o->parity, 0)) {
		cli_err("cannot start the NORM sender on %s:%u", t->s.group,
			mcast_addr_port(&o->group));
		return EXIT_FAIL;
	}
	if (o->auto_parity)
		NormSetAutoParity(s, (unsigned char)o->auto_parity);
	mcast__norm_sockbufs(&t->s, o->sockbuf, false);
	if (loop_fd_add(l, t->s.fd, LOOP_READ, on_norm, t) < 0) {
		cli_err("too many descriptors for the event loop");
		return EXIT_FAIL;
	}
	if (o->progress && (t->progress_timer = loop_timer_new(l, progress, t)) >= 0)
		loop_timer_at(l, t->progress_timer, cli_now_ns() + 1000000000ULL);
	t->start_ns = cli_now_ns();
	return 0;
}

/* Hand an object to libnorm, waiting for room while its queue is full. */
static int enqueue(struct norm_tx *t, NormObjectHandle (*fn)(struct norm_tx *, const void *),
		   const void *arg, const char *what)
{
	for (;;) {
		NormObjectHandle h = fn(t, arg);

		if (h != NORM_OBJECT_INVALID) {
			t->last = h;
			t->objects++;
			return 0;
		}
		t->vacancy = false;
		if (wait_until(t, W_VACANCY, 0)) {
			cli_err("interrupted before %s was queued", what);
			return EXIT_FAIL;
		}
	}
}

struct msg_arg {
	const char *p;
	size_t len;
};

static NormObjectHandle enqueue_data(struct norm_tx *t, const void *arg)
{
	const struct msg_arg *m = arg;

	return NormDataEnqueue(t->s.sess, m->p, (UINT32)m->len, NULL, 0);
}

int norm_tx_message(struct norm_tx *t, const void *buf, size_t len)
{
	struct msg_arg m;
	char *copy;

	if (len > UINT32_MAX) {
		cli_err("a message of %zu bytes is too large for NORM", len);
		return EXIT_FAIL;
	}
	if (t->ncopies == t->capcopies) {
		size_t cap = t->capcopies ? 2 * t->capcopies : 16;
		char **n = realloc(t->copies, cap * sizeof(*n));

		if (!n) {
			cli_err("out of memory");
			return EXIT_FAIL;
		}
		t->copies = n, t->capcopies = cap;
	}
	/* libnorm keeps a pointer to the data until the object is purged. */
	copy = malloc(len ? len : 1);
	if (!copy) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	memcpy(copy, buf, len);
	t->copies[t->ncopies++] = copy;
	m.p = copy, m.len = len;
	t->first_pass += len ? (len + t->o->segment - 1) / t->o->segment : 1;
	t->messages++;
	t->bytes += len;
	return enqueue(t, enqueue_data, &m, "a message");
}

struct file_arg {
	const char *path, *info;
	size_t infolen;
};

static NormObjectHandle enqueue_file(struct norm_tx *t, const void *arg)
{
	const struct file_arg *f = arg;

	return NormFileEnqueue(t->s.sess, f->path, f->info, (unsigned)f->infolen);
}

int norm_tx_file(struct norm_tx *t, const char *path)
{
	const char *base = strrchr(path, '/');
	char info[NORMINFO_MAX];
	struct file_arg f;
	uint8_t sum[32];
	uint64_t size;
	struct stat st;
	int fd, rc;

	base = base ? base + 1 : path;
	if (norminfo_check_name(base, strlen(base)) != NI_OK) {
		cli_err("--file %s: receivers would refuse the name '%s' (%s)", path, base,
			norminfo_reason(norminfo_check_name(base, strlen(base))));
		return EXIT_FAIL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cli_err("--file %s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return EXIT_FAIL;
	}
	rc = filestore_sha256_fd(fd, sum, &size);
	close(fd);
	if (rc < 0) {
		cli_err("--file %s: %s", path, strerror(-rc));
		return EXIT_FAIL;
	}
	f.path = path, f.info = info;
	f.infolen = norminfo_format(info, sizeof(info), base, size, sum);
	if (f.infolen == 0 || f.infolen > t->o->segment) {
		cli_err("--file %s: the name is too long for a NORM segment of %u bytes",
			path, t->o->segment);
		return EXIT_FAIL;
	}
	t->files++;
	t->bytes += size;
	t->first_pass += 1 + (size ? (size + t->o->segment - 1) / t->o->segment : 1);
	cli_debug("queued %s (%llu bytes)", base, (unsigned long long)size);
	return enqueue(t, enqueue_file, &f, path);
}

/*
 * Move what was read from the descriptor into the stream while it has
 * room; read more when all of it went. In lines mode each line is written
 * on its own and marked as a NORM message, so that a receiver that lost
 * part of the stream resyncs at the next line.
 */
static void stream_pump(struct norm_tx *t)
{
	while (t->inoff < t->inlen) {
		const char *p = t->in + t->inoff;
		size_t want = t->inlen - t->inoff;
		const char *nl = t->raw ? NULL : memchr(p, '\n', want);
		unsigned n;

		if (nl)
			want = (size_t)(nl - p) + 1;
		n = NormStreamWrite(t->stream, p, (unsigned)want);
		t->inoff += n;
		if (n == want && nl)
			NormStreamMarkEom(t->stream);
		if (n < want) {
			t->vacancy = false;
			loop_fd_events(t->l, t->in_fd, 0);
			return;
		}
	}
	/*
	 * An active flush: NORM_CMD(FLUSH) follows each batch, so that a
	 * receiver missing part of it (or, joining late, the stream's start)
	 * asks for a repair at once. After a passive one a late receiver's
	 * single NACK went unanswered and it never read a byte.
	 */
	NormStreamFlush(t->stream, false, NORM_FLUSH_ACTIVE);
	if (!t->eof)
		loop_fd_events(t->l, t->in_fd, LOOP_READ);
	else if (t->waiting == W_STREAM)
		loop_stop(t->l, 0);
}

static void on_input(struct loop *l, int fd, unsigned events, void *data)
{
	struct norm_tx *t = data;
	ssize_t n;

	(void)events;
	n = read(fd, t->in, sizeof(t->in));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		t->eof = true;
		loop_fd_del(l, fd);
		if (n < 0)
			cli_err("reading standard input: %s", strerror(errno));
	} else {
		t->inlen = (size_t)n, t->inoff = 0;
		t->bytes += (uint64_t)n;
	}
	stream_pump(t);
}

int norm_tx_stream(struct norm_tx *t, int fd, bool raw)
{
	const char *info = raw ? "mcast1 stream=raw" : "mcast1 stream=lines";

	t->stream = NormStreamOpen(t->s.sess, STREAM_BUFFER, info, (unsigned)strlen(info));
	if (t->stream == NORM_OBJECT_INVALID) {
		cli_err("cannot open a NORM stream");
		return EXIT_FAIL;
	}
	t->objects++;
	t->last = t->stream;
	t->in_fd = fd, t->raw = raw;
	if (loop_fd_add(t->l, fd, LOOP_READ, on_input, t) < 0) {
		cli_err("too many descriptors for the event loop");
		return EXIT_FAIL;
	}
	if (wait_until(t, W_STREAM, 0)) {
		cli_err("interrupted while sending standard input");
		return EXIT_FAIL;
	}
	NormStreamFlush(t->stream, true, NORM_FLUSH_ACTIVE);
	NormStreamClose(t->stream, true);
	return 0;
}

static void report(struct norm_tx *t, size_t complete)
{
	double secs = (double)(cli_now_ns() - t->start_ns) / 1e9;
	struct normcount c;
	char id[16];

	mcast__normcount_get(&c);
	for (size_t i = 0; t->o->expect && i < t->nrcv; i++) {
		snprintf(id, sizeof(id), "%08x", (unsigned)t->rcv[i].id);
		emit_begin(t->e, "receiver");
		emit_str(t->e, "node_id", id);
		emit_addr(t->e, "address", &t->rcv[i].addr, false);
		emit_bool(t->e, "complete", t->rcv[i].complete);
		emit_text(t->e, "state", t->rcv[i].complete ? "has everything"
							     : "incomplete");
		emit_end(t->e, EMIT_INFO, "receiver {node_id} at {address}: {state}");
	}
	emit_begin(t->e, "summary");
	emit_u64(t->e, "objects", t->objects);
	emit_u64(t->e, "files", t->files);
	emit_u64(t->e, "messages", t->messages);
	emit_u64(t->e, "bytes", t->bytes);
	emit_dbl(t->e, "duration_s", secs, 3);
	emit_dbl(t->e, "goodput_mbps", secs > 0 ? (double)t->bytes * 8 / secs / 1e6 : 0, 1);
	emit_u64(t->e, "packets", c.data);
	emit_u64(t->e, "repairs_sent", c.data > t->first_pass ? c.data - t->first_pass : 0);
	if (t->o->expect) {
		emit_u64(t->e, "receivers", t->nrcv);
		emit_u64(t->e, "complete", complete);
		emit_u64(t->e, "expected", t->o->expect);
	}
	emit_end(t->e, EMIT_INFO,
		 t->o->expect
			 ? "sent {objects} object{objects?:s} ({bytes} bytes) in {duration_s} s, "
			   "{goodput_mbps} Mbit/s, {repairs_sent} repair{repairs_sent?:s} sent; "
			   "{complete} of {receivers} receiver{receivers?:s} acknowledged "
			   "everything ({expected} expected)"
			 : "sent {objects} object{objects?:s} ({bytes} bytes) in {duration_s} s, "
			   "{goodput_mbps} Mbit/s, {repairs_sent} repair{repairs_sent?:s} sent");
}

int norm_tx_finish(struct norm_tx *t)
{
	uint64_t deadline;
	size_t complete = 0;
	int rc = EXIT_OK;

	t->final = true;
	if (!t->o->expect) {
		/* The flush ends when no receiver asked for more in time. */
		if (t->objects && wait_until(t, W_FLUSH, 0))
			rc = EXIT_FAIL;
		report(t, 0);
		return rc;
	}
	/* --wait counts from the end of the first pass over everything. */
	if (wait_until(t, W_SENT, 0)) {
		report(t, 0);
		return EXIT_FAIL;
	}
	deadline = cli_now_ns() + t->o->wait_ns;
	if (t->last != NORM_OBJECT_INVALID)
		NormSetWatermark(t->s.sess, t->last, true);
	for (;;) {
		uint64_t round = cli_now_ns() + ACK_ROUND_NS;

		t->acked_round = false;
		wait_until(t, W_ACK, round < deadline ? round : deadline);
		complete = ack_round(t);
		if (complete >= t->o->expect || cli_now_ns() >= deadline || loop_signalled())
			break;
		/* Not everyone yet: ask again until --wait runs out. */
		NormResetWatermark(t->s.sess);
	}
	report(t, complete);
	if (complete < t->o->expect) {
		cli_err("%zu of %u expected receivers acknowledged everything within --wait",
			complete, t->o->expect);
		return EXIT_EXPECT;
	}
	return rc;
}

void norm_tx_free(struct norm_tx *t)
{
	if (!t)
		return;
	if (t->s.fd >= 0)
		loop_fd_del(t->l, t->s.fd);
	mcast__norm_sess_close(&t->s);
	for (size_t i = 0; i < t->ncopies; i++)
		free(t->copies[i]);
	free(t->copies);
	free(t);
}

static int tt_send(struct tx_transport *tt, const void *buf, size_t len)
{
	return norm_tx_message(tt->impl, buf, len);
}

static size_t tt_max(const struct tx_transport *tt)
{
	(void)tt;
	return UINT32_MAX;
}

static void tt_close(struct tx_transport *tt)
{
	(void)tt;
}

void norm_tx_transport(struct norm_tx *t, struct tx_transport *tt)
{
	tt->send = tt_send;
	tt->max_payload = tt_max;
	tt->close = tt_close;
	tt->impl = t;
}
