/*
 * bridge_opts.c - the options of `mcast bridge`, its sockets and its
 * reports (progress, summary, once-per-run warnings).
 */
#include "cli/bridge.h"
#include "cli/parse.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast bridge [OPTIONS] GROUP:PORT URL\n"
	"\n"
	"Carry a group's datagrams to an MQTT broker and the broker's messages\n"
	"back to the group. URL is mqtt://[USER@]HOST[:PORT]/TOPIC or mqtts://...\n"
	"(TLS). TOPIC may hold {group}, {port}, {source}, {source_port} and\n"
	"{iface}; to subscribe, the last three become '+' (a whole level each).\n"
	"A settings file may give the URL as 'url =' (and the group as 'group =').\n"
	"\n"
	"Options:\n"
	"      --to-mqtt           only group -> MQTT (default: both ways)\n"
	"      --from-mqtt         only MQTT -> group; TOPIC may hold + and #\n"
	"  -i, --interface IFACE   join on and send through IFACE (name, index or\n"
	"                          address); default: the route to the group\n"
	"  -S, --source ADDR       only from ADDR (source-specific join); repeatable\n"
	"  -X, --exclude ADDR      from any source but ADDR; repeatable\n"
	"      --rcvbuf SIZE       receive buffer size (64k, 8M)\n"
	"  -t, --ttl N             TTL or IPv6 hop limit of sends, 0-255 (default 1)\n"
	"      --loop, --no-loop   whether receivers on this host get a copy\n"
	"  -b, --bind ADDR         send from source address ADDR\n"
	"  -p, --source-port PORT  send from source port PORT\n"
	"      --fragment          let the kernel fragment large datagrams\n"
	"      --qos N             MQTT quality of service 0, 1 or 2 (default 0)\n"
	"      --retain            publish with the retain flag (a late subscriber\n"
	"                          sees the last message)\n"
	"      --client-id ID      MQTT client id (default mcast-bridge-RANDOM)\n"
	"      --keepalive DURATION  MQTT keep-alive, 5s-18h or 0 (default 60s)\n"
	"      --connect-timeout DURATION  give up an attempt to connect that\n"
	"                          the broker has not accepted within DURATION,\n"
	"                          100ms-1h (default 10s)\n"
	"      --password-file FILE  the password: the first line of FILE (or\n"
	"                          'password =' in the settings file)\n"
	"      --cafile FILE       trust the CAs in FILE for mqtts://\n"
	"      --capath DIR        trust the CAs in DIR for mqtts://\n"
	"      --cert FILE         client certificate for mqtts:// (with --key)\n"
	"      --key FILE          its private key\n"
	"      --queue N           hold at most N datagrams while the broker is\n"
	"                          away or slow (and 64 MiB); more are dropped\n"
	"                          and counted (default 10000)\n"
	"      --json              publish each datagram as a JSON record (source,\n"
	"                          group, interface, time, payload); progress and\n"
	"                          summary as JSON lines on stdout\n"
	"      --progress DURATION a progress report every DURATION\n"
	"      --protocol VERSION  MQTT 5 or 3.1.1 only (default: 5, and 3.1.1 if\n"
	"                          the broker refuses 5)\n"
	"      --config FILE       read settings from FILE ([bridge] section)\n"
	"  -v, --verbose           log each join and the MQTT client's messages\n"
	"  -q, --quiet             no progress, summary or warnings on stderr\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 stopped by a signal, 1 failure (the first connection to\n"
	"the broker failed), 2 usage error.\n";

/*
 * JOIN_OPTIONS and OUT_OPTIONS both number their ids from CLI_OPT_OWN, so
 * the sending options get rows of their own here and are handed to
 * outsock_option() under OUT_OPT_* ids.
 */
enum {
	OPT_TTL = JOIN_OPT_OWN, OPT_LOOP, OPT_NO_LOOP, OPT_BIND, OPT_PORT, OPT_FRAGMENT,
	OPT_TO, OPT_FROM, OPT_QOS, OPT_RETAIN, OPT_CLIENT_ID, OPT_KEEPALIVE, OPT_CONNECT_TIMEOUT,
	OPT_PASSWORD_FILE, OPT_PASSWORD, OPT_CAFILE, OPT_CAPATH, OPT_CERT, OPT_KEY,
	OPT_QUEUE, OPT_JSON, OPT_PROGRESS, OPT_PROTOCOL, OPT_URL,
};

