/*
 * test_sentlog.c - which datagram an answer answers (src/cli/sentlog.h):
 * echoes matched by payload, other answers to the latest send, and the
 * round trip unknown when sends are too close together to tell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cli/sentlog.h"

static void one_send_is_always_known(void **state)
{
	struct sentlog l;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(sentlog_answered(&l, 100, "x", 1), 0); /* nothing sent */
	sentlog_add(&l, 1000, "ping", 4);
	assert_int_equal(sentlog_answered(&l, 1500, "ack", 3), 1000);
	/* An answer that arrived before any send it could answer. */
	assert_int_equal(sentlog_answered(&l, 900, "ack", 3), 0);
}

static void echoes_name_their_datagram(void **state)
{
	struct sentlog l;

	(void)state;
	memset(&l, 0, sizeof(l));
	sentlog_add(&l, 1000, "n1", 2);
	sentlog_add(&l, 1001, "n2", 2);
	sentlog_add(&l, 1002, "n3", 2);
	/* Sent 1 ns apart, but the payload says which. */
	assert_int_equal(sentlog_answered(&l, 1100, "n1", 2), 1000);
	assert_int_equal(sentlog_answered(&l, 1100, "n3", 2), 1002);
}

static void close_sends_are_ambiguous(void **state)
{
	struct sentlog l;

	(void)state;
	memset(&l, 0, sizeof(l));
	/* One second apart, an answer 1 ms after the second: known. */
	sentlog_add(&l, 1000000000, "x", 1);
	sentlog_add(&l, 2000000000, "x", 1);
	assert_int_equal(sentlog_answered(&l, 2001000000, "x", 1), 2000000000);
	assert_int_equal(sentlog_answered(&l, 2001000000, "ack", 3), 2000000000);
	/* 10 us apart (-I 0), an answer 100 us after: could be to either. */
	sentlog_add(&l, 3000000000, "x", 1);
	sentlog_add(&l, 3000010000, "x", 1);
	assert_int_equal(sentlog_answered(&l, 3000110000, "x", 1), 0);
	assert_int_equal(sentlog_answered(&l, 3000110000, "ack", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_send_is_always_known),
		cmocka_unit_test(echoes_name_their_datagram),
		cmocka_unit_test(close_sends_are_ambiguous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
