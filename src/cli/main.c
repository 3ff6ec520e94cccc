/*
 * main.c - `mcast SUBCOMMAND ...`: dispatch to the subcommands.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Open 0, 1 and 2 on /dev/null when they are closed (`mcast send --stdin
 * <&-`, `mcast recv >&-`, `2>&-`), before anything else: otherwise the
 * first socket becomes standard input, output or error, and is read as
 * input or written with diagnostics. Returns false if one cannot be.
 */
static bool keep_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor: fd, since those below it are open. */
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd < 0)
			return false;
		if (nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (!keep_std_fds())
		return EXIT_FAIL;
	if (argc < 2) {
		cli_usage_all(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mcast %s (libmcast %s)\n", MCAST_VERSION, mcast_version());
		return cli_flush_stdout("the version");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage_all(stdout);
		return cli_flush_stdout("the help");
	}
	c = cli_command(argv[1]);
	if (!c || c->hidden) {
		cli_usage("unknown command '%s' (see mcast --help)", argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
