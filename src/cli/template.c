/*
 * template.c - compile a template once into pieces, expand it per datagram.
 */
#include "cli/template.h"
#include "cli/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { LIT, SEQ, TIME, LOCALTIME, EPOCH, EPOCH_MS, HOST, PID };

static const struct {
	const char *name;
	enum kind kind;
} names[] = {
	{"seq", SEQ},	  {"time", TIME},	  {"localtime", LOCALTIME},
	{"epoch", EPOCH}, {"epoch_ms", EPOCH_MS}, {"host", HOST},
	{"pid", PID},
};

struct piece {
	enum kind kind;
	size_t off, len; /* literal text in t->text */
};

struct tmpl {
	char *text; /* literal bytes, braces unescaped */
	struct piece *p;
	size_t n;
};

static int add(struct tmpl *t, size_t *cap, enum kind kind, size_t off,
	       size_t len)
{
	if (kind == LIT && t->n && t->p[t->n - 1].kind == LIT &&
	    t->p[t->n - 1].off + t->p[t->n - 1].len == off) {
		t->p[t->n - 1].len += len;
		return 0;
	}
	if (t->n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		struct piece *p = realloc(t->p, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->p = p;
		*cap = c;
	}
	t->p[t->n++] = (struct piece){kind, off, len};
	return 0;
}

int tmpl_compile(const char *text, struct tmpl **out, char *err, size_t errlen)
{
	size_t len = strlen(text), w = 0, cap = 0;
	struct tmpl *t = calloc(1, sizeof(*t));
	int rc = 0;

	*out = NULL;
	if (!t || !(t->text = malloc(len + 1))) {
		free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < len && rc == 0;) {
		const char *close;
		size_t k, nlen;

		if ((text[i] == '{' || text[i] == '}') && text[i + 1] == text[i]) {
			t->text[w] = text[i];
			rc = add(t, &cap, LIT, w++, 1);
			i += 2;
			continue;
		}
		if (text[i] != '{') {
			t->text[w] = text[i++];
			rc = add(t, &cap, LIT, w++, 1);
			continue;
		}
		close = strchr(text + i, '}');
		if (!close) {
			snprintf(err, errlen, "unclosed '{' in template (write {{ for a brace)");
			rc = -EINVAL;
			break;
		}
		nlen = (size_t)(close - text) - i - 1;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k].name) == nlen &&
			    memcmp(names[k].name, text + i + 1, nlen) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0])) {
			snprintf(err, errlen,
				 "unknown placeholder {%.*s} in template (known: {seq} {time} "
				 "{localtime} {epoch} {epoch_ms} {host} {pid})",
				 (int)(nlen > 40 ? 40 : nlen), text + i + 1);
			rc = -EINVAL;
			break;
		}
		rc = add(t, &cap, names[k].kind, 0, 0);
		i += nlen + 2;
	}
	if (rc < 0) {
		tmpl_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* RFC 3339 local time with offset: 2026-11-24T14:08:00.123+01:00. */
static int local_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char date[32], zone[8];

	if (!localtime_r(&ts->tv_sec, &tm) ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
	    strftime(zone, sizeof(zone), "%z", &tm) != 5)
		return -1;
	return snprintf(buf, len, "%s.%03ld%.3s:%s", date,
			(long)(ts->tv_nsec / 1000000) % 1000, zone, zone + 3);
}

/* Milliseconds since 1970, written without multiplying (which could
 * overflow for absurd clocks): the seconds, then three digits. */
static int epoch_ms(const struct timespec *ts, char *buf, size_t len)
{
	long ms = ts->tv_nsec / 1000000;

	if (ms < 0 || ms > 999)
		ms = 0;
	if (ts->tv_sec > 0)
		return snprintf(buf, len, "%lld%03ld", (long long)ts->tv_sec, ms);
	if (ts->tv_sec == 0)
		return snprintf(buf, len, "%ld", ms);
	/* Before 1970: tv_sec -2 with 750 ms is -1.250 s, -1250 ms. */
	if (ms == 0)
		return snprintf(buf, len, "%lld000", (long long)ts->tv_sec);
	return snprintf(buf, len, "-%lld%03ld", -((long long)ts->tv_sec + 1),
			1000 - ms);
}

long tmpl_expand(const struct tmpl *t, const struct tmpl_vars *v, char *buf,
		 size_t cap)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct piece *p = &t->p[i];
		char tmp[64];
		const char *s = tmp;
		long n;

		switch (p->kind) {
		case LIT:
			s = t->text + p->off;
			n = (long)p->len;
			break;
		case SEQ:
			n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->seq);
			break;
		case TIME:
			n = cli_format_rfc3339(&v->now, tmp, sizeof(tmp));
			break;
		case LOCALTIME:
			n = local_time(&v->now, tmp, sizeof(tmp));
			break;
		case EPOCH:
			n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v->now.tv_sec);
			break;
		case EPOCH_MS:
			n = epoch_ms(&v->now, tmp, sizeof(tmp));
			break;
		case HOST:
			s = v->host ? v->host : "";
			n = (long)strlen(s);
			break;
		case PID:
		default:
			n = snprintf(tmp, sizeof(tmp), "%ld", v->pid);
			break;
		}
		if (n < 0)
			n = 0;
		if ((size_t)n > cap - w)
			return -ENOSPC;
		memcpy(buf + w, s, (size_t)n);
		w += (size_t)n;
	}
	return (long)w;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	free(t->text);
	free(t->p);
	free(t);
}
