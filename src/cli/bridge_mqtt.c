/*
 * bridge_mqtt.c - one libmosquitto client on the tool's event loop.
 */
#include "cli/bridge_mqtt.h"
#include "cli/cli.h"
#include "cli/loop.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PROP_NAME "mcast-bridge"
#define BACKOFF_MIN_NS 100000000ULL     /* 0.1 s */
#define BACKOFF_MAX_NS 10000000000ULL   /* 10 s */
#define MISC_NS 500000000ULL            /* keep-alive work twice a second */
#define CLOSE_NS 2000000000ULL          /* at most this long to drain at exit */
#define CONNECT_NS 10000000000ULL       /* an attempt without CONNACK fails */
/* Reads per readiness: enough to empty a full socket buffer of small
 * messages, few enough that the multicast side is served too. */
#define READS_PER_EVENT 256

/* Fingerprints of recent publishes (MQTT 3.1.1 has no no-local): 4-way
 * buckets, the oldest entry of a bucket replaced first. */
#define FP_BUCKETS 1024
#define FP_WAYS 4

struct mqtt_link {
	struct mosquitto *m;
	struct loop *l;
	struct mqtt_conf c;
	struct mqtt_events ev;
	int fd;		/* the socket in the loop, or -1 */
	int misc_timer, retry_timer;
	bool up, ever_up, subscribed, closing;
	bool v5, fallback; /* connected with 5; retry with 3.1.1 at once */
	uint64_t backoff, reconnects, inflight, attempt_at;
	char why[256]; /* why the current attempt failed, "" if unknown */
	char prop_id[17];
	mosquitto_property *props; /* the user property, for MQTT 5 */
	struct {
		uint64_t h, stamp;
	} fp[FP_BUCKETS][FP_WAYS];
	uint64_t fp_stamp;
};

static bool lib_ready;

static uint64_t fingerprint(const char *topic, const void *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *b = (const unsigned char *)topic;

	for (; *b; b++)
		h = (h ^ *b) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	b = p;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h | 1; /* 0 marks a free slot */
}

static void fp_add(struct mqtt_link *k, uint64_t h)
{
	size_t b = (size_t)(h % FP_BUCKETS), old = 0;

	for (size_t w = 0; w < FP_WAYS; w++)
		if (k->fp[b][w].stamp < k->fp[b][old].stamp)
			old = w;
	k->fp[b][old].h = h;
	k->fp[b][old].stamp = ++k->fp_stamp;
}

/* Whether h was published recently; forgets it (one echo per publish). */
static bool fp_take(struct mqtt_link *k, uint64_t h)
{
	size_t b = (size_t)(h % FP_BUCKETS);

	for (size_t w = 0; w < FP_WAYS; w++)
		if (k->fp[b][w].h == h) {
			k->fp[b][w].h = 0;
			k->fp[b][w].stamp = 0;
			return true;
		}
	return false;
}

