/*
 * test_config.c - settings files and the shared option loop
 * (src/cli/opt.h, src/cli/config.h): cli_options() with --config FILE.
 *
 * Each test writes a settings file (mkstemp), runs cli_options() with an
 * apply callback that records every (option id, value, from a file) call, and
 * captures what went to standard error by pointing fd 2 at a temp file.
 * What is asserted is what a user sees: which settings took effect, in
 * which order, the exit code, and the message with its FILE:LINE.
 *
 * Most tests use a small option table of their own for subcommand "send";
 * sections and "known to another subcommand" are decided by the real
 * command table (src/cli/commands.c), so a few tests use the real
 * option tables of send and recv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"

/* ---- A fake option table ------------------------------------------------ */

enum {
	O_IFACE = CLI_OPT_OWN,
	O_COUNT,
	O_TEMPLATE,
	O_LOOP,
	O_NO_LOOP,
	O_JSON,
	O_STDIN,
	O_HEX
};

static const struct cli_opt fake_options[] = {
	CLI_VALUE("interface", 'i', O_IFACE),
	CLI_VALUE("count", 'n', O_COUNT),
	CLI_VALUE("template", 'T', O_TEMPLATE),
	CLI_FLAG("loop", 0, O_LOOP),
	CLI_FLAG("no-loop", 0, O_NO_LOOP, .setting = O_LOOP),
	CLI_FLAG("json", 0, O_JSON),
	CLI_OPTIONAL("stdin", 0, O_STDIN),
	/* --hex and --json set one thing, as recv's --hex and --json do. */
	CLI_FLAG("hex", 0, O_HEX, .setting = O_JSON),
	CLI_VALUE("config", 0, CLI_OPT_CONFIG),
	CLI_FLAG("help", 'h', CLI_OPT_HELP),
	CLI_END,
};

/* ---- Recording apply ---------------------------------------------------- */

#define MAX_CALLS 32

struct call {
	int c;
	char *arg; /* NULL when apply got NULL */
	bool from_file;
};

struct result {
	int rc;
	int optind;
	char *operand; /* argv[optind] afterwards, copied, or NULL */
	char *err;   /* everything written to stderr */
	char *group; /* cfg.group, copied, or NULL */
	struct call calls[MAX_CALLS];
	size_t n;
};

/*
 * Record the call. --count is checked the way a subcommand checks it, so
 * that a bad value shows where the message comes from.
 */
static int record(void *ctx, const struct cli_arg *a)
{
	struct result *r = ctx;
	uint64_t v;

	assert_true(r->n < MAX_CALLS);
	r->calls[r->n].c = a->id;
	r->calls[r->n].arg = a->value ? strdup(a->value) : NULL;
	r->calls[r->n].from_file = a->file != NULL;
	r->n++;
	if (strcmp(a->opt, "--count") == 0)
		return cli_uint(a, 0, 1000, &v);
	return 0;
}

static void result_free(struct result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->calls[i].arg);
	free(r->err);
	free(r->group);
	free(r->operand);
	memset(r, 0, sizeof(*r));
}

/* The fake table's settings are checked by record() on a scratch result
 * (--count checked, nothing recorded in the run's), thrown away here. */
static void scratch_free(void *ctx)
{
	result_free(ctx);
}

/* ---- The settings file and stderr --------------------------------------- */

static char path[64];

static int make_file(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s", "/tmp/mcast-test-config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Write text (exactly, no newline added) as the settings file. */
static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static char *slurp_fd(int fd)
{
	char *buf = calloc(1, 65536);
	ssize_t n;

	assert_non_null(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, 65535);
	assert_true(n >= 0);
	return buf;
}

/*
 * Run cli_options(cmd) on argv {cmd, args...} (args NULL-terminated; "@"
 * stands for the settings file's path), with the recording apply, and
 * capture stderr.
 */
static void run_with(struct result *r, const char *cmd, const struct cli_opt *opts,
		     const char *const *args)
{
	char *argv[32], err_path[] = "/tmp/mcast-test-stderr.XXXXXX";
	const struct cli_spec spec = {.name = cmd, .opts = opts, .apply = record,
				      .ctx_size = sizeof(struct result),
				      .ctx_free = scratch_free, .usage = ""};
	struct cli_config cfg;
	int argc = 0, saved, fd;

	memset(r, 0, sizeof(*r));
	argv[argc++] = strdup(cmd);
	for (; *args; args++) {
		assert_true(argc < 31);
		argv[argc++] = strdup(strcmp(*args, "@") == 0 ? path : *args);
	}
	argv[argc] = NULL;

	fd = mkstemp(err_path);
	assert_true(fd >= 0);
	unlink(err_path);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) == 2);

	r->rc = cli_options(argc, argv, &spec, r, &cfg);

	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	r->err = slurp_fd(fd);
	close(fd);
	r->optind = optind;
	r->operand = optind < argc ? strdup(argv[optind]) : NULL;
	r->group = cfg.group ? strdup(cfg.group) : NULL;
	cli_config_free(&cfg);
	assert_null(cfg.text);
	assert_null(cfg.group);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The fake table as "send", with the settings file text (NULL for none). */
