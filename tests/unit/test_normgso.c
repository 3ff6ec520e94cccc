/*
 * test_normgso.c - the NORM sender's GSO trains (src/cli/normgso.c) on
 * loopback: what is sent with sendto() on a watched socket arrives as the
 * same datagrams, in order, whether it went in a train or alone; an
 * unwatched socket, and a thread that never waits in epoll_wait(), are not
 * batched; turning batching off sends what is held.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/normcount.h"
#include "cli/normgso.h"

struct pair {
	int tx, rx;
	struct sockaddr_in to;
};

static void pair_open(struct pair *p)
{
	socklen_t len = sizeof(p->to);
	int big = 4 << 20;

	p->rx = socket(AF_INET, SOCK_DGRAM, 0);
	p->tx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(p->rx >= 0 && p->tx >= 0);
	memset(&p->to, 0, sizeof(p->to));
	p->to.sin_family = AF_INET;
	p->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(p->rx, (struct sockaddr *)&p->to, sizeof(p->to)), 0);
	assert_int_equal(getsockname(p->rx, (struct sockaddr *)&p->to, &len), 0);
	setsockopt(p->rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
}

static void pair_close(struct pair *p)
{
	close(p->tx);
	close(p->rx);
}

/* Datagram i: its length and a pattern that names it. */
static size_t fill(unsigned char *buf, int i, size_t len)
{
	for (size_t k = 0; k < len; k++)
		buf[k] = (unsigned char)(i * 7 + k);
	return len;
}

static void send_n(struct pair *p, int first, int n, size_t len)
{
	unsigned char buf[2000];

	for (int i = first; i < first + n; i++)
		assert_int_equal(sendto(p->tx, buf, fill(buf, i, len), 0,
					(struct sockaddr *)&p->to, sizeof(p->to)),
				 (ssize_t)len);
}

/* The next datagram is number i, len bytes; false when none is waiting. */
static bool expect(struct pair *p, int i, size_t len)
{
	unsigned char got[70000], want[2000];
	struct pollfd pf = {.fd = p->rx, .events = POLLIN};
	ssize_t n;

	if (poll(&pf, 1, 2000) != 1)
		return false;
	n = recv(p->rx, got, sizeof(got), 0);
	assert_int_equal(n, (ssize_t)len);
	fill(want, i, len);
	assert_memory_equal(got, want, len);
	return true;
}

static bool nothing_waiting(struct pair *p)
{
	struct pollfd pf = {.fd = p->rx, .events = POLLIN};

	return poll(&pf, 1, 0) == 0;
}

static void test_trains_arrive_as_datagrams(void **state)
{
	struct pair p;
	struct epoll_event ev;
	int ep = epoll_create1(0);

	(void)state;
	pair_open(&p);
	mcast__normcount_watch(p.tx);
	mcast__normgso_enable(true);
	/* A thread batches once it waits in epoll_wait(), as libnorm's does;
	 * before, it sends at once. */
	send_n(&p, 500, 1, 1400);
	assert_true(expect(&p, 500, 1400));
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	/* 100 of 1400 (two full trains and part of a third), one shorter
	 * that closes it, then larger ones that start a new train. */
	send_n(&p, 0, 100, 1400);
	send_n(&p, 100, 1, 300);
	send_n(&p, 101, 3, 1500);
	/* libnorm's thread waiting sends what is held. */
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	for (int i = 0; i < 100; i++)
		assert_true(expect(&p, i, 1400));
	assert_true(expect(&p, 100, 300));
	for (int i = 101; i < 104; i++)
		assert_true(expect(&p, i, 1500));
	assert_true(nothing_waiting(&p));
	/* Turning it off sends what is held too. */
	send_n(&p, 200, 5, 1000);
	mcast__normgso_enable(false);
	for (int i = 200; i < 205; i++)
		assert_true(expect(&p, i, 1000));
	/* Off: each datagram leaves at once. */
	send_n(&p, 300, 1, 800);
	assert_true(expect(&p, 300, 800));
	close(ep);
	pair_close(&p);
}

/* Datagram i of len bytes (up to 65507) arrives next. */
static void expect_big(struct pair *p, int i, size_t len)
{
	static unsigned char got[70000], want[70000];
	struct pollfd pf = {.fd = p->rx, .events = POLLIN};

	assert_int_equal(poll(&pf, 1, 2000), 1);
	assert_int_equal(recv(p->rx, got, sizeof(got), 0), (ssize_t)len);
	fill(want, i, len);
	assert_memory_equal(got, want, len);
}

/*
 * A datagram that does not go in a train (flags, larger than a train,
 * sent with send()) leaves after the train held before it, not ahead of
 * it: libnorm sent them in that order.
 */
