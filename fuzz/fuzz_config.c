/*
 * fuzz_config.c - settings files (src/cli/config.h) of arbitrary content,
 * read through cli_options() for the real send, recv and ping option
 * tables; every line is checked by its section's real apply() on a
 * scratch context (cli_check_setting()), after the checks below.
 *
 * The input is written to an anonymous in-memory file, whose /proc path is
 * given as --config. An apply callback records what the file sets and
 * checks that each option gets an argument exactly when it takes one.
 * Properties: cli_options() returns 0 or the usage error 2, never crashes,
 * never leaks (LeakSanitizer), and a group it hands over is non-empty.
 */
#include "fuzz.h"

#include "cli/cli.h"
#include "cli/opt.h"

#include <sys/mman.h>
#include <unistd.h>

static const struct cli_spec *real_spec;

static int apply(void *ctx, const struct cli_arg *a)
{
	FUZZ_CHECK(a->file != NULL && a->line > 0, "the command line has only --config");
	for (const struct cli_opt *o = real_spec->opts; o->name; o++) {
		if (o->id != a->id)
			continue;
		if (o->arg == required_argument)
			FUZZ_CHECK(a->value != NULL, "--%s without its value", o->name);
		if (o->arg == no_argument)
			FUZZ_CHECK(a->value == NULL, "flag --%s with a value", o->name);
		return real_spec->apply(ctx, a);
	}
	FUZZ_CHECK(0, "applied an option (%d) the table does not have", a->id);
	return 0;
}

static void run(int fd, const struct cli_spec *real)
{
	char path[64], c0[16], c1[] = "--config";
	char *argv[] = {c0, c1, path, NULL};
	/* The real table, section and scratch context, with the checking
	 * apply in front of the real one. */
	const struct cli_spec spec = {.name = real->name, .opts = real->opts,
				      .apply = apply, .ctx_size = real->ctx_size,
				      .ctx_init = real->ctx_init, .ctx_free = real->ctx_free,
				      .usage = ""};
	struct cli_config cfg;
	int rc;

	snprintf(c0, sizeof(c0), "%s", real->name);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	real_spec = real;
	rc = cli_options(3, argv, &spec, NULL, &cfg);
	FUZZ_CHECK(rc == 0 || rc == EXIT_USAGE, "cli_options returned %d", rc);
	if (rc == 0 && cfg.group)
		FUZZ_CHECK(cfg.group[0] != '\0', "an empty group was accepted");
	cli_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);

	/* Usage errors go to stderr, as libFuzzer's own messages do: run with
	 * -close_fd_mask=2 to keep the log short at the price of both. */
	FUZZ_CHECK(fd >= 0, "memfd_create failed");
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size, "write failed");
	run(fd, &send_spec);
	run(fd, &recv_spec);
	run(fd, &ping_spec);
	close(fd);
	return 0;
}
