/*
 * test_limit.c - who may be answered and how often (src/cli/limit.h): only
 * unicast senders with a port; a burst of one second's worth per source,
 * then one answer per 1/rate; sources limited apart; "N" and "N/s".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/limit.h"
#include "cli/opt.h"

#define MS 1000000ULL
#define S 1000000000ULL

/* An address and a port: host "10.0.0.1" or "fd00::1", port 4000. */
static mcast_addr addr_port(const char *host, unsigned port)
{
	mcast_addr a;
	mcast_error e;

	assert_int_equal(mcast_addr_parse_host(&a, host, &e), 0);
	mcast_addr_set_port(&a, (uint16_t)port);
	return a;
}

static void answerable(void **state)
{
	mcast_addr a;

	(void)state;
	a = addr_port("10.0.0.1", 4000);
	assert_true(limit_answerable(&a));
	a = addr_port("fd00::1", 4000);
	assert_true(limit_answerable(&a));
	a = addr_port("10.0.0.1", 0);
	assert_false(limit_answerable(&a));
	a = addr_port("239.1.2.3", 4000);
	assert_false(limit_answerable(&a));
	a = addr_port("255.255.255.255", 4000);
	assert_false(limit_answerable(&a));
	a = addr_port("0.0.0.0", 4000);
	assert_false(limit_answerable(&a));
	a = addr_port("::", 4000);
	assert_false(limit_answerable(&a));
	a = addr_port("ff15::1", 4000);
	assert_false(limit_answerable(&a));
}

static void burst_then_rate(void **state)
{
	struct limit l;
	mcast_addr a = addr_port("10.0.0.1", 4000), b = addr_port("10.0.0.2", 4000);
	uint64_t t0 = 100 * S;
	int n = 0;

	(void)state;
	limit_init(&l, 10);
	while (limit_allow(&l, &a, t0))
		n++;
	assert_int_equal(n, 10); /* one second's worth at once */
	assert_false(limit_allow(&l, &a, t0 + 99 * MS));
	assert_true(limit_allow(&l, &a, t0 + 100 * MS));
	assert_false(limit_allow(&l, &a, t0 + 150 * MS));
	/* Another source has its own bucket. */
	assert_true(limit_allow(&l, &b, t0 + 150 * MS));
	/* After a quiet second the burst is back. */
	n = 0;
	while (limit_allow(&l, &a, t0 + 5 * S))
		n++;
	assert_int_equal(n, 10);
	limit_free(&l);
}

/* Parse arg as --reply-rate given on the command line. */
static int rate(const char *arg, uint64_t *out)
{
	struct cli_arg a = {.id = 0, .opt = "--reply-rate", .value = arg};

	return limit_parse_rate(&a, out);
}

static void parse_rate(void **state)
{
	uint64_t r = 0;

	(void)state;
	assert_int_equal(rate("100", &r), 0);
	assert_int_equal(r, 100);
	assert_int_equal(rate("25/s", &r), 0);
	assert_int_equal(r, 25);
	assert_int_not_equal(rate("0", &r), 0);
	assert_int_not_equal(rate("5/m", &r), 0);
	assert_int_not_equal(rate("/s", &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answerable),
		cmocka_unit_test(burst_then_rate),
		cmocka_unit_test(parse_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