static void run_fake(struct result *r, const char *text, const char *const *args)
{
	if (text)
		write_file(text);
	run_with(r, "send", fake_options, args);
}

/* Load text with --config and nothing else on the command line. */
static void load_fake(struct result *r, const char *text)
{
	run_fake(r, text, ARGS("--config", "@"));
}

/* ---- Assertions --------------------------------------------------------- */

static void print_calls(const struct result *r)
{
	print_error("%zu apply call(s):\n", r->n);
	for (size_t i = 0; i < r->n; i++)
		print_error("  c=%d arg=%s%s%s from_file=%d\n", r->calls[i].c,
			    r->calls[i].arg ? "\"" : "",
			    r->calls[i].arg ? r->calls[i].arg : "NULL",
			    r->calls[i].arg ? "\"" : "", r->calls[i].from_file);
	print_error("rc=%d stderr: %s\n", r->rc, r->err);
}

/* Call i was apply(c, arg, from_file); arg NULL means apply got NULL. */
static void expect_call(const struct result *r, size_t i, int c, const char *arg,
			bool from_file)
{
	const struct call *k = &r->calls[i];
	bool same = i < r->n && k->c == c && k->from_file == from_file &&
		    (arg ? k->arg && strcmp(k->arg, arg) == 0 : !k->arg);

	if (!same) {
		print_calls(r);
		fail_msg("call %zu: want c=%d arg=%s from_file=%d", i, c,
			 arg ? arg : "NULL", from_file);
	}
}

static void expect_ncalls(const struct result *r, size_t n)
{
	if (r->n != n) {
		print_calls(r);
		fail_msg("%zu apply calls, want %zu", r->n, n);
	}
}

/* Success, nothing on stderr. */
static void expect_ok(const struct result *r)
{
	if (r->rc != 0 || r->err[0]) {
		print_calls(r);
		fail_msg("want rc 0 and a quiet stderr");
	}
}

/*
 * A usage error: exit code 2 and exactly one line on stderr,
 * "mcast: FILE:LINE: msg" (line 0: no FILE:LINE prefix; line -1: the
 * message only has to contain msg, with the file's path in it).
 */
static void expect_usage(const struct result *r, int line, const char *msg)
{
	char want[512];

	if (line > 0)
		snprintf(want, sizeof(want), "mcast: %s:%d: %s\n", path, line, msg);
	else
		snprintf(want, sizeof(want), "mcast: %s\n", msg);
	if (r->rc != EXIT_USAGE) {
		print_calls(r);
		fail_msg("rc %d, want %d", r->rc, EXIT_USAGE);
	}
	if (line >= 0 && strcmp(r->err, want) != 0)
		fail_msg("stderr \"%s\", want \"%s\"", r->err, want);
	if (line < 0 && (!strstr(r->err, msg) || !strstr(r->err, path) ||
			 strncmp(r->err, "mcast: ", 7) != 0))
		fail_msg("stderr \"%s\" lacks \"%s\" or the path %s", r->err, msg, path);
}

/* The id of option name in a real table. */
static int val_of(const struct cli_opt *opts, const char *name)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return opts->id;
	fail_msg("no option --%s", name);
	return 0;
}

/* ---- Tests: the line syntax -------------------------------------------- */

