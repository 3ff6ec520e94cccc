/*
 * rxstats.c - `mcast recv --stats`: a table per group and source every
 * interval, through the emitter, on the receiver's loop.
 *
 * One peer table per group (peers.c) holds a row per source. A row counts
 * datagrams and bytes, and keeps the totals of the last table so that each
 * table shows the rates of its own interval. Loss, duplicates and
 * reordering come from a sequence window (seqwin.c), and only for traffic
 * that carries sequence numbers: mcast bench data, or what the open step
 * numbered (rx_msg.has_seq, signed envelopes). A plain payload has no
 * number, so nothing is guessed for it: those columns show "-" (JSON
 * null).
 */
#include "cli/rxstats.h"
#include "cli/cli.h"
#include "cli/peers.h"
#include "cli/seqwin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rows in all; past this, datagrams from new sources are counted apart. */
#define ROWS_MAX 4096
/* Sequence numbers remembered per row (reordering and duplicates). */
#define SEQ_WINDOW 1024

struct rxrow {
	uint64_t datagrams, bytes;   /* so far */
	uint64_t shown_d, shown_b;   /* at the last table */
	uint64_t last_ns;            /* monotonic time of the latest datagram */
	uint64_t sender_id;          /* of the numbered stream (bench data) */
	bool numbered, win_ok;       /* carries sequence numbers; window made */
	struct seqwin win;
};

struct rxstats {
	struct loop *l;
	struct emit *em;
	const struct groups *g;
	struct peers *by_group; /* one table of rows per group */
	size_t n_groups;        /* g->n, kept: g may be freed first */
	uint64_t interval_ns, start_ns, next_ns, shown_ns;
	uint64_t tables, rows, unlisted;
	int timer;
	bool redraw;
};

/* Where a datagram's sequence number comes from, if it has one. */
static bool seq_of(const struct rx_msg *m, uint64_t *seq, uint64_t *id)
{
	mcast_wire w;

	if (m->has_seq) {
		*seq = m->seq;
		*id = 0;
		return true;
	}
	if (mcast_wire_decode(&w, m->data, m->len) < 0 || w.type != MCAST_WIRE_T_DATA)
		return false;
	*seq = w.seq;
	*id = w.sender_id;
	return true;
}

/* Count a numbered datagram in its row's window; a new sender id (the
 * sender started again from the same address) starts a new window. */
static void count_seq(struct rxrow *r, uint64_t seq, uint64_t id)
{
	if (r->win_ok && r->sender_id != id) {
		seqwin_free(&r->win);
		r->win_ok = false;
	}
	if (!r->win_ok) {
		if (seqwin_init(&r->win, SEQ_WINDOW) < 0)
			return;
		r->win_ok = true;
		r->sender_id = id;
	}
	r->numbered = true;
	seqwin_add(&r->win, seq);
}

void rxstats_add(struct rxstats *s, long gi, const struct rx_msg *m)
{
	struct peers *t = &s->by_group[gi];
	struct rxrow *r = peers_find(t, &m->source);
	uint64_t seq, id;
	bool added = false;

	if (!r && s->rows < ROWS_MAX)
		r = peers_get(t, &m->source, &added);
	if (!r) {
		s->unlisted++;
		return;
	}
	s->rows += added;
	r->datagrams++;
	r->bytes += m->len;
	r->last_ns = m->mono_ns ? m->mono_ns : cli_now_ns();
	if (seq_of(m, &seq, &id))
		count_seq(r, seq, id);
}

/* A count, or null ("-") when the row's traffic is not numbered. */
static void emit_seq(struct emit *e, const char *name, const struct rxrow *r, uint64_t v)
{
	if (r->numbered && r->win_ok)
		emit_u64(e, name, v);
	else
		emit_null(e, name);
}

