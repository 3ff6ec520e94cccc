/*
 * fuzz_parse.c - cli_parse_uint(), cli_parse_duration(), cli_parse_size()
 * and cli_format_duration() (src/cli/parse.h) on arbitrary text.
 *
 * Each parser is compared with a small reference parser written here from
 * the contract in parse.h, and its range check is probed at the value it
 * returned. Durations must round-trip: parse(format(ns)) == ns, both for
 * the values parsed from the input and for the input's first eight bytes
 * taken as a number of nanoseconds.
 */
#include "fuzz.h"

#include "cli/parse.h"

#include <errno.h>
#include <strings.h>

/* Sentinel for "*out not written". */
#define UNTOUCHED 0xa5a5a5a5a5a5a5a5ULL

/*
 * Read a run of decimal digits at *s. Returns how many there were; sets
 * *overflow when their value does not fit in 64 bits.
 */
static size_t ref_digits(const char **s, uint64_t *v, bool *overflow)
{
	size_t n = 0;

	*v = 0;
	*overflow = false;
	for (; **s >= '0' && **s <= '9'; (*s)++, n++) {
		if (__builtin_mul_overflow(*v, 10, v) ||
		    __builtin_add_overflow(*v, (uint64_t)(**s - '0'), v))
			*overflow = true;
	}
	return n;
}

/*
 * The parsers stop at the first digit that overflows, so malformed text
 * whose leading number is too big gives -ERANGE, not -EINVAL. parse.h does
 * not say which wins; accept either there and insist on -EINVAL elsewhere.
 */
static bool rc_matches(int got, int want, bool overflow)
{
	return got == want || (overflow && want == -EINVAL && got == -ERANGE);
}

static int ref_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		    bool *overflow)
{
	uint64_t v;

	if (ref_digits(&s, &v, overflow) == 0 || *s != '\0')
		return -EINVAL;
	if (*overflow || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int ref_duration(const char *s, uint64_t max_ns, uint64_t *out,
			bool *overflow)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000},
		{"m", 60000000000}, {"h", 3600000000000}, {"", 1000000000},
	};
	uint64_t whole, frac = 0, scale = 1, unit = 0;
	unsigned __int128 total;
	bool frac_overflow;
	size_t n;

	if (ref_digits(&s, &whole, overflow) == 0)
		return -EINVAL;
	if (*s == '.') {
		s++;
		n = ref_digits(&s, &frac, &frac_overflow);
		if (n < 1 || n > 9)
			return -EINVAL;
		while (n--)
			scale *= 10;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && !unit; i++)
		if (strcmp(s, units[i].name) == 0)
			unit = units[i].ns;
	if (!unit)
		return -EINVAL;
	if (*overflow)
		return -ERANGE;
	total = (unsigned __int128)whole * unit +
		(unsigned __int128)frac * unit / scale;
	if (total > max_ns)
		return -ERANGE;
	*out = (uint64_t)total;
	return 0;
}

