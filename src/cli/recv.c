/*
 * recv.c - `mcast recv GROUP:PORT...`: join groups and print what arrives.
 *
 * The options are in recv_opts.c; here the datagrams are counted,
 * answered (responder.c) and printed (emit.c) on the one loop.
 */
#include "cli/cli.h"
#include "cli/parse.h"
#include "cli/recv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct sources counted exactly up to this many; past it, "at least". */
#define SOURCE_LIMIT 65536

/* Write one datagram in the chosen format; -1 with errno on write error. */
static int print_datagram(struct receiver *r, const struct rx_msg *m)
{
	char from[MCAST_ADDRSTRLEN], to[MCAST_ADDRSTRLEN], tmpl[160];
	struct emit *e = &r->em;

	if (r->o->fmt == FMT_RAW) {
		if (fwrite(m->data, 1, m->len, stdout) != m->len)
			return -1;
		/* Flush each datagram: a reader on a pipe wants it now. */
		return fflush(stdout) == EOF ? -1 : 0;
	}
	mcast_addr_format(&m->source, from, sizeof(from), MCAST_FMT_PORT);
	mcast_addr_format(&m->group, to, sizeof(to), MCAST_FMT_PORT);
	emit_begin(e, "message");
	emit_time(e, "time", &m->time);
	emit_addr(e, "source", &m->source, false);
	emit_u64(e, "source_port", mcast_addr_port(&m->source));
	emit_addr(e, "group", &m->group, false);
	emit_u64(e, "port", mcast_addr_port(&m->group));
	emit_str(e, "interface", m->ifname);
	emit_u64(e, "bytes", m->len);
	if (m->ttl >= 0)
		emit_u64(e, "ttl", (uint64_t)m->ttl);
	else
		emit_null(e, "ttl");
	seal_emit_signer(e, m);
	emit_text(e, "from", from);
	emit_text(e, "to", to);
	emit_data(e, m->data, m->len);
	snprintf(tmpl, sizeof(tmpl), "{from} -> {to} on {interface}, {bytes} byte{bytes?:s}%s%s: {data}",
		 cli_verbosity >= LOG_VERBOSE ? ", ttl {ttl}" : "",
		 m->signer   ? ", signed by {signer}"
		 : m->key_id ? ", signed by key {key_id}, not verified"
			     : "");
	return emit_end(e, EMIT_DATA, tmpl);
}

static void summary(struct receiver *r)
{
	struct emit *e = &r->em;
	uint32_t drops = groups_drops(&r->g);
	char tmpl[600];

	/* Drops after the last datagram received show only in the counter. */
	if (drops > r->drops)
		r->drops = drops;
	groups_summary(&r->g, e);
	emit_begin(e, "summary");
	emit_u64(e, "datagrams", r->datagrams);
	emit_u64(e, "bytes", r->bytes);
	emit_text(e, "at_least", r->sources.full ? "at least " : "");
	emit_u64(e, "sources", peers_count(&r->sources));
	emit_u64(e, "kernel_drops", r->drops);
	if (r->answering) {
		emit_u64(e, "replies", r->resp.answered);
		emit_u64(e, "replies_held_back", r->resp.held_back);
	}
	snprintf(tmpl, sizeof(tmpl), "%s%s",
		 "{datagrams} datagram{datagrams?:s}, {bytes} byte{bytes?:s} from "
		 "{at_least}{sources} source{sources?:s}, {kernel_drops} "
		 "kernel drop{kernel_drops?:s}",
		 r->answering ? "; answered {replies} ({replies_held_back} held back)" : "");
	seal_summary(&r->seal, e, "; ", tmpl, sizeof(tmpl));
	/* After EPIPE the JSON summary goes nowhere, harmlessly. */
	emit_end(e, EMIT_INFO, tmpl);
}

/*
 * A signed answer is never larger than the datagram it answers: the reply
 * payload is cut so that the envelope fits (said once), and a datagram too
 * small for any envelope is not answered.
 */
static void answer_signed(struct receiver *r, const struct rx_msg *m,
			  const void *data, size_t n)
{
	const void *env = NULL;
	bool cut;
	size_t len = seal_answer(&r->seal, data, n, r->seal.wire_len, &cut, &env);

	if ((cut || !len) && !r->cut_warned)
		cli_warn("a signed answer to a datagram of %zu %s would be larger than it: "
			 "%s", r->seal.wire_len, cli_plural(r->seal.wire_len, "byte", "bytes"),
			 len ? "answers are cut so that the signed answer fits"
			     : "datagrams too small for a signed answer are not answered");
	r->cut_warned |= cut || !len;
	if (len)
		responder_send(&r->resp, m, env, len, r->o->echo ? "echo" : "reply");
	else
		r->resp.held_back++;
}

