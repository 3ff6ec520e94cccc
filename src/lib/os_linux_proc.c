/*
 * os_linux_proc.c - what Linux says in /proc: the groups and source filters
 * joined on the host, and the sysctl settings that limit sockets (with the
 * messages that name them when a limit is hit). The other half of the
 * Linux backend is os_linux.c.
 */
#include "lib/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long mcast__os_sysctl(const char *name)
{
	char path[128];
	FILE *f;
	long v = -1;
	size_t n;

	/* /proc/sys shows the network namespace of the process reading it. */
	n = (size_t)snprintf(path, sizeof(path), "/proc/sys/%s", name);
	if (n >= sizeof(path))
		return -1;
	for (char *c = path + strlen("/proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1 || v < 0)
		v = -1;
	fclose(f);
	return v;
}

/* "KEY = VALUE UNIT" for a sysctl, or "KEY" alone when it cannot be read. */
static void key_value(char *buf, size_t len, const char *key, long v,
		      const char *unit)
{
	if (v >= 0)
		snprintf(buf, len, "%s = %ld%s", key, v, unit);
	else
		snprintf(buf, len, "%s", key);
}

bool mcast__os_join_limit(int family, int rc, bool source, bool new_group,
			  char *buf, size_t len)
{
	const char *key, *what, *scope = "";
	char kv[96];
	long v, want;

	if (rc == -ENOMEM) {
		/* Every membership and source costs the socket option memory. */
		v = mcast__os_sysctl("net.core.optmem_max");
		key_value(kv, sizeof(kv), "net.core.optmem_max", v, " bytes");
		snprintf(buf, len,
			 "out of socket option memory (%s); raise it: sysctl -w "
			 "net.core.optmem_max=%ld", kv, v > 0 ? 2 * v : 262144L);
		return true;
	}
	if (rc != -ENOBUFS)
		return false;
	if (family == AF_INET6 && !source)
		return false;
	if (family == AF_INET6) {
		/* Not per network namespace: only the initial one shows it. */
		key = "net.ipv6.mld_max_msf";
		what = "sources per group and socket";
		scope = ", host-wide";
	} else if (source && !new_group) {
		key = "net.ipv4.igmp_max_msf";
		what = "sources per group and socket";
	} else {
		key = "net.ipv4.igmp_max_memberships";
		what = "groups per socket";
	}
	v = mcast__os_sysctl(key);
	want = v < 512 ? 1024 : 2 * v;
	if (v >= 0)
		snprintf(buf, len, "at most %ld %s (%s = %ld%s); raise it: sysctl -w %s=%ld",
			 v, what, key, v, scope, key, want);
	else
		snprintf(buf, len, "limit of %s reached (%s%s, unreadable in this "
			 "namespace); raise it: sysctl -w %s=%ld", what, key, scope,
			 key, want);
	return true;
}

/*
 * The kernel's lists of joined groups and source filters, read from /proc.
 * Their formats (net/ipv4/igmp.c, net/ipv6/mcast.c) are stable text:
 *   igmp:      "IDX\tDEV : COUNT QUERIER" then "\t\t\t\tGROUP USERS ..." lines,
 *              GROUP as the raw 32-bit word in hex (network bytes in memory)
 *   igmp6:     "IDX DEV GROUP32HEX USERS FLAGS TIMER"
 *   mcfilter:  "IDX DEV 0xGROUP 0xSOURCE INC EXC", host-order hex
 *   mcfilter6: "IDX DEV GROUP32HEX SOURCE32HEX INC EXC"
 */

/* A growing array of fixed-size entries. */
struct vec {
	void *v;
	size_t n, cap, size;
};

static void *vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		void *grown = realloc(a->v, cap * a->size);

		if (!grown)
			return NULL;
		a->v = grown;
		a->cap = cap;
	}
	memset((char *)a->v + a->n * a->size, 0, a->size);
	return (char *)a->v + a->n++ * a->size;
}

/* 32 hex digits into an IPv6 address; false if malformed. */
static bool hex16(const char *h, struct in6_addr *out)
{
	if (strlen(h) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		unsigned b;

		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return false;
		out->s6_addr[i] = (uint8_t)b;
	}
	return true;
}

static void set4(mcast_addr *a, uint32_t s_addr)
{
	a->u.sin.sin_family = AF_INET;
	a->u.sin.sin_addr.s_addr = s_addr;
}

static void set6(mcast_addr *a, const struct in6_addr *in6, unsigned ifindex)
{
	a->u.sin6.sin6_family = AF_INET6;
	a->u.sin6.sin6_addr = *in6;
	if (IN6_IS_ADDR_MC_LINKLOCAL(in6) || IN6_IS_ADDR_MC_NODELOCAL(in6) ||
	    IN6_IS_ADDR_LINKLOCAL(in6))
		a->u.sin6.sin6_scope_id = ifindex;
}

/*
 * One line of a /proc file, into entry (zeroed): 1 if the line was an
 * entry, 0 if not. *state lives across the lines of one file (igmp names
 * the interface on a line of its own, before that interface's groups).
 */
typedef int (*line_fn)(const char *line, void *entry, unsigned *state);

