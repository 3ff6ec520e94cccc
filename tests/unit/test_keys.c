/*
 * test_keys.c - signing keys, group keys and trust sets in their text form
 * (mcast_signkey_*, mcast_groupkey_*, mcast_trust_add_text() in mcast.h;
 * docs/PROTOCOL.md "Key files"): round trips, key ids and fingerprints
 * checked against SHA-256 directly, every malformed line with the message
 * a user sees, and that no message ever quotes a key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "env_helpers.h"

/* The base64 of seed 00..1f, and of its public key. */
#define SEED_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PUB_B64 "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
/* Its SHA-256, in hex: the fingerprint. */
#define PUB_FPR "56475aa75463474c"

static void test_signkey_text(void **state)
{
	char line[MCAST_KEY_LINE_MAX], fpr[MCAST_KEY_FPR_LEN];
	unsigned char pk[32], h[32];
	char hex[65];
	mcast_signkey *k = fixed_key(0), *again = NULL;
	mcast_error e;

	(void)state;
	assert_int_equal(mcast_signkey_format_secret(k, "ups1", line, sizeof(line)),
			 strlen("mcast-ed25519-secret " SEED_B64 " ups1\n"));
	assert_string_equal(line, "mcast-ed25519-secret " SEED_B64 " ups1\n");
	assert_int_equal(mcast_signkey_parse(&again, line, strlen(line), &e), 0);
	sodium_memzero(line, sizeof(line));
	assert_true(mcast_signkey_format_public(again, NULL, line, sizeof(line)) > 0);
	assert_string_equal(line, "mcast-ed25519-public " PUB_B64 "\n");
	assert_true(mcast_signkey_format_public(again, "a name with spaces", line,
						sizeof(line)) > 0);
	assert_string_equal(line, "mcast-ed25519-public " PUB_B64 " a name with spaces\n");
	/* The fingerprint is the SHA-256 of the public key. */
	assert_int_equal(sodium_base642bin(pk, 32, PUB_B64, 44, NULL, NULL, NULL,
					   sodium_base64_VARIANT_ORIGINAL), 0);
	crypto_hash_sha256(h, pk, 32);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	mcast_signkey_fingerprint(k, fpr);
	assert_string_equal(fpr, hex);
	assert_memory_equal(fpr, PUB_FPR, 16);
	mcast_signkey_fingerprint(again, fpr);
	assert_string_equal(fpr, hex);
	mcast_signkey_free(k);
	mcast_signkey_free(again);
}

static void test_new_keys(void **state)
{
	char a[MCAST_KEY_FPR_LEN], b[MCAST_KEY_FPR_LEN];
	char line[MCAST_KEY_LINE_MAX];
	mcast_signkey *k1, *k2, *k3;
	mcast_groupkey *g1, *g2, *g3;
	mcast_error e;

	(void)state;
	assert_int_equal(mcast_signkey_new(&k1, &e), 0);
	assert_int_equal(mcast_signkey_new(&k2, &e), 0);
	mcast_signkey_fingerprint(k1, a);
	mcast_signkey_fingerprint(k2, b);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 64);
	assert_true(mcast_signkey_format_secret(k1, NULL, line, sizeof(line)) > 0);
	assert_int_equal(mcast_signkey_parse(&k3, line, strlen(line), &e), 0);
	mcast_signkey_fingerprint(k3, b);
	assert_string_equal(a, b);
	assert_int_equal(mcast_groupkey_new(&g1, &e), 0);
	assert_int_equal(mcast_groupkey_new(&g2, &e), 0);
	mcast_groupkey_fingerprint(g1, a);
	mcast_groupkey_fingerprint(g2, b);
	assert_string_not_equal(a, b);
	assert_true(mcast_groupkey_format(g1, "site", line, sizeof(line)) > 0);
	assert_memory_equal(line, "mcast-group-key ", 16);
	assert_int_equal(mcast_groupkey_parse(&g3, line, strlen(line), &e), 0);
	mcast_groupkey_fingerprint(g3, b);
	assert_string_equal(a, b);
	mcast_signkey_free(k1);
	mcast_signkey_free(k2);
	mcast_signkey_free(k3);
	mcast_groupkey_free(g1);
	mcast_groupkey_free(g2);
	mcast_groupkey_free(g3);
	mcast_signkey_free(NULL);
	mcast_groupkey_free(NULL);
}

