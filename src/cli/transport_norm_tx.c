/*
 * transport_norm_tx.c - the NORM sender of `mcast send --reliable`.
 *
 * Objects are handed to libnorm in the order given; when its queue is full
 * the caller waits in the loop for NORM_TX_QUEUE_VACANCY. The end is
 * NORM_TX_FLUSH_COMPLETED after the last object (every receiver had its
 * chance to ask for repairs), or with --expect a watermark on the last
 * object: libnorm asks each receiver it has heard from (its acking list is
 * populated automatically) and reports who acknowledged everything.
 * Standard input as a stream is transport_norm_txstream.c's, progress and
 * the report transport_norm_txreport.c's.
 */
#include "cli/cli.h"
#include "cli/filestore.h"
#include "cli/normcount.h"
#include "cli/normtx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
			/* Once a receiver had everything, it keeps it: a round
			 * asked anew does not undo that (the receiver may have
			 * gone since). */
			if (t->rcv[i].id == id && st == NORM_ACK_SUCCESS)
				t->rcv[i].complete = true;
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
		if (t->sent >= t->objects - t->has_stream)
			t->flushed = true, t->flushed_objects = t->objects;
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
	case W_SENT: return t->sent >= t->objects - t->has_stream;
	case W_FLUSH: return t->flushed && t->flushed_objects == t->objects;
	case W_ACK: return t->acked_round;
	default: return false;
	}
}

static void on_norm(struct loop *l, int fd, unsigned events, void *data)
{
	struct norm_tx *t = data;
	NormEvent ev;

	(void)fd, (void)events;
	while (mcast__norm_next_event(&t->s, &ev))
		handle(t, &ev);
	if (t->stream != NORM_OBJECT_INVALID && t->vacancy && !(t->eof && t->inoff == t->inlen))
		mcast__norm_tx_stream_pump(t);
	if (satisfied(t))
		loop_stop(l, 0);
}

/* Run the loop until what t->waiting names happened. Returns 0, or
 * EXIT_FAIL after a signal or when the deadline (if any) passed. */
