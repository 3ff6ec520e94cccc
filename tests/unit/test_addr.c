/*
 * test_addr.c - parsing group and host addresses (mcast.h).
 *
 * Pure code: the only kernel calls are if_nametoindex() and
 * if_indextoname() for the "%lo" scope. No socket is opened. Printing and
 * classifying are in test_addr_format.c.
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

static void test_group_ipv4(void **state)
{
	mcast_addr a = group_ok("239.1.2.3:5000");
	struct in_addr want;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "239.1.2.3", &want), 1);
	assert_int_equal(mcast_addr_family(&a), AF_INET);
	assert_int_equal(a.u.sin.sin_addr.s_addr, want.s_addr);
	/* The port is stored in network order, ready for sendto(2). */
	assert_int_equal(a.u.sin.sin_port, htons(5000));
	assert_int_equal(mcast_addr_port(&a), 5000);
	assert_int_equal(mcast_addr_len(&a), sizeof(struct sockaddr_in));
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "239.1.2.3:5000");
	assert_string_equal(fmt(&a, 0), "239.1.2.3");

	/* Both ends of the port range and of 224.0.0.0/4. */
	a = group_ok("224.0.0.1:0");
	assert_int_equal(mcast_addr_port(&a), 0);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "224.0.0.1:0");
	a = group_ok("239.255.255.255:65535");
	assert_int_equal(mcast_addr_port(&a), 65535);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "239.255.255.255:65535");
}

static void test_group_ipv6(void **state)
{
	mcast_addr a = group_ok("[ff15::1]:5000");
	struct in6_addr want;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "ff15::1", &want), 1);
	assert_int_equal(mcast_addr_family(&a), AF_INET6);
	assert_memory_equal(&a.u.sin6.sin6_addr, &want, sizeof(want));
	assert_int_equal(a.u.sin6.sin6_port, htons(5000));
	assert_int_equal(a.u.sin6.sin6_scope_id, 0);
	assert_int_equal(mcast_addr_len(&a), sizeof(struct sockaddr_in6));
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[ff15::1]:5000");
	assert_string_equal(fmt(&a, 0), "ff15::1");
}

static void test_group_scope(void **state)
{
	char text[64];
	mcast_addr a;

	(void)state;
	/* A link-local group needs a scope; by name it is looked up. */
	a = group_ok("[ff02::1%lo]:5000");
	assert_int_equal(a.u.sin6.sin6_scope_id, lo_index());
	assert_int_equal(mcast_addr_port(&a), 5000);
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[ff02::1%lo]:5000");
	assert_string_equal(fmt(&a, 0), "ff02::1%lo");

	/* By index it means the same interface, and prints by name. */
	snprintf(text, sizeof(text), "[ff02::1%%%u]:5000", lo_index());
	a = group_ok(text);
	assert_int_equal(a.u.sin6.sin6_scope_id, lo_index());
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[ff02::1%lo]:5000");
}

struct bad {
	const char *text;
	int code;
	const char *in_msg; /* a substring the message must contain, or NULL */
};

/*
 * Each of these is a mistake a user makes on the command line; each must be
 * refused rather than half-parsed, because a silently wrong group or port
 * means a receiver that waits forever.
 */