/* The group key fingerprint is SHA-256("mcast-group-key" || key). */
static void test_group_fingerprint(void **state)
{
	unsigned char in[15 + 32], h[32];
	char hex[65], fpr[MCAST_KEY_FPR_LEN];
	mcast_groupkey *g = fixed_group(0x42);

	(void)state;
	memcpy(in, "mcast-group-key", 15);
	memset(in + 15, 0x42, 32);
	crypto_hash_sha256(h, in, sizeof(in));
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	mcast_groupkey_fingerprint(g, fpr);
	assert_string_equal(fpr, hex);
	mcast_groupkey_free(g);
}

/* Parse text as a secret key; check the code and message, and that the
 * message holds nothing of the key. */
static void bad_secret(const char *text, const char *msg)
{
	mcast_signkey *k = (mcast_signkey *)(uintptr_t)1;
	mcast_error e;

	assert_int_equal(mcast_signkey_parse(&k, text, strlen(text), &e), -EINVAL);
	assert_string_equal(e.msg, msg);
	assert_null(strstr(e.msg, "AAEC"));
	assert_null(strstr(e.msg, "AQID"));
	assert_ptr_equal(k, (mcast_signkey *)(uintptr_t)1); /* untouched */
}

static void test_secret_errors(void **state)
{
	(void)state;
	bad_secret("", "no 'mcast-ed25519-secret' line");
	bad_secret("# only a comment\n\n", "no 'mcast-ed25519-secret' line");
	bad_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 1: not a key line");
	bad_secret("mcast-ed25519-public " PUB_B64 "\n",
		   "line 1: this is a public key: a secret key file starts with "
		   "'mcast-ed25519-secret'");
	bad_secret("\nmcast-group-key " SEED_B64 "\n",
		   "line 2: this is a group key, not a secret signing key");
	bad_secret("mcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
		   "line 1: the key is not 44 characters of base64");
	bad_secret("mcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==\n",
		   "line 1: the key is not 44 characters of base64");
	bad_secret("mcast-ed25519-secret\n", "line 1: the key is not 44 characters of base64");
	/* 44 characters, but not canonical base64 of 32 bytes: stray bits in
	 * the last character, a character outside the alphabet, 33 bytes. */
	bad_secret("mcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n",
		   "line 1: the key is not valid base64 of 32 bytes");
	bad_secret("mcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh_=\n",
		   "line 1: the key is not valid base64 of 32 bytes");
	bad_secret("mcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n",
		   "line 1: the key is not valid base64 of 32 bytes");
	/* Bytes above 0x7f that libsodium 1.0.18 decodes as letters
	 * (found by fuzz_keys). */
	bad_secret("\tmcast-ed25519-secret\tAAECAwQFBgcI\xc3\xae\x90\xb3\xbb\xbe\xcf\xb0"
		   "DxAREhMUFRYXGBkaGxwdHh8=\tt\n",
		   "line 1: the key is not valid base64 of 32 bytes");
	bad_secret("mcast-ed25519-secret " SEED_B64 "\nmcast-ed25519-secret " SEED_B64 "\n",
		   "line 2: a second key: the file must hold one");
	bad_secret("mcast-ed25519-secret " SEED_B64 "\nmcast-ed25519-public " PUB_B64 "\n",
		   "line 2: this is a public key: a secret key file starts with "
		   "'mcast-ed25519-secret'");
	bad_secret("mcast-ed25519-secret " SEED_B64 " a\x1b[31mred\n",
		   "line 1: the comment contains a control character");
	bad_secret("mcast-ed25519-secret " SEED_B64 " a\xc2\x9b" "31mred\n",
		   "line 1: the comment contains a control character");
	bad_secret("mcast-ed25519-secret " SEED_B64 " del\x7f\n",
		   "line 1: the comment contains a control character");
	bad_secret("mcast-ed25519-secret " SEED_B64
		   " 0123456789012345678901234567890123456789012345678901234567890123456789\n",
		   "line 1: the comment is longer than 64 bytes");
	bad_secret("mcast-ed25519-secret-key " SEED_B64 "\n", "line 1: not a key line");
	bad_secret("mcast-ed25519-secret\t" SEED_B64 "x\n",
		   "line 1: the key is not 44 characters of base64");

	/* A NUL byte anywhere in a line. */
	static const char nul[] = "mcast-ed25519-secret " SEED_B64 "\0 tail\n";
	mcast_signkey *k;
	mcast_error e;

	assert_int_equal(mcast_signkey_parse(&k, nul, sizeof(nul) - 1, &e), -EINVAL);
	assert_string_equal(e.msg, "line 1: the line contains a NUL byte");
	assert_int_equal(mcast_signkey_parse(&k, NULL, 0, &e), -EINVAL);
}

