/*
 * sock.c - the multicast socket: memberships, options, send and receive.
 */
#include "lib/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mcast_sock_new(mcast_sock **out, int family, mcast_error *err)
{
	mcast_sock *s;
	int rc, one = 1;

	*out = NULL;
	if (family != AF_INET && family != AF_INET6)
		return mcast__fail(err, -EAFNOSUPPORT, "unsupported address family %d",
				   family);
	s = calloc(1, sizeof(*s));
	if (!s)
		return mcast__fail(err, -ENOMEM, "out of memory");
	s->family = family;
	s->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0) {
		rc = mcast__fail(err, -errno, "socket: %s", strerror(errno));
		goto fail;
	}
	/* One socket, one family: no v4-mapped surprises on an IPv6 socket. */
	if (family == AF_INET6 &&
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
		rc = mcast__fail(err, -errno, "IPV6_V6ONLY: %s", strerror(errno));
		goto fail;
	}
	rc = mcast__os_rx_setup(s->fd, family);
	if (rc == 0)
		rc = mcast__os_set_dontfrag(s->fd, family, true);
	if (rc < 0) {
		mcast__set_msg(err, "socket options: %s", mcast_strerror(rc));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

void mcast_sock_free(mcast_sock *s)
{
	if (!s)
		return;
	/* Leave explicitly, newest first, though close() would also do it. */
	while (s->n > 0) {
		struct membership m = s->m[s->n - 1];
		size_t before = s->n;

		mcast_sock_leave(s, &m.group, m.ifindex,
				 m.source.u.sa.sa_family ? &m.source : NULL, NULL);
		if (s->n == before) /* not found: cannot happen, but never loop */
			s->n--;
	}
	free(s->m);
	close(s->fd);
	free(s);
}

int mcast_sock_fd(const mcast_sock *s)
{
	return s->fd;
}

int mcast__check_family(const mcast_sock *s, const mcast_addr *a,
			const char *what, mcast_error *err)
{
	if (mcast_addr_family(a) != s->family)
		return mcast__fail(err, -EAFNOSUPPORT,
				   "%s is IPv%c but the socket is IPv%c", what,
				   mcast_addr_family(a) == AF_INET6 ? '6' : '4',
				   s->family == AF_INET6 ? '6' : '4');
	return 0;
}

int mcast_sock_bind(mcast_sock *s, const mcast_addr *local, unsigned flags,
		    mcast_error *err)
{
	char text[MCAST_ADDRSTRLEN];
	mcast_addr got;
	int one = 1, rc;

	rc = mcast__check_family(s, local, "the bind address", err);
	if (rc < 0)
		return rc;
	/*
	 * On Linux SO_REUSEADDR lets any number of receivers bind one group
	 * and port, and each gets a copy of every datagram. SO_REUSEPORT
	 * would also do, but it spreads unicast (the answers in a
	 * conversation) across the sockets, which is not what we want.
	 */
	if ((flags & MCAST_BIND_REUSE) &&
	    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return mcast__fail(err, -errno, "SO_REUSEADDR: %s", strerror(errno));
	if (bind(s->fd, &local->u.sa, mcast_addr_len(local)) < 0) {
		rc = -errno;
		mcast_addr_format(local, text, sizeof(text), MCAST_FMT_PORT);
		return mcast__fail(err, rc, "cannot bind %s: %s", text, strerror(-rc));
	}
	if (mcast_sock_local(s, &got) == 0)
		s->local_port = mcast_addr_port(&got);
	return 0;
}

int mcast_sock_local(const mcast_sock *s, mcast_addr *out)
{
	socklen_t len = sizeof(out->u.ss);

	memset(out, 0, sizeof(*out));
	if (getsockname(s->fd, &out->u.sa, &len) < 0)
		return -errno;
	return 0;
}

static struct membership *find(mcast_sock *s, const mcast_addr *group,
			       unsigned ifindex, const mcast_addr *source)
{
	for (size_t i = 0; i < s->n; i++) {
		struct membership *m = &s->m[i];
		bool any = m->source.u.sa.sa_family == AF_UNSPEC;

		if (m->ifindex != ifindex || !mcast_addr_equal(&m->group, group, false))
			continue;
		if (source ? (!any && mcast_addr_equal(&m->source, source, false))
			   : any)
			return m;
	}
	return NULL;
}

/* The group_source_req that MCAST_* socket options take (RFC 3678). */
static void make_req(struct group_source_req *r, const mcast_addr *group,
		     unsigned ifindex, const mcast_addr *source)
{
	memset(r, 0, sizeof(*r));
	r->gsr_interface = ifindex;
	memcpy(&r->gsr_group, &group->u.ss, mcast_addr_len(group));
	/* The port of a group or source means nothing to IGMP or MLD. */
	((struct sockaddr_in *)&r->gsr_group)->sin_port = 0;
	if (source) {
		memcpy(&r->gsr_source, &source->u.ss, mcast_addr_len(source));
		((struct sockaddr_in *)&r->gsr_source)->sin_port = 0;
	}
}

/* Describe a membership for messages: "239.1.2.3 source 10.0.0.1 on eth0". */
static void describe(char *buf, size_t len, const mcast_addr *group,
		     unsigned ifindex, const mcast_addr *source)
{
	char g[MCAST_ADDRSTRLEN], src[MCAST_ADDRSTRLEN] = "", ifn[IF_NAMESIZE];

	mcast_addr_format(group, g, sizeof(g), 0);
	if (source)
		mcast_addr_format(source, src, sizeof(src), 0);
	if (!if_indextoname(ifindex, ifn))
		snprintf(ifn, sizeof(ifn), "#%u", ifindex);
	snprintf(buf, len, "%s%s%s on %s", g, source ? " source " : "", src, ifn);
}

static int membership_op(mcast_sock *s, int opt, const char *verb,
			 const mcast_addr *group, unsigned ifindex,
			 const mcast_addr *source, mcast_error *err)
{
	struct group_source_req r;
	size_t len = source ? sizeof(r) : sizeof(struct group_req);
	char what[2 * MCAST_ADDRSTRLEN + IF_NAMESIZE + 16];
	int rc;

	rc = mcast__check_family(s, group, "the group", err);
	if (rc == 0 && source)
		rc = mcast__check_family(s, source, "the source", err);
	if (rc < 0)
		return rc;
	if (ifindex == 0)
		return mcast__fail(err, -EINVAL, "%s: no interface given", verb);
	make_req(&r, group, ifindex, source);
	/* struct group_req is the head of struct group_source_req. */
	if (setsockopt(s->fd, mcast__level(s->family), opt, &r, (socklen_t)len) < 0) {
		rc = -errno;
		describe(what, sizeof(what), group, ifindex, source);
		return mcast__fail(err, rc, "cannot %s %s: %s", verb, what,
				   strerror(-rc));
	}
	return 0;
}

/*
 * Replace the message of a join that ran into a kernel limit with one that
 * names the limit, so the user learns what to raise rather than "No buffer
 * space available".
 */
static void explain_limit(const mcast_sock *s, const mcast_addr *group,
			  unsigned ifindex, const mcast_addr *source, int rc,
			  mcast_error *err)
{
	char what[2 * MCAST_ADDRSTRLEN + IF_NAMESIZE + 16], why[200];
	bool new_group = true;

	for (size_t i = 0; i < s->n; i++)
		if (s->m[i].ifindex == ifindex &&
		    mcast_addr_equal(&s->m[i].group, group, false))
			new_group = false;
	if (!mcast__os_join_limit(s->family, rc, source != NULL, new_group, why,
				  sizeof(why)))
		return;
	describe(what, sizeof(what), group, ifindex, source);
	mcast__set_msg(err, "cannot join %s: %s", what, why);
}

int mcast_sock_join(mcast_sock *s, const mcast_addr *group, unsigned ifindex,
		    const mcast_addr *source, mcast_error *err)
{
	struct membership *m;
	int rc;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct membership *grown = realloc(s->m, cap * sizeof(*grown));

		if (!grown)
			return mcast__fail(err, -ENOMEM, "out of memory");
		s->m = grown;
		s->cap = cap;
	}
	rc = membership_op(s, source ? MCAST_JOIN_SOURCE_GROUP : MCAST_JOIN_GROUP,
			   "join", group, ifindex, source, err);
	if (rc == -ENOBUFS || rc == -ENOMEM)
		explain_limit(s, group, ifindex, source, rc, err);
	if (rc < 0)
		return rc;
	m = &s->m[s->n++];
	memset(m, 0, sizeof(*m));
	m->group = *group;
	m->ifindex = ifindex;
	if (source)
		m->source = *source;
	return 0;
}

int mcast_sock_block(mcast_sock *s, const mcast_addr *group, unsigned ifindex,
		     const mcast_addr *source, mcast_error *err)
{
	if (!source)
		return mcast__fail(err, -EINVAL, "block: no source given");
	return membership_op(s, MCAST_BLOCK_SOURCE, "block", group, ifindex,
			     source, err);
}

int mcast_sock_leave(mcast_sock *s, const mcast_addr *group, unsigned ifindex,
		     const mcast_addr *source, mcast_error *err)
{
	struct membership *m = find(s, group, ifindex, source);
	char what[2 * MCAST_ADDRSTRLEN + IF_NAMESIZE + 16];
	int rc;

	if (!m) {
		describe(what, sizeof(what), group, ifindex, source);
		return mcast__fail(err, -ENOENT, "not joined: %s", what);
	}
	rc = membership_op(s, source ? MCAST_LEAVE_SOURCE_GROUP : MCAST_LEAVE_GROUP,
			   "leave", group, ifindex, source, err);
	/* Forget it even on failure: a retry would fail the same way. */
	*m = s->m[--s->n];
	return rc;
}

int mcast_sock_set_rcvbuf(mcast_sock *s, size_t bytes, mcast_bufinfo *info,
			  mcast_error *err)
{
	mcast_bufinfo tmp;
	int rc = mcast__os_set_rcvbuf(s->fd, bytes, info ? info : &tmp);

	if (rc < 0)
		return mcast__fail(err, rc, "cannot set receive buffer to %zu bytes: %s",
				   bytes, mcast_strerror(rc));
	return 0;
}

static int setopt(mcast_sock *s, int level, int name, int value,
		  const char *what, mcast_error *err)
{
	if (setsockopt(s->fd, level, name, &value, sizeof(value)) < 0)
		return mcast__fail(err, -errno, "cannot set %s: %s", what,
				   strerror(errno));
	return 0;
}

int mcast_sock_set_ttl(mcast_sock *s, unsigned ttl, mcast_error *err)
{
	if (ttl > 255)
		return mcast__fail(err, -EINVAL, "TTL %u is out of range (0-255)", ttl);
	if (s->family == AF_INET6)
		return setopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, (int)ttl,
			      "hop limit", err);
	return setopt(s, IPPROTO_IP, IP_MULTICAST_TTL, (int)ttl, "TTL", err);
}

