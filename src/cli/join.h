/*
 * join.h - what every subcommand that joins a group shares (recv, pong,
 * bench recv): the -i/-S/-X/--rcvbuf options, choosing interfaces, binding
 * to the group, joining, announcing and leaving.
 */
#ifndef MCAST_CLI_JOIN_H
#define MCAST_CLI_JOIN_H

#include "cli/cli.h"
#include "cli/opt.h"

#include <poll.h>

#define JOIN_MAX 64

/* The ids of JOIN_OPTIONS; a command's own start at JOIN_OPT_OWN. */
enum {
	JOIN_OPT_IFACE = CLI_OPT_OWN,
	JOIN_OPT_SOURCE,
	JOIN_OPT_EXCLUDE,
	JOIN_OPT_RCVBUF,
	JOIN_OPT_SOURCES, /* the setting of --source and --exclude */
	JOIN_OPT_OWN
};

#define JOIN_OPTIONS                                                         \
	CLI_VALUE("interface", 'i', JOIN_OPT_IFACE),                         \
	CLI_VALUE("source", 'S', JOIN_OPT_SOURCE, .setting = JOIN_OPT_SOURCES), \
	CLI_VALUE("exclude", 'X', JOIN_OPT_EXCLUDE, .setting = JOIN_OPT_SOURCES), \
	CLI_VALUE("rcvbuf", 0, JOIN_OPT_RCVBUF)
#define JOIN_USAGE                                                           \
	"  -i, --interface IFACE   join on IFACE (name, index or address);\n"  \
	"                          repeatable; 'all' = every interface that is\n" \
	"                          up and multicast-capable (lo too); default:\n" \
	"                          the route to the group\n"                  \
	"  -S, --source ADDR       only from ADDR (source-specific join);\n"   \
	"                          repeatable\n"                               \
	"  -X, --exclude ADDR      from any source but ADDR; repeatable (each\n" \
	"                          source a unicast address, given once)\n"  \
	"      --rcvbuf SIZE       receive buffer size, 1k-1G (64k, 8M); reports\n" \
	"                          what the kernel granted\n"

struct join {
	/* Asked for: one group, or several on one port and family (groups, n_groups:
	 * then group is groups[0], the socket binds the wildcard address). */
	mcast_addr group;
	const mcast_addr *groups;
	size_t n_groups;
	const char *iface_spec[JOIN_MAX], *source_spec[JOIN_MAX],
		*exclude_spec[JOIN_MAX];
	size_t n_iface_spec, n_source, n_exclude;
	mcast_addr source[JOIN_MAX], exclude[JOIN_MAX];
	uint64_t rcvbuf;
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

/* Apply option a if it is one of JOIN_OPTIONS: returns 0 or an exit code,
 * or 1 when it is not a join option. */
int join_option(struct join *j, const struct cli_arg *a);
/* After the options: take the group, parse the sources against it, and
 * reject conflicts. Returns 0 or EXIT_USAGE. */
int join_parse(struct join *j, const mcast_addr *group);
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
struct emit;
/* "listening on ..." on stderr, and with a JSON emitter e the listening
 * event (e may be NULL). */
void join_announce(const struct join *j, struct emit *e);
/* Leave every membership (logged with -v) and close the socket. */
void join_close(struct join *j);
/* Leave every membership and keep the socket (--rejoin); 0 or EXIT_FAIL. */
int join_leave(struct join *j);
/* Join every group again after join_leave(). 0 or EXIT_FAIL (reported;
 * what was joined is left again). */
int join_again(struct join *j);
/* The name of interface index, cached. */
const char *join_iface_name(struct join *j, unsigned index);

#endif
