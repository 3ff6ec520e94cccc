/*
 * seal.c - signing and opening each datagram between the commands and the
 * transports (seal.h).
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/keys.h"
#include "cli/seal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sources whose rejections are logged with their own once-a-second limit;
 * past this many, rejections from new sources are counted only. */
#define LOGGED_LIMIT 4096
#define LOG_EVERY_NS 1000000000ULL

struct logged {
	uint64_t last_ns;    /* when a line was last logged, 0: never */
	uint64_t suppressed; /* rejections since that line */
};

int seal_option(struct seal_opts *o, int base, const struct cli_arg *a)
{
	int rc;

	switch (a->id - base) {
	case SEAL_SIGN: o->sign = a->value; return 0;
	case SEAL_ENCRYPT: o->encrypt = a->value; return 0;
	case SEAL_DECRYPT: o->decrypt = a->value; return 0;
	case SEAL_TRUST:
		if (o->n_trust == SEAL_TRUST_MAX)
			return cli_usage_at(a, "--trust: at most %d files or directories",
					    SEAL_TRUST_MAX);
		o->trust[o->n_trust++] = a->value;
		return 0;
	case SEAL_MAX_AGE:
		rc = cli_duration(a, &o->max_age_ns);
		o->has_max_age = rc == 0;
		return rc;
	default: return 1;
	}
}

int seal_check(const struct seal_opts *o, const char *no_rx, const char *no_tx)
{
	if (o->encrypt && !o->sign)
		return cli_usage("--encrypt needs --sign");
	if (no_rx && (o->n_trust || o->decrypt || o->has_max_age))
		return cli_usage("%s", no_rx);
	if (no_tx && o->sign)
		return cli_usage("%s", no_tx);
	if ((o->decrypt || o->has_max_age) && !o->n_trust)
		return cli_usage("--decrypt and --max-age need --trust: only a verified "
				 "envelope is opened");
	return 0;
}

/* A key file's failure: its message names the file and why, never a key. */
static int key_failed(int rc, const mcast_error *e)
{
	cli_err("%s", e->msg);
	return rc == -EACCES || rc == -EINVAL || rc == -ENOENT ? EXIT_USAGE : EXIT_FAIL;
}

static int init_tx(struct seal *s, const struct seal_opts *o)
{
	mcast_signkey *k = NULL;
	mcast_groupkey *g = NULL;
	mcast_error e;
	int rc = cli_key_read_secret(o->sign, &k, &e);

	if (rc == 0 && o->encrypt)
		rc = cli_key_read_group(o->encrypt, &g, &e);
	if (rc == 0)
		rc = mcast_sealer_new(&s->sealer, k, g, &e);
	mcast_signkey_free(k);
	mcast_groupkey_free(g);
	return rc < 0 ? key_failed(rc, &e) : 0;
}

static int init_rx(struct seal *s, const struct seal_opts *o)
{
	mcast_groupkey *g = NULL;
	mcast_error e;
	int rc = mcast_trust_new(&s->trust, &e);

	for (size_t i = 0; rc >= 0 && i < o->n_trust; i++)
		rc = cli_trust_load(s->trust, o->trust[i], &e);
	if (rc >= 0 && o->decrypt) {
		rc = cli_key_read_group(o->decrypt, &g, &e);
		if (rc == 0)
			mcast_trust_set_groupkey(s->trust, g);
		mcast_groupkey_free(g);
	}
	if (rc < 0)
		return key_failed(rc, &e);
	mcast_trust_set_max_age(s->trust, o->has_max_age ? o->max_age_ns : MCAST_ENV_MAX_AGE);
	return 0;
}

int seal_init(struct seal *s, const struct seal_opts *o)
{
	int rc = 0;

	memset(s, 0, sizeof(*s));
	peers_init(&s->logged, sizeof(struct logged), LOGGED_LIMIT, false);
	if (o->sign)
		rc = init_tx(s, o);
	if (rc == 0 && o->n_trust)
		rc = init_rx(s, o);
	if (rc == 0 && (o->sign || o->n_trust) && !(s->buf = malloc(MCAST_ENV_MAX + 1))) {
		cli_err("out of memory");
		rc = EXIT_FAIL;
	}
	return rc;
}

