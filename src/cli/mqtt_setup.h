/*
 * mqtt_setup.h - a libmosquitto client set up for `mcast bridge` from its
 * mqtt_conf: protocol version, credentials and TLS trust; and libmosquitto's
 * error codes as text. The client's life on the event loop is
 * bridge_mqtt.c's.
 */
#ifndef MCAST_CLI_MQTT_SETUP_H
#define MCAST_CLI_MQTT_SETUP_H

#include "cli/bridge_mqtt.h"

#include <stdbool.h>
#include <stddef.h>

struct mosquitto;

/*
 * Set the protocol (5 when v5, else 3.1.1), TCP_NODELAY, the user name and
 * password, and for mqtts:// the CA, the client certificate and its key.
 * Returns 0, or -1 with a sentence in err (an unreadable certificate file,
 * no memory).
 */
int mqtt_setup_client(struct mosquitto *m, const struct mqtt_conf *c, bool v5, char *err,
		      size_t errlen);

/* Why libmosquitto returned rc, as text without a final full stop (in a
 * static buffer; MOSQ_ERR_ERRNO: errno's text). */
const char *mqtt_rc_text(int rc);

#endif