static void test_secret_layout(void **state)
{
	static const char *const good[] = {
		"mcast-ed25519-secret " SEED_B64,
		"mcast-ed25519-secret " SEED_B64 "\n",
		"# ups1's key\n\n   mcast-ed25519-secret\t " SEED_B64 "  comment  \r\n\n# end\n",
		"mcast-ed25519-secret " SEED_B64 " ups1 \xc3\xa9t\xc3\xa9\r\n",
	};
	char fpr[MCAST_KEY_FPR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mcast_signkey *k = NULL;
		mcast_error e;

		if (mcast_signkey_parse(&k, good[i], strlen(good[i]), &e) != 0)
			fail_msg("text %zu: %s", i, e.msg);
		mcast_signkey_fingerprint(k, fpr);
		assert_memory_equal(fpr, PUB_FPR, 16);
		mcast_signkey_free(k);
	}
}

static void test_format_errors(void **state)
{
	mcast_signkey *k = fixed_key(0);
	mcast_groupkey *g = fixed_group(1);
	char line[MCAST_KEY_LINE_MAX];
	char long_comment[MCAST_KEY_COMMENT_MAX + 2];
	size_t exact = strlen("mcast-ed25519-public " PUB_B64 " ab\n") + 1;

	(void)state;
	assert_int_equal(mcast_signkey_format_public(k, " lead", line, sizeof(line)), -EINVAL);
	assert_int_equal(mcast_signkey_format_public(k, "trail\t", line, sizeof(line)), -EINVAL);
	assert_int_equal(mcast_signkey_format_public(k, "new\nline", line, sizeof(line)), -EINVAL);
	assert_int_equal(mcast_groupkey_format(g, "tab\there", line, sizeof(line)), -EINVAL);
	memset(long_comment, 'x', sizeof(long_comment) - 1);
	long_comment[sizeof(long_comment) - 1] = '\0';
	assert_int_equal(mcast_signkey_format_public(k, long_comment, line, sizeof(line)),
			 -EINVAL);
	long_comment[MCAST_KEY_COMMENT_MAX] = '\0';
	assert_true(mcast_signkey_format_secret(k, long_comment, line, sizeof(line)) > 0);
	assert_true(strlen(line) < MCAST_KEY_LINE_MAX);
	assert_int_equal(mcast_signkey_format_public(k, "ab", line, exact), (ssize_t)exact - 1);
	assert_int_equal(mcast_signkey_format_public(k, "ab", line, exact - 1), -ENOSPC);
	assert_int_equal(mcast_signkey_format_public(k, "", line, sizeof(line)),
			 strlen("mcast-ed25519-public " PUB_B64 "\n"));
	mcast_signkey_free(k);
	mcast_groupkey_free(g);
}

static void test_group_errors(void **state)
{
	mcast_groupkey *g;
	mcast_error e;
	const char *pub = "mcast-ed25519-public " PUB_B64 "\n";
	const char *sec = "mcast-ed25519-secret " SEED_B64 "\n";

	(void)state;
	assert_int_equal(mcast_groupkey_parse(&g, pub, strlen(pub), &e), -EINVAL);
	assert_string_equal(e.msg, "line 1: this is a public key, not a group key");
	assert_int_equal(mcast_groupkey_parse(&g, sec, strlen(sec), &e), -EINVAL);
	assert_string_equal(e.msg, "line 1: this is a secret signing key, not a group key");
	assert_null(strstr(e.msg, "AAEC"));
}