static void test_key_value_forms(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\n"
		      "count=2\n"
		      "count 3\n"
		      "count\t4\n"
		      "   count   =   5   \n"
		      "\tcount =6\n"
		      "count= 7\n"
		      "template = a=b = c\n"
		      "template x = y\n");
	expect_ok(&r);
	expect_ncalls(&r, 9);
	for (int i = 0; i < 7; i++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", i + 1);
		expect_call(&r, (size_t)i, O_COUNT, v, true);
	}
	/* Only the first '=' separates; later ones belong to the value. */
	expect_call(&r, 7, O_TEMPLATE, "a=b = c", true);
	/* "key value": everything after the key is the value. */
	expect_call(&r, 8, O_TEMPLATE, "x = y", true);
	result_free(&r);
}

static void test_comments(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "# a comment\n"
		      "   # an indented comment\n"
		      "\t#count = 99\n"
		      "\n"
		      "   \n"
		      "count = 1 # after white space\n"
		      "count = 2\t# after a tab\n"
		      "template = a#b\n"
		      "template = a# b\n"
		      "template = a #b\n"
		      "template = #all comment\n"
		      "json # a flag with a comment\n");
	expect_ok(&r);
	expect_ncalls(&r, 7);
	expect_call(&r, 0, O_COUNT, "1", true);
	expect_call(&r, 1, O_COUNT, "2", true);
	/* A '#' inside a word is not a comment. */
	expect_call(&r, 2, O_TEMPLATE, "a#b", true);
	expect_call(&r, 3, O_TEMPLATE, "a# b", true);
	expect_call(&r, 4, O_TEMPLATE, "a", true);
	expect_call(&r, 5, O_TEMPLATE, "", true);
	expect_call(&r, 6, O_JSON, NULL, true);
	result_free(&r);
}

static void test_quotes(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "template = \"two  words\"\n"
		      "template = \"keeps # and #this\"\n"
		      "template = \"say \\\"hi\\\"\"\n"
		      "template = \"back\\\\slash\"\n"
		      "template = \"C:\\dir\\n\"\n"
		      "template = \"  padded  \"   # a comment after it\n"
		      "template=\"\"\n"
		      "template \"ATU {time} seq={seq} host={host} kW=21.5\"\n");
	expect_ok(&r);
	expect_ncalls(&r, 8);
	expect_call(&r, 0, O_TEMPLATE, "two  words", true);
	expect_call(&r, 1, O_TEMPLATE, "keeps # and #this", true);
	expect_call(&r, 2, O_TEMPLATE, "say \"hi\"", true);
	expect_call(&r, 3, O_TEMPLATE, "back\\slash", true);
	/* Only \" and \\ are escapes; other backslashes stay. */
	expect_call(&r, 4, O_TEMPLATE, "C:\\dir\\n", true);
	expect_call(&r, 5, O_TEMPLATE, "  padded  ", true);
	expect_call(&r, 6, O_TEMPLATE, "", true);
	expect_call(&r, 7, O_TEMPLATE, "ATU {time} seq={seq} host={host} kW=21.5", true);
	result_free(&r);
}

static void test_unbalanced_quotes(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\n# two\ntemplate = \"no end\ncount = 4\n");
	expect_usage(&r, 3, "unbalanced quotes in the value of 'template'");
	/* Settings before the bad line were applied; none after it. */
	expect_ncalls(&r, 1);
	expect_call(&r, 0, O_COUNT, "1", true);
	result_free(&r);

	load_fake(&r, "template = \"ends with an escaped quote\\\"\n");
	expect_usage(&r, 1, "unbalanced quotes in the value of 'template'");
	result_free(&r);

	/* Text after the closing quote that is not a comment. */
	load_fake(&r, "\n\ntemplate = \"a\" b\n");
	assert_int_equal(r.rc, EXIT_USAGE);
	expect_usage(&r, -1, ":3: ");
	expect_ncalls(&r, 0);
	result_free(&r);
}

