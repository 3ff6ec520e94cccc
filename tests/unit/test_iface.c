/*
 * test_iface.c - finding and listing interfaces (mcast.h).
 *
 * Only reads what the kernel reports (getifaddrs, ioctl); sends nothing and
 * changes nothing. The loopback interface is the one interface every host
 * has, so the exact checks are about "lo"; everything else is compared with
 * what if_nameindex(3) and SIOCGIFFLAGS say, so the tests hold on any host
 * and inside any network namespace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mcast.h"

/* Ask the kernel directly, the way the library is not allowed to fail to. */
static int kernel_ifreq(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	assert_true(fd >= 0);
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	rc = ioctl(fd, req, ifr);
	close(fd);
	return rc;
}

static unsigned kernel_flags(const char *name)
{
	struct ifreq ifr;

	assert_int_equal(kernel_ifreq(name, SIOCGIFFLAGS, &ifr), 0);
	return (unsigned short)ifr.ifr_flags;
}

/* The address inside an AF_INET or AF_INET6 sockaddr, for inet_ntop(). */
static const void *sa_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	return &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
}

/* True when some interface has the address `text` (e.g. "127.0.0.1"). */
static bool host_has_address(const char *text)
{
	struct ifaddrs *ifa, *p;
	bool found = false;
	char buf[INET6_ADDRSTRLEN];

	if (getifaddrs(&ifa) != 0)
		return false;
	for (p = ifa; p != NULL && !found; p = p->ifa_next) {
		int family = p->ifa_addr ? p->ifa_addr->sa_family : AF_UNSPEC;

		if (family != AF_INET && family != AF_INET6)
			continue;
		inet_ntop(family, sa_addr(p->ifa_addr), buf, sizeof(buf));
		found = strcmp(buf, text) == 0;
	}
	freeifaddrs(ifa);
	return found;
}

static void check_lo(const mcast_iface *i)
{
	struct ifreq ifr;

	assert_string_equal(i->name, "lo");
	assert_int_equal(i->index, if_nametoindex("lo"));
	assert_true(i->flags & IFF_LOOPBACK);
	/*
	 * SIOCGIFFLAGS reports only the low 16 bits; netlink (and so
	 * getifaddrs) may add IFF_LOWER_UP and friends above them.
	 */
	assert_int_equal(i->flags & 0xffff, kernel_flags("lo"));
	/* The MTU is what the kernel says (lo's is 65536 by default). */
	if (kernel_ifreq("lo", SIOCGIFMTU, &ifr) == 0)
		assert_int_equal(i->mtu, (unsigned)ifr.ifr_mtu);
}

static void test_find_by_name(void **state)
{
	mcast_iface i;
	mcast_error err = {""};

	(void)state;
	assert_int_equal(mcast_iface_find(&i, "lo", &err), 0);
	check_lo(&i);
	assert_int_equal(mcast_iface_find(&i, "lo", NULL), 0);
	check_lo(&i);
}

static void test_find_by_index(void **state)
{
	char spec[16];
	mcast_iface i;

	(void)state;
	snprintf(spec, sizeof(spec), "%u", if_nametoindex("lo"));
	assert_int_equal(mcast_iface_find(&i, spec, NULL), 0);
	check_lo(&i);

	memset(&i, 0, sizeof(i));
	assert_int_equal(mcast_iface_by_index(&i, if_nametoindex("lo"), NULL), 0);
	check_lo(&i);
}

static void test_find_by_address(void **state)
{
	mcast_iface i;
	mcast_error err = {""};

	(void)state;
	/* A fresh namespace has lo down and without addresses; then skip. */
	if (!host_has_address("127.0.0.1"))
		skip();
	assert_int_equal(mcast_iface_find(&i, "127.0.0.1", &err), 0);
	check_lo(&i);
	if (host_has_address("::1")) {
		assert_int_equal(mcast_iface_find(&i, "::1", &err), 0);
		check_lo(&i);
	}
}

