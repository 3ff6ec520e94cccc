/*
 * fuzz_addr.c - mcast_addr_parse_group(), mcast_addr_parse_host() and
 * mcast_addr_format() on arbitrary input.
 *
 * The input is read twice: as text for the two parsers, and (when long
 * enough) as the raw bytes of a sockaddr, the way a received datagram's
 * source address reaches mcast_addr_format(). Properties checked:
 *   - a failed parse returns -EINVAL or -ENODEV, leaves *out untouched and
 *     writes one printable line into err;
 *   - a successful parse gives the right family and sockaddr length, a
 *     multicast group, port 0 for a host, and the same result with err
 *     NULL;
 *   - parse(format(a)) == a, with and without the port;
 *   - format() NUL-terminates, returns -ENOSPC when the buffer is short and
 *     never writes past len bytes, for buffer sizes around the exact fit.
 */
#include "fuzz.h"

#include "mcast.h"

#include <errno.h>

typedef int (*parse_fn)(mcast_addr *, const char *, mcast_error *);

/*
 * Format a into buffers of several sizes around the exact fit. Each buffer
 * is malloc'ed to exactly len bytes so AddressSanitizer sees any write past
 * it; full is what a large buffer holds and n its length.
 */
static void check_sizes(const mcast_addr *a, unsigned flags, const char *full,
			int n)
{
	size_t sizes[] = {0, 1, 2, 3, (size_t)n / 2, (size_t)n - 1, (size_t)n,
			  (size_t)n + 1, (size_t)n + 2, MCAST_ADDRSTRLEN};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		char *buf = malloc(len ? len : 1);
		int rc;

		FUZZ_CHECK(buf != NULL, "out of memory");
		memset(buf, FUZZ_POISON, len ? len : 1);
		rc = mcast_addr_format(a, buf, len, flags);
		if (len > (size_t)n) {
			FUZZ_CHECK(rc == n, "len %zu: returned %d, want %d", len,
				   rc, n);
			FUZZ_CHECK(memcmp(buf, full, (size_t)n + 1) == 0,
				   "len %zu: wrote '%.*s', want '%s'", len,
				   (int)len, buf, full);
		} else {
			FUZZ_CHECK(rc == -ENOSPC,
				   "len %zu for '%s' (%d bytes): returned %d",
				   len, full, n, rc);
			if (len > 0)
				FUZZ_CHECK(buf[0] == '\0',
					   "len %zu: short buffer not emptied", len);
			else
				FUZZ_CHECK((uint8_t)buf[0] == FUZZ_POISON,
					   "len 0: buffer was written");
		}
		free(buf);
	}
}

/*
 * Format a with flags into full (MCAST_ADDRSTRLEN bytes), check the sizes,
 * and return the length.
 */
static int format_checked(const mcast_addr *a, unsigned flags, char *full)
{
	int n;

	memset(full, FUZZ_POISON, MCAST_ADDRSTRLEN);
	n = mcast_addr_format(a, full, MCAST_ADDRSTRLEN, flags);
	FUZZ_CHECK(n > 0 && n < MCAST_ADDRSTRLEN,
		   "format (flags %u) returned %d", flags, n);
	FUZZ_CHECK(full[n] == '\0' && strlen(full) == (size_t)n,
		   "format returned %d but wrote %zu bytes", n,
		   strnlen(full, MCAST_ADDRSTRLEN));
	check_sizes(a, flags, full, n);
	return n;
}

/* parse(text) must succeed and give exactly a. */
static void check_reparse(parse_fn parse, const char *name, const char *text,
			  const mcast_addr *a)
{
	mcast_error err = {""};
	mcast_addr b;
	int rc;

	memset(&b, FUZZ_POISON, sizeof(b));
	rc = parse(&b, text, &err);
	FUZZ_CHECK(rc == 0, "%s('%s') of formatted text failed: %d %s", name,
		   text, rc, err.msg);
	FUZZ_CHECK(mcast_addr_equal(a, &b, true) &&
			   memcmp(a, &b, sizeof(b)) == 0,
		   "%s('%s') does not round-trip", name, text);
}

