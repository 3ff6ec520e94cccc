/*
 * test_peers.c - the per-peer table (src/cli/peers.h): a typed value per
 * peer, zeroed on first sight, stable while the table grows, insertion
 * order, keys with and without the port, the limit, and the drop hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "cli/peers.h"

struct value {
	uint64_t count;
	double last;
};

static mcast_addr host(unsigned i, unsigned port)
{
	char text[64];
	mcast_addr a;
	mcast_error e;

	snprintf(text, sizeof(text), "10.%u.%u.%u", (i >> 16) & 255,
		 (i >> 8) & 255, i & 255);
	assert_int_equal(mcast_addr_parse_host(&a, text, &e), 0);
	mcast_addr_set_port(&a, (uint16_t)port);
	return a;
}

static void typed_values(void **state)
{
	struct peers t;
	mcast_addr a = host(1, 5000);
	struct value *v, *again;
	bool added;

	(void)state;
	peers_init(&t, sizeof(struct value), 100, false);
	assert_null(peers_find(&t, &a));
	v = peers_get(&t, &a, &added);
	assert_non_null(v);
	assert_true(added);
	assert_int_equal(v->count, 0);
	v->count = 7;
	v->last = 1.5;
	/* The port is not part of the key here. */
	a = host(1, 6000);
	again = peers_get(&t, &a, &added);
	assert_ptr_equal(again, v);
	assert_false(added);
	assert_int_equal(again->count, 7);
	assert_int_equal(mcast_addr_port(peers_addr(v)), 5000);
	assert_int_equal(peers_count(&t), 1);
	peers_free(&t, NULL);
}

/* Values keep their address while the table grows past many resizes. */
static void stable_and_ordered(void **state)
{
	struct value *first[1000];
	struct peers t;

	(void)state;
	peers_init(&t, sizeof(struct value), 5000, true);
	for (unsigned i = 0; i < 1000; i++) {
		mcast_addr a = host(i, 7);

		first[i] = peers_get(&t, &a, NULL);
		first[i]->count = i;
	}
	for (unsigned i = 0; i < 1000; i++) {
		mcast_addr a = host(i, 7);

		assert_ptr_equal(peers_get(&t, &a, NULL), first[i]);
		assert_ptr_equal(peers_at(&t, i), first[i]);
		assert_int_equal(((struct value *)peers_at(&t, i))->count, i);
	}
	/* With the port in the key another port is another peer. */
	{
		mcast_addr a = host(3, 8);

		assert_ptr_not_equal(peers_get(&t, &a, NULL), first[3]);
	}
	assert_int_equal(peers_count(&t), 1001);
	peers_free(&t, NULL);
}

static void limit(void **state)
{
	struct peers t;
	mcast_addr a = host(1, 1), b = host(2, 1), c = host(3, 1);

	(void)state;
	peers_init(&t, 0, 2, false);
	assert_non_null(peers_get(&t, &a, NULL));
	assert_non_null(peers_get(&t, &b, NULL));
	assert_false(t.full);
	assert_null(peers_get(&t, &c, NULL));
	assert_true(t.full);
	/* Known peers are still found. */
	assert_non_null(peers_get(&t, &a, NULL));
	assert_int_equal(peers_count(&t), 2);
	peers_free(&t, NULL);
}

static int dropped;

static void drop(void *v)
{
	dropped += (int)((struct value *)v)->count;
}

static void drop_hook(void **state)
{
	struct peers t;

	(void)state;
	peers_init(&t, sizeof(struct value), 10, false);
	for (unsigned i = 1; i <= 4; i++) {
		mcast_addr a = host(i, 1);

		((struct value *)peers_get(&t, &a, NULL))->count = i;
	}
	peers_free(&t, drop);
	assert_int_equal(dropped, 10);
	assert_int_equal(peers_count(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typed_values),
		cmocka_unit_test(stable_and_ordered),
		cmocka_unit_test(limit),
		cmocka_unit_test(drop_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