static void set_why(struct mqtt_link *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_why(struct mqtt_link *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
}

/* Why libmosquitto returned rc, for a message. */
static const char *rc_text(int rc)
{
	static char buf[128];
	size_t n;

	if (rc == MOSQ_ERR_ERRNO)
		return strerror(errno);
	/* Its sentences end in a full stop; ours go on after them. */
	snprintf(buf, sizeof(buf), "%s", mosquitto_strerror(rc));
	n = strlen(buf);
	if (n && buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return buf;
}

/* Arm a reconnection after the current delay, and double it. */
static void schedule_retry(struct mqtt_link *k)
{
	loop_timer_at(k->l, k->retry_timer, cli_now_ns() + k->backoff);
	k->backoff = k->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : k->backoff * 2;
}

/* The socket closed: leave the loop, tell the owner, plan the retry. */
static void went_down(struct mqtt_link *k, int rc)
{
	bool was_up = k->up;

	if (k->fd >= 0)
		loop_fd_del(k->l, k->fd);
	k->fd = -1;
	k->up = false;
	k->subscribed = false;
	if (k->closing)
		return;
	if (k->fallback) {
		k->fallback = false;
		loop_timer_at(k->l, k->retry_timer, cli_now_ns());
		return;
	}
	if (!k->why[0])
		set_why(k, "%s", rc_text(rc));
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
		set_why(k, "%s", text);
	cli_debug("libmosquitto: %s", text);
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
		set_why(k, "the broker refused the connection: %s",
			k->v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
		return;
	}
	k->why[0] = '\0';
	k->backoff = BACKOFF_MIN_NS;
	if (k->c.filter) {
		int src = mosquitto_subscribe_v5(m, NULL, k->c.filter, k->c.qos, sub_opts, NULL);

		if (src != MOSQ_ERR_SUCCESS)
			set_why(k, "cannot subscribe to %s: %s", k->c.filter, rc_text(src));
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
		set_why(k, "the broker refused the subscription to %s", k->c.filter);
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
	went_down(data, rc);
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

/* Whether a message carries our own id in its user property. */
static bool own_property(const struct mqtt_link *k, const mosquitto_property *props)
{
	const mosquitto_property *p = props;
	char *name = NULL, *value = NULL;
	bool own = false;

	for (bool first = true;; first = false) {
		p = mosquitto_property_read_string_pair(first ? props : p, MQTT_PROP_USER_PROPERTY,
							&name, &value, !first);
		if (!p)
			break;
		own = own || (strcmp(name, PROP_NAME) == 0 && strcmp(value, k->prop_id) == 0);
		free(name);
		free(value);
		name = value = NULL;
	}
	return own;
}

static void on_message(struct mosquitto *m, void *data, const struct mosquitto_message *msg,
		       const mosquitto_property *props)
{
	struct mqtt_link *k = data;
	size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	bool own = own_property(k, props);

	(void)m;
	if (!k->v5 && !own)
		own = fp_take(k, fingerprint(msg->topic, msg->payload, len));
	k->ev.message(k->ev.owner, msg->topic, msg->payload, len, own, msg->retain);
}

static void on_fd(struct loop *l, int fd, unsigned events, void *data)
{
	struct mqtt_link *k = data;
	int rc = MOSQ_ERR_SUCCESS, soerr = 0;
	socklen_t sl = sizeof(soerr);

	(void)l;
	/* A refused or unreachable connect shows here first; keep its reason
	 * before libmosquitto closes the socket. */
	if (!k->up && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr)
		set_why(k, "%s", strerror(soerr));
	if (events & (LOOP_READ | LOOP_ERROR)) {
		for (int i = 0; i < READS_PER_EVENT && k->fd == fd; i++) {
			errno = 0;
			rc = mosquitto_loop_read(k->m, 1);
			if (rc != MOSQ_ERR_SUCCESS || errno == EAGAIN || errno == EWOULDBLOCK)
				break;
		}
	}
	if (rc == MOSQ_ERR_SUCCESS && k->fd == fd && (events & LOOP_WRITE))
		rc = mosquitto_loop_write(k->m, 1);
	/* libmosquitto reports most failures through on_disconnect; one it
	 * only returns still ends the connection. */
	if (rc != MOSQ_ERR_SUCCESS && k->fd == fd)
		went_down(k, rc);
}

/* Attach the socket of a connection in progress to the loop. */
static void attach(struct mqtt_link *k)
{
	k->attempt_at = cli_now_ns();
	k->fd = mosquitto_socket(k->m);
	if (k->fd >= 0 && loop_fd_add(k->l, k->fd, LOOP_READ, on_fd, k) < 0)
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
	rc = mosquitto_reconnect_async(k->m);
	if (rc == MOSQ_ERR_SUCCESS) {
		attach(k);
		return;
	}
	set_why(k, "%s", rc_text(rc));
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
	if (!k->up && k->fd >= 0 && cli_now_ns() - k->attempt_at > CONNECT_NS) {
		set_why(k, "no answer within %llu s", CONNECT_NS / 1000000000ULL);
		went_down(k, MOSQ_ERR_TIMEOUT);
	}
	if (k->fd >= 0 && mosquitto_loop_misc(k->m) != MOSQ_ERR_SUCCESS && k->fd >= 0)
		went_down(k, MOSQ_ERR_KEEPALIVE);
	loop_timer_at(l, k->misc_timer, cli_now_ns() + MISC_NS);
}

void mqtt_link_before_wait(struct mqtt_link *k)
{
	if (k && k->fd >= 0)
		loop_fd_events(k->l, k->fd, LOOP_READ | (mosquitto_want_write(k->m) ? LOOP_WRITE : 0));
}

/* Credentials, TLS and callbacks; -1 with a sentence in err. */
static int configure(struct mqtt_link *k, char *err, size_t errlen)
{
	const struct mqtt_conf *c = &k->c;
	int rc = MOSQ_ERR_SUCCESS;

	mosquitto_int_option(k->m, MOSQ_OPT_PROTOCOL_VERSION,
			     k->v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	mosquitto_int_option(k->m, MOSQ_OPT_TCP_NODELAY, 1);
	if (c->url->user[0] || c->password)
		rc = mosquitto_username_pw_set(k->m, c->url->user[0] ? c->url->user : NULL,
					       c->password);
	if (rc == MOSQ_ERR_SUCCESS && c->url->tls) {
		const char *capath = c->capath;

		/* The system's trust alone turns TLS on; mosquitto_tls_set()
		 * wants a CA file or directory even then, so a client
		 * certificate gets the system's directory. */
		if (!c->cafile && !c->capath) {
			mosquitto_int_option(k->m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
			capath = "/etc/ssl/certs";
		}
		if (c->cafile || c->capath || c->cert)
			rc = mosquitto_tls_set(k->m, c->cafile, capath, c->cert, c->key, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "TLS set-up: %s (check --cafile, --cert and "
					      "--key)", rc_text(rc));
			return -1;
		}
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s", rc_text(rc));
		return -1;
	}
	mosquitto_log_callback_set(k->m, on_log);
	mosquitto_connect_v5_callback_set(k->m, on_connect);
	mosquitto_disconnect_v5_callback_set(k->m, on_disconnect);
	mosquitto_publish_v5_callback_set(k->m, on_publish);
	mosquitto_message_v5_callback_set(k->m, on_message);
	mosquitto_subscribe_v5_callback_set(k->m, on_subscribe);
	snprintf(k->prop_id, sizeof(k->prop_id), "%016" PRIx64, c->id);
	if (mosquitto_property_add_string_pair(&k->props, MQTT_PROP_USER_PROPERTY, PROP_NAME,
					       k->prop_id) != MOSQ_ERR_SUCCESS) {
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
	int rc;

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
	snprintf(id, sizeof(id), "mcast-bridge-%016" PRIx64, c->id);
	k->m = mosquitto_new(c->client_id ? c->client_id : id, true, k);
	k->misc_timer = loop_timer_new(l, on_misc, k);
	k->retry_timer = loop_timer_new(l, on_retry, k);
	if (!k->m || k->misc_timer < 0 || k->retry_timer < 0) {
		snprintf(err, errlen, "cannot make an MQTT client: %s", strerror(errno));
		mqtt_link_close(k);
		return -1;
	}
	if (configure(k, err, errlen) < 0) {
		mqtt_link_close(k);
		return -1;
	}
	rc = mosquitto_connect_bind_async(k->m, c->url->host, c->url->port,
					  (int)c->keepalive, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s", rc == MOSQ_ERR_EAI ? "unknown host"
					    : k->why[0] ? k->why : rc_text(rc));
		mqtt_link_close(k);
		return -1;
	}
	attach(k);
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
		fp_add(k, fingerprint(topic, payload, len));
	rc = mosquitto_publish_v5(k->m, NULL, topic, (int)len, payload, k->c.qos,
				  k->c.retain, k->v5 ? k->props : NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		return 0;
	k->inflight--;
	if (rc == MOSQ_ERR_NO_CONN)
		return -ENOTCONN;
	if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_OVERSIZE_PACKET)
		return -EMSGSIZE;
	snprintf(err, errlen, "%s", rc_text(rc));
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

/* At exit: give what is queued up to CLOSE_NS to reach the broker (and,
 * with QoS 1 and 2, to be acknowledged), then disconnect. */
static void drain(struct mqtt_link *k)
{
	uint64_t end = cli_now_ns() + CLOSE_NS;

	while (k->up && k->fd >= 0 && (k->inflight || mosquitto_want_write(k->m)) &&
	       cli_now_ns() < end) {
		struct pollfd p = {k->fd, POLLIN | (mosquitto_want_write(k->m) ? POLLOUT : 0), 0};
		int fd = k->fd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		on_fd(k->l, fd, (p.revents & (POLLIN | POLLHUP) ? LOOP_READ : 0) |
				       (p.revents & POLLOUT ? LOOP_WRITE : 0) |
				       (p.revents & POLLERR ? LOOP_ERROR : 0), k);
	}
}

void mqtt_link_close(struct mqtt_link *k)
{
	if (!k)
		return;
	if (k->m) {
		drain(k);
		k->closing = true;
		if (k->fd >= 0) {
			mosquitto_disconnect(k->m);
			mosquitto_loop_write(k->m, 1);
			loop_fd_del(k->l, k->fd);
		}
		mosquitto_destroy(k->m);
	}
	if (lib_ready) {
		mosquitto_lib_cleanup();
		lib_ready = false;
	}
	mosquitto_property_free_all(&k->props);
	free(k);
}

void mqtt_link_close_keep(struct mqtt_link *k, uint64_t *reconnects, const char **protocol)
{
	/* Draining may still change both: read them after it. */
	if (k)
		drain(k);
	*reconnects = mqtt_link_reconnects(k);
	*protocol = mqtt_link_protocol(k);
	mqtt_link_close(k);
}