static const struct cli_opt bridge_options[] = {
	CLI_FLAG("to-mqtt", 0, OPT_TO),
	CLI_FLAG("from-mqtt", 0, OPT_FROM),
	JOIN_OPTIONS,
	CLI_VALUE("ttl", 't', OPT_TTL),
	CLI_FLAG("loop", 0, OPT_LOOP, .setting = OPT_LOOP),
	CLI_FLAG("no-loop", 0, OPT_NO_LOOP, .setting = OPT_LOOP),
	CLI_VALUE("bind", 'b', OPT_BIND),
	CLI_VALUE("source-port", 'p', OPT_PORT),
	CLI_FLAG("fragment", 0, OPT_FRAGMENT),
	CLI_VALUE("qos", 0, OPT_QOS),
	CLI_FLAG("retain", 0, OPT_RETAIN),
	CLI_VALUE("client-id", 0, OPT_CLIENT_ID),
	CLI_VALUE("keepalive", 0, OPT_KEEPALIVE),
	CLI_VALUE("connect-timeout", 0, OPT_CONNECT_TIMEOUT),
	CLI_VALUE("password-file", 0, OPT_PASSWORD_FILE),
	CLI_VALUE("password", 0, OPT_PASSWORD),
	CLI_VALUE("cafile", 0, OPT_CAFILE),
	CLI_VALUE("capath", 0, OPT_CAPATH),
	CLI_VALUE("cert", 0, OPT_CERT),
	CLI_VALUE("key", 0, OPT_KEY),
	CLI_VALUE("queue", 0, OPT_QUEUE),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_VALUE("progress", 0, OPT_PROGRESS),
	CLI_VALUE("protocol", 0, OPT_PROTOCOL),
	CLI_VALUE("url", 0, OPT_URL),
	CLI_COMMON_OPTIONS,
};

/* A sending option, under the id outsock.c knows it by; 1 if a is not one. */
static int apply_out(struct bridge *b, const struct cli_arg *a)
{
	static const int ids[][2] = {
		{OPT_TTL, OUT_OPT_TTL}, {OPT_LOOP, OUT_OPT_LOOP},
		{OPT_NO_LOOP, OUT_OPT_NO_LOOP}, {OPT_BIND, OUT_OPT_BIND},
		{OPT_PORT, OUT_OPT_PORT}, {OPT_FRAGMENT, OUT_OPT_FRAGMENT},
	};
	struct cli_arg o = *a;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (a->id == ids[i][0]) {
			o.id = ids[i][1];
			return outsock_option(&b->out, &o);
		}
	return 1;
}

/* Options with a file or string value. */
static int apply_string(struct bridge_opts *o, const struct cli_arg *a)
{
	const char *v = a->value;

	switch (a->id) {
	case OPT_CLIENT_ID:
		if (!*v || strlen(v) > 65535)
			return cli_usage_at(a, "--client-id '%s': must be 1-65535 bytes", v);
		o->client_id = v;
		return 0;
	case OPT_PASSWORD_FILE: o->password_file = v; return 0;
	case OPT_PASSWORD:
		if (!a->file)
			return cli_usage_at(a, "--password: not taken on the command line, "
					       "where ps shows it; use --password-file FILE "
					       "or 'password =' in a settings file");
		o->password = v;
		return 0;
	case OPT_URL:
		/* On the command line the URL is the operand, as --help says. */
		if (!a->file)
			return cli_usage_at(a, "--url: give the URL after GROUP:PORT; "
					       "'url =' is for settings files");
		o->url = v;
		return 0;
	case OPT_CAFILE: o->cafile = v; return 0;
	case OPT_CAPATH: o->capath = v; return 0;
	case OPT_CERT: o->cert = v; return 0;
	case OPT_KEY: o->key = v; return 0;
	default: return 1;
	}
}