/* ---- sending ------------------------------------------------------------- */

static int tx_send(struct tx_transport *t, const void *buf, size_t len)
{
	struct seal *s = t->impl;
	mcast_error e;
	ssize_t n = mcast_env_seal(s->sealer, buf, len, s->buf, MCAST_ENV_MAX, 0, &e);

	if (n < 0) {
		cli_err("sealing %zu %s: %s", len, cli_plural(len, "byte", "bytes"), e.msg);
		return EXIT_FAIL;
	}
	return s->inner->send(s->inner, s->buf, (size_t)n);
}

static size_t tx_max(const struct tx_transport *t)
{
	const struct seal *s = t->impl;
	size_t over = mcast_sealer_overhead(s->sealer);
	size_t max = s->inner->max_payload(s->inner);

	max = max > MCAST_ENV_MAX ? MCAST_ENV_MAX : max;
	return max > over ? max - over : 0;
}

static void tx_close(struct tx_transport *t)
{
	struct seal *s = t->impl;

	if (s && s->inner && s->inner->close)
		s->inner->close(s->inner);
}

struct tx_transport *seal_tx(struct seal *s, struct tx_transport *inner)
{
	if (!s->sealer)
		return inner;
	s->inner = inner;
	s->tx.send = tx_send;
	s->tx.max_payload = tx_max;
	s->tx.close = tx_close;
	s->tx.impl = s;
	return &s->tx;
}

int seal_tx_open(struct seal *s, struct tx_transport *inner, size_t message_len,
		 struct tx_transport **out)
{
	*out = seal_tx(s, inner);
	if (message_len > (*out)->max_payload(*out))
		return cli_usage("the message is %zu bytes, more than one signed datagram "
				 "can carry (%zu)", message_len, (*out)->max_payload(*out));
	return 0;
}

size_t seal_overhead(const struct seal *s)
{
	return s->sealer ? mcast_sealer_overhead(s->sealer) : 0;
}

int seal_batch(struct seal *s, const unsigned char *in, size_t size, size_t n,
	       unsigned char *out, uint64_t now_ns)
{
	size_t env = size + mcast_sealer_overhead(s->sealer);
	mcast_error e;

	for (size_t i = 0; i < n; i++)
		if (mcast_env_seal(s->sealer, in + i * size, size, out + i * env, env, now_ns,
				   &e) < 0) {
			cli_err("sealing %zu bytes: %s", size, e.msg);
			return -1;
		}
	return 0;
}

size_t seal_answer(struct seal *s, const void *payload, size_t len, size_t limit,
		   bool *cut, const void **out)
{
	size_t over = mcast_sealer_overhead(s->sealer);
	mcast_error e;
	ssize_t n;

	*cut = false;
	if (limit < over)
		return 0;
	if (len > limit - over) {
		len = limit - over;
		*cut = true;
	}
	n = mcast_env_seal(s->sealer, payload, len, s->buf, MCAST_ENV_MAX, 0, &e);
	if (n < 0)
		return 0;
	*out = s->buf;
	return (size_t)n;
}

/* ---- receiving ----------------------------------------------------------- */

/* A rejection from m's source, logged with -v unless one was this second. */
static void log_rejected(struct seal *s, const struct rx_msg *m, int verdict)
{
	struct logged *g;
	char from[MCAST_ADDRSTRLEN];
	uint64_t now = m->mono_ns ? m->mono_ns : cli_now_ns();

	if (cli_verbosity < LOG_VERBOSE || !(g = peers_get(&s->logged, &m->source, NULL)))
		return;
	if (g->last_ns && now - g->last_ns < LOG_EVERY_NS) {
		g->suppressed++;
		return;
	}
	mcast_addr_format(&m->source, from, sizeof(from), MCAST_FMT_PORT);
	if (g->suppressed)
		cli_debug("rejected a datagram from %s: %s (and %llu more since the last "
			  "line)", from, mcast_env_verdict_name(verdict),
			  (unsigned long long)g->suppressed);
	else
		cli_debug("rejected a datagram from %s: %s", from,
			  mcast_env_verdict_name(verdict));
	g->last_ns = now;
	g->suppressed = 0;
}

