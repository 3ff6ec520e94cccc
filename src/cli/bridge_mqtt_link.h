/*
 * bridge_mqtt_link.h - what the two halves of the MQTT link share:
 * bridge_mqtt.c (connecting, callbacks, publishing) and bridge_mqtt_io.c
 * (the socket's reads and writes). Not for other callers: they use
 * bridge_mqtt.h.
 */
#ifndef MCAST_CLI_BRIDGE_MQTT_LINK_H
#define MCAST_CLI_BRIDGE_MQTT_LINK_H

#include "cli/bridge_mqtt.h"
#include "cli/mqtt_echo.h"
#include "cli/mqtt_wire.h"

#include <mosquitto.h>

struct mqtt_link {
	struct mosquitto *m;
	struct loop *l;
	struct mqtt_conf c;
	struct mqtt_events ev;
	int fd;		/* the socket in the loop, or -1 */
	int misc_timer, retry_timer;
	bool up, ever_up, subscribed, closing;
	bool v5, fallback; /* connected with 5; retry with 3.1.1 at once */
	/* QoS 0 over plain TCP: publishes framed here (mqtt_wire.h), sent
	 * a batch at a time; held while corked. */
	bool own_wire, wire, held;
	struct mqtt_wire w;
	struct mqtt_wire_fmt wf;
	uint64_t backoff, reconnects, inflight, attempt_at, connect_ns;
	char why[256]; /* why the current attempt failed, "" if unknown */
	char prop_id[17];
	mosquitto_property *props; /* the user property, for MQTT 5 */
	struct mqtt_echo echo;	   /* recent publishes, for MQTT 3.1.1 */
};

/* Set why the connection failed or ended (printf format). */
void mqtt_link_why(struct mqtt_link *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The socket closed (rc: libmosquitto's code): leave the loop, tell the
 * owner, plan the retry. */
void mqtt_link_down(struct mqtt_link *k, int rc);

/* Keep errno e as the reason an attempt failed, if it names one and no
 * reason is known yet. */
void mqtt_link_note_errno(struct mqtt_link *k, int e);

/* The loop's callback for the socket: reads, then writes what waits. */
void mqtt_link_on_fd(struct loop *l, int fd, unsigned events, void *data);

/* After CONNACK (props: its properties): whether publishes are framed
 * here (mqtt_wire.h) on this connection, and how. */
void mqtt_link_wire_setup(struct mqtt_link *k, const mosquitto_property *props);

/* At exit: give what is queued up to ns to reach the broker (and, with
 * QoS 1 and 2, to be acknowledged). */
void mqtt_link_drain(struct mqtt_link *k, uint64_t ns);

#endif
