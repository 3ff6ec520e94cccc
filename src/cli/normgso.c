/*
 * normgso.c - the NORM sender's datagrams through UDP generic segmentation
 * offload (UDP_SEGMENT): what libnorm sends back to back goes to the
 * kernel as one train instead of one system call each.
 *
 * libnorm sends every segment with its own sendto(), and on a bridge of
 * namespaces each of those costs about 12 us of the kernel's send path
 * (NORM-NOTES), which bounded the sender and, on a small machine, took
 * the CPU its receivers needed. normcount.c's sendto() hands the datagrams
 * of the sockets it watches here: consecutive ones to the same address,
 * of one size (a shorter one may close a train), are copied into one
 * buffer of up to TRAIN_MAX of them and sent with one sendmsg() that the
 * kernel cuts into the same datagrams (the wire does not change). A train
 * leaves when the next datagram does not fit it, when it is full, and
 * before libnorm's thread waits (libnorm waits in epoll_wait(), which is
 * interposed for that): what libnorm sent in one go still leaves in one
 * go, no later than it would have and no burstier. Only a thread that
 * waits there batches; any other sends at once. A kernel or device
 * without UDP GSO makes the first train fail with EIO (or EINVAL,
 * ENOPROTOOPT): from then on every datagram is sent on its own, as before.
 */
#include "cli/normgso.h"

#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define TRAIN_MAX 40
#define TRAIN_BYTES 65000

static atomic_bool enabled, failed, pending;
/* This thread waits in epoll_wait() (libnorm's does), so a train it
 * leaves held is sent before it sleeps. */
static _Thread_local bool waits;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
	size_t seg, n, len;
	bool closed; /* the last datagram was shorter than seg */
	unsigned char buf[TRAIN_BYTES];
} q;

/* One sendmsg(); seg 0 for a single datagram. Waits (briefly) for room in
 * the socket's buffer rather than lose a train to EAGAIN. */
static ssize_t send_one(int fd, const void *buf, size_t len, size_t seg)
{
	char control[CMSG_SPACE(sizeof(uint16_t))] __attribute__((aligned(8)));
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg;
	ssize_t n = -1;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &q.to;
	msg.msg_namelen = q.tolen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (seg) {
		struct cmsghdr *c;
		uint16_t size = (uint16_t)seg;

		memset(control, 0, sizeof(control));
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(size));
		memcpy(CMSG_DATA(c), &size, sizeof(size));
	}
	for (int tries = 0; tries < 4; tries++) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};

		n = sendmsg(fd, &msg, 0);
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS))
			break;
		poll(&p, 1, 10);
	}
	return n;
}

/* Send the train; the caller holds mu. */
static void flush_locked(void)
{
	size_t off = 0;

	if (q.n == 0)
		return;
	if (q.n == 1 || atomic_load(&failed) || send_one(q.fd, q.buf, q.len, q.seg) < 0) {
		if (q.n > 1 && !atomic_load(&failed) &&
		    (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT ||
		     errno == EOPNOTSUPP))
			atomic_store(&failed, true);
		/* One by one: the first train failed, or this one did for a
		 * reason a datagram alone may not have (libnorm repairs what
		 * is lost either way). */
		if (q.n == 1 || atomic_load(&failed))
			for (size_t i = 0; i < q.n; i++, off += q.seg)
				send_one(q.fd, q.buf + off, i + 1 < q.n ? q.seg : q.len - off, 0);
	}
	q.n = q.len = 0;
	q.closed = false;
	atomic_store(&pending, false);
}

void mcast__normgso_flush(void)
{
	if (!atomic_load(&pending))
		return;
	pthread_mutex_lock(&mu);
	flush_locked();
	pthread_mutex_unlock(&mu);
}

void mcast__normgso_enable(bool on)
{
	atomic_store(&enabled, on);
	/* Off: what is held goes now, and, as send() looks again under the
	 * lock, nothing is held once this returns (the sockets close next). */
	if (!on) {
		pthread_mutex_lock(&mu);
		flush_locked();
		pthread_mutex_unlock(&mu);
	}
}

bool mcast__normgso_send(int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen)
{
	/* What is held goes first, then this one alone: libnorm sent them in
	 * that order. Another thread (the caller's, into libnorm while
	 * libnorm's own is suspended) might leave a train held for as long as
	 * libnorm's sleeps, so it sends alone too. */
	if (!atomic_load(&enabled) || atomic_load(&failed) || flags || !to || len == 0 ||
	    len > TRAIN_BYTES || tolen > sizeof(q.to) || !waits) {
		mcast__normgso_flush();
		return false;
	}
	pthread_mutex_lock(&mu);
	if (!atomic_load(&enabled)) {
		/* Turned off since the look above: what is held goes first
		 * (here, or already by mcast__normgso_enable()). */
		flush_locked();
		pthread_mutex_unlock(&mu);
		return false;
	}
	if (q.n && (fd != q.fd || tolen != q.tolen || memcmp(to, &q.to, tolen) != 0 ||
		    len > q.seg || q.closed || q.len + len > TRAIN_BYTES))
		flush_locked();
	if (q.n == 0) {
		q.fd = fd, q.seg = len, q.tolen = tolen;
		memcpy(&q.to, to, tolen);
	}
	memcpy(q.buf + q.len, buf, len);
	q.len += len;
	q.n++;
	q.closed = len < q.seg;
	atomic_store(&pending, true);
	if (q.n == TRAIN_MAX)
		flush_locked();
	pthread_mutex_unlock(&mu);
	return true;
}

typedef int (*epoll_wait_fn)(int, struct epoll_event *, int, int);

/* libnorm's thread waits here between bursts: the train leaves first. */
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	static _Atomic(epoll_wait_fn) real;
	epoll_wait_fn f = atomic_load(&real);

	if (!f) {
		union {
			void *p;
			epoll_wait_fn f;
		} u = {dlsym(RTLD_NEXT, "epoll_wait")};

		f = u.f;
		atomic_store(&real, f);
	}
	waits = true;
	mcast__normgso_flush();
	return f(epfd, events, maxevents, timeout);
}
