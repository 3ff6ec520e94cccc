/*
 * emit_text.c - a record as text from its template (the forms in emit.h):
 * fields found by name, dotted inside objects, plurals and columns.
 */
#include "cli/emit.h"
#include "cli/output.h"

#include <stdio.h>
#include <string.h>

/* The index of the end of the array that opens at field i (the last field
 * when it is never closed). */
static int skip_array(const struct emit *e, int i)
{
	int depth = 0;

	for (; i < e->nf; i++) {
		enum emit_type t = e->f[i].type;

		depth += t == EF_OBJ || t == EF_ARR;
		depth -= t == EF_END || t == EF_ARR_END;
		if (depth == 0)
			return i;
	}
	return e->nf - 1;
}

/* The field named by the template key (dotted inside objects), or NULL. */
static const struct emit_field *lookup(const struct emit *e, const char *key, size_t klen)
{
	char path[128];
	size_t plen = 0, stack[8];
	int depth = 0;

	for (int i = 0; i < e->nf; i++) {
		const struct emit_field *f = &e->f[i];
		size_t nl;

		if (f->type == EF_ARR) {
			i = skip_array(e, i);
			continue;
		}
		if (f->type == EF_END) {
			if (depth > 0)
				plen = stack[--depth];
			continue;
		}
		if (!f->name)
			continue;
		nl = strlen(f->name);
		if (plen + nl + 1 < sizeof(path)) {
			memcpy(path + plen, f->name, nl);
			if (f->type == EF_OBJ && depth < 8) {
				stack[depth++] = plen;
				plen += nl;
				path[plen++] = '.';
				continue;
			}
			if (plen + nl == klen && memcmp(path, key, klen) == 0)
				return f;
		}
	}
	return NULL;
}

static void text_value(struct emit *e, const struct emit_field *f)
{
	FILE *m = e->mem;

	switch (f->type) {
	case EF_STR:
	case EF_TEXT: cli_write_escaped(m, f->v.s, strlen(f->v.s)); break;
	case EF_DATA:
		(e->payload == EMIT_HEX ? cli_write_hex : cli_write_escaped)(
			m, f->v.data.p, f->v.data.len);
		break;
	case EF_BOOL: fputs(f->v.b ? "yes" : "no", m); break;
	case EF_NULL: fputc('-', m); break;
	case EF_STRV:
		for (size_t i = 0; i < f->v.strv.n; i++) {
			if (i)
				fputs(", ", m);
			cli_write_escaped(m, f->v.strv.v[i], strlen(f->v.strv.v[i]));
		}
		break;
	default: emit_json_value(m, f); break;
	}
}

/* Write the ONE or MANY branch of {key?ONE:MANY}. */
static void plural(FILE *m, const struct emit_field *f, const char *alt, size_t alen)
{
	const char *colon = memchr(alt, ':', alen);
	bool one = f && ((f->type == EF_U64 && f->v.u == 1) ||
			 (f->type == EF_I64 && f->v.i == 1));

	if (!colon)
		colon = alt + alen;
	if (one)
		fwrite(alt, 1, (size_t)(colon - alt), m);
	else if (colon < alt + alen)
		fwrite(colon + 1, 1, (size_t)(alt + alen - colon - 1), m);
}

/* A column width in a template: digits after an optional minus, at most
 * 200 (a template is the program's own text, not the user's). */
static int width_of(const char *p, size_t n)
{
	int v = 0, sign = 1;

	if (n && *p == '-')
		sign = -1, p++, n--;
	for (; n && *p >= '0' && *p <= '9' && v < 200; p++, n--)
		v = v * 10 + (*p - '0');
	return sign * v;
}

/* {key,W}: the value rendered aside, then padded to W columns. */
static void padded(struct emit *e, const struct emit_field *f, int width)
{
	char buf[256];
	FILE *m = e->mem, *tmp = fmemopen(buf, sizeof(buf), "w");
	long len;

	if (!tmp)
		return;
	e->mem = tmp;
	text_value(e, f);
	e->mem = m;
	len = ftell(tmp);
	fclose(tmp);
	if (len < 0)
		len = 0;
	if (len >= (long)sizeof(buf))
		len = (long)sizeof(buf) - 1;
	fprintf(m, "%*.*s", width, (int)len, buf);
}

/* The field of {key} or {key,W}; *width is W (0 without). */
static const struct emit_field *field_of(const struct emit *e, const char *key,
					 size_t klen, int *width)
{
	const char *comma = memchr(key, ',', klen);

	*width = 0;
	if (comma) {
		*width = width_of(comma + 1, (size_t)(key + klen - comma - 1));
		klen = (size_t)(comma - key);
	}
	return lookup(e, key, klen);
}

void emit_render_text(struct emit *e, const char *t)
{
	FILE *m = e->mem;

	while (*t) {
		const char *end, *q;

		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			fputc(*t, m);
			t += 2;
			continue;
		}
		end = t[0] == '{' ? strchr(t, '}') : NULL;
		if (!end) {
			fputc(*t++, m);
			continue;
		}
		q = memchr(t + 1, '?', (size_t)(end - t - 1));
		if (q) {
			plural(m, lookup(e, t + 1, (size_t)(q - t - 1)), q + 1,
			       (size_t)(end - q - 1));
		} else {
			int width;
			const struct emit_field *f = field_of(e, t + 1, (size_t)(end - t - 1),
							      &width);

			if (f && width)
				padded(e, f, width);
			else if (f)
				text_value(e, f);
		}
		t = end + 1;
	}
}
