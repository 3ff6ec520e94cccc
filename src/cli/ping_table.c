/*
 * ping_table.c - ping's per-responder table (text or JSON, so far or
 * final) and the exit status it calls for.
 */
#include "cli/ping.h"
#include "cli/transport_udp.h"

/* The last probe whose answers are no longer awaited. */
static uint64_t settled(const struct pinger *p, bool final)
{
	uint64_t now = cli_now_ns(), s = p->seq;

	if (final)
		return s;
	while (s > 0 && p->seq - s < WINDOW && p->sent_mono[s % WINDOW] + p->wait_ns > now)
		s--;
	return s;
}

/* The width of the responder column: wide enough for the longest. */
static int name_width(const struct pinger *p)
{
	char a[MCAST_ADDRSTRLEN];
	int w = 28;

	for (size_t i = 0; i < p->map.n; i++) {
		int len = mcast_addr_format(peers_addr(peers_at(&p->map, i)), a, sizeof(a),
					    MCAST_FMT_PORT);

		if (len > w)
			w = len;
	}
	return w;
}

struct row {
	uint64_t sent, received, held, lost;
	double loss;
	bool silent;
	mcast_hist_stats st;
	double p50, p99;
};

/*
 * A responder's row, counting only the probes up to upto (those whose
 * answers are no longer awaited): the table so far (SIGUSR1) counts sent,
 * received and lost over the same probes, so it never shows more answers
 * than probes.
 */
static void row_of(const struct pinger *p, const struct responder *r,
		   uint64_t upto, struct row *x)
{
	uint64_t pending = seqwin_received_above(&r->win, upto);

	x->sent = seqwin_expected(&r->win, upto);
	x->received = r->win.received > pending ? r->win.received - pending : 0;
	if (x->received > x->sent)
		x->received = x->sent;
	/* What the responder says it held back (its --reply-rate) is not
	 * loss on the path. */
	x->held = r->held_back < x->sent - x->received ? r->held_back
						       : x->sent - x->received;
	x->lost = x->sent - x->received - x->held;
	x->loss = x->sent ? 100.0 * (double)x->lost / (double)x->sent : 0;
	x->silent = r->win.max + p->silent_after <= upto;
	mcast_hist_stats_get(r->rtt, &x->st);
	x->p50 = (double)mcast_hist_percentile(r->rtt, 50) / 1e6;
	x->p99 = (double)mcast_hist_percentile(r->rtt, 99) / 1e6;
}

#define ROW_TEXT "{responder_port_text,-%d} {hops,4} {sent,6} {received,6} {loss_pct,6} " \
	"{duplicates,4} {reordered,4} {rtt_ms.min,8} {rtt_ms.avg,8} {rtt_ms.p50,8} " \
	"{rtt_ms.p99,8} {rtt_ms.max,8} {rtt_ms.mdev,8}{silent_text}{held_text}"

/* Routers away: a number, or null (text "-") when the answers did not say. */
static void emit_hops(struct emit *em, int hops)
{
	if (hops < 0)
		emit_null(em, "hops");
	else
		emit_u64(em, "hops", (uint64_t)hops);
}

static int emit_row(struct pinger *p, const mcast_addr *a, const struct responder *r,
		    const struct row *x, int w)
{
	char name[MCAST_ADDRSTRLEN], tmpl[sizeof(ROW_TEXT) + 8], held[64] = "";

	mcast_addr_format(a, name, sizeof(name), MCAST_FMT_PORT);
	snprintf(tmpl, sizeof(tmpl), ROW_TEXT, w);
	if (x->held)
		snprintf(held, sizeof(held), "  %llu held back by the responder, not lost",
			 (unsigned long long)x->held);
	emit_begin(&p->em, "responder");
	emit_addr(&p->em, "responder", a, false);
	emit_u64(&p->em, "responder_port", mcast_addr_port(a));
	emit_text(&p->em, "responder_port_text", name);
	emit_hops(&p->em, r->hops);
	emit_u64(&p->em, "sent", x->sent);
	emit_u64(&p->em, "received", x->received);
	emit_u64(&p->em, "held_back", x->held);
	emit_dbl(&p->em, "loss_pct", x->loss, 1);
	emit_u64(&p->em, "duplicates", r->win.duplicates);
	emit_u64(&p->em, "reordered", r->win.reordered + r->win.late);
	emit_obj(&p->em, "rtt_ms");
	emit_dbl(&p->em, "min", (double)x->st.min / 1e6, 3);
	emit_dbl(&p->em, "avg", x->st.mean / 1e6, 3);
	emit_dbl(&p->em, "p50", x->p50, 3);
	emit_dbl(&p->em, "p99", x->p99, 3);
	emit_dbl(&p->em, "max", (double)x->st.max / 1e6, 3);
	emit_dbl(&p->em, "mdev", x->st.mdev / 1e6, 3);
	emit_obj_end(&p->em);
	emit_bool(&p->em, "silent", x->silent);
	emit_text(&p->em, "silent_text", x->silent ? "  silent" : "");
	emit_text(&p->em, "held_text", held);
	return emit_end(&p->em, EMIT_DATA, tmpl);
}

