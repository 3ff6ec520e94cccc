/*
 * bridge_mqtt_io.c - the MQTT link's socket: libmosquitto's reads and
 * writes, and the QoS 0 publishes framed here (mqtt_wire.h), sent a batch
 * at a time without ever interleaving with libmosquitto's packets.
 */
#include "cli/bridge_mqtt_link.h"
#include "cli/cli.h"
#include "cli/loop.h"
#include "cli/mqtt_setup.h"

#include <errno.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Reads per readiness: enough to empty a full socket buffer of small
 * messages, few enough that the multicast side is served too. */
#define READS_PER_EVENT 256

/* Publishes are framed here when this connection allows it: what
 * libmosquitto's publish would refuse (a retained message where the broker
 * has none, a packet over its maximum) is refused the same way. */
void mqtt_link_wire_setup(struct mqtt_link *k, const mosquitto_property *props)
{
	uint8_t retain = 1;
	uint32_t max = 0;

	mosquitto_property_read_byte(props, MQTT_PROP_RETAIN_AVAILABLE, &retain, false);
	mosquitto_property_read_int32(props, MQTT_PROP_MAXIMUM_PACKET_SIZE, &max, false);
	k->wf = (struct mqtt_wire_fmt){k->v5, k->c.retain, NULL, NULL, max};
	if (k->v5 && k->c.filter)
		k->wf.prop_key = MQTT_ECHO_PROPERTY, k->wf.prop_val = k->prop_id;
	k->wire = k->own_wire && (retain || !k->c.retain);
}

/* Keep e as the reason an attempt failed, if it is a connection's error
 * and no reason is known yet: libmosquitto's own write or read may be the
 * call that collects a refusal, and then no later call reports it. */
void mqtt_link_note_errno(struct mqtt_link *k, int e)
{
	const char *t = mqtt_conn_error(e);

	if (t && !k->why[0])
		mqtt_link_why(k, "%s", t);
}

/* Send the publishes framed here; whether all have left. Each batch
 * that leaves is done; what that lets the owner publish (its queue) is
 * appended and sent by the same loop. A failed send ends the connection. */
static bool send_own(struct mqtt_link *k)
{
	while (k->w.len > k->w.off) {
		int n = mqtt_wire_send(&k->w, k->fd);

		if (n < 0) {
			mqtt_link_why(k, "%s", strerror(-n));
			mqtt_link_down(k, MOSQ_ERR_CONN_LOST);
			return false;
		}
		if (k->w.len)
			return false;
		k->inflight = k->inflight > (unsigned)n ? k->inflight - (unsigned)n : 0;
		k->ev.done(k->ev.owner, (unsigned)n);
	}
	return true;
}

/* Write what waits without ever interleaving two packets' bytes: a batch
 * of ours begun goes first, then libmosquitto's packets (it writes only
 * here: threaded mode), then ours if own. */
static int write_out(struct mqtt_link *k, bool own)
{
	int rc = MOSQ_ERR_SUCCESS;

	if (k->w.off && !send_own(k))
		return rc;
	if (mosquitto_want_write(k->m)) {
		errno = 0;
		rc = mosquitto_loop_write(k->m, 1);
		if (!k->up)
			mqtt_link_note_errno(k, errno);
		if (rc != MOSQ_ERR_SUCCESS || mosquitto_want_write(k->m))
			return rc;
	}
	if (own && k->fd >= 0)
		send_own(k);
	return rc;
}

void mqtt_link_on_fd(struct loop *l, int fd, unsigned events, void *data)
{
	struct mqtt_link *k = data;
	int rc = MOSQ_ERR_SUCCESS;

	(void)l;
	if (!k->up && mqtt_socket_failed(fd, k->c.url->tls, k->why, sizeof(k->why))) {
		mqtt_link_down(k, MOSQ_ERR_CONN_LOST);
		return;
	}
	if (events & (LOOP_READ | LOOP_ERROR)) {
		for (int i = 0; i < READS_PER_EVENT && k->fd == fd; i++) {
			errno = 0;
			rc = mosquitto_loop_read(k->m, 1);
			if (!k->up)
				mqtt_link_note_errno(k, errno);
			if (rc != MOSQ_ERR_SUCCESS || errno == EAGAIN || errno == EWOULDBLOCK)
				break;
		}
	}
	if (rc == MOSQ_ERR_SUCCESS && k->fd == fd && (events & LOOP_WRITE))
		rc = write_out(k, !k->held);
	/* libmosquitto reports most failures through on_disconnect; one it
	 * only returns still ends the connection. */
	if (rc != MOSQ_ERR_SUCCESS && k->fd == fd)
		mqtt_link_down(k, rc);
}

void mqtt_link_before_wait(struct mqtt_link *k)
{
	if (k && k->fd >= 0)
		loop_fd_events(k->l, k->fd, LOOP_READ | (mosquitto_want_write(k->m) || k->w.off ||
							 (k->w.len && !k->held) ? LOOP_WRITE : 0));
}

void mqtt_link_cork(struct mqtt_link *k, bool on)
{
	int v = on, rc;

	if (!k || !k->up || k->fd < 0)
		return;
	if (!k->wire) {
		setsockopt(k->fd, IPPROTO_TCP, TCP_CORK, &v, sizeof(v));
		return;
	}
	k->held = on;
	if (!on && (rc = write_out(k, true)) != MOSQ_ERR_SUCCESS && k->fd >= 0)
		mqtt_link_down(k, rc);
}

void mqtt_link_drain(struct mqtt_link *k, uint64_t ns)
{
	uint64_t end = cli_now_ns() + ns;

	k->held = false;
	while (k->up && k->fd >= 0 && (k->inflight || mosquitto_want_write(k->m) || k->w.len) &&
	       cli_now_ns() < end) {
		bool out = mosquitto_want_write(k->m) || k->w.len;
		struct pollfd p = {k->fd, POLLIN | (out ? POLLOUT : 0), 0};
		int fd = k->fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		mqtt_link_on_fd(k->l, fd, (p.revents & (POLLIN | POLLHUP) ? LOOP_READ : 0) |
				       (p.revents & POLLOUT ? LOOP_WRITE : 0) |
				       (p.revents & POLLERR ? LOOP_ERROR : 0), k);
	}
}