static void test_flags(void **state)
{
	static const struct {
		const char *line;
		int c; /* 0: no call */
	} t[] = {
		{"json = yes\n", O_JSON},   {"json = true\n", O_JSON},
		{"json = on\n", O_JSON},    {"json = 1\n", O_JSON},
		{"json = YES\n", O_JSON},   {"json = True\n", O_JSON},
		{"json\n", O_JSON},	    {"json =\n", O_JSON},
		{"json = no\n", 0},	    {"json = false\n", 0},
		{"json = off\n", 0},	    {"json = 0\n", 0},
		{"json = OFF\n", 0},	    {"loop = yes\n", O_LOOP},
		{"loop = no\n", O_NO_LOOP}, {"loop = False\n", O_NO_LOOP},
		{"no-loop = yes\n", O_NO_LOOP},
	};
	struct result r;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		load_fake(&r, t[i].line);
		if (r.rc != 0 || r.n != (t[i].c ? 1u : 0u) ||
		    (t[i].c && (r.calls[0].c != t[i].c || r.calls[0].arg ||
				!r.calls[0].from_file))) {
			print_calls(&r);
			fail_msg("line \"%.*s\": want %s", (int)strlen(t[i].line) - 1,
				 t[i].line, t[i].c ? "one call, NULL argument" : "no call");
		}
		result_free(&r);
	}
}

static void test_bad_flag(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\njson = maybe\ncount = 3\n");
	expect_usage(&r, 2, "'json' is a flag: expected yes or no, not 'maybe'");
	expect_ncalls(&r, 1);
	result_free(&r);

	load_fake(&r, "loop = nope\n");
	expect_usage(&r, 1, "'loop' is a flag: expected yes or no, not 'nope'");
	expect_ncalls(&r, 0);
	result_free(&r);
}

/* An option with an optional argument: a yes/no value is the flag, any
 * other value is the argument. */
static void test_optional_argument(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "stdin = raw\nstdin = yes\nstdin\nstdin = no\n");
	expect_ok(&r);
	expect_ncalls(&r, 3);
	expect_call(&r, 0, O_STDIN, "raw", true);
	expect_call(&r, 1, O_STDIN, NULL, true);
	expect_call(&r, 2, O_STDIN, NULL, true);
	result_free(&r);
}

/* A bad value, refused by the subcommand's apply: the message names the
 * file and line; the same bad value on the command line does not. */
static void test_bad_value(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "# settings\n\ncount = abc\n");
	expect_usage(&r, 3, "--count: 'abc' is not a number");
	result_free(&r);

	run_fake(&r, "count = 5\n", ARGS("--config", "@", "-n", "abc"));
	expect_usage(&r, 0, "--count: 'abc' is not a number");
	result_free(&r);
}

static void test_crlf(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "# written on Windows\r\n"
		      "count = 1\r\n"
		      "count=2\r\n"
		      "template = \"quoted # value\"\r\n"
		      "template = a b  # comment\r\n"
		      "json\r\n"
		      "loop = no\r\n"
		      "\r\n"
		      "[send]\r\n"
		      "count 3\r\n"
		      "[recv]\r\n"
		      "count = 4\r\n");
	expect_ok(&r);
	expect_ncalls(&r, 7);
	expect_call(&r, 0, O_COUNT, "1", true);
	expect_call(&r, 1, O_COUNT, "2", true);
	expect_call(&r, 2, O_TEMPLATE, "quoted # value", true);
	expect_call(&r, 3, O_TEMPLATE, "a b", true);
	expect_call(&r, 4, O_JSON, NULL, true);
	expect_call(&r, 5, O_NO_LOOP, NULL, true);
	expect_call(&r, 6, O_COUNT, "3", true);
	result_free(&r);

	/* Line numbers count CRLF lines too. */
	load_fake(&r, "count = 1\r\n\r\nbogus = 1\r\n");
	expect_usage(&r, 3, "unknown setting 'bogus'");
	result_free(&r);
}

static void test_no_final_newline(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\ncount = 2");
	expect_ok(&r);
	expect_ncalls(&r, 2);
	expect_call(&r, 1, O_COUNT, "2", true);
	result_free(&r);

	load_fake(&r, "");
	expect_ok(&r);
	expect_ncalls(&r, 0);
	assert_null(r.group);
	result_free(&r);
}

/* ---- Tests: sections and unknown settings ------------------------------ */

