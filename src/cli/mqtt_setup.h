/*
 * mqtt_setup.h - a libmosquitto client set up for `mcast bridge` from its
 * mqtt_conf: protocol version, credentials and TLS trust; libmosquitto's
 * error codes as text; and whether its socket failed while connecting. The
 * client's life on the event loop is bridge_mqtt.c's.
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

/* The text of errno e when it is a connection's error (refused, reset,
 * unreachable, timed out), else NULL. */
const char *mqtt_conn_error(int e);

/*
 * Whether the client's socket fd, polled ready while its connection is
 * being made (no CONNACK yet), has failed; if so and why is "", the reason
 * goes there. A socket error (refused, unreachable) ends the attempt:
 * libmosquitto 2.0 would take a TLS handshake on such a socket for one in
 * progress and wait for ever, and a soft error (an ICMP "no route" to a
 * SYN) leaves a plain one polling ready with nothing to read. With tls,
 * end of file (the peer closed: not a TLS port) or an error from reading
 * ends it too; without, libmosquitto sees those itself.
 */
bool mqtt_socket_failed(int fd, bool tls, char *why, size_t whylen);

/* Why libmosquitto returned rc, as text without a final full stop (in a
 * static buffer; MOSQ_ERR_ERRNO: errno's text). */
const char *mqtt_rc_text(int rc);

#endif
