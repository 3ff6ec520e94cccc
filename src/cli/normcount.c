/*
 * normcount.c - count the NORM packets libnorm sends, for the summaries:
 * NORM_DATA and NORM_INFO sent (repairs are what a sender sends beyond
 * one pass over its objects) and repairs requested (a receiver's
 * NORM_NACKs).
 *
 * libnorm's C API reports no such counters, so the tool interposes the two
 * libc calls libnorm sends with (send and sendto: `nm -D libnorm.so.1`) and
 * reads the first bytes of each datagram on the sockets it was told are
 * libnorm's (RFC 5740 section 4: byte 0 is version and type, a NORM_DATA's
 * flags are byte 12). Every other socket of the process passes straight
 * through. libnorm sends from its own thread, hence the atomics. The
 * sender's datagrams are sent in trains by normgso.c.
 */
#include "cli/normcount.h"
#include "cli/normgso.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>

#define WATCHED 8

static atomic_int watched[WATCHED] = {-1, -1, -1, -1, -1, -1, -1, -1};
static atomic_uint_fast64_t n_data, n_repairs, n_nacks, n_acks;

void mcast__normcount_watch(int fd)
{
	for (int i = 0; i < WATCHED; i++) {
		int none = -1;

		if (atomic_load(&watched[i]) == fd ||
		    atomic_compare_exchange_strong(&watched[i], &none, fd))
			return;
	}
}

void mcast__normcount_get(struct normcount *out)
{
	out->data = atomic_load(&n_data);
	out->repairs = atomic_load(&n_repairs);
	out->nacks = atomic_load(&n_nacks);
	out->acks = atomic_load(&n_acks);
}

static bool is_watched(int fd)
{
	for (int i = 0; i < WATCHED; i++)
		if (atomic_load_explicit(&watched[i], memory_order_relaxed) == fd)
			return true;
	return false;
}

static void count(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!is_watched(fd) || len < 1 || (p[0] >> 4) != 1)
		return;
	switch (p[0] & 15) {
	case 1: /* NORM_INFO */
	case 2: /* NORM_DATA */
		atomic_fetch_add_explicit(&n_data, 1, memory_order_relaxed);
		if (len > 12 && (p[12] & 0x01))
			atomic_fetch_add_explicit(&n_repairs, 1, memory_order_relaxed);
		break;
	case 4: atomic_fetch_add_explicit(&n_nacks, 1, memory_order_relaxed); break;
	case 5: atomic_fetch_add_explicit(&n_acks, 1, memory_order_relaxed); break;
	default: break;
	}
}

typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *,
			     socklen_t);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);

/* libc's own, found once (RTLD_NEXT: the definition after this one). */
static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static _Atomic(sendto_fn) real;
	sendto_fn f = atomic_load(&real);
	ssize_t n;

	if (!f) {
		union {
			void *p;
			sendto_fn f;
		} u = {next("sendto")};

		f = u.f;
		atomic_store(&real, f);
	}
	/* The sender's datagrams go in trains (normgso.c). */
	if (is_watched(fd) && mcast__normgso_send(fd, buf, len, flags, to, tolen)) {
		count(fd, buf, len);
		return (ssize_t)len;
	}
	n = f(fd, buf, len, flags, to, tolen);
	if (n >= 0)
		count(fd, buf, len);
	return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static _Atomic(send_fn) real;
	send_fn f = atomic_load(&real);
	ssize_t n;

	if (!f) {
		union {
			void *p;
			send_fn f;
		} u = {next("send")};

		f = u.f;
		atomic_store(&real, f);
	}
	/* After the train held on the socket, if any (normgso.c). */
	if (is_watched(fd))
		mcast__normgso_flush();
	n = f(fd, buf, len, flags);
	if (n >= 0)
		count(fd, buf, len);
	return n;
}
