/*
 * test_normwatch.c - the watch on libnorm's lock (src/cli/normwatch.c), in
 * a child process each, since giving up ends the process: a main thread
 * stuck "inside libnorm" after a signal, or beyond -w, is given up on with
 * exit code 1, the message and the owner's clean-up; one that came out in
 * time, or is stuck with neither a signal nor -w, is left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/normwatch.h"

#define MS 1000000ULL

static int cleaned_fd = -1;

static void give_up(void *arg)
{
	(void)arg;
	if (write(cleaned_fd, "cleaned", 7) < 0) {
	}
}

static void wait_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

enum how { SIGNAL_INSIDE, IDLE_INSIDE, LEFT_IN_TIME, NO_LIMIT };

/*
 * Run one case in a child: its exit status, what give_up() wrote and what
 * went to stderr come back in the buffers.
 */
static int run(enum how how, char *cleaned, size_t clen, char *err, size_t elen)
{
	int cp[2], ep[2], st = 0;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(cp), 0);
	assert_int_equal(pipe(ep), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct norm_watch w;

		memset(&w, 0, sizeof(w));
		close(cp[0]), close(ep[0]);
		cleaned_fd = cp[1];
		dup2(ep[1], 2);
		w.signal_ns = 200 * MS, w.idle_min_ns = 300 * MS;
		w.give_up = give_up;
		if (mcast__norm_watch_start(&w, how == IDLE_INSIDE ? 100 * MS : 0) < 0)
			_exit(9);
		mcast__norm_watch_enter(&w);
		if (how == LEFT_IN_TIME)
			mcast__norm_watch_leave(&w);
		if (how != IDLE_INSIDE && how != NO_LIMIT)
			cli_stop = 1;
		/* Where the watch must act, it ends this wait (bounded, for a
		 * slow machine); where it must not, 1.5 s is several times its
		 * limits. */
		wait_ms(how == SIGNAL_INSIDE || how == IDLE_INSIDE ? 20000 : 1500);
		mcast__norm_watch_stop(&w);
		_exit(0);
	}
	close(cp[1]), close(ep[1]);
	n = read(cp[0], cleaned, clen - 1);
	cleaned[n > 0 ? n : 0] = '\0';
	n = read(ep[0], err, elen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(cp[0]), close(ep[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_gives_up_after_a_signal(void **state)
{
	char c[32], e[512];

	(void)state;
	assert_int_equal(run(SIGNAL_INSIDE, c, sizeof(c), e, sizeof(e)), 1);
	assert_string_equal(c, "cleaned");
	assert_non_null(strstr(e, "libnorm has kept mcast waiting "));
	assert_non_null(strstr(e, " s for its lock (a flood of NORM-shaped datagrams can do "
				  "that): giving up\n"));
}

static void test_gives_up_beyond_w(void **state)
{
	char c[32], e[512];

	(void)state;
	assert_int_equal(run(IDLE_INSIDE, c, sizeof(c), e, sizeof(e)), 1);
	assert_string_equal(c, "cleaned");
	assert_non_null(strstr(e, "giving up"));
}

static void test_leaves_alone_who_came_out(void **state)
{
	char c[32], e[512];

	(void)state;
	assert_int_equal(run(LEFT_IN_TIME, c, sizeof(c), e, sizeof(e)), 0);
	assert_string_equal(c, "");
	assert_string_equal(e, "");
}

static void test_no_signal_no_w_no_limit(void **state)
{
	char c[32], e[512];

	(void)state;
	assert_int_equal(run(NO_LIMIT, c, sizeof(c), e, sizeof(e)), 0);
	assert_string_equal(c, "");
	assert_string_equal(e, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gives_up_after_a_signal),
		cmocka_unit_test(test_gives_up_beyond_w),
		cmocka_unit_test(test_leaves_alone_who_came_out),
		cmocka_unit_test(test_no_signal_no_w_no_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
