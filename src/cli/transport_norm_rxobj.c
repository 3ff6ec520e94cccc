/*
 * transport_norm_rxobj.c - the file and stream objects of the NORM
 * receiver (normrx.h): files land in filestore's temporary directory and
 * are renamed into place only when complete and correct; streams are cut
 * into lines.
 */
#include "cli/cli.h"
#include "cli/normrx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- files ----------------------------------------------------------- */

struct rxfile *mcast__norm_rx_file_of(NormObjectHandle h)
{
	/* libnorm hands back the pointer it was given, as const void *. */
	union {
		const void *c;
		struct rxfile *f;
	} u = {NormObjectGetUserData(h)};

	return u.f;
}

static void file_forget(struct norm_rx *r, NormObjectHandle h)
{
	struct rxfile *f = mcast__norm_rx_file_of(h);

	for (size_t i = 0; f && i < RX_PENDING; i++)
		if (r->pending[i] == f)
			r->pending[i] = NULL;
	NormObjectSetUserData(h, NULL);
	free(f);
}

/* The temporary name libnorm gave the object, or NULL. */
static const char *temp_leaf(struct norm_rx *r, NormObjectHandle h, char *path, size_t cap)
{
	if (!NormFileGetName(h, path, (unsigned)cap))
		return NULL;
	path[cap - 1] = '\0';
	return filestore_leaf(&r->fs, path);
}

/* Give up on a file object: cancel it and delete what it wrote. */
static void file_drop(struct norm_rx *r, NormObjectHandle h)
{
	char path[PATH_MAX];
	const char *leaf = temp_leaf(r, h, path, sizeof(path));

	file_forget(r, h);
	NormObjectCancel(h);
	filestore_discard(&r->fs, leaf);
}

void mcast__norm_rx_file_new(struct norm_rx *r, const NormEvent *ev)
{
	struct rxfile *f = calloc(1, sizeof(*f));
	size_t i;

	for (i = 0; f && i < RX_PENDING && r->pending[i]; i++) {
	}
	if (!f || i == RX_PENDING) {
		char path[PATH_MAX];

		free(f);
		cli_warn("too many files at once: one from the sender is dropped");
		/* libnorm made its temporary file before it said so. */
		filestore_discard(&r->fs, temp_leaf(r, ev->object, path, sizeof(path)));
		NormObjectCancel(ev->object);
		return;
	}
	f->h = ev->object, f->sender = ev->sender, f->start_ns = cli_now_ns();
	/* From a sender that this receiver asks for nothing since it
	 * rejected a file (hold()): one whose info never comes is likely
	 * that file again, not a file lost. */
	for (size_t k = 0; k < r->nheld && !f->suspect; k++)
		f->suspect = r->held[k].sender == ev->sender && r->held[k].rejected;
	r->pending[i] = f;
	NormObjectSetUserData(ev->object, f);
}

static void refuse(struct norm_rx *r, const NormEvent *ev, enum norminfo_bad why)
{
	mcast_addr src;

	r->refused[why]++;
	r->refused_total++;
	mcast__norm_rx_source(ev->sender, &src);
	emit_begin(r->e, "refused");
	emit_addr(r->e, "source", &src, false);
	emit_str(r->e, "reason", norminfo_key(why));
	emit_text(r->e, "why", norminfo_reason(why));
	emit_end(r->e, EMIT_INFO, "warning: refused a file from {source}: {why}");
	file_drop(r, ev->object);
}

static bool same_file(const struct norminfo *a, const struct norminfo *b)
{
	return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0 &&
	       a->has_sum == b->has_sum && a->size == b->size &&
	       memcmp(a->sha256, b->sha256, sizeof(a->sha256)) == 0;
}

/* The held entry for sender's file ni, or NULL. */
static struct rxheld *held_find(struct norm_rx *r, NormNodeHandle sender,
				const struct norminfo *ni)
{
	for (size_t k = 0; k < r->nheld; k++)
		if (r->held[k].sender == sender && same_file(&r->held[k].ni, ni))
			return &r->held[k];
	return NULL;
}

