/*
 * test_parse.c - numbers, durations and sizes on the command line
 * (src/cli/parse.h).
 *
 * Every option value a user types goes through these parsers, so each
 * accepted form and each refused one below is something `mcast` will or
 * will not take on its command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cli/parse.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)
#define NS_S UINT64_C(1000000000)

enum kind { UINT, DURATION, SIZE };

struct pcase {
	const char *text;
	uint64_t min, max; /* min is unused for durations */
	int rc;            /* 0, -EINVAL or -ERANGE */
	uint64_t want;     /* the value, when rc is 0 */
};

static int call(enum kind k, const struct pcase *c, uint64_t *out)
{
	switch (k) {
	case UINT:
		return cli_parse_uint(c->text, c->min, c->max, out);
	case DURATION:
		return cli_parse_duration(c->text, c->max, out);
	case SIZE:
		return cli_parse_size(c->text, c->min, c->max, out);
	}
	return -1;
}

/*
 * Run a table, printing every bad row before failing. On failure *out must
 * keep its old value: the header promises it, and callers rely on it to
 * keep a default when a later check rejects the option.
 */
static void run(enum kind k, const struct pcase *cases, size_t n)
{
	int problems = 0;

	for (size_t i = 0; i < n; i++) {
		const struct pcase *c = &cases[i];
		uint64_t out = SENTINEL;
		int rc = call(k, c, &out);

		if (rc != c->rc)
			print_error("\"%s\": rc %d, want %d\n", c->text, rc,
				    c->rc);
		else if (c->rc == 0 && out != c->want)
			print_error("\"%s\": %llu, want %llu\n", c->text,
				    (unsigned long long)out,
				    (unsigned long long)c->want);
		else if (c->rc != 0 && out != SENTINEL)
			print_error("\"%s\": out written on failure\n", c->text);
		else
			continue;
		problems++;
	}
	assert_int_equal(problems, 0);
}

#define RUN(k, t) run(k, t, sizeof(t) / sizeof(t[0]))

