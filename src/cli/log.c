/*
 * log.c - diagnostics on stderr, signals, and option values that every
 * subcommand parses the same way.
 */
#include "cli/cli.h"
#include "cli/parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int cli_verbosity = LOG_NORMAL;
const char *cli_where;
volatile sig_atomic_t cli_stop, cli_report;

static void __attribute__((format(printf, 2, 0)))
vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024], safe[4 * sizeof(line)], *o = safe;

	vsnprintf(line, sizeof(line), fmt, ap);
	/* Messages quote option values: keep their control bytes (C0, DEL
	 * and C1, which is c2 80..c2 9f in UTF-8) inert. */
	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (c1)
			o += snprintf(o, 5, "\\x%02x", *p++);
		if (c1 || *p < 0x20 || *p == 0x7f)
			o += snprintf(o, 5, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	/* One fprintf per line keeps lines whole when processes share stderr. */
	fprintf(stderr, "%s%s\n", prefix, safe);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("mcast: ", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_verbosity < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("mcast: warning: ", fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	if (cli_verbosity < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("mcast: ", fmt, ap);
	va_end(ap);
}

void cli_debug(const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	if (cli_verbosity < LOG_VERBOSE)
		return;
	snprintf(prefix, sizeof(prefix), "mcast[%ld]: ", (long)getpid());
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
}

int cli_usage(const char *fmt, ...)
{
	char prefix[300];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "mcast: %s%s", cli_where ? cli_where : "",
		 cli_where ? ": " : "");
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static void on_signal(int sig)
{
	if (sig == SIGQUIT || sig == SIGUSR1)
		cli_report = 1;
	else
		cli_stop = 1;
}

void cli_signals(bool block, bool report, sigset_t *unblocked)
{
	static const int stops[] = {SIGINT, SIGTERM}, reports[] = {SIGQUIT, SIGUSR1};
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	/* No SA_RESTART: a blocking call must return EINTR so we can stop. */
	for (size_t i = 0; i < 2; i++) {
		sigaction(stops[i], &sa, NULL);
		sigaddset(&set, stops[i]);
		if (report) {
			sigaction(reports[i], &sa, NULL);
			sigaddset(&set, reports[i]);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (!block)
		return;
	sigprocmask(SIG_BLOCK, &set, unblocked);
	for (size_t i = 0; unblocked && i < 2; i++) {
		sigdelset(unblocked, stops[i]);
		sigdelset(unblocked, reports[i]);
	}
}

uint64_t cli_random_u64(void)
{
	uint64_t v;

	/* Ids need only differ between runs; fall back to time and pid. */
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = cli_now_ns() ^ ((uint64_t)getpid() << 32);
	return v;
}

int cli_bad_option(int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	/* For long options glibc puts the option's value, not a letter, in
	 * optopt, so only a printable ASCII optopt names a short option. */
	bool letter = optopt > ' ' && optopt < 0x7f && strncmp(arg, "--", 2) != 0;
	const char *eq = strchr(arg, '=');

	if (c == ':')
		return letter ? cli_usage("option -%c needs a value", optopt)
			      : cli_usage("option '%s' needs a value", arg);
	if (letter)
		return cli_usage("unknown option -%c", optopt);
	if (optopt && eq)
		return cli_usage("option '%.*s' takes no value", (int)(eq - arg), arg);
	return cli_usage("unknown option '%s'", arg);
}

int cli_group(const char *text, mcast_addr *out)
{
	mcast_error e;

	if (mcast_addr_parse_group(out, text, &e) < 0)
		return cli_usage("%s", e.msg);
	return 0;
}

int cli_host(const char *opt, const char *text,
	     const mcast_addr *group, mcast_addr *out)
{
	mcast_error e;

	if (mcast_addr_parse_host(out, text, &e) < 0)
		return cli_usage("%s: %s", opt, e.msg);
	if (mcast_addr_family(out) != mcast_addr_family(group))
		return cli_usage("%s: '%s' is IPv%c but the group is IPv%c", opt,
				 text, mcast_addr_family(out) == AF_INET6 ? '6' : '4',
				 mcast_addr_family(group) == AF_INET6 ? '6' : '4');
	return 0;
}

int cli_iface_check(const char *spec)
{
	mcast_iface ifc;
	mcast_error e;

	if (mcast_iface_find(&ifc, spec, &e) == -ENODEV)
		return cli_usage("%s", e.msg);
	return 0;
}

int cli_iface(const char *spec, mcast_iface *out)
{
	mcast_error e;
	int rc = mcast_iface_find(out, spec, &e);

	if (rc == -ENODEV)
		return cli_usage("%s", e.msg);
	if (rc < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	/*
	 * Loopback carries multicast within the host without the MULTICAST
	 * flag, so only other interfaces deserve the warning.
	 */
	if (!(out->flags & IFF_MULTICAST) && !(out->flags & IFF_LOOPBACK))
		cli_warn("interface %s does not have the MULTICAST flag", out->name);
	if (!(out->flags & IFF_UP))
		cli_warn("interface %s is down", out->name);
	return 0;
}

int cli_uint(const char *opt, const char *text, uint64_t min,
	     uint64_t max, uint64_t *out)
{
	int rc = cli_parse_uint(text, min, max, out);

	if (rc == -ERANGE)
		return cli_usage("%s: %s is out of range (%llu-%llu)", opt, text,
				 (unsigned long long)min, (unsigned long long)max);
	if (rc < 0)
		return cli_usage("%s: '%s' is not a number", opt, text);
	return 0;
}

int cli_duration(const char *opt, const char *text,
		 uint64_t *ns)
{
	const uint64_t year = 366ULL * 24 * 3600 * 1000000000ULL;
	int rc = cli_parse_duration(text, year, ns);

	if (rc == -ERANGE)
		return cli_usage("%s: %s is too long (at most a year)", opt, text);
	if (rc < 0)
		return cli_usage(
				 "%s: '%s' is not a duration (e.g. 250ms, 2s, 1m)",
				 opt, text);
	return 0;
}

int cli_size(const char *opt, const char *text, uint64_t min,
	     uint64_t max, uint64_t *out)
{
	int rc = cli_parse_size(text, min, max, out);

	if (rc == -ERANGE)
		return cli_usage("%s: %s is out of range (%llu-%llu bytes)", opt,
				 text, (unsigned long long)min,
				 (unsigned long long)max);
	if (rc < 0)
		return cli_usage("%s: '%s' is not a size (e.g. 1500, 64k, 8M)",
				 opt, text);
	return 0;
}

uint64_t cli_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return cli_ns_of(&t);
}

uint64_t cli_ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

uint64_t cli_realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return cli_ns_of(&t);
}
