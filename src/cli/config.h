/*
 * config.h - option parsing shared by the subcommands, with settings files.
 *
 * A settings file (--config FILE) holds lines "option = value" or
 * "option value", using the long option names; "#" starts a comment (at the
 * start of a line, or after white space); a value in double quotes keeps
 * its spaces and "#" ("\"" and "\\" inside). Sections "[send]", "[recv]",
 * ... hold settings for that subcommand only; settings before any section
 * apply to every subcommand that has the option. "group = GROUP:PORT"
 * gives the group when the command line does not. A flag takes yes/no
 * (true/false, on/off, 1/0); "loop = no" means --no-loop.
 */
#ifndef MCAST_CLI_CONFIG_H
#define MCAST_CLI_CONFIG_H

#include <getopt.h>
#include <stdbool.h>

/* The --config option: every subcommand lists it in its option table. */
#define CLI_OPT_CONFIG 0x1000
#define CLI_CONFIG_OPTION {"config", required_argument, NULL, CLI_OPT_CONFIG}

/* The end of every subcommand's option table: --config, -v, -q, -h. */
#define CLI_COMMON_OPTIONS                                                   \
	CLI_CONFIG_OPTION,                                                   \
	{"verbose", no_argument, NULL, 'v'},                                 \
	{"quiet", no_argument, NULL, 'q'},                                   \
	{"help", no_argument, NULL, 'h'},                                    \
	{NULL, 0, NULL, 0}

/*
 * Apply -v, -q or -h (printing usage), the options every subcommand has;
 * anything else is an unknown option. For the default: of an apply
 * function's switch. Returns 0, -1 after --help, or EXIT_USAGE.
 */
int cli_common_option(int c, const char *usage);

/*
 * Apply one option (getopt's value c, its argument or NULL). from_file is
 * true for settings from the file, so that a repeatable option given on the
 * command line can replace the file's list rather than add to it. Returns
 * 0, -1 when the command should end successfully (--help), or an exit code.
 */
typedef int (*cli_apply_fn)(void *ctx, int c, const char *arg, bool from_file);

/* What the settings file left behind: its strings, and its group. */
struct cli_config {
	char *text;	  /* the file, cut into NUL-terminated values */
	const char *group; /* "group = ..." or NULL */
};

/*
 * Parse the options of subcommand cmd: first the settings from --config
 * FILE (if given), then the command line, which overrides them. Returns 0
 * with optind at the first operand, -1 after --help, or an exit code (2 for
 * an unknown option, a bad value or an unreadable file, the message naming
 * FILE:LINE). cfg must be released with cli_config_free() in every case.
 */
int cli_options(int argc, char **argv, const char *cmd, const char *optstring,
		const struct option *opts, cli_apply_fn apply, void *ctx,
		struct cli_config *cfg);

void cli_config_free(struct cli_config *cfg);

#endif
