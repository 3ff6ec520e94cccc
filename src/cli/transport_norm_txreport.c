/*
 * transport_norm_txreport.c - what the NORM sender says (normtx.h): a
 * progress record each second and, at the end, each receiver with what it
 * acknowledged and the summary.
 */
#include "cli/cli.h"
#include "cli/normcount.h"
#include "cli/normtx.h"

#include <stdio.h>

/*
 * Once a second: how far the first pass is (NORM_DATA sent that were not
 * repairs, times the segment size, against what was queued), the rate
 * and the time left at that rate, and the repairs sent.
 */
void mcast__norm_tx_progress(struct loop *l, void *data)
{
	struct norm_tx *t = data;
	double secs = (double)(cli_now_ns() - t->start_ns) / 1e9, pct, rate, eta;
	struct normcount c;
	uint64_t done;

	mcast__normcount_get(&c);
	done = c.data * t->o->segment;
	if (done > t->bytes)
		done = t->bytes;
	pct = t->bytes ? 100.0 * (double)done / (double)t->bytes : 100.0;
	rate = secs > 0 ? (double)done * 8 / secs / 1e6 : 0;
	eta = rate > 0 ? (double)(t->bytes - done) * 8 / (rate * 1e6) : 0;
	emit_begin(t->e, "progress");
	emit_dbl(t->e, "percent", pct, 1);
	emit_u64(t->e, "bytes_sent", done);
	emit_u64(t->e, "bytes", t->bytes);
	emit_dbl(t->e, "mbit_per_s", rate, 1);
	emit_dbl(t->e, "eta_s", eta, 1);
	emit_u64(t->e, "repairs_sent", c.data > t->first_pass ? c.data - t->first_pass : 0);
	emit_u64(t->e, "objects_sent", t->sent);
	emit_u64(t->e, "objects", t->objects);
	emit_end(t->e, EMIT_INFO, "{percent}% of {bytes} bytes, {mbit_per_s} Mbit/s, "
				  "ETA {eta_s} s, {repairs_sent} repairs sent");
	loop_timer_at(l, t->progress_timer, cli_now_ns() + 1000000000ULL);
}

void mcast__norm_tx_report(struct norm_tx *t, size_t complete)
{
	double secs = (double)(cli_now_ns() - t->start_ns) / 1e9;
	struct normcount c;
	char id[16];

	mcast__normcount_get(&c);
	for (size_t i = 0; t->o->expect && i < t->nrcv; i++) {
		snprintf(id, sizeof(id), "%08x", (unsigned)t->rcv[i].id);
		emit_begin(t->e, "receiver");
		emit_str(t->e, "node_id", id);
		emit_addr(t->e, "address", &t->rcv[i].addr, false);
		emit_bool(t->e, "complete", t->rcv[i].complete);
		emit_text(t->e, "state", t->rcv[i].complete ? "has everything"
							     : "incomplete");
		emit_end(t->e, EMIT_INFO, "receiver {node_id} at {address}: {state}");
	}
	emit_begin(t->e, "summary");
	emit_u64(t->e, "objects", t->objects);
	emit_u64(t->e, "files", t->files);
	emit_u64(t->e, "messages", t->messages);
	emit_u64(t->e, "bytes", t->bytes);
	emit_dbl(t->e, "seconds", secs, 3);
	emit_dbl(t->e, "mbit_per_s", secs > 0 ? (double)t->bytes * 8 / secs / 1e6 : 0, 1);
	emit_u64(t->e, "packets", c.data);
	emit_u64(t->e, "repairs_sent", c.data > t->first_pass ? c.data - t->first_pass : 0);
	if (t->o->expect) {
		emit_u64(t->e, "receivers", t->nrcv);
		emit_u64(t->e, "complete", complete);
		emit_u64(t->e, "expected", t->o->expect);
	}
	emit_end(t->e, EMIT_INFO,
		 t->o->expect
			 ? "sent {objects} object{objects?:s} ({bytes} bytes) in {seconds} s, "
			   "{mbit_per_s} Mbit/s, {repairs_sent} repair{repairs_sent?:s} sent; "
			   "{complete} of {receivers} receiver{receivers?:s} acknowledged "
			   "everything ({expected} expected)"
			 : "sent {objects} object{objects?:s} ({bytes} bytes) in {seconds} s, "
			   "{mbit_per_s} Mbit/s, {repairs_sent} repair{repairs_sent?:s} sent");
}