static int igmp_line(const char *line, void *entry, unsigned *idx)
{
	mcast_membership *m = entry;
	char dev[IF_NAMESIZE + 1];
	unsigned long g;
	unsigned i, users;

	if (line[0] != '\t' && sscanf(line, "%u %16s", &i, dev) == 2)
		*idx = i;
	if (line[0] != '\t' || !*idx || sscanf(line, " %lx %u", &g, &users) != 2)
		return 0;
	m->ifindex = *idx;
	m->users = users;
	set4(&m->group, (uint32_t)g);
	return 1;
}

static int igmp6_line(const char *line, void *entry, unsigned *state)
{
	mcast_membership *m = entry;
	char dev[IF_NAMESIZE + 1], hex[40];
	struct in6_addr g;
	unsigned idx, users;

	(void)state;
	if (sscanf(line, "%u %16s %39s %u", &idx, dev, hex, &users) != 4 ||
	    !hex16(hex, &g))
		return 0;
	m->ifindex = idx;
	m->users = users;
	set6(&m->group, &g, idx);
	return 1;
}

static int mcfilter_line(const char *line, void *entry, unsigned *state)
{
	mcast_source_filter *m = entry;
	char dev[IF_NAMESIZE + 1];
	unsigned long g, src;
	unsigned idx, inc, exc;

	(void)state;
	if (sscanf(line, "%u %16s %lx %lx %u %u", &idx, dev, &g, &src, &inc, &exc) != 6)
		return 0;
	m->ifindex = idx;
	set4(&m->group, htonl((uint32_t)g));
	set4(&m->source, htonl((uint32_t)src));
	m->include = inc;
	m->exclude = exc;
	return 1;
}

static int mcfilter6_line(const char *line, void *entry, unsigned *state)
{
	mcast_source_filter *m = entry;
	char dev[IF_NAMESIZE + 1], gh[40], sh[40];
	struct in6_addr g, src;
	unsigned idx, inc, exc;

	(void)state;
	if (sscanf(line, "%u %16s %39s %39s %u %u", &idx, dev, gh, sh, &inc, &exc) != 6 ||
	    !hex16(gh, &g) || !hex16(sh, &src))
		return 0;
	m->ifindex = idx;
	set6(&m->group, &g, idx);
	set6(&m->source, &src, idx);
	m->include = inc;
	m->exclude = exc;
	return 1;
}

/* Append to a the entries that fn finds in the lines of path. A missing
 * file is no error when optional (the IPv6 files, without IPv6). */
static int read_proc(struct vec *a, const char *path, bool optional, line_fn fn)
{
	FILE *f = fopen(path, "re");
	unsigned state = 0;
	char line[256];
	int rc = 0;

	if (!f)
		return optional && errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		void *e = vec_push(a);

		if (!e) {
			rc = -ENOMEM;
			break;
		}
		if (!fn(line, e, &state))
			a->n--; /* not an entry: give the slot back */
	}
	fclose(f);
	return rc;
}

/* Read the IPv4 then the IPv6 file into one array of entries of the given
 * size; on success hand the array over in *out (NULL when empty). */
static int collect(size_t size, const char *path4, line_fn fn4,
		   const char *path6, line_fn fn6, void **out, size_t *n,
		   const char *what, mcast_error *err)
{
	struct vec a = {.size = size};
	int rc = read_proc(&a, path4, false, fn4);

	if (rc == 0)
		rc = read_proc(&a, path6, true, fn6);
	*out = NULL;
	*n = 0;
	if (rc < 0) {
		free(a.v);
		return mcast__fail(err, rc == -ENOENT ? -ENOTSUP : rc,
				   "reading the kernel's %s: %s", what, strerror(-rc));
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

int mcast_memberships(mcast_membership **out, size_t *n, mcast_error *err)
{
	return collect(sizeof(**out), "/proc/net/igmp", igmp_line, "/proc/net/igmp6",
		       igmp6_line, (void **)out, n, "group lists", err);
}

int mcast_source_filters(mcast_source_filter **out, size_t *n, mcast_error *err)
{
	return collect(sizeof(**out), "/proc/net/mcfilter", mcfilter_line,
		       "/proc/net/mcfilter6", mcfilter6_line, (void **)out, n,
		       "source filters", err);
}

/* One number from a /proc file, or -1. */
static long proc_number(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The IGMP version /proc/net/igmp gives interface ifindex ("V1", "V2" or
 * "V3" after its name), or 0 when it is not listed. */
static unsigned igmp_version(unsigned ifindex)
{
	FILE *f = fopen("/proc/net/igmp", "re");
	char line[256], dev[IF_NAMESIZE + 1];
	unsigned idx, count, v, found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (line[0] != '\t' &&
		    sscanf(line, "%u %16s : %u V%u", &idx, dev, &count, &v) == 4 &&
		    idx == ifindex)
			found = v;
	fclose(f);
	return found;
}

int mcast_iface_mcinfo(unsigned ifindex, mcast_mcinfo *out, mcast_error *err)
{
	char name[IF_NAMESIZE], path[128];
	long v;

	memset(out, 0, sizeof(*out));
	if (!if_indextoname(ifindex, name))
		return mcast__fail(err, -ENODEV, "no interface with index %u", ifindex);
	out->igmp = igmp_version(ifindex);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/force_igmp_version", name);
	v = proc_number(path);
	out->igmp_forced = v > 0 ? (unsigned)v : 0;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/force_mld_version", name);
	v = proc_number(path);
	out->has_mld = v >= 0;
	out->mld_forced = v > 0 ? (unsigned)v : 0;
	return 0;
}
