/*
 * test_norminfo.c - the info of a NORM file object (src/cli/norminfo.h):
 * what `mcast send --reliable --file` writes, and what a receiver accepts
 * as a file name from the network.
 *
 * The name decides where a file lands, so each hostile form a sender
 * could use is refused here with its own reason: absolute paths, "..",
 * empty and "." components, control bytes, NUL, over-long names and
 * components, too many levels, and mcast's own temporary directory. A
 * malformed checksum part never passes for a plain name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cli/norminfo.h"

static enum norminfo_bad parse_str(const char *s, struct norminfo *ni)
{
	return norminfo_parse(s, strlen(s), ni);
}

static void test_plain_names(void **state)
{
	static const char *const ok[] = {
		"report.pdf", "a", "dir/sub/file.txt", "..hidden", "a..b", "...",
		"spaces are fine", "caf\xc3\xa9", "back\\slash", ".profile",
	};
	struct norminfo ni;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse_str(ok[i], &ni), NI_OK);
		assert_string_equal(ni.name, ok[i]);
		assert_int_equal(ni.name_len, strlen(ok[i]));
		assert_false(ni.has_sum);
	}
}

static void test_hostile_names(void **state)
{
	static const struct {
		const char *name;
		enum norminfo_bad why;
	} bad[] = {
		{"", NI_EMPTY},
		{"/etc/passwd", NI_ABSOLUTE},
		{"/", NI_ABSOLUTE},
		{"..", NI_DOTDOT},
		{"../x", NI_DOTDOT},
		{"a/../../x", NI_DOTDOT},
		{"a/..", NI_DOTDOT},
		{".", NI_DOT},
		{"./a", NI_DOT},
		{"a//b", NI_DOT},
		{"a/", NI_DOT},
		{"a/./b", NI_DOT},
		{"new\nline", NI_CONTROL},
		{"tab\there", NI_CONTROL},
		{"esc\x1b[31m", NI_CONTROL},
		{"del\x7f", NI_CONTROL},
		{".mcast-tmp-12345678/x", NI_RESERVED},
		{".mcast-tmp-", NI_RESERVED},
	};
	struct norminfo ni;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_str(bad[i].name, &ni), bad[i].why);
		assert_string_equal(ni.name, "");
	}
}

static void test_lengths(void **state)
{
	char name[2 * NORMINFO_NAME_MAX];
	struct norminfo ni;

	(void)state;
	/* A component of 255 bytes is fine, 256 is not. */
	memset(name, 'x', 255);
	assert_int_equal(norminfo_parse(name, 255, &ni), NI_OK);
	memset(name, 'x', 256);
	assert_int_equal(norminfo_parse(name, 256, &ni), NI_TOO_LONG);
	/* The whole name: NORMINFO_NAME_MAX bytes at most. */
	for (size_t i = 0; i < sizeof(name); i++)
		name[i] = i % 100 == 99 ? '/' : 'y';
	assert_int_equal(norminfo_parse(name, NORMINFO_NAME_MAX, &ni), NI_OK);
	assert_int_equal(norminfo_parse(name, NORMINFO_NAME_MAX + 1, &ni), NI_TOO_LONG);
	/* 16 levels, not 17. */
	assert_int_equal(parse_str("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", &ni), NI_OK);
	assert_int_equal(parse_str("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", &ni), NI_TOO_LONG);
}

static void test_round_trip(void **state)
{
	uint8_t sum[32];
	char buf[NORMINFO_MAX];
	struct norminfo ni;
	size_t n;

	(void)state;
	for (int i = 0; i < 32; i++)
		sum[i] = (uint8_t)(i * 9 + 1);
	n = norminfo_format(buf, sizeof(buf), "dir/file.bin", 67108864, sum);
	assert_true(n > 0);
	/* A NORM receiver that reads the info as a C string sees the name. */
	assert_string_equal(buf, "dir/file.bin");
	assert_memory_equal(buf + 13, "mcast1 size=67108864 sha256=010a131c", 36);
	assert_int_equal(norminfo_parse(buf, n, &ni), NI_OK);
	assert_string_equal(ni.name, "dir/file.bin");
	assert_true(ni.has_sum);
	assert_int_equal(ni.size, 67108864);
	assert_memory_equal(ni.sha256, sum, 32);
	/* Too small a buffer gives 0, never a cut info. */
	assert_int_equal(norminfo_format(buf, 20, "dir/file.bin", 1, sum), 0);
	assert_int_equal(norminfo_format(buf, 12, "dir/file.bin", 1, sum), 0);
}

