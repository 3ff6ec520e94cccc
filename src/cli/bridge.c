/*
 * bridge.c - `mcast bridge GROUP:PORT URL`: a group's datagrams to an MQTT
 * broker and the broker's messages back to the group. Glue between join.c
 * (receiving), outsock.c (sending), bridge_mqtt.c (the broker), emit.c
 * (records) and the event loop.
 */
#include "cli/bridge.h"
#include "cli/bridge_mqtt.h"
#include "cli/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* However many datagrams --queue allows, they hold at most this much. */
#define QUEUE_BYTES_MAX (64u << 20)

/* Datagrams held for the broker, oldest first. */
struct qitem {
	char *topic; /* one allocation: topic, NUL, payload */
	void *data;
	size_t len;
};


/* ---- the queue ---------------------------------------------------------- */

static bool queue_push(struct bridge *b, const char *topic, const void *p, size_t len)
{
	size_t tl = strlen(topic) + 1;
	struct qitem *it;
	char *mem;

	if (b->qn >= b->o.queue || !b->q || b->qbytes + len > QUEUE_BYTES_MAX)
		return false;
	mem = malloc(tl + len + 1);
	if (!mem)
		return false;
	memcpy(mem, topic, tl);
	if (len)
		memcpy(mem + tl, p, len);
	it = &b->q[(b->qhead + b->qn) % b->o.queue];
	it->topic = mem;
	it->data = mem + tl;
	it->len = len;
	b->qn++;
	b->qbytes += len;
	if (b->qn > b->st.queue_max)
		b->st.queue_max = b->qn;
	return true;
}

static void queue_pop(struct bridge *b)
{
	b->qbytes -= b->q[b->qhead].len;
	free(b->q[b->qhead].topic);
	b->qhead = (b->qhead + 1) % b->o.queue;
	b->qn--;
}

/* Publish one message; false when it must wait (the link is down or the
 * window is full). A message the broker cannot take is dropped. */
static bool publish(struct bridge *b, const char *topic, const void *p, size_t len)
{
	char err[256] = "";
	int rc;

	if (b->inflight >= b->window || !mqtt_link_up(b->link))
		return false;
	/* Counted first: the message may be done before the call returns. */
	b->inflight++;
	rc = mqtt_link_publish(b->link, topic, p, len, err, sizeof(err));
	if (rc == 0)
		return true;
	b->inflight--;
	if (rc == -ENOTCONN || rc == -EAGAIN)
		return false;
	b->st.mqtt_refused++;
	bridge_warn_once(b, WARN_MQTT_REFUSED, "a message of %zu bytes to %s not published: %s; "
			 "counted as refused", len, topic, rc == -EMSGSIZE ? "too large for the broker" : err);
	return true;
}

/* Send what is queued, oldest first, while the broker takes it. */
static void pump(struct bridge *b)
{
	while (b->qn && publish(b, b->q[b->qhead].topic, b->q[b->qhead].data,
				b->q[b->qhead].len))
		queue_pop(b);
}

/* ---- group -> MQTT ------------------------------------------------------ */

/* Whether a datagram came from our own sending socket (a message from
 * MQTT that we sent to the group and now hear again). */
static bool own_send(const struct bridge *b, const mcast_addr *src)
{
	if (!b->own_port || mcast_addr_port(src) != b->own_port)
		return false;
	if (b->n_own == 0)
		return true;
	for (size_t i = 0; i < b->n_own; i++)
		if (mcast_addr_equal(&b->own[i], src, false))
			return true;
	return false;
}

/* The topic for one datagram, in buf. */
static const char *topic_for(struct bridge *b, const mcast_addr *src, const char *ifname,
			     char *buf, size_t cap)
{
	char s[MCAST_ADDRSTRLEN], sp[8];
	struct mqtt_topic_vars v = b->vars;

	if (!b->varies)
		return b->topic;
	mcast_addr_format(src, s, sizeof(s), 0);
	snprintf(sp, sizeof(sp), "%u", mcast_addr_port(src));
	v.source = s;
	v.source_port = sp;
	v.iface = ifname;
	if (mqtt_topic_expand(b->url.topic, &v, buf, cap) < 0)
		return b->topic; /* cannot happen: the pattern was checked */
	return buf;
}

