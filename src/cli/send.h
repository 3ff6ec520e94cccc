/*
 * send.h - what the two halves of `mcast send` share: send_opts.c (usage,
 * option rows, the checks after them) and send.c (sending, the answers,
 * the summary, and --reliable's run).
 */
#ifndef MCAST_CLI_SEND_H
#define MCAST_CLI_SEND_H

#include "cli/config.h"
#include "cli/outsock.h"
#include "cli/reliable.h"
#include "cli/seal.h"
#include "cli/source.h"
#include "cli/template.h"

/* Responders counted exactly up to this many. */
#define SEND_RESPONDER_LIMIT 65536

struct send_opts {
	mcast_addr group;
	struct outsock out;
	struct tmpl *tmpl; /* --template, compiled when the option is applied */
	uint64_t count, interval_ns, wait_ns, expect;
	bool has_count, has_interval, has_wait, has_expect, json;
	bool input_from_file, count_from_file; /* set by the settings file */
	bool cli_template, cli_stdin;		/* given on the command line */
	enum source_kind input;
	char *message;
	size_t message_len;
	struct seal_opts seal;
	struct cli_config cfg;
	struct reliable rel; /* --reliable: NORM */
};

/* Whether the message comes from standard input (--stdin, --stdin=raw). */
static inline bool from_stdin(const struct send_opts *o)
{
	return o->input == SRC_LINES || o->input == SRC_RAW;
}

/*
 * Parse send's options, group and message words into o (zeroed here) and
 * reject every conflicting combination. Returns 0, CLI_HELP_SHOWN or an
 * exit code; o->cfg, o->tmpl and o->message are the caller's to free in
 * every case.
 */
int send_parse(struct send_opts *o, int argc, char **argv);

#endif
