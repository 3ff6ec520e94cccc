/*
 * fuzz_range.c - mcast_addr_parse_range() and mcast_addr_add() on
 * arbitrary input.
 *
 * The input is read as text for the parser, and (when long enough) as the
 * raw bytes of a sockaddr and a 32-bit step for mcast_addr_add(), the way a
 * caller walks a range. Properties checked:
 *   - a failed parse returns -EINVAL, -ENODEV or -ERANGE, writes neither
 *     output and puts one printable line into err; the result does not
 *     depend on err being NULL;
 *   - a parsed range holds 1 to 65536 groups; its first group is what
 *     mcast_addr_parse_group() makes of the text without "+N"; formatting
 *     first and count back as "GROUP+N:PORT" parses to the same range;
 *   - its last group (first + count - 1) is reachable with
 *     mcast_addr_add(), keeps family, port and IPv6 scope, and stays in the
 *     scope of the first: the same source-specific or not, the same IPv6
 *     flags and scope bytes;
 *   - mcast_addr_add() on any address returns -EINVAL exactly for a non-
 *     group, leaves the address as it was on failure, and on success moves
 *     it by exactly n.
 */
#include "fuzz.h"

#include "mcast.h"

#include <arpa/inet.h>
#include <errno.h>

/* a - b for two addresses of one family, when it fits in 64 bits. */
static bool diff(const mcast_addr *a, const mcast_addr *b, uint64_t *out)
{
	const uint8_t *x, *y;
	uint64_t hi = 0, lo = 0, bx, by;

	if (mcast_addr_family(a) == AF_INET) {
		*out = (uint64_t)ntohl(a->u.sin.sin_addr.s_addr) -
		       ntohl(b->u.sin.sin_addr.s_addr);
		return true;
	}
	x = a->u.sin6.sin6_addr.s6_addr;
	y = b->u.sin6.sin6_addr.s6_addr;
	/* Compare the top 8 bytes, then subtract the low 8 as integers. */
	for (int i = 0; i < 8; i++) {
		hi = hi << 8 | x[i];
		lo = lo << 8 | y[i];
	}
	bx = by = 0;
	for (int i = 8; i < 16; i++) {
		bx = bx << 8 | x[i];
		by = by << 8 | y[i];
	}
	if (hi == lo) {
		*out = bx - by;
		return true;
	}
	if (hi == lo + 1 && bx < by) {
		*out = bx - by; /* wraps to the right value */
		return true;
	}
	return false;
}

/* The bytes of an IPv6 group that a range never changes. */
static size_t fixed6(const mcast_addr *a)
{
	return (a->u.sin6.sin6_addr.s6_addr[1] & 0x20) ? 12 : 2;
}

static void check_scope(const mcast_addr *first, const mcast_addr *last,
			const char *what)
{
	FUZZ_CHECK(mcast_addr_family(first) == mcast_addr_family(last) &&
			   mcast_addr_is_multicast(last),
		   "%s: left the family or multicast", what);
	FUZZ_CHECK(mcast_addr_port(first) == mcast_addr_port(last),
		   "%s: port changed", what);
	FUZZ_CHECK(mcast_addr_is_ssm(first) == mcast_addr_is_ssm(last),
		   "%s: crossed into or out of a source-specific range", what);
	if (mcast_addr_family(first) == AF_INET6) {
		FUZZ_CHECK(first->u.sin6.sin6_scope_id == last->u.sin6.sin6_scope_id,
			   "%s: IPv6 scope id changed", what);
		FUZZ_CHECK(memcmp(first->u.sin6.sin6_addr.s6_addr,
				  last->u.sin6.sin6_addr.s6_addr, fixed6(first)) == 0,
			   "%s: IPv6 flags, scope or prefix changed", what);
	} else {
		uint32_t f = ntohl(first->u.sin.sin_addr.s_addr);
		uint32_t l = ntohl(last->u.sin.sin_addr.s_addr);

		FUZZ_CHECK((f >> 8 == 0xe00000) == (l >> 8 == 0xe00000) &&
				   (f >> 24 == 239) == (l >> 24 == 239),
			   "%s: IPv4 range left link-local or 239/8", what);
	}
}

/* Format a range back as "GROUP+N:PORT" and parse it again. */
static void check_reparse(const mcast_addr *first, unsigned count)
{
	char host[MCAST_ADDRSTRLEN], text[MCAST_ADDRSTRLEN + 16];
	mcast_addr again;
	mcast_error err = {""};
	unsigned n = 0;
	int rc;

	FUZZ_CHECK(mcast_addr_format(first, host, sizeof(host), 0) > 0,
		   "cannot format the first group");
	snprintf(text, sizeof(text),
		 mcast_addr_family(first) == AF_INET6 ? "[%s]+%u:%u" : "%s+%u:%u",
		 host, count - 1, mcast_addr_port(first));
	rc = mcast_addr_parse_range(&again, &n, text, &err);
	FUZZ_CHECK(rc == 0, "'%s' does not parse back: %d %s", text, rc, err.msg);
	FUZZ_CHECK(n == count && memcmp(&again, first, sizeof(again)) == 0,
		   "'%s' parses back to another range", text);
}