static void forward_datagram(struct bridge *b, const void *buf, size_t len,
			     const mcast_rxinfo *ri)
{
	const char *ifn = join_iface_name(&b->j, ri->ifindex);
	char tbuf[MQTT_TOPIC_MAX + 4 * MCAST_ADDRSTRLEN];
	const char *topic = topic_for(b, &ri->source, ifn, tbuf, sizeof(tbuf));
	const void *p = buf;
	size_t n = len;

	b->st.rx++;
	b->st.rx_bytes += len;
	if (b->o.json) {
		emit_begin(&b->rec, "message");
		emit_time(&b->rec, "time", &ri->time);
		emit_addr(&b->rec, "source", &ri->source, false);
		emit_u64(&b->rec, "source_port", mcast_addr_port(&ri->source));
		emit_addr(&b->rec, "group", &b->j.group, false);
		emit_u64(&b->rec, "port", mcast_addr_port(&b->j.bound));
		emit_str(&b->rec, "interface", ifn);
		emit_u64(&b->rec, "bytes", len);
		emit_data(&b->rec, buf, len);
		emit_end(&b->rec, EMIT_DATA, NULL);
		p = emit_record(&b->rec, &n);
	}
	/* Keep the order: nothing overtakes what is already queued. */
	if (b->qn == 0 && publish(b, topic, p, n))
		return;
	if (!queue_push(b, topic, p, n)) {
		b->st.queue_full++;
		bridge_warn_once(b, WARN_QUEUE_FULL, "the queue of %llu datagrams is full; "
				 "dropping (counted)", (unsigned long long)b->o.queue);
	}
}

/* How long publishes may be held back under a flood so that they leave
 * together: one TCP segment, and one wake-up of the broker, for all that
 * arrived in the window. A stream sparser than this is never held. */
#ifndef HOLD_NS
#define HOLD_NS 500000ull
#endif

/* Datagrams per receive call, each slot large enough for any datagram. */
#define RX_SLOTS 32
#define RX_SLOT_SIZE 65536

/* Forward what the group socket holds, up to two batches (one recvmmsg
 * each), corked; how many datagrams were forwarded. */
static int read_group(struct bridge *b)
{
	mcast_rxmsg s[RX_SLOTS];
	mcast_error e;
	int fwd = 0;

	for (size_t i = 0; i < RX_SLOTS; i++) {
		s[i].buf = b->rxbuf + i * RX_SLOT_SIZE;
		s[i].cap = RX_SLOT_SIZE;
	}
	for (int round = 0; round < 2; round++) {
		int got = mcast_sock_recv_batch(b->j.sock, s, RX_SLOTS, MCAST_RECV_NOWAIT, &e);

		if (got == -EAGAIN || got == -EINTR)
			break;
		if (got < 0) {
			cli_err("%s", e.msg);
			loop_stop(b->l, EXIT_FAIL);
			break;
		}
		for (int i = 0; i < got; i++) {
			const mcast_rxinfo *ri = &s[i].info;

			if (ri->drops > b->st.kernel_drops)
				b->st.kernel_drops = ri->drops;
			/* Per datagram: a batch mixes our own sends with others'. */
			if (own_send(b, &ri->source)) {
				b->st.own_datagrams++;
				continue;
			}
			if (!b->corked && mqtt_link_up(b->link))
				mqtt_link_cork(b->link, b->corked = true);
			forward_datagram(b, s[i].buf, s[i].len, ri);
			fwd++;
		}
		if (got < RX_SLOTS)
			break;
	}
	return fwd;
}

