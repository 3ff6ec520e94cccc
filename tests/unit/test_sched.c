/*
 * test_sched.c - the drift-free schedule (src/cli/sched.h): datagrams due
 * from the first send on, fractional rates that do not round away, a
 * burst bounded by max, and a fresh start when far behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/sched.h"

static void due_from_the_first_send(void **state)
{
	struct sched s;

	(void)state;
	sched_init(&s, 1000, 100, 1);
	assert_int_equal(sched_due(&s, 1000, 32), 1); /* the first at once */
	sched_took(&s, 1, 1000);
	assert_int_equal(sched_next(&s), 1100);
	assert_int_equal(sched_due(&s, 1099, 32), 0);
	/* Sent late, at 1150: the next is still due at 1200, not 1250. */
	sched_took(&s, 1, 1150);
	assert_int_equal(sched_next(&s), 1200);
}

static void rates_and_bursts(void **state)
{
	struct sched s;

	(void)state;
	/* 3 per second: 333333333.3 ns apart, the third at 666666667. */
	sched_init(&s, 0, 1e9 / 3, 32);
	assert_int_equal(sched_due(&s, 0, 32), 1);
	sched_took(&s, 1, 0);
	assert_int_equal(sched_due(&s, 666666667, 32), 2);
	assert_int_equal(sched_due(&s, 666666667, 1), 1);
	sched_took(&s, 2, 666666667);
	assert_int_equal(sched_next(&s), 1000000000);
	/* Interval 0: everything is due, up to max. */
	sched_init(&s, 5, 0, 1);
	assert_int_equal(sched_due(&s, 5, 64), 64);
}

static void far_behind_starts_afresh(void **state)
{
	struct sched s;

	(void)state;
	sched_init(&s, 0, 100, 1);
	sched_took(&s, 1, 0);
	/* Stopped for a while: one datagram at 10000, the next 100 later. */
	sched_took(&s, 1, 10000);
	assert_int_equal(sched_next(&s), 10100);
	/* With a slack of 4, owing 3 is caught up, owing 5 is not. */
	sched_init(&s, 0, 100, 4);
	sched_took(&s, 1, 400);
	assert_int_equal(sched_next(&s), 100);
	sched_took(&s, 1, 700);
	assert_int_equal(sched_next(&s), 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(due_from_the_first_send),
		cmocka_unit_test(rates_and_bursts),
		cmocka_unit_test(far_behind_starts_afresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