static const struct bad bad_groups[] = {
	{"10.0.0.1:5000", -EINVAL, "10.0.0.1"}, /* unicast */
	{"223.255.255.255:5000", -EINVAL, NULL}, /* just below 224/4 */
	{"240.0.0.1:5000", -EINVAL, NULL},      /* just above 224/4 */
	{"239.1.2:5000", -EINVAL, NULL},
	{"239.1.2.3.4:5000", -EINVAL, NULL},
	{"239.1.2.3", -EINVAL, NULL}, /* no port */
	{"239.1.2.3:", -EINVAL, NULL},
	{"239.1.2.3:70000", -EINVAL, NULL},
	{"239.1.2.3:65536", -EINVAL, NULL},
	{"239.1.2.3:-1", -EINVAL, NULL},
	/* strtoul() skips blanks and takes a sign; a port must not. */
	{"239.1.2.3: 5000", -EINVAL, NULL},
	{"239.1.2.3:+5000", -EINVAL, NULL},
	{"239.1.2.3:5000x", -EINVAL, NULL},
	{"239.1.2.3:5000\n", -EINVAL, NULL},
	{"239.1.2.3:5000:6000", -EINVAL, NULL},
	{"239.1.2.3%lo:5000", -EINVAL, NULL}, /* IPv4 has no scope */
	{"ff15::1:5000", -EINVAL, NULL},      /* IPv6 without brackets */
	{"[ff15::1]", -EINVAL, NULL},
	{"[ff15::1]:", -EINVAL, NULL},
	{"[ff15::1]x5000", -EINVAL, NULL},
	{"[ff15::1", -EINVAL, NULL},
	{"ff15::1]:5000", -EINVAL, NULL},
	{"[]:5000", -EINVAL, NULL},
	{"[2001:db8::1]:5000", -EINVAL, "2001:db8::1"}, /* unicast */
	{"", -EINVAL, NULL},
	{":5000", -EINVAL, NULL},
	{"eth0:5000", -EINVAL, NULL},
	{"[ff02::1%nosuch0]:5000", -ENODEV, "nosuch0"},
};

/*
 * Check the error contract: a one-line message naming the value. Prints
 * what is wrong and returns the number of problems, so that a table test
 * reports every bad row in one run.
 */
static int msg_problems(const char *input, const mcast_error *err,
			const char *in_msg)
{
	size_t n = strnlen(err->msg, sizeof(err->msg));

	if (n == 0 || n == sizeof(err->msg)) {
		print_error("\"%s\": message empty or not terminated\n", input);
		return 1;
	}
	/*
	 * The message quotes user input, which may hold a newline or a
	 * terminal escape; it must still be one line of plain text, or a log
	 * reader sees two records.
	 */
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)err->msg[k] < 0x20 || err->msg[k] == 0x7f) {
			print_error("\"%s\": control byte 0x%02x in message\n",
				    input, (unsigned char)err->msg[k]);
			return 1;
		}
	if (in_msg != NULL && strstr(err->msg, in_msg) == NULL) {
		print_error("\"%s\": message \"%s\" does not name \"%s\"\n",
			    input, err->msg, in_msg);
		return 1;
	}
	return 0;
}

static void test_group_rejects(void **state)
{
	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_groups) / sizeof(bad_groups[0]); i++) {
		const struct bad *b = &bad_groups[i];
		mcast_addr a, poison;
		mcast_error err = {""};
		int rc;

		memset(&a, POISON, sizeof(a));
		memset(&poison, POISON, sizeof(poison));
		rc = mcast_addr_parse_group(&a, b->text, &err);
		if (rc != b->code) {
			print_error("parse_group(\"%s\") = %d, want %d\n",
				    b->text, rc, b->code);
			problems++;
			continue;
		}
		problems += msg_problems(b->text, &err, b->in_msg);
		/* The contract says out is written only on success. */
		if (memcmp(&a, &poison, sizeof(a)) != 0) {
			print_error("\"%s\": out written on failure\n", b->text);
			problems++;
		}
		/* And err may be NULL. */
		if (mcast_addr_parse_group(&a, b->text, NULL) != b->code) {
			print_error("\"%s\": differs with err NULL\n", b->text);
			problems++;
		}
	}
	assert_int_equal(problems, 0);
}

/*
 * A numeric scope that names no interface is as unknown as a name. The
 * index is kept small, so that only a lookup (not a range check) can
 * refuse it.
 */
static void test_group_unknown_index(void **state)
{
	char name[IF_NAMESIZE], text[64];
	unsigned idx = 1000;
	mcast_error err = {""};
	mcast_addr a;

	(void)state;
	while (if_indextoname(idx, name) != NULL)
		idx++;
	snprintf(text, sizeof(text), "[ff02::1%%%u]:5000", idx);
	assert_int_equal(mcast_addr_parse_group(&a, text, &err), -ENODEV);
	assert_int_equal(msg_problems(text, &err, NULL), 0);
}

