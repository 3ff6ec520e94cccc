/*
 * seal.h - the per-datagram transform of issue 13: seal each payload right
 * before the tx transport sends it, open each datagram right after the rx
 * transport delivers it (as IPsec or WireGuard do, in one place whatever
 * produced the payload). Signatures, encryption and the anti-replay window
 * are libmcast's envelopes (mcast_env_seal(), mcast_env_open()); this file
 * reads the key files (keys.c), counts what it rejects by kind and logs
 * rejections at most once per source per second.
 *
 * A command adds SEAL_OPTIONS(BASE) to its table, BASE being the last id
 * of its own enum (the rows use BASE .. BASE + SEAL_OPT_COUNT - 1), and
 * lets seal_option() try each option first.
 */
#ifndef MCAST_CLI_SEAL_H
#define MCAST_CLI_SEAL_H

#include "cli/opt.h"
#include "cli/peers.h"
#include "cli/transport.h"

#define SEAL_TRUST_MAX 32

/* Offsets of the rows from BASE. */
enum { SEAL_SIGN, SEAL_ENCRYPT, SEAL_TRUST, SEAL_DECRYPT, SEAL_MAX_AGE, SEAL_OPT_COUNT };

/* A command that only sends (bench send) takes the first two rows, one
 * that only receives (bench recv) the last three. */
#define SEAL_TX_OPTIONS(base)                                                \
	CLI_VALUE("sign", 0, (base) + SEAL_SIGN),                            \
	CLI_VALUE("encrypt", 0, (base) + SEAL_ENCRYPT)
#define SEAL_RX_OPTIONS(base)                                                \
	CLI_VALUE("trust", 0, (base) + SEAL_TRUST),                          \
	CLI_VALUE("decrypt", 0, (base) + SEAL_DECRYPT),                      \
	CLI_VALUE("max-age", 0, (base) + SEAL_MAX_AGE)
#define SEAL_OPTIONS(base) SEAL_TX_OPTIONS(base), SEAL_RX_OPTIONS(base)

/* The --help lines of the rows: what is sent, then what is received. */
#define SEAL_TX_USAGE(what)                                                  \
	"      --sign FILE         sign each " what " with the secret key FILE\n" \
	"                          (mcast keygen NAME makes NAME.key)\n"      \
	"      --encrypt FILE      also encrypt it with the group key FILE\n"
#define SEAL_RX_USAGE(what)                                                  \
	"      --trust FILE|DIR    accept only " what " signed by a key of\n" \
	"                          FILE (.pub or a list) or DIR (its .pub files);\n" \
	"                          repeatable\n"                               \
	"      --decrypt FILE      decrypt with the group key FILE\n"         \
	"      --max-age DURATION  refuse envelopes older or newer than this\n" \
	"                          (default 30s; 0 turns the check off)\n"

/* What the options asked for. Paths stay the caller's (argv, settings). */
struct seal_opts {
	const char *sign, *encrypt, *decrypt;
	const char *trust[SEAL_TRUST_MAX];
	size_t n_trust;
	uint64_t max_age_ns;
	bool has_max_age;
};

struct seal {
	/* Sending: NULL when nothing is signed. */
	mcast_sealer *sealer;
	struct tx_transport tx, *inner;
	unsigned char *buf; /* one envelope, or one plaintext */
	/* Receiving: trust is NULL without --trust (then envelopes are only
	 * parsed and shown as not verified). */
	mcast_trust *trust;
	rx_fn fn;
	void *owner;
	char key_hex[MCAST_KEY_SHORT_FPR_LEN]; /* of an unverified envelope */
	size_t wire_len; /* the datagram being delivered, as it arrived */
	uint64_t rejected[MCAST_ENV_VERDICTS];
	struct peers logged; /* per source: when a rejection was last logged */
};

/* Apply a if it is one of SEAL_OPTIONS(base): 0 or an exit code, or 1 when
 * it is not one of them. */
int seal_option(struct seal_opts *o, int base, const struct cli_arg *a);

