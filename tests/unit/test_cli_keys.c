/*
 * test_cli_keys.c - the tool's key files (src/cli/keys.c): a secret or
 * group key file that group or others may access is refused with the
 * reason and the fix; trust sets load from a .pub file, a list and a
 * directory; new key files are created, never overwritten. Works in a
 * temporary directory, removed at the end; messages are checked as a user
 * would read them, and never hold the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/keys.h"
#include "env_helpers.h"

#define SEED_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PUB_B64 "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
#define GROUP_B64 "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="

static char dir[] = "/tmp/mcast-keys-XXXXXX";

/* dir/name, in a static buffer: one at() per call it is passed to. */
static const char *at(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text, mode_t mode)
{
	const char *p = at(name);
	FILE *f;

	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_secret_modes(void **state)
{
	static const mode_t good[] = {0600, 0400, 0700};
	static const mode_t bad[] = {0640, 0604, 0644, 0660, 0610, 0601, 0666};
	char want[1024], fpr[MCAST_KEY_FPR_LEN];
	mcast_signkey *k;
	mcast_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		put("a.key", "mcast-ed25519-secret " SEED_B64 " a\n", good[i]);
		assert_int_equal(cli_key_read_secret(at("a.key"), &k, &e), 0);
		mcast_signkey_fingerprint(k, fpr);
		assert_memory_equal(fpr, "56475aa75463474c", 16);
		mcast_signkey_free(k);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("a.key", "mcast-ed25519-secret " SEED_B64 " a\n", bad[i]);
		k = NULL;
		assert_int_equal(cli_key_read_secret(at("a.key"), &k, &e), -EACCES);
		assert_null(k);
		snprintf(want, sizeof(want),
			 "%s: permissions %04o are too open: a secret key file must not be "
			 "accessible by group or others (chmod 600 %s)",
			 at("a.key"), (unsigned)bad[i], at("a.key"));
		assert_string_equal(e.msg, want);
	}
}

static void test_group_modes(void **state)
{
	char want[1024];
	mcast_groupkey *g;
	mcast_error e;

	(void)state;
	put("g.key", "mcast-group-key " GROUP_B64 "\n", 0600);
	assert_int_equal(cli_key_read_group(at("g.key"), &g, &e), 0);
	mcast_groupkey_free(g);
	put("g.key", "mcast-group-key " GROUP_B64 "\n", 0644);
	assert_int_equal(cli_key_read_group(at("g.key"), &g, &e), -EACCES);
	snprintf(want, sizeof(want),
		 "%s: permissions 0644 are too open: a secret key file must not be "
		 "accessible by group or others (chmod 600 %s)", at("g.key"), at("g.key"));
	assert_string_equal(e.msg, want);
}

