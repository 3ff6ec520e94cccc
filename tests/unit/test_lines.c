/*
 * test_lines.c - the line reader (src/cli/lines.h) over a pipe: lines cut
 * at newlines, a line split across reads, the last line without a newline,
 * empty lines, and a line longer than the maximum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "cli/lines.h"

#define MAX 65507

static void put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void split_lines(void **state)
{
	static char out[MAX];
	struct lines in = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	put(p[1], "one\n\ntw");
	assert_false(lines_ready(&in, MAX));
	assert_int_equal(lines_fill(&in, p[0], MAX), 0);
	assert_true(lines_ready(&in, MAX));
	assert_int_equal(lines_next(&in, out, MAX), 3);
	assert_memory_equal(out, "one", 3);
	assert_int_equal(lines_next(&in, out, MAX), 0); /* an empty line */
	assert_int_equal(lines_next(&in, out, MAX), -1); /* "tw" is not whole */
	assert_false(lines_ready(&in, MAX));
	put(p[1], "o\nthree");
	close(p[1]);
	assert_int_equal(lines_fill(&in, p[0], MAX), 0);
	assert_int_equal(lines_next(&in, out, MAX), 3);
	assert_memory_equal(out, "two", 3);
	assert_int_equal(lines_next(&in, out, MAX), -1);
	assert_false(in.eof);
	assert_int_equal(lines_fill(&in, p[0], MAX), 0);
	assert_true(in.eof);
	/* At the end of input the rest is a line without its newline. */
	assert_true(lines_ready(&in, MAX));
	assert_int_equal(lines_next(&in, out, MAX), 5);
	assert_memory_equal(out, "three", 5);
	assert_int_equal(lines_next(&in, out, MAX), -1);
	close(p[0]);
	lines_free(&in);
}

static void too_long(void **state)
{
	static char out[MAX], big[70000];
	struct lines in = {0};
	int p[2];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(pipe(p), 0);
	/* A pipe holds 64k: fill, then drain what the reader has. */
	assert_int_equal(write(p[1], big, 60000), 60000);
	assert_int_equal(lines_fill(&in, p[0], 100 * 1000), 0);
	assert_int_equal(lines_next(&in, out, 1000 * 10), -2);
	assert_true(lines_ready(&in, 10000));
	close(p[0]);
	close(p[1]);
	lines_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_lines),
		cmocka_unit_test(too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
