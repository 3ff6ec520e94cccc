/*
 * emit.c - records to JSON lines or to text from a template. The one place
 * that decides escaping and number formats for everything the tool reports.
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int emit_init(struct emit *e, FILE *out, bool json)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->json = json;
	e->mem = open_memstream(&e->buf, &e->buflen);
	return e->mem ? 0 : -errno;
}

void emit_free(struct emit *e)
{
	if (e->mem)
		fclose(e->mem);
	free(e->buf);
	e->mem = NULL;
	e->buf = NULL;
}

void emit_begin(struct emit *e, const char *event)
{
	e->event = event;
	e->nf = 0;
	e->used = 0;
	e->overflow = false;
}

static struct emit_field *add(struct emit *e, const char *name, enum emit_type t)
{
	if (e->nf >= EMIT_MAX_FIELDS) {
		e->overflow = true;
		return NULL;
	}
	e->f[e->nf] = (struct emit_field){.name = name, .type = t};
	return &e->f[e->nf++];
}

/* Room in the record's scratch space, or NULL (the field is dropped). */
static char *scratch(struct emit *e, size_t n)
{
	char *p;

	if (e->used + n > sizeof(e->scratch)) {
		e->overflow = true;
		return NULL;
	}
	p = e->scratch + e->used;
	e->used += n;
	return p;
}

void emit_str(struct emit *e, const char *name, const char *s)
{
	struct emit_field *f = add(e, name, EF_STR);

	if (f)
		f->v.s = s ? s : "";
}

void emit_text(struct emit *e, const char *name, const char *s)
{
	struct emit_field *f = add(e, name, EF_TEXT);

	if (f)
		f->v.s = s ? s : "";
}

void emit_u64(struct emit *e, const char *name, uint64_t v)
{
	struct emit_field *f = add(e, name, EF_U64);

	if (f)
		f->v.u = v;
}

void emit_i64(struct emit *e, const char *name, int64_t v)
{
	struct emit_field *f = add(e, name, EF_I64);

	if (f)
		f->v.i = v;
}

void emit_dbl(struct emit *e, const char *name, double v, int prec)
{
	struct emit_field *f = add(e, name, EF_DBL);

	if (f) {
		f->v.d = v;
		f->prec = prec;
	}
}

void emit_bool(struct emit *e, const char *name, bool v)
{
	struct emit_field *f = add(e, name, EF_BOOL);

	if (f)
		f->v.b = v;
}

void emit_null(struct emit *e, const char *name)
{
	add(e, name, EF_NULL);
}

void emit_id(struct emit *e, const char *name, uint64_t v)
{
	char *s = scratch(e, 17);

	if (s) {
		snprintf(s, 17, "%016" PRIx64, v);
		emit_str(e, name, s);
	}
}

void emit_addr(struct emit *e, const char *name, const mcast_addr *a, bool with_port)
{
	char *s = scratch(e, MCAST_ADDRSTRLEN);

	if (s) {
		mcast_addr_format(a, s, MCAST_ADDRSTRLEN, with_port ? MCAST_FMT_PORT : 0);
		emit_str(e, name, s);
	}
}

void emit_time(struct emit *e, const char *name, const struct timespec *t)
{
	char *s = scratch(e, 40);

	if (s) {
		if (cli_format_rfc3339(t, s, 40) < 0)
			s[0] = '\0';
		emit_str(e, name, s);
	}
}

void emit_data(struct emit *e, const void *p, size_t len)
{
	struct emit_field *f = add(e, "data", EF_DATA);

	if (f) {
		f->v.data.p = p;
		f->v.data.len = len;
	}
}

void emit_strv(struct emit *e, const char *name, const char *const *v, size_t n)
{
	struct emit_field *f = add(e, name, EF_STRV);

	if (f) {
		f->v.strv.v = v;
		f->v.strv.n = n;
	}
}