static void test_trust_list(void **state)
{
	static const char list[] =
		"# the publishers of site 3\n"
		"mcast-ed25519-public " PUB_B64 " ups1\n"
		"\n"
		"   # a spare key, not named\n"
		"mcast-ed25519-public %s\n"
		"mcast-ed25519-public %s temperature sensor\n";
	mcast_signkey *b = fixed_key(2), *c = fixed_key(3);
	char lb[MCAST_KEY_LINE_MAX], lc[MCAST_KEY_LINE_MAX], text[1024];
	char fpr[MCAST_KEY_FPR_LEN], want[MCAST_KEY_FPR_LEN];
	const char *name;
	mcast_trust *t;
	mcast_error e;
	int found = 0;

	(void)state;
	mcast_signkey_format_public(b, NULL, lb, sizeof(lb));
	mcast_signkey_format_public(c, NULL, lc, sizeof(lc));
	lb[strlen(lb) - 1] = lc[strlen(lc) - 1] = '\0';
	snprintf(text, sizeof(text), list, lb + 21, lc + 21);
	assert_int_equal(mcast_trust_new(&t, &e), 0);
	assert_int_equal(mcast_trust_add_text(t, text, strlen(text), "site3.keys", &e), 3);
	assert_int_equal(mcast_trust_count(t), 3);
	/* Adding the same keys again adds nothing, but counts them. */
	assert_int_equal(mcast_trust_add_text(t, text, strlen(text), "again", &e), 3);
	assert_int_equal(mcast_trust_count(t), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mcast_trust_key(t, i, &name, fpr), 0);
		if (strcmp(name, "ups1") == 0) {
			assert_memory_equal(fpr, PUB_FPR, 16);
			found |= 1;
		} else if (strcmp(name, "site3.keys") == 0) {
			mcast_signkey_fingerprint(b, want);
			assert_string_equal(fpr, want);
			found |= 2;
		} else if (strcmp(name, "temperature sensor") == 0) {
			mcast_signkey_fingerprint(c, want);
			assert_string_equal(fpr, want);
			found |= 4;
		}
		/* Ordered by key id. */
		if (i) {
			char prev[MCAST_KEY_FPR_LEN];

			mcast_trust_key(t, i - 1, NULL, prev);
			assert_true(memcmp(prev, fpr, 16) < 0);
		}
	}
	assert_int_equal(found, 7);
	assert_int_equal(mcast_trust_key(t, 3, &name, fpr), -ENOENT);
	mcast_trust_free(t);

	/* No source and no comment: the short fingerprint names the key. */
	assert_int_equal(mcast_trust_new(&t, &e), 0);
	assert_int_equal(mcast_trust_add_text(t, lb, strlen(lb), NULL, &e), 1);
	assert_int_equal(mcast_trust_key(t, 0, &name, fpr), 0);
	fpr[16] = '\0';
	assert_string_equal(name, fpr);
	mcast_trust_free(t);
	mcast_signkey_free(b);
	mcast_signkey_free(c);
}

static void test_trust_errors(void **state)
{
	static const char bad[] = "mcast-ed25519-public " PUB_B64 " ok\n"
				  "# fine\n"
				  "mcast-ed25519-secret " SEED_B64 "\n";
	static const char short_key[] = "mcast-ed25519-public A6EHv/POEL4d\n";
	mcast_trust *t;
	mcast_error e;

	(void)state;
	assert_int_equal(mcast_trust_new(&t, &e), 0);
	assert_int_equal(mcast_trust_add_text(t, bad, strlen(bad), "keys.txt", &e), -EINVAL);
	assert_string_equal(e.msg, "keys.txt:3: this is a secret key: never hand it out; "
				   "give the .pub file");
	assert_null(strstr(e.msg, "AAEC"));
	/* All or nothing: the good line before it was not added. */
	assert_int_equal(mcast_trust_count(t), 0);
	assert_int_equal(mcast_trust_add_text(t, short_key, strlen(short_key), NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "line 1: the key is not 44 characters of base64");
	assert_int_equal(mcast_trust_add_text(t, "# nothing\n", 10, "empty.pub", &e), 0);
	assert_int_equal(mcast_trust_add_text(t, "", 0, NULL, &e), 0);
	assert_int_equal(mcast_trust_add_text(NULL, "", 0, NULL, &e), -EINVAL);
	assert_int_equal(mcast_trust_add_text(t, NULL, 0, NULL, &e), -EINVAL);
	mcast_trust_free(t);
	mcast_trust_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signkey_text),
		cmocka_unit_test(test_new_keys),
		cmocka_unit_test(test_group_fingerprint),
		cmocka_unit_test(test_secret_errors),
		cmocka_unit_test(test_secret_layout),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_group_errors),
		cmocka_unit_test(test_trust_list),
		cmocka_unit_test(test_trust_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
