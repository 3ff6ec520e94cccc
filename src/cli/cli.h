/*
 * cli.h - what the subcommands of the mcast tool share: exit codes, logging,
 * signal handling and the options every subcommand parses the same way.
 */
#ifndef MCAST_CLI_H
#define MCAST_CLI_H

#include "mcast.h"

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in mcast(1). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* runtime failure, or nothing received */
	EXIT_USAGE = 2, /* bad option, bad value, conflicting options */
	EXIT_EXPECT = 3 /* an --expect or --max-loss condition was not met */
};

struct cli_spec;

/* A subcommand: `mcast NAME ...` runs run(argc, argv) with argv[0] = NAME. */
struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const struct cli_spec *spec; /* its options; NULL if it has none */
	bool hidden; /* a mode of another command ("bench send"), not listed */
};

/* The table (commands.c), and a lookup by name (NULL if unknown). */
extern const struct cli_cmd cli_commands[];
extern const size_t cli_ncommands;
const struct cli_cmd *cli_command(const char *name);
/* The top-level usage: the commands and what they do. */
void cli_usage_all(FILE *f);

int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_pong(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_ifaces(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_bridge(int argc, char **argv);
int cmd_help(int argc, char **argv);
extern const struct cli_spec send_spec, recv_spec, ping_spec, pong_spec,
	bench_send_spec, bench_recv_spec, ifaces_spec, keygen_spec, bridge_spec;

/* ---- Logging: diagnostics on stderr, data on stdout (diag.c) ---------- */

enum { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2 };
extern int cli_verbosity;

/* one for a count of 1, many otherwise: "1 byte", "2 bytes". Every count
 * a message shows goes through it. */
const char *cli_plural(uint64_t n, const char *one, const char *many);

/* "mcast: ..." on stderr, always (errors). */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "mcast: warning: ..." unless -q. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "mcast: ..." unless -q (progress and summaries). */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "mcast[PID]: ..." with -v only. */
void cli_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * After printing what was asked for (WHAT: "the help", "the version") on
 * standard output: flush it; a failed write (a full disk, /dev/full) is
 * reported and is EXIT_FAIL, otherwise EXIT_OK.
 */
int cli_flush_stdout(const char *what);
/* A usage error: "mcast: ..." on stderr, one line; returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The usage error for getopt_long()'s '?' or ':' (with opterr 0 and an
 * optstring that starts with ':'), naming the option. Returns EXIT_USAGE.
 */
int cli_bad_option(int c, char **argv);

/* ---- Signals (set by loop.c's handlers, see loop.h) ------------------ */

/* Set by SIGINT and SIGTERM; loops check it and end cleanly. */
extern volatile sig_atomic_t cli_stop;
/* Set by SIGQUIT and SIGUSR1: a report is asked for. */
extern volatile sig_atomic_t cli_report;

/* A random 64-bit id (getrandom, else time and pid). */
uint64_t cli_random_u64(void);

/* ---- Option values shared by subcommands (optval.c) ------------------- */

/* Parse GROUP:PORT, or print a usage error; returns 0 or EXIT_USAGE. */
int cli_group(const char *text, mcast_addr *out);
struct cli_config;
/* Parse "GROUP[+N]:PORT[,GROUP[+N]:PORT...]" (groups of one family) into
 * cfg->groups (allocated, freed by cli_config_free()). 0 or EXIT_USAGE
 * after one line naming the bad part. */
int cli_group_list(const char *text, struct cli_config *cfg);
/* Parse a host address of the group's family for option opt. */
int cli_host(const char *opt, const char *text,
	     const mcast_addr *group, mcast_addr *out);
/* Whether a is a unicast host address: not a group, not the unspecified
 * address, not the IPv4 broadcast address. */
bool cli_unicast(const mcast_addr *a);
/*
 * Parse n source addresses of the group's family for option opt (--source,
 * --exclude) into out: each a unicast address, none given twice. Returns 0
 * or a usage error naming the address.
 */
int cli_sources(const char *opt, const char *const *text, size_t n,
		const mcast_addr *group, mcast_addr *out);
/* Resolve an interface spec; warns when it cannot do multicast. Returns 0,
 * EXIT_USAGE (unknown interface) or EXIT_FAIL. */
int cli_iface(const char *spec, mcast_iface *out);
/* The parsers of option values that name FILE:LINE are in cli/opt.h. */

/* Monotonic clock in nanoseconds. */
uint64_t cli_now_ns(void);
/* A timespec in nanoseconds, and CLOCK_REALTIME now in nanoseconds. */
uint64_t cli_ns_of(const struct timespec *t);
uint64_t cli_realtime_ns(void);

#endif