/* A signature part: the rest after a second NUL, never empty; the first
 * two parts are read as without it. */
static void test_signed(void **state)
{
	uint8_t sum[32] = {7};
	char buf[NORMINFO_MAX];
	struct norminfo ni;
	size_t n;

	(void)state;
	n = norminfo_format(buf, sizeof(buf), "f", 3, sum);
	assert_true(n > 0);
	assert_int_equal(norminfo_parse(buf, n, &ni), NI_OK);
	assert_int_equal(ni.env_len, 0);
	buf[n] = '\0';
	memcpy(buf + n + 1, "MCSE..", 6);
	assert_int_equal(norminfo_parse(buf, n + 7, &ni), NI_OK);
	assert_string_equal(ni.name, "f");
	assert_true(ni.has_sum);
	assert_int_equal(ni.size, 3);
	assert_int_equal(ni.body_len, n);
	assert_int_equal(ni.env_off, n + 1);
	assert_int_equal(ni.env_len, 6);
	/* An empty signature part is no signature: the info is refused. */
	assert_int_equal(norminfo_parse(buf, n + 1, &ni), NI_NUL);
	assert_int_equal(ni.env_len, 0);
}

/* Anything after a NUL that is not exactly mcast's checksum part makes the
 * NUL part of the name, which is refused. */
static void test_bad_sums(void **state)
{
	static const char *const tails[] = {
		"",
		"junk",
		"mcast1 size=1 sha256=",
		"mcast1 size= sha256=0000000000000000000000000000000000000000000000000000000000000000",
		"mcast1 size=01 sha256=0000000000000000000000000000000000000000000000000000000000000000",
		"mcast1 size=-1 sha256=0000000000000000000000000000000000000000000000000000000000000000",
		"mcast1 size=1 sha256=000000000000000000000000000000000000000000000000000000000000000G",
		"mcast1 size=1 sha256=000000000000000000000000000000000000000000000000000000000000000A",
		"mcast1 size=1 sha256=00000000000000000000000000000000000000000000000000000000000000000",
		"mcast1 size=99999999999999999999 sha256=0000000000000000000000000000000000000000000000000000000000000000",
		"mcast2 size=1 sha256=0000000000000000000000000000000000000000000000000000000000000000",
	};
	char buf[256];
	struct norminfo ni;

	(void)state;
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t n = strlen(tails[i]);

		memcpy(buf, "name\0", 5);
		memcpy(buf + 5, tails[i], n);
		assert_int_equal(norminfo_parse(buf, 5 + n, &ni), NI_NUL);
		assert_false(ni.has_sum);
	}
	/* Size 0 and the largest size are fine. */
	memcpy(buf, "name\0mcast1 size=0 sha256=", 26);
	memset(buf + 26, 'f', 64);
	assert_int_equal(norminfo_parse(buf, 90, &ni), NI_OK);
	assert_int_equal(ni.size, 0);
	assert_int_equal(ni.sha256[31], 0xff);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_string_equal(norminfo_reason(NI_ABSOLUTE), "absolute path");
	assert_string_equal(norminfo_key(NI_DOTDOT), "dotdot");
	assert_string_equal(norminfo_key(NI_NKINDS), "unknown");
	for (int k = 0; k < NI_NKINDS; k++) {
		assert_non_null(norminfo_reason((enum norminfo_bad)k));
		assert_non_null(norminfo_key((enum norminfo_bad)k));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_names),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_sums),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
