/*
 * send.c - `mcast send GROUP:PORT [MESSAGE...]`: publish datagrams and
 * collect the answers that come back until a deadline.
 *
 * Glue only: the payloads come from source.c, leave on a schedule
 * (sched.c) through a tx_transport (transport_udp.c), answers come back
 * through the transport's drain, and every record goes through emit.c, all
 * on the one loop (loop.c). The options are in send_opts.c.
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/loop.h"
#include "cli/peers.h"
#include "cli/sched.h"
#include "cli/send.h"
#include "cli/sentlog.h"
#include "cli/transport_udp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What is kept per responder to --wait. */
struct reply_peer {
	uint64_t replies;
};

struct sender {
	struct send_opts *o;
	struct loop loop;
	struct tx_transport tx;
	struct seal seal;
	struct tx_transport *out; /* tx, or the sealing one in front of it */
	struct emit em;
	struct source src;
	struct sched sched;
	int timer;
	char *payload; /* room for one datagram */
	uint64_t sent, bytes, replies;
	struct sentlog log; /* to tell which datagram an answer answers */
	struct peers responders; /* of struct reply_peer */
	bool done;
};

/* Count and print one answer (the transport's drain calls this). */
static void on_answer(void *owner, const struct rx_msg *m)
{
	struct sender *s = owner;
	struct reply_peer *r = peers_get(&s->responders, &m->source, NULL);
	uint64_t at = sentlog_answered(&s->log, cli_ns_of(&m->time), m->data, m->len);
	char from[MCAST_ADDRSTRLEN], tmpl[120];

	if (r)
		r->replies++;
	s->replies++;
	mcast_addr_format(&m->source, from, sizeof(from), MCAST_FMT_PORT);
	emit_begin(&s->em, "reply");
	emit_addr(&s->em, "source", &m->source, false);
	emit_u64(&s->em, "source_port", mcast_addr_port(&m->source));
	emit_text(&s->em, "from", from);
	emit_u64(&s->em, "bytes", m->len);
	if (m->signer)
		emit_str(&s->em, "signer", m->signer);
	emit_data(&s->em, m->data, m->len);
	if (at)
		emit_dbl(&s->em, "rtt_ms", (double)(cli_ns_of(&m->time) - at) / 1e6, 3);
	else
		emit_null(&s->em, "rtt_ms");
	snprintf(tmpl, sizeof(tmpl), "reply from {from}, {bytes} byte{bytes?:s}%s%s: {data}",
		 m->signer ? " signed by {signer}" : "",
		 at ? " in {rtt_ms} ms" : " (round trip unknown)");
	if (emit_end(&s->em, EMIT_DATA, tmpl) < 0)
		loop_stop(&s->loop, emit_failed(&s->em));
}

/* The last datagram went: wait for answers until the deadline, or end. */
static void finish(struct sender *s)
{
	s->done = true;
	loop_fd_del(&s->loop, s->src.fd);
	if (s->o->has_wait)
		loop_deadline(&s->loop, cli_now_ns() + s->o->wait_ns);
	else
		loop_stop(&s->loop, EXIT_OK);
}

static void send_payload(struct sender *s, size_t len)
{
	/* Stamped before the send: on lo an echo can arrive before it returns. */
	uint64_t at = cli_realtime_ns();
	char dst[MCAST_ADDRSTRLEN];
	int rc = s->out->send(s->out, s->payload, len);

	if (rc) {
		loop_stop(&s->loop, rc);
		return;
	}
	sentlog_add(&s->log, at, s->payload, len);
	s->sent++;
	s->bytes += len;
	sched_took(&s->sched, 1, cli_now_ns());
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(s->o->out.last, dst, sizeof(dst), MCAST_FMT_PORT);
		cli_debug("sent %zu bytes to %s (#%llu)", len, dst,
			  (unsigned long long)s->sent);
	}
}

/* The next datagram is due (or input arrived): send it, or wait for
 * standard input, or finish. */
static void on_due(struct loop *l, void *data)
{
	struct sender *s = data;
	long n;

	if (!source_ready(&s->src)) {
		loop_fd_events(l, s->src.fd, LOOP_READ);
		return;
	}
	n = source_next(&s->src, s->payload);
	if (n == SOURCE_FAILED) {
		loop_stop(l, EXIT_FAIL);
		return;
	}
	if (n == SOURCE_WAIT) {
		loop_fd_events(l, s->src.fd, LOOP_READ);
		return;
	}
	if (n == SOURCE_END) {
		finish(s);
		return;
	}
	send_payload(s, (size_t)n);
	if (!l->stopped && !from_stdin(s->o) && s->o->count && s->sent >= s->o->count)
		finish(s);
	else if (!l->stopped)
		loop_timer_at(l, s->timer, sched_next(&s->sched));
}

/* Standard input has something: read it, and once the next datagram (or
 * the end) is in, stop watching until it is due. */
static void on_stdin(struct loop *l, int fd, unsigned events, void *data)
{
	struct sender *s = data;
	int rc = source_fill(&s->src);

	(void)fd, (void)events;
	if (rc) {
		loop_stop(l, rc);
		return;
	}
	if (!source_ready(&s->src))
		return;
	loop_fd_events(l, s->src.fd, 0);
	/* At the end of input there is no next datagram to wait for. */
	if (s->src.in.eof && !s->src.in.len)
		loop_timer_at(l, s->timer, cli_now_ns());
	else
		loop_timer_at(l, s->timer, sched_next(&s->sched));
}

