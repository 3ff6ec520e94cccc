/*
 * test_seqwin.c - the sequence window (src/cli/seqwin.h): in order, loss,
 * duplicates, reordering, numbers older than the window, a jump past the
 * window, and loss counted up to a given number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/seqwin.h"

static void in_order(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 1024), 0);
	for (uint64_t s = 5; s < 15; s++)
		assert_int_equal(seqwin_add(&w, s), SEQWIN_NEW);
	assert_int_equal(w.first, 5);
	assert_int_equal(w.max, 14);
	assert_int_equal(w.received, 10);
	assert_int_equal(seqwin_expected(&w, w.max), 10);
	assert_int_equal(seqwin_lost(&w, w.max), 0);
	assert_int_equal(w.duplicates + w.reordered + w.late, 0);
	seqwin_free(&w);
}

static void loss_and_reordering(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 64), 0);
	assert_int_equal(seqwin_add(&w, 1), SEQWIN_NEW);
	assert_int_equal(seqwin_add(&w, 4), SEQWIN_NEW);
	assert_int_equal(seqwin_lost(&w, 4), 2); /* 2 and 3 missing */
	assert_int_equal(seqwin_add(&w, 3), SEQWIN_REORDERED);
	assert_int_equal(seqwin_add(&w, 3), SEQWIN_DUPLICATE);
	assert_int_equal(seqwin_add(&w, 4), SEQWIN_DUPLICATE);
	assert_int_equal(seqwin_lost(&w, 4), 1);
	/* Numbers still awaited are lost only once upto passes them. */
	assert_int_equal(seqwin_lost(&w, 10), 7);
	assert_int_equal(w.received, 3);
	assert_int_equal(w.duplicates, 2);
	assert_int_equal(w.reordered, 1);
	seqwin_free(&w);
}

/* A number below the first one received is reordered and lowers first. */
static void below_first(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 64), 0);
	seqwin_add(&w, 10);
	assert_int_equal(seqwin_add(&w, 8), SEQWIN_REORDERED);
	assert_int_equal(w.first, 8);
	assert_int_equal(seqwin_lost(&w, 10), 1);
	seqwin_free(&w);
}

static void late_and_jumps(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 10), 0);
	assert_int_equal(w.size, 16); /* rounded up to a power of two */
	seqwin_add(&w, 1);
	assert_int_equal(seqwin_add(&w, 100), SEQWIN_NEW); /* past the window */
	assert_int_equal(seqwin_add(&w, 2), SEQWIN_LATE);
	assert_int_equal(seqwin_add(&w, 2), SEQWIN_LATE); /* cannot tell */
	assert_int_equal(w.late, 2);
	/* The jump cleared the bitmap: 100 - 16 + 1 .. 99 are unseen. */
	assert_int_equal(seqwin_add(&w, 90), SEQWIN_REORDERED);
	assert_int_equal(seqwin_add(&w, 90), SEQWIN_DUPLICATE);
	/* A slide by less than the window clears only what it passes. */
	assert_int_equal(seqwin_add(&w, 105), SEQWIN_NEW);
	assert_int_equal(seqwin_add(&w, 100), SEQWIN_DUPLICATE);
	assert_int_equal(seqwin_add(&w, 103), SEQWIN_REORDERED);
	/* 84 lies in the window's slot of 100 but below it: late. */
	assert_int_equal(seqwin_add(&w, 84), SEQWIN_LATE);
	seqwin_free(&w);
}

/* A slot reused after the window slid must not look seen. */
static void wraparound(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 8), 0);
	for (uint64_t s = 0; s < 8; s++)
		seqwin_add(&w, s);
	assert_int_equal(seqwin_add(&w, 10), SEQWIN_NEW); /* skips 8, 9 */
	assert_int_equal(seqwin_add(&w, 9), SEQWIN_REORDERED);
	assert_int_equal(seqwin_add(&w, 8), SEQWIN_REORDERED);
	assert_int_equal(seqwin_lost(&w, 10), 0);
	seqwin_free(&w);
}

/* What a table "so far" leaves out: answers above the last settled number. */
static void received_above(void **state)
{
	struct seqwin w;

	(void)state;
	assert_int_equal(seqwin_init(&w, 8), 0);
	assert_int_equal(seqwin_received_above(&w, 0), 0);
	seqwin_add(&w, 1);
	seqwin_add(&w, 2);
	seqwin_add(&w, 4);
	seqwin_add(&w, 5);
	assert_int_equal(seqwin_received_above(&w, 2), 2);
	assert_int_equal(seqwin_received_above(&w, 3), 2);
	assert_int_equal(seqwin_received_above(&w, 5), 0);
	/* Further back than the window remembers: only what it holds. */
	seqwin_add(&w, 20);
	assert_int_equal(seqwin_received_above(&w, 0), 1);
	seqwin_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(loss_and_reordering),
		cmocka_unit_test(below_first),
		cmocka_unit_test(late_and_jumps),
		cmocka_unit_test(wraparound),
		cmocka_unit_test(received_above),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
