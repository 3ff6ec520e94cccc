/*
 * bench.c - `mcast bench send|recv`: dispatch, and what both sides share.
 */
#include "cli/bench.h"
#include "cli/opt.h"

#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast bench send [OPTIONS] GROUP:PORT\n"
	"       mcast bench recv [OPTIONS] GROUP:PORT\n"
	"\n"
	"Measure throughput, loss and latency at the kernel's limit: 'bench send'\n"
	"sends sequenced, timestamped datagrams in batches or GSO trains; 'bench\n"
	"recv' reports rate, loss, duplicates, reordering, kernel drops, one-way\n"
	"latency percentiles, jitter and CPU time per datagram, each second and\n"
	"at the end. Run 'mcast bench send --help' or 'mcast bench recv --help'.\n";

int bench_parse_mode(const struct cli_arg *a, int *mode)
{
	if (strcmp(a->value, "auto") == 0)
		*mode = BENCH_AUTO;
	else if (strcmp(a->value, "on") == 0)
		*mode = BENCH_ON;
	else if (strcmp(a->value, "off") == 0)
		*mode = BENCH_OFF;
	else
		return cli_usage_at(a, "%s: '%s' is not auto, on or off", a->opt, a->value);
	return 0;
}

double bench_cpu_ns(const struct rusage *r0)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return ((double)(r.ru_utime.tv_sec - r0->ru_utime.tv_sec) +
		(double)(r.ru_stime.tv_sec - r0->ru_stime.tv_sec)) * 1e9 +
	       ((double)(r.ru_utime.tv_usec - r0->ru_utime.tv_usec) +
		(double)(r.ru_stime.tv_usec - r0->ru_stime.tv_usec)) * 1e3;
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return cli_flush_stdout("the help");
	}
	if (strcmp(argv[1], "send") == 0)
		return cmd_bench_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "recv") == 0)
		return cmd_bench_recv(argc - 1, argv + 1);
	return cli_usage("bench: unknown mode '%s' (expected send or recv)", argv[1]);
}

int bench_parse_rate(const char *text, uint64_t size, double *pps)
{
	static const struct {
		const char *unit;
		unsigned bits; /* per unit of the rate: 0 = datagrams */
	} units[] = {{"", 0}, {"pps", 0}, {"bit", 1}, {"bps", 1},
		     {"b", 1}, {"B", 8}, {"Bps", 8}};
	char *end;
	double v;

	if (strcmp(text, "max") == 0) {
		*pps = 0;
		return 0;
	}
	v = strtod(text, &end);
	if (end == text || v <= 0 || v != v)
		return cli_usage("--rate: '%s' is not a rate (e.g. 100k, 800Mbit, max)", text);
	switch (*end) {
	case 'k': case 'K': v *= 1e3; end++; break;
	case 'M': v *= 1e6; end++; break;
	case 'G': v *= 1e9; end++; break;
	default: break;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		*pps = units[i].bits ? v * units[i].bits / (8.0 * (double)size) : v;
		if (*pps < 1 || *pps > 1e9)
			return cli_usage("--rate: %s is out of range (1 to 1G datagrams/s)", text);
		return 0;
	}
	return cli_usage("--rate: '%s' is not a rate (e.g. 100k, 800Mbit, max)", text);
}
