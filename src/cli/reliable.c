/*
 * reliable.c - the NORM options of send and recv, and the two runs:
 * `mcast send --reliable` queues its message, standard input and files
 * and waits for the flush or the acknowledgements; `mcast recv
 * --reliable` receives until its count, its timeout or a signal.
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/parse.h"
#include "cli/reliable.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void reliable_init(struct reliable *r)
{
	memset(r, 0, sizeof(*r));
	norm_opts_init(&r->o);
}

/*
 * A rate in bit/s: a number with an optional SI suffix k, M or G (powers
 * of 1000, as rates are quoted), "100M", "1.5G", "64000". 1 kbit/s to
 * 100 Gbit/s.
 */
static int parse_rate(const struct cli_arg *a, uint64_t *out)
{
	char *end;
	double v, mul = 1;

	errno = 0;
	v = strtod(a->value, &end);
	if (end != a->value && *end) {
		if (strcmp(end, "k") == 0 || strcmp(end, "K") == 0)
			mul = 1e3, end++;
		else if (strcmp(end, "M") == 0)
			mul = 1e6, end++;
		else if (strcmp(end, "G") == 0)
			mul = 1e9, end++;
	}
	if (end == a->value || *end || errno || !isfinite(v))
		return cli_usage_at(a, "%s: '%s' is not a rate (100M, 1G, 64000)", a->opt,
				    a->value);
	v *= mul;
	if (v < 1e3 || v > 1e11)
		return cli_usage_at(a, "%s: %s is out of range (1k-100G bit/s)", a->opt,
				    a->value);
	*out = (uint64_t)v;
	return 0;
}

static int parse_seconds(const struct cli_arg *a, double lo, double hi, double *out)
{
	uint64_t ns;
	int rc = cli_duration(a, &ns);

	if (rc)
		return rc;
	*out = (double)ns / 1e9;
	if (*out < lo || *out > hi)
		return cli_usage_at(a, "%s: %s is out of range (%gms-%gs)", a->opt, a->value,
				    lo * 1e3, hi);
	return 0;
}

static int parse_factor(const struct cli_arg *a, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(a->value, &end);
	if (end == a->value || *end || errno || !(*out >= 0 && *out <= 100))
		return cli_usage_at(a, "%s: '%s' is not a factor from 0 to 100", a->opt,
				    a->value);
	return 0;
}

static int set_uint(const struct cli_arg *a, uint64_t lo, uint64_t hi, unsigned *out)
{
	uint64_t v;
	int rc = cli_uint(a, lo, hi, &v);

	if (rc == 0)
		*out = (unsigned)v;
	return rc;
}

int reliable_option(struct reliable *r, const struct cli_arg *a)
{
	struct norm_opts *o = &r->o;

	if (a->id < REL_OPT_RELIABLE || a->id > REL_OPT_PROGRESS)
		return 1;
	if (a->id != REL_OPT_RELIABLE && !r->nonorm) {
		r->nonorm = true;
		snprintf(r->nonorm_opt, sizeof(r->nonorm_opt), "%s", a->opt);
	}
	switch (a->id) {
	case REL_OPT_RELIABLE: r->on = true; return 0;
	case REL_OPT_FILE:
		if (r->nfiles == REL_MAX_FILES)
			return cli_usage_at(a, "--file: at most %d files", REL_MAX_FILES);
		r->files[r->nfiles++] = a->value;
		return 0;
	case REL_OPT_RATE: return parse_rate(a, &o->rate);
	case REL_OPT_RATE_MIN: return parse_rate(a, &o->rate_min);
	case REL_OPT_RATE_MAX: return parse_rate(a, &o->rate_max);
	case REL_OPT_FEC_BLOCK: return set_uint(a, 1, 255, &o->block);
	case REL_OPT_FEC_PARITY: return set_uint(a, 0, 254, &o->parity);
	case REL_OPT_FEC_AUTO: return set_uint(a, 0, 254, &o->auto_parity);
	case REL_OPT_SEGMENT: return set_uint(a, 64, 8972, &o->segment);
	case REL_OPT_BACKOFF: return parse_factor(a, &o->backoff);
	case REL_OPT_GRTT: return parse_seconds(a, 0.001, 60, &o->grtt);
	case REL_OPT_GRTT_MAX: return parse_seconds(a, 0.001, 60, &o->grtt_max);
	case REL_OPT_NORM_BUFFER: return cli_size(a, 65536, 1u << 30, &o->buffer);
	case REL_OPT_SNDBUF: return cli_size(a, 4096, 1u << 30, &o->sockbuf);
	case REL_OPT_OUTPUT: o->outdir = a->value; return 0;
	case REL_OPT_OVERWRITE: o->overwrite = true; return 0;
	case REL_OPT_PROGRESS: o->progress = true; return 0;
	default: return 1;
	}
}

int reliable_check(const struct reliable *r)
{
	const struct norm_opts *o = &r->o;

	if (!r->on && r->nonorm)
		return cli_usage("%s needs --reliable", r->nonorm_opt);
	if (!r->on)
		return 0;
	if (o->parity + o->block > 255)
		return cli_usage("--fec-block %u plus --fec-parity %u is more than 255",
				 o->block, o->parity);
	if (o->auto_parity > o->parity)
		return cli_usage("--fec-auto %u is more than --fec-parity %u",
				 o->auto_parity, o->parity);
	if (o->rate && (o->rate_min || o->rate_max))
		return cli_usage("--rate is a fixed rate: --rate-min and --rate-max "
				 "bound congestion control, give one or the other");
	if (o->rate_min && o->rate_max && o->rate_min > o->rate_max)
		return cli_usage("--rate-min is more than --rate-max");
	return 0;
}

static int setup(struct loop *l, struct emit *e, struct norm_opts *o)
{
	/* A long transfer shows its progress on a terminal unless -q. */
	if (!o->progress && cli_verbosity >= LOG_NORMAL && isatty(STDERR_FILENO))
		o->progress = true;
	if (loop_init(l) < 0 || emit_init(e, stdout, o->json) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	return 0;
}

int reliable_send(struct reliable *r, const struct reliable_send_input *in)
{
	struct norm_tx *t = NULL;
	struct loop l;
	struct emit e;
	int rc = setup(&l, &e, &r->o);

	if (rc == 0)
		rc = norm_tx_open(&t, &r->o, &l, &e);
	for (uint64_t i = 0; rc == 0 && in->message && i < in->count; i++)
		rc = norm_tx_message(t, in->message, in->message_len);
	for (size_t i = 0; rc == 0 && i < r->nfiles; i++)
		rc = norm_tx_file(t, r->files[i]);
	if (rc == 0 && in->from_stdin)
		rc = norm_tx_stream(t, STDIN_FILENO, in->raw);
	if (rc == 0)
		rc = norm_tx_finish(t);
	norm_tx_free(t);
	emit_free(&e);
	loop_free(&l);
	return rc;
}

int reliable_recv(struct reliable *r, struct loop *l, struct emit *e, rx_fn fn, void *owner)
{
	struct norm_rx *x = NULL;
	char g[MCAST_ADDRSTRLEN];
	int rc;

	if (!r->o.progress && cli_verbosity >= LOG_NORMAL && isatty(STDERR_FILENO))
		r->o.progress = true;
	rc = norm_rx_open(&x, &r->o, l, e, fn, owner);
	if (rc == 0) {
		mcast_addr_format(&r->o.group, g, sizeof(g), MCAST_FMT_PORT);
		cli_info("listening on %s (NORM), files to %s", g, r->o.outdir);
		rc = norm_rx_run(x);
	}
	norm_rx_free(x);
	return rc;
}
