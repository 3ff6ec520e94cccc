/*
 * batch.c - many datagrams per system call: sendmmsg/recvmmsg, and UDP
 * segmentation offload both ways (GSO on send, GRO on receive).
 */
#include "lib/internal.h"

#include <string.h>

int mcast_sock_send_batch(mcast_sock *s, const mcast_addr *dst,
			  const struct iovec *iov, size_t n, mcast_error *err)
{
	struct mmsghdr m[MCAST_BATCH_MAX];
	int rc;

	rc = mcast__check_family(s, dst, "the destination", err);
	if (rc < 0)
		return rc;
	if (n > MCAST_BATCH_MAX)
		return mcast__fail(err, -EINVAL, "batch of %zu is over %d", n,
				   MCAST_BATCH_MAX);
	memset(m, 0, n * sizeof(m[0]));
	for (size_t i = 0; i < n; i++) {
		m[i].msg_hdr.msg_name = (void *)&dst->u.sa;
		m[i].msg_hdr.msg_namelen = mcast_addr_len(dst);
		m[i].msg_hdr.msg_iov = (struct iovec *)&iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	rc = sendmmsg(s->fd, m, (unsigned)n, 0);
	if (rc < 0)
		return mcast__fail(err, -errno, "sendmmsg: %s", strerror(errno));
	return rc;
}

ssize_t mcast_sock_send_segments(mcast_sock *s, const mcast_addr *dst,
				 const void *buf, size_t len, size_t seg,
				 mcast_error *err)
{
	char control[MCAST__CMSG_SPACE] __attribute__((aligned(8)));
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg;
	ssize_t n;
	int rc;

	rc = mcast__check_family(s, dst, "the destination", err);
	if (rc < 0)
		return rc;
	if (seg == 0 || seg > UINT16_MAX || len > mcast_max_payload(s->family) ||
	    (len + seg - 1) / seg > 64)
		return mcast__fail(err, -EINVAL,
				   "cannot cut %zu bytes into segments of %zu", len, seg);
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = (void *)&dst->u.sa;
	msg.msg_namelen = mcast_addr_len(dst);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = mcast__os_gso_cmsg(control, seg);
	n = sendmsg(s->fd, &msg, 0);
	if (n < 0)
		return mcast__fail(err, -errno, "sendmsg with UDP_SEGMENT: %s",
				   strerror(errno));
	return n;
}

int mcast_sock_set_gro(mcast_sock *s, bool on, mcast_error *err)
{
	int rc = mcast__os_set_gro(s->fd, on);

	if (rc < 0)
		return mcast__fail(err, rc, "UDP_GRO: %s", mcast_strerror(rc));
	return 0;
}

int mcast_sock_recv_batch(mcast_sock *s, mcast_rxmsg *msgs, size_t n,
			  unsigned flags, mcast_error *err)
{
	struct mmsghdr m[MCAST_BATCH_MAX];
	struct iovec iov[MCAST_BATCH_MAX];
	char control[MCAST_BATCH_MAX][MCAST__CMSG_SPACE] __attribute__((aligned(8)));
	struct timespec now = {0, 0};
	int got;

	if (n > MCAST_BATCH_MAX)
		return mcast__fail(err, -EINVAL, "batch of %zu is over %d", n,
				   MCAST_BATCH_MAX);
	/* Only the headers are cleared here; a slot's info is cleared once it
	 * is filled, so a call that returns one datagram clears one. */
	memset(m, 0, n * sizeof(m[0]));
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = msgs[i].buf;
		iov[i].iov_len = msgs[i].cap;
		m[i].msg_hdr.msg_name = &msgs[i].info.source.u.ss;
		m[i].msg_hdr.msg_namelen = sizeof(msgs[i].info.source.u.ss);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_control = control[i];
		m[i].msg_hdr.msg_controllen = sizeof(control[i]);
	}
	/* MSG_WAITFORONE: block for the first datagram only, then take what
	 * is queued. */
	/* MSG_TRUNC makes Linux report the real length of a long datagram. */
	got = recvmmsg(s->fd, m, (unsigned)n,
		       MSG_TRUNC |
			       ((flags & MCAST_RECV_NOWAIT) ? MSG_DONTWAIT : MSG_WAITFORONE),
		       NULL);
	if (got < 0) {
		int rc = -errno;

		return mcast__fail(err, rc, "recvmmsg: %s", strerror(-rc));
	}
	for (int i = 0; i < got; i++) {
		mcast_rxmsg *r = &msgs[i];
		mcast_rxinfo *ri = &r->info;
		mcast_addr source = ri->source;

		memset(ri, 0, sizeof(*ri));
		ri->source = source;
		r->seg = 0;
		r->len = m[i].msg_len < r->cap ? m[i].msg_len : r->cap;
		ri->dest.u.sa.sa_family = (sa_family_t)s->family;
		mcast_addr_set_port(&ri->dest, s->local_port);
		mcast__os_rx_cmsg(&m[i].msg_hdr, s->family, ri, &r->seg);
		if (!ri->kernel_time) {
			if (now.tv_sec == 0)
				clock_gettime(CLOCK_REALTIME, &now);
			ri->time = now;
		}
		ri->len = m[i].msg_len;
		ri->truncated = (m[i].msg_hdr.msg_flags & MSG_TRUNC) || m[i].msg_len > r->cap;
	}
	return got;
}