/* Without --trust: an envelope is shown, its key id named, never trusted. */
static void pass_unverified(struct seal *s, struct rx_msg *c)
{
	mcast_env_info info;

	if (c->truncated || mcast_env_parse(c->data, c->len, &info) != MCAST_ENV_OK)
		return;
	/* An encrypted payload cannot be read without verifying: the envelope
	 * is shown whole. */
	if (info.payload) {
		c->data = info.payload;
		c->len = info.payload_len;
	}
	memcpy(s->key_hex, info.key_hex, sizeof(s->key_hex));
	c->key_id = s->key_hex;
	c->seq = info.seq;
	c->has_seq = true;
}

void seal_rx_fn(void *owner, const struct rx_msg *m)
{
	struct seal *s = owner;
	struct rx_msg c = *m;
	mcast_env_info info;
	mcast_error e;
	int v;

	s->wire_len = m->len;
	if (!s->trust) {
		pass_unverified(s, &c);
		s->fn(s->owner, &c);
		return;
	}
	/* A datagram cut to the buffer is not the one that was signed. */
	v = m->truncated ? MCAST_ENV_MALFORMED
			 : mcast_env_open(s->trust, m->data, m->len, s->buf, MCAST_ENV_MAX,
					  cli_ns_of(&m->time), &info, &e);
	if (v != MCAST_ENV_OK) {
		v = v < 0 || v >= MCAST_ENV_VERDICTS ? MCAST_ENV_MALFORMED : v;
		s->rejected[v]++;
		log_rejected(s, m, v);
		return;
	}
	c.data = info.payload;
	c.len = info.payload_len;
	c.signer = info.signer;
	c.key_id = info.key_hex;
	c.seq = info.seq;
	c.has_seq = true;
	s->fn(s->owner, &c);
}

void seal_rx(struct seal *s, rx_fn fn, void *owner)
{
	s->fn = fn;
	s->owner = owner;
}

uint64_t seal_emit_rejected(const struct seal *s, struct emit *e)
{
	uint64_t total = 0;

	for (int v = 1; v < MCAST_ENV_VERDICTS; v++)
		total += s->rejected[v];
	emit_u64(e, "rejected_total", total);
	emit_obj(e, "rejected");
	for (int v = 1; v < MCAST_ENV_VERDICTS; v++)
		emit_u64(e, mcast_env_verdict_name(v), s->rejected[v]);
	emit_obj_end(e);
	return total;
}

void seal_summary(const struct seal *s, struct emit *e, const char *lead, char *tmpl,
		  size_t size)
{
	size_t used = strlen(tmpl);

	if (!s->trust)
		return;
	seal_emit_rejected(s, e);
	snprintf(tmpl + used, size - used, "%s%s", lead, SEAL_REJECTED_TMPL);
}

/* Who signed m, for an envelope only (seal.c): the trusted key's name, or
 * the key id of an envelope nobody verified. */
void seal_emit_signer(struct emit *e, const struct rx_msg *m)
{
	if (!m->key_id)
		return;
	emit_bool(e, "verified", m->signer != NULL);
	if (m->signer)
		emit_str(e, "signer", m->signer);
	else
		emit_null(e, "signer");
	emit_str(e, "key_id", m->key_id);
	emit_u64(e, "seq", m->seq);
}

void seal_free(struct seal *s)
{
	mcast_sealer_free(s->sealer);
	mcast_trust_free(s->trust);
	s->sealer = NULL;
	s->trust = NULL;
	if (s->buf)
		explicit_bzero(s->buf, MCAST_ENV_MAX + 1);
	free(s->buf);
	s->buf = NULL;
	peers_free(&s->logged, NULL);
}