/*
 * Drop what arrived from sender: free its buffers (NormNodeFreeBuffers),
 * which aborts its objects here but keeps them pending, so that this
 * receiver never acknowledges them (nor anything sent after them), and
 * set how its objects ask for repairs from now on (mode): what was
 * dropped is never repaired (NORM_NACK_INFO_ONLY still asks for the
 * missing segments of a block that began to arrive, NORM_NACK_NONE asks
 * for nothing). Its other files in progress are aborted by that too,
 * unreported (r->resetting until the user timer's event, which comes
 * after the aborts); each one whose info comes and is accepted asks for
 * its own repairs (file_accepted()).
 */
static void drop_sender(struct norm_rx *r, NormNodeHandle sender, NormNackingMode mode)
{
	for (size_t i = 0; i < RX_PENDING; i++)
		if (r->pending[i] && r->pending[i]->sender == sender)
			r->pending[i]->reset = true;
	NormNodeSetNackingMode(sender, mode);
	NormNodeFreeBuffers(sender);
	r->resetting = true;
	NormSetUserTimer(r->s.sess, 0.0);
}

/*
 * Keep file f pending, never acknowledged, and remember it in r->held.
 * libnorm acknowledges a file it completed, and a cancelled one too
 * (NormObjectCancel forgets it), so: delete what it wrote and drop its
 * sender's buffers, asking it for infos only: the request for the info
 * makes the sender repeat that (and know this receiver). A file that does
 * not fit ends the receiver then (no_space()); a rejected one is dropped
 * again (reject()) unless some of its data was dropped already, and then
 * asks for nothing more, so that neither what was dropped nor its info
 * comes again: it can never complete. libnorm receives in a thread of
 * its own: a receiver that falls a whole file behind it (a small file
 * sent fast is enough) holds the file too late, after libnorm completed
 * it, and may have acknowledged it (libnorm 1.5.9 has no way to take
 * that back, nor to keep its own thread from completing a file before
 * this one looked at its info): it says so.
 */
static void hold(struct norm_rx *r, const NormEvent *ev, struct rxfile *f, bool rejected)
{
	char path[PATH_MAX];
	const char *leaf = temp_leaf(r, ev->object, path, sizeof(path));
	struct rxheld *h = &r->held[r->nheld < RX_HELD ? r->nheld++ : RX_HELD - 1];
	uint64_t left = (uint64_t)NormObjectGetBytesPending(ev->object);

	h->sender = ev->sender, h->ni = f->ni, h->rejected = rejected;
	h->dropped = left < (uint64_t)NormObjectGetSize(ev->object);
	file_forget(r, ev->object);
	filestore_discard(&r->fs, leaf);
	if (left == 0) {
		/* Complete already: dropping its sender's other files would
		 * not make it pending again. */
		cli_warn("%s had arrived whole before it was checked: its sender may "
			 "count this receiver as having it", h->ni.name);
		return;
	}
	drop_sender(r, ev->sender, rejected && h->dropped ? NORM_NACK_NONE : NORM_NACK_INFO_ONLY);
}

/*
 * File f does not fit on the disk (libnorm drops the writes that fail
 * without a word and would acknowledge the object as complete). The first
 * time: say so and hold it. When its sender repeats it and it still does
 * not fit, the receiver ends: it cannot store what it is sent; when it
 * fits now, file_accepted() asks for its repairs again.
 */
static void no_space(struct norm_rx *r, const NormEvent *ev, struct rxfile *f)
{
	char path[PATH_MAX];
	const char *leaf = temp_leaf(r, ev->object, path, sizeof(path));
	struct rxheld *h = held_find(r, ev->sender, &f->ni);

	if (h && !h->rejected) {
		cli_debug("%s came again and still does not fit: the receiver ends", f->ni.name);
		file_forget(r, ev->object);
		filestore_discard(&r->fs, leaf);
		/* Pending still, until the receiver is gone. */
		drop_sender(r, ev->sender, NORM_NACK_INFO_ONLY);
		r->done = true;
		loop_stop(r->l, 0);
		return;
	}
	r->no_space++;
	mcast__norm_rx_lost(r, f->ni.name, 0, (uint64_t)NormObjectGetSize(ev->object),
			    strerror(ENOSPC));
	hold(r, ev, f, false);
}