/*
 * Answer a datagram with --reply TEXT or --echo, unicast to its sender,
 * never with more bytes than it had (responder.h).
 */
static void answer(struct receiver *r, const struct rx_msg *m)
{
	struct recv_opts *o = r->o;
	const void *data = o->echo ? m->data : o->reply;
	size_t n = o->echo ? m->len : strlen(o->reply), wire = r->seal.wire_len;

	if (!responder_allow(&r->resp, m))
		return;
	if (seal_signs(&r->seal)) {
		answer_signed(r, m, data, n);
		return;
	}
	if (n > wire) {
		if (!r->cut_warned)
			cli_warn("--reply text (%zu %s) is longer than a datagram it "
				 "answers (%zu %s): answers are cut to the size of "
				 "what they answer", n, cli_plural(n, "byte", "bytes"),
				 wire, cli_plural(wire, "byte", "bytes"));
		r->cut_warned = true;
		n = wire;
	}
	responder_send(&r->resp, m, data, n, o->echo ? "echo" : "reply");
}

/* One datagram from the transport: count, answer, print. */
static void on_datagram(void *owner, const struct rx_msg *m)
{
	struct receiver *r = owner;
	struct recv_opts *o = r->o;
	long gi = groups_find(&r->g, &m->group);

	if (gi < 0)
		return; /* not sent to one of our groups */
	r->g.count[gi].datagrams++;
	r->g.count[gi].bytes += m->len;
	if (o->timeout_ns)
		loop_timer_at(&r->l, r->quiet_timer, cli_now_ns() + o->timeout_ns);
	r->datagrams++;
	r->bytes += m->len;
	if (m->drops > r->drops)
		r->drops = m->drops;
	peers_get(&r->sources, &m->source, NULL);
	if (r->answering)
		answer(r, m);
	if (r->stats)
		rxstats_add(r->stats, gi, m);
	else if (print_datagram(r, m) < 0) {
		/* The reader went away (mcast recv | head -1): done. */
		if (errno == EPIPE) {
			loop_stop(&r->l, EXIT_OK);
			return;
		}
		cli_err("writing output: %s", strerror(errno));
		loop_stop(&r->l, EXIT_FAIL);
		return;
	}
	if (o->count && r->datagrams >= o->count)
		loop_stop(&r->l, EXIT_OK);
}

static void on_quiet(struct loop *l, void *data)
{
	struct receiver *r = data;

	r->timed_out = true;
	loop_stop(l, EXIT_OK);
}

static void on_hup(struct loop *l, void *data)
{
	(void)l;
	outfile_reopen(data);
}