static void test_uint(void **state)
{
	static const struct pcase t[] = {
		{"0", 0, 255, 0, 0},
		{"255", 0, 255, 0, 255},
		{"65535", 0, 65535, 0, 65535},
		{"007", 0, 255, 0, 7}, /* still decimal, not octal */
		{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
		{"256", 0, 255, -ERANGE, 0},
		{"0", 1, 10, -ERANGE, 0},
		{"11", 1, 10, -ERANGE, 0},
		/* One past UINT64_MAX, and far past: outside any [min, max]. */
		{"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
		{"99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0},
		{"", 0, 255, -EINVAL, 0},
		/* strtoull() accepts all of these; the parser must not. */
		{"-1", 0, 255, -EINVAL, 0},
		{"-0", 0, 255, -EINVAL, 0},
		{"+1", 0, 255, -EINVAL, 0},
		{" 1", 0, 255, -EINVAL, 0},
		{"\t1", 0, 255, -EINVAL, 0},
		{"0x10", 0, 255, -EINVAL, 0},
		{"1 ", 0, 255, -EINVAL, 0},
		{"1x", 0, 255, -EINVAL, 0},
		{"x", 0, 255, -EINVAL, 0},
		{"1.0", 0, 255, -EINVAL, 0},
		{"1e3", 0, 65535, -EINVAL, 0},
		{"1k", 0, 65535, -EINVAL, 0},
	};

	(void)state;
	RUN(UINT, t);
}

/*
 * A 30-digit overflow might be reported as malformed by a parser that
 * gives up on length; the header says out-of-range values are -ERANGE, so
 * that is what the table above asserts. This test only insists that an
 * overflow is refused, whatever the code, for values that do not fit.
 */
static void test_uint_huge(void **state)
{
	char big[400];
	uint64_t out = SENTINEL;
	int rc;

	(void)state;
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rc = cli_parse_uint(big, 0, UINT64_MAX, &out);
	assert_true(rc == -ERANGE || rc == -EINVAL);
	assert_true(out == SENTINEL);
}

static void test_duration(void **state)
{
	static const struct pcase t[] = {
		{"250ms", 0, UINT64_MAX, 0, 250000000},
		{"1.5s", 0, UINT64_MAX, 0, 1500000000},
		{"2", 0, UINT64_MAX, 0, 2 * NS_S},
		{"2s", 0, UINT64_MAX, 0, 2 * NS_S},
		{"0.5", 0, UINT64_MAX, 0, NS_S / 2},
		{"1m", 0, UINT64_MAX, 0, 60 * NS_S},
		{"1.5m", 0, UINT64_MAX, 0, 90 * NS_S},
		{"1h", 0, UINT64_MAX, 0, 3600 * NS_S},
		{"500us", 0, UINT64_MAX, 0, 500000},
		{"0.001ms", 0, UINT64_MAX, 0, 1000},
		{"100ns", 0, UINT64_MAX, 0, 100},
		{"0", 0, UINT64_MAX, 0, 0},
		{"0ms", 0, UINT64_MAX, 0, 0},
		/*
		 * Exact at the top of the range: a parser that goes through a
		 * double loses the low bits here.
		 */
		{"18446744073709551615ns", 0, UINT64_MAX, 0, UINT64_MAX},
		{"9007199254740993ns", 0, UINT64_MAX, 0, UINT64_C(9007199254740993)},
		{"1s", 0, NS_S, 0, NS_S},
		{"2s", 0, NS_S, -ERANGE, 0},
		{"1.000000001s", 0, NS_S, -ERANGE, 0},
		/* Overflows of uint64_t nanoseconds in the digits and the unit. */
		{"18446744073709551616ns", 0, UINT64_MAX, -ERANGE, 0},
		{"18446744074s", 0, UINT64_MAX, -ERANGE, 0},
		{"5124095h", 0, UINT64_MAX, 0, UINT64_C(5124095) * 3600 * NS_S},
		{"5124096h", 0, UINT64_MAX, -ERANGE, 0},
		{"5124095576030431h", 0, UINT64_MAX, -ERANGE, 0},
		{"99999999999999999999999h", 0, UINT64_MAX, -ERANGE, 0},
		{"5x", 0, UINT64_MAX, -EINVAL, 0},
		{"ms", 0, UINT64_MAX, -EINVAL, 0},
		{"s", 0, UINT64_MAX, -EINVAL, 0},
		{"1.2.3s", 0, UINT64_MAX, -EINVAL, 0},
		{"-1s", 0, UINT64_MAX, -EINVAL, 0},
		{"+1s", 0, UINT64_MAX, -EINVAL, 0},
		{"", 0, UINT64_MAX, -EINVAL, 0},
		{" 1s", 0, UINT64_MAX, -EINVAL, 0},
		{"1 s", 0, UINT64_MAX, -EINVAL, 0},
		{"1s ", 0, UINT64_MAX, -EINVAL, 0},
		{"1ss", 0, UINT64_MAX, -EINVAL, 0},
		{"1sm", 0, UINT64_MAX, -EINVAL, 0},
		{"1d", 0, UINT64_MAX, -EINVAL, 0},
		/* strtod() reads all of these; the parser must not. */
		{"1e3ms", 0, UINT64_MAX, -EINVAL, 0},
		{"0x10s", 0, UINT64_MAX, -EINVAL, 0},
		{"inf", 0, UINT64_MAX, -EINVAL, 0},
		{"nan", 0, UINT64_MAX, -EINVAL, 0},
		{"infinity", 0, UINT64_MAX, -EINVAL, 0},
	};

	(void)state;
	RUN(DURATION, t);
}

/*
 * Digits past the nanosecond cannot be represented. Refusing them or
 * dropping them are both fair; what must not happen is arithmetic on an
 * ever-growing scale that overflows and yields a wrong value (or divides
 * by zero).
 */
static void test_duration_long_fraction(void **state)
{
	static const char *const t[] = {
		"1.0000000001s",
		"1.00000000000000000000000000000000000000000000000001s",
		"0.99999999999999999999999999999999999999999999999999ns",
		"1.50000000000000000000s",
		"0.12345678901234567890123s",
	};
	static const uint64_t want[] = {NS_S, NS_S, 0, 1500000000, 123456789};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t out = SENTINEL;
		int rc = cli_parse_duration(t[i], UINT64_MAX, &out);

		if (rc == -EINVAL)
			assert_true(out == SENTINEL);
		else if (rc != 0 || out != want[i])
			fail_msg("\"%s\": rc %d, %llu", t[i], rc,
				 (unsigned long long)out);
	}
}

static void test_size(void **state)
{
	static const uint64_t K = 1024, M = 1024 * 1024, G = 1024 * 1024 * 1024;
	const struct pcase t[] = {
		{"64k", 0, UINT64_MAX, 0, 64 * K},
		{"64K", 0, UINT64_MAX, 0, 64 * K},
		{"8M", 0, UINT64_MAX, 0, 8 * M},
		{"8m", 0, UINT64_MAX, 0, 8 * M},
		{"1G", 0, UINT64_MAX, 0, G},
		{"1g", 0, UINT64_MAX, 0, G},
		{"1500", 0, UINT64_MAX, 0, 1500},
		{"0", 0, UINT64_MAX, 0, 0},
		{"4KiB", 0, UINT64_MAX, 0, 4 * K},
		{"4kib", 0, UINT64_MAX, 0, 4 * K},
		{"4kb", 0, UINT64_MAX, 0, 4 * K},
		{"4KB", 0, UINT64_MAX, 0, 4 * K},
		{"2MiB", 0, UINT64_MAX, 0, 2 * M},
		{"2GB", 0, UINT64_MAX, 0, 2 * G},
		{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
		{"1G", 0, G, 0, G},
		{"1025M", 0, G, -ERANGE, 0},
		{"0", 1, 100, -ERANGE, 0},
		{"101", 1, 100, -ERANGE, 0},
		/* 2^34 G is 2^64 bytes: the multiply overflows. */
		{"17179869184G", 0, UINT64_MAX, -ERANGE, 0},
		{"18014398509481984k", 0, UINT64_MAX, -ERANGE, 0},
		{"99999999999999999999", 0, UINT64_MAX, -ERANGE, 0},
		{"12q", 0, UINT64_MAX, -EINVAL, 0},
		{"k", 0, UINT64_MAX, -EINVAL, 0},
		{"KiB", 0, UINT64_MAX, -EINVAL, 0},
		{"-1", 0, UINT64_MAX, -EINVAL, 0},
		{"+1", 0, UINT64_MAX, -EINVAL, 0},
		{"", 0, UINT64_MAX, -EINVAL, 0},
		{" 1k", 0, UINT64_MAX, -EINVAL, 0},
		{"4 k", 0, UINT64_MAX, -EINVAL, 0},
		{"4k ", 0, UINT64_MAX, -EINVAL, 0},
		{"4kk", 0, UINT64_MAX, -EINVAL, 0},
		{"4kibb", 0, UINT64_MAX, -EINVAL, 0},
		{"4iB", 0, UINT64_MAX, -EINVAL, 0},
		{"4T", 0, UINT64_MAX, -EINVAL, 0},
		{"1.5k", 0, UINT64_MAX, -EINVAL, 0}, /* sizes are integers */
		{"0x10", 0, UINT64_MAX, -EINVAL, 0},
	};

	(void)state;
	RUN(SIZE, t);
}

/* Format into a roomy buffer; the return value must be the length. */
static const char *fmt_dur(uint64_t ns)
{
	static char buf[64];
	int n = cli_format_duration(ns, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

static void test_format_duration(void **state)
{
	/*
	 * The largest unit that states the value as a whole number: 90s
	 * stays "90s" (not "1m30s" or "1.5m"), 1.5us is "1500ns".
	 */
	static const struct {
		uint64_t ns;
		const char *text;
	} t[] = {
		{250000000, "250ms"},    {2 * NS_S, "2s"},     {90 * NS_S, "90s"},
		{60 * NS_S, "1m"},       {3600 * NS_S, "1h"},  {86400 * NS_S, "24h"},
		{5400 * NS_S, "90m"},    {1, "1ns"},           {100, "100ns"},
		{500000, "500us"},       {1000, "1us"},        {1500, "1500ns"},
		{1500000, "1500us"},     {25 * 3600 * NS_S, "25h"},
	};

	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = fmt_dur(t[i].ns);

		if (strcmp(got, t[i].text) != 0) {
			print_error("%llu ns: \"%s\", want \"%s\"\n",
				    (unsigned long long)t[i].ns, got, t[i].text);
			problems++;
		}
	}
	assert_int_equal(problems, 0);
}

/*
 * Whatever the formatter prints, the parser must read back exactly: the
 * tool prints defaults in its help text and users paste them back.
 */
static void test_format_round_trip(void **state)
{
	static const uint64_t t[] = {
		0,        1,           999,         1000,       1500,
		1000000,  1500000,     123456789,   NS_S,       NS_S + 1,
		61 * NS_S, 3599 * NS_S, 3601 * NS_S, UINT64_MAX, UINT64_MAX - 1,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t back = SENTINEL;
		const char *text = fmt_dur(t[i]);

		if (cli_parse_duration(text, UINT64_MAX, &back) != 0 ||
		    back != t[i])
			fail_msg("%llu formats as \"%s\", which parses as %llu",
				 (unsigned long long)t[i], text,
				 (unsigned long long)back);
	}
}

static void test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	/* Like snprintf: the full length comes back, the text is cut. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cli_format_duration(250000000, buf, 4), 5);
	assert_string_equal(buf, "250");
	assert_int_equal(buf[4], 'x');
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cli_format_duration(250000000, buf, 0), 5);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(cli_format_duration(250000000, NULL, 0), 5);
	assert_int_equal(cli_format_duration(250000000, buf, 6), 5);
	assert_string_equal(buf, "250ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_uint_huge),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_long_fraction),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