static void test_sections(void **state)
{
	/* [recv] is checked by the real recv table when send reads the file,
	 * so it holds only what both tables have. */
	const char *text = "count = 1\n"
			   "[send]\n"
			   "count = 2\n"
			   "template = send only\n"
			   "[recv]   \n"
			   "count = 3\n"
			   "json\n"
			   "[send]\n"
			   "count = 4\n";
	struct result r;

	(void)state;
	write_file(text);
	run_with(&r, "send", fake_options, ARGS("--config", "@"));
	expect_ok(&r);
	expect_ncalls(&r, 4);
	expect_call(&r, 0, O_COUNT, "1", true);
	expect_call(&r, 1, O_COUNT, "2", true);
	expect_call(&r, 2, O_TEMPLATE, "send only", true);
	expect_call(&r, 3, O_COUNT, "4", true);
	result_free(&r);

	/* The same file and table, read as "recv". */
	run_with(&r, "recv", fake_options, ARGS("--config", "@"));
	expect_ok(&r);
	expect_ncalls(&r, 3);
	expect_call(&r, 0, O_COUNT, "1", true);
	expect_call(&r, 1, O_COUNT, "3", true);
	expect_call(&r, 2, O_JSON, NULL, true);
	result_free(&r);
}

static void test_unknown_setting(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\n# comment\n\nbogus = 1\ncount = 5\n");
	expect_usage(&r, 4, "unknown setting 'bogus'");
	expect_ncalls(&r, 1);
	result_free(&r);

	load_fake(&r, "[send]\ncount = 1\nbogus = yes\n");
	expect_usage(&r, 3, "unknown setting 'bogus' for [send]");
	result_free(&r);

	/* In a section of this subcommand, another subcommand's option is
	 * unknown too: "reply" is recv's, not send's. */
	load_fake(&r, "[send]\nreply = ack\n");
	expect_usage(&r, 2, "unknown setting 'reply' for [send]");
	result_free(&r);

	/* A typo in [recv] is found whichever subcommand reads the file. */
	write_file("[recv]\nbogus = 1\n");
	run_with(&r, "send", fake_options, ARGS("--config", "@"));
	expect_usage(&r, 2, "unknown setting 'bogus' for [recv]");
	result_free(&r);
	run_with(&r, "recv", fake_options, ARGS("--config", "@"));
	expect_usage(&r, 2, "unknown setting 'bogus' for [recv]");
	result_free(&r);

	/* --config and --help cannot come from a settings file. */
	load_fake(&r, "config = /etc/other.conf\n");
	expect_usage(&r, 1, "'config' cannot be set in a settings file");
	result_free(&r);
	load_fake(&r, "\nhelp\n");
	expect_usage(&r, 2, "'help' cannot be set in a settings file");
	result_free(&r);
}

/*
 * Settings before any section go to every subcommand that has the option;
 * a subcommand skips those that only another subcommand knows. The real
 * tables: ttl is send's, reply and echo are recv's, count is both's.
 */
static void test_global_other_subcommand(void **state)
{
	const char *text = "interface = eth0\n"
			   "ttl = 4\n"
			   "reply = ack\n"
			   "echo = yes\n"
			   "reply-rate = 2/s\n"
			   "count = 3\n"
			   "loop = no\n";
	struct result r;

	(void)state;
	write_file(text);
	run_with(&r, "send", send_spec.opts, ARGS("--config", "@"));
	expect_ok(&r);
	expect_ncalls(&r, 4);
	expect_call(&r, 0, val_of(send_spec.opts, "interface"), "eth0", true);
	expect_call(&r, 1, val_of(send_spec.opts, "ttl"), "4", true);
	expect_call(&r, 2, val_of(send_spec.opts, "count"), "3", true);
	expect_call(&r, 3, val_of(send_spec.opts, "no-loop"), NULL, true);
	result_free(&r);

	run_with(&r, "recv", recv_spec.opts, ARGS("--config", "@"));
	expect_ok(&r);
	expect_ncalls(&r, 5);
	expect_call(&r, 0, val_of(recv_spec.opts, "interface"), "eth0", true);
	expect_call(&r, 1, val_of(recv_spec.opts, "reply"), "ack", true);
	expect_call(&r, 2, val_of(recv_spec.opts, "echo"), NULL, true);
	expect_call(&r, 3, val_of(recv_spec.opts, "reply-rate"), "2/s", true);
	expect_call(&r, 4, val_of(recv_spec.opts, "count"), "3", true);
	result_free(&r);

	/* An option no subcommand has is an error even before any section. */
	write_file("count = 1\nttl = 4\ntll = 4\n");
	run_with(&r, "recv", recv_spec.opts, ARGS("--config", "@"));
	expect_usage(&r, 3, "unknown setting 'tll'");
	result_free(&r);
}

