/*
 * config.c - settings files: read, cut into settings, each applied with
 * its FILE:LINE.
 */
#include "cli/config.h"
#include "cli/opt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* A settings file larger than this is surely not one. */
#define CONFIG_MAX (1 << 20)

/* The first subcommand with an option name (or with any settings, for
 * "group"), or NULL. */
static const struct cli_spec *known_anywhere(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_spec *spec = cli_commands[i].spec;

		if (spec && (cli_opt_find(spec->opts, name) || strcmp(name, "group") == 0))
			return spec;
	}
	return NULL;
}

/*
 * Where the settings of a line go: to the running subcommand (ctx set),
 * or, for another subcommand's section or setting, only checked
 * (cli_check_setting()).
 * given marks the settings the command line gives, which replace the
 * file's: those are checked, not applied.
 */
struct target {
	const struct cli_spec *spec;
	void *ctx;
	const bool *given;
	struct cli_config *cfg;
};

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

/* Apply (or only check) option o from a file, with value val (NULL for
 * a flag). */
static int apply_row(const struct target *t, const struct cli_opt *o,
		     const char *val, const struct cli_arg *at)
{
	char name[80];
	struct cli_arg a = *at;
	bool replaced = t->given && t->given[cli_setting_of(o)];

	snprintf(name, sizeof(name), "--%s", o->name);
	a.id = o->id;
	a.opt = name;
	a.value = val;
	if (o->id == CLI_OPT_VERBOSE || o->id == CLI_OPT_QUIET) {
		if (t->ctx && !replaced)
			cli_common_option(o->id);
		return 0;
	}
	if (t->ctx && !replaced)
		return t->spec->apply(t->ctx, &a);
	return cli_check_setting(t->spec, &a);
}

/* "group = GROUP:PORT": checked here, where the message can name the
 * line; kept when it is for the running subcommand. */
static int set_group(const struct target *t, const char *val, const struct cli_arg *at)
{
	mcast_addr g;
	mcast_error e;

	if (mcast_addr_parse_group(&g, val, &e) < 0)
		return cli_usage_at(at, "%s", e.msg);
	if (t->ctx)
		t->cfg->group = val;
	return 0;
}

/* Apply the settings of one line, key and value, to target t; global
 * for a line before any section. */
static int apply_setting(const struct target *t, const char *key, const char *val,
			 bool global, const struct cli_arg *at)
{
	const struct cli_spec *other;
	const struct cli_opt *o;
	int b;

	if (strcmp(key, "group") == 0)
		return set_group(t, val, at);
	if (strcmp(key, "config") == 0 || strcmp(key, "help") == 0)
		return cli_usage_at(at, "'%s' cannot be set in a settings file", key);
	o = cli_opt_find(t->spec->opts, key);
	other = !o && global ? known_anywhere(key) : NULL;
	if (other) {
		/* Another subcommand's setting: it checks the value. */
		struct target ot = {other, NULL, NULL, t->cfg};

		return apply_setting(&ot, key, val, false, at);
	}
	if (!o)
		return cli_usage_at(at, "unknown setting '%s'%s%s%s", key,
				    global ? "" : " for [", global ? "" : t->spec->name,
				    global ? "" : "]");
	if (o->arg == required_argument)
		return apply_row(t, o, val, at);
	b = boolean(val);
	if (o->arg == optional_argument && b < 0)
		return apply_row(t, o, val, at);
	if (b < 0)
		return cli_usage_at(at, "'%s' is a flag: expected yes or no, not '%s'",
				    key, val);
	if (b == 1)
		return apply_row(t, o, NULL, at);
	/* "loop = no" is --no-loop; a flag without a "no-" twin just stays off. */
	{
		char no[64];

		snprintf(no, sizeof(no), "no-%s", key);
		o = cli_opt_find(t->spec->opts, no);
	}
	return o ? apply_row(t, o, NULL, at) : 0;
}

/* The line number of the first NUL in text, or 0 if there is none. */
static unsigned nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	unsigned at = 1;

	if (!nul)
		return 0;
	for (const char *p = text; p < nul; p++)
		at += *p == '\n';
	return at;
}

/*
 * A section header "[name]" at p: the target of the lines under it (the
 * running subcommand's, or another's to be checked only), or an error.
 */
static int section_of(char *p, struct target *t, const struct target *own,
		      const struct cli_arg *at)
{
	char *close = strchr(p, ']');
	const struct cli_cmd *c;

	if (!close || close[1 + strspn(close + 1, " \t\r")] != '\0')
		return cli_usage_at(at, "malformed section header");
	*close = '\0';
	c = cli_command(p + 1);
	if (!c || !c->spec)
		return cli_usage_at(at, "unknown section [%s]", p + 1);
	if (strcmp(p + 1, own->spec->name) == 0)
		*t = *own;
	else
		*t = (struct target){c->spec, NULL, NULL, own->cfg};
	return 0;
}

/* Cut "key = value", "key=value" or "key value" at p. Returns 0, or an
 * error for a bad quote. */
static int key_value(char *p, char **key, char **val, const struct cli_arg *at)
{
	bool trail = false;

	*key = p;
	p += strcspn(p, "= \t\r");
	if (*p && *p != '=') {
		*p++ = '\0';
		p += strspn(p, " \t\r");
	}
	if (*p == '=')
		*p++ = '\0';
	*val = value_of(p, &trail);
	if (*val)
		return 0;
	return trail ? cli_usage_at(at, "unexpected text after the closing quote of '%s'",
				    *key)
		     : cli_usage_at(at, "unbalanced quotes in the value of '%s'", *key);
}

int cli_config_load(const char *path, const struct cli_spec *spec, void *ctx,
		    const bool *given, struct cli_config *cfg)
{
	const struct target own = {spec, ctx, given, cfg};
	struct cli_arg at = {.file = path};
	struct target t = own;
	bool global = true;
	char *line, *next;
	size_t len = 0;
	int rc = slurp(path, &cfg->text, &len);

	if (rc < 0)
		return cli_usage("cannot read settings file %s: %s", path, strerror(-rc));
	/* A NUL would silently cut a line short: a settings file is text. */
	at.line = nul_line(cfg->text, len);
	if (at.line)
		return cli_usage_at(&at, "a NUL byte: not a text file");
	for (line = cfg->text; line && rc == 0; line = next) {
		char *p = line, *key, *val;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		at.line++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '[') {
			rc = section_of(p, &t, &own, &at);
			global = false;
			continue;
		}
		rc = key_value(p, &key, &val, &at);
		if (rc == 0)
			rc = apply_setting(&t, key, val, global, &at);
	}
	return rc;
}

bool cli_common_option(int id)
{
	switch (id) {
	case CLI_OPT_VERBOSE: cli_verbosity = LOG_VERBOSE; return true;
	case CLI_OPT_QUIET: cli_verbosity = LOG_QUIET; return true;
	default: return false;
	}
}

void cli_config_free(struct cli_config *cfg)
{
	free(cfg->text);
	cfg->text = NULL;
	cfg->group = NULL;
	free(cfg->groups);
	cfg->groups = NULL;
	cfg->n_groups = 0;
}