/*
 * The combinations of o that make no sense, in the one block every command
 * has: no_rx, when not NULL, is the message refusing --trust, --decrypt and
 * --max-age (the command receives nothing to check); no_tx likewise for
 * --sign. Returns 0, or EXIT_USAGE after saying why.
 */
int seal_check(const struct seal_opts *o, const char *no_rx, const char *no_tx);

/*
 * Read the key files o names into s (zeroed first). Secret keys that
 * others may read are refused (keys.c says why); nothing a key holds is
 * ever printed. Returns 0, or EXIT_USAGE / EXIT_FAIL after saying why.
 */
int seal_init(struct seal *s, const struct seal_opts *o);

/* Whether s signs what it sends, and checks what it receives. */
static inline bool seal_signs(const struct seal *s) { return s->sealer != NULL; }
static inline bool seal_trusts(const struct seal *s) { return s->trust != NULL; }

/*
 * The transport to send through: inner itself when nothing is signed,
 * else one that seals each payload and hands the envelope to inner (its
 * max_payload is inner's less the envelope; closing it closes inner).
 */
struct tx_transport *seal_tx(struct seal *s, struct tx_transport *inner);

/*
 * seal_tx() for a sender whose message (message_len bytes, 0 when it has
 * none) must fit in one datagram: *out is the transport to send through.
 * Returns 0, or EXIT_USAGE after saying the message is too long.
 */
int seal_tx_open(struct seal *s, struct tx_transport *inner, size_t message_len,
		 struct tx_transport **out);

/* The bytes an envelope of s adds to a payload: 0 when s signs nothing. */
size_t seal_overhead(const struct seal *s);

/*
 * Seal n payloads of size bytes, back to back at in, into n envelopes of
 * size + seal_overhead() bytes back to back at out, dated now_ns (a batch
 * of mcast bench send). Returns 0, or -1 after saying why one failed.
 */
int seal_batch(struct seal *s, const unsigned char *in, size_t size, size_t n,
	       unsigned char *out, uint64_t now_ns);

/*
 * Seal len bytes of payload into s's buffer for an answer that must not be
 * larger than limit bytes: the payload is cut to fit (*cut set when it
 * was). Returns the envelope's length, or 0 when not even an empty payload
 * fits.
 */
size_t seal_answer(struct seal *s, const void *payload, size_t len, size_t limit,
		   bool *cut, const void **out);

/*
 * Give the rx transport seal_rx_fn with s as owner: each datagram is
 * opened and, when accepted, handed to fn(owner) with data the plaintext
 * and signer, key_id, seq set; a rejected one is only counted (and logged
 * with -v, once per source per second). Without --trust every datagram is
 * handed on, an envelope's payload shown with its key id and no signer.
 */
void seal_rx(struct seal *s, rx_fn fn, void *owner);
void seal_rx_fn(void *owner, const struct rx_msg *m);

/* The rejections of s as an object "rejected" of e's record, and their
 * total. */
struct emit;
uint64_t seal_emit_rejected(const struct seal *s, struct emit *e);
/* The text template of that object: "N rejected (U unsigned, ...)". */
#define SEAL_REJECTED_TMPL                                                    \
	"{rejected_total} rejected ({rejected.unsigned} unsigned, "           \
	"{rejected.malformed} malformed, {rejected.unknown_key} unknown key, " \
	"{rejected.bad_signature} bad signature, {rejected.replayed} replayed, " \
	"{rejected.too_old} too old, {rejected.too_new} too new, "            \
	"{rejected.undecryptable} undecryptable)"

/*
 * With --trust, the rejections of s into e's record (seal_emit_rejected())
 * and lead then SEAL_REJECTED_TMPL appended to the text template tmpl (a
 * string in size bytes); without it, nothing.
 */
void seal_summary(const struct seal *s, struct emit *e, const char *lead, char *tmpl,
		  size_t size);

/* For an envelope (m->key_id set): "verified", "signer" (null when not
 * verified), "key_id" and "seq" fields of e's record. */
void seal_emit_signer(struct emit *e, const struct rx_msg *m);

/* Free what s holds; keys are wiped (safe to call twice). */
void seal_free(struct seal *s);

#endif