/*
 * A file that is taken (its info checked, its size reserved): one that
 * did not fit before and fits now is not lost. Its repairs are asked for
 * even when its sender is asked for infos only (a file of its is held),
 * and that sender's other files again once none of them is held.
 */
static void file_accepted(struct norm_rx *r, const NormEvent *ev, const struct norminfo *ni)
{
	struct rxheld *h = held_find(r, ev->sender, ni);
	bool others = false;

	if (h && !h->rejected) {
		*h = r->held[--r->nheld];
		r->lost--, r->no_space--;
	}
	for (size_t k = 0; k < r->nheld; k++)
		others |= r->held[k].sender == ev->sender;
	if (!others)
		NormNodeSetNackingMode(ev->sender, NORM_NACK_NORMAL);
	NormObjectSetNackingMode(ev->object, NORM_NACK_NORMAL);
}

/*
 * --trust: whether the info (the bytes f->ni was parsed from) carries an
 * envelope that a trusted key signed over exactly its name, size and
 * SHA-256; f->signer names that key. The envelope's time and sequence
 * number do not matter here: a file's info is signed when it is queued
 * and reaches receivers that join late, or ask again, much later, and a
 * copy of it vouches only for the same name and contents, which the
 * SHA-256 then checks. Returns MCAST_ENV_OK or the verdict to reject with.
 */
static int check_signed(struct norm_rx *r, struct rxfile *f, const char *info)
{
	const uint8_t *env = (const uint8_t *)info + f->ni.env_off;
	mcast_env_info ei;
	int v;

	memset(&ei, 0, sizeof(ei));
	if (!f->ni.env_len)
		return MCAST_ENV_UNSIGNED;
	v = mcast_env_open(r->o->trust, env, f->ni.env_len, NULL, 0, 0, &ei, NULL);
	if (v < 0)
		return MCAST_ENV_MALFORMED; /* nothing a sender of infos makes */
	if (v != MCAST_ENV_OK && !ei.signer)
		return v; /* unsigned, malformed, unknown key, bad signature */
	if (ei.encrypted)
		return MCAST_ENV_MALFORMED; /* never how an info is signed */
	/* Signed by a trusted key: over this info's own first part? */
	if (f->ni.env_len - MCAST_ENV_OVERHEAD != f->ni.body_len ||
	    memcmp(env + MCAST_ENV_HDR_LEN, info, f->ni.body_len) != 0)
		return MCAST_ENV_BAD_SIGNATURE;
	f->signer = ei.signer;
	return MCAST_ENV_OK;
}

/*
 * Reject a file whose info no trusted key signed (verdict v): say so and
 * hold it, so that its sender never counts this receiver as having it.
 * Its info comes again (this receiver or another asked for it): that is
 * not rejected again. Until some of its data was dropped (its info
 * usually comes before any, so holding it dropped nothing), what arrived
 * since is dropped once more; after that it asks for nothing and stays
 * pending.
 */
static void reject(struct norm_rx *r, const NormEvent *ev, struct rxfile *f, int v)
{
	struct rxheld *h = held_find(r, ev->sender, &f->ni);
	char path[PATH_MAX];
	mcast_addr src;

	if (h) {
		cli_debug("%s came again, rejected again", f->ni.name);
		filestore_discard(&r->fs, temp_leaf(r, ev->object, path, sizeof(path)));
		if (!h->dropped &&
		    NormObjectGetBytesPending(ev->object) < NormObjectGetSize(ev->object)) {
			h->dropped = true;
			drop_sender(r, ev->sender, NORM_NACK_NONE);
		} else {
			NormObjectSetNackingMode(ev->object, NORM_NACK_NONE);
		}
		file_forget(r, ev->object);
		return;
	}
	r->rejected[v]++;
	r->rejected_total++;
	mcast__norm_rx_source(ev->sender, &src);
	emit_begin(r->e, "rejected");
	emit_str(r->e, "name", f->ni.name);
	emit_addr(r->e, "source", &src, false);
	emit_str(r->e, "reason", mcast_env_verdict_name(v));
	emit_end(r->e, EMIT_INFO, "warning: rejected {name} from {source}: {reason}");
	hold(r, ev, f, true);
}

