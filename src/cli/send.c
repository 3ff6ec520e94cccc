/*
 * send.c - `mcast send GROUP:PORT [MESSAGE...]`: publish datagrams.
 */
#include "cli/cli.h"
#include "cli/parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"Usage: mcast send [OPTIONS] GROUP:PORT [MESSAGE...]\n"
	"\n"
	"Send MESSAGE (the words joined by spaces) to a multicast group.\n"
	"GROUP:PORT is 239.1.2.3:5000, [ff15::1]:5000 or [ff02::1%eth0]:5000.\n"
	"\n"
	"Options:\n"
	"  -i, --interface IFACE   send through IFACE (name, index or address);\n"
	"                          default: the route to the group\n"
	"  -t, --ttl N             TTL or IPv6 hop limit, 0-255 (default 1)\n"
	"      --loop, --no-loop   whether receivers on this host get a copy\n"
	"                          (default: the kernel's, on)\n"
	"  -b, --bind ADDR         send from source address ADDR\n"
	"  -p, --source-port PORT  send from source port PORT\n"
	"  -n, --count N           send N datagrams, 0 = until interrupted (default 1)\n"
	"  -I, --interval DURATION time between datagrams (default 1s); with\n"
	"                          --stdin the least time between lines\n"
	"      --stdin[=raw]       read the message from standard input: one\n"
	"                          datagram per line, or with =raw all of it as one\n"
	"      --fragment          let the kernel fragment datagrams larger than\n"
	"                          the interface MTU (default: refuse them)\n"
	"  -v, --verbose           log each datagram sent\n"
	"  -q, --quiet             print errors only\n"
	"  -h, --help              show this help\n"
	"\n"
	"Durations: 250ms, 2s, 1m. Exit status: 0 sent, 1 failure, 2 usage error.\n";

enum { OPT_LOOP = 256, OPT_NO_LOOP, OPT_STDIN, OPT_FRAGMENT };

static const struct option options[] = {
	{"interface", required_argument, NULL, 'i'},
	{"ttl", required_argument, NULL, 't'},
	{"loop", no_argument, NULL, OPT_LOOP},
	{"no-loop", no_argument, NULL, OPT_NO_LOOP},
	{"bind", required_argument, NULL, 'b'},
	{"source-port", required_argument, NULL, 'p'},
	{"count", required_argument, NULL, 'n'},
	{"interval", required_argument, NULL, 'I'},
	{"stdin", optional_argument, NULL, OPT_STDIN},
	{"fragment", no_argument, NULL, OPT_FRAGMENT},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

enum input { IN_ARGS, IN_LINES, IN_RAW };

struct send_opts {
	mcast_addr group;
	const char *iface_spec, *bind_spec;
	uint64_t ttl, port, count, interval_ns;
	bool has_port, has_count, has_interval, fragment;
	int loop; /* -1 kernel default, 0 off, 1 on */
	enum input input;
	char *message;
	size_t message_len;
};

struct sender {
	struct send_opts *o;
	mcast_sock *sock;
	mcast_iface out; /* the interface datagrams leave by */
	bool out_known;
	uint64_t sent, bytes;
	uint64_t next_ns; /* when the next datagram is due */
};

/* Join argv words with single spaces into one malloc'ed message. */
static char *join_words(int n, char **words, size_t *len)
{
	size_t total = 0;
	char *msg, *p;

	for (int i = 0; i < n; i++)
		total += strlen(words[i]) + 1;
	msg = malloc(total + 1);
	if (!msg)
		return NULL;
	p = msg;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(words[i]);

		if (i)
			*p++ = ' ';
		memcpy(p, words[i], l);
		p += l;
	}
	*p = '\0';
	*len = (size_t)(p - msg);
	return msg;
}

