/*
 * lines.c - a line reader over read(2), for poll(2)-driven loops.
 */
#include "cli/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long lines_next(struct lines *in, char *out, size_t max)
{
	char *nl = memchr(in->buf, '\n', in->len);
	size_t len, used;

	if (!nl && !(in->eof && in->len))
		return in->len > max ? -2 : -1;
	len = nl ? (size_t)(nl - in->buf) : in->len;
	used = nl ? len + 1 : len;
	if (len > max)
		return -2;
	memcpy(out, in->buf, len);
	memmove(in->buf, in->buf + used, in->len - used);
	in->len -= used;
	return (long)len;
}

int lines_fill(struct lines *in, int fd, size_t max)
{
	ssize_t n;

	if (in->cap - in->len < 4096) {
		size_t cap = in->cap ? 2 * in->cap : 65536;
		char *b = cap > 4 * max ? NULL : realloc(in->buf, cap);

		/* Full of one overlong line: lines_ready() says so already. */
		if (!b)
			return in->len > max ? 0 : -ENOMEM;
		in->buf = b;
		in->cap = cap;
	}
	n = read(fd, in->buf + in->len, in->cap - in->len);
	if (n < 0 && errno != EINTR && errno != EAGAIN)
		return -errno;
	if (n == 0)
		in->eof = true;
	if (n > 0)
		in->len += (size_t)n;
	return 0;
}

bool lines_ready(const struct lines *in, size_t max)
{
	return in->eof || in->len > max || (in->len && memchr(in->buf, '\n', in->len));
}

void lines_free(struct lines *in)
{
	free(in->buf);
	memset(in, 0, sizeof(*in));
}