/* A file of that name is there already, and --overwrite was not given. */
static void not_replaced(struct norm_rx *r, const char *name)
{
	r->exists++;
	emit_begin(r->e, "skipped");
	emit_str(r->e, "name", name);
	emit_str(r->e, "reason", "exists");
	emit_end(r->e, EMIT_INFO, "warning: {name} exists, not replaced "
				  "(give --overwrite to replace it)");
}

void mcast__norm_rx_file_info(struct norm_rx *r, const NormEvent *ev)
{
	struct rxfile *f = mcast__norm_rx_file_of(ev->object);
	char info[NORMINFO_MAX + 64], path[PATH_MAX];
	unsigned n = NormObjectGetInfoLength(ev->object);
	enum norminfo_bad why;
	int v;

	if (!f)
		return;
	if (n > sizeof(info)) {
		refuse(r, ev, NI_TOO_LONG);
		return;
	}
	n = NormObjectGetInfo(ev->object, info, (UINT16)sizeof(info));
	why = norminfo_parse(info, n, &f->ni);
	if (why != NI_OK) {
		refuse(r, ev, why);
		return;
	}
	if (r->o->trust && (v = check_signed(r, f, info)) != MCAST_ENV_OK) {
		reject(r, ev, f, v);
		return;
	}
	if (!r->o->overwrite && filestore_exists(&r->fs, f->ni.name)) {
		/* Dealt with, as when it appears while arriving: -n counts it. */
		not_replaced(r, f->ni.name);
		file_drop(r, ev->object);
		mcast__norm_rx_counted(r);
		return;
	}
	f->named = true;
	if (filestore_reserve(&r->fs, temp_leaf(r, ev->object, path, sizeof(path)),
			      (uint64_t)NormObjectGetSize(ev->object)) < 0)
		no_space(r, ev, f);
	else
		file_accepted(r, ev, &f->ni);
}

void mcast__norm_rx_lost(struct norm_rx *r, const char *name, uint64_t got, uint64_t size,
		 const char *why)
{
	r->lost++;
	emit_begin(r->e, "lost");
	emit_str(r->e, "name", name);
	emit_u64(r->e, "bytes", got);
	emit_u64(r->e, "size", size);
	emit_str(r->e, "reason", why);
	emit_end(r->e, EMIT_INFO, "lost {name}: {bytes} of {size} bytes arrived ({reason}); "
				  "nothing stored under that name");
}

void mcast__norm_rx_file_done(struct norm_rx *r, const NormEvent *ev)
{
	struct rxfile *f = mcast__norm_rx_file_of(ev->object);
	char path[PATH_MAX], msg[256];
	const char *leaf = temp_leaf(r, ev->object, path, sizeof(path));
	uint64_t size = (uint64_t)NormObjectGetSize(ev->object);
	enum filestore_result res;
	mcast_addr src;
	double secs;

	if (!f || !f->named || !leaf) {
		/* No info ever came (or the name was refused): nowhere to put it. */
		if (f && !f->named)
			r->refused[NI_EMPTY]++, r->refused_total++;
		file_forget(r, ev->object);
		filestore_discard(&r->fs, leaf);
		return;
	}
	res = filestore_commit(&r->fs, leaf, &f->ni, msg, sizeof(msg));
	secs = (double)(cli_now_ns() - f->start_ns) / 1e9;
	if (res == FS_STORED) {
		mcast__norm_rx_source(ev->sender, &src);
		r->files++;
		r->file_bytes += size;
		emit_begin(r->e, "file");
		emit_str(r->e, "name", f->ni.name);
		emit_u64(r->e, "bytes", size);
		emit_addr(r->e, "source", &src, false);
		emit_bool(r->e, "verified", f->ni.has_sum);
		if (f->signer)
			emit_str(r->e, "signer", f->signer);
		else
			emit_null(r->e, "signer");
		emit_dbl(r->e, "seconds", secs, 3);
		emit_end(r->e, EMIT_DATA, f->signer
			 ? "stored {name}, {bytes} bytes from {source} in {seconds} s, "
			   "signed by {signer}"
			 : "stored {name}, {bytes} bytes from {source} in {seconds} s");
	} else if (res == FS_EXISTS) {
		/* It appeared under DIR while the file was arriving. */
		not_replaced(r, f->ni.name);
	} else {
		r->no_space += res == FS_NOSPACE;
		mcast__norm_rx_lost(r, f->ni.name, size, f->ni.size, msg);
	}
	file_forget(r, ev->object);
	mcast__norm_rx_counted(r);
}

