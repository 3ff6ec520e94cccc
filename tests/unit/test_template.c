/*
 * test_template.c - message templates for `mcast send --template`
 * (src/cli/template.h).
 *
 * What a template expands to is the payload every receiver sees, so each
 * case below compares the exact bytes: every placeholder, the brace
 * escapes, text that only looks like a placeholder, and the errors a user
 * gets for a template that cannot work. Times are fixed timespecs, and the
 * time zone is set with setenv("TZ") + tzset() so {localtime} does not
 * depend on the machine running the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/template.h"

/* 2026-11-24T13:08:00.123456789Z, the moment the man page uses. */
#define T_SEC 1795525680
#define T_NSEC 123456789

static const struct tmpl_vars vars = {
	.seq = 42,
	.now = {T_SEC, T_NSEC},
	.host = "sensor-7",
	.pid = 4321,
};

/*
 * Compile text (which must succeed) and expand it with v into a buffer
 * of cap bytes; return the expansion as a NUL-terminated malloc'ed string.
 * The bytes after the expansion must be untouched: the header says the
 * result is not NUL-terminated, and nothing may be written past it.
 */
static char *expand_cap(const char *text, const struct tmpl_vars *v, size_t cap)
{
	struct tmpl *t = NULL;
	char err[256] = "";
	char *buf = malloc(cap + 16), *out;
	long n;

	assert_non_null(buf);
	if (tmpl_compile(text, &t, err, sizeof(err)) != 0)
		fail_msg("\"%s\" does not compile: %s", text, err);
	assert_non_null(t);
	memset(buf, '@', cap + 16);
	n = tmpl_expand(t, v, buf, cap);
	if (n < 0)
		fail_msg("\"%s\": tmpl_expand returned %ld", text, n);
	assert_true((size_t)n <= cap);
	for (size_t i = (size_t)n; i < cap + 16; i++)
		if (buf[i] != '@')
			fail_msg("\"%s\": byte %zu past the expansion was written", text, i);
	out = malloc((size_t)n + 1);
	assert_non_null(out);
	memcpy(out, buf, (size_t)n);
	out[n] = '\0';
	free(buf);
	tmpl_free(t);
	return out;
}

static char *expand(const char *text, const struct tmpl_vars *v)
{
	return expand_cap(text, v, 4096);
}

/* A table of templates and their expansions with vars. */
struct tcase {
	const char *text, *want;
};

static void run(const struct tcase *t, size_t n, const struct tmpl_vars *v)
{
	int problems = 0;

	for (size_t i = 0; i < n; i++) {
		char *got = expand(t[i].text, v);

		if (strcmp(got, t[i].want) != 0) {
			print_error("\"%s\": got \"%s\", want \"%s\"\n", t[i].text,
				    got, t[i].want);
			problems++;
		}
		free(got);
	}
	assert_int_equal(problems, 0);
}

#define RUN(t, v) run(t, sizeof(t) / sizeof(t[0]), v)

static int utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_placeholders(void **state)
{
	static const struct tcase t[] = {
		{"{seq}", "42"},
		/* UTC, microseconds cut (not rounded), and a Z. */
		{"{time}", "2026-11-24T13:08:00.123456Z"},
		/* Local time with the offset; TZ=UTC gives +00:00. */
		{"{localtime}", "2026-11-24T13:08:00.123+00:00"},
		{"{epoch}", "1795525680"},
		{"{epoch_ms}", "1795525680123"},
		{"{host}", "sensor-7"},
		{"{pid}", "4321"},
		{"ATU {time} seq={seq} host={host}",
		 "ATU 2026-11-24T13:08:00.123456Z seq=42 host=sensor-7"},
		/* The same placeholder twice, and two with nothing between. */
		{"{seq}{seq}-{pid}{host}", "4242-4321sensor-7"},
		{"{epoch}.{epoch_ms}", "1795525680.1795525680123"},
	};

	(void)state;
	RUN(t, &vars);
}

static void test_seq_counts(void **state)
{
	struct tmpl_vars v = vars;
	struct tmpl *t;
	char err[128], buf[64];

	(void)state;
	assert_int_equal(tmpl_compile("seq={seq}", &t, err, sizeof(err)), 0);
	/* One compiled template, expanded anew for each datagram. */
	for (uint64_t seq = 1; seq <= 3; seq++) {
		char want[32];
		long n;

		v.seq = seq;
		n = tmpl_expand(t, &v, buf, sizeof(buf));
		snprintf(want, sizeof(want), "seq=%llu", (unsigned long long)seq);
		assert_int_equal(n, (long)strlen(want));
		assert_memory_equal(buf, want, (size_t)n);
	}
	v.seq = UINT64_MAX;
	assert_int_equal(tmpl_expand(t, &v, buf, sizeof(buf)), 24);
	assert_memory_equal(buf, "seq=18446744073709551615", 24);
	tmpl_free(t);
}

