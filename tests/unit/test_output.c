/*
 * test_output.c - how payloads are written: escaped text, hex, JSON, base64
 * and RFC 3339 times (src/cli/output.h).
 *
 * Received payloads are hostile bytes from the network. The writers decide
 * what reaches a user's terminal or a JSON consumer, so the cases below lean
 * on control bytes, terminal escapes and malformed UTF-8. Output is captured
 * with open_memstream(3) and compared byte for byte.
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
#include <strings.h>

#include "cli/output.h"

typedef int (*writer)(FILE *, const void *, size_t);

/* Run a writer over data[0..len) and return what it wrote (malloc'ed). */
static char *capture(writer w, const void *data, size_t len, size_t *outlen)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	assert_int_equal(w(f, data, len), 0);
	assert_int_equal(fclose(f), 0);
	if (outlen != NULL)
		*outlen = n;
	return buf;
}

/* Data given as a string literal with its length, so NULs count. */
struct io {
	const char *in;
	size_t len;
	const char *out;
};
#define IO(in, out) {in, sizeof(in) - 1, out}

/* Run a table, printing every bad row before failing. */
static void expect(writer w, const struct io *t, size_t n)
{
	int problems = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *got = capture(w, t[i].in, t[i].len, &len);

		/* No stray NUL may be written, hence the length check. */
		if (len != strlen(t[i].out) || strcmp(got, t[i].out) != 0) {
			print_error("case %zu: got '%s', want '%s'\n", i, got,
				    t[i].out);
			problems++;
		}
		free(got);
	}
	assert_int_equal(problems, 0);
}

#define EXPECT(w, t) expect(w, t, sizeof(t) / sizeof(t[0]))

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		bool ok;
	} t[] = {
#define V(s, ok) {s, sizeof(s) - 1, ok}
		V("", true),
		V("hello", true),
		V("a\0b", true),                /* NUL is a valid code point */
		V("h\xc3\xa9llo", true),        /* U+00E9, 2 bytes */
		V("\xe2\x82\xac", true),        /* U+20AC, 3 bytes */
		V("\xf0\x9f\x98\x80", true),    /* U+1F600, 4 bytes */
		V("\xed\x9f\xbf", true),        /* U+D7FF, just below surrogates */
		V("\xee\x80\x80", true),        /* U+E000, just above them */
		V("\xef\xbf\xbf", true),        /* U+FFFF, a noncharacter but valid */
		V("\xf4\x8f\xbf\xbf", true),    /* U+10FFFF, the last code point */
		V("\xc0\x80", false),           /* overlong NUL */
		V("\xc1\xbf", false),           /* overlong U+007F */
		V("\xe0\x80\x80", false),       /* overlong, 3 bytes */
		V("\xe0\x9f\xbf", false),       /* overlong U+07FF */
		V("\xf0\x80\x80\x80", false),   /* overlong, 4 bytes */
		V("\xf0\x8f\xbf\xbf", false),   /* overlong U+FFFF */
		V("\xed\xa0\x80", false),       /* U+D800, a surrogate */
		V("\xed\xbf\xbf", false),       /* U+DFFF */
		V("\xf4\x90\x80\x80", false),   /* U+110000 */
		V("\xf5\x80\x80\x80", false),
		V("\xf8\x88\x80\x80\x80", false), /* old 5-byte form */
		V("\xfe", false),
		V("\xff", false),
		V("\x80", false),               /* lone continuation */
		V("a\xbf", false),
		V("\xc3", false),               /* truncated sequences */
		V("\xe2\x82", false),
		V("\xf0\x9f\x98", false),
		V("\xc3(", false),              /* bad continuation */
		V("\xe2(\xa1", false),
		V("\xf0\x9f(\x80", false),
#undef V
	};

	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (cli_utf8_valid(t[i].s, t[i].len) != t[i].ok) {
			print_error("case %zu: want %s\n", i,
				    t[i].ok ? "valid" : "invalid");
			problems++;
		}
	assert_int_equal(problems, 0);

	/* The length bounds the check: a sequence cut by len is invalid. */
	assert_false(cli_utf8_valid("\xc3\xa9", 1));
	assert_true(cli_utf8_valid("\xc3\xa9\xc3", 2));
}