/*
 * Overlong input must be refused without overrunning any internal buffer,
 * and the message that quotes it must still fit in mcast_error.
 */
static void test_group_long(void **state)
{
	static const char *const shapes[] = {"%s", "[%s]:5000",
					     "239.1.2.3:%s", "[ff02::1%%%s]:5000"};
	char fill[1001], text[1100];
	mcast_error err;
	mcast_addr a;
	int problems = 0;

	(void)state;
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (int c = 0; c < 3; c++) {
			memset(fill, "9fa"[c], sizeof(fill) - 1);
			fill[sizeof(fill) - 1] = '\0';
			/* Non-literal formats are fine here: the table is ours. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(text, sizeof(text), shapes[s], fill);
#pragma GCC diagnostic pop
			memset(&err, 'x', sizeof(err));
			int rc = mcast_addr_parse_group(&a, text, &err);
			/* A 1000-character scope name is malformed or unknown. */
			if (rc != -EINVAL && rc != -ENODEV) {
				print_error("shape %zu fill %c: rc %d\n", s,
					    "9fa"[c], rc);
				problems++;
				continue;
			}
			problems += msg_problems(text, &err, NULL);
		}
	}
	assert_int_equal(problems, 0);
}

static void test_host(void **state)
{
	mcast_addr a;
	mcast_error err = {""};

	(void)state;
	a = host_ok("10.0.0.1");
	assert_int_equal(mcast_addr_family(&a), AF_INET);
	assert_int_equal(mcast_addr_port(&a), 0);
	assert_string_equal(fmt(&a, 0), "10.0.0.1");

	a = host_ok("::1");
	assert_int_equal(mcast_addr_family(&a), AF_INET6);
	assert_string_equal(fmt(&a, 0), "::1");

	a = host_ok("[2001:db8::1]");
	assert_int_equal(mcast_addr_family(&a), AF_INET6);
	assert_string_equal(fmt(&a, 0), "2001:db8::1");
	assert_string_equal(fmt(&a, MCAST_FMT_PORT), "[2001:db8::1]:0");

	a = host_ok("fe80::1%lo");
	assert_int_equal(a.u.sin6.sin6_scope_id, lo_index());
	assert_string_equal(fmt(&a, 0), "fe80::1%lo");

	/* A source may well be a multicast address in tests; it is allowed. */
	a = host_ok("239.1.2.3");
	assert_true(mcast_addr_is_multicast(&a));

	assert_int_equal(mcast_addr_parse_host(&a, "fe80::1%nosuch0", &err),
			 -ENODEV);
	assert_int_equal(msg_problems("fe80::1%nosuch0", &err, "nosuch0"), 0);
}

static void test_host_rejects(void **state)
{
	static const char *const bad[] = {
		"10.0.0.1:5",  "[2001:db8::1]:5000", "10.0.0.256", "10.0.0",
		"junk",        "",                   "[::1",       "::1]",
		" 10.0.0.1",   "10.0.0.1 ",          "[10.0.0.1]x",
	};

	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mcast_addr a;
		mcast_error err = {""};
		int rc = mcast_addr_parse_host(&a, bad[i], &err);

		if (rc != -EINVAL) {
			print_error("parse_host(\"%s\") = %d\n", bad[i], rc);
			problems++;
			continue;
		}
		problems += msg_problems(bad[i], &err, NULL);
		problems += mcast_addr_parse_host(&a, bad[i], NULL) != -EINVAL;
	}
	assert_int_equal(problems, 0);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_ipv4),
		cmocka_unit_test(test_group_ipv6),
		cmocka_unit_test(test_group_scope),
		cmocka_unit_test(test_group_rejects),
		cmocka_unit_test(test_group_unknown_index),
		cmocka_unit_test(test_group_long),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_host_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
