/*
 * transport_norm_txstream.c - standard input as one NORM stream for
 * `mcast send --reliable --stdin` (normtx.h): lines, each marked as a
 * NORM message, or raw bytes.
 */
#include "cli/cli.h"
#include "cli/normtx.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/*
 * A flush sends the stream's last segment short: what was written since
 * the one before went out in that many NORM_DATA on the first pass (the
 * report's repairs are what went beyond it, normtx.h).
 */
static void first_pass_flushed(struct norm_tx *t)
{
	t->first_pass += (t->unflushed + t->o->segment - 1) / t->o->segment;
	t->unflushed = 0;
}

/*
 * Move what was read from the descriptor into the stream while it has
 * room; read more when all of it went. In lines mode each line is written
 * on its own and marked as a NORM message, so that a receiver that lost
 * part of the stream resyncs at the next line.
 */
void mcast__norm_tx_stream_pump(struct norm_tx *t)
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
		t->unflushed += n;
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
	first_pass_flushed(t);
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
	mcast__norm_tx_stream_pump(t);
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
	t->first_pass++; /* its NORM_INFO */
	t->last = t->stream;
	t->has_stream = true;
	t->in_fd = fd, t->raw = raw;
	if (loop_fd_add(t->l, fd, LOOP_READ, on_input, t) < 0) {
		cli_err("too many descriptors for the event loop");
		return EXIT_FAIL;
	}
	if (mcast__norm_tx_wait(t, W_STREAM, 0)) {
		cli_err("interrupted while sending standard input");
		return EXIT_FAIL;
	}
	/* Closed by norm_tx_finish(), once the data is flushed. */
	NormStreamFlush(t->stream, true, NORM_FLUSH_ACTIVE);
	return 0;
}