static void test_find_unknown(void **state)
{
	/*
	 * Each of these matches no interface. "4294967297" is 2^32 + 1: a
	 * parser that casts strtoul() to unsigned would find index 1 (lo).
	 * "1x" must not be read as index 1 either. 192.0.2.1 is TEST-NET-1,
	 * which no host is configured with.
	 */
	static const char *const specs[] = {
		"nosuch0", "0", "-1", "1x", "4294967297", "192.0.2.1",
		"2001:db8::dead", "lo ", "LO",
		"this-name-is-much-longer-than-ifnamsiz",
	};

	(void)state;
	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		mcast_iface i;
		mcast_error err = {""};
		int rc = mcast_iface_find(&i, specs[k], &err);

		if (rc != -ENODEV)
			fail_msg("find(\"%s\") = %d, want -ENODEV", specs[k], rc);
		/* The message names what was asked for, on one line. */
		assert_true(strnlen(err.msg, sizeof(err.msg)) < sizeof(err.msg));
		assert_null(strchr(err.msg, '\n'));
		if (strlen(specs[k]) < 32 && strstr(err.msg, specs[k]) == NULL)
			fail_msg("message \"%s\" does not name \"%s\"", err.msg,
				 specs[k]);
		assert_int_equal(mcast_iface_find(&i, specs[k], NULL), -ENODEV);
	}
}

/* An empty spec names nothing; it is malformed or unknown, not lo. */
static void test_find_empty(void **state)
{
	mcast_iface i;
	int rc;

	(void)state;
	rc = mcast_iface_find(&i, "", NULL);
	assert_true(rc == -ENODEV || rc == -EINVAL);
}

static void test_by_index_unknown(void **state)
{
	char name[IF_NAMESIZE], num[16];
	unsigned idx = 100000;
	mcast_iface i;
	mcast_error err = {""};

	(void)state;
	assert_int_equal(mcast_iface_by_index(&i, 0, NULL), -ENODEV);
	while (if_indextoname(idx, name) != NULL)
		idx++;
	assert_int_equal(mcast_iface_by_index(&i, idx, &err), -ENODEV);
	snprintf(num, sizeof(num), "%u", idx);
	if (strstr(err.msg, num) == NULL)
		fail_msg("message \"%s\" does not name index %s", err.msg, num);
}

/*
 * The list must agree with if_nameindex(3): every interface with the flags
 * once (getifaddrs returns one entry per address, so duplicates are the
 * classic bug), in index order, each with its kernel name and flags.
 */
static void check_list(unsigned need)
{
	struct if_nameindex *all = if_nameindex(), *p;
	mcast_iface *list = NULL;
	size_t n = 12345, want = 0;

	assert_non_null(all);
	assert_int_equal(mcast_iface_list(&list, &n, need, NULL), 0);
	for (p = all; p->if_index != 0; p++)
		if ((kernel_flags(p->if_name) & need) == need)
			want++;
	assert_int_equal(n, want);
	for (size_t k = 0; k < n; k++) {
		char name[IF_NAMESIZE];

		if (k > 0)
			assert_true(list[k].index > list[k - 1].index);
		assert_non_null(if_indextoname(list[k].index, name));
		assert_string_equal(list[k].name, name);
		assert_int_equal(list[k].flags & 0xffff, kernel_flags(name));
		assert_int_equal(list[k].flags & need, need);
	}
	free(list);
	if_freenameindex(all);
}

static void test_list(void **state)
{
	(void)state;
	check_list(0);
	check_list(IFF_UP);
	check_list(IFF_UP | IFF_MULTICAST);
	check_list(IFF_LOOPBACK);
}

static void test_list_has_lo(void **state)
{
	mcast_iface *list = NULL;
	size_t n = 0;
	bool found = false;

	(void)state;
	if (!(kernel_flags("lo") & IFF_UP))
		skip();
	assert_int_equal(mcast_iface_list(&list, &n, IFF_UP, NULL), 0);
	for (size_t k = 0; k < n; k++)
		if (strcmp(list[k].name, "lo") == 0) {
			check_lo(&list[k]);
			found = true;
		}
	assert_true(found);
	free(list);
}

static void test_list_empty(void **state)
{
	/* Loopback and point-to-point together: no real interface has both. */
	const unsigned need = IFF_LOOPBACK | IFF_POINTOPOINT | IFF_BROADCAST;
	struct if_nameindex *all = if_nameindex(), *p;
	mcast_iface *list = (mcast_iface *)&list; /* any non-NULL value */
	size_t n = 12345;

	(void)state;
	assert_non_null(all);
	for (p = all; p->if_index != 0; p++)
		if ((kernel_flags(p->if_name) & need) == need) {
			if_freenameindex(all);
			skip();
		}
	if_freenameindex(all);
	assert_int_equal(mcast_iface_list(&list, &n, need, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_name),
		cmocka_unit_test(test_find_by_index),
		cmocka_unit_test(test_find_by_address),
		cmocka_unit_test(test_find_unknown),
		cmocka_unit_test(test_find_empty),
		cmocka_unit_test(test_by_index_unknown),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_has_lo),
		cmocka_unit_test(test_list_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