int mcast_sock_set_loop(mcast_sock *s, bool on, mcast_error *err)
{
	if (s->family == AF_INET6)
		return setopt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on, "loopback",
			      err);
	return setopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, on, "loopback", err);
}

int mcast_sock_set_out_iface(mcast_sock *s, unsigned ifindex,
			     const mcast_addr *source, mcast_error *err)
{
	if (s->family == AF_INET6)
		return setopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifindex,
			      "outgoing interface", err);

	struct ip_mreqn mr;
	mcast_addr own;

	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = (int)ifindex;
	/*
	 * Without a source, name the interface's own first address: the
	 * kernel would send from 0.0.0.0 on lo, whose 127.0.0.1 is
	 * host-scoped.
	 */
	if (!source && mcast_iface_address(ifindex, AF_INET, &own, NULL) == 0)
		source = &own;
	if (source && mcast_addr_family(source) == AF_INET)
		mr.imr_address = source->u.sin.sin_addr;
	if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0)
		return mcast__fail(err, -errno, "cannot set outgoing interface: %s",
				   strerror(errno));
	return 0;
}

int mcast_sock_set_dontfrag(mcast_sock *s, bool on, mcast_error *err)
{
	int rc = mcast__os_set_dontfrag(s->fd, s->family, on);

	if (rc < 0)
		return mcast__fail(err, rc, "cannot set fragmentation: %s",
				   mcast_strerror(rc));
	return 0;
}