/* Let what is corked go now, and listen to the group again. */
static void flush(struct bridge *b)
{
	if (b->corked)
		mqtt_link_cork(b->link, b->corked = false);
	b->flushed_at = cli_now_ns();
	loop_timer_at(b->l, b->flush_timer, 0);
	if (b->o.to)
		loop_fd_events(b->l, mcast_sock_fd(b->j.sock), LOOP_READ);
}

/* The hold window closed: what arrived meanwhile leaves with the rest. */
static void on_flush(struct loop *l, void *data)
{
	struct bridge *b = data;

	(void)l;
	if (!l->stopped)
		read_group(b);
	flush(b);
}

/* The publishes are corked and leave together at the batch's end, or,
 * when the last flush was less than HOLD_NS ago (a flood), when that
 * window closes: the bridge then stops listening to the group until it
 * does, and reads all that arrived meanwhile at once. The broker reads
 * many messages a segment, the bridge wakes once a window, and a lone
 * datagram of a sparse stream still leaves at once. */
static void on_group(struct loop *l, int fd, unsigned events, void *data)
{
	struct bridge *b = data;
	int fwd = read_group(b);

	(void)events;
	if (!b->corked || loop_timer_due(l, b->flush_timer))
		return;
	if (fwd > 0 && cli_now_ns() - b->flushed_at < HOLD_NS) {
		loop_timer_at(l, b->flush_timer, b->flushed_at + HOLD_NS);
		loop_fd_events(l, fd, 0);
	} else {
		flush(b);
	}
}

static void on_watch(struct loop *l, int fd, unsigned events, void *data)
{
	struct bridge *b = data;
	struct pollfd p[2];

	(void)events;
	join_pollfds(&b->j, p);
	p[0].revents = 0;
	p[1].revents = p[1].fd == fd ? POLLIN : 0;
	if (join_events(&b->j, p))
		loop_stop(l, EXIT_FAIL);
}

/* ---- MQTT -> group ------------------------------------------------------ */

static void on_message(void *owner, const char *topic, const void *payload, size_t len,
		       bool own, bool retained)
{
	struct bridge *b = owner;

	if (!b->o.from) {
		return;
	}
	if (own) {
		b->st.own_messages++;
		return;
	}
	if (retained) {
		b->st.retained++;
		return;
	}
	if (len > b->max_datagram) {
		b->st.too_large++;
		bridge_warn_once(b, WARN_TOO_LARGE, "a message of %zu bytes on %s is larger than "
				 "%s allows (%zu bytes): dropped, not cut (counted as too large)",
				 len, topic, b->max_why, b->max_datagram);
		return;
	}
	if (outsock_send(&b->out, payload, len) != 0) {
		b->st.send_failed++;
		if (outsock_gone(&b->out))
			loop_stop(b->l, EXIT_FAIL);
		return;
	}
	b->st.from_mqtt++;
	b->st.from_bytes += len;
}

static void on_up(void *owner, bool first)
{
	struct bridge *b = owner;

	if (first) {
		bridge_ready(b);
	} else {
		cli_warn("broker %s back after %.1fs; %zu datagram%s queued", b->broker,
			 (double)(cli_now_ns() - b->down_at) / 1e9, b->qn, b->qn == 1 ? "" : "s");
	}
	pump(b);
}

static void on_down(void *owner, const char *why, bool ever_up)
{
	struct bridge *b = owner;

	if (!ever_up) {
		cli_err("cannot connect to the broker %s: %s", b->broker, why);
		loop_stop(b->l, EXIT_FAIL);
		return;
	}
	b->down_at = cli_now_ns();
	b->st.outages++;
	cli_warn("lost the broker %s: %s; reconnecting, queueing up to %llu datagram%s",
		 b->broker, why, (unsigned long long)b->o.queue, b->o.queue == 1 ? "" : "s");
}

static void on_done(void *owner, unsigned n)
{
	struct bridge *b = owner;

	b->inflight = b->inflight > n ? b->inflight - n : 0;
	b->st.to_mqtt += n;
	pump(b);
}

