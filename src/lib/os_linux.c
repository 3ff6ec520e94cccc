/*
 * os_linux.c - everything Linux-specific: socket options that only Linux
 * has, control messages, /proc reads and the netlink route query. A port to
 * another system replaces this file and nothing else.
 */
#include "lib/internal.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/udp.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif
#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

static int setopt_int(int fd, int level, int name, int value)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
		return -errno;
	return 0;
}

int mcast__os_rx_setup(int fd, int family)
{
	int rc;

	if (family == AF_INET6) {
		rc = setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
		/*
		 * Linux delivers a group to every socket bound to its port once
		 * any socket on the host joined it, unless MULTICAST_ALL is off;
		 * with it off a socket sees only the groups it joined itself.
		 * Kernels before 4.20 lack the IPv6 option: binding to the group
		 * address still keeps other groups out, so that is not fatal.
		 */
		if (rc == 0)
			(void)setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
	} else {
		rc = setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
		if (rc == 0)
			rc = setopt_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
	}
	if (rc == 0)
		rc = setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	if (rc == 0)
		rc = setopt_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1);
	return rc;
}

void mcast__os_rx_cmsg(struct msghdr *msg, int family, mcast_rxinfo *info,
		       size_t *seg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    family == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			info->ifindex = (unsigned)pi.ipi_ifindex;
			info->dest.u.sin.sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO && family == AF_INET6) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			info->ifindex = pi.ipi6_ifindex;
			info->dest.u.sin6.sin6_addr = pi.ipi6_addr;
			if (IN6_IS_ADDR_MC_LINKLOCAL(&pi.ipi6_addr) ||
			    IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				info->dest.u.sin6.sin6_scope_id = pi.ipi6_ifindex;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&info->time, CMSG_DATA(c), sizeof(info->time));
			info->kernel_time = true;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&info->drops, CMSG_DATA(c), sizeof(info->drops));
		} else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO &&
			   seg) {
			int size;

			memcpy(&size, CMSG_DATA(c), sizeof(size));
			*seg = size > 0 ? (size_t)size : 0;
		}
	}
}

/* net.core.rmem_max, or 0 when /proc is not readable. */
static size_t rmem_max(void)
{
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "re");
	unsigned long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int mcast__os_set_rcvbuf(int fd, size_t bytes, mcast_bufinfo *info)
{
	int val, got = 0;
	socklen_t len = sizeof(got);

	/* The kernel doubles the value and keeps it in an int. */
	if (bytes == 0 || bytes > INT32_MAX / 2)
		return -EINVAL;
	val = (int)bytes;
	info->requested = bytes;
	info->max = rmem_max();
	info->forced = false;
	/*
	 * SO_RCVBUF silently caps at rmem_max. SO_RCVBUFFORCE ignores the cap
	 * but needs CAP_NET_ADMIN; try it only when the cap would bite, and
	 * fall back quietly, because the report below says what we got.
	 */
	if (info->max && bytes > info->max &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &val, sizeof(val)) == 0)
		info->forced = true;
	else if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) < 0)
		return -errno;
	/* Linux reports twice the usable size: half is bookkeeping. */
	info->granted = (size_t)got / 2;
	return 0;
}

int mcast__os_drops(int fd, uint32_t *out)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	/* The same counter as SO_RXQ_OVFL, but readable at any moment. */
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		return -errno;
	if (len <= SK_MEMINFO_DROPS * sizeof(uint32_t))
		return -ENOTSUP;
	*out = mem[SK_MEMINFO_DROPS];
	return 0;
}

int mcast__os_set_gro(int fd, bool on)
{
	return setopt_int(fd, IPPROTO_UDP, UDP_GRO, on);
}

size_t mcast__os_gso_cmsg(void *control, size_t seg)
{
	struct msghdr msg = {.msg_control = control,
			     .msg_controllen = CMSG_SPACE(sizeof(uint16_t))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	uint16_t size = (uint16_t)seg;

	/* The padding after the value goes to the kernel too: no garbage. */
	memset(control, 0, CMSG_SPACE(sizeof(size)));
	c->cmsg_level = IPPROTO_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(c), &size, sizeof(size));
	return CMSG_SPACE(sizeof(size));
}

int mcast__os_set_dontfrag(int fd, int family, bool on)
{
	if (family == AF_INET6)
		return setopt_int(fd, IPPROTO_IPV6, IPV6_DONTFRAG, on);
	return setopt_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
			  on ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
}

/*
 * Ask the kernel's routing table (RTM_GETROUTE) which interface a packet to
 * dst leaves by. This is the same lookup an any-interface join makes, and
 * unlike connect()+getsockname() it works for interfaces without an address.
 */
int mcast__os_route_ifindex(const mcast_addr *dst, unsigned *ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[64];
	} req;
	union {
		struct nlmsghdr nh;
		char buf[8192];
	} resp;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int family = mcast_addr_family(dst), fd, rc = -ENETUNREACH;
	size_t alen = family == AF_INET6 ? 16 : 4;
	struct rtattr *rta;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = (unsigned char)family;
	req.rt.rtm_dst_len = (unsigned char)(alen * 8);
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), family == AF_INET6
				      ? (const void *)&dst->u.sin6.sin6_addr
				      : (const void *)&dst->u.sin.sin_addr,
	       alen);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		rc = -errno;
		goto out;
	}
	n = recv(fd, &resp, sizeof(resp), 0);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	for (struct nlmsghdr *h = &resp.nh; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			rc = e->error ? e->error : -ENETUNREACH;
			goto out;
		}
		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		struct rtmsg *rt = NLMSG_DATA(h);
		int alen_left = (int)RTM_PAYLOAD(h);

		for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, alen_left);
		     a = RTA_NEXT(a, alen_left)) {
			if (a->rta_type == RTA_OIF) {
				int oif;

				memcpy(&oif, RTA_DATA(a), sizeof(oif));
				*ifindex = (unsigned)oif;
				rc = 0;
				goto out;
			}
		}
	}
out:
	close(fd);
	return rc;
}

struct mcast_watch {
	int fd;
};

int mcast_watch_new(mcast_watch **out, mcast_error *err)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	mcast_watch *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return mcast__fail(err, -ENOMEM, "out of memory");
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_ROUTE);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		if (w->fd >= 0)
			close(w->fd);
		free(w);
		return mcast__fail(err, rc, "watching interfaces: %s", strerror(-rc));
	}
	*out = w;
	return 0;
}

int mcast_watch_fd(const mcast_watch *w)
{
	return w->fd;
}

int mcast_watch_gone(mcast_watch *w, const unsigned *ifindex, size_t n)
{
	union {
		struct nlmsghdr nh;
		char buf[16384];
	} m;
	ssize_t len;

	while ((len = recv(w->fd, &m, sizeof(m), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = &m.nh; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);

			if (h->nlmsg_type != RTM_DELLINK)
				continue;
			for (size_t i = 0; i < n; i++)
				if (ifindex[i] == (unsigned)ifi->ifi_index)
					return (int)ifindex[i];
		}
	}
	/* ENOBUFS: events were lost; whoever asks will find out by the index. */
	if (len < 0 && errno != EAGAIN && errno != ENOBUFS)
		return -errno;
	if (len < 0 && errno == ENOBUFS) {
		char name[IF_NAMESIZE];

		for (size_t i = 0; i < n; i++)
			if (!if_indextoname(ifindex[i], name))
				return (int)ifindex[i];
	}
	return 0;
}

void mcast_watch_free(mcast_watch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
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