static int parse_args(int argc, char **argv, struct send_opts *o)
{
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	o->ttl = 1;
	o->count = 1;
	o->interval_ns = 1000000000ULL;
	o->loop = -1;
	optind = 0;
	opterr = 0;
	while (rc == 0 &&
	       (c = getopt_long(argc, argv, ":i:t:b:p:n:I:vqh", options, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface_spec = optarg; break;
		case 't': rc = cli_uint("--ttl", optarg, 0, 255, &o->ttl); break;
		case OPT_LOOP: o->loop = 1; break;
		case OPT_NO_LOOP: o->loop = 0; break;
		case 'b': o->bind_spec = optarg; break;
		case 'p':
			rc = cli_uint("--source-port", optarg, 1, 65535, &o->port);
			o->has_port = true;
			break;
		case 'n':
			rc = cli_uint("--count", optarg, 0, UINT64_MAX, &o->count);
			o->has_count = true;
			break;
		case 'I':
			rc = cli_duration("--interval", optarg, &o->interval_ns);
			o->has_interval = true;
			break;
		case OPT_STDIN:
			if (!optarg)
				o->input = IN_LINES;
			else if (strcmp(optarg, "raw") == 0)
				o->input = IN_RAW;
			else
				rc = cli_usage("--stdin: unknown mode '%s' (expected raw)",
					       optarg);
			break;
		case OPT_FRAGMENT: o->fragment = true; break;
		case 'v': cli_verbosity = LOG_VERBOSE; break;
		case 'q': cli_verbosity = LOG_QUIET; break;
		case 'h': fputs(usage_text, stdout); return -1;
		default: return cli_bad_option(c, argv);
		}
	}
	if (rc)
		return rc;
	if (optind >= argc)
		return cli_usage("missing GROUP:PORT");
	rc = cli_group(argv[optind], &o->group);
	if (rc)
		return rc;
	optind++;
	/* One block that rejects every conflicting combination. */
	if (o->input != IN_ARGS && optind < argc)
		return cli_usage("give MESSAGE words or --stdin, not both");
	if (o->input == IN_ARGS && optind >= argc)
		return cli_usage("no message: give MESSAGE words or --stdin");
	if (o->input != IN_ARGS && o->has_count)
		return cli_usage("--count does not apply to --stdin (one datagram per line)");
	if (o->input == IN_RAW && o->has_interval)
		return cli_usage("--interval does not apply to --stdin=raw");
	if (o->input == IN_ARGS) {
		o->message = join_words(argc - optind, argv + optind, &o->message_len);
		if (!o->message) {
			cli_err("out of memory");
			return EXIT_FAIL;
		}
	}
	return 0;
}

/* Open, bind and configure the socket; find the outgoing interface. */
static int setup(struct sender *s)
{
	struct send_opts *o = s->o;
	int family = mcast_addr_family(&o->group);
	mcast_addr local, ifaddr;
	bool have_ifaddr = false;
	mcast_error e;
	int rc;

	if (o->iface_spec) {
		rc = cli_iface(o->iface_spec, &s->out);
		if (rc)
			return rc;
		s->out_known = true;
		/* For IPv4 an interface given by address also picks the source. */
		have_ifaddr = mcast_addr_parse_host(&ifaddr, o->iface_spec, NULL) == 0 &&
			      mcast_addr_family(&ifaddr) == AF_INET;
		/*
		 * Otherwise name the interface's own address as the source: the
		 * kernel would leave 0.0.0.0 on lo, whose 127.0.0.1 is host-scoped.
		 */
		if (!have_ifaddr && family == AF_INET)
			have_ifaddr = mcast_iface_address(s->out.index, AF_INET,
							  &ifaddr, NULL) == 0;
		if (family == AF_INET6 && o->group.u.sin6.sin6_scope_id &&
		    o->group.u.sin6.sin6_scope_id != s->out.index)
			return cli_usage("the group's scope and --interface %s disagree",
					 o->iface_spec);
	} else if (mcast_iface_route(&s->out, &o->group, NULL) == 0) {
		s->out_known = true;
	}
	memset(&local, 0, sizeof(local));
	local.u.sa.sa_family = (sa_family_t)family;
	if (o->bind_spec) {
		rc = cli_host("--bind", o->bind_spec, &o->group, &local);
		if (rc)
			return rc;
	}
	if (mcast_sock_new(&s->sock, family, &e) < 0)
		goto fail;
	if ((o->bind_spec || o->has_port)) {
		mcast_addr_set_port(&local, (uint16_t)o->port);
		if (mcast_sock_bind(s->sock, &local, 0, &e) < 0)
			goto fail;
	}
	if (mcast_sock_set_ttl(s->sock, (unsigned)o->ttl, &e) < 0)
		goto fail;
	if (o->loop >= 0 && mcast_sock_set_loop(s->sock, o->loop == 1, &e) < 0)
		goto fail;
	if (o->iface_spec &&
	    mcast_sock_set_out_iface(s->sock, s->out.index,
				     have_ifaddr ? &ifaddr : NULL, &e) < 0)
		goto fail;
	if (o->fragment && mcast_sock_set_dontfrag(s->sock, false, &e) < 0)
		goto fail;
	return 0;
fail:
	cli_err("%s", e.msg);
	return EXIT_FAIL;
}

/* Wait until the next datagram is due; false when interrupted. */
static bool pace(struct sender *s)
{
	uint64_t now = cli_now_ns();
	struct timespec ts;

	/*
	 * Deadlines advance by the interval from the first send, not from the
	 * last, so time spent sending does not add up into drift.
	 */
	if (s->next_ns > now) {
		ts.tv_sec = (time_t)(s->next_ns / 1000000000ULL);
		ts.tv_nsec = (long)(s->next_ns % 1000000000ULL);
		while (!cli_stop &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	} else if (s->next_ns + s->o->interval_ns < now) {
		/* Far behind (a slow stdin): start afresh rather than burst. */
		s->next_ns = now;
	}
	s->next_ns += s->o->interval_ns;
	return !cli_stop;
}

static int send_one(struct sender *s, const void *buf, size_t len)
{
	char dst[MCAST_ADDRSTRLEN];
	mcast_error e;
	ssize_t n = mcast_sock_send(s->sock, &s->o->group, buf, len, &e);

	if (n == -EMSGSIZE && s->out_known && len <= mcast_max_payload(
			mcast_addr_family(&s->o->group))) {
		unsigned hdr = mcast_addr_family(&s->o->group) == AF_INET6 ? 48 : 28;

		cli_err("datagram of %zu bytes is larger than the path allows: at most "
			"%u bytes fit in one packet on %s (MTU %u); --fragment lets "
			"the kernel fragment it", len,
			s->out.mtu > hdr ? s->out.mtu - hdr : 0, s->out.name, s->out.mtu);
		return EXIT_FAIL;
	}
	if (n < 0) {
		cli_err("%s", e.msg);
		if (n == -ENETUNREACH && !s->o->iface_spec)
			cli_err("no route to the group: choose an interface with -i");
		return EXIT_FAIL;
	}
	s->sent++;
	s->bytes += (uint64_t)n;
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(&s->o->group, dst, sizeof(dst), MCAST_FMT_PORT);
		cli_debug("sent %zd bytes to %s (#%llu)", n, dst,
			  (unsigned long long)s->sent);
	}
	return 0;
}

static int send_repeated(struct sender *s)
{
	int rc = 0;

	for (uint64_t i = 0; rc == 0 && (s->o->count == 0 || i < s->o->count); i++) {
		if (i > 0 && !pace(s))
			break;
		if (i == 0)
			s->next_ns = cli_now_ns() + s->o->interval_ns;
		rc = send_one(s, s->o->message, s->o->message_len);
	}
	return rc;
}

static int send_lines(struct sender *s)
{
	size_t cap = 0, max = mcast_max_payload(mcast_addr_family(&s->o->group));
	char *line = NULL;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && !cli_stop && (n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if ((size_t)n > max) {
			cli_err("input line of %zd bytes is larger than one datagram "
				"can carry (%zu)", n, max);
			rc = EXIT_FAIL;
			break;
		}
		if (s->o->has_interval && s->sent > 0 && !pace(s))
			break;
		if (s->sent == 0)
			s->next_ns = cli_now_ns() + s->o->interval_ns;
		rc = send_one(s, line, (size_t)n);
	}
	if (rc == 0 && ferror(stdin) && !cli_stop) {
		cli_err("reading standard input: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	free(line);
	return rc;
}

static int send_raw(struct sender *s)
{
	size_t max = mcast_max_payload(mcast_addr_family(&s->o->group));
	char *buf = malloc(max + 1);
	size_t len;
	int rc;

	if (!buf) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	/* Read one byte more than fits, to tell "exactly max" from "too long". */
	len = fread(buf, 1, max + 1, stdin);
	if (ferror(stdin)) {
		cli_err("reading standard input: %s", strerror(errno));
		rc = EXIT_FAIL;
	} else if (len > max) {
		cli_err("standard input is larger than one datagram can carry (%zu bytes)",
			max);
		rc = EXIT_FAIL;
	} else {
		rc = send_one(s, buf, len);
	}
	free(buf);
	return rc;
}

int cmd_send(int argc, char **argv)
{
	struct send_opts o;
	struct sender s;
	char dst[MCAST_ADDRSTRLEN];
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	memset(&s, 0, sizeof(s));
	s.o = &o;
	cli_signals(false, NULL);
	rc = setup(&s);
	if (rc == 0) {
		if (o.input == IN_LINES)
			rc = send_lines(&s);
		else if (o.input == IN_RAW)
			rc = send_raw(&s);
		else
			rc = send_repeated(&s);
	}
	if (rc == 0) {
		mcast_addr_format(&o.group, dst, sizeof(dst), MCAST_FMT_PORT);
		cli_info("sent %llu datagram%s (%llu bytes) to %s via %s",
			 (unsigned long long)s.sent, s.sent == 1 ? "" : "s",
			 (unsigned long long)s.bytes, dst,
			 s.out_known ? s.out.name : "the kernel's choice");
	}
	mcast_sock_free(s.sock);
	free(o.message);
	return rc;
}