static int ref_size(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		    bool *overflow)
{
	uint64_t v, mult = 1;

	if (ref_digits(&s, &v, overflow) == 0)
		return -EINVAL;
	if (*s && strchr("kK", *s))
		mult = 1ULL << 10;
	else if (*s && strchr("mM", *s))
		mult = 1ULL << 20;
	else if (*s && strchr("gG", *s))
		mult = 1ULL << 30;
	if (mult > 1)
		s++;
	if (!(strcmp(s, "") == 0 || strcasecmp(s, "b") == 0 ||
	      (mult > 1 && strcasecmp(s, "ib") == 0)))
		return -EINVAL;
	if (*overflow || __builtin_mul_overflow(v, mult, &v) || v < min ||
	    v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

typedef int (*range_fn)(const char *, uint64_t, uint64_t, uint64_t *);

/*
 * A parser with bounds [min, max] must agree with the reference, and once
 * it has read v it must accept [v, v] and reject the bounds just past v.
 */
static void check_range(range_fn parse, const char *name,
			int (*ref)(const char *, uint64_t, uint64_t, uint64_t *,
				   bool *),
			const char *s)
{
	uint64_t got = UNTOUCHED, want = UNTOUCHED, v;
	bool overflow;
	int rc = parse(s, 0, UINT64_MAX, &got);
	int rrc = ref(s, 0, UINT64_MAX, &want, &overflow);

	FUZZ_CHECK(rc_matches(rc, rrc, overflow) && got == want,
		   "%s('%s') = %d, %llu; reference %d, %llu", name, s, rc,
		   (unsigned long long)got, rrc, (unsigned long long)want);
	if (rc != 0)
		return;
	v = got;
	FUZZ_CHECK(parse(s, v, v, &got) == 0 && got == v,
		   "%s('%s') rejects [%llu, %llu]", name, s,
		   (unsigned long long)v, (unsigned long long)v);
	got = UNTOUCHED;
	if (v < UINT64_MAX)
		FUZZ_CHECK(parse(s, v + 1, UINT64_MAX, &got) == -ERANGE &&
				   got == UNTOUCHED,
			   "%s('%s') = %llu passes min %llu", name, s,
			   (unsigned long long)v, (unsigned long long)v + 1);
	if (v > 0)
		FUZZ_CHECK(parse(s, 0, v - 1, &got) == -ERANGE &&
				   got == UNTOUCHED,
			   "%s('%s') = %llu passes max %llu", name, s,
			   (unsigned long long)v, (unsigned long long)v - 1);
}

/*
 * Format ns into buffers around the exact fit (snprintf semantics: the
 * full length returned, output cut and NUL-terminated), then parse the
 * text back. Returns nothing; aborts on a mismatch.
 */
static void check_duration_roundtrip(uint64_t ns)
{
	char full[64], *buf;
	uint64_t back = UNTOUCHED;
	int n = cli_format_duration(ns, full, sizeof(full)), rc;

	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(full) &&
			   strlen(full) == (size_t)n,
		   "format_duration(%llu) returned %d", (unsigned long long)ns,
		   n);
	for (size_t len = 0; len <= (size_t)n + 1; len++) {
		buf = malloc(len ? len : 1);
		FUZZ_CHECK(buf != NULL, "out of memory");
		memset(buf, FUZZ_POISON, len ? len : 1);
		FUZZ_CHECK(cli_format_duration(ns, buf, len) == n,
			   "format_duration into %zu bytes", len);
		if (len)
			FUZZ_CHECK(strncmp(buf, full, len - 1) == 0 &&
					   buf[len - 1 < (size_t)n ? len - 1 : (size_t)n] == '\0',
				   "format_duration into %zu bytes: bad text",
				   len);
		free(buf);
	}
	rc = cli_parse_duration(full, UINT64_MAX, &back);
	FUZZ_CHECK(rc == 0 && back == ns,
		   "duration %llu formats as '%s', which parses as %d, %llu",
		   (unsigned long long)ns, full, rc, (unsigned long long)back);
}

static void check_duration(const char *s)
{
	uint64_t got = UNTOUCHED, want = UNTOUCHED, v;
	bool overflow;
	int rc = cli_parse_duration(s, UINT64_MAX, &got);
	int rrc = ref_duration(s, UINT64_MAX, &want, &overflow);

	FUZZ_CHECK(rc_matches(rc, rrc, overflow) && got == want,
		   "parse_duration('%s') = %d, %llu; reference %d, %llu", s, rc,
		   (unsigned long long)got, rrc, (unsigned long long)want);
	if (rc != 0)
		return;
	v = got;
	FUZZ_CHECK(cli_parse_duration(s, v, &got) == 0 && got == v,
		   "parse_duration('%s') rejects max %llu", s,
		   (unsigned long long)v);
	got = UNTOUCHED;
	if (v > 0)
		FUZZ_CHECK(cli_parse_duration(s, v - 1, &got) == -ERANGE &&
				   got == UNTOUCHED,
			   "parse_duration('%s') = %llu passes max %llu", s,
			   (unsigned long long)v, (unsigned long long)v - 1);
	check_duration_roundtrip(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	uint64_t ns;

	check_range(cli_parse_uint, "parse_uint", ref_uint, s);
	check_range(cli_parse_size, "parse_size", ref_size, s);
	check_duration(s);
	if (size >= sizeof(ns)) {
		memcpy(&ns, data, sizeof(ns));
		check_duration_roundtrip(ns);
	}
	free(s);
	return 0;
}
