/*
 * bridge_mqtt.c - one libmosquitto client on the tool's event loop.
 */
#include "cli/bridge_mqtt.h"
#include "cli/bridge_mqtt_link.h"
#include "cli/cli.h"
#include "cli/loop.h"
#include "cli/mqtt_echo.h"
#include "cli/mqtt_setup.h"
#include "cli/mqtt_wire.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define BACKOFF_MIN_NS 100000000ULL     /* 0.1 s */
#define BACKOFF_MAX_NS 10000000000ULL   /* 10 s */
#define MISC_NS 500000000ULL            /* keep-alive work twice a second */
#define CLOSE_NS 2000000000ULL          /* at most this long to drain at exit */
#define CONNECT_NS 10000000000ULL       /* default: an attempt without CONNACK fails */


static bool lib_ready;

void mqtt_link_why(struct mqtt_link *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
}

/* Arm a reconnection after the current delay, and double it. */
static void schedule_retry(struct mqtt_link *k)
{
	loop_timer_at(k->l, k->retry_timer, cli_now_ns() + k->backoff);
	k->backoff = k->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : k->backoff * 2;
}

/* The socket closed: leave the loop, tell the owner, plan the retry. */
void mqtt_link_down(struct mqtt_link *k, int rc)
{
	bool was_up = k->up;

	if (k->fd >= 0)
		loop_fd_del(k->l, k->fd);
	k->fd = -1;
	k->up = false;
	k->subscribed = false;
	k->wire = k->held = false;
	mqtt_wire_reset(&k->w);
	if (k->closing)
		return;
	if (k->fallback) {
		k->fallback = false;
		loop_timer_at(k->l, k->retry_timer, cli_now_ns());
		return;
	}
	if (!k->why[0])
		mqtt_link_why(k, "%s", mqtt_rc_text(rc));
	/* QoS 0 messages not yet written are gone with the connection;
	 * libmosquitto sends QoS 1 and 2 ones again after reconnecting. */
	if (k->c.qos == 0 && k->inflight) {
		k->ev.lost(k->ev.owner, (unsigned)k->inflight);
		k->inflight = 0;
	}
	if (was_up || !k->ever_up)
		k->ev.down(k->ev.owner, k->why, k->ever_up);
	if (k->ever_up)
		schedule_retry(k);
}

static void on_log(struct mosquitto *m, void *data, int level, const char *text)
{
	struct mqtt_link *k = data;

	(void)m;
	/* TLS failures are explained only here (the OpenSSL error). */
	if (level & MOSQ_LOG_ERR)
		mqtt_link_why(k, "%s", text);
	cli_debug("libmosquitto: %s", text);
}

/* libmosquitto formats a log line (malloc and vsnprintf) for every packet
 * while a log callback is set, a few per cent of the bridge's time per
 * publish: without -v it is set only while a connection is being made,
 * where its errors are the reasons a user reads. */
static void log_while_connecting(struct mqtt_link *k, bool connecting)
{
	mosquitto_log_callback_set(k->m, connecting || cli_verbosity >= LOG_VERBOSE ? on_log
										 : NULL);
}

