/*
 * iface.c - finding and listing network interfaces.
 */
#include "lib/internal.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Fill flags and MTU of out (whose name and index are set) via ioctl. */
static int fill(mcast_iface *out, mcast_error *err)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return mcast__fail(err, -errno, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, out->name, sizeof(out->name));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = mcast__fail(err, -errno, "interface '%s': %s", out->name,
				 strerror(errno));
		goto out;
	}
	out->flags = (unsigned)(unsigned short)ifr.ifr_flags;
	out->mtu = ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? (unsigned)ifr.ifr_mtu : 0;
out:
	close(fd);
	return rc;
}

int mcast_iface_by_index(mcast_iface *out, unsigned index, mcast_error *err)
{
	mcast_iface i;

	memset(&i, 0, sizeof(i));
	if (index == 0 || !if_indextoname(index, i.name))
		return mcast__fail(err, -ENODEV, "no interface with index %u", index);
	i.index = index;
	if (fill(&i, err) < 0)
		return -ENODEV;
	*out = i;
	return 0;
}

/* The interface that owns address a, or 0. */
static unsigned index_of_address(const mcast_addr *a)
{
	struct ifaddrs *list, *p;
	unsigned idx = 0;

	if (getifaddrs(&list) < 0)
		return 0;
	for (p = list; p && !idx; p = p->ifa_next) {
		mcast_addr have;

		if (!p->ifa_addr || p->ifa_addr->sa_family != mcast_addr_family(a))
			continue;
		memset(&have, 0, sizeof(have));
		memcpy(&have.u.sa, p->ifa_addr, mcast_addr_len(a));
		/* A link-local query without %scope matches any scope. */
		if (mcast_addr_family(a) == AF_INET6 && !a->u.sin6.sin6_scope_id)
			have.u.sin6.sin6_scope_id = 0;
		if (mcast_addr_equal(&have, a, false))
			idx = if_nametoindex(p->ifa_name);
	}
	freeifaddrs(list);
	return idx;
}

int mcast_iface_address(unsigned ifindex, int family, mcast_addr *out,
			mcast_error *err)
{
	char name[IF_NAMESIZE];
	struct ifaddrs *list, *p;
	int rank = 0; /* 0 none, 1 link-local, 2 other */

	if (!if_indextoname(ifindex, name))
		return mcast__fail(err, -ENODEV, "no interface with index %u", ifindex);
	if (getifaddrs(&list) < 0)
		return mcast__fail(err, -errno, "listing addresses: %s", strerror(errno));
	for (p = list; p && rank < 2; p = p->ifa_next) {
		int r;

		if (!p->ifa_addr || p->ifa_addr->sa_family != family ||
		    strcmp(p->ifa_name, name) != 0)
			continue;
		r = family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(
			&((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr) ? 1 : 2;
		if (r <= rank)
			continue;
		rank = r;
		memset(out, 0, sizeof(*out));
		memcpy(&out->u.sa, p->ifa_addr,
		       family == AF_INET6 ? sizeof(struct sockaddr_in6)
					  : sizeof(struct sockaddr_in));
	}
	freeifaddrs(list);
	if (!rank)
		return mcast__fail(err, -EADDRNOTAVAIL, "%s has no IPv%c address",
				   name, family == AF_INET6 ? '6' : '4');
	return 0;
}

int mcast_iface_addresses(unsigned ifindex, mcast_addr **out, size_t *n,
			  mcast_error *err)
{
	char name[IF_NAMESIZE];
	struct ifaddrs *list, *p;
	mcast_addr *v = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!if_indextoname(ifindex, name))
		return mcast__fail(err, -ENODEV, "no interface with index %u", ifindex);
	if (getifaddrs(&list) < 0)
		return mcast__fail(err, -errno, "listing addresses: %s", strerror(errno));
	/* Two passes over the list: IPv4 addresses first, then IPv6. */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		int family = pass ? AF_INET6 : AF_INET;

		for (p = list; p && rc == 0; p = p->ifa_next) {
			if (!p->ifa_addr || p->ifa_addr->sa_family != family ||
			    strcmp(p->ifa_name, name) != 0)
				continue;
			if (count == cap) {
				mcast_addr *grown;

				cap = cap ? 2 * cap : 4;
				grown = realloc(v, cap * sizeof(*v));
				if (!grown) {
					rc = mcast__fail(err, -ENOMEM, "out of memory");
					break;
				}
				v = grown;
			}
			memset(&v[count], 0, sizeof(v[count]));
			memcpy(&v[count].u.sa, p->ifa_addr,
			       family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in));
			count++;
		}
	}
	freeifaddrs(list);
	if (rc < 0 || count == 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = count;
	return 0;
}

int mcast_iface_find(mcast_iface *out, const char *spec, mcast_error *err)
{
	unsigned idx = 0;
	mcast_addr a;

	if (!spec || !*spec || strlen(spec) >= 128)
		return mcast__fail(err, -ENODEV, "unknown interface '%s'",
				   spec ? spec : "");
	idx = if_nametoindex(spec);
	if (!idx && spec[0] >= '0' && spec[0] <= '9' &&
	    strspn(spec, "0123456789") == strlen(spec) && strlen(spec) < 10)
		idx = (unsigned)strtoul(spec, NULL, 10);
	if (!idx && mcast_addr_parse_host(&a, spec, NULL) == 0)
		idx = index_of_address(&a);
	if (!idx || mcast_iface_by_index(out, idx, NULL) < 0)
		return mcast__fail(err, -ENODEV, "unknown interface '%s'", spec);
	return 0;
}

static int by_index(const void *a, const void *b)
{
	const mcast_iface *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int mcast_iface_list(mcast_iface **out, size_t *n, unsigned need,
		     mcast_error *err)
{
	struct if_nameindex *names = if_nameindex(), *p;
	mcast_iface *list = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!names)
		return mcast__fail(err, -errno, "listing interfaces: %s",
				   strerror(errno));
	for (p = names; p->if_index; p++)
		cap++;
	if (cap) {
		list = calloc(cap, sizeof(*list));
		if (!list) {
			rc = mcast__fail(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
	for (p = names; p->if_index; p++) {
		mcast_iface i;

		/* An interface may vanish between the two calls; skip it. */
		if (mcast_iface_by_index(&i, p->if_index, NULL) < 0)
			continue;
		if ((i.flags & need) == need)
			list[count++] = i;
	}
	if (count == 0) {
		free(list);
		list = NULL;
	} else {
		qsort(list, count, sizeof(*list), by_index);
	}
	*out = list;
	*n = count;
out:
	if_freenameindex(names);
	return rc;
}

int mcast_iface_route(mcast_iface *out, const mcast_addr *group,
		      mcast_error *err)
{
	char text[MCAST_ADDRSTRLEN];
	unsigned idx = 0;
	int rc;

	/* A link-local scope names the interface outright. */
	if (mcast_addr_family(group) == AF_INET6 && group->u.sin6.sin6_scope_id)
		return mcast_iface_by_index(out, group->u.sin6.sin6_scope_id, err);
	rc = mcast__os_route_ifindex(group, &idx);
	if (rc < 0) {
		mcast_addr_format(group, text, sizeof(text), 0);
		return mcast__fail(err, rc,
				   "no route to %s, so no interface to choose (%s)",
				   text, mcast_strerror(rc));
	}
	return mcast_iface_by_index(out, idx, err);
}
