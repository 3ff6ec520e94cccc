/*
 * opt.c - the option loop every subcommand shares: the getopt string and
 * table derived from the rows, the settings file first, then the command
 * line, then the operands.
 */
#include "cli/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows in one table, at most; more is a programming error, caught by the
 * unit tests that walk every command's table. */
#define ROWS_MAX 64

/* getopt_long's value for a row without a letter: above every char. */
#define NO_LETTER 256

int cli_check_setting(const struct cli_spec *spec, const struct cli_arg *a)
{
	void *ctx;
	int rc;

	if (!spec->ctx_size)
		return 0;
	ctx = calloc(1, spec->ctx_size);
	if (!ctx) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	if (spec->ctx_init)
		spec->ctx_init(ctx);
	rc = spec->apply(ctx, a);
	if (spec->ctx_free)
		spec->ctx_free(ctx);
	free(ctx);
	return rc;
}

const struct cli_opt *cli_opt_find(const struct cli_opt *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

/*
 * Derive getopt_long's short option string (":" first, so that a missing
 * value is told apart from an unknown option) and long option table from
 * the rows. Returns the number of rows, or -1 for too many.
 */
static int derive(const struct cli_opt *opts, char *shorts, size_t room,
		  struct option *longs)
{
	size_t s = 0;
	int n = 0;

	shorts[s++] = ':';
	for (; opts[n].name; n++) {
		const struct cli_opt *o = &opts[n];

		if (n == ROWS_MAX || s + 4 > room)
			return -1;
		longs[n] = (struct option){o->name, o->arg, NULL,
					   o->letter ? o->letter : NO_LETTER + n};
		if (!o->letter)
			continue;
		shorts[s++] = o->letter;
		if (o->arg != no_argument)
			shorts[s++] = ':';
		if (o->arg == optional_argument)
			shorts[s++] = ':';
	}
	shorts[s] = '\0';
	longs[n] = (struct option){NULL, 0, NULL, 0};
	return n;
}

/* The row getopt_long's value c stands for, or NULL. */
static const struct cli_opt *row_of(const struct cli_opt *opts, int n, int c)
{
	if (c >= NO_LETTER && c < NO_LETTER + n)
		return &opts[c - NO_LETTER];
	for (int i = 0; i < n; i++)
		if (opts[i].letter && opts[i].letter == c)
			return &opts[i];
	return NULL;
}

/* Find --config FILE on the command line, before "--". */
static int find_config(int argc, char **argv, const char **path)
{
	*path = NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *p = NULL;

		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc)
				return cli_usage("option '--config' needs a value");
			p = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			p = argv[i] + 9;
		}
		if (p && *path)
			return cli_usage("--config: give one settings file");
		if (p)
			*path = p;
	}
	return 0;
}

/*
 * Mark in given[] the settings the command line gives, before the
 * settings file is read, so that the file's lines for them are only
 * checked. Errors are left to the real pass.
 */
static void scan_given(int argc, char **argv, const char *shorts,
		       const struct option *longs, const struct cli_opt *opts, int n,
		       bool *given)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_opt *o = row_of(opts, n, c);

		if (o && cli_setting_of(o) < CLI_ID_MAX)
			given[cli_setting_of(o)] = true;
	}
}

/* Print the usage; a failed write (stdout on /dev/full) is a failure. */
static int show_help(const struct cli_spec *spec)
{
	fputs(spec->usage, stdout);
	return cli_flush_stdout("the help") == EXIT_OK ? CLI_HELP_SHOWN : EXIT_FAIL;
}

/* Apply one command-line option: the common ones here, the rest through
 * the subcommand's apply(). *verbosity is the -v or -q seen so far. */
static int apply_arg(const struct cli_spec *spec, void *ctx, const struct cli_opt *o,
		     const char *value, int *verbosity)
{
	char name[80];
	struct cli_arg a = {.id = o->id, .opt = name, .value = value};

	if (o->id == CLI_OPT_CONFIG)
		return 0; /* loaded before the command line */
	if (o->id == CLI_OPT_HELP)
		return show_help(spec);
	if (o->id == CLI_OPT_VERBOSE || o->id == CLI_OPT_QUIET) {
		if (*verbosity && *verbosity != o->id)
			return cli_usage("choose -q or -v, not both");
		*verbosity = o->id;
		cli_common_option(o->id);
		return 0;
	}
	snprintf(name, sizeof(name), "--%s", o->name);
	return spec->apply(ctx, &a);
}

int cli_options(int argc, char **argv, const struct cli_spec *spec, void *ctx,
		struct cli_config *cfg)
{
	struct option longs[ROWS_MAX + 1];
	char shorts[3 * ROWS_MAX + 2];
	bool given[CLI_ID_MAX] = {false};
	const char *path;
	int c, n, rc, verbosity = 0;

	memset(cfg, 0, sizeof(*cfg));
	n = derive(spec->opts, shorts, sizeof(shorts), longs);
	if (n < 0) {
		cli_err("internal error: the option table of %s is too long", spec->name);
		return EXIT_FAIL;
	}
	rc = find_config(argc, argv, &path);
	if (rc == 0 && path) {
		scan_given(argc, argv, shorts, longs, spec->opts, n, given);
		rc = cli_config_load(path, spec, ctx, given, cfg);
	}
	if (rc)
		return rc;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_opt *o = row_of(spec->opts, n, c);

		if (c == '?' || c == ':' || !o)
			return cli_bad_option(c, argv);
		rc = apply_arg(spec, ctx, o, optarg, &verbosity);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_parse_args(int argc, char **argv, const struct cli_spec *spec, void *ctx,
		   struct cli_config *cfg, mcast_addr *group)
{
	const char *text;
	int rc = cli_options(argc, argv, spec, ctx, cfg);

	if (rc)
		return rc;
	if (spec->operands == CLI_NO_OPERANDS) {
		if (optind < argc)
			return cli_usage("unexpected argument '%s'", argv[optind]);
		return 0;
	}
	/*
	 * With a group in the settings file, a subcommand that takes words
	 * reads the first as the group only if it is one; otherwise every
	 * word is the message.
	 */
	if (spec->operands == CLI_GROUP_WORDS && cfg->group && optind < argc &&
	    mcast_addr_parse_group(group, argv[optind], NULL) < 0)
		text = cfg->group;
	else
		text = optind < argc ? argv[optind++] : cfg->group;
	if (spec->operands == CLI_GROUP && optind < argc)
		return cli_usage("unexpected argument '%s'", argv[optind]);
	if (!text)
		return cli_usage("missing GROUP:PORT");
	rc = spec->ranges ? cli_group_list(text, cfg) : cli_group(text, group);
	if (rc == 0 && spec->ranges) {
		*group = cfg->groups[0];
		for (size_t i = 1; i < cfg->n_groups; i++)
			if (mcast_addr_port(&cfg->groups[i]) == 0)
				*group = cfg->groups[i]; /* refused below */
	}
	/* Port 0 picks a free port for a receiver; a datagram cannot go to it. */
	if (rc == 0 && spec->sends && mcast_addr_port(group) == 0)
		rc = cli_usage("%s: a sender needs a port from 1 to 65535, not 0", text);
	return rc;
}