static void on_connect(struct mosquitto *m, void *data, int rc, int flags,
		       const mosquitto_property *props)
{
	struct mqtt_link *k = data;
	int sub_opts = k->v5 ? MQTT_SUB_OPT_NO_LOCAL | MQTT_SUB_OPT_SEND_RETAIN_NEVER : 0;

	(void)flags, (void)props;
	if (rc != 0) {
		/* A 3.1.1 broker answers a version 5 CONNECT with code 1. */
		if (k->v5 && k->c.version == 0 &&
		    (rc == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION ||
		     rc == CONNACK_REFUSED_PROTOCOL_VERSION)) {
			k->v5 = false;
			k->fallback = true;
			mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
			cli_debug("the broker refused MQTT 5; trying 3.1.1");
			return;
		}
		mqtt_link_why(k, "the broker refused the connection: %s",
			k->v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
		return;
	}
	k->why[0] = '\0';
	k->backoff = BACKOFF_MIN_NS;
	log_while_connecting(k, false);
	mqtt_link_wire_setup(k, props);
	if (k->c.filter) {
		int src = mosquitto_subscribe_v5(m, NULL, k->c.filter, k->c.qos, sub_opts, NULL);

		if (src != MOSQ_ERR_SUCCESS)
			mqtt_link_why(k, "cannot subscribe to %s: %s", k->c.filter, mqtt_rc_text(src));
		return; /* up once the broker acknowledges it */
	}
	k->up = true;
	k->ev.up(k->ev.owner, !k->ever_up);
	k->ever_up = true;
}

static void on_subscribe(struct mosquitto *m, void *data, int mid, int n,
			 const int *granted, const mosquitto_property *props)
{
	struct mqtt_link *k = data;

	(void)m, (void)mid, (void)props;
	/* 0x80 and above: the broker refused the subscription. */
	if (n < 1 || granted[0] >= 0x80) {
		mqtt_link_why(k, "the broker refused the subscription to %s", k->c.filter);
		mosquitto_disconnect(m);
		return;
	}
	k->up = k->subscribed = true;
	k->ev.up(k->ev.owner, !k->ever_up);
	k->ever_up = true;
}

static void on_disconnect(struct mosquitto *m, void *data, int rc,
			  const mosquitto_property *props)
{
	(void)m, (void)props;
	mqtt_link_down(data, rc);
}

static void on_publish(struct mosquitto *m, void *data, int mid, int rc,
		       const mosquitto_property *props)
{
	struct mqtt_link *k = data;

	(void)m, (void)mid, (void)rc, (void)props;
	if (k->inflight)
		k->inflight--;
	k->ev.done(k->ev.owner, 1);
}

static void on_message(struct mosquitto *m, void *data, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct mqtt_link *k = data;
	size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	bool own = mqtt_echo_own_property(props, k->prop_id);

	(void)m;
	if (!k->v5 && !own)
		own = mqtt_echo_take(&k->echo, msg->topic, msg->payload, len);
	k->ev.message(k->ev.owner, msg->topic, msg->payload, len, own, msg->retain);
}

/* Attach the socket of a connection in progress to the loop; e is errno
 * as the call that started it left it (a TLS handshake writes at once). */
static void attach(struct mqtt_link *k, int e)
{
	k->attempt_at = cli_now_ns();
	mqtt_link_note_errno(k, e);
	k->fd = mosquitto_socket(k->m);
	if (k->fd >= 0 && loop_fd_add(k->l, k->fd, LOOP_READ, mqtt_link_on_fd, k) < 0)
		k->fd = -1;
}

static void on_retry(struct loop *l, void *data)
{
	struct mqtt_link *k = data;
	int rc;

	(void)l;
	if (k->fd >= 0 || k->closing)
		return;
	k->why[0] = '\0';
	if (k->ever_up)
		k->reconnects++;
	log_while_connecting(k, true);
	errno = 0;
	rc = mosquitto_reconnect_async(k->m);
	if (rc == MOSQ_ERR_SUCCESS) {
		attach(k, errno);
		return;
	}
	mqtt_link_why(k, "%s", mqtt_rc_text(rc));
	if (!k->ever_up)
		k->ev.down(k->ev.owner, k->why, false);
	else
		schedule_retry(k);
}

static void on_misc(struct loop *l, void *data)
{
	struct mqtt_link *k = data;

	/* A connect that nobody answers (a silent host) would otherwise wait
	 * for TCP's own timeout, minutes. */
	if (!k->up && k->fd >= 0 && cli_now_ns() - k->attempt_at > k->connect_ns) {
		mqtt_link_why(k, "no answer within %.3g s", (double)k->connect_ns / 1e9);
		mqtt_link_down(k, MOSQ_ERR_TIMEOUT);
	}
	if (k->fd >= 0 && mosquitto_loop_misc(k->m) != MOSQ_ERR_SUCCESS && k->fd >= 0)
		mqtt_link_down(k, MOSQ_ERR_KEEPALIVE);
	loop_timer_at(l, k->misc_timer, cli_now_ns() + MISC_NS);
}

/* Credentials, TLS and callbacks; -1 with a sentence in err. */
static int configure(struct mqtt_link *k, char *err, size_t errlen)
{
	if (mqtt_setup_client(k->m, &k->c, k->v5, err, errlen) < 0)
		return -1;
	log_while_connecting(k, true);
	mosquitto_connect_v5_callback_set(k->m, on_connect);
	mosquitto_disconnect_v5_callback_set(k->m, on_disconnect);
	mosquitto_publish_v5_callback_set(k->m, on_publish);
	mosquitto_message_v5_callback_set(k->m, on_message);
	mosquitto_subscribe_v5_callback_set(k->m, on_subscribe);
	snprintf(k->prop_id, sizeof(k->prop_id), "%016" PRIx64, k->c.id);
	if (mosquitto_property_add_string_pair(&k->props, MQTT_PROP_USER_PROPERTY,
					       MQTT_ECHO_PROPERTY, k->prop_id) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int mqtt_link_open(struct mqtt_link **out, const struct mqtt_conf *c, struct loop *l,
		   const struct mqtt_events *ev, char *err, size_t errlen)
{
	struct mqtt_link *k = calloc(1, sizeof(*k));
	char id[64];
	int rc, e;

	*out = NULL;
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!lib_ready && mosquitto_lib_init() == MOSQ_ERR_SUCCESS)
		lib_ready = true;
	k->c = *c;
	k->ev = *ev;
	k->l = l;
	k->fd = -1;
	k->v5 = c->version != 4;
	k->backoff = BACKOFF_MIN_NS;
	k->connect_ns = c->connect_timeout_ns ? c->connect_timeout_ns : CONNECT_NS;
	snprintf(id, sizeof(id), "mcast-bridge-%016" PRIx64, c->id);
	k->m = mosquitto_new(c->client_id ? c->client_id : id, true, k);
	k->misc_timer = loop_timer_new(l, on_misc, k);
	k->retry_timer = loop_timer_new(l, on_retry, k);
	if (!k->m || k->misc_timer < 0 || k->retry_timer < 0) {
		snprintf(err, errlen, "cannot make an MQTT client: %s", strerror(errno));
		mqtt_link_close(k);
		return -1;
	}
	/* libmosquitto then writes only when mqtt_link_on_fd() asks it to, never in
	 * the middle of a batch framed here. */
	k->own_wire = c->qos == 0 && !c->url->tls &&
		      mosquitto_threaded_set(k->m, true) == MOSQ_ERR_SUCCESS;
	if (configure(k, err, errlen) < 0) {
		mqtt_link_close(k);
		return -1;
	}
	errno = 0;
	rc = mosquitto_connect_bind_async(k->m, c->url->host, c->url->port,
					  (int)c->keepalive, NULL);
	e = errno;
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s", rc == MOSQ_ERR_EAI ? "unknown host"
					    : k->why[0] ? k->why : mqtt_rc_text(rc));
		mqtt_link_close(k);
		return -1;
	}
	attach(k, e);
	loop_timer_at(l, k->misc_timer, cli_now_ns() + MISC_NS);
	*out = k;
	return 0;
}

