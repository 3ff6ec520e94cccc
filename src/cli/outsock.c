/*
 * outsock.c - the sending socket: options, setup, and clear send errors.
 */
#include "cli/outsock.h"

#include <errno.h>
#include <string.h>

void outsock_init(struct outsock *o)
{
	memset(o, 0, sizeof(*o));
	o->ttl = 1;
	o->loop = -1;
}

int outsock_option(struct outsock *o, const struct cli_arg *a)
{
	switch (a->id) {
	case OUT_OPT_IFACE:
		o->iface_spec = a->value;
		return cli_iface_check(a);
	case OUT_OPT_TTL: return cli_uint(a, 0, 255, &o->ttl);
	case OUT_OPT_LOOP: o->loop = 1; return 0;
	case OUT_OPT_NO_LOOP: o->loop = 0; return 0;
	case OUT_OPT_BIND: o->bind_spec = a->value; return 0;
	case OUT_OPT_PORT:
		o->has_port = true;
		return cli_uint(a, 1, 65535, &o->port);
	case OUT_OPT_FRAGMENT: o->fragment = true; return 0;
	default: return 1;
	}
}

/* Find the outgoing interface and, for IPv4, the source address to use. */
static int find_iface(struct outsock *o, mcast_addr *ifaddr, bool *have_ifaddr)
{
	int family = mcast_addr_family(&o->group), rc;

	*have_ifaddr = false;
	if (!o->iface_spec) {
		o->iface_known = mcast_iface_route(&o->iface, &o->group, NULL) == 0;
		return 0;
	}
	/* Down already: nothing can leave by it, so say that once, as an
	 * error, rather than warn and then fail on the first send. */
	if (mcast_iface_find(&o->iface, o->iface_spec, NULL) == 0 &&
	    !(o->iface.flags & IFF_UP)) {
		cli_err("interface %s is down; nothing can be sent through it", o->iface.name);
		return EXIT_FAIL;
	}
	rc = cli_iface(o->iface_spec, &o->iface);
	if (rc)
		return rc;
	o->iface_known = true;
	if (family == AF_INET6 && o->group.u.sin6.sin6_scope_id &&
	    o->group.u.sin6.sin6_scope_id != o->iface.index)
		return cli_usage("the group's scope and --interface %s disagree",
				 o->iface_spec);
	/* For IPv4 an interface given by address also picks the source
	 * (otherwise the library takes the interface's first address). */
	*have_ifaddr = mcast_addr_parse_host(ifaddr, o->iface_spec, NULL) == 0 &&
		       mcast_addr_family(ifaddr) == AF_INET;
	return 0;
}

int outsock_open(struct outsock *o, const mcast_addr *group)
{
	int family = mcast_addr_family(group), rc;
	mcast_addr local, ifaddr;
	bool have_ifaddr;
	mcast_error e;

	o->group = *group;
	rc = find_iface(o, &ifaddr, &have_ifaddr);
	if (rc)
		return rc;
	memset(&local, 0, sizeof(local));
	local.u.sa.sa_family = (sa_family_t)family;
	if (o->bind_spec) {
		/* The source of a datagram is one address of this host. */
		rc = cli_sources("--bind", &o->bind_spec, 1, group, &local);
		if (rc)
			return rc;
		/* A link-local source needs its interface: take -i's. */
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&local.u.sin6.sin6_addr) &&
		    !local.u.sin6.sin6_scope_id) {
			if (!o->iface_known || !o->iface_spec)
				return cli_usage("--bind %s: a link-local address needs its "
						 "interface (%s%%eth0, or -i)", o->bind_spec,
						 o->bind_spec);
			local.u.sin6.sin6_scope_id = o->iface.index;
		}
	}
	if (mcast_sock_new(&o->sock, family, &e) < 0)
		goto fail;
	if (o->bind_spec || o->has_port) {
		mcast_addr_set_port(&local, (uint16_t)o->port);
		if (mcast_sock_bind(o->sock, &local, 0, &e) < 0)
			goto fail;
	}
	if (mcast_sock_set_ttl(o->sock, (unsigned)o->ttl, &e) < 0)
		goto fail;
	if (o->loop >= 0 && mcast_sock_set_loop(o->sock, o->loop == 1, &e) < 0)
		goto fail;
	/* The loopback device hands every datagram back to this host itself;
	 * IP_MULTICAST_LOOP only governs the copy made for other devices. */
	if (o->loop == 0 && o->iface_known && (o->iface.flags & IFF_LOOPBACK))
		cli_warn("--no-loop has no effect on %s: the loopback interface delivers "
			 "every datagram to this host", o->iface.name);
	if (o->iface_spec &&
	    mcast_sock_set_out_iface(o->sock, o->iface.index,
				     have_ifaddr ? &ifaddr : NULL, &e) < 0)
		goto fail;
	if (o->fragment && mcast_sock_set_dontfrag(o->sock, false, &e) < 0)
		goto fail;
	return 0;