/* Times at the edges: the epoch itself, the last nanosecond of a second
 * (cut, so no carry into the next second), a leap day. */
static void test_times(void **state)
{
	static const struct {
		struct timespec now;
		const char *want;
	} t[] = {
		{{0, 0}, "1970-01-01T00:00:00.000000Z 1970-01-01T00:00:00.000+00:00 0 0"},
		{{1700000000, 999999999},
		 "2023-11-14T22:13:20.999999Z 2023-11-14T22:13:20.999+00:00 "
		 "1700000000 1700000000999"},
		{{951782400, 1000},
		 "2000-02-29T00:00:00.000001Z 2000-02-29T00:00:00.000+00:00 "
		 "951782400 951782400000"},
	};
	struct tmpl_vars v = vars;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got;

		v.now = t[i].now;
		got = expand("{time} {localtime} {epoch} {epoch_ms}", &v);
		assert_string_equal(got, t[i].want);
		free(got);
	}
}

/* {localtime} carries the zone's offset, sign and minutes included. POSIX
 * TZ strings need no time zone database: "<+0530>-5:30" is UTC+05:30. */
static void test_localtime_offsets(void **state)
{
	static const struct {
		const char *tz, *want;
	} t[] = {
		{"UTC", "2026-11-24T13:08:00.123+00:00"},
		{"<+0530>-5:30", "2026-11-24T18:38:00.123+05:30"},
		{"<-03>3", "2026-11-24T10:08:00.123-03:00"},
		{"<+01>-1", "2026-11-24T14:08:00.123+01:00"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got;

		setenv("TZ", t[i].tz, 1);
		tzset();
		got = expand("{localtime}", &vars);
		if (strcmp(got, t[i].want) != 0)
			fail_msg("TZ=%s: got \"%s\", want \"%s\"", t[i].tz, got,
				 t[i].want);
		free(got);
	}
	utc(state);
}

/* {{ and }} stand for single braces; a lone } is just a character. */
static void test_braces(void **state)
{
	static const struct tcase t[] = {
		{"{{", "{"},
		{"}}", "}"},
		{"{{seq}}", "{seq}"},
		{"{{{seq}}}", "{42}"},
		{"{{seq}", "{seq}"},
		{"a}b", "a}b"},
		{"}", "}"},
		{"}}}", "}}"},
		{"{seq}}", "42}"},
		{"json {{\"seq\":{seq}}}", "json {\"seq\":42}"},
		{"}{seq}{{", "}42{"},
	};

	(void)state;
	RUN(t, &vars);
}

static void test_literal(void **state)
{
	static const struct tcase t[] = {
		{"", ""},
		{"hello", "hello"},
		{"seq time host", "seq time host"},
		{"tab\tnewline\n", "tab\tnewline\n"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
	};

	(void)state;
	RUN(t, &vars);
}

/* A long template, literal text interleaved with placeholders and
 * escapes, expands to exactly what a hand-built string says. */
static void test_long(void **state)
{
	size_t tlen = 0, wlen = 0, cap = 64 * 1024;
	char *text = malloc(cap), *want = malloc(cap), *got;

	(void)state;
	assert_non_null(text);
	assert_non_null(want);
	for (int i = 0; i < 1000; i++) {
		tlen += (size_t)snprintf(text + tlen, cap - tlen, "line %04d {{x}} ", i);
		wlen += (size_t)snprintf(want + wlen, cap - wlen, "line %04d {x} ", i);
		if (i % 100 == 0) {
			tlen += (size_t)snprintf(text + tlen, cap - tlen, "{seq};");
			wlen += (size_t)snprintf(want + wlen, cap - wlen, "42;");
		}
	}
	got = expand_cap(text, &vars, cap);
	assert_int_equal(strlen(got), wlen);
	assert_string_equal(got, want);
	free(got);

	/* Pure literal text, larger than any datagram. */
	memset(text, 'L', 20000);
	text[20000] = '\0';
	got = expand_cap(text, &vars, 20000);
	assert_int_equal(strlen(got), 20000);
	assert_string_equal(got, text);
	free(got);
	free(text);
	free(want);
}

/* A NULL host expands to nothing rather than crashing. */
static void test_null_host(void **state)
{
	struct tmpl_vars v = vars;
	char *got;

	(void)state;
	v.host = NULL;
	got = expand("[{host}]", &v);
	assert_string_equal(got, "[]");
	free(got);
}

/* Compile text, which must fail with -EINVAL, *out set to NULL and a
 * NUL-terminated err that contains need1 and need2 (when not NULL). */
static void expect_einval(const char *text, const char *need1, const char *need2)
{
	struct tmpl *t = (struct tmpl *)&t; /* anything but NULL */
	char err[256];

	memset(err, 'x', sizeof(err));
	assert_int_equal(tmpl_compile(text, &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (need1 && !strstr(err, need1))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", text, err, need1);
	if (need2 && !strstr(err, need2))
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", text, err, need2);
}

static void test_unknown(void **state)
{
	(void)state;
	expect_einval("{nope}", "{nope}", "unknown placeholder");
	expect_einval("ATU {time} {hostname}", "{hostname}", NULL);
	/* Names are exact: no prefixes, no case folding, no spaces. */
	expect_einval("{se}", "{se}", NULL);
	expect_einval("{seqq}", "{seqq}", NULL);
	expect_einval("{SEQ}", "{SEQ}", NULL);
	expect_einval("{ seq }", "{ seq }", NULL);
	expect_einval("{epoch_us}", "{epoch_us}", NULL);
	expect_einval("{}", "{}", NULL);
	/* The first } closes: "{se{q}" names "se{q". */
	expect_einval("{se{q}", "{se{q}", NULL);
	/* A known one before the unknown one does not hide it. */
	expect_einval("{seq} {bogus} {pid}", "{bogus}", NULL);
	/* The message lists the known placeholders. */
	expect_einval("{x}", "{seq}", "{epoch_ms}");
}

static void test_unclosed(void **state)
{
	(void)state;
	expect_einval("{", "unclosed", NULL);
	expect_einval("{seq", "unclosed", NULL);
	expect_einval("seq={seq} host={host", "unclosed", NULL);
	expect_einval("abc{", "unclosed", NULL);
	/* {{ is an escape, but the third { opens a placeholder. */
	expect_einval("{{{", "unclosed", NULL);
}

/* A very long unknown name must not overflow or garble err. */
static void test_unknown_long_name(void **state)
{
	char text[600], err[64];
	struct tmpl *t;

	(void)state;
	text[0] = '{';
	memset(text + 1, 'n', 500);
	text[501] = '}';
	text[502] = '\0';
	memset(err, 'x', sizeof(err));
	assert_int_equal(tmpl_compile(text, &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_non_null(strstr(err, "{nnnn"));
}

/*
 * -ENOSPC when the expansion does not fit: every cap from 0 to one short
 * of the length fails, and never writes past cap; the exact length fits.
 */
static void test_nospace(void **state)
{
	const char *want = "ATU 2026-11-24T13:08:00.123456Z seq=42 host=sensor-7";
	size_t len = strlen(want);
	struct tmpl *t;
	char err[128], buf[128];

	(void)state;
	assert_int_equal(tmpl_compile("ATU {time} seq={seq} host={host}", &t, err,
				      sizeof(err)), 0);
	for (size_t cap = 0; cap < len; cap++) {
		long n;

		memset(buf, '@', sizeof(buf));
		n = tmpl_expand(t, &vars, buf, cap);
		if (n != -ENOSPC)
			fail_msg("cap %zu: returned %ld, want -ENOSPC", cap, n);
		for (size_t k = cap; k < sizeof(buf); k++)
			if (buf[k] != '@')
				fail_msg("cap %zu: wrote byte %zu", cap, k);
	}
	memset(buf, '@', sizeof(buf));
	assert_int_equal(tmpl_expand(t, &vars, buf, len), (long)len);
	assert_memory_equal(buf, want, len);
	assert_int_equal(buf[len], '@');
	tmpl_free(t);

	/* An empty template fits in nothing at all. */
	assert_int_equal(tmpl_compile("", &t, err, sizeof(err)), 0);
	assert_int_equal(tmpl_expand(t, &vars, buf, 0), 0);
	tmpl_free(t);
}

static void test_free_null(void **state)
{
	(void)state;
	tmpl_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_seq_counts),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_localtime_offsets),
		cmocka_unit_test(test_braces),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_null_host),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_unknown_long_name),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
