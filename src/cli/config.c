/*
 * config.c - settings files and the option loop every subcommand shares.
 */
#include "cli/config.h"
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A settings file larger than this is surely not one. */
#define CONFIG_MAX (1 << 20)

static const struct option *find_option(const struct option *opts,
					const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

/* Is name an option of any subcommand? */
static bool known_anywhere(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (find_option(cli_commands[i].options, name))
			return true;
	return strcmp(name, "group") == 0;
}

/* 1 for yes/true/on/1 (or nothing), 0 for no/false/off/0, -1 otherwise. */
static int boolean(const char *v)
{
	static const char *yes[] = {"", "yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

/*
 * Cut the value out of a line in place: a quoted string (with \" and \\),
 * or bare text up to a comment, trimmed. Returns NULL for a bad quote.
 */
static char *value_of(char *p, bool *quote_trail)
{
	char *w, *end, *start;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '"') {
		for (end = p; *end; end++)
			if (*end == '#' && (end == p || isspace((unsigned char)end[-1])))
				break;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		return p;
	}
	start = w = ++p;
	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		*w++ = *p;
	}
	if (*p != '"')
		return NULL;
	for (end = p + 1; isspace((unsigned char)*end); end++)
		;
	if (*end && *end != '#') {
		*quote_trail = true;
		return NULL;
	}
	*w = '\0';
	return start;
}

/* Read the whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf;
	size_t n;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return -EISDIR;
	}
	buf = malloc(CONFIG_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, CONFIG_MAX + 1, f);
	if (ferror(f) || n > CONFIG_MAX) {
		int rc = ferror(f) ? -EIO : -EFBIG;

		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Apply the settings of one line: key and value, for subcommand cmd. */
static int apply_setting(const char *cmd, const struct option *opts,
			 const char *key, const char *val, bool global,
			 cli_apply_fn apply, void *ctx, struct cli_config *cfg)
{
	const struct option *o;
	int b;

	if (strcmp(key, "group") == 0) {
		mcast_addr g;

		cfg->group = val;
		/* Check it here, where the message can name the line. */
		return cli_group(val, &g);
	}
	if (strcmp(key, "config") == 0 || strcmp(key, "help") == 0)
		return cli_usage("'%s' cannot be set in a settings file", key);
	o = find_option(opts, key);
	if (!o) {
		if (global && known_anywhere(key))
			return 0; /* another subcommand's setting */
		return cli_usage("unknown setting '%s'%s%s%s", key,
				 global ? "" : " for [", global ? "" : cmd,
				 global ? "" : "]");
	}
	if (o->has_arg == required_argument)
		return apply(ctx, o->val, val, true);
	b = boolean(val);
	if (o->has_arg == optional_argument && b < 0)
		return apply(ctx, o->val, val, true);
	if (b < 0)
		return cli_usage("'%s' is a flag: expected yes or no, not '%s'", key, val);
	if (b == 1)
		return apply(ctx, o->val, NULL, true);
	/* "loop = no" is --no-loop; a flag without a "no-" twin just stays off. */
	{
		char no[64];

		snprintf(no, sizeof(no), "no-%s", key);
		o = find_option(opts, no);
	}
	return o ? apply(ctx, o->val, NULL, true) : 0;
}

/* Apply every setting of path that concerns cmd. Returns 0 or an exit code. */
static int load(const char *path, const char *cmd, const struct option *opts,
		cli_apply_fn apply, void *ctx, struct cli_config *cfg)
{
	char where[300], *line, *next;
	const char *section = NULL;
	unsigned lineno = 0;
	size_t len = 0;
	int rc = slurp(path, &cfg->text, &len);
	const char *nul;

	if (rc < 0)
		return cli_usage("cannot read settings file %s: %s", path, strerror(-rc));
	/* A NUL would silently cut a line short: a settings file is text. */
	nul = memchr(cfg->text, '\0', len);
	if (nul) {
		unsigned at = 1;

		for (const char *p = cfg->text; p < nul; p++)
			at += *p == '\n';
		return cli_usage("%s:%u: a NUL byte: not a text file", path, at);
	}
	for (line = cfg->text; line && rc == 0; line = next) {
		char *p = line, *key, *val;
		bool trail;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		cli_where = where;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '[') {
			char *close = strchr(p, ']');

			if (!close || close[1 + strspn(close + 1, " \t\r")] != '\0') {
				rc = cli_usage("malformed section header");
				continue;
			}
			*close = '\0';
			section = p + 1;
			if (!cli_command(section) || !cli_command(section)->options)
				rc = cli_usage("unknown section [%s]", section);
			continue;
		}
		/* "key = value", "key=value" and "key value" are all fine. */
		key = p;
		p += strcspn(p, "= \t\r");
		if (*p && *p != '=') {
			*p++ = '\0';
			p += strspn(p, " \t\r");
		}
		if (*p == '=')
			*p++ = '\0';
		trail = false;
		val = value_of(p, &trail);
		if (!val) {
			rc = trail ? cli_usage("unexpected text after the closing quote of '%s'",
					       key)
				   : cli_usage("unbalanced quotes in the value of '%s'", key);
			continue;
		}
		if (section && strcmp(section, cmd) != 0)
			continue;
		rc = apply_setting(cmd, opts, key, val, section == NULL, apply, ctx, cfg);
	}
	cli_where = NULL;
	return rc;
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

int cli_options(int argc, char **argv, const char *cmd, const char *optstring,
		const struct option *opts, cli_apply_fn apply, void *ctx,
		struct cli_config *cfg)
{
	const char *path;
	int c, rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = find_config(argc, argv, &path);
	if (rc == 0 && path)
		rc = load(path, cmd, opts, apply, ctx, cfg);
	if (rc)
		return rc;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(c, argv);
		if (c == CLI_OPT_CONFIG)
			continue; /* loaded above */
		rc = apply(ctx, c, optarg, false);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_common_option(int c, const char *usage)
{
	switch (c) {
	case 'v': cli_verbosity = LOG_VERBOSE; return 0;
	case 'q': cli_verbosity = LOG_QUIET; return 0;
	case 'h': fputs(usage, stdout); return -1;
	default: return cli_usage("unknown option");
	}
}

void cli_config_free(struct cli_config *cfg)
{
	free(cfg->text);
	cfg->text = NULL;
	cfg->group = NULL;
}
