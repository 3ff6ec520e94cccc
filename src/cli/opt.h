/*
 * opt.h - option rows and the parser every subcommand shares.
 *
 * A subcommand declares one table of rows (long name, short letter,
 * argument kind, id) and one apply() function. The getopt string, the
 * getopt_long table and the settings-file keys are all derived from the
 * rows, so an option is added in one place. Ids come from enums chained
 * one after the other, without hand-picked ranges:
 *
 *   CLI_OPT_CONFIG ... (opt.h)  -> CLI_OPT_OWN
 *   JOIN_OPT_* (join.h) or OUT_OPT_* (outsock.h) -> JOIN_OPT_OWN, OUT_OPT_OWN
 *   a command's own enum, starting at the group's _OWN
 *
 * For example (recv.c):
 *
 *   enum { OPT_COUNT = JOIN_OPT_OWN, OPT_TIMEOUT, OPT_HEX, ... };
 *   const struct cli_opt recv_options[] = {
 *       JOIN_OPTIONS,
 *       CLI_VALUE("count", 'n', OPT_COUNT),
 *       CLI_FLAG("hex", 0, OPT_HEX),
 *       CLI_COMMON_OPTIONS,
 *   };
 *   static int apply(void *ctx, const struct cli_arg *a)
 *   {
 *       switch (a->id) {
 *       case OPT_COUNT: return cli_uint(a, 1, UINT64_MAX, &o->count);
 *       ...
 *       }
 *   }
 *   const struct cli_spec recv_spec = {"recv", recv_options, apply,
 *                                      usage_text, CLI_GROUP};
 *
 * --config, -v, -q and -h are handled here and never reach apply().
 */
#ifndef MCAST_CLI_OPT_H
#define MCAST_CLI_OPT_H

#include "cli/cli.h"
#include "cli/config.h"

#include <getopt.h>
#include <stdbool.h>

/* One option. */
struct cli_opt {
	const char *name; /* the long name, and the key in a settings file */
	char letter;	  /* the short option, or 0 for none */
	int arg;	  /* no_argument, required_argument, optional_argument */
	int id;		  /* what apply() is given; never 0 (0 ends a table) */
	/*
	 * Options that set the same thing (--hex, --raw and --json; --source
	 * and --exclude) share a setting, so that the command line replaces
	 * what the settings file says for it: given on the command line, any
	 * option of the setting makes the file's lines for it checked but not
	 * applied. 0: the option's own id.
	 */
	int setting;
};

/* Ids and settings are below this. */
#define CLI_ID_MAX 256

/* The setting row o changes: o->setting, or its own id. */
static inline int cli_setting_of(const struct cli_opt *o)
{
	return o->setting ? o->setting : o->id;
}

/* Rows; anything after the id sets further fields (.setting = X). */
#define CLI_FLAG(n, l, i, ...) {.name = n, .letter = l, .arg = no_argument, .id = i, __VA_ARGS__}
#define CLI_VALUE(n, l, i, ...)                                              \
	{.name = n, .letter = l, .arg = required_argument, .id = i, __VA_ARGS__}
#define CLI_OPTIONAL(n, l, i, ...)                                           \
	{.name = n, .letter = l, .arg = optional_argument, .id = i, __VA_ARGS__}
#define CLI_END {.name = NULL}

/* The ids every table shares; a command's or group's own start at
 * CLI_OPT_OWN. */
enum {
	CLI_OPT_CONFIG = 1,
	CLI_OPT_VERBOSE,
	CLI_OPT_QUIET,
	CLI_OPT_HELP,
	CLI_OPT_OWN
};

/* The end of every subcommand's table: --config, -v, -q, -h. */
#define CLI_COMMON_OPTIONS                                                   \
	CLI_VALUE("config", 0, CLI_OPT_CONFIG),                              \
	CLI_FLAG("verbose", 'v', CLI_OPT_VERBOSE),                           \
	CLI_FLAG("quiet", 'q', CLI_OPT_QUIET, .setting = CLI_OPT_VERBOSE),   \
	CLI_FLAG("help", 'h', CLI_OPT_HELP),                                 \
	CLI_END

/* One option as given: what apply() receives. */
struct cli_arg {
	int id;		   /* the row's id */
	const char *opt;   /* "--count": the option's name, for messages */
	const char *value; /* its argument; NULL for a flag */
	const char *file;  /* the settings file it came from; NULL: command line */
	unsigned line;	   /* and its line there */
};