int mqtt_link_publish(struct mqtt_link *k, const char *topic, const void *payload,
		      size_t len, char *err, size_t errlen)
{
	int rc;

	if (!k->up)
		return -ENOTCONN;
	/* Counted first: libmosquitto may write the message, and call
	 * on_publish, before it returns. */
	k->inflight++;
	if (!k->v5 && k->c.filter)
		mqtt_echo_add(&k->echo, topic, payload, len);
	if (k->wire) {
		rc = mqtt_wire_publish(&k->w, &k->wf, topic, payload, len);
		if (rc == 0)
			return 0;
		k->inflight--;
		if (rc == -EAGAIN || rc == -EMSGSIZE)
			return rc;
		snprintf(err, errlen, "%s", rc == -EINVAL ? mqtt_rc_text(MOSQ_ERR_INVAL)
							   : "out of memory");
		return -EIO;
	}
	rc = mosquitto_publish_v5(k->m, NULL, topic, (int)len, payload, k->c.qos,
				  k->c.retain, k->v5 && k->c.filter ? k->props : NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		return 0;
	k->inflight--;
	if (rc == MOSQ_ERR_NO_CONN)
		return -ENOTCONN;
	if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_OVERSIZE_PACKET)
		return -EMSGSIZE;
	snprintf(err, errlen, "%s", mqtt_rc_text(rc));
	return -EIO;
}

bool mqtt_link_up(const struct mqtt_link *k)
{
	return k && k->up;
}

const char *mqtt_link_protocol(const struct mqtt_link *k)
{
	return k && !k->v5 ? "3.1.1" : "5";
}

uint64_t mqtt_link_reconnects(const struct mqtt_link *k)
{
	return k ? k->reconnects : 0;
}

void mqtt_link_close(struct mqtt_link *k)
{
	if (!k)
		return;
	if (k->m) {
		mqtt_link_drain(k, CLOSE_NS);
		k->closing = true;
		/* Not in the middle of a batch of ours. */
		if (k->fd >= 0) {
			if (!k->w.off) {
				mosquitto_disconnect(k->m);
				mosquitto_loop_write(k->m, 1);
			}
			loop_fd_del(k->l, k->fd);
		}
		mosquitto_destroy(k->m);
	}
	if (lib_ready) {
		mosquitto_lib_cleanup();
		lib_ready = false;
	}
	mosquitto_property_free_all(&k->props);
	mqtt_wire_free(&k->w);
	free(k);
}

void mqtt_link_close_keep(struct mqtt_link *k, uint64_t *reconnects, const char **protocol)
{
	/* Draining may still change both: read them after it. */
	if (k)
		mqtt_link_drain(k, CLOSE_NS);
	*reconnects = mqtt_link_reconnects(k);
	*protocol = mqtt_link_protocol(k);
	mqtt_link_close(k);
}
