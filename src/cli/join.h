/*
 * join.h - what every subcommand that joins a group shares (recv, pong,
 * bench recv): the -i/-S/-X/--rcvbuf options, choosing interfaces, binding
 * to the group, joining, announcing and leaving.
 */
#ifndef MCAST_CLI_JOIN_H
#define MCAST_CLI_JOIN_H

#include "cli/cli.h"

#include <poll.h>

#define JOIN_MAX 64

/* Option values above every subcommand's own. */
enum { JOIN_OPT_RCVBUF = 0x1100 };

#define JOIN_OPTSTRING "i:S:X:"
#define JOIN_OPTIONS                                                         \
	{"interface", required_argument, NULL, 'i'},                         \
	{"source", required_argument, NULL, 'S'},                            \
	{"exclude", required_argument, NULL, 'X'},                           \
	{"rcvbuf", required_argument, NULL, JOIN_OPT_RCVBUF}
#define JOIN_USAGE                                                           \
	"  -i, --interface IFACE   join on IFACE (name, index or address);\n"  \
	"                          repeatable; 'all' = every up multicast\n"  \
	"                          interface; default: the route to the group\n" \
	"  -S, --source ADDR       only from ADDR (source-specific join);\n"   \
	"                          repeatable\n"                               \
	"  -X, --exclude ADDR      from any source but ADDR; repeatable\n"     \
	"      --rcvbuf SIZE       receive buffer size (64k, 8M); reports what the\n" \
	"                          kernel granted\n"

struct join {
	/* Asked for. */
	mcast_addr group;
	const char *iface_spec[JOIN_MAX], *source_spec[JOIN_MAX],
		*exclude_spec[JOIN_MAX];
	size_t n_iface_spec, n_source, n_exclude;
	mcast_addr source[JOIN_MAX], exclude[JOIN_MAX];
	uint64_t rcvbuf;
	/* A list given on the command line replaces the settings file's. */
	bool cli_ifaces, cli_sources, cli_excludes;
	/* Done. */
	mcast_sock *sock;
	mcast_iface iface[JOIN_MAX];
	size_t n_iface;
	bool kernel_choice;
	mcast_addr bound; /* the group with the port actually bound */
	mcast_watch *watch; /* interface removals; NULL if unavailable */
	/* Arrival interface names, looked up once per index. */
	struct {
		unsigned index;
		char name[IF_NAMESIZE];
	} names[16];
	size_t n_names;
};

/* Apply option c if it is one of JOIN_OPTIONS: returns 0 or an exit code,
 * or 1 when c is not a join option. */
int join_option(struct join *j, int c, const char *arg, bool from_file);
/* After the options: parse the group and the sources against it, and
 * reject conflicts. Returns 0 or EXIT_USAGE. */
int join_parse(struct join *j, const char *group);
/* Choose interfaces, open and bind the socket, size its buffer, join.
 * Logs each join with -v. Returns 0 or an exit code. */
int join_open(struct join *j);
/*
 * Fill p[0] (socket) and p[1] (interface watch, if any) for ppoll() and
 * return how many entries are in use. After ppoll, join_events() checks
 * the watch: EXIT_FAIL (reported) when a joined interface went away.
 */
int join_pollfds(const struct join *j, struct pollfd p[2]);
int join_events(struct join *j, const struct pollfd p[2]);
/* "listening on ..." on stderr, and with json the listening event. */
void join_announce(const struct join *j, bool json);
/* Leave every membership (logged with -v) and close the socket. */
void join_close(struct join *j);
/* The name of interface index, cached. */
const char *join_iface_name(struct join *j, unsigned index);

#endif