size_t mcast_max_payload(int family)
{
	/* 65535 minus the UDP header, minus the IPv4 header for IPv4 (IPv6
	 * counts its header outside the payload length). */
	return family == AF_INET6 ? 65535 - 8 : 65535 - 20 - 8;
}

ssize_t mcast_sock_send(mcast_sock *s, const mcast_addr *dst, const void *buf,
			size_t len, mcast_error *err)
{
	char text[MCAST_ADDRSTRLEN];
	ssize_t n;
	int rc;

	rc = mcast__check_family(s, dst, "the destination", err);
	if (rc < 0)
		return rc;
	if (len > mcast_max_payload(s->family))
		return mcast__fail(err, -EMSGSIZE,
				   "datagram of %zu bytes is larger than UDP allows (%zu)",
				   len, mcast_max_payload(s->family));
	n = sendto(s->fd, buf, len, 0, &dst->u.sa, mcast_addr_len(dst));
	if (n < 0) {
		rc = -errno;
		mcast_addr_format(dst, text, sizeof(text), MCAST_FMT_PORT);
		if (rc == -EMSGSIZE)
			return mcast__fail(err, rc,
					   "datagram of %zu bytes to %s is larger than the path allows",
					   len, text);
		return mcast__fail(err, rc, "send to %s: %s", text, strerror(-rc));
	}
	return n;
}