/* Column widths: the longest group and source of any row. */
static void widths(const struct rxstats *s, int *wg, int *ws)
{
	char a[MCAST_ADDRSTRLEN];

	*wg = *ws = 16;
	for (size_t gi = 0; gi < s->g->n; gi++) {
		const struct peers *t = &s->by_group[gi];
		int n;

		if (!peers_count(t))
			continue;
		n = mcast_addr_format(&s->g->addr[gi], a, sizeof(a), MCAST_FMT_PORT);
		*wg = n > *wg ? n : *wg;
		for (size_t i = 0; i < peers_count(t); i++) {
			n = mcast_addr_format(peers_addr(peers_at(t, i)), a, sizeof(a),
					      MCAST_FMT_PORT);
			*ws = n > *ws ? n : *ws;
		}
	}
}

/* The table's first lines: when, how long, the columns (text only). */
static int header(struct rxstats *s, bool final, double secs, int wg, int ws)
{
	char cols[256], more[96] = "";
	int rc;

	if (s->unlisted)
		snprintf(more, sizeof(more), ", %llu datagrams from sources past the limit "
			 "of %d rows", (unsigned long long)s->unlisted, ROWS_MAX);
	if (s->redraw && !s->em->json)
		fputs("\033[H\033[2J", s->em->out); /* home, clear: like watch(1) */
	emit_begin(s->em, "stats");
	emit_u64(s->em, "table", s->tables);
	emit_bool(s->em, "final", final);
	emit_dbl(s->em, "interval_s", secs, 3);
	emit_u64(s->em, "rows", s->rows);
	emit_u64(s->em, "unlisted", s->unlisted);
	emit_text(s->em, "more", more);
	rc = emit_end(s->em, EMIT_DATA,
		      final ? "--- recv stats, final: {rows} row{rows?:s}, rates over the "
			      "whole run ({interval_s} s){more} ---"
			    : "--- recv stats {table}: {rows} row{rows?:s}, rates over "
			      "{interval_s} s{more} ---");
	if (rc < 0 || s->em->json || !s->rows)
		return rc;
	snprintf(cols, sizeof(cols), "%-*s %-*s %10s %9s %10s %12s %6s %6s %5s %5s", wg,
		 "group", ws, "source", "dgrams/s", "Mbit/s", "datagrams", "bytes", "idle",
		 "lost", "dup", "ooo");
	emit_begin(s->em, "columns");
	emit_text(s->em, "cols", cols);
	return emit_end(s->em, EMIT_DATA, "{cols}");
}

#define ROW_TEXT "{to,-%d} {from,-%d} {datagrams_per_s,10} {mbit_per_s,9} " \
	"{datagrams,10} {bytes,12} {idle_text,6} {lost,6} {duplicates,5} {reordered,5}"

/* One row: rates over secs since the last table (or the start). */
static int row(struct rxstats *s, long gi, struct rxrow *r, double secs, uint64_t now,
	       bool final, int wg, int ws)
{
	char to[MCAST_ADDRSTRLEN], from[MCAST_ADDRSTRLEN], idle[24], tmpl[sizeof(ROW_TEXT) + 16];
	const mcast_addr *src = peers_addr(r);
	uint64_t d = final ? r->datagrams : r->datagrams - r->shown_d;
	uint64_t b = final ? r->bytes : r->bytes - r->shown_b;
	double idle_s = now > r->last_ns ? (double)(now - r->last_ns) / 1e9 : 0;
	struct emit *e = s->em;

	mcast_addr_format(&s->g->addr[gi], to, sizeof(to), MCAST_FMT_PORT);
	mcast_addr_format(src, from, sizeof(from), MCAST_FMT_PORT);
	snprintf(idle, sizeof(idle), "%.1fs", idle_s);
	snprintf(tmpl, sizeof(tmpl), ROW_TEXT, wg, ws);
	emit_begin(e, "stats_row");
	emit_u64(e, "table", s->tables);
	emit_addr(e, "group", &s->g->addr[gi], false);
	emit_u64(e, "port", mcast_addr_port(&s->g->addr[gi]));
	emit_addr(e, "source", src, false);
	emit_u64(e, "source_port", mcast_addr_port(src));
	emit_text(e, "to", to);
	emit_text(e, "from", from);
	emit_dbl(e, "datagrams_per_s", secs > 0 ? (double)d / secs : 0, 1);
	emit_dbl(e, "mbit_per_s", secs > 0 ? (double)b * 8 / secs / 1e6 : 0, 3);
	emit_u64(e, "datagrams", r->datagrams);
	emit_u64(e, "bytes", r->bytes);
	emit_dbl(e, "idle_s", idle_s, 3);
	emit_text(e, "idle_text", idle);
	emit_seq(e, "lost", r, r->win_ok ? seqwin_lost(&r->win, r->win.max) : 0);
	emit_seq(e, "duplicates", r, r->win_ok ? r->win.duplicates : 0);
	emit_seq(e, "reordered", r, r->win_ok ? r->win.reordered + r->win.late : 0);
	r->shown_d = r->datagrams;
	r->shown_b = r->bytes;
	return emit_end(e, EMIT_DATA, tmpl);
}

