/*
 * addr.c - parsing, printing and classifying group and host addresses.
 */
#include "lib/internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Longest text we try to read as an address; anything longer is wrong. */
#define ADDR_TEXT_MAX 128

/*
 * Parse a decimal number 0-65535 (a port, a range's +N) with no sign, no
 * spaces and no trailing junk. strtoul() would accept " +5" and "0x10",
 * which nobody means as a port.
 */
static int parse_u16(const char *s, uint16_t *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

/*
 * Resolve an IPv6 scope ("eth0" or "2") to an interface index. A number is
 * taken as an index only if such an interface exists, so a typo is caught
 * here rather than as a baffling ENODEV from the kernel later.
 */
static int parse_scope(const char *scope, const char *text, uint32_t *out,
		       mcast_error *err)
{
	unsigned idx = if_nametoindex(scope);
	char name[IF_NAMESIZE];

	if (idx == 0 && scope[0] >= '0' && scope[0] <= '9') {
		uint16_t n;

		if (parse_u16(scope, &n) == 0 && if_indextoname(n, name))
			idx = n;
	}
	if (idx == 0)
		return mcast__fail(err, -ENODEV, "unknown interface '%s' in '%s'",
				   scope, text);
	*out = idx;
	return 0;
}

/* Parse a bare address (no brackets, no port) with an optional %scope. */
static int parse_bare(mcast_addr *a, char *host, const char *text,
		      mcast_error *err)
{
	char *pct = strchr(host, '%');

	memset(a, 0, sizeof(*a));
	if (!pct && inet_pton(AF_INET, host, &a->u.sin.sin_addr) == 1) {
		a->u.sin.sin_family = AF_INET;
		return 0;
	}
	if (pct)
		*pct = '\0';
	if (inet_pton(AF_INET6, host, &a->u.sin6.sin6_addr) != 1)
		return mcast__fail(err, -EINVAL, "'%s' is not a valid address",
				   text);
	a->u.sin6.sin6_family = AF_INET6;
	if (pct) {
		int rc = parse_scope(pct + 1, text, &a->u.sin6.sin6_scope_id,
				     err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Split "HOST:PORT", "[HOST]:PORT" or (with need_port false) "HOST" and
 * "[HOST]" into a host and a port text. buf receives a writable copy. With
 * range not NULL, "HOST+N:PORT" and "[HOST]+N:PORT" are split too, and
 * *range points at N (NULL without "+").
 */
static int split(const char *text, bool need_port, char *buf, char **host,
		 char **port, char **range, mcast_error *err)
{
	size_t n = strlen(text);
	char *colon, *plus;

	if (n >= ADDR_TEXT_MAX)
		return mcast__fail(err, -EINVAL, "'%.40s...' is too long for an address",
				   text);
	memcpy(buf, text, n + 1);
	*port = NULL;
	if (range)
		*range = NULL;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return mcast__fail(err, -EINVAL, "missing ']' in '%s'",
					   text);
		*close = '\0';
		*host = buf + 1;
		plus = close + 1;
		if (range && *plus == '+') {
			*range = plus + 1;
			plus = strchr(plus, ':');
			if (!plus)
				return mcast__fail(err, -EINVAL,
						   "missing port in '%s' (expected [GROUP]+N:PORT)",
						   text);
			*plus = '\0';
			*port = plus + 1;
		} else if (close[1] == ':')
			*port = close + 2;
		else if (close[1] != '\0')
			return mcast__fail(err, -EINVAL,
					   "unexpected text after ']' in '%s'", text);
	} else {
		*host = buf;
		colon = strrchr(buf, ':');
		if (colon && strchr(buf, ':') != colon) {
			/* Two or more colons: an IPv6 address. */
			if (need_port)
				return mcast__fail(err, -EINVAL,
						   "'%s': write an IPv6 group in brackets, as [GROUP]:PORT",
						   text);
		} else if (colon) {
			*colon = '\0';
			*port = colon + 1;
		}
		/* Neither an IPv4 address nor a port holds a '+'. */
		plus = range ? strchr(buf, '+') : NULL;
		if (plus) {
			*plus = '\0';
			*range = plus + 1;
		}
	}
	if (need_port && !*port)
		return mcast__fail(err, -EINVAL,
				   "missing port in '%s' (expected GROUP:PORT)", text);
	if (!need_port && *port)
		return mcast__fail(err, -EINVAL,
				   "'%s': expected an address without a port", text);
	return 0;
}

/* The group of "HOST" and "PORT" as split() cut them from text. */
static int group_of(mcast_addr *a, char *host, const char *port,
		    const char *text, mcast_error *err)
{
	uint16_t p;
	int rc = parse_bare(a, host, text, err);

	if (rc < 0)
		return rc;
	if (parse_u16(port, &p) < 0)
		return mcast__fail(err, -EINVAL,
				   "invalid port '%s' in '%s' (expected 0-65535)",
				   port, text);
	if (!mcast_addr_is_multicast(a))
		return mcast__fail(err, -EINVAL,
				   "'%s' is not a multicast group (expected 224.0.0.0/4 or ff00::/8)",
				   host);
	mcast_addr_set_port(a, p);
	return 0;
}

int mcast_addr_parse_group(mcast_addr *out, const char *text, mcast_error *err)
{
	char buf[ADDR_TEXT_MAX], *host = NULL, *port = NULL;
	mcast_addr a;
	int rc;

	rc = split(text, true, buf, &host, &port, NULL, err);
	if (rc == 0)
		rc = group_of(&a, host, port, text, err);
	if (rc < 0)
		return rc;
	*out = a;
	return 0;
}

int mcast_addr_parse_range(mcast_addr *first, unsigned *count, const char *text,
			   mcast_error *err)
{
	char buf[ADDR_TEXT_MAX], *host = NULL, *port = NULL, *range = NULL;
	mcast_addr a, last;
	mcast_error why;
	uint16_t n = 0;
	int rc;

	rc = split(text, true, buf, &host, &port, &range, err);
	if (rc == 0)
		rc = group_of(&a, host, port, text, err);
	if (rc < 0)
		return rc;
	if (range && parse_u16(range, &n) < 0)
		return mcast__fail(err, -EINVAL,
				   "invalid range '+%s' in '%s' (expected +0 to +65535)",
				   range, text);
	last = a;
	rc = mcast_addr_add(&last, n, &why);
	if (rc < 0)
		return mcast__fail(err, rc, "range '%s': %s", text, why.msg);
	*first = a;
	*count = (unsigned)n + 1;
	return 0;
}

int mcast_addr_parse_host(mcast_addr *out, const char *text, mcast_error *err)
{
	char buf[ADDR_TEXT_MAX], *host = NULL, *port = NULL;
	mcast_addr a;
	int rc;

	rc = split(text, false, buf, &host, &port, NULL, err);
	if (rc < 0)
		return rc;
	rc = parse_bare(&a, host, text, err);
	if (rc < 0)
		return rc;
	*out = a;
	return 0;
}

int mcast_addr_format(const mcast_addr *a, char *buf, size_t len, unsigned flags)
{
	char host[INET6_ADDRSTRLEN], scope[IF_NAMESIZE + 1] = "";
	int family = mcast_addr_family(a), n;
	bool v6 = family == AF_INET6;

	if (len > 0)
		buf[0] = '\0';
	if (family == AF_INET)
		inet_ntop(AF_INET, &a->u.sin.sin_addr, host, sizeof(host));
	else if (v6)
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, host, sizeof(host));
	else
		return -EAFNOSUPPORT;
	if (v6 && a->u.sin6.sin6_scope_id) {
		char name[IF_NAMESIZE];

		if (if_indextoname(a->u.sin6.sin6_scope_id, name))
			snprintf(scope, sizeof(scope), "%%%s", name);
		else
			snprintf(scope, sizeof(scope), "%%%u",
				 (unsigned)a->u.sin6.sin6_scope_id);
	}
	if (flags & MCAST_FMT_PORT)
		n = snprintf(buf, len, v6 ? "[%s%s]:%u" : "%s%s:%u", host, scope,
			     mcast_addr_port(a));
	else
		n = snprintf(buf, len, "%s%s", host, scope);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int mcast_addr_family(const mcast_addr *a)
{
	return a->u.sa.sa_family;
}

uint16_t mcast_addr_port(const mcast_addr *a)
{
	if (a->u.sa.sa_family == AF_INET6)
		return ntohs(a->u.sin6.sin6_port);
	if (a->u.sa.sa_family == AF_INET)
		return ntohs(a->u.sin.sin_port);
	return 0;
}

void mcast_addr_set_port(mcast_addr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET6)
		a->u.sin6.sin6_port = htons(port);
	else if (a->u.sa.sa_family == AF_INET)
		a->u.sin.sin_port = htons(port);
}

socklen_t mcast_addr_len(const mcast_addr *a)
{
	if (a->u.sa.sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	if (a->u.sa.sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	return 0;
}

bool mcast_addr_is_multicast(const mcast_addr *a)
{
	if (a->u.sa.sa_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&a->u.sin6.sin6_addr);
	if (a->u.sa.sa_family == AF_INET)
		return IN_MULTICAST(ntohl(a->u.sin.sin_addr.s_addr));
	return false;
}

bool mcast_addr_is_ssm(const mcast_addr *a)
{
	if (a->u.sa.sa_family == AF_INET6) {
		const uint8_t *b = a->u.sin6.sin6_addr.s6_addr;

		/* RFC 4607: FF3x::/32, i.e. flags P and T set, prefix 0. */
		return b[0] == 0xff && (b[1] & 0xf0) == 0x30 && b[2] == 0 &&
		       b[3] == 0;
	}
	if (a->u.sa.sa_family == AF_INET)
		return (ntohl(a->u.sin.sin_addr.s_addr) >> 24) == 232;
	return false;
}

bool mcast_addr_equal(const mcast_addr *a, const mcast_addr *b, bool with_port)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return false;
	if (with_port && mcast_addr_port(a) != mcast_addr_port(b))
		return false;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.sin.sin_addr.s_addr == b->u.sin.sin_addr.s_addr;
	if (a->u.sa.sa_family == AF_INET6)
		return memcmp(&a->u.sin6.sin6_addr, &b->u.sin6.sin6_addr, 16) == 0 &&
		       a->u.sin6.sin6_scope_id == b->u.sin6.sin6_scope_id;
	return false;
}

/*
 * The IPv4 blocks that a range of groups stays in: each has its own
 * meaning to routers (never forwarded, source-specific, scoped by the
 * administrator), so a range that ran from one into the next would mix
 * them. In host order, covering 224.0.0.0/4 without gaps.
 */
static const struct {
	uint32_t lo, hi;
	const char *name;
} blocks4[] = {
	{0xe0000000, 0xe00000ff, "224.0.0.0/24 (link-local)"},
	{0xe0000100, 0xe7ffffff, "224.0.1.0-231.255.255.255"},
	{0xe8000000, 0xe8ffffff, "232.0.0.0/8 (source-specific)"},
	{0xe9000000, 0xeeffffff, "233.0.0.0-238.255.255.255"},
	{0xef000000, 0xefffffff, "239.0.0.0/8 (administratively scoped)"},
};

static int add4(mcast_addr *a, uint32_t n, mcast_error *err)
{
	uint32_t g = ntohl(a->u.sin.sin_addr.s_addr);
	uint64_t last = (uint64_t)g + n;
	char from[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN];
	size_t i = 0, nb = sizeof(blocks4) / sizeof(blocks4[0]);
	struct in_addr ia;

	while (i + 1 < nb && g > blocks4[i].hi)
		i++;
	if (last <= blocks4[i].hi) {
		a->u.sin.sin_addr.s_addr = htonl((uint32_t)last);
		return 0;
	}
	inet_ntop(AF_INET, &a->u.sin.sin_addr, from, sizeof(from));
	if (i + 1 == nb)
		return mcast__fail(err, -ERANGE,
				   "%s + %u runs past 239.255.255.255, the last IPv4 multicast group",
				   from, n);
	ia.s_addr = htonl((uint32_t)last);
	inet_ntop(AF_INET, &ia, to, sizeof(to));
	return mcast__fail(err, -ERANGE, "%s + %u reaches %s, outside %s", from,
			   n, to, blocks4[i].name);
}

/*
 * An IPv6 range keeps the flags and scope of its first group (the first
 * two bytes); for groups with the P flag (RFC 3306 and the SSM ff3x::/96
 * of RFC 4607) it also keeps the prefix, changing only the 32-bit group ID.
 */
static int add6(mcast_addr *a, uint32_t n, mcast_error *err)
{
	uint8_t *b = a->u.sin6.sin6_addr.s6_addr, sum[16], base[16];
	size_t fixed = (b[1] & 0x20) ? 12 : 2;
	char from[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN], blk[INET6_ADDRSTRLEN];
	uint64_t carry = n;

	memcpy(sum, b, 16);
	for (int i = 15; i >= 0 && carry; i--) {
		carry += sum[i];
		sum[i] = (uint8_t)carry;
		carry >>= 8;
	}
	if (carry == 0 && memcmp(sum, b, fixed) == 0) {
		memcpy(b, sum, 16);
		return 0;
	}
	memset(base, 0, sizeof(base));
	memcpy(base, b, fixed);
	inet_ntop(AF_INET6, b, from, sizeof(from));
	inet_ntop(AF_INET6, sum, to, sizeof(to));
	inet_ntop(AF_INET6, base, blk, sizeof(blk));
	return mcast__fail(err, -ERANGE, "%s + %u reaches %s, outside %s/%zu",
			   from, n, to, blk, fixed * 8);
}

int mcast_addr_add(mcast_addr *a, uint32_t n, mcast_error *err)
{
	if (!mcast_addr_is_multicast(a))
		return mcast__fail(err, -EINVAL, "not a multicast group");
	if (a->u.sa.sa_family == AF_INET6)
		return add6(a, n, err);
	return add4(a, n, err);
}