static void test_secret_errors(void **state)
{
	char want[1024];
	mcast_signkey *k;
	mcast_error e;

	(void)state;
	assert_int_equal(cli_key_read_secret(at("none.key"), &k, &e), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", at("none.key"));
	assert_string_equal(e.msg, want);
	assert_int_equal(cli_key_read_secret(dir, &k, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_string_equal(e.msg, want);
	/* A public key where the secret one belongs: the message says so,
	 * prefixed with the file. */
	put("p.key", "mcast-ed25519-public " PUB_B64 "\n", 0600);
	assert_int_equal(cli_key_read_secret(at("p.key"), &k, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s: line 1: this is a public key: a secret key file "
		 "starts with 'mcast-ed25519-secret'", at("p.key"));
	assert_string_equal(e.msg, want);
	/* Damaged key: the message must not quote it. */
	put("d.key", "# mine\nmcast-ed25519-secret AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh!=\n",
	    0600);
	assert_int_equal(cli_key_read_secret(at("d.key"), &k, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s: line 2: the key is not valid base64 of 32 bytes",
		 at("d.key"));
	assert_string_equal(e.msg, want);
	assert_null(strstr(e.msg, "AAEC"));
	/* Far too large to be a key file. */
	{
		char big[5000];

		memset(big, '#', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		put("big.key", big, 0600);
	}
	assert_int_equal(cli_key_read_secret(at("big.key"), &k, &e), -EFBIG);
	snprintf(want, sizeof(want), "%s: larger than 4096 bytes: not a key file", at("big.key"));
	assert_string_equal(e.msg, want);
}

static void test_trust_file_and_dir(void **state)
{
	mcast_signkey *b = fixed_key(2);
	char line[MCAST_KEY_LINE_MAX], want[1024];
	const char *name;
	mcast_trust *t;
	mcast_error e;

	(void)state;
	mcast_signkey_format_public(b, NULL, line, sizeof(line));
	assert_int_equal(mkdir(at("trusted"), 0755), 0);
	put("trusted/ups1.pub", "mcast-ed25519-public " PUB_B64 " ups1\n", 0644);
	put("trusted/spare.pub", line, 0644);
	put("trusted/.hidden.pub", "not even a key\n", 0644);
	put("trusted/README", "not a key file\n", 0644);
	assert_int_equal(mcast_trust_new(&t, &e), 0);
	assert_int_equal(cli_trust_load(t, at("trusted"), &e), 2);
	assert_int_equal(mcast_trust_count(t), 2);
	/* The spare key has no comment: its file names it. */
	for (size_t i = 0; i < 2; i++) {
		mcast_trust_key(t, i, &name, NULL);
		assert_true(strcmp(name, "ups1") == 0 || strcmp(name, at("trusted/spare.pub")) == 0);
	}
	/* The same keys again, from a list file: counted, not added twice. */
	put("list", "# site 3\n", 0644);
	{
		char text[512];

		snprintf(text, sizeof(text), "# site 3\nmcast-ed25519-public " PUB_B64 "\n%s", line);
		put("list", text, 0644);
	}
	assert_int_equal(cli_trust_load(t, at("list"), &e), 2);
	assert_int_equal(mcast_trust_count(t), 2);
	/* Empty things are errors: a --trust that trusts nobody is a mistake. */
	put("empty.pub", "# nothing yet\n", 0644);
	assert_int_equal(cli_trust_load(t, at("empty.pub"), &e), -ENOENT);
	snprintf(want, sizeof(want),
		 "%s: no public key (no 'mcast-ed25519-public' line)", at("empty.pub"));
	assert_string_equal(e.msg, want);
	assert_int_equal(mkdir(at("nothing"), 0755), 0);
	assert_int_equal(cli_trust_load(t, at("nothing"), &e), -ENOENT);
	snprintf(want, sizeof(want), "%s: no .pub file with a public key", at("nothing"));
	assert_string_equal(e.msg, want);
	put("bad.pub", "mcast-ed25519-public " PUB_B64 "\nmcast-ed25519-secret " SEED_B64 "\n",
	    0644);
	assert_int_equal(cli_trust_load(t, at("bad.pub"), &e), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2: this is a secret key: never hand it out; give the .pub file",
		 at("bad.pub"));
	assert_string_equal(e.msg, want);
	assert_int_equal(cli_trust_load(t, at("missing.pub"), &e), -ENOENT);
	mcast_trust_free(t);
	mcast_signkey_free(b);
}

static void test_write_new(void **state)
{
	char buf[64], want[1024];
	struct stat st;
	mcast_error e;
	mode_t old = umask(022);
	int fd;

	(void)state;
	assert_int_equal(cli_key_write_new(at("new.key"), "secret line\n", 12, 0600, &e), 0);
	assert_int_equal(stat(at("new.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	fd = open(at("new.key"), O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 12);
	close(fd);
	assert_memory_equal(buf, "secret line\n", 12);
	assert_int_equal(cli_key_write_new(at("new.key"), "other\n", 6, 0600, &e), -EEXIST);
	snprintf(want, sizeof(want), "%s exists: not overwritten", at("new.key"));
	assert_string_equal(e.msg, want);
	/* Unchanged. */
	fd = open(at("new.key"), O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 12);
	close(fd);
	/* A symlink in its place is not followed. */
	{
		char target[256];

		snprintf(target, sizeof(target), "%s", at("elsewhere"));
		assert_int_equal(symlink(target, at("link.key")), 0);
	}
	assert_int_equal(cli_key_write_new(at("link.key"), "x\n", 2, 0600, &e), -EEXIST);
	assert_int_equal(access(at("elsewhere"), F_OK), -1);
	assert_int_equal(cli_key_write_new(at("no/such/dir.key"), "x\n", 2, 0600, &e), -ENOENT);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_modes),
		cmocka_unit_test(test_group_modes),
		cmocka_unit_test(test_secret_errors),
		cmocka_unit_test(test_trust_file_and_dir),
		cmocka_unit_test(test_write_new),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
