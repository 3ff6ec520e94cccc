/*
 * addr_helpers.h - what the two address test files share: parse a group or
 * host that must be accepted, format and check the length, lo's index.
 * Static functions in a header, so each test binary stays one file.
 */
#ifndef MCAST_TEST_ADDR_HELPERS_H
#define MCAST_TEST_ADDR_HELPERS_H

#include <net/if.h>
#include <string.h>

#include "mcast.h"

/* A byte pattern that no parser would write, to see what was touched. */
#define POISON 0xa5

static unsigned lo_index(void)
{
	unsigned idx = if_nametoindex("lo");

	assert_true(idx > 0);
	return idx;
}

/* Parse a group that must be accepted, or fail the test saying why. */
static mcast_addr group_ok(const char *text)
{
	mcast_addr a;
	mcast_error err = {""};
	int rc = mcast_addr_parse_group(&a, text, &err);

	if (rc != 0)
		fail_msg("parse_group(\"%s\") = %d: %s", text, rc, err.msg);
	return a;
}

static mcast_addr host_ok(const char *text)
{
	mcast_addr a;
	mcast_error err = {""};
	int rc = mcast_addr_parse_host(&a, text, &err);

	if (rc != 0)
		fail_msg("parse_host(\"%s\") = %d: %s", text, rc, err.msg);
	return a;
}

/* Format with the given flags; the return value must be the text length. */
static const char *fmt(const mcast_addr *a, unsigned flags)
{
	static char buf[MCAST_ADDRSTRLEN];
	int n = mcast_addr_format(a, buf, sizeof(buf), flags);

	assert_true(n >= 0);
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

#endif
