/*
 * transport_udp_rx.c - joined UDP sockets read from the loop.
 *
 * Each wake-up takes what is queued, up to a bound, so that timers (a
 * progress line, --timeout) and signals are looked at between bursts; in
 * batch mode the bound is time, and what a batch still holds when it is
 * reached is handed on in the next turns of the loop. An
 * interface watched by join.c that goes away stops the loop with
 * EXIT_FAIL after join_events() has said which.
 */
#include "cli/transport_udp_rx.h"
#include "cli/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* Datagrams taken one by one per wake-up before the loop looks again. */
#define BURST 64
/* Batch mode: poll the socket this long after it runs dry (at high rates
 * a sleep per datagram or two costs more CPU in context switches than
 * the datagrams themselves); come up for air after UDP_RX_AIR_NS, reading
 * the clock every CLOCK_EVERY datagrams to know. */
#define SPIN_NS 200000
#define CLOCK_EVERY 8

static void fill(struct udp_rx *u, struct rx_msg *m, const mcast_rxinfo *ri,
		 uint64_t mono)
{
	memset(m, 0, sizeof(*m));
	m->source = ri->source;
	m->group = ri->dest;
	m->ifindex = ri->ifindex;
	m->ifname = join_iface_name(u->j, ri->ifindex);
	m->time = ri->time;
	m->ttl = ri->ttl;
	m->drops = ri->drops;
	m->truncated = ri->truncated;
	m->mono_ns = mono;
}

static void failed(struct udp_rx *u, const mcast_error *e)
{
	cli_err("%s", e->msg);
	loop_stop(u->l, EXIT_FAIL);
}

/* One datagram at a time (recv, pong). */
static void on_single(struct loop *l, int fd, unsigned ev, void *data)
{
	struct udp_rx *u = data;
	struct rx_msg m;
	mcast_rxinfo ri;
	mcast_error e;

	(void)fd, (void)ev;
	for (int i = 0; i < BURST && !l->stopped && !loop_signalled(); i++) {
		ssize_t n = mcast_sock_recv(u->j->sock, u->buf, UDP_RX_SLOT_SIZE, &ri,
					    MCAST_RECV_NOWAIT, &e);

		if (n == -EAGAIN || n == -EINTR)
			return;
		if (n < 0) {
			failed(u, &e);
			return;
		}
		fill(u, &m, &ri, cli_now_ns());
		m.data = u->buf;
		m.len = (size_t)n;
		u->datagrams++;
		u->fn(u->owner, &m);
	}
}

/* Hand on what is left of the batch in u->slot, from u->next at u->off,
 * until it is done, the loop is to stop, or `until` (monotonic ns) has
 * passed: the clock is read every CLOCK_EVERY datagrams, and each datagram
 * carries the time of the last reading. Returns true when the batch is
 * done. */
static bool drain(struct udp_rx *u, uint64_t mono, uint64_t until)
{
	unsigned n = 0;

	while (u->next < u->got) {
		const mcast_rxmsg *s = &u->slot[u->next];
		size_t seg = s->seg ? s->seg : s->len;
		struct rx_msg m;

		if (u->l->stopped || loop_signalled())
			return false;
		if (u->off == 0 && s->seg)
			u->trains++;
		fill(u, &m, &s->info, mono);
		/* An empty datagram is a datagram too. */
		m.data = (const unsigned char *)s->buf + u->off;
		m.len = s->len - u->off < seg ? s->len - u->off : seg;
		u->off += m.len;
		if (u->off >= s->len) {
			u->next++;
			u->off = 0;
		}
		u->datagrams++;
		u->fn(u->owner, &m);
		if (++n % CLOCK_EVERY == 0) {
			mono = cli_now_ns();
			if (mono >= until)
				return u->next >= u->got;
		}
	}
	return true;
}

/* Finish the batch in hand, then take new ones, spinning a little when
 * the socket runs dry, for at most about UDP_RX_AIR_NS. */
