/*
 * mqtt_setup.c - a libmosquitto client's options from an mqtt_conf
 * (mqtt_setup.h).
 */
#include "cli/mqtt_setup.h"

#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *mqtt_rc_text(int rc)
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

/* TLS trust and the client certificate; -1 with a sentence in err. */
static int setup_tls(struct mosquitto *m, const struct mqtt_conf *c, char *err, size_t errlen)
{
	const char *capath = c->capath;
	int rc = MOSQ_ERR_SUCCESS;

	/* The system's trust alone turns TLS on; mosquitto_tls_set() wants a
	 * CA file or directory even then, so a client certificate gets the
	 * system's directory. */
	if (!c->cafile && !c->capath) {
		mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
		capath = "/etc/ssl/certs";
	}
	if (c->cafile || c->capath || c->cert)
		rc = mosquitto_tls_set(m, c->cafile, capath, c->cert, c->key, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "TLS set-up: %s (check --cafile, --cert and --key)",
			 mqtt_rc_text(rc));
		return -1;
	}
	return 0;
}

int mqtt_setup_client(struct mosquitto *m, const struct mqtt_conf *c, bool v5, char *err,
		      size_t errlen)
{
	int rc = MOSQ_ERR_SUCCESS;

	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION,
			     v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	if (c->url->user[0] || c->password)
		rc = mosquitto_username_pw_set(m, c->url->user[0] ? c->url->user : NULL,
					       c->password);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s", mqtt_rc_text(rc));
		return -1;
	}
	return c->url->tls ? setup_tls(m, c, err, errlen) : 0;
}

const char *mqtt_conn_error(int e)
{
	switch (e) {
	case ECONNREFUSED: case ECONNRESET: case ECONNABORTED: case EHOSTUNREACH:
	case ENETUNREACH: case EHOSTDOWN: case ENETDOWN: case ETIMEDOUT:
		return strerror(e);
	default:
		return NULL;
	}
}

bool mqtt_socket_failed(int fd, bool tls, char *why, size_t whylen)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	const char *t = NULL;
	char c;
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
		t = strerror(soerr);
	} else {
		if (!tls)
			return false;
		n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)))
			return false;
		t = n < 0 ? mqtt_conn_error(errno) : NULL;
		if (!t)
			t = "the broker closed the connection during the TLS handshake "
			    "(is the port a TLS one?)";
	}
	if (!why[0])
		snprintf(why, whylen, "%s", t);
	return true;
}
