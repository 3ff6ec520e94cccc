/*
 * mqtt_url.c - broker URLs and topic patterns for `mcast bridge`.
 */
#include "cli/mqtt_url.h"
#include "cli/output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode USER (n bytes, %XX escapes) into out; -EINVAL for a bad escape,
 * a NUL, a control character or too long a name. */
static int decode_user(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= cap)
			return -EINVAL;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* A host name or IPv4 address: letters, digits, '-', '.', '_'. */
static bool name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	return n > 0;
}

/* Inside brackets: hex digits, ':' and '.', then an optional %SCOPE. */
static bool v6_ok(const char *s, size_t n)
{
	size_t i = 0;
	bool colon = false;

	for (; i < n && s[i] != '%'; i++) {
		if (s[i] == ':')
			colon = true;
		else if (hexval(s[i]) < 0 && s[i] != '.')
			return false;
	}
	if (i < n && !name_ok(s + i + 1, n - i - 1))
		return false;
	return colon;
}

/* Parse "HOST[:PORT]" (n bytes) into u. */
static int parse_hostport(struct mqtt_url *u, const char *s, size_t n, char *err,
			  size_t errlen)
{
	const char *end = s + n, *hs = s, *he, *colon;
	unsigned long port = u->tls ? 8883 : 1883;

	if (n && *s == '[') {
		he = memchr(s, ']', n);
		if (!he)
			return fail(err, errlen, "unclosed '[' in the host");
		hs = s + 1;
		if (!v6_ok(hs, (size_t)(he - hs)))
			return fail(err, errlen, "'%.*s' is not an IPv6 address",
				    (int)(he - hs), hs);
		colon = he + 1 < end ? he + 1 : NULL;
		if (colon && *colon != ':')
			return fail(err, errlen, "junk after ']' in the host");
	} else {
		colon = memchr(s, ':', n);
		he = colon ? colon : end;
		if (he == hs)
			return fail(err, errlen, "no host");
		if (!name_ok(hs, (size_t)(he - hs)))
			return fail(err, errlen, "'%.*s' is not a host name or address",
				    (int)(he - hs), hs);
	}
	if ((size_t)(he - hs) >= sizeof(u->host))
		return fail(err, errlen, "host name too long");
	if (colon) {
		const char *p = colon + 1;

		port = 0;
		if (p == end)
			return fail(err, errlen, "empty port");
		for (; p < end; p++) {
			if (*p < '0' || *p > '9' || port > 65535)
				return fail(err, errlen, "port '%.*s' is not a number 1-65535",
					    (int)(end - colon - 1), colon + 1);
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port < 1 || port > 65535)
			return fail(err, errlen, "port '%.*s' is not a number 1-65535",
				    (int)(end - colon - 1), colon + 1);
	}
	memcpy(u->host, hs, (size_t)(he - hs));
	u->host[he - hs] = '\0';
	u->port = (uint16_t)port;
	return 0;
}

/* The placeholders, and whether each varies per datagram. */
static const struct {
	const char *name;
	bool varies;
} names[] = {
	{"group", false}, {"port", false}, {"source", true},
	{"source_port", true}, {"iface", true},
};

static const char *var_value(const struct mqtt_topic_vars *v, size_t k)
{
	const char *s[] = {v->group, v->port, v->source, v->source_port, v->iface};

	return s[k] ? s[k] : "";
}

/* At pat[*i] == '{': which placeholder (index into names), advancing *i
 * past its '}'; -1 for "{{" (a literal brace), -2 when malformed. */
static int placeholder(const char *pat, size_t *i)
{
	const char *close;

	if (pat[*i + 1] == '{') {
		*i += 2;
		return -1;
	}
	close = strchr(pat + *i + 1, '}');
	if (!close)
		return -2;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		size_t len = strlen(names[k].name);

		if ((size_t)(close - pat - (long)*i - 1) == len &&
		    strncmp(pat + *i + 1, names[k].name, len) == 0) {
			*i = (size_t)(close - pat) + 1;
			return (int)k;
		}
	}
	return -2;
}

/*
 * The one walk over a pattern: copy text, expand each placeholder (with
 * filter, a per-datagram one becomes "+"). Values never add levels or
 * wildcards: '/', '+' and '#' in them become '_'.
 */
static long walk(const char *pat, const struct mqtt_topic_vars *v, bool filter,
		 char *out, size_t cap)
{
	size_t o = 0, i = 0;

	while (pat[i]) {
		const char *val = NULL;
		char lit = pat[i];
		int k = -3;

		if (lit == '{')
			k = placeholder(pat, &i);
		else if (lit == '}' && pat[i + 1] == '}')
			i += 2;
		else if (lit == '}')
			return -EINVAL;
		else
			i++;
		if (k == -2)
			return -EINVAL;
		if (k >= 0)
			val = filter && names[k].varies ? "+" : var_value(v, (size_t)k);
		for (size_t j = 0; val ? val[j] != '\0' : j < 1; j++) {
			char c = val ? val[j] : lit;

			if (val && !(filter && names[k].varies) &&
			    (c == '/' || c == '+' || c == '#'))
				c = '_';
			if (o + 1 >= cap)
				return -ENOSPC;
			out[o++] = c;
		}
	}
	if (cap == 0)
		return -ENOSPC;
	out[o] = '\0';
	return (long)o;
}