static void test_bad_sections(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "count = 1\n[nosuch]\ncount = 2\n");
	expect_usage(&r, 2, "unknown section [nosuch]");
	expect_ncalls(&r, 1);
	result_free(&r);

	/* help is a subcommand, but one without settings. */
	load_fake(&r, "[help]\n");
	expect_usage(&r, 1, "unknown section [help]");
	result_free(&r);

	load_fake(&r, "[SEND]\n");
	expect_usage(&r, 1, "unknown section [SEND]");
	result_free(&r);

	load_fake(&r, "\n[send\ncount = 1\n");
	expect_usage(&r, 2, "malformed section header");
	expect_ncalls(&r, 0);
	result_free(&r);

	load_fake(&r, "[send] count = 1\n");
	expect_usage(&r, 1, "malformed section header");
	result_free(&r);

	load_fake(&r, "[send]]\n");
	expect_usage(&r, 1, "malformed section header");
	result_free(&r);
}

/* ---- Tests: group, order, --config itself ------------------------------ */

static void test_group(void **state)
{
	struct result r;

	(void)state;
	load_fake(&r, "group = 239.10.0.1:5000\n");
	expect_ok(&r);
	expect_ncalls(&r, 0);
	assert_non_null(r.group);
	assert_string_equal(r.group, "239.10.0.1:5000");
	result_free(&r);

	/* The group of a section beats the global one, for that subcommand. */
	write_file("group = 239.10.0.1:5000\n"
		   "[recv]\ngroup = \"[ff15::1]:6000\"  # quoted\n");
	run_with(&r, "recv", fake_options, ARGS("--config", "@"));
	expect_ok(&r);
	assert_string_equal(r.group, "[ff15::1]:6000");
	result_free(&r);
	run_with(&r, "send", fake_options, ARGS("--config", "@"));
	expect_ok(&r);
	assert_string_equal(r.group, "239.10.0.1:5000");
	result_free(&r);

	/* Without a group line there is none. */
	load_fake(&r, "count = 1\n");
	assert_null(r.group);
	result_free(&r);
}

/*
 * The file first, then the command line; a setting the command line gives
 * replaces the file's, which is not applied at all.
 */
static void test_command_line_after_file(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "count = 5\ntemplate = from file\njson\ninterface = eth0\n",
		 ARGS("-n", "7", "--config", "@", "-i", "eth1", "239.1.2.3:5000",
		      "-T", "from command line"));
	expect_ok(&r);
	expect_ncalls(&r, 4);
	expect_call(&r, 0, O_JSON, NULL, true);
	expect_call(&r, 1, O_COUNT, "7", false);
	expect_call(&r, 2, O_IFACE, "eth1", false);
	expect_call(&r, 3, O_TEMPLATE, "from command line", false);
	/* --config itself is not passed to apply; optind is at the operand. */
	assert_non_null(r.operand);
	assert_string_equal(r.operand, "239.1.2.3:5000");
	result_free(&r);

	/* --config=FILE works the same. */
	run_fake(&r, "count = 5\n", ARGS("--config=/nonexistent", "-n", "1"));
	assert_int_equal(r.rc, EXIT_USAGE);
	assert_non_null(strstr(r.err, "/nonexistent"));
	result_free(&r);
	{
		char arg[128];

		snprintf(arg, sizeof(arg), "--config=%s", path);
		run_fake(&r, "count = 5\njson\n", ARGS(arg, "-n", "1"));
		expect_ok(&r);
		expect_ncalls(&r, 2);
		expect_call(&r, 0, O_JSON, NULL, true);
		expect_call(&r, 1, O_COUNT, "1", false);
		result_free(&r);
	}

	/* Without --config there is nothing but the command line. */
	run_fake(&r, NULL, ARGS("-n", "2", "239.1.2.3:5000"));
	expect_ok(&r);
	expect_ncalls(&r, 1);
	expect_call(&r, 0, O_COUNT, "2", false);
	assert_null(r.group);
	result_free(&r);
}

/* A settings file that fails stops everything: no command-line option is
 * applied after it. */
static void test_file_error_stops(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "bogus = 1\n", ARGS("--config", "@", "-n", "2"));
	expect_usage(&r, 1, "unknown setting 'bogus'");
	expect_ncalls(&r, 0);
	result_free(&r);
}

