/*
 * bench_report.c - what `mcast bench recv` prints: a progress record per
 * sender every second, and at the end a table (text) or one record per
 * sender (JSON), then a summary. Every record goes through emit.h.
 */
#include "cli/bench_recv.h"
#include "cli/seal.h"

#include <stdlib.h>

/* One table row per sender; the sender id tells apart two senders that
 * share an address (issue 10, item 19). */
#define ROW                                                                   \
	"{sender,-24} {sender_id,16} {received,10} {datagrams_per_s,12} "      \
	"{mbit_per_s,9} {lost,8} {loss_pct,6} {duplicates,5} {reordered,6} "   \
	"{latency_us.p50,9} {latency_us.p90,9} {latency_us.p99,9} "           \
	"{latency_us.p99_9,9} {latency_us.max,9} {jitter_us,9}"

void bench_progress(struct brecv *b, double elapsed, double dt)
{
	struct emit *e = &b->em;

	if (cli_verbosity < LOG_NORMAL && !b->json)
		return;
	for (size_t i = 0; i < b->n_flows; i++) {
		struct flow *f = b->flows[i];

		emit_begin(e, "progress");
		emit_dbl(e, "elapsed_s", elapsed, b->json ? 3 : 1);
		emit_addr(e, "sender", &f->source, false);
		emit_id(e, "sender_id", f->id);
		emit_dbl(e, "datagrams_per_s", (double)f->iv_received / dt, 0);
		emit_dbl(e, "mbit_per_s", (double)f->iv_bytes * 8.0 / dt / 1e6, b->json ? 3 : 1);
		emit_u64(e, "received", f->win.received);
		emit_u64(e, "lost", seqwin_lost(&f->win, f->win.max));
		emit_u64(e, "duplicates", f->win.duplicates);
		emit_u64(e, "reordered", f->win.reordered);
		emit_u64(e, "kernel_drops", b->drops);
		emit_end(e, EMIT_INFO,
			 "{elapsed_s,6}s {sender}: {datagrams_per_s} datagrams/s, {mbit_per_s} "
			 "Mbit/s, received {received}, lost {lost}, kernel drops {kernel_drops}");
		f->iv_received = f->iv_bytes = 0;
	}
}

/* The latency object: percentiles, maximum and mean in microseconds. */
static void latency(struct emit *e, const struct flow *f)
{
	static const struct {
		const char *name;
		double pct;
	} pcts[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99_9", 99.9}};
	mcast_hist_stats st;

	mcast_hist_stats_get(f->latency, &st);
	emit_obj(e, "latency_us");
	for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++)
		emit_dbl(e, pcts[k].name,
			 (double)mcast_hist_percentile(f->latency, pcts[k].pct) / 1e3, 1);
	emit_dbl(e, "max", (double)st.max / 1e3, 1);
	emit_dbl(e, "mean", st.mean / 1e3, 1);
	emit_obj_end(e);
}

static void sender(struct brecv *b, const struct flow *f)
{
	struct emit *e = &b->em;
	uint64_t recv = f->win.received, expected = seqwin_expected(&f->win, f->win.max);
	double secs = f->last_ns > f->first_ns ? (double)(f->last_ns - f->first_ns) / 1e9 : 0;
	double pps = secs > 0 ? (double)(recv - 1) / secs : 0;
	uint64_t lost = seqwin_lost(&f->win, f->win.max);

	emit_begin(e, "sender");
	emit_addr(e, "sender", &f->source, false);
	emit_id(e, "sender_id", f->id);
	emit_u64(e, "received", recv);
	emit_u64(e, "bytes", f->bytes);
	emit_dbl(e, "seconds", secs, 3);
	emit_dbl(e, "datagrams_per_s", pps, 0);
	emit_dbl(e, "mbit_per_s", pps * 8.0 * ((double)f->bytes / (double)recv) / 1e6,
		 b->json ? 3 : 1);
	emit_u64(e, "expected", expected);
	emit_u64(e, "lost", lost);
	emit_dbl(e, "loss_pct", 100.0 * (double)lost / (double)expected, b->json ? 3 : 2);
	emit_u64(e, "duplicates", f->win.duplicates);
	emit_u64(e, "reordered", f->win.reordered);
	emit_u64(e, "late", f->win.late);
	latency(e, f);
	emit_dbl(e, "jitter_us", f->jitter / 1e3, 1);
	emit_end(e, EMIT_DATA, ROW);
}

/* The table's header line (text only): the row template over names. */
static void header(struct emit *e)
{
	static const char *const names[][2] = {
		{"sender", "sender"}, {"sender_id", "sender id"}, {"received", "received"},
		{"datagrams_per_s", "datagrams/s"}, {"mbit_per_s", "Mbit/s"},
		{"lost", "lost"}, {"loss_pct", "loss%"}, {"duplicates", "dup"},
		{"reordered", "reord"}, {"jitter_us", "jitter us"},
	};
	static const char *const lat[][2] = {
		{"p50", "p50 us"}, {"p90", "p90 us"}, {"p99", "p99 us"},
		{"p99_9", "p99.9 us"}, {"max", "max us"},
	};

	emit_begin(e, "header");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		emit_text(e, names[i][0], names[i][1]);
	emit_obj(e, "latency_us");
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++)
		emit_text(e, lat[i][0], lat[i][1]);
	emit_obj_end(e);
	emit_end(e, EMIT_DATA, ROW);
}

void bench_results(struct brecv *b, double cpu_ns)
{
	struct emit *e = &b->em;
	char tmpl[800] = "{datagrams} datagram{datagrams?:s} from {senders} sender{senders?:s}; "
			 "kernel drops {kernel_drops}; GRO trains {gro_trains}; ignored "
			 IGNORED_TEXT "; {cpu_ns_per_datagram} ns CPU per datagram; latency "
			 "is one-way, sender clock to receiver clock";

	if (!b->json && b->n_flows)
		header(e);
	for (size_t i = 0; i < b->n_flows; i++)
		sender(b, b->flows[i]);
	emit_begin(e, "summary");
	emit_u64(e, "datagrams", b->datagrams);
	emit_u64(e, "senders", b->n_flows);
	emit_u64(e, "kernel_drops", b->drops);
	emit_u64(e, "gro_trains", b->trains);
	emit_obj(e, "ignored");
	ignored_fields(e, &b->ignored);
	emit_obj_end(e);
	emit_u64(e, "other_senders", b->other_senders);
	emit_dbl(e, "cpu_ns_per_datagram", b->datagrams ? cpu_ns / (double)b->datagrams : 0,
		 b->json ? 1 : 0);
	if (b->seal)
		seal_summary(b->seal, e, "; ", tmpl, sizeof(tmpl));
	emit_end(e, EMIT_DATA, tmpl);
}

void bench_recv_free(struct brecv *b)
{
	for (size_t i = 0; i < b->n_flows; i++) {
		mcast_hist_free(b->flows[i]->latency);
		seqwin_free(&b->flows[i]->win);
		free(b->flows[i]);
	}
	b->n_flows = 0;
	emit_free(&b->em);
}