/* Open the transport, set up the source and the loop. */
static int setup(struct sender *s)
{
	struct send_opts *o = s->o;
	bool paced = !from_stdin(o) || o->has_interval;
	int rc = seal_init(&s->seal, &o->seal);

	if (rc == 0)
		rc = udp_tx_open(&s->tx, &o->out, &o->group);
	if (rc == 0)
		rc = seal_tx_open(&s->seal, &s->tx, o->message_len, &s->out);
	if (rc)
		return rc;
	source_init(&s->src, o->input, s->out->max_payload(s->out));
	s->src.message = o->message;
	s->src.message_len = o->message_len;
	s->src.tmpl = o->tmpl;
	s->src.count = o->count;
	s->payload = malloc(s->src.max);
	if (!s->payload || emit_init(&s->em, stdout, o->json) < 0 ||
	    loop_init(&s->loop) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	s->timer = loop_timer_new(&s->loop, on_due, s);
	sched_init(&s->sched, cli_now_ns(), paced ? (double)o->interval_ns : 0, 1);
	loop_timer_at(&s->loop, s->timer, sched_next(&s->sched));
	seal_rx(&s->seal, on_answer, s);
	if (o->has_wait && udp_tx_answers(&s->tx, &s->loop, seal_rx_fn, &s->seal) < 0)
		return EXIT_FAIL;
	if (from_stdin(o) &&
	    loop_fd_add(&s->loop, s->src.fd, LOOP_READ, on_stdin, s) < 0)
		return EXIT_FAIL;
	return 0;
}

static int summary(struct sender *s)
{
	struct send_opts *o = s->o;
	char to[MCAST_ADDRSTRLEN + 32], tmpl[600];

	/* The group and interface are for the text only, as they always were. */
	mcast_addr_format(&o->group, to, sizeof(to), MCAST_FMT_PORT);
	if (o->cfg.n_groups > 1)
		snprintf(to + strlen(to), sizeof(to) - strlen(to), " and %zu more group%s",
			 o->cfg.n_groups - 1, o->cfg.n_groups > 2 ? "s" : "");
	emit_begin(&s->em, "summary");
	emit_u64(&s->em, "sent", s->sent);
	emit_u64(&s->em, "bytes", s->bytes);
	emit_u64(&s->em, "replies", s->replies);
	emit_u64(&s->em, "responders", s->responders.n);
	emit_text(&s->em, "to", to);
	emit_text(&s->em, "via", outsock_iface_name(&o->out));
	emit_text(&s->em, "at_least", s->responders.full ? "at least " : "");
	snprintf(tmpl, sizeof(tmpl), "%s%s",
		 "sent {sent} datagram{sent?:s} ({bytes} byte{bytes?:s}) to {to} via {via}",
		 o->has_wait ? "; {replies} repl{replies?y:ies} from "
			       "{at_least}{responders} responder{responders?:s}" : "");
	seal_summary(&s->seal, &s->em, "; answers: ", tmpl, sizeof(tmpl));
	if (emit_end(&s->em, EMIT_INFO, tmpl) < 0)
		return emit_failed(&s->em);
	if (o->has_expect && s->responders.n < o->expect) {
		cli_err("%zu responder%s answered, fewer than the %llu expected",
			s->responders.n, s->responders.n == 1 ? "" : "s",
			(unsigned long long)o->expect);
		return EXIT_EXPECT;
	}
	return EXIT_OK;
}

/* Run the loop. The summary follows whatever ended it, a failure after
 * some datagrams left included (an interface going down mid-run): what
 * was done is still worth saying. */
static int run(struct sender *s)
{
	enum loop_end end = loop_run(&s->loop);
	int rc = end == LOOP_STOPPED ? s->loop.rc : EXIT_OK, src;

	if (s->em.closed || (rc && !s->sent))
		return s->em.closed ? EXIT_OK : rc;
	src = summary(s);
	return rc ? rc : src;
}

/* --reliable: the same group, interface, TTL, loopback, count, --expect,
 * --wait and --json, over NORM. */
static int send_reliable(struct send_opts *o, struct seal *seal)
{
	struct reliable_send_input in = {.message = o->message,
					 .message_len = o->message_len,
					 .count = o->message ? o->count : 0,
					 .from_stdin = from_stdin(o),
					 .raw = o->input == SRC_RAW};
	struct norm_opts *no = &o->rel.o;
	mcast_iface ifc;
	int rc;

	no->group = o->group;
	if (o->out.iface_spec) {
		rc = cli_iface(o->out.iface_spec, &ifc);
		if (rc)
			return rc;
		no->ifname = ifc.name;
	}
	no->ttl = (int)o->out.ttl;
	no->loop = o->out.loop;
	no->json = o->json;
	no->expect = (unsigned)o->expect;
	if (o->has_wait)
		no->wait_ns = o->wait_ns;
	/* --sign: each file's info is signed (transport_norm_tx.c). */
	rc = seal_init(seal, &o->seal);
	if (rc)
		return rc;
	no->sealer = seal->sealer;
	return reliable_send(&o->rel, &in);
}

int cmd_send(int argc, char **argv)
{
	struct send_opts o;
	struct sender s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = send_parse(&o, argc, argv);
	if (rc == 0 && o.rel.on) {
		rc = send_reliable(&o, &s.seal);
	} else if (rc == 0) {
		s.o = &o;
		peers_init(&s.responders, sizeof(struct reply_peer), SEND_RESPONDER_LIMIT, true);
		rc = setup(&s);
		if (rc == 0)
			rc = run(&s);
	}
	if (s.tx.close)
		s.tx.close(&s.tx);
	loop_free(&s.loop);
	emit_free(&s.em);
	peers_free(&s.responders, NULL);
	seal_free(&s.seal);
	source_free(&s.src);
	tmpl_free(o.tmpl);
	free(s.payload);
	free(o.message);
	cli_config_free(&o.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
