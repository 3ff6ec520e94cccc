/*
 * transport_udp_rx.c - joined UDP sockets read from the loop.
 *
 * Each wake-up takes what is queued, up to a bound, so that timers (a
 * progress line, --timeout) and signals are looked at between bursts. An
 * interface watched by join.c that goes away stops the loop with
 * EXIT_FAIL after join_events() has said which.
 */
#include "cli/transport_udp_rx.h"
#include "cli/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Datagrams taken one by one per wake-up before the loop looks again. */
#define BURST 64
/* Batch mode: poll the socket this long after it runs dry (at high rates
 * a sleep per datagram or two costs more CPU in context switches than
 * the datagrams themselves), and come up for air after AIR_NS. */
#define SPIN_NS 200000
#define AIR_NS 100000000ULL

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

/* Hand on each datagram of one batch slot (a GRO train is several). */
static void deliver_slot(struct udp_rx *u, const mcast_rxmsg *s, uint64_t mono)
{
	size_t seg = s->seg ? s->seg : s->len;
	const unsigned char *p = s->buf;
	struct rx_msg m;

	fill(u, &m, &s->info, mono);
	if (s->seg)
		u->trains++;
	/* An empty datagram is a datagram too. */
	if (s->len == 0) {
		m.data = p;
		u->datagrams++;
		u->fn(u->owner, &m);
	}
	for (size_t off = 0; off < s->len && seg && !u->l->stopped; off += seg) {
		m.data = p + off;
		m.len = s->len - off < seg ? s->len - off : seg;
		u->datagrams++;
		u->fn(u->owner, &m);
	}
}

/* Batches, spinning a little when the socket runs dry (bench recv). */
static void on_batch(struct loop *l, int fd, unsigned ev, void *data)
{
	struct udp_rx *u = data;
	mcast_rxmsg s[UDP_RX_SLOTS];
	uint64_t entered = cli_now_ns(), idle_since = 0;
	mcast_error e;

	(void)fd, (void)ev;
	for (size_t i = 0; i < UDP_RX_SLOTS; i++) {
		s[i].buf = u->buf + i * UDP_RX_SLOT_SIZE;
		s[i].cap = UDP_RX_SLOT_SIZE;
	}
	while (!l->stopped && !loop_signalled()) {
		int got = mcast_sock_recv_batch(u->j->sock, s, UDP_RX_SLOTS,
						MCAST_RECV_NOWAIT, &e);
		uint64_t mono = cli_now_ns();

		if (got == -EAGAIN) {
			if (!idle_since)
				idle_since = mono;
			if (mono - idle_since < SPIN_NS)
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
		for (int i = 0; i < got && !l->stopped; i++)
			deliver_slot(u, &s[i], mono);
		if (mono - entered >= AIR_NS)
			return;
	}
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
	u->t.attach = attach;
	u->t.close = close_rx;
	u->t.impl = u;
	return 0;
}

uint32_t udp_rx_drops(const struct udp_rx *u)
{
	uint32_t drops = 0;

	if (u->j->sock && mcast_sock_drops(u->j->sock, &drops) < 0)
		drops = 0;
	return drops;
}