/* One table: every row, in the order of the groups, then of the sources. */
static int table(struct rxstats *s, bool final)
{
	uint64_t now = cli_now_ns();
	double secs = (double)(now - (final ? s->start_ns : s->shown_ns)) / 1e9;
	int wg, ws;

	s->tables++;
	widths(s, &wg, &ws);
	if (header(s, final, secs, wg, ws) < 0)
		return -1;
	for (size_t gi = 0; gi < s->g->n; gi++) {
		struct peers *t = &s->by_group[gi];

		for (size_t i = 0; i < peers_count(t); i++)
			if (row(s, (long)gi, peers_at(t, i), secs, now, final, wg, ws) < 0)
				return -1;
	}
	s->shown_ns = now;
	return 0;
}

/* The interval timer: a table, then the next, kept from the start without
 * drift. */
static void on_tick(struct loop *l, void *data)
{
	struct rxstats *s = data;

	if (table(s, false) < 0) {
		loop_stop(l, emit_failed(s->em));
		return;
	}
	s->next_ns += s->interval_ns;
	if (s->next_ns <= cli_now_ns())
		s->next_ns = cli_now_ns() + s->interval_ns;
	loop_timer_at(l, s->timer, s->next_ns);
}

int rxstats_option(const struct cli_arg *a, uint64_t *interval_ns)
{
	int rc = 0;

	*interval_ns = 1000000000ULL;
	if (a->value)
		rc = cli_duration(a, interval_ns);
	if (rc == 0 && *interval_ns == 0)
		rc = cli_usage_at(a, "--stats: the interval must be more than 0");
	return rc;
}

int rxstats_open(struct rxstats **sp, struct loop *l, struct emit *em,
		 const struct groups *g, uint64_t interval_ns)
{
	struct rxstats *s = calloc(1, sizeof(*s));

	*sp = s;
	if (s)
		s->by_group = calloc(g->n, sizeof(*s->by_group));
	if (!s || !s->by_group) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	s->n_groups = g->n;
	for (size_t i = 0; i < g->n; i++)
		peers_init(&s->by_group[i], sizeof(struct rxrow), ROWS_MAX, true);
	s->l = l;
	s->em = em;
	s->g = g;
	s->interval_ns = interval_ns;
	s->redraw = !em->json && em->out && isatty(fileno(em->out));
	s->start_ns = s->shown_ns = cli_now_ns();
	s->next_ns = s->start_ns + interval_ns;
	s->timer = loop_timer_new(l, on_tick, s);
	if (s->timer < 0) {
		cli_err("no timer left for --stats");
		return EXIT_FAIL;
	}
	loop_timer_at(l, s->timer, s->next_ns);
	return 0;
}

int rxstats_final(struct rxstats *s)
{
	loop_timer_at(s->l, s->timer, 0);
	return table(s, true);
}

/* What a row owns. */
static void drop_row(void *v)
{
	struct rxrow *r = v;

	if (r->win_ok)
		seqwin_free(&r->win);
}

void rxstats_free(struct rxstats *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->by_group && i < s->n_groups; i++)
		peers_free(&s->by_group[i], drop_row);
	free(s->by_group);
	free(s);
}
