/*
 * transport_udp.c - the sending side of plain UDP: outsock.c behind a
 * tx_transport, and the drain of answers that come back to it.
 */
#include "cli/cli.h"
#include "cli/loop.h"
#include "cli/transport_udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct udp_tx {
	struct outsock *out;
	struct loop *loop;
	rx_fn fn;
	void *owner;
};

static int udp_send(struct tx_transport *t, const void *buf, size_t len)
{
	struct udp_tx *u = t->impl;

	return outsock_send(u->out, buf, len);
}

static size_t udp_max(const struct tx_transport *t)
{
	const struct udp_tx *u = t->impl;

	return mcast_max_payload(mcast_addr_family(&u->out->group));
}

static void udp_close(struct tx_transport *t)
{
	struct udp_tx *u = t->impl;

	if (!u)
		return;
	outsock_close(u->out);
	free(u);
	t->impl = NULL;
}

int udp_tx_open(struct tx_transport *t, struct outsock *o, const mcast_addr *group)
{
	struct udp_tx *u = calloc(1, sizeof(*u));

	memset(t, 0, sizeof(*t));
	if (!u) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	u->out = o;
	t->impl = u;
	t->send = udp_send;
	t->max_payload = udp_max;
	t->close = udp_close;
	return outsock_open(o, group);
}

struct outsock *udp_tx_outsock(const struct tx_transport *t)
{
	const struct udp_tx *u = t->impl;

	return u->out;
}

/* One answer as the seam describes it. */
static void to_msg(struct rx_msg *m, const void *buf, ssize_t n, const mcast_rxinfo *ri,
		   const struct outsock *o)
{
	memset(m, 0, sizeof(*m));
	m->data = buf;
	m->len = (size_t)n;
	m->source = ri->source;
	m->group = o->group;
	m->ifindex = ri->ifindex;
	m->ifname = "?";
	m->time = ri->time;
	m->kernel_time = ri->kernel_time;
	m->ttl = ri->ttl;
	m->drops = ri->drops;
}

static void on_readable(struct loop *l, int fd, unsigned events, void *data)
{
	static unsigned char buf[65536];
	struct udp_tx *u = data;
	mcast_rxinfo ri;
	mcast_error e;
	struct rx_msg m;
	ssize_t n = -EAGAIN;

	(void)fd, (void)events;
	while (!l->stopped && !loop_signalled() &&
	       (n = mcast_sock_recv(u->out->sock, buf, sizeof(buf), &ri,
				    MCAST_RECV_NOWAIT, &e)) >= 0) {
		to_msg(&m, buf, n, &ri, u->out);
		u->fn(u->owner, &m);
	}
	if (!l->stopped && !loop_signalled() && n != -EAGAIN && n != -EINTR) {
		cli_err("%s", e.msg);
		loop_stop(l, EXIT_FAIL);
	}
}

int udp_tx_answers(struct tx_transport *t, struct loop *l, rx_fn fn, void *owner)
{
	struct udp_tx *u = t->impl;

	u->loop = l;
	u->fn = fn;
	u->owner = owner;
	return loop_fd_add(l, mcast_sock_fd(u->out->sock), LOOP_READ, on_readable, u);
}

uint32_t udp_tx_drops(const struct tx_transport *t)
{
	const struct udp_tx *u = t->impl;
	uint32_t d = 0;

	if (mcast_sock_drops(u->out->sock, &d) < 0)
		return 0;
	return d;
}
