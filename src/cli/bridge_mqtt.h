/*
 * bridge_mqtt.h - the MQTT side of `mcast bridge`: one libmosquitto client
 * run on the tool's event loop (loop.h), never on a thread of its own.
 *
 * Its socket is one file event; what it waits for is set before each wait
 * from mosquitto_want_write(); keep-alive and retries ("misc") run on a
 * timer. The link connects with MQTT 5 and falls back to 3.1.1 when the
 * broker refuses that protocol version. When the connection goes, it
 * reconnects by itself with a growing delay (0.1 s doubling to 10 s) and
 * re-subscribes, telling the owner through its callbacks. An attempt ends
 * as soon as its socket fails (refused, unreachable; with TLS also the
 * peer closing during the handshake), and after connect_timeout_ns without
 * a CONNACK. The client's options are set by mqtt_setup.c.
 *
 * Loops: when the link also subscribes, every message it publishes
 * carries the user property "mcast-bridge" = the bridge's id (MQTT 5;
 * publishing only, the broker is spared parsing it), its subscription asks for
 * no-local (MQTT 5), and with 3.1.1 a fingerprint of each message it
 * published recently (topic and payload) recognises the broker's echo
 * (mqtt_echo.h). Messages recognised as its own are reported with own = true.
 */
#ifndef MCAST_CLI_BRIDGE_MQTT_H
#define MCAST_CLI_BRIDGE_MQTT_H

#include "cli/mqtt_url.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct mqtt_link;

struct mqtt_conf {
	const struct mqtt_url *url;
	const char *client_id;		  /* NULL: "mcast-bridge-ID" */
	const char *password;		  /* NULL: none */
	const char *cafile, *capath;	  /* TLS trust; NULL both: the system's */
	const char *cert, *key;		  /* a client certificate, or NULL */
	unsigned keepalive;		  /* seconds */
	uint64_t connect_timeout_ns;	  /* an attempt's limit; 0: 10 s */
	int qos;			  /* for publishing and subscribing */
	int version;			  /* 0: 5, else 3.1.1; 4: 3.1.1 only; 5: 5 only */
	bool retain;			  /* publish with the retain flag */
	const char *filter;		  /* subscribe to it; NULL: publish only */
	uint64_t id;			  /* the bridge's id */
};

struct mqtt_events {
	void *owner;
	/* Connected (and subscribed, with a filter). first: the first time. */
	void (*up)(void *owner, bool first);
	/* The connection went or could not be made; why is a sentence.
	 * ever_up false: it never worked (the owner gives up). */
	void (*down)(void *owner, const char *why, bool ever_up);
	/* A message arrived. own: this bridge published it. retained: the
	 * broker's stored copy, sent because we subscribed. */
	void (*message)(void *owner, const char *topic, const void *payload, size_t len,
			bool own, bool retained);
	/* n messages handed to publish are done: written (QoS 0) or
	 * acknowledged (QoS 1, 2). */
	void (*done)(void *owner, unsigned n);
	/* n QoS 0 messages handed to publish were not yet written when the
	 * connection went: they are lost (QoS 1 and 2 ones are sent again). */
	void (*lost)(void *owner, unsigned n);
};

/*
 * Make the client and start the first connection (name lookup now, the
 * rest in the loop). Returns 0, or -1 with a sentence in err (unknown host,
 * unreadable certificate files, no memory).
 */
int mqtt_link_open(struct mqtt_link **out, const struct mqtt_conf *c, struct loop *l,
		   const struct mqtt_events *ev, char *err, size_t errlen);

/*
 * Publish one message to topic. Returns 0, -ENOTCONN while the link is
 * down, -EAGAIN while as much as the link holds waits to be sent (try
 * again after the next done event), -EMSGSIZE when the broker takes no
 * message this large, or -EIO (why in err).
 */
int mqtt_link_publish(struct mqtt_link *k, const char *topic, const void *payload,
		      size_t len, char *err, size_t errlen);

/* Hold (on) or release (off) publishes so that a batch of them leaves in
 * few TCP segments: the broker then reads many per wake-up. QoS 0 over
 * plain TCP holds them in the link (framed by mqtt_wire.h, one send() for
 * the batch), otherwise in the socket (TCP_CORK). Release at the end of
 * the batch; releasing sends at once. Nothing when the link is down. */
void mqtt_link_cork(struct mqtt_link *k, bool on);
/* Whether the link is connected (CONNACK received). */
bool mqtt_link_up(const struct mqtt_link *k);
/* "5" or "3.1.1": the protocol of the last connection. */
const char *mqtt_link_protocol(const struct mqtt_link *k);
/* Reconnections made so far (not counting the first connection). */
uint64_t mqtt_link_reconnects(const struct mqtt_link *k);
/* Set what the socket waits for; the owner calls it from its before-wait
 * hook (the loop has one). */
void mqtt_link_before_wait(struct mqtt_link *k);
/* Disconnect cleanly (sending what is queued, briefly) and free. */
void mqtt_link_close(struct mqtt_link *k);
/* The same, keeping the reconnection count and the protocol ("5", "3.1.1",
 * a static string) for the summary. */
void mqtt_link_close_keep(struct mqtt_link *k, uint64_t *reconnects, const char **protocol);

#endif
