/*
 * test_udp_rx.c - the batch receiver (src/cli/transport_udp_rx.h) gives
 * the loop back to its timers in the middle of a batch whose datagrams
 * take long to handle (a signature check each, with bench recv --trust),
 * and hands on the rest on the next turns, in order and exactly once,
 * though the socket has nothing new to read by then.
 *
 * Datagrams go from one socket to another on 127.0.0.1 (unicast on lo:
 * nothing leaves the host); a fresh namespace with lo down skips. The
 * handler spins on the clock for half the receiver's time budget per
 * datagram until the timer has run, so whether the timer ran before the
 * batch was done is a count, not a timing: the receiver checks the
 * clock, not the count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/loop.h"
#include "cli/transport_udp_rx.h"

#define SEG 100

struct ctx {
	struct loop l;
	int timer;
	uint32_t count, total, at_timer;
	bool timer_ran;
};

static void on_timer(struct loop *l, void *data)
{
	struct ctx *c = data;

	(void)l;
	c->timer_ran = true;
	c->at_timer = c->count;
}

static void on_msg(void *owner, const struct rx_msg *m)
{
	struct ctx *c = owner;
	uint32_t idx;

	assert_int_equal(m->len, SEG);
	memcpy(&idx, m->data, sizeof(idx));
	assert_int_equal(idx, c->count);
	c->count++;
	if (c->count == 1)
		loop_timer_at(&c->l, c->timer, 1); /* due at once */
	if (!c->timer_ran) {
		uint64_t until = cli_now_ns() + UDP_RX_AIR_NS / 2;

		while (cli_now_ns() < until) {
		}
	}
	if (c->count == c->total)
		loop_stop(&c->l, 0);
}

/* A receiving socket on 127.0.0.1 and its address; false to skip. */
static bool open_rx(struct join *j, mcast_addr *at, bool gro)
{
	mcast_error e;

	memset(j, 0, sizeof(*j));
	assert_int_equal(mcast_addr_parse_host(at, "127.0.0.1", &e), 0);
	assert_int_equal(mcast_sock_new(&j->sock, AF_INET, &e), 0);
	if (mcast_sock_bind(j->sock, at, 0, &e) < 0 ||
	    (gro && mcast_sock_set_gro(j->sock, true, &e) < 0)) {
		mcast_sock_free(j->sock);
		j->sock = NULL;
		return false;
	}
	mcast_sock_set_rcvbuf(j->sock, 1 << 20, NULL, &e);
	assert_int_equal(mcast_sock_local(j->sock, at), 0);
	return true;
}

/* Send n datagrams of SEG bytes numbered from 0, as trains of 64 when
 * trains is set; false when the kernel cannot (then skip). */
static bool send_all(const mcast_addr *to, uint32_t n, bool trains)
{
	static unsigned char buf[64 * SEG];
	mcast_sock *s;
	mcast_error e;
	bool ok = true;

	assert_int_equal(mcast_sock_new(&s, AF_INET, &e), 0);
	for (uint32_t i = 0; i < n && ok; i += trains ? 64 : 1) {
		uint32_t k = trains ? 64 : 1;

		for (uint32_t d = 0; d < k; d++) {
			uint32_t idx = i + d;

			memcpy(buf + d * SEG, &idx, sizeof(idx));
		}
		if (trains)
			ok = mcast_sock_send_segments(s, to, buf, k * SEG, SEG, &e) == k * SEG;
		else
			assert_int_equal(mcast_sock_send(s, to, buf, SEG, &e), SEG);
	}
	mcast_sock_free(s);
	return ok;
}

static void run(uint32_t n, bool trains)
{
	struct ctx c = {.total = n};
	struct udp_rx u;
	struct join j;
	mcast_addr at;

	if (!open_rx(&j, &at, trains))
		skip();
	if (!send_all(&at, n, trains)) {
		join_close(&j);
		skip();
	}
	assert_int_equal(loop_init(&c.l), 0);
	c.timer = loop_timer_new(&c.l, on_timer, &c);
	assert_int_equal(udp_rx_init(&u, &j, true), 0);
	assert_int_equal(u.t.attach(&u.t, &c.l, on_msg, &c), 0);
	/* Only a safety net: the run ends when the last datagram is in. */
	loop_deadline(&c.l, cli_now_ns() + 30000000000ULL);
	assert_int_equal(loop_run(&c.l), LOOP_STOPPED);
	assert_true(c.timer_ran);
	assert_true(c.at_timer >= 1);
	/* The timer ran while the first batch was still being handed on. */
	assert_true(c.at_timer < (trains ? 64u : (uint32_t)UDP_RX_SLOTS));
	assert_int_equal(c.count, n);
	assert_int_equal(u.datagrams, n);
	if (trains)
		assert_int_equal(u.trains, n / 64);
	u.t.close(&u.t);
	loop_free(&c.l);
}

/* Two GRO trains of 64 in one batch: the socket is empty after the first
 * read, so the rest comes from the slots alone. */
static void trains_resume_without_a_readable_socket(void **state)
{
	(void)state;
	run(128, true);
}

/* One datagram a slot: a batch of UDP_RX_SLOTS, and more in the socket. */
static void single_datagrams(void **state)
{
	(void)state;
	run(64, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trains_resume_without_a_readable_socket),
		cmocka_unit_test(single_datagrams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
