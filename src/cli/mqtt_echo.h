/*
 * mqtt_echo.h - how `mcast bridge` recognises its own MQTT messages when
 * the broker sends them back to it (it publishes to the topic it also
 * subscribes to).
 *
 * With MQTT 5 every message the bridge publishes carries the user
 * property "mcast-bridge" = its id, and mqtt_echo_own_property() finds it.
 * MQTT 3.1.1 has neither no-local nor properties: the bridge keeps a
 * fingerprint (topic and payload) of each message it published recently,
 * and the first message that matches one is its echo, taken once.
 */
#ifndef MCAST_CLI_MQTT_ECHO_H
#define MCAST_CLI_MQTT_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The user property's name. */
#define MQTT_ECHO_PROPERTY "mcast-bridge"

/* 4-way buckets, the oldest entry of a bucket replaced first: the last few
 * thousand publishes are remembered, in fixed memory. */
#define MQTT_ECHO_BUCKETS 1024
#define MQTT_ECHO_WAYS 4

struct mqtt_echo {
	struct {
		uint64_t h, stamp; /* h 0: a free slot */
	} fp[MQTT_ECHO_BUCKETS][MQTT_ECHO_WAYS];
	uint64_t stamp;
};

struct mqtt5__property; /* libmosquitto's mosquitto_property */

/* Remember one message published to topic (zero-initialised e: empty). */
void mqtt_echo_add(struct mqtt_echo *e, const char *topic, const void *payload, size_t len);

/* Whether a message that arrived matches one remembered; a match is
 * forgotten, so each publish explains one echo only. */
bool mqtt_echo_take(struct mqtt_echo *e, const char *topic, const void *payload, size_t len);

/* Whether the properties of a message (libmosquitto's list, may be NULL)
 * hold MQTT_ECHO_PROPERTY with the value id. */
bool mqtt_echo_own_property(const struct mqtt5__property *props, const char *id);

#endif
