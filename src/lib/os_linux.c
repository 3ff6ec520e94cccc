/*
 * os_linux.c - everything Linux-specific but /proc: socket options that
 * only Linux has, control messages, the netlink route query and interface
 * watch. A port to another system replaces this file and os_linux_proc.c.
 */
#include "lib/internal.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/udp.h>
#include <linux/rtnetlink.h>
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
	/* The TTL or hop limit each datagram arrived with, which tells how
	 * many routers it crossed. Optional: rxinfo says -1 without it. */
	if (rc == 0 && family == AF_INET6)
		(void)setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	else if (rc == 0)
		(void)setopt_int(fd, IPPROTO_IP, IP_RECVTTL, 1);
	return rc;
}

void mcast__os_rx_cmsg(struct msghdr *msg, int family, mcast_rxinfo *info,
		       size_t *seg)
{
	int ip_level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int ttl_type = family == AF_INET6 ? IPV6_HOPLIMIT : IP_TTL;
	struct cmsghdr *c;

	info->ttl = -1;
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == ip_level && c->cmsg_type == ttl_type) {
			int ttl;

			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			info->ttl = ttl >= 0 && ttl <= 255 ? ttl : -1;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
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

int mcast__os_set_rcvbuf(int fd, size_t bytes, mcast_bufinfo *info)
{
	long max;
	int val, got = 0;
	socklen_t len = sizeof(got);

	/*
	 * The kernel doubles the value and keeps it in an int, so it caps a
	 * request at INT_MAX / 2 (1G - 1) as it caps one past rmem_max: ask
	 * for no more than that, and let info say what was granted.
	 */
	if (bytes == 0)
		return -EINVAL;
	val = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
	info->requested = bytes;
	max = mcast__os_sysctl("net.core.rmem_max");
	info->max = max > 0 ? (size_t)max : 0;
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
