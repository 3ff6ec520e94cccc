/*
 * test_addr_format.c - printing, comparing and classifying addresses
 * (mcast.h).
 *
 * Pure code: the only kernel calls are if_nametoindex() and
 * if_indextoname() for the "%lo" scope. No socket is opened.
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

/* Whatever format prints, parse must read back as the same address. */
static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"239.1.2.3:5000",   "224.0.0.251:5353", "[ff15::1]:5000",
		"[ff02::1%lo]:1",   "[ff3e::8000:1]:65535",
		"[ff15:1:2:3:4:5:6:7]:9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		mcast_addr a = group_ok(texts[i]), b;

		assert_string_equal(fmt(&a, MCAST_FMT_PORT), texts[i]);
		b = group_ok(fmt(&a, MCAST_FMT_PORT));
		assert_true(mcast_addr_equal(&a, &b, true));
	}
}

static void test_format_space(void **state)
{
	mcast_addr a = group_ok("[ff02::1%lo]:5000");
	const char *want = "[ff02::1%lo]:5000";
	size_t need = strlen(want) + 1;
	char buf[64];

	(void)state;
	/*
	 * Every buffer one byte too small or less must fail with -ENOSPC,
	 * stay NUL-terminated, and not be written past its length: callers
	 * print the buffer even after an error.
	 */
	for (size_t len = 1; len < need; len++) {
		memset(buf, POISON, sizeof(buf));
		assert_int_equal(mcast_addr_format(&a, buf, len, MCAST_FMT_PORT),
				 -ENOSPC);
		assert_non_null(memchr(buf, '\0', len));
		for (size_t j = len; j < sizeof(buf); j++)
			assert_int_equal((unsigned char)buf[j], POISON);
	}
	memset(buf, POISON, sizeof(buf));
	assert_int_equal(mcast_addr_format(&a, buf, 0, MCAST_FMT_PORT),
			 -ENOSPC);
	assert_int_equal((unsigned char)buf[0], POISON);
	assert_int_equal(mcast_addr_format(&a, buf, need, MCAST_FMT_PORT),
			 (int)need - 1);
	assert_string_equal(buf, want);
}

/* The longest IPv6 text must fit in MCAST_ADDRSTRLEN. */
static void test_format_longest(void **state)
{
	const char *want = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%lo]:65535";
	mcast_addr a;
	char buf[MCAST_ADDRSTRLEN];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.u.sin6.sin6_family = AF_INET6;
	memset(&a.u.sin6.sin6_addr, 0xff, sizeof(a.u.sin6.sin6_addr));
	a.u.sin6.sin6_port = htons(65535);
	a.u.sin6.sin6_scope_id = lo_index();
	assert_int_equal(mcast_addr_format(&a, buf, sizeof(buf), MCAST_FMT_PORT),
			 (int)strlen(want));
	assert_string_equal(buf, want);

	/* A zeroed address has no family to format. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(mcast_addr_family(&a), AF_UNSPEC);
	assert_int_equal(mcast_addr_format(&a, buf, sizeof(buf), 0),
			 -EAFNOSUPPORT);
}

static void test_classify(void **state)
{
	static const struct {
		const char *host;
		bool multicast, ssm;
	} cases[] = {
		{"224.0.0.0", true, false},
		{"239.255.255.255", true, false},
		{"239.1.2.3", true, false},
		{"223.255.255.255", false, false},
		{"240.0.0.0", false, false},
		{"10.0.0.1", false, false},
		{"232.0.0.0", true, true},
		{"232.255.255.255", true, true},
		{"231.255.255.255", true, false},
		{"233.0.0.0", true, false},
		{"ff00::", true, false},
		{"ff15::1", true, false},
		{"ff35::1", true, true},
		{"ff3e::8000:1", true, true},
		/* ff3x::/32 only: a non-zero second word is RFC 3306, not SSM. */
		{"ff3e:30:2001:db8::1", true, false},
		{"ff3e:100::1", true, false},
		{"fe80::1", false, false},
		{"::1", false, false},
	};

	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mcast_addr a = host_ok(cases[i].host);

		if (mcast_addr_is_multicast(&a) != cases[i].multicast ||
		    mcast_addr_is_ssm(&a) != cases[i].ssm) {
			print_error("%s: multicast %d ssm %d\n", cases[i].host,
				    mcast_addr_is_multicast(&a),
				    mcast_addr_is_ssm(&a));
			problems++;
		}
	}
	assert_int_equal(problems, 0);
}

static void test_equal_and_port(void **state)
{
	mcast_addr a = group_ok("239.1.2.3:5000");
	mcast_addr b = group_ok("239.1.2.3:6000");
	mcast_addr c = group_ok("239.1.2.4:5000");
	mcast_addr d = group_ok("[ff15::1]:5000");

	(void)state;
	assert_true(mcast_addr_equal(&a, &b, false));
	assert_false(mcast_addr_equal(&a, &b, true));
	assert_false(mcast_addr_equal(&a, &c, false));
	assert_false(mcast_addr_equal(&a, &d, false));
	assert_true(mcast_addr_equal(&d, &d, true));

	mcast_addr_set_port(&b, 5000);
	assert_true(mcast_addr_equal(&a, &b, true));
	mcast_addr_set_port(&a, 65535);
	assert_int_equal(mcast_addr_port(&a), 65535);
	assert_int_equal(a.u.sin.sin_port, htons(65535));
	mcast_addr_set_port(&d, 1);
	assert_int_equal(mcast_addr_port(&d), 1);
	assert_int_equal(d.u.sin6.sin6_port, htons(1));
	assert_string_equal(fmt(&d, MCAST_FMT_PORT), "[ff15::1]:1");
}

static void test_version_strerror(void **state)
{
	(void)state;
	assert_string_equal(mcast_version(), MCAST_VERSION);
	assert_non_null(mcast_strerror(-EINVAL));
	assert_true(strlen(mcast_strerror(-EINVAL)) > 0);
	assert_true(strlen(mcast_strerror(-ENODEV)) > 0);
	/* Codes the library never returns still get text, never NULL. */
	assert_non_null(mcast_strerror(0));
	assert_non_null(mcast_strerror(-99999));
	assert_non_null(mcast_strerror(12345));
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_space),
		cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_equal_and_port),
		cmocka_unit_test(test_version_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
