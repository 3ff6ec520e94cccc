/*
 * mqtt_wire.h - QoS 0 PUBLISH packets framed by `mcast bridge` itself, so
 * that a batch of them leaves in one send() and one TCP segment.
 *
 * libmosquitto writes each packet with a write() of its own (and, in 2.0,
 * one byte to an internal socket pair), which was most of the bridge's
 * cost per message. A QoS 0 PUBLISH carries no state (no packet id, no
 * acknowledgement), so on a plain TCP connection the bridge may frame it
 * and write it to the socket, as long as its bytes and libmosquitto's
 * never interleave (bridge_mqtt.c sees to that).
 */
#ifndef MCAST_CLI_MQTT_WIRE_H
#define MCAST_CLI_MQTT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes held at most: beyond this a publish must wait for a send. */
#define MQTT_WIRE_HOLD_MAX (1u << 20)

struct mqtt_wire {
	unsigned char *buf;
	size_t len, cap;
	size_t off;  /* bytes of buf already sent */
	unsigned n;  /* messages in buf */
};

/* How a PUBLISH is framed. */
struct mqtt_wire_fmt {
	bool v5, retain;
	const char *prop_key, *prop_val; /* a user property (MQTT 5), or NULL */
	uint32_t max_packet;		 /* the broker's limit, 0 for none */
};

/*
 * Append one QoS 0 PUBLISH of len bytes to topic. 0, -EMSGSIZE when the
 * packet is over f->max_packet or MQTT's limits, -EINVAL for a topic a
 * PUBLISH may not carry, -EAGAIN when MQTT_WIRE_HOLD_MAX bytes are held
 * already, -ENOMEM.
 */
int mqtt_wire_publish(struct mqtt_wire *w, const struct mqtt_wire_fmt *f, const char *topic,
		      const void *payload, size_t len);

/*
 * Send what is held on fd (non-blocking, no SIGPIPE). Returns how many
 * messages left completely (the buffer is then empty), 0 when the socket
 * took only part or nothing (-EAGAIN), or a negative errno.
 */
int mqtt_wire_send(struct mqtt_wire *w, int fd);

/* Forget what is held (the connection is gone). */
void mqtt_wire_reset(struct mqtt_wire *w);

void mqtt_wire_free(struct mqtt_wire *w);

#endif