static void test_escaped(void **state)
{
	static const struct io t[] = {
		IO("", ""),
		IO("hello, world", "hello, world"),
		IO("say \"hi\"", "say \"hi\""),
		IO("a\tb\n", "a\\tb\\n"),
		IO("\r\n", "\\r\\n"),
		IO("\x00\x01\xff", "\\x00\\x01\\xff"),
		IO("a\\b", "a\\\\b"),
		IO("\\x41", "\\\\x41"), /* must not read back as "A" */
		IO("\x7f", "\\x7f"),
		IO("\xAB", "\\xab"),
		/* A terminal escape from the network must not reach the tty. */
		IO("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
		/* U+0085 is valid UTF-8 but a C1 control, which some terminals
		 * act on; escaped byte by byte. */
		IO("\xc2\x85", "\\xc2\\x85"),
		IO("\xc2\x9b", "\\xc2\\x9b"), /* U+009B, CSI */
		IO("\xc2\xa0", "\xc2\xa0"),   /* U+00A0 is printable */
		IO("h\xc3\xa9llo", "h\xc3\xa9llo"),
		IO("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!"),
		IO("\xed\xa0\x80", "\\xed\\xa0\\x80"),
		IO("\xc0\x80", "\\xc0\\x80"),
		IO("x\xc3", "x\\xc3"),
		IO("\xc3(", "\\xc3("),
		/* After a broken sequence, the next good one prints as text. */
		IO("\xe2\x82\xe2\x82\xac", "\\xe2\\x82\xe2\x82\xac"),
		IO("\xe2\x82" "A", "\\xe2\\x82A"),
	};

	(void)state;
	EXPECT(cli_write_escaped, t);
}

/*
 * Every single byte: printable ASCII as itself, the three named controls
 * by name, everything else as \xHH, and never a raw control byte.
 */
static void test_escaped_all_bytes(void **state)
{
	int problems = 0;

	(void)state;
	for (int c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		char want[8];
		char *got = capture(cli_write_escaped, &b, 1, NULL);

		if (c == '\\')
			snprintf(want, sizeof(want), "\\\\");
		else if (c == '\t')
			snprintf(want, sizeof(want), "\\t");
		else if (c == '\n')
			snprintf(want, sizeof(want), "\\n");
		else if (c == '\r')
			snprintf(want, sizeof(want), "\\r");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "%c", c);
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		if (strcmp(got, want) != 0) {
			print_error("byte 0x%02x: got '%s', want '%s'\n", c, got,
				    want);
			problems++;
		}
		free(got);
	}
	assert_int_equal(problems, 0);
}

static void test_hex(void **state)
{
	static const struct io t[] = {
		IO("", ""),
		IO("\x00", "00"),
		IO("\x48\x65\xff", "48 65 ff"),
		IO("Hello", "48 65 6c 6c 6f"),
	};

	(void)state;
	EXPECT(cli_write_hex, t);
}

static void test_json_string(void **state)
{
	/*
	 * JSON (RFC 8259) requires escaping '"', '\' and U+0000-U+001F. We
	 * assert the short forms for the five controls that have one and
	 * lower-case \u00xx for the rest; non-ASCII UTF-8 passes through.
	 */
	static const struct io t[] = {
		IO("", "\"\""),
		IO("hello", "\"hello\""),
		IO("a\"b\\c", "\"a\\\"b\\\\c\""),
		IO("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\""),
		IO("\x00", "\"\\u0000\""),
		IO("\x01\x1f", "\"\\u0001\\u001f\""),
		IO("\x1b[0m", "\"\\u001b[0m\""),
		IO("h\xc3\xa9llo", "\"h\xc3\xa9llo\""),
		IO("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""),
		IO("</script>", "\"</script>\""),
	};

	(void)state;
	EXPECT(cli_write_json_string, t);
}

/* Characters JSON allows either raw or escaped: accept both forms. */
static void test_json_either(void **state)
{
	static const struct {
		const char *in, *raw, *escaped;
	} t[] = {
		{"\x7f", "\"\x7f\"", "\"\\u007f\""},
		{"\xe2\x80\xa8", "\"\xe2\x80\xa8\"", "\"\\u2028\""},
		{"/", "\"/\"", "\"\\/\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = capture(cli_write_json_string, t[i].in,
				    strlen(t[i].in), NULL);

		if (strcmp(got, t[i].raw) != 0 &&
		    strcasecmp(got, t[i].escaped) != 0)
			fail_msg("case %zu: got '%s'", i, got);
		free(got);
	}
}

/* No ASCII byte may come out raw below 0x20, whatever else happens. */
static void test_json_all_ascii(void **state)
{
	(void)state;
	for (int c = 0; c < 0x80; c++) {
		char in = (char)c;
		size_t len;
		char *got = capture(cli_write_json_string, &in, 1, &len);

		assert_true(len >= 3);
		assert_int_equal(got[0], '"');
		assert_int_equal(got[len - 1], '"');
		for (size_t k = 0; k < len; k++)
			assert_true((unsigned char)got[k] >= 0x20);
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && c != '/')
			assert_int_equal(len, 3); /* printable: raw */
		free(got);
	}
}