/* After --timeout of silence: whether what came is enough. */
static int after_timeout(const struct receiver *r)
{
	const struct recv_opts *o = r->o;
	char d[32];

	cli_format_duration(o->timeout_ns, d, sizeof(d));
	if (r->datagrams == 0) {
		cli_err("nothing arrived within %s", d);
		return EXIT_FAIL;
	}
	if (o->count) {
		cli_err("only %llu of %llu datagrams arrived before %s of silence",
			(unsigned long long)r->datagrams, (unsigned long long)o->count, d);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Receive until the count, the timeout or a signal. Returns an exit code. */
static int receive(struct receiver *r)
{
	struct loop *l = &r->l;
	int rc;

	l->on_hup = on_hup;
	l->hup_data = &r->o->out;
	r->quiet_timer = loop_timer_new(l, on_quiet, r);
	if (r->o->timeout_ns)
		loop_timer_at(l, r->quiet_timer, cli_now_ns() + r->o->timeout_ns);
	seal_rx(&r->seal, on_datagram, r);
	rc = rejoin_start(&r->rejoin, l, &r->g, r->o->rejoin_ns);
	if (rc == 0)
		rc = groups_attach(&r->g, l, seal_rx_fn, &r->seal);
	if (rc < 0) {
		cli_err("cannot watch the socket: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (loop_run(l) != LOOP_STOPPED)
		return EXIT_OK; /* a signal */
	return r->timed_out ? after_timeout(r) : l->rc;
}

/* Open what receiving needs, after the options. Returns an exit code. */
static int setup(struct receiver *r)
{
	struct recv_opts *o = r->o;
	int rc = seal_init(&r->seal, &o->seal);

	if (rc == 0)
		rc = outfile_open(&o->out);

	if (rc == 0 && (loop_init(&r->l) < 0 || emit_init(&r->em, stdout, o->fmt == FMT_JSON) < 0)) {
		cli_err("out of memory");
		rc = EXIT_FAIL;
	}
	r->em.payload = o->fmt == FMT_HEX ? EMIT_HEX : EMIT_ESCAPED;
	if (rc == 0)
		rc = groups_open(&r->g, &r->j);
	r->answering = o->reply || o->echo;
	/* Answers go out on a socket of the first group's family. */
	if (rc == 0 && r->answering)
		rc = responder_open(&r->resp, mcast_addr_family(&r->g.addr[0]));
	if (rc == 0 && o->stats_ns)
		rc = rxstats_open(&r->stats, &r->l, &r->em, &r->g, o->stats_ns);
	return rc;
}

/* A NORM message or stream line, printed as a datagram is. */
static void on_reliable(void *owner, const struct rx_msg *m)
{
	struct receiver *r = owner;

	r->datagrams++;
	r->bytes += m->len;
	if (print_datagram(r, m) < 0) {
		/* The reader went away (mcast recv | head -1): done. */
		if (errno != EPIPE)
			cli_err("writing output: %s", strerror(errno));
		loop_stop(&r->l, errno == EPIPE ? EXIT_OK : EXIT_FAIL);
	}
}

/*
 * --reliable: the same group, interface, source, format, -n, -w and
 * --output-file, over NORM; libnorm joins the group itself.
 */
static int recv_reliable(struct receiver *r)
{
	struct recv_opts *o = r->o;
	struct norm_opts *no = &o->rel.o;
	mcast_iface ifc;
	int rc;

	no->group = r->g.addr[0];
	if (r->j.n_iface_spec) {
		rc = cli_iface(r->j.iface_spec[0], &ifc);
		if (rc)
			return rc;
		no->ifname = ifc.name;
		no->ifindex = ifc.index;
	}
	if (r->j.n_source) {
		no->ssm = true;
		no->source = r->j.source[0];
	}
	if (r->j.rcvbuf)
		no->sockbuf = r->j.rcvbuf;
	no->json = o->fmt == FMT_JSON;
	no->count = o->count;
	no->timeout_ns = o->timeout_ns;
	/* --trust: files only whose info a trusted key signed; a file's info is
	 * signed when it is queued, so its age says nothing (see .._rxobj.c). */
	rc = seal_init(&r->seal, &o->seal);
	if (rc)
		return rc;
	no->trust = r->seal.trust;
	if (no->trust)
		mcast_trust_set_max_age(no->trust, 0);
	rc = outfile_open(&o->out);
	if (rc == 0 && (loop_init(&r->l) < 0 || emit_init(&r->em, stdout, no->json) < 0)) {
		cli_err("out of memory");
		rc = EXIT_FAIL;
	}
	if (rc)
		return rc;
	r->em.payload = o->fmt == FMT_HEX ? EMIT_HEX : EMIT_ESCAPED;
	r->l.on_hup = on_hup;
	r->l.hup_data = &o->out;
	return reliable_recv(&o->rel, &r->l, &r->em, on_reliable, r);
}

int cmd_recv(int argc, char **argv)
{
	struct recv_opts o;
	struct receiver r;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	r.o = &o;
	peers_init(&r.sources, 0, SOURCE_LIMIT, false);
	rc = recv_parse(&r, argc, argv);
	responder_init(&r.resp, o.reply_rate);
	if (rc == 0)
		rc = o.rel.on ? recv_reliable(&r) : setup(&r);
	if (o.rel.on)
		goto out;
	if (rc == 0) {
		groups_announce(&r.g, o.fmt == FMT_JSON ? &r.em : NULL);
		rc = receive(&r);
		if (r.stats && !r.em.closed && rxstats_final(r.stats) < 0)
			rc = emit_failed(&r.em);
		summary(&r);
	}
out:
	groups_free(&r.g);
	loop_free(&r.l);
	emit_free(&r.em);
	responder_close(&r.resp);
	seal_free(&r.seal);
	rxstats_free(r.stats);
	peers_free(&r.sources, NULL);
	cli_config_free(&o.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
