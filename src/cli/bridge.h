/*
 * bridge.h - what the two halves of `mcast bridge` share: bridge_opts.c
 * (options, settings, sockets, reports) and bridge.c (the running bridge).
 */
#ifndef MCAST_CLI_BRIDGE_H
#define MCAST_CLI_BRIDGE_H

#include "cli/bridge_mqtt.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/emit.h"
#include "cli/join.h"
#include "cli/loop.h"
#include "cli/mqtt_url.h"
#include "cli/outsock.h"

#include <poll.h>

/* Warnings said once per run; the counters say the rest. */
enum { WARN_QUEUE_FULL, WARN_TOO_LARGE, WARN_MQTT_REFUSED, WARN_MAX };

struct bridge_opts {
	bool to, from, json, retain;
	uint64_t qos, queue, keepalive_ns, connect_ns, progress_ns;
	int version; /* 0 auto, 4 (3.1.1), 5 */
	const char *client_id, *password_file, *password;
	const char *url; /* "url =" in the settings file */
	const char *cafile, *capath, *cert, *key;
	struct cli_config cfg;
};

/* Every field a uint64_t: bridge_report() writes them from a table of
 * offsets. */
struct bridge_stats {
	uint64_t rx, rx_bytes;		  /* datagrams from the group */
	uint64_t to_mqtt;		  /* handed to the broker */
	uint64_t from_mqtt, from_bytes;	  /* messages sent to the group */
	uint64_t own_datagrams, own_messages, retained;
	uint64_t queue_full, lost, mqtt_refused, too_large, send_failed;
	uint64_t outages, reconnects;
	uint64_t queue_max, kernel_drops;
	/* Set only in the copy a report is written from (bridge_report()). */
	uint64_t queued, unsent;
};

struct bridge {
	struct bridge_opts o;
	struct join j;
	struct outsock out;
	struct mqtt_url url;
	char broker[MQTT_HOST_MAX + 32]; /* "mqtt://HOST:PORT" for messages */
	char filter[MQTT_TOPIC_MAX + 256];
	char topic[MQTT_TOPIC_MAX + 256]; /* the fixed topic, when it does not vary */
	bool varies;
	char v_group[MCAST_ADDRSTRLEN], v_port[8];
	struct mqtt_topic_vars vars;
	char password[1024];
	struct mqtt_conf mconf;
	uint64_t id;
	/* Our own sends: source port and addresses. */
	uint16_t own_port;
	mcast_addr *own;
	size_t n_own;
	size_t max_datagram;
	const char *max_why;
	/* Running. */
	struct loop loop, *l;
	struct mqtt_link *link;
	const char *proto; /* the link's protocol, kept after it closed */
	unsigned char *rxbuf; /* the receive batch's slots */
	struct qitem *q;
	size_t qhead, qn, qbytes;
	uint64_t inflight, window;
	int progress_timer, flush_timer;
	uint64_t started, down_at, flushed_at; /* flushed_at: corked publishes last let go */
	bool ready, corked, warned[WARN_MAX];
	struct emit rec, out_rec;
	struct bridge_stats st;
};

/* Parse options and operands into b. Returns 0, -1 after --help, or an
 * exit code. */
int bridge_parse(struct bridge *b, int argc, char **argv);
/* Open the sending socket (--from-mqtt) and join the group (--to-mqtt).
 * Returns 0 or an exit code. */
int bridge_open_group(struct bridge *b);
/* The first connection is up: say what is bridged where. */
void bridge_ready(struct bridge *b);
/* A progress or summary record (JSON on stdout, or text on stderr). */
void bridge_report(struct bridge *b, const char *event);
/* A warning once per kind per run. */
void bridge_warn_once(struct bridge *b, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Leave the group, close the socket, free what bridge_parse() kept. */
void bridge_close(struct bridge *b);

#endif