static void test_config_twice(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "count = 1\n", ARGS("--config", "@", "--config", "@"));
	expect_usage(&r, 0, "--config: give one settings file");
	expect_ncalls(&r, 0);
	result_free(&r);

	run_fake(&r, "count = 1\n", ARGS("--config=/a", "-n", "1", "--config", "@"));
	expect_usage(&r, 0, "--config: give one settings file");
	expect_ncalls(&r, 0);
	result_free(&r);

	run_fake(&r, NULL, ARGS("-n", "1", "--config"));
	expect_usage(&r, 0, "option '--config' needs a value");
	result_free(&r);

	/* After "--" it is an operand, not an option. */
	run_fake(&r, NULL, ARGS("-n", "1", "--", "--config", "x"));
	expect_ok(&r);
	expect_ncalls(&r, 1);
	assert_non_null(r.operand);
	assert_string_equal(r.operand, "--config");
	result_free(&r);
}

static void test_unreadable(void **state)
{
	struct result r;
	char want[256];

	(void)state;
	run_with(&r, "send", fake_options,
		 ARGS("--config", "/nonexistent/mcast.conf", "-n", "1"));
	expect_usage(&r, 0, "cannot read settings file /nonexistent/mcast.conf: "
			    "No such file or directory");
	expect_ncalls(&r, 0);
	result_free(&r);

	/* A directory is not a settings file either. */
	run_with(&r, "send", fake_options, ARGS("--config", "/tmp"));
	snprintf(want, sizeof(want), "mcast: cannot read settings file /tmp: ");
	assert_int_equal(r.rc, EXIT_USAGE);
	if (strncmp(r.err, want, strlen(want)) != 0)
		fail_msg("stderr \"%s\", want it to start \"%s\"", r.err, want);
	result_free(&r);
}

/* Command-line errors: unknown options, --help. */
static void test_command_line(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "count = 1\n", ARGS("--config", "@", "--bogus"));
	expect_usage(&r, 0, "unknown option '--bogus'");
	/* The file was read first; its settings were applied. */
	expect_ncalls(&r, 1);
	result_free(&r);

	run_fake(&r, NULL, ARGS("-h"));
	assert_int_equal(r.rc, CLI_HELP_SHOWN);
	result_free(&r);
}

/*
 * Every subcommand's table: names, letters and ids unique within it, no id
 * 0, at most 64 rows, and the common options at the end; a short letter
 * and its long name reach apply() as the same option.
 */
static void test_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_spec *s = cli_commands[i].spec;
		size_t n = 0;

		if (!s)
			continue;
		assert_string_equal(s->name, cli_commands[i].name);
		for (const struct cli_opt *a = s->opts; a->name; a++, n++) {
			assert_true(a->id != 0);
			for (const struct cli_opt *b = a + 1; b->name; b++) {
				if (strcmp(a->name, b->name) == 0 || a->id == b->id ||
				    (a->letter && a->letter == b->letter))
					fail_msg("%s: --%s and --%s clash", s->name, a->name,
						 b->name);
			}
		}
		assert_true(n <= 64);
		assert_true(n >= 4);
		assert_int_equal(s->opts[n - 4].id, CLI_OPT_CONFIG);
		assert_int_equal(s->opts[n - 1].id, CLI_OPT_HELP);
	}
}

/* -n 1 and --count=2 are the same row. */
static void test_short_and_long(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, NULL, ARGS("-n", "1", "--count=2", "-n3", "-T", "x", "--json"));
	expect_ok(&r);
	expect_ncalls(&r, 5);
	expect_call(&r, 0, O_COUNT, "1", false);
	expect_call(&r, 1, O_COUNT, "2", false);
	expect_call(&r, 2, O_COUNT, "3", false);
	expect_call(&r, 3, O_TEMPLATE, "x", false);
	expect_call(&r, 4, O_JSON, NULL, false);
	result_free(&r);

	/* A letter no row has is unknown, a row's letter needs its value. */
	run_fake(&r, NULL, ARGS("-x"));
	expect_usage(&r, 0, "unknown option -x");
	result_free(&r);
	run_fake(&r, NULL, ARGS("-n"));
	expect_usage(&r, 0, "option -n needs a value");
	result_free(&r);
}

/*
 * Options that share a setting: given on the command line, one replaces
 * what the file says for any of them (hex = yes and --json is JSON, not a
 * conflict); the file's line is not applied.
 */
