/*
 * mqtt_url.h - the broker URL of `mcast bridge` and the topic patterns it
 * publishes to and subscribes to. Pure text handling: no sockets, no
 * libmosquitto, so the unit tests and the fuzz target see all of it.
 *
 *   mqtt://[USER@]HOST[:PORT]/TOPIC     (port 1883 by default)
 *   mqtts://[USER@]HOST[:PORT]/TOPIC    (TLS, port 8883 by default)
 *
 * HOST is a name, an IPv4 address or a bracketed IPv6 address
 * ("[fd00::1]"). USER may hold %XX escapes ("me%40site"). A password in
 * the URL ("user:secret@") is refused: it would show in `ps` and in shell
 * history. TOPIC is everything after the first "/" after the host, kept
 * as typed (MQTT topics may hold "%", "+" and "#").
 *
 * A topic may carry placeholders: {group} and {port} (the bridge's group,
 * the same for every message), {source}, {source_port} and {iface} (the
 * sender, its port and the arrival interface of each datagram). "{{" and
 * "}}" stand for single braces.
 */
#ifndef MCAST_CLI_MQTT_URL_H
#define MCAST_CLI_MQTT_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQTT_HOST_MAX 256
#define MQTT_USER_MAX 256
/* Longer topics are legal MQTT, but no dashboard needs them. */
#define MQTT_TOPIC_MAX 1024

struct mqtt_url {
	bool tls;		    /* mqtts:// */
	char user[MQTT_USER_MAX];   /* "" when the URL names none */
	char host[MQTT_HOST_MAX];   /* without brackets */
	uint16_t port;
	char topic[MQTT_TOPIC_MAX]; /* the pattern, placeholders unexpanded */
};

/*
 * Parse text into *u. Returns 0, or -EINVAL with a sentence in err (errlen
 * bytes, always NUL-terminated when errlen > 0) saying what is wrong: the
 * scheme, an empty or malformed host, a bad port, a password, no topic,
 * a topic that is not UTF-8, a wildcard that is not a whole level, an
 * unknown placeholder. *u is written only on success.
 */
int mqtt_url_parse(struct mqtt_url *u, const char *text, char *err, size_t errlen);

/* What the placeholders of a topic stand for. */
struct mqtt_topic_vars {
	const char *group, *port;	     /* fixed for the bridge */
	const char *source, *source_port, *iface; /* per datagram */
};

/*
 * Expand topic pattern pat for one datagram into out (cap bytes,
 * NUL-terminated). Returns the length, or -ENOSPC when it does not fit, or
 * -EINVAL when pat has an unknown placeholder or an unclosed brace.
 */
long mqtt_topic_expand(const char *pat, const struct mqtt_topic_vars *v, char *out,
		       size_t cap);

/*
 * The subscription filter for pattern pat: {group} and {port} expanded,
 * each per-datagram placeholder replaced by "+", which must then be a
 * whole topic level. Returns the length, -ENOSPC, or -EINVAL (with a
 * sentence in err) for a per-datagram placeholder inside a level
 * ("plant/x{source}") or a malformed pattern.
 */
long mqtt_topic_filter(const char *pat, const struct mqtt_topic_vars *v, char *out,
		       size_t cap, char *err, size_t errlen);

/* Whether topic holds an MQTT wildcard ("+" or "#"): such a topic can be
 * subscribed to but not published to. */
bool mqtt_topic_has_wildcard(const char *topic);

/* Whether the pattern has a per-datagram placeholder ({source}, ...). */
bool mqtt_topic_varies(const char *pat);

#endif
