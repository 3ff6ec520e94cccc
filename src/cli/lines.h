/*
 * lines.h - standard input for `mcast send --stdin`, read with read(2) into
 * a buffer of our own so that poll(2) tells the truth about what is left
 * (stdio would hide buffered lines from it), and cut into lines.
 */
#ifndef MCAST_CLI_LINES_H
#define MCAST_CLI_LINES_H

#include <stdbool.h>
#include <stddef.h>

struct lines {
	char *buf;
	size_t len, cap;
	bool eof;
};

/*
 * Move the next line (without its newline; at the end of input, whatever
 * is left) into out. Returns its length, -1 when no whole line is
 * buffered yet, or -2 when the line is longer than max.
 */
long lines_next(struct lines *in, char *out, size_t max);

/*
 * Read what fd has into the buffer, which grows up to 4 * max. Sets eof
 * at the end. Returns 0, or -errno after a read error or out of memory.
 */
int lines_fill(struct lines *in, int fd, size_t max);

/* Whether a whole line is buffered, the input ended, or a line is already
 * too long for max: then lines_next() has something to say. */
bool lines_ready(const struct lines *in, size_t max);

void lines_free(struct lines *in);

#endif
