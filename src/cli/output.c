/*
 * output.c - payloads as escaped text, hex, JSON and base64; times as
 * RFC 3339. Everything a remote sender controls passes through here, so
 * nothing it sends may reach the terminal as a control byte.
 */
#include "cli/output.h"

#include <stdint.h>
#include <string.h>

/*
 * Length of the well-formed UTF-8 sequence at p (n bytes left), or 0 if
 * the bytes there are not one. Follows the table in RFC 3629 section 4.
 */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t b = p[0];
	size_t len;
	uint32_t c, min;

	if (b < 0x80) {
		*cp = b;
		return 1;
	} else if (b >= 0xc2 && b <= 0xdf) {
		len = 2, c = b & 0x1f, min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3, c = b & 0x0f, min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4, c = b & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool cli_utf8_valid(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i, &cp);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static const char hexdig[] = "0123456789abcdef";

static int put_hex_escape(FILE *f, uint8_t b)
{
	char e[4] = {'\\', 'x', hexdig[b >> 4], hexdig[b & 15]};

	return fwrite(e, 1, 4, f) == 4 ? 0 : -1;
}

int cli_write_escaped(FILE *f, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		uint8_t b = p[i];
		size_t n;

		if (b == '\\' || b == '\t' || b == '\n' || b == '\r') {
			char e[2] = {'\\', b == '\\' ? '\\' : b == '\t' ? 't'
						     : b == '\n' ? 'n' : 'r'};

			if (fwrite(e, 1, 2, f) != 2)
				return -1;
			i++;
			continue;
		}
		n = utf8_seq(p + i, len - i, &cp);
		/* Printable ASCII, or a non-ASCII character that is not a C1
		 * control (U+0080..U+009F act like ESC sequences on terminals). */
		if (n && ((cp >= 0x20 && cp < 0x7f) || cp >= 0xa0)) {
			if (fwrite(p + i, 1, n, f) != n)
				return -1;
			i += n;
			continue;
		}
		/* A control or an invalid byte: escape one byte, resync after. */
		if (put_hex_escape(f, b) < 0)
			return -1;
		i++;
	}
	return ferror(f) ? -1 : 0;
}

int cli_write_hex(FILE *f, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		char h[3] = {' ', hexdig[p[i] >> 4], hexdig[p[i] & 15]};

		if (fwrite(i ? h : h + 1, 1, i ? 3 : 2, f) != (i ? 3u : 2u))
			return -1;
	}
	return ferror(f) ? -1 : 0;
}

int cli_write_json_string(FILE *f, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (putc('"', f) == EOF)
		return -1;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = p[i];
		const char *e = NULL;
		char u[7];

		switch (b) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			if (b < 0x20) {
				u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
				u[4] = hexdig[b >> 4], u[5] = hexdig[b & 15], u[6] = 0;
				e = u;
			}
		}
		if (e ? fputs(e, f) == EOF : putc(b, f) == EOF)
			return -1;
	}
	return putc('"', f) == EOF ? -1 : 0;
}

int cli_write_base64(FILE *f, const void *data, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *p = data;

	if (putc('"', f) == EOF)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t left = len - i;
		char o[4];

		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		o[0] = tab[v >> 18];
		o[1] = tab[(v >> 12) & 63];
		o[2] = left > 1 ? tab[(v >> 6) & 63] : '=';
		o[3] = left > 2 ? tab[v & 63] : '=';
		if (fwrite(o, 1, 4, f) != 4)
			return -1;
	}
	return putc('"', f) == EOF ? -1 : 0;
}

int cli_format_rfc3339(const struct timespec *t, char *buf, size_t len)
{
	struct tm tm;
	long us = t->tv_nsec / 1000;

	/* A timespec from elsewhere may be unnormalised: never print junk. */
	if (us < 0 || us > 999999)
		us = 0;
	/* RFC 3339 has four-digit years: 0000 to 9999 (compared without
	 * adding 1900 to tm_year, which could overflow). */
	if (!gmtime_r(&t->tv_sec, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return -1;
	return snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec, us);
}