int mcast_sock_drops(const mcast_sock *s, uint32_t *out)
{
	return mcast__os_drops(s->fd, out);
}

ssize_t mcast_sock_recv(mcast_sock *s, void *buf, size_t cap,
			mcast_rxinfo *info, unsigned flags, mcast_error *err)
{
	char control[MCAST__CMSG_SPACE] __attribute__((aligned(8)));
	mcast_rxinfo tmp, *ri = &tmp;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr msg;
	ssize_t n;

	if (info)
		ri = info;
	memset(ri, 0, sizeof(*ri));
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &ri->source.u.ss;
	msg.msg_namelen = sizeof(ri->source.u.ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	/* MSG_TRUNC makes Linux return the real length of a long datagram. */
	n = recvmsg(s->fd, &msg,
		    MSG_TRUNC | ((flags & MCAST_RECV_NOWAIT) ? MSG_DONTWAIT : 0));
	if (n < 0) {
		int rc = -errno;

		return mcast__fail(err, rc, "receive: %s", strerror(-rc));
	}
	ri->dest.u.sa.sa_family = (sa_family_t)s->family;
	mcast_addr_set_port(&ri->dest, s->local_port);
	mcast__os_rx_cmsg(&msg, s->family, ri, NULL);
	if (!ri->kernel_time)
		clock_gettime(CLOCK_REALTIME, &ri->time);
	ri->len = (size_t)n;
	ri->truncated = (msg.msg_flags & MSG_TRUNC) || (size_t)n > cap;
	return (size_t)n > cap ? (ssize_t)cap : n;
}
