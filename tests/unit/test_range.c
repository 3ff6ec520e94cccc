/*
 * test_range.c - ranges of consecutive groups (mcast_addr_parse_range,
 * mcast_addr_add in mcast.h).
 *
 * Pure code, as test_addr.c: no socket is opened.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mcast.h"

#include "addr_helpers.h"

/* Parse a range that must be accepted; check its count and its last group
 * (formatted with the port). */
static mcast_addr range_ok(const char *text, unsigned want_count,
			   const char *want_last)
{
	mcast_addr first, last;
	mcast_error err = {""};
	unsigned count = 0;
	int rc = mcast_addr_parse_range(&first, &count, text, &err);

	if (rc != 0)
		fail_msg("parse_range(\"%s\") = %d: %s", text, rc, err.msg);
	assert_int_equal(count, want_count);
	last = first;
	rc = mcast_addr_add(&last, count - 1, &err);
	if (rc != 0)
		fail_msg("add(\"%s\", %u) = %d: %s", text, count - 1, rc, err.msg);
	assert_string_equal(fmt(&last, MCAST_FMT_PORT), want_last);
	return first;
}

static void test_range_ipv4(void **state)
{
	mcast_addr a;

	(void)state;
	a = range_ok("239.1.1.1+15:5000", 16, "239.1.1.16:5000");
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "239.1.1.1:5000");
	/* The carry runs into the next byte. */
	range_ok("239.1.1.250+10:5000", 11, "239.1.2.4:5000");
	range_ok("239.1.255.255+1:6000", 2, "239.2.0.0:6000");
	/* Without "+N", or with +0, one group: any group operand parses. */
	range_ok("239.1.1.1:5000", 1, "239.1.1.1:5000");
	range_ok("239.1.1.1+0:5000", 1, "239.1.1.1:5000");
	/* The largest range, and ranges up to the end of each scope. */
	range_ok("239.1.0.0+65535:5000", 65536, "239.1.255.255:5000");
	range_ok("239.255.255.240+15:5000", 16, "239.255.255.255:5000");
	range_ok("232.1.1.1+9:5000", 10, "232.1.1.10:5000");
	range_ok("224.0.0.250+5:5000", 6, "224.0.0.255:5000");
	range_ok("231.255.255.250+5:0", 6, "231.255.255.255:0");
}

static void test_range_ipv6(void **state)
{
	char text[64], want[64];
	mcast_addr a;

	(void)state;
	a = range_ok("[ff15::1]+15:5000", 16, "[ff15::10]:5000");
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[ff15::1]:5000");
	range_ok("[ff15::ffff]+1:5000", 2, "[ff15::1:0]:5000");
	range_ok("[ff15::1]:5000", 1, "[ff15::1]:5000");
	/* The whole 112-bit group ID of ff15::/16 is the range's to use. */
	range_ok("[ff15:ffff:ffff:ffff:ffff:ffff:ffff:fff0]+15:5000", 16,
		 "[ff15:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:5000");
	/* SSM: the 32-bit group ID of ff3e::/96. */
	range_ok("[ff3e::ffff:fff0]+15:5000", 16, "[ff3e::ffff:ffff]:5000");
	/* A link-local range keeps its scope. */
	snprintf(text, sizeof(text), "[ff02::1%%%u]+2:5000", lo_index());
	snprintf(want, sizeof(want), "[ff02::3%%lo]:5000");
	a = range_ok(text, 3, want);
	assert_int_equal(a.u.sin6.sin6_scope_id, lo_index());
}

struct bad {
	const char *text;
	int code;
	const char *in_msg[3]; /* substrings the message must contain */
};

/*
 * Ranges that must be refused: each a mistake that would otherwise join
 * groups nobody asked for (another scope, past the end) or none at all.
 */