static void test_base64(void **state)
{
	static const struct io t[] = {
		/* RFC 4648 section 10. */
		IO("", "\"\""),
		IO("f", "\"Zg==\""),
		IO("fo", "\"Zm8=\""),
		IO("foo", "\"Zm9v\""),
		IO("foob", "\"Zm9vYg==\""),
		IO("fooba", "\"Zm9vYmE=\""),
		IO("foobar", "\"Zm9vYmFy\""),
		/* The standard alphabet's last two symbols, not the URL ones. */
		IO("\xfb\xff", "\"+/8=\""),
		IO("\x00\xff\xfe", "\"AP/+\""),
		IO("\x00", "\"AA==\""),
	};

	(void)state;
	EXPECT(cli_write_base64, t);
}

static void test_rfc3339(void **state)
{
	static const struct {
		struct timespec t;
		const char *text;
	} t[] = {
		{{0, 0}, "1970-01-01T00:00:00.000000Z"},
		/* Truncated, not rounded: .123456789 is .123456. */
		{{1700000000, 123456789}, "2023-11-14T22:13:20.123456Z"},
		/* Rounding would carry into the next second. */
		{{1700000000, 999999999}, "2023-11-14T22:13:20.999999Z"},
		{{951782400, 1000}, "2000-02-29T00:00:00.000001Z"},
		{{4102444800, 0}, "2100-01-01T00:00:00.000000Z"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = cli_format_rfc3339(&t[i].t, buf, sizeof(buf));

		assert_int_equal(n, (int)strlen(t[i].text));
		assert_string_equal(buf, t[i].text);
	}
}

/*
 * "Returns the length written (like snprintf) or -1": with too small a
 * buffer we accept either the snprintf answer (the full length, the text
 * cut and NUL-terminated) or -1, but never a write past len.
 */
static void test_rfc3339_small(void **state)
{
	const struct timespec ts = {1700000000, 123456789};
	const char *want = "2023-11-14T22:13:20.123456Z";
	const int full = (int)strlen(want);
	char buf[64];

	(void)state;
	for (size_t len = 0; len <= (size_t)full; len++) {
		memset(buf, 'x', sizeof(buf));
		int n = cli_format_rfc3339(&ts, buf, len);

		if (n != full && n != -1)
			fail_msg("len %zu: returned %d", len, n);
		if (len > 0)
			assert_non_null(memchr(buf, '\0', len));
		if (len > 0 && n == full)
			assert_memory_equal(buf, want, len - 1);
		for (size_t k = len; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 'x');
	}
	assert_int_equal(cli_format_rfc3339(&ts, buf, (size_t)full + 1), full);
	assert_string_equal(buf, want);
}

/*
 * A stream that refuses writes stands in for a closed pipe: every writer
 * must report the failure, so that `mcast recv | head` stops instead of
 * spinning.
 */
static void test_stream_errors(void **state)
{
	static const writer writers[] = {
		cli_write_escaped, cli_write_hex, cli_write_json_string,
		cli_write_base64,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		FILE *f = fopen("/dev/null", "r");

		assert_non_null(f);
		errno = 0;
		if (writers[i](f, "payload", 7) != -1)
			fail_msg("writer %zu ignored a write error", i);
		assert_int_not_equal(errno, 0);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_escaped_all_bytes),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_either),
		cmocka_unit_test(test_json_all_ascii),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_rfc3339_small),
		cmocka_unit_test(test_stream_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
