/*
 * emit.h - the one writer of records (after curl's tool_writeout_json.c).
 *
 * A record is an event name and typed fields, built with emit_begin(), the
 * field calls and emit_end(). With JSON it becomes one object on a line:
 * {"event":NAME, fields in the order given}. As text it is rendered from a
 * template the caller gives to emit_end():
 *
 *   {name}         the field's value (numbers as given, data escaped or in
 *                  hex, addresses as text); {obj.name} inside an object
 *   {name?ONE:MANY} ONE when the numeric field is 1, else MANY (plurals:
 *                  "datagram{n?:s}", "repl{n?y:ies}")
 *   {name,W}       the value padded to W columns, right-aligned; {name,-W}
 *                  left-aligned (tables)
 *   {{ and }}      literal braces
 *
 * An array (emit_arr() ... emit_arr_end()) holds unnamed values: scalars,
 * or objects opened with emit_obj(e, NULL). It is written in JSON only; a
 * template cannot name it or anything inside it (use emit_strv() for a list
 * that text shows too).
 *
 * Text records of kind EMIT_DATA go to the output stream; EMIT_INFO ones to
 * stderr as "mcast: ..." unless -q (summaries and progress). JSON records
 * of either kind go to the output stream, so `--json > file` has them all.
 * With no output stream (out NULL) the rendered record is kept in a buffer
 * for the caller (the MQTT bridge publishes it).
 *
 * A field's name and string values must stay valid until emit_end().
 */
#ifndef MCAST_CLI_EMIT_H
#define MCAST_CLI_EMIT_H

#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* The fields of one record, nested ones included; more are dropped. The
 * field table and the scratch space grow as a record needs them, so an
 * interface with a thousand groups is one record. */
#define EMIT_MAX_FIELDS (1 << 18)

enum emit_kind { EMIT_DATA, EMIT_INFO };

/* How {data} renders as text. */
enum emit_payload { EMIT_ESCAPED, EMIT_HEX };

enum emit_type {
	EF_STR, EF_TEXT, EF_U64, EF_I64, EF_DBL, EF_BOOL, EF_NULL,
	EF_DATA, EF_OBJ, EF_END, EF_STRV, EF_ARR, EF_ARR_END
};

struct emit_field {
	const char *name;
	enum emit_type type;
	int prec; /* digits after the point, for EF_DBL */
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		double d;
		bool b;
		struct {
			const void *p;
			size_t len;
		} data;
		struct {
			const char *const *v;
			size_t n;
		} strv;
	} v;
};

struct emit_block;

struct emit {
	FILE *out;  /* NULL: keep records in buf */
	bool json;
	enum emit_payload payload;
	/* The record being built. */
	const char *event;
	struct emit_field *f;
	int nf, cap;
	bool overflow;
	/* Formatted strings (addresses, times, ids) for this record: here,
	 * then in more blocks when a record needs them (kept for the next). */
	char scratch[2048];
	size_t used;
	struct emit_block *more;
	/* The rendered record. */
	FILE *mem;
	char *buf;
	size_t buflen, len;
	bool closed; /* the output's reader went away (emit_failed) */
};

/* Set up an emitter writing to out (NULL: to its buffer), JSON or text.
 * Returns 0 or -errno (no memory). */
int emit_init(struct emit *e, FILE *out, bool json);
void emit_free(struct emit *e);

void emit_begin(struct emit *e, const char *event);
void emit_str(struct emit *e, const char *name, const char *s);
/* A string for the text template only; JSON leaves it out. */
void emit_text(struct emit *e, const char *name, const char *s);
void emit_u64(struct emit *e, const char *name, uint64_t v);
void emit_i64(struct emit *e, const char *name, int64_t v);
void emit_dbl(struct emit *e, const char *name, double v, int prec);
void emit_bool(struct emit *e, const char *name, bool v);
void emit_null(struct emit *e, const char *name);
/* A 64-bit id as 16 hex digits, a string in JSON. */
void emit_id(struct emit *e, const char *name, uint64_t v);
/* An address without its port ("239.1.2.3", "ff15::1"); with_port adds
 * ":PORT" (bracketed IPv6) in both forms. */
void emit_addr(struct emit *e, const char *name, const mcast_addr *a, bool with_port);
/* A time as RFC 3339 UTC with microseconds. */
void emit_time(struct emit *e, const char *name, const struct timespec *t);
/* A payload: JSON "data" (valid UTF-8) or "data_base64"; text {data}. */
void emit_data(struct emit *e, const void *p, size_t len);
/* A list of strings: a JSON array, in text joined with ", ". */
void emit_strv(struct emit *e, const char *name, const char *const *v, size_t n);
/* A nested object (JSON) whose fields are {name.field} in text; name NULL
 * inside an array. */
void emit_obj(struct emit *e, const char *name);
void emit_obj_end(struct emit *e);
/* A JSON array: the fields up to emit_arr_end() are its values, their
 * names not written (NULL will do). */
void emit_arr(struct emit *e, const char *name);
void emit_arr_end(struct emit *e);

/*
 * Render the record and write it (text from tmpl; JSON ignores tmpl) and
 * flush. Returns 0, or -1 with errno set by the stream (EPIPE when the
 * reader went away).
 */
int emit_end(struct emit *e, enum emit_kind kind, const char *tmpl);

/*
 * After emit_end() failed. A reader that went away (EPIPE: `mcast ping |
 * head -1`) has what it wanted: e->closed is set and EXIT_OK returned, so
 * the run ends quietly. Any other failure is reported: EXIT_FAIL.
 */
int emit_failed(struct emit *e);

/* The last record rendered, without its newline (buffer emitters). */
const char *emit_record(const struct emit *e, size_t *len);

/* ---- Between emit.c and emit_text.c ---------------------------------- */

/* Write f's value as JSON (numbers, strings, lists; EF_TEXT never comes
 * here). */
void emit_json_value(FILE *m, const struct emit_field *f);
/* Render the record being built as text from template t into e->mem. */
void emit_render_text(struct emit *e, const char *t);

#endif