/*
 * Apply one option. Returns 0 or an exit code (usually EXIT_USAGE from
 * cli_usage_at(a, ...) or a value parser, which name FILE:LINE for a
 * setting from a file).
 */
typedef int (*cli_apply_fn)(void *ctx, const struct cli_arg *a);

/* The operands a subcommand takes after its options. */
enum cli_operands {
	CLI_NO_OPERANDS, /* ifaces */
	CLI_GROUP,	 /* GROUP:PORT (or the settings file's group) */
	CLI_GROUP_WORDS	 /* GROUP:PORT then words (send's MESSAGE) */
};

/* A subcommand's options: everything cli_options() needs. */
struct cli_spec {
	const char *name; /* "send", "bench send": the settings file's section */
	const struct cli_opt *opts; /* ending with CLI_COMMON_OPTIONS */
	cli_apply_fn apply;
	const char *usage; /* what --help prints */
	enum cli_operands operands;
	/*
	 * Settings files are checked whole, whatever subcommand reads them, so
	 * [recv] count = abc is refused by send too: cli_check_setting()
	 * applies the setting to a zeroed scratch context of ctx_size bytes
	 * (0: settings are not checked), made ready by ctx_init and released
	 * by ctx_free when they are given.
	 */
	size_t ctx_size;
	void (*ctx_init)(void *ctx);
	void (*ctx_free)(void *ctx);
	bool sends; /* the group is a destination: port 0 is refused */
	/* The operand may name several groups, GROUP[+N]:PORT[,...], all of
	 * one family, listed in cfg->groups (send). */
	bool ranges;
};

/* cli_options() and cli_parse_args() after --help printed the usage: the
 * command ends with exit status 0. */
#define CLI_HELP_SHOWN (-1)

/*
 * Parse the options of a subcommand: first the settings of --config FILE
 * (if given; its section [spec->name] and the settings before any
 * section), then the command line, which comes later and so wins. Returns
 * 0 with optind at the first operand, CLI_HELP_SHOWN, or an exit code (2
 * for an unknown option, a bad value or an unreadable file, the message
 * naming FILE:LINE). cfg must be released with cli_config_free() in every
 * case; apply() may keep pointers to values until then.
 */
int cli_options(int argc, char **argv, const struct cli_spec *spec, void *ctx,
		struct cli_config *cfg);

/*
 * cli_options(), then the operands spec->operands allows: with CLI_GROUP
 * or CLI_GROUP_WORDS the group (from the command line, else the settings
 * file) parsed into *group, and for CLI_GROUP_WORDS optind left at the
 * first word (with a group in the file, the first word is the group only
 * if it reads as one). Returns 0, CLI_HELP_SHOWN or an exit code.
 */
int cli_parse_args(int argc, char **argv, const struct cli_spec *spec, void *ctx,
		   struct cli_config *cfg, mcast_addr *group);

/*
 * Check one setting for spec without keeping it, as described at
 * spec->ctx_size. Returns what apply() returns (0 or an exit code), 0 when
 * spec checks nothing, or EXIT_FAIL (out of memory, said on stderr).
 */
int cli_check_setting(const struct cli_spec *spec, const struct cli_arg *a);

/* The row named name in opts, or NULL. */
const struct cli_opt *cli_opt_find(const struct cli_opt *opts, const char *name);

/* A usage error for option a: "mcast: FILE:LINE: ..." for a setting from a
 * file, "mcast: ..." otherwise. Returns EXIT_USAGE. a may be NULL. */
int cli_usage_at(const struct cli_arg *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- Option values: parsed from a->value, named by a->opt ------------- */

/* Integer in [min, max], or a usage error naming option and value. */
int cli_uint(const struct cli_arg *a, uint64_t min, uint64_t max, uint64_t *out);
/* Duration (max 1 year), or a usage error. */
int cli_duration(const struct cli_arg *a, uint64_t *ns);
/* Size in [min, max], or a usage error. */
int cli_size(const struct cli_arg *a, uint64_t min, uint64_t max, uint64_t *out);
/* Only check that the interface a->value exists, while the option is
 * applied (so a settings file's line is named); cli_iface() resolves it
 * later. */
int cli_iface_check(const struct cli_arg *a);

#endif