static void test_shared_setting(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "hex = yes\ncount = 2\n", ARGS("--config", "@", "--json"));
	expect_ok(&r);
	expect_ncalls(&r, 2);
	expect_call(&r, 0, O_COUNT, "2", true);
	expect_call(&r, 1, O_JSON, NULL, false);
	result_free(&r);

	/* "loop = no" is --no-loop, one setting with --loop. */
	run_fake(&r, "loop = no\n", ARGS("--config", "@", "--loop"));
	expect_ok(&r);
	expect_ncalls(&r, 1);
	expect_call(&r, 0, O_LOOP, NULL, false);
	result_free(&r);

	/* Without the command line's, the file's applies. */
	run_fake(&r, "hex = yes\n", ARGS("--config", "@", "-n", "1"));
	expect_ok(&r);
	expect_ncalls(&r, 2);
	expect_call(&r, 0, O_HEX, NULL, true);
	expect_call(&r, 1, O_COUNT, "1", false);
	result_free(&r);

	/* Both on the command line reach apply(), which can refuse them. */
	run_fake(&r, NULL, ARGS("--hex", "--json"));
	expect_ok(&r);
	expect_ncalls(&r, 2);
	result_free(&r);
}

/* A replaced line of the file is still checked: a bad value in the file is
 * an error whatever the command line says. */
static void test_replaced_still_checked(void **state)
{
	struct result r;

	(void)state;
	run_fake(&r, "\ncount = abc\n", ARGS("--config", "@", "-n", "5"));
	expect_usage(&r, 2, "--count: 'abc' is not a number");
	expect_ncalls(&r, 0);
	result_free(&r);
}

/*
 * Every section is checked by the subcommand it is for, whichever one
 * reads the file: values and flags as much as names.
 */
static void test_other_sections_checked(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *msg;
	} t[] = {
		{"[recv]\ncount = abc\n", 2, "--count: 'abc' is not a number"},
		{"[recv]\n\necho = maybe\n", 3, "'echo' is a flag: expected yes or no, not 'maybe'"},
		{"[ping]\nsize = 10\n", 2, "--size: 10 is out of range (64-65507 bytes)"},
		{"[pong]\nreply-rate = 0\n", 2, "--reply-rate: 0 is out of range (1-1000000)"},
		{"[bench send]\ngso = maybe\n", 2, "--gso: 'maybe' is not auto, on or off"},
		{"[bench recv]\ntimeout = 0\n", 2, "--timeout: must be more than 0"},
		{"[ifaces]\nbogus = 1\n", 2, "unknown setting 'bogus' for [ifaces]"},
		{"[recv]\ngroup = 10.0.0.1:5000\n", 2, "10.0.0.1"},
		/* Before any section: another subcommand's setting, its check. */
		{"ttl = 300\n", 1, "--ttl: 300 is out of range (0-255)"},
		{"reply-rate = fast\n", 1, "--reply-rate: 'fast' is not a number"},
	};
	struct result r;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		write_file(t[i].text);
		/* The fake table stands for a subcommand without these options. */
		run_with(&r, "send", fake_options, ARGS("--config", "@"));
		if (t[i].line == 2 && strstr(t[i].msg, "10.0.0.1"))
			expect_usage(&r, -1, t[i].msg);
		else
			expect_usage(&r, t[i].line, t[i].msg);
		expect_ncalls(&r, 0);
		result_free(&r);
	}

	/* Good values in other sections are quiet, and not applied here. */
	write_file("[recv]\ncount = 3\njson\nreply = ack\n[ping]\nsize = 100\n");
	run_with(&r, "send", fake_options, ARGS("--config", "@"));
	expect_ok(&r);
	expect_ncalls(&r, 0);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_value_forms),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_unbalanced_quotes),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_bad_flag),
		cmocka_unit_test(test_optional_argument),
		cmocka_unit_test(test_bad_value),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_unknown_setting),
		cmocka_unit_test(test_global_other_subcommand),
		cmocka_unit_test(test_bad_sections),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_command_line_after_file),
		cmocka_unit_test(test_file_error_stops),
		cmocka_unit_test(test_config_twice),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_short_and_long),
		cmocka_unit_test(test_shared_setting),
		cmocka_unit_test(test_replaced_still_checked),
		cmocka_unit_test(test_other_sections_checked),
	};

	return cmocka_run_group_tests(tests, make_file, remove_file);
}
