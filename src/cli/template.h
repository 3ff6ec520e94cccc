/*
 * template.h - message templates for `mcast send --template`:
 * "ATU {time} seq={seq} host={host}". Placeholders: {seq} (1, 2, ...),
 * {time} (RFC 3339 UTC), {localtime} (RFC 3339 with the local offset),
 * {epoch} (seconds since 1970), {epoch_ms}, {host}, {pid}; {{ and }} stand
 * for single braces.
 */
#ifndef MCAST_CLI_TEMPLATE_H
#define MCAST_CLI_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct tmpl;

/* What the placeholders stand for in one expansion. */
struct tmpl_vars {
	uint64_t seq;
	struct timespec now; /* CLOCK_REALTIME */
	const char *host;
	long pid;
};

/*
 * Compile text into *out (free with tmpl_free). Returns 0, -EINVAL for an
 * unknown placeholder or an unclosed brace (err, of errlen bytes, names
 * it), or -ENOMEM.
 */
int tmpl_compile(const char *text, struct tmpl **out, char *err, size_t errlen);

/* Expand into buf (cap bytes, not NUL-terminated). Returns the length, or
 * -ENOSPC when it would not fit. */
long tmpl_expand(const struct tmpl *t, const struct tmpl_vars *v, char *buf,
		 size_t cap);

void tmpl_free(struct tmpl *t);

#endif
