/*
 * parse.c - numbers, durations and sizes, checked to the last character.
 */
#include "cli/parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * Read decimal digits at *s into *v, consuming every digit even past an
 * overflow, so the caller can reject trailing junk as malformed (-EINVAL)
 * before it reports a number too large (-ERANGE). -EINVAL if no digit.
 */
static int digits(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;
	bool over = false;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			over = true;
		else
			n = n * 10 + d;
	}
	*s = p;
	*v = n;
	return over ? -ERANGE : 0;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int rc = digits(&s, &v);

	if (rc == -EINVAL || *s != '\0')
		return -EINVAL;
	if (rc == 0 && (v < min || v > max))
		rc = -ERANGE;
	if (rc == 0)
		*out = v;
	return rc;
}

int cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{"ns", 1},
		{"us", 1000},
		{"ms", 1000000},
		{"s", 1000000000ULL},
		{"m", 60 * 1000000000ULL},
		{"h", 3600 * 1000000000ULL},
		{"", 1000000000ULL},
	};
	uint64_t whole, frac = 0, scale = 1;
	unsigned __int128 total;
	int rc = digits(&s, &whole);

	if (rc == -EINVAL)
		return rc;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		/* Nine fractional digits reach nanoseconds of a second. */
		for (int n = 0; *s >= '0' && *s <= '9'; s++, n++) {
			if (n == 9)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].name) != 0)
			continue;
		total = (unsigned __int128)whole * units[i].ns +
			(unsigned __int128)frac * units[i].ns / scale;
		if (rc == -ERANGE || total > max_ns)
			return -ERANGE;
		*out = (uint64_t)total;
		return 0;
	}
	return -EINVAL;
}

int cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v, mult = 1;
	int rc = digits(&s, &v);

	if (rc == -EINVAL)
		return rc;
	switch (*s) {
	case 'k': case 'K': mult = 1ULL << 10; s++; break;
	case 'm': case 'M': mult = 1ULL << 20; s++; break;
	case 'g': case 'G': mult = 1ULL << 30; s++; break;
	default: break;
	}
	/* "64k", "64kB", "64KiB" are all 65536; a bare "B" is bytes. */
	if (strcasecmp(s, "") != 0 && strcasecmp(s, "b") != 0 &&
	    !(mult > 1 && strcasecmp(s, "ib") == 0))
		return -EINVAL;
	if (rc == -ERANGE || v > UINT64_MAX / mult)
		return -ERANGE;
	v *= mult;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_format_duration(uint64_t ns, char *buf, unsigned long len)
{
	if (ns && ns % 3600000000000ULL == 0)
		return snprintf(buf, len, "%lluh", (unsigned long long)(ns / 3600000000000ULL));
	if (ns && ns % 60000000000ULL == 0)
		return snprintf(buf, len, "%llum", (unsigned long long)(ns / 60000000000ULL));
	if (ns % 1000000000ULL == 0)
		return snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000ULL));
	if (ns % 1000000ULL == 0)
		return snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000ULL));
	if (ns % 1000ULL == 0)
		return snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000ULL));
	return snprintf(buf, len, "%lluns", (unsigned long long)ns);
}