void mcast__norm_rx_file_aborted(struct norm_rx *r, const NormEvent *ev)
{
	struct rxfile *f = mcast__norm_rx_file_of(ev->object);
	char path[PATH_MAX];
	const char *leaf = temp_leaf(r, ev->object, path, sizeof(path));
	uint64_t size = (uint64_t)NormObjectGetSize(ev->object);
	uint64_t left = (uint64_t)NormObjectGetBytesPending(ev->object);

	if (f && f->named && !f->reset && !r->resetting)
		mcast__norm_rx_lost(r, f->ni.name, size > left ? size - left : 0, size,
		     "the sender aborted it");
	file_forget(r, ev->object);
	filestore_discard(&r->fs, leaf);
}

/* ---- streams ---------------------------------------------------------- */

static struct rxstream *stream_of(struct norm_rx *r, NormObjectHandle h, bool make)
{
	size_t free_slot = RX_STREAMS;

	for (size_t i = 0; i < RX_STREAMS; i++) {
		if (r->streams[i] && r->streams[i]->h == h)
			return r->streams[i];
		if (!r->streams[i] && free_slot == RX_STREAMS)
			free_slot = i;
	}
	if (!make || free_slot == RX_STREAMS)
		return NULL;
	r->streams[free_slot] = calloc(1, sizeof(struct rxstream));
	if (r->streams[free_slot])
		r->streams[free_slot]->h = h;
	return r->streams[free_slot];
}

void mcast__norm_rx_stream_info(struct norm_rx *r, const NormEvent *ev)
{
	struct rxstream *st = stream_of(r, ev->object, true);
	char info[64];
	unsigned n = NormObjectGetInfo(ev->object, info, sizeof(info));

	/* Lines unless the sender says raw: a receiver that joins late may
	 * never see the info. */
	if (st)
		st->raw = n == strlen("mcast1 stream=raw") &&
			  memcmp(info, "mcast1 stream=raw", n) == 0;
}

/* Hand over each complete line (or, raw, each piece) read so far. */
void mcast__norm_rx_stream_read(struct norm_rx *r, const NormEvent *ev)
{
	struct rxstream *st = stream_of(r, ev->object, true);
	unsigned n;

	if (!st)
		return;
	do {
		char *nl;

		n = (unsigned)(sizeof(st->buf) - st->len);
		if (!NormStreamRead(ev->object, st->buf + st->len, &n)) {
			/* A gap libnorm could not repair: what came before it is
			 * cut short, so drop it and resync at the next line (the
			 * sender marks each one). */
			r->streams_lost++;
			st->len = 0;
			if (!NormStreamSeekMsgStart(ev->object))
				break;
			n = 1;
			continue;
		}
		st->len += n;
		if (st->raw) {
			if (st->len)
				mcast__norm_rx_deliver(r, ev->sender, st->buf, st->len);
			st->len = 0;
			continue;
		}
		while ((nl = memchr(st->buf, '\n', st->len)) != NULL) {
			size_t k = (size_t)(nl - st->buf);

			mcast__norm_rx_deliver(r, ev->sender, st->buf, k);
			st->len -= k + 1;
			memmove(st->buf, nl + 1, st->len);
		}
		if (st->len == sizeof(st->buf)) {
			mcast__norm_rx_deliver(r, ev->sender, st->buf, st->len);
			st->len = 0;
		}
	} while (n > 0 && !r->done);
}

void mcast__norm_rx_stream_end(struct norm_rx *r, const NormEvent *ev)
{
	struct rxstream *st = stream_of(r, ev->object, false);

	if (!st)
		return;
	if (st->len)
		mcast__norm_rx_deliver(r, ev->sender, st->buf, st->len);
	for (size_t i = 0; i < RX_STREAMS; i++)
		if (r->streams[i] == st)
			r->streams[i] = NULL;
	free(st);
}