/* The lines above the rows of either table (text only): tmpl says what
 * was probed (fields group, so_far, max, sent, responders), cols names the
 * columns, shown when there is a row. */
static int heading(struct pinger *p, bool final, const char *tmpl, const char *cols)
{
	char g[MCAST_ADDRSTRLEN];
	int rc;

	mcast_addr_format(&p->group, g, sizeof(g), MCAST_FMT_PORT);
	emit_begin(&p->em, "table");
	emit_text(&p->em, "group", g);
	emit_text(&p->em, "so_far", final ? "" : " (so far)");
	emit_u64(&p->em, "max", p->ttl_scan);
	emit_u64(&p->em, "sent", p->seq);
	emit_u64(&p->em, "responders", p->map.n);
	rc = emit_end(&p->em, EMIT_DATA, tmpl);
	if (rc < 0 || !p->map.n)
		return rc;
	emit_begin(&p->em, "columns");
	emit_text(&p->em, "cols", cols);
	return emit_end(&p->em, EMIT_DATA, "{cols}");
}

/* The heading of the loss table. */
static int emit_header(struct pinger *p, bool final, int w)
{
	char cols[160];

	if (p->json)
		return 0;
	snprintf(cols, sizeof(cols), "%-*s %4s %6s %6s %6s %4s %4s %8s %8s %8s %8s %8s %8s",
		 w, "responder", "hops", "sent", "recv", "loss%", "dup", "ooo", "min", "avg",
		 "p50", "p99", "max", "mdev");
	return heading(p, final,
		       "--- {group} ping{so_far}: {sent} probe{sent?:s} "
		       "sent, {responders} responder{responders?:s} ---",
		       cols);
}

static int emit_summary(struct pinger *p, bool final)
{
	const struct ignored *i = &p->ign;
	bool any = i->garbage + i->truncated + i->oversized + i->foreign + i->other + i->stray;
	int rc = 0;

	emit_begin(&p->em, "summary");
	emit_bool(&p->em, "final", final);
	emit_u64(&p->em, "sent", p->seq);
	emit_u64(&p->em, "responders", p->map.n);
	emit_u64(&p->em, "answers", p->answers);
	emit_u64(&p->em, "kernel_drops", p->drops);
	emit_obj(&p->em, "ignored");
	emit_u64(&p->em, "garbage", i->garbage);
	emit_u64(&p->em, "truncated", i->truncated);
	emit_u64(&p->em, "oversized", i->oversized);
	emit_u64(&p->em, "foreign", i->foreign);
	emit_u64(&p->em, "other", i->other);
	emit_u64(&p->em, "stray", i->stray);
	emit_obj_end(&p->em);
	if (p->json || any)
		rc = emit_end(&p->em, EMIT_DATA,
			      "ignored: {ignored.garbage} garbage, {ignored.truncated} truncated, "
			      "{ignored.oversized} oversized, {ignored.foreign} of another "
			      "version, {ignored.other} other, {ignored.stray} for another prober");
	if (rc < 0 || p->json || !p->drops)
		return rc;
	/* Not path loss: this host's own socket buffer overflowed. */
	emit_begin(&p->em, "drops");
	emit_u64(&p->em, "kernel_drops", p->drops);
	return emit_end(&p->em, EMIT_DATA,
			"kernel drops: {kernel_drops} answer{kernel_drops?:s} dropped by this "
			"host (its socket buffer was full), counted as loss above, not lost "
			"on the path");
}

int ping_report(struct pinger *p, bool final)
{
	uint64_t upto = settled(p, final);
	struct row x;
	int w = name_width(p);

	if (udp_tx_drops(&p->tx) > p->drops)
		p->drops = udp_tx_drops(&p->tx);
	if (emit_header(p, final, w) < 0)
		return -1;
	for (size_t i = 0; i < p->map.n; i++) {
		const struct responder *r = peers_at(&p->map, i);

		if (!r->rtt)
			continue;
		row_of(p, r, upto, &x);
		if (emit_row(p, peers_addr(r), r, &x, w) < 0)
			return -1;
	}
	return emit_summary(p, final);
}

