/*
 * mclib.c - libmcast driven directly, for the network tests of what the
 * library reports that the mcast tool does not show (yet): the TTL each
 * datagram arrived with, ranges of groups, the kernel's membership limits.
 * It uses only the public header, like any program built on the library.
 *
 *   mclib recv GROUP:PORT IFACE COUNT SECONDS [batch]
 *       Join GROUP on IFACE, say "listening on GROUP:PORT" on stderr, then
 *       print one line per datagram on stdout: "SOURCE TTL BYTES" (TTL -1
 *       when the kernel did not say). With "batch" the datagrams are read
 *       with mcast_sock_recv_batch(), else with mcast_sock_recv(). Exits 0
 *       after COUNT datagrams, 1 when SECONDS pass without one.
 *   mclib join RANGE IFACE one|each [SECONDS]
 *       Join every group of RANGE ("239.1.1.1+999:5000") on IFACE, all on
 *       one socket (with an 8 MiB receive buffer, so that a datagram to
 *       each group fits at once) or one socket per group. A failed join
 *       prints the library's message and exits 1 (every group joined so far
 *       is left).
 *       Else says "joined N groups on K sockets" and "listening on ..." on
 *       stderr. With SECONDS it then waits for datagrams until every group
 *       has had one (or SECONDS pass without any) and prints "received D
 *       datagrams on G of N groups" on stdout; exits 0 when all N had one.
 *   mclib sources GROUP:PORT IFACE SOURCE N
 *       Join GROUP on IFACE from the N consecutive sources that start at
 *       SOURCE, on one socket: "joined N sources" on stderr and exit 0, or
 *       the library's message and exit 1.
 */
#include "mcast.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fprintf(stderr, "usage: mclib recv GROUP:PORT IFACE COUNT SECONDS [batch]\n"
			"       mclib join RANGE IFACE one|each [SECONDS]\n"
			"       mclib sources GROUP:PORT IFACE SOURCE N\n");
	return 2;
}

static int fail(const mcast_error *e)
{
	fprintf(stderr, "mclib: %s\n", e->msg);
	return 1;
}

