/*
 * transport_norm_rx.c - the NORM receiver of `mcast recv --reliable`.
 *
 * Data objects and stream lines go to the owner as struct rx_msg, as a
 * datagram would. File objects land in filestore's temporary directory
 * (libnorm's cache directory); their info is parsed and checked as soon as
 * it arrives (a refused name, or an existing file without --overwrite,
 * cancels the object at once), and a completed file is verified and
 * renamed into place. Whatever is still pending when the receiver ends is
 * reported as lost and deleted with the temporary directory. The file and
 * stream objects themselves are transport_norm_rxobj.c's.
 */
#include "cli/cli.h"
#include "cli/normcount.h"
#include "cli/normrx.h"
#include "cli/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mcast__norm_rx_source(NormNodeHandle node, mcast_addr *a)
{
	if (!mcast__norm_node_addr(node, a))
		memset(a, 0, sizeof(*a));
}

void mcast__norm_rx_deliver(struct norm_rx *r, NormNodeHandle sender, const void *p, size_t n)
{
	struct rx_msg m;

	if (r->o->trust) {
		/* Only files carry a signature (their info): with --trust a
		 * message or stream line is not taken. */
		r->rejected[MCAST_ENV_UNSIGNED]++;
		r->rejected_total++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.data = p, m.len = n;
	mcast__norm_rx_source(sender, &m.source);
	m.group = r->o->group;
	m.ifname = r->o->ifname ? r->o->ifname : "?";
	m.ifindex = r->o->ifindex;
	clock_gettime(CLOCK_REALTIME, &m.time);
	m.ttl = -1;
	r->messages++;
	r->bytes += n;
	if (r->fn)
		r->fn(r->owner, &m);
	mcast__norm_rx_counted(r);
}

/*
 * One more object done. After the last one -n asked for, the receiver
 * stays a moment (LINGER_NS) without taking anything more, so that it can
 * answer the sender's acknowledgement request for what it has.
 */
void mcast__norm_rx_counted(struct norm_rx *r)
{
	r->objects++;
	if (r->o->count && r->objects >= r->o->count && !r->done) {
		r->done = true;
		r->last_ns = cli_now_ns();
		loop_timer_at(r->l, r->idle_timer, 0);
		loop_timer_at(r->l, r->linger_timer, r->last_ns + LINGER_NS);
	}
}

/* ---- events ----------------------------------------------------------- */

#define EVENTS_PER_TURN 256

static void handle(struct norm_rx *r, const NormEvent *ev)
{
	NormObjectType type = ev->object != NORM_OBJECT_INVALID
		? NormObjectGetType(ev->object) : NORM_OBJECT_NONE;

	if (cli_verbosity >= LOG_VERBOSE)
		cli_debug("NORM event %d, object type %d%s", (int)ev->type, (int)type,
			  r->done ? " (after -n)" : "");
	if (r->done)
		return; /* -n is reached: only libnorm's own work goes on */
	switch (ev->type) {
	case NORM_RX_OBJECT_NEW:
		if (type == NORM_OBJECT_FILE)
			mcast__norm_rx_file_new(r, ev);
		break;
	case NORM_RX_OBJECT_INFO:
		if (type == NORM_OBJECT_FILE)
			mcast__norm_rx_file_info(r, ev);
		else if (type == NORM_OBJECT_STREAM)
			mcast__norm_rx_stream_info(r, ev);
		break;
	case NORM_RX_OBJECT_UPDATED:
		if (type == NORM_OBJECT_STREAM)
			mcast__norm_rx_stream_read(r, ev);
		break;
	case NORM_RX_OBJECT_COMPLETED:
		if (type == NORM_OBJECT_DATA) {
			mcast__norm_rx_deliver(r, ev->sender, NormDataAccessData(ev->object),
				(size_t)NormObjectGetSize(ev->object));
		} else if (type == NORM_OBJECT_FILE) {
			mcast__norm_rx_file_done(r, ev);
		} else if (type == NORM_OBJECT_STREAM) {
			mcast__norm_rx_stream_read(r, ev);
			mcast__norm_rx_stream_end(r, ev);
		}
		break;
	case NORM_RX_OBJECT_ABORTED:
		if (type == NORM_OBJECT_FILE)
			mcast__norm_rx_file_aborted(r, ev);
		else if (type == NORM_OBJECT_STREAM)
			mcast__norm_rx_stream_end(r, ev), r->streams_lost++;
		else
			r->lost++;
		break;
	default:
		return;
	}
	if (r->done)
		return;
	/*
	 * Only what concerns an object worth having restarts -w: one that
	 * completed or ended, a named file making progress, a stream. Objects
	 * of senders that never send a usable one (garbage shaped like NORM
	 * makes libnorm invent senders and objects) do not keep the receiver
	 * waiting forever.
	 */
	if (ev->type == NORM_RX_OBJECT_NEW || ev->type == NORM_RX_OBJECT_INFO ||
	    (ev->type == NORM_RX_OBJECT_UPDATED && type == NORM_OBJECT_FILE &&
	     !(mcast__norm_rx_file_of(ev->object) && mcast__norm_rx_file_of(ev->object)->named)) ||
	    (ev->type == NORM_RX_OBJECT_UPDATED && type == NORM_OBJECT_DATA))
		return;
	r->last_ns = cli_now_ns();
	if (r->o->timeout_ns)
		loop_timer_at(r->l, r->idle_timer, r->last_ns + r->o->timeout_ns);
}

static void on_norm(struct loop *l, int fd, unsigned events, void *data)
{
	struct norm_rx *r = data;
	NormEvent ev;

	(void)l, (void)fd, (void)events;
	/* At most EVENTS_PER_TURN, so that timers and signals are served
	 * between them: the descriptor stays readable while events wait. */
	for (int i = 0; i < EVENTS_PER_TURN && !loop_signalled(); i++) {
		if (!mcast__norm_next_event(&r->s, &ev))
			break;
		if (ev.type == NORM_USER_TIMEOUT)
			r->resetting = false; /* the aborts of a FreeBuffers are over */
		else
			handle(r, &ev);
	}
}

/*
 * libnorm will not let go of its lock (normwatch.c, from the watch's
 * thread, while the main thread waits for that lock and touches nothing):
 * the temporary files go, and what was in progress is said lost.
 */
static void give_up(void *arg)
{
	struct norm_rx *r = arg;
	size_t n = 0;

	for (size_t i = 0; i < RX_PENDING; i++)
		if (r->pending[i] && r->pending[i]->named)
			n++;
	if (n)
		cli_err("%zu file%s in progress lost; nothing stored under %s name%s", n,
			n == 1 ? "" : "s", n == 1 ? "its" : "their", n == 1 ? "" : "s");
	if (r->fs_open)
		filestore_close(&r->fs);
}

static void on_idle(struct loop *l, void *data)
{
	struct norm_rx *r = data;

	r->stop_failed = true;
	loop_stop(l, 0);
}

static void on_linger(struct loop *l, void *data)
{
	(void)data;
	loop_stop(l, 0);
}

/* The bytes of file f that have arrived so far; its size in *size. */
static uint64_t rxfile_got(const struct rxfile *f, uint64_t *size)
{
	uint64_t left = (uint64_t)NormObjectGetBytesPending(f->h);

	*size = (uint64_t)NormObjectGetSize(f->h);
	return *size > left ? *size - left : 0;
}

/* Once a second: the files in progress, how much of them arrived, the
 * rate since the start, the time left at that rate, repairs requested. */
static void progress(struct loop *l, void *data)
{
	struct norm_rx *r = data;
	double secs = (double)(cli_now_ns() - r->start_ns) / 1e9, rate, eta;
	uint64_t got = 0, total = 0;
	struct normcount c;
	size_t n = 0;

	for (size_t i = 0; i < RX_PENDING; i++) {
		struct rxfile *f = r->pending[i];
		uint64_t size;

		if (!f)
			continue;
		got += rxfile_got(f, &size);
		total += size;
		n++;
	}
	mcast__normcount_get(&c);
	rate = secs > 0 ? (double)(got + r->file_bytes + r->bytes) * 8 / secs / 1e6 : 0;
	eta = rate > 0 ? (double)(total - got) * 8 / (rate * 1e6) : 0;
	emit_begin(r->e, "progress");
	emit_u64(r->e, "objects", r->objects);
	emit_u64(r->e, "files_pending", n);
	emit_dbl(r->e, "percent", total ? 100.0 * (double)got / (double)total : 100.0, 1);
	emit_u64(r->e, "pending_bytes", got);
	emit_u64(r->e, "pending_size", total);
	emit_dbl(r->e, "mbit_per_s", rate, 1);
	emit_dbl(r->e, "eta_s", eta, 1);
	emit_u64(r->e, "repairs_requested", c.nacks);
	emit_end(r->e, EMIT_INFO, "{objects} object{objects?:s} done, {files_pending} file"
				  "{files_pending?:s} at {percent}%, {mbit_per_s} Mbit/s, ETA "
				  "{eta_s} s, {repairs_requested} repair requests");
	loop_timer_at(l, r->progress_timer, cli_now_ns() + 1000000000ULL);
}

/* ---- the receiver ------------------------------------------------------ */

int norm_rx_open(struct norm_rx **out, const struct norm_opts *o,
		 struct loop *l, struct emit *e, rx_fn fn, void *owner)
{
	struct norm_rx *r = calloc(1, sizeof(*r));
	char msg[PATH_MAX + 128];
	int rc;

	*out = r;
	if (!r) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	r->o = o, r->l = l, r->e = e, r->fn = fn, r->owner = owner;
	r->idle_timer = r->progress_timer = r->linger_timer = -1;
	r->fs.dirfd = r->fs.tmpfd = -1;
	if (filestore_open(&r->fs, o->outdir, o->overwrite, msg, sizeof(msg)) < 0) {
		cli_err("%s", msg);
		return EXIT_FAIL;
	}
	r->fs_open = true;
	rc = mcast__norm_sess_open(&r->s, o, give_up, r);
	if (rc)
		return rc;
	/* This must be set for libnorm to accept file objects at all. */
	NormSetCacheDirectory(r->s.inst, r->fs.cache);
	if (!NormStartReceiver(r->s.sess, (UINT32)o->buffer)) {
		cli_err("cannot start the NORM receiver on %s:%u", r->s.group,
			mcast_addr_port(&o->group));
		return EXIT_FAIL;
	}
	mcast__norm_sockbufs(&r->s, o->sockbuf, true);
	if (loop_fd_add(l, r->s.fd, LOOP_READ, on_norm, r) < 0 ||
	    (r->idle_timer = loop_timer_new(l, on_idle, r)) < 0 ||
	    (r->linger_timer = loop_timer_new(l, on_linger, r)) < 0) {
		cli_err("too many descriptors or timers for the event loop");
		return EXIT_FAIL;
	}
	if (o->progress && (r->progress_timer = loop_timer_new(l, progress, r)) >= 0)
		loop_timer_at(l, r->progress_timer, cli_now_ns() + 1000000000ULL);
	return 0;
}

/* What never completed is lost: say so, name by name. */
/*
 * The name of a file whose info libnorm holds but whose event the receiver
 * had not read when it ended (a signal mid-file, on a slow machine): false
 * unless it is a name the receiver would have taken. Never with --trust,
 * where only a verified signature makes a name.
 */
static bool late_name(struct norm_rx *r, struct rxfile *f)
{
	char info[NORMINFO_MAX + 64];
	unsigned n;

	if (r->o->trust || !NormObjectHasInfo(f->h) ||
	    NormObjectGetInfoLength(f->h) > sizeof(info))
		return false;
	n = NormObjectGetInfo(f->h, info, (UINT16)sizeof(info));
	return norminfo_parse(info, n, &f->ni) == NI_OK;
}

static void report_pending(struct norm_rx *r)
{
	for (size_t i = 0; i < RX_PENDING; i++) {
		struct rxfile *f = r->pending[i];
		uint64_t size, got;

		if (!f)
			continue;
		got = rxfile_got(f, &size);
		if (f->named || late_name(r, f))
			mcast__norm_rx_lost(r, f->ni.name, got, size,
			     loop_signalled() ? "interrupted" : "incomplete when the receiver ended");
		else if (!f->suspect)
			r->lost++;
	}
}

#define SUMMARY_TMPL                                                         \
	"{objects} object{objects?:s} ({files} file{files?:s}, {messages} "   \
	"message{messages?:s}), {bytes} bytes, {mbit_per_s} Mbit/s, "         \
	"{repairs_requested} repair request{repairs_requested?:s}; "          \
	"{refused_total} refused, {exists} not replaced, {lost} lost "        \
	"({no_space} for want of space)"
/* With --trust: the files whose info no trusted key signed, by kind. */
#define RX_REJECTED_TMPL                                                     \
	"; {rejected_total} rejected ({rejected.unsigned} unsigned, "         \
	"{rejected.malformed} malformed, {rejected.unknown_key} unknown key, " \
	"{rejected.bad_signature} bad signature)"

static void summary(struct norm_rx *r)
{
	double secs = (double)((r->last_ns ? r->last_ns : cli_now_ns()) - r->start_ns) / 1e9;
	uint64_t bytes = r->bytes + r->file_bytes;
	struct normcount c;

	mcast__normcount_get(&c);
	emit_begin(r->e, "summary");
	emit_u64(r->e, "objects", r->objects);
	emit_u64(r->e, "files", r->files);
	emit_u64(r->e, "messages", r->messages);
	emit_u64(r->e, "bytes", bytes);
	emit_u64(r->e, "refused_total", r->refused_total);
	emit_obj(r->e, "refused");
	for (int k = 1; k < NI_NKINDS; k++)
		emit_u64(r->e, norminfo_key((enum norminfo_bad)k), r->refused[k]);
	emit_obj_end(r->e);
	emit_u64(r->e, "exists", r->exists);
	emit_u64(r->e, "lost", r->lost + r->streams_lost);
	emit_u64(r->e, "no_space", r->no_space);
	emit_u64(r->e, "repairs_requested", c.nacks);
	emit_dbl(r->e, "seconds", secs, 3);
	emit_dbl(r->e, "mbit_per_s", secs > 0 ? (double)bytes * 8 / secs / 1e6 : 0, 1);
	if (r->o->trust) {
		static const int kinds[] = {MCAST_ENV_UNSIGNED, MCAST_ENV_MALFORMED,
					    MCAST_ENV_UNKNOWN_KEY, MCAST_ENV_BAD_SIGNATURE};

		emit_u64(r->e, "rejected_total", r->rejected_total);
		emit_obj(r->e, "rejected");
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			emit_u64(r->e, mcast_env_verdict_name(kinds[k]), r->rejected[kinds[k]]);
		emit_obj_end(r->e);
	}
	emit_end(r->e, EMIT_INFO, r->o->trust ? SUMMARY_TMPL RX_REJECTED_TMPL : SUMMARY_TMPL);
}

int norm_rx_run(struct norm_rx *r)
{
	char d[32];
	int rc = EXIT_OK;

	r->start_ns = cli_now_ns();
	if (r->o->timeout_ns)
		loop_timer_at(r->l, r->idle_timer, r->start_ns + r->o->timeout_ns);
	loop_run(r->l);
	/* Events that came with the last one (a completed file's neighbours). */
	report_pending(r);
	summary(r);
	if (r->stop_failed && (r->objects == 0 || (r->o->count && r->objects < r->o->count))) {
		cli_format_duration(r->o->timeout_ns, d, sizeof(d));
		if (r->objects == 0)
			cli_err("nothing arrived within %s", d);
		else
			cli_err("only %llu of %llu objects arrived before %s of silence",
				(unsigned long long)r->objects,
				(unsigned long long)r->o->count, d);
		rc = EXIT_FAIL;
	}
	if (r->lost)
		rc = EXIT_FAIL;
	return rc;
}

void norm_rx_free(struct norm_rx *r)
{
	if (!r)
		return;
	if (r->s.fd >= 0 && r->s.inst)
		loop_fd_del(r->l, r->s.fd);
	mcast__norm_sess_close(&r->s);
	for (size_t i = 0; i < RX_PENDING; i++)
		free(r->pending[i]);
	for (size_t i = 0; i < RX_STREAMS; i++)
		free(r->streams[i]);
	if (r->fs_open)
		filestore_close(&r->fs);
	free(r);
}

static int rt_attach(struct rx_transport *rt, struct loop *l, rx_fn fn, void *owner)
{
	struct norm_rx *r = rt->impl;

	(void)l;
	r->fn = fn, r->owner = owner;
	return 0;
}

static void rt_close(struct rx_transport *rt)
{
	(void)rt;
}

void norm_rx_transport(struct norm_rx *r, struct rx_transport *rt)
{
	rt->attach = rt_attach;
	rt->close = rt_close;
	rt->impl = r;
}
