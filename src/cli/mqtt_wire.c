/*
 * mqtt_wire.c - QoS 0 PUBLISH packets framed for one send() per batch
 * (MQTT 3.1.1 section 3.3, MQTT 5.0 section 3.3).
 */
#include "cli/mqtt_wire.h"

#include <errno.h>
#include <mosquitto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MQTT_REMAINING_MAX 268435455u /* four bytes of variable length */
#define PROP_USER 0x26

static size_t varint_len(size_t v)
{
	return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4;
}

static unsigned char *put_varint(unsigned char *p, size_t v)
{
	do {
		*p = (unsigned char)(v % 128);
		v /= 128;
		if (v)
			*p |= 0x80;
		p++;
	} while (v);
	return p;
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t n)
{
	*p++ = (unsigned char)(n >> 8);
	*p++ = (unsigned char)n;
	memcpy(p, s, n);
	return p + n;
}

static bool reserve(struct mqtt_wire *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 4096;
	unsigned char *nb;

	if (w->len + more <= w->cap)
		return true;
	while (cap < w->len + more)
		cap *= 2;
	nb = realloc(w->buf, cap);
	if (!nb)
		return false;
	w->buf = nb;
	w->cap = cap;
	return true;
}

int mqtt_wire_publish(struct mqtt_wire *w, const struct mqtt_wire_fmt *f, const char *topic,
		      const void *payload, size_t len)
{
	size_t tl = strlen(topic), kl = 0, vl = 0, props = 0, rem, total;
	unsigned char *p;

	/* The checks libmosquitto's own publish makes. */
	if (tl == 0 || tl > 65535 || mosquitto_pub_topic_check2(topic, tl) != MOSQ_ERR_SUCCESS ||
	    mosquitto_validate_utf8(topic, (int)tl) != MOSQ_ERR_SUCCESS)
		return -EINVAL;
	if (f->v5 && f->prop_key) {
		kl = strlen(f->prop_key);
		vl = strlen(f->prop_val);
		props = 1 + 2 + kl + 2 + vl;
	}
	if (len > MQTT_REMAINING_MAX)
		return -EMSGSIZE;
	rem = 2 + tl + (f->v5 ? varint_len(props) + props : 0) + len;
	if (rem > MQTT_REMAINING_MAX)
		return -EMSGSIZE;
	total = 1 + varint_len(rem) + rem;
	if (f->max_packet && total > f->max_packet)
		return -EMSGSIZE;
	if (w->len - w->off + total > MQTT_WIRE_HOLD_MAX && w->n)
		return -EAGAIN;
	if (!reserve(w, total))
		return -ENOMEM;
	p = w->buf + w->len;
	*p++ = 0x30 | (f->retain ? 1 : 0); /* PUBLISH, QoS 0, not a duplicate */
	p = put_varint(p, rem);
	p = put_str(p, topic, tl);
	if (f->v5) {
		p = put_varint(p, props);
		if (props) {
			*p++ = PROP_USER;
			p = put_str(p, f->prop_key, kl);
			p = put_str(p, f->prop_val, vl);
		}
	}
	if (len)
		memcpy(p, payload, len);
	w->len += total;
	w->n++;
	return 0;
}

int mqtt_wire_send(struct mqtt_wire *w, int fd)
{
	int n;

	while (w->off < w->len) {
		ssize_t r = send(fd, w->buf + w->off, w->len - w->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		w->off += (size_t)r;
	}
	n = (int)w->n;
	w->len = w->off = 0;
	w->n = 0;
	return n;
}

void mqtt_wire_reset(struct mqtt_wire *w)
{
	w->len = w->off = 0;
	w->n = 0;
}

void mqtt_wire_free(struct mqtt_wire *w)
{
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	mqtt_wire_reset(w);
}