/* A number argument 0..max, or -1. */
static long number(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

/* A new socket bound to `at` (address and port), or NULL after a message. */
static mcast_sock *open_bound(const mcast_addr *at, mcast_error *e)
{
	mcast_sock *s;

	if (mcast_sock_new(&s, mcast_addr_family(at), e) < 0)
		return NULL;
	if (mcast_sock_bind(s, at, MCAST_BIND_REUSE, e) < 0) {
		mcast_sock_free(s);
		return NULL;
	}
	return s;
}

static void print_rx(const mcast_rxinfo *ri)
{
	char src[MCAST_ADDRSTRLEN];

	mcast_addr_format(&ri->source, src, sizeof(src), 0);
	printf("%s %d %zu\n", src, ri->ttl, ri->len);
	fflush(stdout);
}

/* Wait up to ms for s to be readable: 1, 0 on timeout, -1 on error. */
static int readable(mcast_sock *s, int ms)
{
	struct pollfd p = {.fd = mcast_sock_fd(s), .events = POLLIN};

	return poll(&p, 1, ms);
}

static int cmd_recv(char **argv, int argc)
{
	long count = number(argv[3], 1000000), secs = number(argv[4], 3600);
	bool batch = argc > 5 && strcmp(argv[5], "batch") == 0;
	char buf[2048], where[MCAST_ADDRSTRLEN];
	mcast_addr group;
	mcast_iface ifc;
	mcast_error e;
	mcast_sock *s;
	long got = 0;
	int rc = 1;

	if (count < 0 || secs < 0)
		return usage();
	if (mcast_addr_parse_group(&group, argv[1], &e) < 0 ||
	    mcast_iface_find(&ifc, argv[2], &e) < 0)
		return fail(&e);
	s = open_bound(&group, &e);
	if (!s || mcast_sock_join(s, &group, ifc.index, NULL, &e) < 0) {
		mcast_sock_free(s);
		return fail(&e);
	}
	mcast_addr_format(&group, where, sizeof(where), MCAST_FMT_PORT);
	fprintf(stderr, "mclib: listening on %s, joined on %s\n", where, ifc.name);
	while (got < count && readable(s, (int)secs * 1000) > 0) {
		mcast_rxmsg m[4];
		int n;

		for (int i = 0; i < 4; i++)
			m[i] = (mcast_rxmsg){.buf = buf + i * 512, .cap = 512};
		if (batch) {
			n = mcast_sock_recv_batch(s, m, 4, MCAST_RECV_NOWAIT, &e);
		} else {
			ssize_t len = mcast_sock_recv(s, buf, sizeof(buf), &m[0].info,
						      MCAST_RECV_NOWAIT, &e);
			n = len < 0 ? (int)len : 1;
		}
		if (n < 0 && n != -EAGAIN)
			goto out;
		for (int i = 0; i < n && got < count; i++, got++)
			print_rx(&m[i].info);
	}
	rc = got == count ? 0 : 1;
out:
	if (rc && got < count)
		fprintf(stderr, "mclib: %ld of %ld datagrams\n", got, count);
	mcast_sock_free(s);
	return rc;
}

/* Which group of the range, counted from first, a datagram went to; -1 if
 * none. Ranges hold at most 65536 groups, so the low 64 bits tell. */
static long group_index(const mcast_addr *first, unsigned count,
			const mcast_addr *dest)
{
	uint64_t a = 0, b = 0;

	if (mcast_addr_family(first) == AF_INET) {
		a = ntohl(first->u.sin.sin_addr.s_addr);
		b = ntohl(dest->u.sin.sin_addr.s_addr);
	} else {
		for (int i = 8; i < 16; i++) {
			a = a << 8 | first->u.sin6.sin6_addr.s6_addr[i];
			b = b << 8 | dest->u.sin6.sin6_addr.s6_addr[i];
		}
	}
	return b >= a && b - a < count ? (long)(b - a) : -1;
}

struct joined {
	mcast_sock **socks;
	size_t n_socks;
	unsigned count;
	unsigned long *seen; /* datagrams per group */
};

/* Read what one readable socket has; count it by group. */
static void drain(struct joined *j, mcast_sock *s, const mcast_addr *first,
		  unsigned long *total)
{
	char buf[2048];
	mcast_rxinfo ri;

	while (mcast_sock_recv(s, buf, sizeof(buf), &ri, MCAST_RECV_NOWAIT, NULL) >= 0) {
		long i = group_index(first, j->count, &ri.dest);

		(*total)++;
		if (i >= 0)
			j->seen[i]++;
	}
}

static unsigned groups_seen(const struct joined *j)
{
	unsigned g = 0;

	for (unsigned i = 0; i < j->count; i++)
		g += j->seen[i] > 0;
	return g;
}

/* Wait until every group had a datagram, or secs pass without one. */
static int await_all(struct joined *j, const mcast_addr *first, long secs)
{
	struct pollfd *p = calloc(j->n_socks, sizeof(*p));
	unsigned long total = 0;

	if (!p)
		return 1;
	for (size_t i = 0; i < j->n_socks; i++)
		p[i] = (struct pollfd){.fd = mcast_sock_fd(j->socks[i]), .events = POLLIN};
	while (groups_seen(j) < j->count && poll(p, j->n_socks, (int)secs * 1000) > 0)
		for (size_t i = 0; i < j->n_socks; i++)
			if (p[i].revents & POLLIN)
				drain(j, j->socks[i], first, &total);
	free(p);
	printf("received %lu datagrams on %u of %u groups\n", total, groups_seen(j),
	       j->count);
	return groups_seen(j) == j->count ? 0 : 1;
}

static int cmd_join(char **argv, int argc)
{
	bool each = strcmp(argv[3], "each") == 0;
	long secs = argc > 4 ? number(argv[4], 3600) : 0;
	struct joined j = {0};
	mcast_addr first, g, any;
	mcast_iface ifc;
	mcast_error e;
	int rc = 1;

	if ((!each && strcmp(argv[3], "one") != 0) || secs < 0)
		return usage();
	if (mcast_addr_parse_range(&first, &j.count, argv[1], &e) < 0 ||
	    mcast_iface_find(&ifc, argv[2], &e) < 0)
		return fail(&e);
	j.socks = calloc(j.count, sizeof(*j.socks));
	j.seen = calloc(j.count, sizeof(*j.seen));
	if (!j.socks || !j.seen)
		goto out;
	/* One socket for all groups binds the wildcard on the range's port;
	 * it sees only the groups it joined (IP_MULTICAST_ALL is off). */
	memset(&any, 0, sizeof(any));
	any.u.sa.sa_family = (sa_family_t)mcast_addr_family(&first);
	mcast_addr_set_port(&any, mcast_addr_port(&first));
	g = first;
	for (unsigned i = 0; i < j.count; i++) {
		if (i > 0 && mcast_addr_add(&g, 1, &e) < 0)
			goto fail;
		if (each || i == 0) {
			j.socks[j.n_socks] = open_bound(each ? &g : &any, &e);
			if (!j.socks[j.n_socks])
				goto fail;
			j.n_socks++;
			/* Room for a datagram to every group at once (the size
			 * is forced past rmem_max: the tests run as root). */
			if (!each && mcast_sock_set_rcvbuf(j.socks[0], 8 << 20, NULL, &e) < 0)
				goto fail;
		}
		if (mcast_sock_join(j.socks[j.n_socks - 1], &g, ifc.index, NULL, &e) < 0)
			goto fail;
	}
	fprintf(stderr, "mclib: joined %u groups on %zu socket%s\n", j.count,
		j.n_socks, j.n_socks == 1 ? "" : "s");
	fprintf(stderr, "mclib: listening on %s\n", argv[1]);
	rc = secs ? await_all(&j, &first, secs) : 0;
	goto out;
fail:
	fail(&e);
out:
	for (size_t i = 0; i < j.n_socks; i++)
		mcast_sock_free(j.socks[i]);
	free(j.socks);
	free(j.seen);
	return rc;
}

/* Add i to the last 16 bits of a unicast address (a lab source). */
static void nth_source(mcast_addr *a, unsigned i)
{
	if (mcast_addr_family(a) == AF_INET) {
		a->u.sin.sin_addr.s_addr = htonl(ntohl(a->u.sin.sin_addr.s_addr) + i);
	} else {
		uint8_t *b = a->u.sin6.sin6_addr.s6_addr;
		unsigned v = ((unsigned)b[14] << 8 | b[15]) + i;

		b[14] = (uint8_t)(v >> 8);
		b[15] = (uint8_t)v;
	}
}

static int cmd_sources(char **argv)
{
	long n = number(argv[4], 65535);
	mcast_addr group, src, base;
	mcast_iface ifc;
	mcast_error e;
	mcast_sock *s;

	if (n < 1)
		return usage();
	if (mcast_addr_parse_group(&group, argv[1], &e) < 0 ||
	    mcast_iface_find(&ifc, argv[2], &e) < 0 ||
	    mcast_addr_parse_host(&base, argv[3], &e) < 0)
		return fail(&e);
	s = open_bound(&group, &e);
	if (!s)
		return fail(&e);
	for (long i = 0; i < n; i++) {
		src = base;
		nth_source(&src, (unsigned)i);
		if (mcast_sock_join(s, &group, ifc.index, &src, &e) < 0) {
			mcast_sock_free(s);
			return fail(&e);
		}
	}
	fprintf(stderr, "mclib: joined %ld sources\n", n);
	mcast_sock_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && strcmp(argv[1], "recv") == 0)
		return cmd_recv(argv + 1, argc - 1);
	if (argc >= 5 && strcmp(argv[1], "join") == 0)
		return cmd_join(argv + 1, argc - 1);
	if (argc == 6 && strcmp(argv[1], "sources") == 0)
		return cmd_sources(argv + 1);
	return usage();
}