void emit_obj(struct emit *e, const char *name)
{
	add(e, name, EF_OBJ);
}

void emit_obj_end(struct emit *e)
{
	add(e, NULL, EF_END);
}

/* A field's value as JSON (EF_TEXT never gets here). */
static void json_value(FILE *m, const struct emit_field *f)
{
	switch (f->type) {
	case EF_STR:
		if (cli_utf8_valid(f->v.s, strlen(f->v.s)))
			cli_write_json_string(m, f->v.s, strlen(f->v.s));
		else
			cli_write_base64(m, f->v.s, strlen(f->v.s));
		break;
	case EF_U64: fprintf(m, "%" PRIu64, f->v.u); break;
	case EF_I64: fprintf(m, "%" PRId64, f->v.i); break;
	case EF_DBL: fprintf(m, "%.*f", f->prec, f->v.d); break;
	case EF_BOOL: fputs(f->v.b ? "true" : "false", m); break;
	case EF_STRV:
		fputc('[', m);
		for (size_t i = 0; i < f->v.strv.n; i++) {
			if (i)
				fputc(',', m);
			cli_write_json_string(m, f->v.strv.v[i], strlen(f->v.strv.v[i]));
		}
		fputc(']', m);
		break;
	default: fputs("null", m); break;
	}
}

static void render_json(struct emit *e)
{
	FILE *m = e->mem;
	bool first = false;

	fputs("{\"event\":", m);
	cli_write_json_string(m, e->event, strlen(e->event));
	for (int i = 0; i < e->nf; i++) {
		const struct emit_field *f = &e->f[i];

		if (f->type == EF_TEXT)
			continue;
		if (f->type == EF_END) {
			fputc('}', m);
			first = false;
			continue;
		}
		if (!first)
			fputc(',', m);
		first = false;
		if (f->type == EF_DATA) {
			bool utf8 = cli_utf8_valid(f->v.data.p, f->v.data.len);

			fputs(utf8 ? "\"data\":" : "\"data_base64\":", m);
			(utf8 ? cli_write_json_string : cli_write_base64)(m, f->v.data.p,
									 f->v.data.len);
			continue;
		}
		cli_write_json_string(m, f->name, strlen(f->name));
		fputc(':', m);
		if (f->type == EF_OBJ) {
			fputc('{', m);
			first = true;
			continue;
		}
		json_value(m, f);
	}
	fputc('}', m);
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

		if (f->type == EF_END) {
			if (depth > 0)
				plen = stack[--depth];
			continue;
		}
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
	default: json_value(m, f); break;
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

static void render_text(struct emit *e, const char *t)
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

int emit_end(struct emit *e, enum emit_kind kind, const char *tmpl)
{
	FILE *out = e->out;
	off_t len;

	if (!e->mem) {
		errno = ENOMEM;
		return -1;
	}
	rewind(e->mem);
	if (e->json)
		render_json(e);
	else
		render_text(e, tmpl ? tmpl : "");
	fflush(e->mem);
	len = ftello(e->mem);
	e->len = len > 0 ? (size_t)len : 0;
	/* glibc keeps room for a NUL past the position after a flush. */
	if (e->buf)
		e->buf[e->len] = '\0';
	if (!out)
		return 0;
	if (!e->json && kind == EMIT_INFO) {
		cli_info("%s", e->buf ? e->buf : "");
		return 0;
	}
	if (fwrite(e->buf, 1, e->len, out) != e->len || putc('\n', out) == EOF ||
	    fflush(out) == EOF)
		return -1;
	return 0;
}

int emit_failed(struct emit *e)
{
	if (errno == EPIPE) {
		e->closed = true;
		return EXIT_OK;
	}
	cli_err("writing output: %s", strerror(errno));
	return EXIT_FAIL;
}

const char *emit_record(const struct emit *e, size_t *len)
{
	if (len)
		*len = e->len;
	return e->buf ? e->buf : "";
}
