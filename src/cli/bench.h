/*
 * bench.h - what `mcast bench send` and `mcast bench recv` share.
 */
#ifndef MCAST_CLI_BENCH_H
#define MCAST_CLI_BENCH_H

#include "cli/cli.h"

#include <stdint.h>
#include <sys/resource.h>

/* --gso / --gro modes. */
enum { BENCH_OFF, BENCH_ON, BENCH_AUTO };

struct cli_arg;
/* Parse "auto", "on" or "off" for option a. Returns 0 or EXIT_USAGE. */
int bench_parse_mode(const struct cli_arg *a, int *mode);
/*
 * "max", "100k" (datagrams/s), "100kpps", "800Mbit", "800Mbps" or "800Mb"
 * (payload bits/s), "100MB" or "100MBps" (payload bytes/s). Units are case
 * sensitive: b is a bit, B a byte. Returns 0 or EXIT_USAGE; *pps is 0 for
 * max. (bench send --rate)
 */
int bench_parse_rate(const char *text, uint64_t size, double *pps);
/* CPU time (user and system) this process used since *r0, in ns. */
double bench_cpu_ns(const struct rusage *r0);

int cmd_bench_send(int argc, char **argv);
int cmd_bench_recv(int argc, char **argv);

#endif
