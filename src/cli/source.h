/*
 * source.h - where send's payloads come from: the message words, a
 * template expanded for each datagram, standard input line by line, or all
 * of standard input as one datagram. The sending loop asks for the next
 * payload when one is due; a source that waits for input names the
 * descriptor to watch.
 */
#ifndef MCAST_CLI_SOURCE_H
#define MCAST_CLI_SOURCE_H

#include "cli/lines.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tmpl;

enum source_kind { SRC_WORDS, SRC_TEMPLATE, SRC_LINES, SRC_RAW };

/* What source_next() returns besides a length. */
enum { SOURCE_WAIT = -1, SOURCE_END = -2, SOURCE_FAILED = -3 };

struct source {
	enum source_kind kind;
	const char *message; /* SRC_WORDS */
	size_t message_len;
	const struct tmpl *tmpl; /* SRC_TEMPLATE */
	uint64_t count;		 /* words and templates: 0 = no end */
	size_t max;		 /* the largest payload */
	int fd;			 /* standard input for SRC_LINES, SRC_RAW */
	uint64_t made;		 /* payloads handed out */
	struct lines in;
	char host[256]; /* {host} */
};

/* Set up a source of kind (the caller fills message, tmpl or count
 * afterwards); max is the largest payload the transport carries. */
void source_init(struct source *s, enum source_kind kind, size_t max);
void source_free(struct source *s);

/* Whether payloads come from a descriptor (standard input). */
bool source_reads(const struct source *s);
/* Whether source_next() has something to say now (a payload, the end or
 * an error); false means wait for source_fill(). */
bool source_ready(const struct source *s);
/* Read what the descriptor has. Returns 0, or EXIT_FAIL after saying why. */
int source_fill(struct source *s);
/*
 * The next payload into buf (s->max bytes): its length, SOURCE_WAIT (no
 * whole line yet), SOURCE_END (no more), or SOURCE_FAILED after an error
 * was reported (a line or message larger than one datagram).
 */
long source_next(struct source *s, void *buf);

/* The n words joined by single spaces, in a malloc'ed string (its length
 * in *len), for a message given as words; NULL when memory ran out. */
char *source_join_words(int n, char **words, size_t *len);

#endif