int mcast__norm_tx_wait(struct norm_tx *t, enum wait_for w, uint64_t deadline)
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
	rc = mcast__norm_sess_open(&t->s, o, NULL, NULL);
	if (rc)
		return rc;
	s = t->s.sess;
	NormSetGrttEstimate(s, o->grtt);
	NormSetGrttMax(s, o->grtt_max);
	NormSetBackoffFactor(s, o->backoff);
	if (o->rate) {
		/* With --expect: CC feedback is collected (every receiver answers
		 * the probes), the rate is not adjusted. */
		NormSetCongestionControl(s, o->expect != 0, o->expect == 0);
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
	if (o->progress && (t->progress_timer = loop_timer_new(l, mcast__norm_tx_progress, t)) >= 0)
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
		if (mcast__norm_tx_wait(t, W_VACANCY, 0)) {
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

/*
 * With --sign, append to the info (n bytes in buf, cap bytes) a NUL and an
 * envelope that carries those n bytes (docs/PROTOCOL.md). Returns the new
 * length, n without --sign, or 0 when it does not fit (or n was 0).
 */
static size_t sign_info(struct norm_tx *t, char *buf, size_t cap, size_t n)
{
	ssize_t m;

	if (!t->o->sealer || n == 0)
		return n;
	if (n + 1 >= cap)
		return 0;
	buf[n] = '\0';
	m = mcast_env_seal(t->o->sealer, buf, n, buf + n + 1, cap - n - 1, 0, NULL);
	return m < 0 ? 0 : n + 1 + (size_t)m;
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
	f.infolen = sign_info(t, info, sizeof(info),
			      norminfo_format(info, sizeof(info), base, size, sum));
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
 * After the flush, the session stays up a while (LINGER_NS, again after
 * each flush that repairs brought about, never past --wait): the flush
 * ends a few round trips after the last packet, and a receiver slower than
 * that (a loaded machine, a sanitizer) asks for its repairs later. libnorm
 * answers them from its own thread as long as the session exists.
 */
static void linger(struct norm_tx *t)
{
	uint64_t end = cli_now_ns() + t->o->wait_ns;

	for (;;) {
		uint64_t now = cli_now_ns(), until = now + LINGER_NS;

		if (now >= end || loop_signalled())
			return;
		t->flushed = false;
		if (mcast__norm_tx_wait(t, W_FLUSH, until < end ? until : end))
			return; /* quiet for LINGER_NS: nobody asked for more */
	}
}

/*
 * The stream ends last, after its data was flushed (and acknowledged):
 * libnorm frees a closed stream (its handle must not be used again) and
 * repairs nothing of it, so closing first left a receiver that lost the
 * tail without it. The graceful close sends the end mark, for a LINGER_NS
 * at most.
 */
static void close_stream(struct norm_tx *t)
{
	if (t->stream == NORM_OBJECT_INVALID)
		return;
	NormStreamClose(t->stream, true);
	if (t->last == t->stream)
		t->last = NORM_OBJECT_INVALID;
	t->stream = NORM_OBJECT_INVALID;
	t->flushed = false;
	mcast__norm_tx_wait(t, W_FLUSH, cli_now_ns() + LINGER_NS);
}

static int finish(struct norm_tx *t)
{
	uint64_t deadline;
	size_t complete = 0;
	int rc = EXIT_OK;

	t->final = true;
	/* A flush of everything written, whatever flushes came before. */
	if (t->stream != NORM_OBJECT_INVALID) {
		t->flushed = false;
		NormStreamFlush(t->stream, true, NORM_FLUSH_ACTIVE);
	}
	if (!t->o->expect) {
		/*
		 * The flush ends when no receiver asked for more in time.
		 * libnorm posts that once for a stream still open (the close,
		 * later, ends it), so there the wait is a LINGER_NS at most.
		 */
		if (t->stream != NORM_OBJECT_INVALID)
			mcast__norm_tx_wait(t, W_FLUSH, cli_now_ns() + LINGER_NS);
		else if (t->objects && mcast__norm_tx_wait(t, W_FLUSH, 0))
			rc = EXIT_FAIL;
		if (rc == 0 && t->objects)
			linger(t);
		mcast__norm_tx_report(t, 0);
		return rc;
	}
	/* --wait counts from the end of the first pass over everything. */
	if (mcast__norm_tx_wait(t, W_SENT, 0)) {
		mcast__norm_tx_report(t, 0);
		return EXIT_FAIL;
	}
	deadline = cli_now_ns() + t->o->wait_ns;
	if (t->last != NORM_OBJECT_INVALID)
		NormSetWatermark(t->s.sess, t->last, true);
	for (;;) {
		uint64_t round = cli_now_ns() + ACK_ROUND_NS;

		t->acked_round = false;
		mcast__norm_tx_wait(t, W_ACK, round < deadline ? round : deadline);
		complete = ack_round(t);
		if (complete >= t->o->expect || cli_now_ns() >= deadline || loop_signalled())
			break;
		/*
		 * Not everyone yet: ask again until --wait runs out. A round
		 * that completed is over for libnorm (NormResetWatermark then
		 * does nothing, and a receiver still repairing was never asked
		 * again): set the watermark anew; a round still going is reset.
		 */
		if (t->acked_round && t->last != NORM_OBJECT_INVALID)
			NormSetWatermark(t->s.sess, t->last, true);
		else
			NormResetWatermark(t->s.sess);
	}
	mcast__norm_tx_report(t, complete);
	if (complete < t->o->expect) {
		cli_err("%zu of %u expected receivers acknowledged everything within --wait",
			complete, t->o->expect);
		return EXIT_EXPECT;
	}
	return rc;
}

int norm_tx_finish(struct norm_tx *t)
{
	int rc = finish(t);

	close_stream(t);
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
