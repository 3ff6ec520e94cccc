/*
 * mqtt_echo.c - recognising the bridge's own MQTT messages (mqtt_echo.h).
 */
#include "cli/mqtt_echo.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the topic, a separator and the payload. */
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

void mqtt_echo_add(struct mqtt_echo *e, const char *topic, const void *payload, size_t len)
{
	uint64_t h = fingerprint(topic, payload, len);
	size_t b = (size_t)(h % MQTT_ECHO_BUCKETS), old = 0;

	for (size_t w = 0; w < MQTT_ECHO_WAYS; w++)
		if (e->fp[b][w].stamp < e->fp[b][old].stamp)
			old = w;
	e->fp[b][old].h = h;
	e->fp[b][old].stamp = ++e->stamp;
}

bool mqtt_echo_take(struct mqtt_echo *e, const char *topic, const void *payload, size_t len)
{
	uint64_t h = fingerprint(topic, payload, len);
	size_t b = (size_t)(h % MQTT_ECHO_BUCKETS);

	for (size_t w = 0; w < MQTT_ECHO_WAYS; w++)
		if (e->fp[b][w].h == h) {
			e->fp[b][w].h = 0;
			e->fp[b][w].stamp = 0;
			return true;
		}
	return false;
}

bool mqtt_echo_own_property(const struct mqtt5__property *props, const char *id)
{
	const mosquitto_property *p = props;
	char *name = NULL, *value = NULL;
	bool own = false;

	for (bool first = true;; first = false) {
		p = mosquitto_property_read_string_pair(first ? props : p, MQTT_PROP_USER_PROPERTY,
							&name, &value, !first);
		if (!p)
			break;
		own = own || (strcmp(name, MQTT_ECHO_PROPERTY) == 0 && strcmp(value, id) == 0);
		free(name);
		free(value);
		name = value = NULL;
	}
	return own;
}
