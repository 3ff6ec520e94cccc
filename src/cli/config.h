/*
 * config.h - settings files (--config FILE).
 *
 * A settings file holds lines "option = value" or "option value", using
 * the long option names; "#" starts a comment (at the start of a line, or
 * after white space); a value in double quotes keeps its spaces and "#"
 * ("\"" and "\\" inside). Sections "[send]", "[recv]", ... hold settings
 * for that subcommand only; settings before any section apply to every
 * subcommand that has the option. "group = GROUP:PORT" gives the group
 * when the command line does not. A flag takes yes/no (true/false, on/off,
 * 1/0); "loop = no" means --no-loop.
 */
#ifndef MCAST_CLI_CONFIG_H
#define MCAST_CLI_CONFIG_H

#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>

struct cli_spec;

/* What the settings file left behind: its strings, and its group. */
struct cli_config {
	char *text;	   /* the file, cut into NUL-terminated values */
	const char *group; /* "group = ..." or NULL */
	/* A sender's destinations (spec->ranges): every group of the operand,
	 * in order, the first also in cli_parse_args()'s *group. */
	mcast_addr *groups;
	size_t n_groups;
};

/*
 * Read the settings file path and apply (through spec->apply, with each
 * setting's FILE:LINE) those that concern spec's subcommand, except the
 * settings marked in given (indexed by setting id, see cli_setting_of()):
 * the command line gives those, so the file's are only checked. Every
 * other line is checked too, whichever section it is in, by the check()
 * of the subcommand it is for. The common options (-v, -q) are applied
 * here. Returns 0 or an exit code (2 with a message naming FILE:LINE).
 */
int cli_config_load(const char *path, const struct cli_spec *spec, void *ctx,
		    const bool *given, struct cli_config *cfg);

void cli_config_free(struct cli_config *cfg);

/* Apply a common option (-v, -q) whatever its source; false if id is not
 * one of them. */
bool cli_common_option(int id);

#endif