static int apply(void *ctx, const struct cli_arg *a)
{
	struct bridge *b = ctx;
	struct bridge_opts *o = &b->o;
	int rc = join_option(&b->j, a);

	/* -i names the interface both ways: joins, and sends (the first). */
	if (a->id == JOIN_OPT_IFACE && rc == 0 && !b->out.iface_spec)
		b->out.iface_spec = a->value;
	if (rc != 1)
		return rc;
	rc = apply_out(b, a);
	if (rc != 1)
		return rc;
	rc = apply_string(o, a);
	if (rc != 1)
		return rc;
	switch (a->id) {
	case OPT_TO: o->to = true; return 0;
	case OPT_FROM: o->from = true; return 0;
	case OPT_QOS: return cli_uint(a, 0, 2, &o->qos);
	case OPT_RETAIN: o->retain = true; return 0;
	case OPT_KEEPALIVE:
		rc = cli_duration(a, &o->keepalive_ns);
		if (rc == 0 && o->keepalive_ns &&
		    (o->keepalive_ns < 5000000000ULL || o->keepalive_ns > 65535000000000ULL))
			rc = cli_usage_at(a, "--keepalive %s: must be 0 (off) or 5s-18h",
					  a->value);
		return rc;
	case OPT_CONNECT_TIMEOUT:
		rc = cli_duration(a, &o->connect_ns);
		if (rc == 0 && (o->connect_ns < 100000000ULL || o->connect_ns > 3600000000000ULL))
			rc = cli_usage_at(a, "--connect-timeout %s: must be 100ms-1h", a->value);
		return rc;
	case OPT_QUEUE: return cli_uint(a, 0, 10000000, &o->queue);
	case OPT_JSON: o->json = true; return 0;
	case OPT_PROTOCOL:
		if (strcmp(a->value, "5") == 0)
			o->version = 5;
		else if (strcmp(a->value, "3.1.1") == 0)
			o->version = 4;
		else
			return cli_usage_at(a, "--protocol %s: give 5 or 3.1.1", a->value);
		return 0;
	case OPT_PROGRESS:
		rc = cli_duration(a, &o->progress_ns);
		if (rc == 0 && o->progress_ns < 10000000ULL)
			rc = cli_usage_at(a, "--progress %s: must be at least 10ms", a->value);
		return rc;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec bridge_spec = {"bridge", bridge_options, apply, usage_text,
				     CLI_GROUP_WORDS};

/* The first line of the password file, without its line end. */
static int read_password(struct bridge *b)
{
	FILE *f = fopen(b->o.password_file, "r");
	size_t n;

	if (!f)
		return cli_usage("--password-file %s: %s", b->o.password_file, strerror(errno));
	n = fread(b->password, 1, sizeof(b->password) - 1, f);
	fclose(f);
	b->password[n] = '\0';
	b->password[strcspn(b->password, "\r\n")] = '\0';
	if (!b->password[0])
		return cli_usage("--password-file %s: the first line is empty",
				 b->o.password_file);
	b->o.password = b->password;
	return 0;
}

/* Check the topic against the directions, and prepare its expansions. */
static int prepare_topic(struct bridge *b)
{
	char err[200];

	mcast_addr_format(&b->j.group, b->v_group, sizeof(b->v_group), 0);
	snprintf(b->v_port, sizeof(b->v_port), "%u", mcast_addr_port(&b->j.group));
	b->vars = (struct mqtt_topic_vars){b->v_group, b->v_port, NULL, NULL, NULL};
	b->varies = mqtt_topic_varies(b->url.topic);
	if (b->o.to && mqtt_topic_has_wildcard(b->url.topic))
		return cli_usage("topic '%s': + and # cannot be published to; use "
				 "--from-mqtt alone to subscribe with them", b->url.topic);
	if (mqtt_topic_expand(b->url.topic, &b->vars, b->topic, sizeof(b->topic)) < 0)
		return cli_usage("topic '%s': too long once expanded", b->url.topic);
	if (b->o.from && mqtt_topic_filter(b->url.topic, &b->vars, b->filter,
					   sizeof(b->filter), err, sizeof(err)) < 0)
		return cli_usage("topic '%s': %s", b->url.topic, err);
	return 0;
}

/* One block that rejects every conflicting combination. */
static int check_conflicts(struct bridge *b)
{
	struct bridge_opts *o = &b->o;

	if (o->password && o->password_file)
		return cli_usage("give the password once: --password-file or "
				 "'password =' in the settings file");
	if ((o->cert != NULL) != (o->key != NULL))
		return cli_usage("--cert and --key go together");
	if ((o->cafile || o->capath || o->cert) && !b->url.tls)
		return cli_usage("--cafile, --capath and --cert need an mqtts:// URL");
	if (o->from && (b->j.n_iface_spec > 1 ||
			(b->j.n_iface_spec == 1 && strcmp(b->j.iface_spec[0], "all") == 0)))
		return cli_usage("sends to the group leave by one interface: give one "
				 "-i with --from-mqtt (or --to-mqtt)");
	return 0;
}

int bridge_parse(struct bridge *b, int argc, char **argv)
{
	struct bridge_opts *o = &b->o;
	mcast_addr group;
	const char *url;
	char err[200];
	int rc;

	outsock_init(&b->out);
	o->queue = 10000;
	o->keepalive_ns = 60000000000ULL;
	rc = cli_parse_args(argc, argv, &bridge_spec, b, &o->cfg, &group);
	if (rc)
		return rc;
	/* The operand, else the settings file's "url =" (a service's case). */
	if (optind >= argc && !o->url)
		return cli_usage("give GROUP:PORT and a broker URL (mqtt://HOST/TOPIC), "
				 "or 'url =' in the settings file");
	if (optind + 1 < argc)
		return cli_usage("unexpected argument '%s'", argv[optind + 1]);
	url = optind < argc ? argv[optind] : o->url;
	if (!o->to && !o->from)
		o->to = o->from = true;
	rc = join_parse(&b->j, &group);
	if (rc)
		return rc;
	if (mqtt_url_parse(&b->url, url, err, sizeof(err)) < 0)
		return cli_usage("URL '%s': %s", url, err);
	rc = check_conflicts(b);
	if (rc == 0)
		rc = prepare_topic(b);
	if (rc == 0 && o->password_file)
		rc = read_password(b);
	if (rc)
		return rc;
	snprintf(b->broker, sizeof(b->broker), "%s://%s%s%s:%u", b->url.tls ? "mqtts" : "mqtt",
		 strchr(b->url.host, ':') ? "[" : "", b->url.host,
		 strchr(b->url.host, ':') ? "]" : "", b->url.port);
	b->id = cli_random_u64();
	b->mconf = (struct mqtt_conf){
		.url = &b->url, .client_id = o->client_id, .password = o->password,
		.cafile = o->cafile, .capath = o->capath, .cert = o->cert, .key = o->key,
		.keepalive = (unsigned)(o->keepalive_ns / 1000000000ULL), .qos = (int)o->qos,
		.connect_timeout_ns = o->connect_ns,
		.retain = o->retain, .version = o->version, .filter = o->from ? b->filter : NULL,
	};
	return 0;
}

/* The sending socket, bound so that its port (and so our own datagrams
 * heard back on the group) is known; and the largest message it sends. */
static int open_sender(struct bridge *b)
{
	int family = mcast_addr_family(&b->j.group), rc;
	mcast_addr local;

	if (!b->out.has_port)
		b->out.has_port = true; /* port 0: the kernel's choice, read back */
	rc = outsock_open(&b->out, &b->j.group);
	if (rc)
		return rc;
	if (mcast_sock_local(b->out.sock, &local) == 0)
		b->own_port = mcast_addr_port(&local);
	if (b->out.bind_spec) {
		b->own = malloc(sizeof(*b->own));
		if (b->own)
			b->own[0] = local, b->n_own = 1;
	} else if (b->out.iface_known) {
		mcast_iface_addresses(b->out.iface.index, &b->own, &b->n_own, NULL);
	}
	b->max_datagram = mcast_max_payload(family);
	b->max_why = "a datagram";
	if (!b->out.fragment && b->out.iface_known && b->out.iface.mtu) {
		unsigned hdr = family == AF_INET6 ? 48 : 28;
		size_t path = b->out.iface.mtu > hdr ? b->out.iface.mtu - hdr : 0;

		if (path < b->max_datagram) {
			b->max_datagram = path;
			b->max_why = "the path (MTU, no --fragment)";
		}
	}
	return 0;
}

int bridge_open_group(struct bridge *b)
{
	int rc = 0;

	if (b->o.from)
		rc = open_sender(b);
	if (rc == 0 && b->o.to)
		rc = join_open(&b->j);
	return rc;
}

void bridge_ready(struct bridge *b)
{
	const char *dir = b->o.to && b->o.from ? "<->" : b->o.to ? "->" : "<-";
	char g[MCAST_ADDRSTRLEN];

	b->ready = true;
	if (b->o.to)
		join_announce(&b->j, b->o.json ? &b->out_rec : NULL);
	mcast_addr_format(&b->j.group, g, sizeof(g), MCAST_FMT_PORT);
	cli_info("bridge ready: %s %s %s/%s (MQTT %s, QoS %llu)", g, dir, b->broker,
		 b->o.from ? b->filter : b->url.topic, mqtt_link_protocol(b->link),
		 (unsigned long long)b->o.qos);
}

void bridge_warn_once(struct bridge *b, int kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (b->warned[kind])
		return;
	b->warned[kind] = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_warn("%s", msg);
}

static const char report_text[] =
	"{what}: {to_mqtt} datagram{to_mqtt?:s} to MQTT (of {received} received), "
	"{from_mqtt} message{from_mqtt?:s} to the group; queued {queued} (at most "
	"{queue_max}); dropped {queue_full} queue full, {lost} lost with the "
	"connection, {too_large} too large, {refused} refused, {send_failed} not "
	"sent; {unsent} unsent at exit; not looped: {own_datagrams} own datagram"
	"{own_datagrams?:s}, {own_messages} own message{own_messages?:s}; "
	"{outages} outage{outages?:s}, {reconnects} reconnect{reconnects?:s}";

/* The counters of a report, in the order they are written. */
static const struct {
	const char *name;
	size_t at; /* offsetof() a uint64_t in struct bridge_stats */
} report_rows[] = {
#define ROW(name, field) {name, offsetof(struct bridge_stats, field)}
	ROW("received", rx),
	ROW("received_bytes", rx_bytes),
	ROW("to_mqtt", to_mqtt),
	ROW("from_mqtt", from_mqtt),
	ROW("from_mqtt_bytes", from_bytes),
	ROW("queued", queued),
	ROW("queue_max", queue_max),
	ROW("queue_full", queue_full),
	ROW("lost", lost),
	ROW("too_large", too_large),
	ROW("refused", mqtt_refused),
	ROW("send_failed", send_failed),
	ROW("unsent", unsent),
	ROW("own_datagrams", own_datagrams),
	ROW("own_messages", own_messages),
	ROW("retained_ignored", retained),
	ROW("kernel_drops", kernel_drops),
	ROW("outages", outages),
	ROW("reconnects", reconnects),
#undef ROW
};

void bridge_report(struct bridge *b, const char *event)
{
	struct emit *e = &b->out_rec;
	struct bridge_stats s = b->st;
	uint64_t v;

	/* What is not counted as it happens is read now. */
	s.queued = b->qn;
	s.unsent = strcmp(event, "summary") == 0 ? b->qn + b->inflight : 0;
	if (b->link)
		s.reconnects = mqtt_link_reconnects(b->link);
	emit_begin(e, event);
	emit_text(e, "what", event);
	emit_dbl(e, "elapsed_s", (double)(cli_now_ns() - b->started) / 1e9, 3);
	for (size_t i = 0; i < sizeof(report_rows) / sizeof(report_rows[0]); i++) {
		memcpy(&v, (const char *)&s + report_rows[i].at, sizeof(v));
		emit_u64(e, report_rows[i].name, v);
	}
	emit_str(e, "protocol", b->link ? mqtt_link_protocol(b->link) : b->proto);
	emit_end(e, EMIT_INFO, report_text);
}

void bridge_close(struct bridge *b)
{
	join_close(&b->j);
	outsock_close(&b->out);
	free(b->own);
	cli_config_free(&b->o.cfg);
}
