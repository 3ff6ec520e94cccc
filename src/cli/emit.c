/*
 * emit.c - records to JSON lines or to text from a template (emit_text.c).
 * The one place that decides escaping and number formats for everything
 * the tool reports.
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

/* More scratch space than the record's own: a block of at least 4 KiB. */
struct emit_block {
	struct emit_block *next;
	size_t used, size;
	char data[];
};

void emit_free(struct emit *e)
{
	if (e->mem)
		fclose(e->mem);
	free(e->buf);
	free(e->f);
	while (e->more) {
		struct emit_block *b = e->more;

		e->more = b->next;
		free(b);
	}
	e->mem = NULL;
	e->buf = NULL;
	e->f = NULL;
	e->nf = e->cap = 0;
}

void emit_begin(struct emit *e, const char *event)
{
	e->event = event;
	e->nf = 0;
	e->used = 0;
	for (struct emit_block *b = e->more; b; b = b->next)
		b->used = 0;
	e->overflow = false;
}

/* Room for one more field: the table doubles up to EMIT_MAX_FIELDS. */
static bool grow(struct emit *e)
{
	int cap = e->cap ? e->cap * 2 : 64;
	struct emit_field *f;

	if (e->nf >= EMIT_MAX_FIELDS)
		return false;
	if (cap > EMIT_MAX_FIELDS)
		cap = EMIT_MAX_FIELDS;
	f = realloc(e->f, (size_t)cap * sizeof(*f));
	if (!f)
		return false;
	e->f = f;
	e->cap = cap;
	return true;
}

static struct emit_field *add(struct emit *e, const char *name, enum emit_type t)
{
	if (e->nf >= e->cap && !grow(e)) {
		e->overflow = true;
		return NULL;
	}
	e->f[e->nf] = (struct emit_field){.name = name, .type = t};
	return &e->f[e->nf++];
}

/* Room in the record's scratch space, or NULL (no memory: the field is
 * dropped). Strings stay where they are until the next emit_begin(). */
static char *scratch(struct emit *e, size_t n)
{
	struct emit_block *b;
	char *p;

	if (e->used + n <= sizeof(e->scratch)) {
		p = e->scratch + e->used;
		e->used += n;
		return p;
	}
	for (b = e->more; b && b->used + n > b->size; b = b->next)
		;
	if (!b) {
		size_t size = n > 4096 ? n : 4096;

		b = malloc(sizeof(*b) + size);
		if (!b) {
			e->overflow = true;
			return NULL;
		}
		*b = (struct emit_block){.next = e->more, .size = size};
		e->more = b;
	}
	p = b->data + b->used;
	b->used += n;
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

void emit_arr(struct emit *e, const char *name)
{
	add(e, name, EF_ARR);
}

void emit_arr_end(struct emit *e)
{
	add(e, NULL, EF_ARR_END);
}

void emit_json_value(FILE *m, const struct emit_field *f)
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

/* A payload as "data" (valid UTF-8) or "data_base64". */
static void json_data(FILE *m, const struct emit_field *f)
{
	bool utf8 = cli_utf8_valid(f->v.data.p, f->v.data.len);

	fputs(utf8 ? "\"data\":" : "\"data_base64\":", m);
	(utf8 ? cli_write_json_string : cli_write_base64)(m, f->v.data.p, f->v.data.len);
}

/*
 * The record as one JSON object. Nesting is followed with a depth and one
 * bit per level (set: an array, whose values have no names); containers
 * left open by dropped fields are closed at the end, so the line stays
 * JSON.
 */
static void render_json(struct emit *e)
{
	FILE *m = e->mem;
	uint64_t arrays = 0;
	int depth = 0;
	bool first = false;

	fputs("{\"event\":", m);
	cli_write_json_string(m, e->event, strlen(e->event));
	for (int i = 0; i < e->nf; i++) {
		const struct emit_field *f = &e->f[i];
		bool in_arr = depth > 0 && depth <= 64 && (arrays >> (depth - 1)) & 1;

		if (f->type == EF_TEXT)
			continue;
		if (f->type == EF_END || f->type == EF_ARR_END) {
			if (depth > 0)
				fputc(in_arr ? ']' : '}', m);
			depth -= depth > 0;
			first = false;
			continue;
		}
		if (!first)
			fputc(',', m);
		first = false;
		if (f->type == EF_DATA && !in_arr) {
			json_data(m, f);
			continue;
		}
		if (!in_arr) {
			cli_write_json_string(m, f->name, strlen(f->name));
			fputc(':', m);
		}
		if (f->type == EF_OBJ || f->type == EF_ARR) {
			fputc(f->type == EF_OBJ ? '{' : '[', m);
			if (depth < 64)
				arrays = (arrays & ~(1ULL << depth)) |
					 ((uint64_t)(f->type == EF_ARR) << depth);
			depth++;
			first = true;
			continue;
		}
		emit_json_value(m, f);
	}
	for (; depth > 0; depth--)
		fputc(depth <= 64 && (arrays >> (depth - 1)) & 1 ? ']' : '}', m);
	fputc('}', m);
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
		emit_render_text(e, tmpl ? tmpl : "");
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