static void check_parse(const char *text, bool group)
{
	parse_fn parse = group ? mcast_addr_parse_group : mcast_addr_parse_host;
	const char *name = group ? "parse_group" : "parse_host";
	char full[MCAST_ADDRSTRLEN];
	mcast_addr a, again, untouched;
	mcast_error err;
	const char *why;
	int rc, family;

	memset(&a, FUZZ_POISON, sizeof(a));
	memset(&untouched, FUZZ_POISON, sizeof(untouched));
	memset(&err, FUZZ_POISON, sizeof(err));
	rc = parse(&a, text, &err);

	/* err may be NULL: the answer must not depend on it. */
	memset(&again, FUZZ_POISON, sizeof(again));
	FUZZ_CHECK(parse(&again, text, NULL) == rc,
		   "%s gives another result with err NULL", name);
	FUZZ_CHECK(memcmp(&a, &again, sizeof(a)) == 0,
		   "%s writes another address with err NULL", name);

	if (rc != 0) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENODEV, "%s returned %d",
			   name, rc);
		FUZZ_CHECK(memcmp(&a, &untouched, sizeof(a)) == 0,
			   "%s wrote *out on failure %d", name, rc);
		why = fuzz_bad_message(err.msg, sizeof(err.msg));
		FUZZ_CHECK(why == NULL, "%s error message %s", name, why);
		return;
	}

	family = mcast_addr_family(&a);
	FUZZ_CHECK(family == AF_INET || family == AF_INET6,
		   "%s gave family %d", name, family);
	FUZZ_CHECK(mcast_addr_len(&a) == (family == AF_INET6
						  ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in)),
		   "%s: wrong sockaddr length", name);
	FUZZ_CHECK(!mcast_addr_is_ssm(&a) || mcast_addr_is_multicast(&a),
		   "%s: an SSM address that is not multicast", name);
	if (group) {
		FUZZ_CHECK(mcast_addr_is_multicast(&a),
			   "parse_group accepted a unicast address");
		format_checked(&a, MCAST_FMT_PORT, full);
		check_reparse(mcast_addr_parse_group, "parse_group", full, &a);
		/* Without the port the same text is a host address. */
		format_checked(&a, 0, full);
		mcast_addr_set_port(&a, 0);
		check_reparse(mcast_addr_parse_host, "parse_host", full, &a);
	} else {
		FUZZ_CHECK(mcast_addr_port(&a) == 0,
			   "parse_host set port %u", mcast_addr_port(&a));
		format_checked(&a, 0, full);
		check_reparse(mcast_addr_parse_host, "parse_host", full, &a);
		format_checked(&a, MCAST_FMT_PORT, full);
	}
}

/*
 * Format a sockaddr made of raw input bytes, as one a datagram arrived
 * from. Its scope may name no interface, so only a text that parses back
 * must give the same address; one with a live scope must parse back.
 */
static void check_raw(const uint8_t *data, size_t size)
{
	static const int families[] = {AF_INET, AF_INET6, AF_UNSPEC, AF_UNIX};
	char full[MCAST_ADDRSTRLEN], name[IF_NAMESIZE];
	mcast_addr a, b;
	int family, n, rc;

	if (size < 1 + sizeof(struct sockaddr_in6))
		return;
	memset(&a, 0, sizeof(a));
	memcpy(&a.u.sin6, data + 1, sizeof(a.u.sin6));
	family = families[data[0] % 4];
	a.u.sa.sa_family = (sa_family_t)family;
	if (family != AF_INET && family != AF_INET6) {
		full[0] = 'x';
		rc = mcast_addr_format(&a, full, sizeof(full), 0);
		FUZZ_CHECK(rc == -EAFNOSUPPORT && full[0] == '\0',
			   "family %d: format returned %d", family, rc);
		return;
	}
	format_checked(&a, MCAST_FMT_PORT, full);
	n = format_checked(&a, 0, full);
	rc = mcast_addr_parse_host(&b, full, NULL);
	if (family == AF_INET6 && a.u.sin6.sin6_scope_id &&
	    !if_indextoname(a.u.sin6.sin6_scope_id, name))
		FUZZ_CHECK(rc == -ENODEV, "dead scope '%s' parsed: %d", full, rc);
	else
		FUZZ_CHECK(rc == 0 && mcast_addr_equal(&a, &b, false),
			   "raw address '%s' (%d bytes) does not round-trip: %d",
			   full, n, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);

	check_parse(text, true);
	check_parse(text, false);
	check_raw(data, size);
	free(text);
	return 0;
}
