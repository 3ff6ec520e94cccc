/*
 * fuzz_keys.c - the key file parsers on arbitrary text:
 * mcast_trust_add_text() (the .pub files and key lists a receiver is told
 * to trust), mcast_signkey_parse() and mcast_groupkey_parse().
 *
 * Properties: each returns a documented code; a failure leaves one
 * printable line in err that is one of the parser's own messages, with
 * nothing of the text quoted but the source name and a line number (a key
 * file may hold a secret); a key read back and formatted again has the
 * same spelling (one key, one text) and the same fingerprint; adding the
 * same text to a trust set twice counts the same keys and adds none.
 */
#include "fuzz.h"

#include "mcast.h"

#include <errno.h>
#include <stdio.h>

/* The messages a key line can get (keys.c), after "line N: "/"SOURCE:N: ". */
static const char *const line_msgs[] = {
	"the line contains a NUL byte",
	"not a key line",
	"the key is not 44 characters of base64",
	"the key is not valid base64 of 32 bytes",
	"the comment is longer than 64 bytes",
	"the comment contains a control character",
	"a second key: the file must hold one",
	"this is a public key: a secret key file starts with 'mcast-ed25519-secret'",
	"this is a group key, not a secret signing key",
	"this is a group key, not a public key",
	"this is a secret key: never hand it out; give the .pub file",
	"this is a public key, not a group key",
	"this is a secret signing key, not a group key",
	"another key has the same key id",
};

/* Is msg "PREFIXN: M" for a known M, or one of the whole messages? */
static bool known_message(const char *msg, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = msg + n;

	if (strcmp(msg, "no 'mcast-ed25519-secret' line") == 0 ||
	    strcmp(msg, "no 'mcast-group-key' line") == 0)
		return true;
	if (strncmp(msg, prefix, n) != 0 || *p < '1' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != ':' || p[1] != ' ')
		return false;
	for (size_t i = 0; i < sizeof(line_msgs) / sizeof(line_msgs[0]); i++)
		if (strcmp(p + 2, line_msgs[i]) == 0)
			return true;
	return false;
}

static void check_failure(int rc, const mcast_error *e, const char *prefix)
{
	const char *why = fuzz_bad_message(e->msg, sizeof(e->msg));

	FUZZ_CHECK(rc == -EINVAL || rc == -EEXIST, "code %d", rc);
	FUZZ_CHECK(!why, "message %s", why);
	FUZZ_CHECK(known_message(e->msg, prefix), "unexpected message '%s'", e->msg);
}

/* The 44-character key of the first key line of text (formatted by us). */
static void key_field(const char *line, char *out)
{
	const char *sp = strchr(line, ' ');

	FUZZ_CHECK(sp && strlen(sp + 1) >= 44, "formatted line '%s'", line);
	memcpy(out, sp + 1, 44);
	out[44] = '\0';
}

static void signkey(const char *text, size_t len)
{
	char line[MCAST_KEY_LINE_MAX], again_line[MCAST_KEY_LINE_MAX];
	char f1[MCAST_KEY_FPR_LEN], f2[MCAST_KEY_FPR_LEN], b64[45];
	mcast_signkey *k = NULL, *again = NULL;
	mcast_error e;
	int rc = mcast_signkey_parse(&k, text, len, &e);

	if (rc < 0) {
		check_failure(rc, &e, "line ");
		FUZZ_CHECK(k == NULL, "*out written on failure");
		return;
	}
	FUZZ_CHECK(mcast_signkey_format_secret(k, NULL, line, sizeof(line)) > 0, "format");
	key_field(line, b64);
	/* The input's key is spelled exactly as we would spell it. */
	FUZZ_CHECK(memmem(text, len, b64, 44) != NULL, "another spelling of one key");
	FUZZ_CHECK(mcast_signkey_parse(&again, line, strlen(line), &e) == 0, "%s", e.msg);
	mcast_signkey_format_secret(again, NULL, again_line, sizeof(again_line));
	FUZZ_CHECK(strcmp(line, again_line) == 0, "format does not round-trip");
	mcast_signkey_fingerprint(k, f1);
	mcast_signkey_fingerprint(again, f2);
	FUZZ_CHECK(strcmp(f1, f2) == 0, "fingerprints differ");
	mcast_signkey_free(k);
	mcast_signkey_free(again);
}

static void groupkey(const char *text, size_t len)
{
	char line[MCAST_KEY_LINE_MAX], b64[45];
	mcast_groupkey *g = NULL;
	mcast_error e;
	int rc = mcast_groupkey_parse(&g, text, len, &e);

	if (rc < 0) {
		check_failure(rc, &e, "line ");
		FUZZ_CHECK(g == NULL, "*out written on failure");
		return;
	}
	FUZZ_CHECK(mcast_groupkey_format(g, NULL, line, sizeof(line)) > 0, "format");
	key_field(line, b64);
	FUZZ_CHECK(memmem(text, len, b64, 44) != NULL, "another spelling of one key");
	mcast_groupkey_free(g);
}

static void trusted(const char *text, size_t len)
{
	mcast_trust *t;
	mcast_error e;
	size_t n;
	int rc, again;

	FUZZ_CHECK(mcast_trust_new(&t, &e) == 0, "%s", e.msg);
	rc = mcast_trust_add_text(t, text, len, "keys.pub", &e);
	n = mcast_trust_count(t);
	if (rc < 0) {
		check_failure(rc, &e, "keys.pub:");
		FUZZ_CHECK(n == 0, "%zu keys added by a failed call", n);
	} else {
		FUZZ_CHECK(n <= (size_t)rc, "%zu keys from a text of %d", n, rc);
		again = mcast_trust_add_text(t, text, len, "again", &e);
		FUZZ_CHECK(again == rc, "%d keys the second time, %d the first", again, rc);
		FUZZ_CHECK(mcast_trust_count(t) == n, "keys added twice");
		for (size_t i = 0; i < n; i++) {
			char fpr[MCAST_KEY_FPR_LEN];
			const char *name;

			FUZZ_CHECK(mcast_trust_key(t, i, &name, fpr) == 0, "key %zu", i);
			FUZZ_CHECK(name && !fuzz_bad_message(name, strlen(name) + 1),
				   "a key's name is not one printable line");
			FUZZ_CHECK(strlen(fpr) == 64, "fingerprint");
		}
	}
	mcast_trust_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, not NUL-terminated: the parsers take a length. */
	char *text = malloc(size ? size : 1);

	FUZZ_CHECK(text != NULL, "out of memory");
	if (size)
		memcpy(text, data, size);
	signkey(text, size);
	groupkey(text, size);
	trusted(text, size);
	free(text);
	return 0;
}
