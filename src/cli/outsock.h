/*
 * outsock.h - what every subcommand that sends to a group shares (send,
 * ping, bench send): the -i/-t/--loop/-b/-p/--fragment options and the
 * socket they describe.
 */
#ifndef MCAST_CLI_OUTSOCK_H
#define MCAST_CLI_OUTSOCK_H

#include "cli/cli.h"
#include "cli/opt.h"

/* The ids of OUT_OPTIONS; a command's own start at OUT_OPT_OWN. */
enum {
	OUT_OPT_IFACE = CLI_OPT_OWN,
	OUT_OPT_TTL,
	OUT_OPT_LOOP,
	OUT_OPT_NO_LOOP,
	OUT_OPT_BIND,
	OUT_OPT_PORT,
	OUT_OPT_FRAGMENT,
	OUT_OPT_OWN
};

#define OUT_OPTIONS                                                          \
	CLI_VALUE("interface", 'i', OUT_OPT_IFACE),                          \
	CLI_VALUE("ttl", 't', OUT_OPT_TTL),                                  \
	CLI_FLAG("loop", 0, OUT_OPT_LOOP),                                   \
	CLI_FLAG("no-loop", 0, OUT_OPT_NO_LOOP, .setting = OUT_OPT_LOOP),    \
	CLI_VALUE("bind", 'b', OUT_OPT_BIND),                                \
	CLI_VALUE("source-port", 'p', OUT_OPT_PORT),                         \
	CLI_FLAG("fragment", 0, OUT_OPT_FRAGMENT)
#define OUT_USAGE                                                            \
	"  -i, --interface IFACE   send through IFACE (name, index or address);\n" \
	"                          default: the route to the group\n"         \
	"  -t, --ttl N             TTL or IPv6 hop limit, 0-255 (default 1)\n" \
	"      --loop, --no-loop   whether receivers on this host get a copy\n" \
	"                          (default: the kernel's, on)\n"             \
	"  -b, --bind ADDR         send from source address ADDR (unicast)\n" \
	"  -p, --source-port PORT  send from source port PORT\n"              \
	"      --fragment          let the kernel fragment datagrams larger than\n" \
	"                          the interface MTU (default: refuse them)\n"

struct outsock {
	/* Asked for. */
	const char *iface_spec, *bind_spec;
	uint64_t ttl, port;
	bool has_port, fragment;
	int loop; /* -1 the kernel's default, 0 off, 1 on */
	/* Several destinations (send GROUP+N:PORT): sent to in turn, one
	 * datagram each; NULL for the group alone. Not owned. */
	const mcast_addr *dsts;
	size_t n_dsts, next;
	const mcast_addr *last; /* where the last datagram went */
	/* Done. */
	mcast_addr group;
	mcast_sock *sock;
	mcast_iface iface; /* the interface datagrams leave by */
	bool iface_known;
};

/* Defaults: TTL 1, the kernel's loopback. */
void outsock_init(struct outsock *o);
/* Apply option a if it is one of OUT_OPTIONS: 0 or an exit code, or 1
 * when it is not one of them. */
int outsock_option(struct outsock *o, const struct cli_arg *a);
/* Open the socket for group: bind, TTL, loopback, interface. Returns 0,
 * EXIT_USAGE (unknown interface, bad --bind) or EXIT_FAIL. */
int outsock_open(struct outsock *o, const mcast_addr *group);
/* Send len bytes to the group (or the next of dsts, round robin); reports a failure (with the path's limit
 * for a datagram too large) and returns EXIT_FAIL, or 0. */
int outsock_send(struct outsock *o, const void *buf, size_t len);
/* Whether a datagram of len bytes fits the path: 0, or EXIT_FAIL after
 * the error that names the limit and --fragment (as a failed send gives). */
int outsock_check_size(const struct outsock *o, size_t len);
/* Report a send of len bytes that failed with n (-errno) and message msg
 * in the one way every sender does (interface gone, too large for the
 * path, no route). Returns EXIT_FAIL. */
int outsock_failed(const struct outsock *o, ssize_t n, size_t len, const char *msg);
/* After a failed send: when -i named an interface that no longer exists
 * or is down, say so ("interface X disappeared", "... went down") and
 * return true. */
bool outsock_gone(const struct outsock *o);
/* The interface's name for messages, or "the kernel's choice". */
const char *outsock_iface_name(const struct outsock *o);
void outsock_close(struct outsock *o);

#endif