long mqtt_topic_expand(const char *pat, const struct mqtt_topic_vars *v, char *out,
		       size_t cap)
{
	return walk(pat, v, false, out, cap);
}

/* Every '+' and '#' of topic is a whole level, and '#' is the last. */
static bool wildcards_ok(const char *t)
{
	for (size_t i = 0; t[i]; i++) {
		bool start = i == 0 || t[i - 1] == '/';
		bool end = t[i + 1] == '\0' || t[i + 1] == '/';

		if (t[i] == '+' && !(start && end))
			return false;
		if (t[i] == '#' && !(start && t[i + 1] == '\0'))
			return false;
	}
	return true;
}

long mqtt_topic_filter(const char *pat, const struct mqtt_topic_vars *v, char *out,
		       size_t cap, char *err, size_t errlen)
{
	long n = walk(pat, v, true, out, cap);

	if (n == -EINVAL)
		return fail(err, errlen, "unknown placeholder or unmatched brace");
	if (n >= 0 && !wildcards_ok(out))
		return fail(err, errlen, "{source}, {source_port} and {iface} must "
					 "each be a whole topic level to subscribe");
	return n;
}

bool mqtt_topic_has_wildcard(const char *topic)
{
	return strpbrk(topic, "+#") != NULL;
}

bool mqtt_topic_varies(const char *pat)
{
	for (size_t i = 0; pat[i];) {
		int k = pat[i] == '{' ? placeholder(pat, &i) : (i++, -3);

		if (k >= 0 && names[k].varies)
			return true;
	}
	return false;
}

/* Check the topic pattern: placeholders, UTF-8, wildcard levels. */
static int check_topic(const char *t, char *err, size_t errlen)
{
	static const struct mqtt_topic_vars dummy = {"g", "1", "s", "1", "i"};
	char tmp[MQTT_TOPIC_MAX + 64];

	if (!*t)
		return fail(err, errlen, "no topic after the host (mqtt://HOST/TOPIC)");
	if (!cli_utf8_valid(t, strlen(t)))
		return fail(err, errlen, "the topic is not valid UTF-8");
	for (size_t i = 0; t[i]; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return fail(err, errlen, "a control character in the topic");
	if (walk(t, &dummy, false, tmp, sizeof(tmp)) == -EINVAL)
		return fail(err, errlen, "unknown placeholder or unmatched brace in "
					 "the topic (known: {group} {port} {source} "
					 "{source_port} {iface}; {{ and }} for braces)");
	if (!wildcards_ok(t))
		return fail(err, errlen, "'+' and '#' must each be a whole topic "
					 "level, '#' the last");
	return 0;
}

int mqtt_url_parse(struct mqtt_url *out, const char *text, char *err, size_t errlen)
{
	struct mqtt_url u;
	const char *rest, *slash, *at;
	size_t tlen;
	int rc;

	memset(&u, 0, sizeof(u));
	if (strncasecmp(text, "mqtt://", 7) == 0) {
		rest = text + 7;
	} else if (strncasecmp(text, "mqtts://", 8) == 0) {
		rest = text + 8;
		u.tls = true;
	} else {
		return fail(err, errlen, "must start with mqtt:// or mqtts://");
	}
	slash = strchr(rest, '/');
	if (!slash)
		return fail(err, errlen, "no topic after the host (mqtt://HOST/TOPIC)");
	at = memrchr(rest, '@', (size_t)(slash - rest));
	if (at) {
		if (memchr(rest, ':', (size_t)(at - rest)))
			return fail(err, errlen, "a password in the URL would show in "
						 "ps and shell history: use "
						 "--password-file");
		if (at == rest)
			return fail(err, errlen, "empty user name before '@'");
		if (decode_user(rest, (size_t)(at - rest), u.user, sizeof(u.user)) < 0)
			return fail(err, errlen, "bad user name (a %%XX escape, a control "
						 "character, or too long)");
		rest = at + 1;
	}
	rc = parse_hostport(&u, rest, (size_t)(slash - rest), err, errlen);
	if (rc)
		return rc;
	tlen = strlen(slash + 1);
	if (tlen >= sizeof(u.topic))
		return fail(err, errlen, "topic longer than %d bytes", MQTT_TOPIC_MAX - 1);
	memcpy(u.topic, slash + 1, tlen + 1);
	rc = check_topic(u.topic, err, errlen);
	if (rc)
		return rc;
	*out = u;
	return 0;
}