/* Without its "+N", the text is a group the group parser must agree on. */
static void check_group_agrees(const char *text, const mcast_addr *first,
			       unsigned count)
{
	char *copy = strdup(text), *plus, *colon;
	mcast_addr g;

	FUZZ_CHECK(copy != NULL, "out of memory");
	plus = copy[0] == '[' ? strstr(copy, "]+") : strchr(copy, '+');
	if (!plus) {
		FUZZ_CHECK(count == 1, "no '+' but %u groups", count);
	} else {
		if (copy[0] == '[')
			plus++;
		colon = strchr(plus, ':');
		FUZZ_CHECK(colon != NULL, "a range without a port parsed");
		memmove(plus, colon, strlen(colon) + 1);
	}
	FUZZ_CHECK(mcast_addr_parse_group(&g, copy, NULL) == 0 &&
			   memcmp(&g, first, sizeof(g)) == 0,
		   "'%s' without +N is not the same group", text);
	free(copy);
}

static void check_parse(const char *text)
{
	mcast_addr first, again, untouched, last;
	mcast_error err;
	unsigned count = 77, n2 = 77;
	const char *why;
	int rc;

	memset(&first, FUZZ_POISON, sizeof(first));
	memset(&untouched, FUZZ_POISON, sizeof(untouched));
	memset(&err, FUZZ_POISON, sizeof(err));
	rc = mcast_addr_parse_range(&first, &count, text, &err);

	memset(&again, FUZZ_POISON, sizeof(again));
	FUZZ_CHECK(mcast_addr_parse_range(&again, &n2, text, NULL) == rc,
		   "another result with err NULL");
	FUZZ_CHECK(memcmp(&first, &again, sizeof(first)) == 0 && count == n2,
		   "another range with err NULL");
	if (rc != 0) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENODEV || rc == -ERANGE,
			   "parse_range returned %d", rc);
		FUZZ_CHECK(memcmp(&first, &untouched, sizeof(first)) == 0 &&
				   count == 77,
			   "outputs written on failure %d", rc);
		why = fuzz_bad_message(err.msg, sizeof(err.msg));
		FUZZ_CHECK(why == NULL, "error message %s", why);
		return;
	}
	FUZZ_CHECK(count >= 1 && count <= 65536, "%u groups", count);
	FUZZ_CHECK(mcast_addr_is_multicast(&first), "the first is no group");
	check_group_agrees(text, &first, count);
	last = first;
	rc = mcast_addr_add(&last, count - 1, &err);
	FUZZ_CHECK(rc == 0, "the last group is out of reach: %d %s", rc, err.msg);
	check_scope(&first, &last, "parsed range");
	check_reparse(&first, count);
}

/* mcast_addr_add() on a sockaddr made of raw bytes and a raw step. */
static void check_add(const uint8_t *data, size_t size)
{
	mcast_addr a, before;
	mcast_error err;
	uint32_t n;
	uint64_t moved;
	int rc;

	if (size < 1 + 4 + sizeof(struct sockaddr_in6))
		return;
	memset(&a, 0, sizeof(a));
	memcpy(&n, data + 1, sizeof(n));
	memcpy(&a.u.sin6, data + 5, sizeof(a.u.sin6));
	a.u.sa.sa_family = (data[0] & 1) ? AF_INET6 : AF_INET;
	/* Most raw bytes are no group: make half of them one. */
	if (data[0] & 2) {
		if (a.u.sa.sa_family == AF_INET6)
			a.u.sin6.sin6_addr.s6_addr[0] = 0xff;
		else
			a.u.sin.sin_addr.s_addr = htonl(
				0xe0000000 | (ntohl(a.u.sin.sin_addr.s_addr) & 0x0fffffff));
	}
	/* And small steps, which stay in range more often. */
	if (data[0] & 4)
		n &= 0xffff;
	before = a;
	memset(&err, FUZZ_POISON, sizeof(err));
	rc = mcast_addr_add(&a, n, &err);
	if (!mcast_addr_is_multicast(&before)) {
		FUZZ_CHECK(rc == -EINVAL, "add to a non-group returned %d", rc);
		FUZZ_CHECK(memcmp(&a, &before, sizeof(a)) == 0, "non-group changed");
		return;
	}
	FUZZ_CHECK(rc == 0 || rc == -ERANGE, "add returned %d", rc);
	if (rc < 0) {
		const char *why = fuzz_bad_message(err.msg, sizeof(err.msg));

		FUZZ_CHECK(memcmp(&a, &before, sizeof(a)) == 0,
			   "a failed add changed the group");
		FUZZ_CHECK(why == NULL, "add error message %s", why);
		return;
	}
	check_scope(&before, &a, "add");
	FUZZ_CHECK(diff(&a, &before, &moved) && moved == n,
		   "add moved the group by another amount than %u", n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);

	check_parse(text);
	check_add(data, size);
	free(text);
	return 0;
}
