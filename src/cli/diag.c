/*
 * diag.c - diagnostics on stderr: errors, warnings, progress, debug lines
 * and usage errors, one line each, with control bytes made visible.
 */
#include "cli/cli.h"
#include "cli/opt.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_verbosity = LOG_NORMAL;

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

/* "mcast: " then "FILE:LINE: " when the message is about a setting from
 * a file, then the message. */
static int __attribute__((format(printf, 2, 0)))
vusage(const struct cli_arg *a, const char *fmt, va_list ap)
{
	char prefix[300];

	if (a && a->file)
		snprintf(prefix, sizeof(prefix), "mcast: %s:%u: ", a->file, a->line);
	else
		snprintf(prefix, sizeof(prefix), "mcast: ");
	vlog(prefix, fmt, ap);
	return EXIT_USAGE;
}

const char *cli_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int cli_flush_stdout(const char *what)
{
	/* The error indicator catches a write that failed before the flush. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_err("writing %s: %s", what, strerror(errno ? errno : EIO));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(NULL, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cli_usage_at(const struct cli_arg *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(a, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
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