static const struct bad bad_ranges[] = {
	{"239.255.255.250+10:5000", -ERANGE,
	 {"239.255.255.250+10:5000", "239.255.255.255", "last IPv4"}},
	{"231.255.255.250+10:5000", -ERANGE,
	 {"232.0.0.4", "224.0.1.0-231.255.255.255", NULL}},
	{"224.0.0.250+10:5000", -ERANGE, {"224.0.1.4", "link-local", NULL}},
	{"232.255.255.255+1:5000", -ERANGE, {"233.0.0.0", "source-specific", NULL}},
	{"238.255.255.255+1:5000", -ERANGE, {"239.0.0.0", NULL, NULL}},
	{"[ff15:ffff:ffff:ffff:ffff:ffff:ffff:ffff]+1:5000", -ERANGE,
	 {"ff16::", "ff15::/16", NULL}},
	{"[ff3e::ffff:ffff]+1:5000", -ERANGE, {"ff3e::1:0:0", "ff3e::/96", NULL}},
	{"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]+1:5000", -ERANGE,
	 {"ffff:ffff:ffff:ffff:ffff:ffff::/96", NULL, NULL}},
	{"239.1.1.1+65536:5000", -EINVAL, {"+65536", "+65535", NULL}},
	{"239.1.1.1+:5000", -EINVAL, {"'+'", NULL, NULL}},
	{"239.1.1.1+-1:5000", -EINVAL, {"+-1", NULL, NULL}},
	{"239.1.1.1+ 1:5000", -EINVAL, {NULL, NULL, NULL}},
	{"239.1.1.1++1:5000", -EINVAL, {NULL, NULL, NULL}},
	{"239.1.1.1+0x10:5000", -EINVAL, {"+0x10", NULL, NULL}},
	{"239.1.1.1+15", -EINVAL, {"port", NULL, NULL}},
	{"239.1.1.1:5000+15", -EINVAL, {NULL, NULL, NULL}},
	{"10.0.0.1+15:5000", -EINVAL, {"10.0.0.1", NULL, NULL}},
	{"ff15::1+15:5000", -EINVAL, {"brackets", NULL, NULL}},
	{"[ff15::1]+15", -EINVAL, {"port", NULL, NULL}},
	{"[ff15::1]+15:", -EINVAL, {NULL, NULL, NULL}},
	{"[ff15::1]+x:5000", -EINVAL, {"+x", NULL, NULL}},
	{"[ff15::1+15]:5000", -EINVAL, {NULL, NULL, NULL}},
	{"[2001:db8::1]+1:5000", -EINVAL, {"2001:db8::1", NULL, NULL}},
	{"[ff02::1%nosuch0]+1:5000", -ENODEV, {"nosuch0", NULL, NULL}},
};

static int range_problems(const struct bad *b)
{
	mcast_addr a, poison;
	mcast_error err = {""};
	unsigned count = 77;
	int rc, problems = 0;

	memset(&a, POISON, sizeof(a));
	memset(&poison, POISON, sizeof(poison));
	rc = mcast_addr_parse_range(&a, &count, b->text, &err);
	if (rc != b->code) {
		print_error("parse_range(\"%s\") = %d, want %d (%s)\n", b->text,
			    rc, b->code, err.msg);
		return 1;
	}
	for (int k = 0; k < 3; k++)
		if (b->in_msg[k] && !strstr(err.msg, b->in_msg[k])) {
			print_error("\"%s\": message \"%s\" does not name \"%s\"\n",
				    b->text, err.msg, b->in_msg[k]);
			problems++;
		}
	if (err.msg[0] == '\0' || strchr(err.msg, '\n')) {
		print_error("\"%s\": message empty or not one line\n", b->text);
		problems++;
	}
	if (memcmp(&a, &poison, sizeof(a)) != 0 || count != 77) {
		print_error("\"%s\": output written on failure\n", b->text);
		problems++;
	}
	if (mcast_addr_parse_range(&a, &count, b->text, NULL) != b->code) {
		print_error("\"%s\": differs with err NULL\n", b->text);
		problems++;
	}
	return problems;
}

static void test_range_rejects(void **state)
{
	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_ranges) / sizeof(bad_ranges[0]); i++)
		problems += range_problems(&bad_ranges[i]);
	assert_int_equal(problems, 0);
}

/* A range is not a group: the group parser still refuses "+N". */
static void test_group_is_not_range(void **state)
{
	mcast_addr a;

	(void)state;
	assert_int_equal(mcast_addr_parse_group(&a, "239.1.1.1+15:5000", NULL),
			 -EINVAL);
	assert_int_equal(mcast_addr_parse_group(&a, "[ff15::1]+15:5000", NULL),
			 -EINVAL);
}

static void test_add(void **state)
{
	mcast_addr a = group_ok("239.1.1.1:5000"), before;
	mcast_error err = {""};

	(void)state;
	assert_int_equal(mcast_addr_add(&a, 0, NULL), 0);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "239.1.1.1:5000");
	assert_int_equal(mcast_addr_add(&a, 255, NULL), 0);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "239.1.2.0:5000");
	/* A failed add leaves the group as it was. */
	before = a;
	assert_int_equal(mcast_addr_add(&a, UINT32_MAX, &err), -ERANGE);
	assert_memory_equal(&a, &before, sizeof(a));
	assert_non_null(strstr(err.msg, "4294967295"));
	/* Adding to something that is not a group is refused. */
	a = host_ok("10.0.0.1");
	assert_int_equal(mcast_addr_add(&a, 1, &err), -EINVAL);
	a = group_ok("[ff15::1]:5000");
	assert_int_equal(mcast_addr_add(&a, UINT32_MAX, NULL), 0);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[ff15::1:0:0]:5000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_ipv4),
		cmocka_unit_test(test_range_ipv6),
		cmocka_unit_test(test_range_rejects),
		cmocka_unit_test(test_group_is_not_range),
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
