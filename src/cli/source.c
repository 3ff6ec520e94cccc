/*
 * source.c - send's payloads: words, template, standard input.
 */
#include "cli/cli.h"
#include "cli/source.h"
#include "cli/template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void source_init(struct source *s, enum source_kind kind, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->max = max;
	s->fd = STDIN_FILENO;
	if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		snprintf(s->host, sizeof(s->host), "localhost");
}

void source_free(struct source *s)
{
	lines_free(&s->in);
}

bool source_reads(const struct source *s)
{
	return s->kind == SRC_LINES || s->kind == SRC_RAW;
}

bool source_ready(const struct source *s)
{
	if (s->kind == SRC_RAW)
		return s->made || s->in.eof || s->in.len > s->max;
	if (s->kind == SRC_LINES)
		/* At the end of input, "ready" means ready to say so. */
		return lines_ready(&s->in, s->max);
	return true;
}

int source_fill(struct source *s)
{
	int rc = lines_fill(&s->in, s->fd, s->max);

	if (rc < 0) {
		cli_err("reading standard input: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	return 0;
}

static long next_line(struct source *s, char *buf)
{
	long n = lines_next(&s->in, buf, s->max);

	if (n == -2) {
		cli_err("an input line is larger than one datagram can carry (%zu bytes)",
			s->max);
		return SOURCE_FAILED;
	}
	return n == -1 && s->in.eof ? SOURCE_END : n;
}

static long next_raw(struct source *s, char *buf)
{
	if (s->made)
		return SOURCE_END;
	if (s->in.len > s->max) {
		cli_err("standard input is larger than one datagram can carry (%zu bytes)",
			s->max);
		return SOURCE_FAILED;
	}
	if (!s->in.eof)
		return SOURCE_WAIT;
	if (s->in.len)
		memcpy(buf, s->in.buf, s->in.len);
	return (long)s->in.len;
}

static long next_template(struct source *s, char *buf)
{
	struct tmpl_vars v;
	long n;

	v.seq = s->made + 1;
	clock_gettime(CLOCK_REALTIME, &v.now);
	v.host = s->host;
	v.pid = (long)getpid();
	n = tmpl_expand(s->tmpl, &v, buf, s->max);
	if (n < 0) {
		cli_err("the template expands to more than one datagram can carry (%zu bytes)",
			s->max);
		return SOURCE_FAILED;
	}
	return n;
}

long source_next(struct source *s, void *buf)
{
	long n;

	if ((s->kind == SRC_WORDS || s->kind == SRC_TEMPLATE) && s->count &&
	    s->made >= s->count)
		return SOURCE_END;
	switch (s->kind) {
	case SRC_LINES: n = next_line(s, buf); break;
	case SRC_RAW: n = next_raw(s, buf); break;
	case SRC_TEMPLATE: n = next_template(s, buf); break;
	case SRC_WORDS:
	default:
		if (s->message_len > s->max) {
			cli_err("the message is %zu bytes, more than one datagram can carry (%zu)",
				s->message_len, s->max);
			return SOURCE_FAILED;
		}
		memcpy(buf, s->message, s->message_len);
		n = (long)s->message_len;
		break;
	}
	if (n >= 0)
		s->made++;
	return n;
}

/* Join argv words with single spaces into one malloc'ed message. */
char *source_join_words(int n, char **words, size_t *len)
{
	size_t total = 1;
	char *msg, *p;

	for (int i = 0; i < n; i++)
		total += strlen(words[i]) + 1;
	msg = malloc(total);
	if (!msg)
		return NULL;
	p = msg;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(words[i]);

		if (i)
			*p++ = ' ';
		memcpy(p, words[i], l);
		p += l;
	}
	*p = '\0';
	*len = (size_t)(p - msg);
	return msg;
}