static void test_alone_after_held_train(void **state)
{
	static unsigned char big[65100];
	struct pair p;
	struct epoll_event ev;
	int ep = epoll_create1(0);

	(void)state;
	pair_open(&p);
	assert_int_equal(connect(p.tx, (struct sockaddr *)&p.to, sizeof(p.to)), 0);
	mcast__normcount_watch(p.tx);
	mcast__normgso_enable(true);
	assert_int_equal(epoll_wait(ep, &ev, 1, 0), 0);
	send_n(&p, 0, 3, 1000);
	assert_int_equal(sendto(p.tx, big, fill(big, 3, 1000), MSG_DONTWAIT,
				(struct sockaddr *)&p.to, sizeof(p.to)), 1000);
	send_n(&p, 4, 2, 1000);
	assert_int_equal(sendto(p.tx, big, fill(big, 6, sizeof(big)), 0,
				(struct sockaddr *)&p.to, sizeof(p.to)), (ssize_t)sizeof(big));
	send_n(&p, 7, 2, 1000);
	assert_int_equal(send(p.tx, big, fill(big, 9, 1000), 0), 1000);
	for (int i = 0; i < 10; i++)
		expect_big(&p, i, i == 6 ? sizeof(big) : 1000);
	assert_true(nothing_waiting(&p));
	mcast__normgso_enable(false);
	close(ep);
	pair_close(&p);
}

/* libnorm's thread, as the race below needs it: two datagrams a round. */
struct racer {
	struct pair *p;
	pthread_barrier_t go, done;
	int rounds;
	atomic_int sent;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct epoll_event ev;
	unsigned char buf[100];
	int ep = epoll_create1(0);

	epoll_wait(ep, &ev, 1, 0); /* this thread batches from now on */
	close(ep);
	for (int i = 0; i < r->rounds; i++) {
		pthread_barrier_wait(&r->go);
		for (int k = 0; k < 2; k++)
			if (sendto(r->p->tx, buf, fill(buf, 2 * i + k, sizeof(buf)), 0,
				   (struct sockaddr *)&r->p->to, sizeof(r->p->to)) == sizeof(buf))
				atomic_fetch_add(&r->sent, 1);
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

/*
 * Turning batching off while libnorm's thread sends leaves nothing held:
 * the datagram it sent in that moment has left once it is off (after
 * that, libnorm closes the socket, and a train sent later would go to a
 * closed or reused descriptor). Each round races two sendto() calls
 * against the switch, which sends the first if it is held; whichever
 * wins, both datagrams arrive without another wait in epoll_wait().
 */
static void test_off_leaves_nothing_held(void **state)
{
	struct pair p;
	struct racer r = {.p = &p, .rounds = getenv("MCAST_WRAP") ? 300 : 3000};
	pthread_t t;

	(void)state;
	pair_open(&p);
	mcast__normcount_watch(p.tx);
	pthread_barrier_init(&r.go, NULL, 2);
	pthread_barrier_init(&r.done, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, racer_main, &r), 0);
	for (int i = 0; i < r.rounds; i++) {
		mcast__normgso_enable(true);
		pthread_barrier_wait(&r.go);
		/* Once the first is held (bounded: it may have failed), and a
		 * little later each round, so that the switch meets the second
		 * sendto() at each of its points. */
		for (long k = 0; k < 100000000 && atomic_load(&r.sent) < 2 * i + 1; k++) {
		}
		for (volatile int k = 0; k < i % 50; k++) {
		}
		mcast__normgso_enable(false);
		pthread_barrier_wait(&r.done);
		assert_true(expect(&p, 2 * i, 100));
		assert_true(expect(&p, 2 * i + 1, 100));
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&r.sent), 2 * r.rounds);
	assert_true(nothing_waiting(&p));
	pthread_barrier_destroy(&r.go);
	pthread_barrier_destroy(&r.done);
	pair_close(&p);
}

static void test_unwatched_socket_sends_at_once(void **state)
{
	struct pair p;

	(void)state;
	pair_open(&p);
	mcast__normgso_enable(true);
	send_n(&p, 0, 3, 1200);
	for (int i = 0; i < 3; i++)
		assert_true(expect(&p, i, 1200));
	mcast__normgso_enable(false);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: the watched list keeps descriptor numbers. */
		cmocka_unit_test(test_unwatched_socket_sends_at_once),
		cmocka_unit_test(test_trains_arrive_as_datagrams),
		cmocka_unit_test(test_alone_after_held_train),
		cmocka_unit_test(test_off_leaves_nothing_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
