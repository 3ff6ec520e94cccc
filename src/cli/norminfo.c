/*
 * norminfo.c - parse, check and write the info of a NORM file object (see
 * norminfo.h and docs/PROTOCOL.md). Pure code: no I/O, no allocation.
 */
#include "cli/norminfo.h"

#include <stdio.h>
#include <string.h>

static const char *const reasons[NI_NKINDS][2] = {
	[NI_OK] = {"accepted", "ok"},
	[NI_EMPTY] = {"empty name", "empty"},
	[NI_ABSOLUTE] = {"absolute path", "absolute"},
	[NI_DOTDOT] = {"'..' component", "dotdot"},
	[NI_DOT] = {"empty or '.' component", "dot"},
	[NI_CONTROL] = {"control character", "control"},
	[NI_NUL] = {"NUL byte", "nul"},
	[NI_TOO_LONG] = {"name too long or too deep", "too_long"},
	[NI_RESERVED] = {"reserved name", "reserved"},
};

const char *norminfo_reason(enum norminfo_bad why)
{
	return (unsigned)why < NI_NKINDS ? reasons[why][0] : "unknown";
}

const char *norminfo_key(enum norminfo_bad why)
{
	return (unsigned)why < NI_NKINDS ? reasons[why][1] : "unknown";
}

/* Check one path component of n bytes (no '/' inside). */
static enum norminfo_bad check_component(const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return NI_DOT;
	if (n == 2 && c[0] == '.' && c[1] == '.')
		return NI_DOTDOT;
	if (n > 255)
		return NI_TOO_LONG;
	return NI_OK;
}

enum norminfo_bad norminfo_check_name(const char *name, size_t len)
{
	size_t start = 0, depth = 0;

	if (len == 0)
		return NI_EMPTY;
	if (name[0] == '/')
		return NI_ABSOLUTE;
	/* Bytes first: a control byte or NUL is refused whatever else. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == 0)
			return NI_NUL;
		if (c < 0x20 || c == 0x7f)
			return NI_CONTROL;
	}
	if (len > NORMINFO_NAME_MAX)
		return NI_TOO_LONG;
	for (size_t i = 0; i <= len; i++) {
		enum norminfo_bad why;

		if (i < len && name[i] != '/')
			continue;
		why = check_component(name + start, i - start);
		if (why != NI_OK)
			return why;
		if (++depth > NORMINFO_DEPTH)
			return NI_TOO_LONG;
		start = i + 1;
	}
	if (len >= strlen(NORMINFO_TMP_PREFIX) &&
	    memcmp(name, NORMINFO_TMP_PREFIX, strlen(NORMINFO_TMP_PREFIX)) == 0)
		return NI_RESERVED;
	return NI_OK;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Parse "mcast1 size=N sha256=HEX" (exactly, n bytes) into out. Returns
 * false when it is anything else. Decimal without leading zeros (but "0"),
 * at most 2^63 - 1; lowercase hex only, so each checksum has one spelling.
 */
static bool parse_sum(const char *p, size_t n, struct norminfo *out)
{
	static const char head[] = "mcast1 size=", mid[] = " sha256=";
	size_t i = sizeof(head) - 1, digits = 0;
	uint64_t v = 0;

	if (n < i || memcmp(p, head, i) != 0)
		return false;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(p[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++, digits++;
	}
	if (digits == 0 || (digits > 1 && p[i - digits] == '0'))
		return false;
	if (n - i != sizeof(mid) - 1 + 64 || memcmp(p + i, mid, sizeof(mid) - 1) != 0)
		return false;
	i += sizeof(mid) - 1;
	for (size_t k = 0; k < 32; k++) {
		int hi = hexval(p[i + 2 * k]), lo = hexval(p[i + 2 * k + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out->sha256[k] = (uint8_t)(hi << 4 | lo);
	}
	out->size = v;
	out->has_sum = true;
	return true;
}

enum norminfo_bad norminfo_parse(const void *info, size_t len, struct norminfo *out)
{
	const char *p = info;
	const char *nul = len ? memchr(p, '\0', len) : NULL;
	size_t name_len = nul ? (size_t)(nul - p) : len;
	enum norminfo_bad why;

	const char *rest = nul ? nul + 1 : NULL;
	size_t rest_len = nul ? len - name_len - 1 : 0;
	const char *nul2 = rest_len ? memchr(rest, '\0', rest_len) : NULL;
	size_t sum_len = nul2 ? (size_t)(nul2 - rest) : rest_len;

	memset(out, 0, sizeof(*out));
	/* A second NUL starts the signature part, which is never empty. */
	if (nul && (!parse_sum(rest, sum_len, out) || (nul2 && sum_len + 1 == rest_len))) {
		memset(out, 0, sizeof(*out));
		name_len = len; /* the NUL belongs to the name, which is refused */
	} else if (nul2) {
		out->body_len = name_len + 1 + sum_len;
		out->env_off = out->body_len + 1;
		out->env_len = len - out->env_off;
	}
	why = norminfo_check_name(p, name_len);
	if (why != NI_OK) {
		memset(out, 0, sizeof(*out));
		return why;
	}
	memcpy(out->name, p, name_len);
	out->name[name_len] = '\0';
	out->name_len = name_len;
	return NI_OK;
}

size_t norminfo_format(char *buf, size_t cap, const char *name, uint64_t size,
		       const uint8_t sha256[32])
{
	size_t n = strlen(name);
	int m;

	if (n + 1 >= cap)
		return 0;
	memcpy(buf, name, n);
	buf[n++] = '\0';
	m = snprintf(buf + n, cap - n, "mcast1 size=%llu sha256=", (unsigned long long)size);
	if (m < 0 || (size_t)m + 64 >= cap - n)
		return 0;
	n += (size_t)m;
	for (int k = 0; k < 32; k++) {
		static const char hex[] = "0123456789abcdef";

		buf[n++] = hex[sha256[k] >> 4];
		buf[n++] = hex[sha256[k] & 15];
	}
	return n;
}
