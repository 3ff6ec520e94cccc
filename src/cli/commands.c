/*
 * commands.c - the table of subcommands (name, function, summary, options),
 * the top-level usage and `mcast help`.
 */
#include "cli/bench.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

const struct cli_cmd cli_commands[] = {
	{"send", cmd_send, "publish datagrams to a group and collect answers",
	 &send_spec},
	{"recv", cmd_recv, "join a group, print what arrives, answer senders",
	 &recv_spec},
	{"ping", cmd_ping, "measure round trips, loss and reordering to every responder",
	 &ping_spec},
	{"pong", cmd_pong, "answer the probes of mcast ping", &pong_spec},
	{"bridge", cmd_bridge, "carry a group to and from an MQTT broker", &bridge_spec},
	{"ifaces", cmd_ifaces, "list multicast interfaces and the groups joined on them",
	 &ifaces_spec},
	{"keygen", cmd_keygen, "make a signing key pair or a group key for envelopes",
	 &keygen_spec},
	{"bench", cmd_bench, "measure throughput, loss and latency at the kernel's limit",
	 NULL},
	{"bench send", cmd_bench_send, "send for mcast bench recv", &bench_send_spec,
	 true},
	{"bench recv", cmd_bench_recv, "measure what mcast bench send sends",
	 &bench_recv_spec, true},
	{"help", cmd_help, "show help for a command", NULL},
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cli_cmd *cli_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

void cli_usage_all(FILE *f)
{
	fprintf(f, "Usage: mcast [-V|--version] [-h|--help] COMMAND [OPTIONS] [ARGS]\n\n"
		   "IP multicast sender, receiver and tester.\n\nCommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!cli_commands[i].hidden)
			fprintf(f, "  %-8s %s\n", cli_commands[i].name,
				cli_commands[i].summary);
	fprintf(f, "\nRun 'mcast COMMAND --help' for the options of a command.\n"
		   "Exit status: 0 success, 1 runtime failure, 2 usage error,\n"
		   "3 expectation not met. See mcast(1).\n");
}

static const char help_usage[] =
	"Usage: mcast help [COMMAND]\n"
	"\n"
	"Show the help of COMMAND, as 'mcast COMMAND --help' does ('mcast help\n"
	"bench send' for a mode of bench), or without COMMAND the list of\n"
	"commands.\n";

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	char help[] = "--help";

	if (argc < 2) {
		cli_usage_all(stdout);
		return cli_flush_stdout("the help");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(help_usage, stdout);
		return cli_flush_stdout("the help");
	}
	c = cli_command(argv[1]);
	/* "mcast help bench send" is the help of the mode "bench send". */
	if (c && argc > 2) {
		char mode[64];

		snprintf(mode, sizeof(mode), "%s %s", argv[1], argv[2]);
		c = cli_command(mode);
	}
	if (!c)
		return cli_usage("unknown command '%s'", argv[1]);
	char *args[] = {argv[1], help, NULL};
	return c->run(2, args);
}
