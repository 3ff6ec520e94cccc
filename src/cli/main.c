/*
 * main.c - `mcast SUBCOMMAND ...`: dispatch to the subcommands.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
	{"send", cmd_send, "publish datagrams to a group and collect answers"},
	{"recv", cmd_recv, "join a group and print what arrives"},
	{"help", cmd_help, "show help for a subcommand"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: mcast [--version] [--help] COMMAND [OPTIONS] [ARGS]\n\n"
		   "IP multicast sender, receiver and tester.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'mcast COMMAND --help' for the options of a command.\n"
		   "Exit status: 0 success, 1 runtime failure, 2 usage error,\n"
		   "3 expectation not met. See mcast(1).\n");
}

static const struct cli_cmd *lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	char help[] = "--help";

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = lookup(argv[1]);
	if (!c || c->run == cmd_help) {
		fprintf(stderr, "mcast: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	char *args[] = {argv[1], help, NULL};
	return c->run(2, args);
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mcast %s (libmcast %s)\n", MCAST_VERSION, mcast_version());
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	c = lookup(argv[1]);
	if (!c) {
		fprintf(stderr, "mcast: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