/* The heading of the --ttl-scan table. */
static int scan_header(struct pinger *p, bool final, int w)
{
	char cols[128];

	if (p->json)
		return 0;
	snprintf(cols, sizeof(cols), "%-*s %7s %4s %7s %8s", w, "responder", "min_ttl",
		 "hops", "answers", "min");
	return heading(p, final,
		       "--- {group} TTL scan 1-{max}{so_far}: {sent} "
		       "probe{sent?:s} sent, {responders} responder{responders?:s} ---",
		       cols);
}

/* One responder of the scan: the smallest TTL that reached it. */
static int scan_row(struct pinger *p, const struct responder *r, int w)
{
	char name[MCAST_ADDRSTRLEN], tmpl[96];
	mcast_hist_stats st;

	mcast_addr_format(peers_addr(r), name, sizeof(name), MCAST_FMT_PORT);
	snprintf(tmpl, sizeof(tmpl), "{responder_port_text,-%d} {min_ttl,7} {hops,4} "
		 "{answers,7} {rtt_ms_min,8}", w);
	mcast_hist_stats_get(r->rtt, &st);
	emit_begin(&p->em, "scan");
	emit_addr(&p->em, "responder", peers_addr(r), false);
	emit_u64(&p->em, "responder_port", mcast_addr_port(peers_addr(r)));
	emit_text(&p->em, "responder_port_text", name);
	if (r->min_ttl)
		emit_u64(&p->em, "min_ttl", r->min_ttl);
	else
		emit_null(&p->em, "min_ttl");
	emit_hops(&p->em, r->hops);
	emit_u64(&p->em, "answers", r->answered);
	emit_dbl(&p->em, "rtt_ms_min", (double)st.min / 1e6, 3);
	return emit_end(&p->em, EMIT_DATA, tmpl);
}

/* What each TTL of the scan reaches: the responders whose smallest TTL is
 * at most it. */
static int scan_scopes(struct pinger *p)
{
	for (unsigned ttl = 1; ttl <= p->ttl_scan && p->map.n; ttl++) {
		uint64_t n = 0;

		for (size_t i = 0; i < p->map.n; i++) {
			const struct responder *r = peers_at(&p->map, i);

			n += r->rtt && r->min_ttl && r->min_ttl <= ttl;
		}
		emit_begin(&p->em, "scope");
		emit_u64(&p->em, "ttl", ttl);
		emit_u64(&p->em, "responders", n);
		if (emit_end(&p->em, EMIT_DATA,
			     "TTL {ttl} reaches {responders} responder{responders?:s}") < 0)
			return -1;
	}
	return 0;
}

int ping_scan_report(struct pinger *p, bool final)
{
	int w = name_width(p);

	if (udp_tx_drops(&p->tx) > p->drops)
		p->drops = udp_tx_drops(&p->tx);
	if (scan_header(p, final, w) < 0)
		return -1;
	for (size_t i = 0; i < p->map.n; i++) {
		const struct responder *r = peers_at(&p->map, i);

		if (r->rtt && scan_row(p, r, w) < 0)
			return -1;
	}
	if (scan_scopes(p) < 0)
		return -1;
	return emit_summary(p, final);
}

/* The exit status the results call for. */
int ping_verdict(struct pinger *p)
{
	uint64_t upto = settled(p, true);
	struct row x;
	int rc = EXIT_OK;

	if (p->has_expect && p->map.n < p->expect) {
		cli_err("%zu responder%s answered, fewer than the %llu expected",
			p->map.n, p->map.n == 1 ? "" : "s", (unsigned long long)p->expect);
		rc = EXIT_EXPECT;
	}
	for (size_t i = 0; p->has_max_loss && i < p->map.n; i++) {
		const struct responder *r = peers_at(&p->map, i);

		if (!r->rtt)
			continue;
		row_of(p, r, upto, &x);
		if (x.loss > (double)p->max_loss) {
			char a[MCAST_ADDRSTRLEN];

			mcast_addr_format(peers_addr(r), a, sizeof(a), MCAST_FMT_PORT);
			cli_err("%s lost %.1f%% of probes, more than --max-loss %llu%%", a,
				x.loss, (unsigned long long)p->max_loss);
			rc = EXIT_EXPECT;
		}
	}
	if (rc == EXIT_OK && p->map.n == 0) {
		cli_err("no responder answered");
		rc = EXIT_FAIL;
	}
	return rc;
}

