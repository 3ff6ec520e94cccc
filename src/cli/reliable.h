/*
 * reliable.h - the options and glue of `mcast send --reliable` and `mcast
 * recv --reliable` (NORM, transport_norm.h): rows for the two commands'
 * tables, their --help lines, and one call each that runs the transfer.
 *
 * send.c and recv.c keep their own options (-i, --ttl, --loop, -S,
 * --rcvbuf, --expect, --wait, --json, -n, -w, the output formats) and pass
 * them on; these rows add what only NORM has.
 */
#ifndef MCAST_CLI_RELIABLE_H
#define MCAST_CLI_RELIABLE_H

#include "cli/opt.h"
#include "cli/seal.h"
#include "cli/transport_norm.h"

/* Ids above every command's own (which start at small numbers). */
enum {
	REL_OPT_RELIABLE = 0x400,
	REL_OPT_FILE,
	REL_OPT_RATE,
	REL_OPT_RATE_MIN,
	REL_OPT_RATE_MAX,
	REL_OPT_FEC_BLOCK,
	REL_OPT_FEC_PARITY,
	REL_OPT_FEC_AUTO,
	REL_OPT_SEGMENT,
	REL_OPT_BACKOFF,
	REL_OPT_GRTT,
	REL_OPT_GRTT_MAX,
	REL_OPT_NORM_BUFFER,
	REL_OPT_SNDBUF,
	REL_OPT_OUTPUT,
	REL_OPT_OVERWRITE,
	REL_OPT_PROGRESS,
};

#define REL_COMMON_OPTIONS                                                   \
	CLI_FLAG("reliable", 0, REL_OPT_RELIABLE),                           \
	CLI_VALUE("norm-buffer", 0, REL_OPT_NORM_BUFFER),                    \
	CLI_FLAG("progress", 0, REL_OPT_PROGRESS)

#define REL_SEND_OPTIONS                                                     \
	REL_COMMON_OPTIONS,                                                  \
	CLI_VALUE("file", 0, REL_OPT_FILE),                                  \
	CLI_VALUE("rate", 0, REL_OPT_RATE),                                  \
	CLI_VALUE("rate-min", 0, REL_OPT_RATE_MIN),                          \
	CLI_VALUE("rate-max", 0, REL_OPT_RATE_MAX),                          \
	CLI_VALUE("fec-block", 0, REL_OPT_FEC_BLOCK),                        \
	CLI_VALUE("fec-parity", 0, REL_OPT_FEC_PARITY),                      \
	CLI_VALUE("fec-auto", 0, REL_OPT_FEC_AUTO),                          \
	CLI_VALUE("segment", 0, REL_OPT_SEGMENT),                            \
	CLI_VALUE("backoff", 0, REL_OPT_BACKOFF),                            \
	CLI_VALUE("grtt", 0, REL_OPT_GRTT),                                  \
	CLI_VALUE("grtt-max", 0, REL_OPT_GRTT_MAX),                          \
	CLI_VALUE("sndbuf", 0, REL_OPT_SNDBUF)

#define REL_RECV_OPTIONS                                                     \
	REL_COMMON_OPTIONS,                                                  \
	CLI_VALUE("output", 0, REL_OPT_OUTPUT),                              \
	CLI_FLAG("overwrite", 0, REL_OPT_OVERWRITE)

#define REL_COMMON_USAGE                                                     \
	"      --norm-buffer SIZE  NORM's buffer space (default 16M)\n"        \
	"      --progress          a progress line each second (JSON: progress\n" \
	"                          records)\n"

#define REL_SEND_USAGE                                                       \
	"Reliable delivery (NORM, RFC 5740):\n"                                 \
	"      --reliable          send over NORM: messages as data objects,\n" \
	"                          --stdin as a stream, files as file objects;\n" \
	"                          with --expect N wait (--wait, default 10s) for\n" \
	"                          N receivers to acknowledge everything\n"     \
	"      --file PATH         send the file at PATH (repeatable; --sign\n" \
	"                          signs its name, size and SHA-256)\n"        \
	"      --rate BITS         fixed rate in bit/s (100M, 1G); default:\n"  \
	"                          NORM congestion control\n"                    \
	"      --rate-min BITS, --rate-max BITS\n"                               \
	"                          bounds for congestion control\n"            \
	"      --fec-block N       FEC source segments per block (default 64)\n" \
	"      --fec-parity N      parity segments per block for repairs\n"    \
	"                          (default 0: repair by retransmission)\n"    \
	"      --fec-auto N        parity segments sent unasked (default 0)\n" \
	"      --segment BYTES     payload per packet (default 1400; at most\n" \
	"                          1436 for an MTU of 1500)\n"                  \
	"      --backoff F         NACK back-off factor (default 0; 4 for large\n" \
	"                          groups)\n"                                   \
	"      --grtt DURATION     initial round-trip estimate (default 10ms)\n" \
	"      --grtt-max DURATION its ceiling (default 5ms; raise it on a WAN)\n" \
	"      --sndbuf SIZE       socket buffer (default 8M)\n"                \
	REL_COMMON_USAGE

#define REL_RECV_USAGE                                                       \
	"Reliable delivery (NORM, RFC 5740):\n"                                 \
	"      --reliable          receive over NORM: messages and stream lines\n" \
	"                          printed as datagrams are, files stored;\n"   \
	"                          with --trust only files a trusted key signed\n" \
	"      --output DIR        store files under DIR (default: .), checked\n" \
	"                          against their SHA-256 first\n"               \
	"      --overwrite         replace existing files\n"                   \
	REL_COMMON_USAGE

#define REL_MAX_FILES 256

struct reliable {
	bool on;
	struct norm_opts o;
	const char *files[REL_MAX_FILES];
	size_t nfiles;
	bool nonorm; /* a NORM-only option was given (needs --reliable) */
	char nonorm_opt[32]; /* its name: a->opt may not outlive the option's handling */
};

void reliable_init(struct reliable *r);
/* Apply option a if it is one of the rows above: 0 or EXIT_USAGE, or 1
 * when a is not one of them. */
int reliable_option(struct reliable *r, const struct cli_arg *a);

/*
 * The option groups send and recv both offer after their socket's: the
 * seal rows (ids from seal_base, seal.h), then the rows above. Returns
 * what the group that took a returns (0 or EXIT_USAGE), or 1 when neither
 * took it.
 */
static inline int reliable_seal_option(struct reliable *r, struct seal_opts *s, int seal_base,
				       const struct cli_arg *a)
{
	int rc = seal_option(s, seal_base, a);

	return rc == 1 ? reliable_option(r, a) : rc;
}
/* After the options: a NORM-only option without --reliable is a usage
 * error. Returns 0 or EXIT_USAGE. */
int reliable_check(const struct reliable *r);

/* What send gives: its words (joined by spaces, one message), or standard
 * input (lines or raw), and the files. */
struct reliable_send_input {
	const char *message;
	size_t message_len;
	uint64_t count;     /* how many times to send the message */
	bool from_stdin, raw;
};

/* Run `mcast send --reliable`. Returns an exit code. */
int reliable_send(struct reliable *r, const struct reliable_send_input *in);

/* Run `mcast recv --reliable` on the caller's loop and emitter; messages
 * go to fn(owner, ...). Returns an exit code. */
int reliable_recv(struct reliable *r, struct loop *l, struct emit *e, rx_fn fn, void *owner);

#endif