static void on_lost(void *owner, unsigned n)
{
	struct bridge *b = owner;

	b->inflight = b->inflight > n ? b->inflight - n : 0;
	b->st.lost += n;
}

static void before_wait(struct loop *l, void *data)
{
	(void)l;
	mqtt_link_before_wait(((struct bridge *)data)->link);
}

static void on_report(struct loop *l, void *data)
{
	(void)l;
	bridge_report(data, "progress");
}

static void on_progress(struct loop *l, void *data)
{
	struct bridge *b = data;

	bridge_report(b, "progress");
	loop_timer_at(l, b->progress_timer, cli_now_ns() + b->o.progress_ns);
}

/* ---- running ------------------------------------------------------------ */

static int start(struct bridge *b)
{
	static const struct mqtt_events ev = {
		NULL, on_up, on_down, on_message, on_done, on_lost,
	};
	struct mqtt_events e = ev;
	char err[300];
	int rc;

	b->rxbuf = b->o.to ? malloc((size_t)RX_SLOTS * RX_SLOT_SIZE) : NULL;
	if ((b->o.to && !b->rxbuf) || loop_init(&b->loop) < 0 || emit_init(&b->out_rec, stdout, b->o.json) < 0 ||
	    emit_init(&b->rec, NULL, true) < 0)
		return cli_err("out of memory"), EXIT_FAIL;
	b->l = &b->loop;
	rc = bridge_open_group(b);
	if (rc)
		return rc;
	if (b->o.to) {
		struct pollfd p[2];
		int n = join_pollfds(&b->j, p);

		loop_fd_add(b->l, p[0].fd, LOOP_READ, on_group, b);
		if (n > 1)
			loop_fd_add(b->l, p[1].fd, LOOP_READ, on_watch, b);
	}
	e.owner = b;
	b->mconf.id = b->id;
	if (mqtt_link_open(&b->link, &b->mconf, b->l, &e, err, sizeof(err)) < 0) {
		cli_err("cannot connect to the broker %s: %s", b->broker, err);
		return EXIT_FAIL;
	}
	b->l->before_wait = before_wait;
	b->l->before_wait_data = b;
	b->l->on_report = on_report;
	b->l->report_data = b;
	b->flush_timer = loop_timer_new(b->l, on_flush, b);
	if (b->o.progress_ns) {
		b->progress_timer = loop_timer_new(b->l, on_progress, b);
		loop_timer_at(b->l, b->progress_timer, cli_now_ns() + b->o.progress_ns);
	}
	return 0;
}

int cmd_bridge(int argc, char **argv)
{
	struct bridge *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return cli_err("out of memory"), EXIT_FAIL;
	rc = bridge_parse(b, argc, argv);
	if (rc == 0) {
		b->q = calloc(b->o.queue ? b->o.queue : 1, sizeof(*b->q));
		b->window = b->o.queue > 64 ? b->o.queue : 64;
		rc = b->q ? start(b) : (cli_err("out of memory"), EXIT_FAIL);
	}
	if (rc == 0) {
		b->started = cli_now_ns();
		loop_run(b->l);
		rc = b->l->stopped ? b->l->rc : EXIT_OK;
		/* What is queued or in flight gets a last chance before the
		 * summary counts it. */
		flush(b);
		mqtt_link_close_keep(b->link, &b->st.reconnects, &b->proto);
		b->link = NULL;
		if (b->ready)
			bridge_report(b, "summary");
	}
	mqtt_link_close(b->link);
	while (b->q && b->qn && b->o.queue) /* qn > 0 needs a queue */
		queue_pop(b);
	free(b->q);
	free(b->rxbuf);
	bridge_close(b);
	emit_free(&b->rec);
	emit_free(&b->out_rec);
	loop_free(&b->loop);
	free(b);
	return rc < 0 ? EXIT_OK : rc;
}
