/*
 * main.c - `mcast SUBCOMMAND ...`: dispatch to the subcommands.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		cli_usage_all(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mcast %s (libmcast %s)\n", MCAST_VERSION, mcast_version());
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage_all(stdout);
		return EXIT_OK;
	}
	c = cli_command(argv[1]);
	if (!c || c->hidden) {
		cli_usage("unknown command '%s' (see mcast --help)", argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