static void take(struct udp_rx *u)
{
	uint64_t entered = cli_now_ns(), until = entered + UDP_RX_AIR_NS, idle_since = 0;
	struct loop *l = u->l;
	mcast_error e;

	if (u->next < u->got && (!drain(u, entered, until) || cli_now_ns() >= until))
		return;
	while (!l->stopped && !loop_signalled()) {
		int got = mcast_sock_recv_batch(u->j->sock, u->slot, UDP_RX_SLOTS,
						MCAST_RECV_NOWAIT, &e);
		uint64_t mono = cli_now_ns();

		if (got == -EAGAIN) {
			if (!idle_since)
				idle_since = mono;
			if (mono - idle_since < SPIN_NS && mono < until)
				continue;
			return;
		}
		if (got == -EINTR)
			return;
		if (got < 0) {
			failed(u, &e);
			return;
		}
		idle_since = 0;
		u->got = got;
		u->next = 0;
		u->off = 0;
		if (!drain(u, mono, until) || cli_now_ns() >= until)
			return;
	}
}

/* Batches, spinning a little when the socket runs dry (bench recv). */
static void on_batch(struct loop *l, int fd, unsigned ev, void *data)
{
	(void)l, (void)fd, (void)ev;
	take(data);
}

/* Before the loop waits: go on with a batch not yet handed on, and while
 * some of it is left, do not let the loop sleep (the socket may well have
 * nothing new, and the slots are not a descriptor it can wait on). */
static void before_wait(struct loop *l, void *data)
{
	struct udp_rx *u = data;

	if (u->prev_hook)
		u->prev_hook(l, u->prev_data);
	if (u->next < u->got)
		take(u);
	l->busy = u->busy_was || u->next < u->got;
}

/* A joined interface may have gone away. */
static void on_watch(struct loop *l, int fd, unsigned ev, void *data)
{
	struct udp_rx *u = data;
	struct pollfd p[2];

	(void)fd, (void)ev;
	join_pollfds(u->j, p);
	p[1].revents = POLLIN;
	if (join_events(u->j, p))
		loop_stop(l, EXIT_FAIL);
}

static int attach(struct rx_transport *t, struct loop *l, rx_fn fn, void *owner)
{
	struct udp_rx *u = t->impl;
	int rc;

	u->l = l;
	u->fn = fn;
	u->owner = owner;
	rc = loop_fd_add(l, mcast_sock_fd(u->j->sock), LOOP_READ,
			 u->batch ? on_batch : on_single, u);
	if (rc == 0 && u->batch) {
		u->busy_was = l->busy;
		u->prev_hook = l->before_wait;
		u->prev_data = l->before_wait_data;
		l->before_wait = before_wait;
		l->before_wait_data = u;
	}
	if (rc == 0 && u->j->watch)
		rc = loop_fd_add(l, mcast_watch_fd(u->j->watch), LOOP_READ, on_watch, u);
	return rc;
}

static void close_rx(struct rx_transport *t)
{
	struct udp_rx *u = t->impl;

	join_close(u->j);
	free(u->buf);
	u->buf = NULL;
}

int udp_rx_init(struct udp_rx *u, struct join *j, bool batch)
{
	memset(u, 0, sizeof(*u));
	u->j = j;
	u->batch = batch;
	u->buf = malloc(batch ? (size_t)UDP_RX_SLOTS * UDP_RX_SLOT_SIZE : UDP_RX_SLOT_SIZE);
	if (!u->buf)
		return -ENOMEM;
	for (size_t i = 0; batch && i < UDP_RX_SLOTS; i++) {
		u->slot[i].buf = u->buf + i * UDP_RX_SLOT_SIZE;
		u->slot[i].cap = UDP_RX_SLOT_SIZE;
	}
	u->t.attach = attach;
	u->t.close = close_rx;
	u->t.impl = u;
	return 0;
}

bool udp_rx_pending(const struct udp_rx *u)
{
	struct pollfd p = {.fd = u->j->sock ? mcast_sock_fd(u->j->sock) : -1, .events = POLLIN};

	return u->next < u->got || (p.fd >= 0 && poll(&p, 1, 0) > 0);
}

uint32_t udp_rx_drops(const struct udp_rx *u)
{
	uint32_t drops = 0;

	if (u->j->sock && mcast_sock_drops(u->j->sock, &drops) < 0)
		drops = 0;
	return drops;
}