fail:
	cli_err("%s", e.msg);
	return EXIT_FAIL;
}

bool outsock_gone(const struct outsock *o)
{
	mcast_iface now;

	if (!o->iface_spec)
		return false;
	/* A deleted interface goes down first, then away: either ends it. */
	if (mcast_iface_by_index(&now, o->iface.index, NULL) < 0)
		cli_err("interface %s disappeared; stopping", o->iface.name);
	else if (!(now.flags & IFF_UP))
		cli_err("interface %s went down; stopping", o->iface.name);
	else
		return false;
	return true;
}

/* The IP and UDP headers in front of a payload. */
static unsigned headers(const struct outsock *o)
{
	return mcast_addr_family(&o->group) == AF_INET6 ? 48 : 28;
}

static void say_too_big(const struct outsock *o, size_t len)
{
	unsigned hdr = headers(o);

	cli_err("datagram of %zu bytes is larger than the path allows: at most "
		"%u bytes fit in one packet on %s (MTU %u); --fragment lets "
		"the kernel fragment it", len,
		o->iface.mtu > hdr ? o->iface.mtu - hdr : 0, o->iface.name, o->iface.mtu);
}

int outsock_check_size(const struct outsock *o, size_t len)
{
	if (o->fragment || !o->iface_known || len + headers(o) <= o->iface.mtu)
		return 0;
	say_too_big(o, len);
	return EXIT_FAIL;
}

int outsock_failed(const struct outsock *o, ssize_t n, size_t len, const char *msg)
{
	/* Whatever errno the kernel chose (ENODEV, ENETUNREACH, ...). */
	if (outsock_gone(o))
		return EXIT_FAIL;
	if (n == -EMSGSIZE && o->iface_known &&
	    len <= mcast_max_payload(mcast_addr_family(&o->group)))
		say_too_big(o, len);
	else if (n == -ENETUNREACH && !o->iface_spec)
		/* One error, one line. */
		cli_err("%s: no route to the group; choose an interface with -i", msg);
	else
		cli_err("%s", msg);
	return EXIT_FAIL;
}

int outsock_send(struct outsock *o, const void *buf, size_t len)
{
	mcast_error e;
	const mcast_addr *dst = &o->group;
	ssize_t n;

	if (o->n_dsts > 1) {
		dst = &o->dsts[o->next];
		o->next = (o->next + 1) % o->n_dsts;
	}
	o->last = dst;
	n = mcast_sock_send(o->sock, dst, buf, len, &e);
	return n >= 0 ? 0 : outsock_failed(o, n, len, e.msg);
}

const char *outsock_iface_name(const struct outsock *o)
{
	return o->iface_known ? o->iface.name : "the kernel's choice";
}

void outsock_close(struct outsock *o)
{
	mcast_sock_free(o->sock);
	o->sock = NULL;
}
