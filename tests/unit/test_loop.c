/*
 * test_loop.c - the event loop (src/cli/loop.h): timers in order and
 * re-armed from their callback, a deadline, a descriptor's callback, a
 * stop with an exit code (also from the before-wait hook), and SIGTERM
 * ending a loop that never waits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/loop.h"

struct ctx {
	int fired, id, limit;
	char order[16];
	int nord;
};

static void tick(struct loop *l, void *data)
{
	struct ctx *c = data;

	c->fired++;
	if (c->fired < c->limit)
		loop_timer_at(l, c->id, cli_now_ns() + 1000000);
	else
		loop_stop(l, 42);
}

static void timers_rearm_and_stop(void **state)
{
	struct loop l;
	struct ctx c = {.limit = 5};

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	c.id = loop_timer_new(&l, tick, &c);
	assert_true(c.id >= 0);
	loop_timer_at(&l, c.id, cli_now_ns());
	assert_int_equal(loop_run(&l), LOOP_STOPPED);
	assert_int_equal(l.rc, 42);
	assert_int_equal(c.fired, 5);
	loop_free(&l);
}

static void mark(struct loop *l, void *data)
{
	struct ctx *c = data;

	(void)l;
	c->order[c->nord++] = (char)('a' + c->fired++);
}

static void deadline_ends_the_run(void **state)
{
	struct loop l;
	struct ctx c = {0};
	uint64_t now = cli_now_ns();
	int a, b;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	a = loop_timer_new(&l, mark, &c);
	b = loop_timer_new(&l, mark, &c);
	loop_timer_at(&l, b, now + 2000000);
	loop_timer_at(&l, a, now + 1000000);
	loop_deadline(&l, now + 20000000);
	assert_int_equal(loop_run(&l), LOOP_DEADLINE);
	assert_int_equal(c.fired, 2);
	assert_int_equal(loop_timer_due(&l, a), 0);
	loop_free(&l);
	/* Nothing armed and nothing watched: the loop says it is idle. */
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(loop_run(&l), LOOP_IDLE);
}

static void readable(struct loop *l, int fd, unsigned ev, void *data)
{
	struct ctx *c = data;
	char b[8];

	assert_true(ev & LOOP_READ);
	assert_int_equal(read(fd, b, sizeof(b)), 3);
	c->fired++;
	loop_fd_del(l, fd);
}

static void descriptor_callback(void **state)
{
	struct loop l;
	struct ctx c = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(loop_fd_add(&l, p[0], LOOP_READ, readable, &c), 0);
	/* The callback removes the descriptor: then the loop is idle. */
	assert_int_equal(loop_run(&l), LOOP_IDLE);
	assert_int_equal(c.fired, 1);
	close(p[0]);
	close(p[1]);
}

static void stop_from_hook(struct loop *l, void *data)
{
	struct ctx *c = data;

	if (++c->fired == 3)
		loop_stop(l, 7);
}

/* A before-wait hook that ends the run (the batch receiver hands on data
 * from it): the loop returns without waiting for the descriptor, which
 * never becomes readable, or the deadline. */
static void hook_stops_before_the_wait(void **state)
{
	struct loop l;
	struct ctx c = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(loop_fd_add(&l, p[0], LOOP_READ, readable, &c), 0);
	l.before_wait = stop_from_hook;
	l.before_wait_data = &c;
	l.busy = true; /* the first two turns do not wait either */
	loop_deadline(&l, cli_now_ns() + 30000000000ULL);
	assert_int_equal(loop_run(&l), LOOP_STOPPED);
	assert_int_equal(l.rc, 7);
	assert_int_equal(c.fired, 3);
	close(p[0]);
	close(p[1]);
}

static void busy(struct loop *l, void *data)
{
	struct ctx *c = data;

	/* Always due, as `send -I 0 -n 0` is: the loop never sleeps. */
	if (++c->fired == 1000)
		kill(getpid(), SIGTERM);
	loop_timer_at(l, c->id, cli_now_ns());
}

static void sigterm_stops_a_loop_that_never_waits(void **state)
{
	struct loop l;
	struct ctx c = {0};
	sigset_t set;

	(void)state;
	/* Blocked before, as the old code paths did: the loop unblocks it. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	assert_int_equal(loop_init(&l), 0);
	c.id = loop_timer_new(&l, busy, &c);
	loop_timer_at(&l, c.id, cli_now_ns());
	assert_int_equal(loop_run(&l), LOOP_SIGNAL);
	assert_true(loop_signalled());
	assert_int_equal(c.fired, 1000);
	cli_stop = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_rearm_and_stop),
		cmocka_unit_test(deadline_ends_the_run),
		cmocka_unit_test(descriptor_callback),
		cmocka_unit_test(hook_stops_before_the_wait),
		cmocka_unit_test(sigterm_stops_a_loop_that_never_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
