/*
 * envtool.c - libmcast's envelopes on standard input and output, for
 * tests/net/t_envelope_python.sh, which checks them against an
 * independent peer (tests/net/envpy.py, PyNaCl). Until mcast send and recv
 * seal and open datagrams themselves, this is the shortest honest path
 * from the library to that peer: the same calls the tool will make
 * (mcast_env_seal(), mcast_env_open()) and the tool's own key file
 * readers (src/cli/keys.c, which refuse secret keys others may read), with
 * files and pipes instead of sockets.
 *
 *   envtool seal KEY [--encrypt GROUP] [--time NS]
 *       each line of stdin (without its newline) sealed: one envelope per
 *       line, in hex
 *   envtool open TRUST [--decrypt GROUP] [--max-age S] [--now NS]
 *       each hex line of stdin opened, in order, with one trust set: one
 *       line each, "VERDICT", or "ok SIGNER SEQ TIME PAYLOAD-HEX"; TRUST
 *       is a .pub file, a list of keys or a directory of .pub files
 *   envtool keys TRUST
 *       the keys of TRUST, one line each: "FINGERPRINT NAME"
 *
 * Times are nanoseconds since 1970 (0 or none: the clock). Exit status 0,
 * 1 with "envtool: ..." on stderr for a key file refused or a bad line.
 */
#include "cli/keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct args {
	const char *cmd, *file, *group;
	uint64_t time_ns, max_age;
};

static int fail(const char *msg)
{
	fprintf(stderr, "envtool: %s\n", msg);
	return 1;
}

static int parse(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->max_age = MCAST_ENV_MAX_AGE;
	if (argc < 3)
		return -1;
	a->cmd = argv[1];
	a->file = argv[2];
	for (int i = 3; i + 1 < argc; i += 2) {
		char *end;
		unsigned long long v = strtoull(argv[i + 1], &end, 10);

		if (strcmp(argv[i], "--encrypt") == 0 || strcmp(argv[i], "--decrypt") == 0)
			a->group = argv[i + 1];
		else if (*end || end == argv[i + 1])
			return -1;
		else if (strcmp(argv[i], "--time") == 0 || strcmp(argv[i], "--now") == 0)
			a->time_ns = v;
		else if (strcmp(argv[i], "--max-age") == 0)
			a->max_age = v * 1000000000ull;
		else
			return -1;
	}
	return argc % 2 == 1 ? 0 : -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the hex line in place; returns its byte length, or -1. */
static ssize_t unhex(char *line)
{
	size_t n = strcspn(line, "\r\n");

	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(line[i]), lo = hexval(line[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		line[i / 2] = (char)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}

static void put_hex(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", ((const unsigned char *)p)[i]);
}

static int do_seal(const struct args *a, mcast_signkey *key, mcast_groupkey *group)
{
	static unsigned char env[MCAST_ENV_MAX];
	mcast_sealer *s;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	mcast_error e;
	int rc = 0;

	if (mcast_sealer_new(&s, key, group, &e) < 0)
		return fail(e.msg);
	while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		ssize_t len;

		if (n > 0 && line[n - 1] == '\n')
			n--;
		len = mcast_env_seal(s, line, (size_t)n, env, sizeof(env), a->time_ns, &e);
		if (len < 0) {
			rc = fail(e.msg);
		} else {
			put_hex(env, (size_t)len);
			putchar('\n');
		}
	}
	free(line);
	mcast_sealer_free(s);
	return rc;
}

static int do_open(const struct args *a, mcast_trust *t)
{
	static unsigned char plain[MCAST_ENV_MAX];
	char *line = NULL;
	size_t cap = 0;
	mcast_env_info info;
	mcast_error e;
	int rc = 0;

	while (rc == 0 && getline(&line, &cap, stdin) >= 0) {
		ssize_t len = unhex(line);
		unsigned char *env;
		int v;

		if (len < 0) {
			rc = fail("a line that is not hex");
			break;
		}
		/* An exact-size copy, so a read past the end shows under ASan. */
		env = malloc(len ? (size_t)len : 1);
		if (!env) {
			rc = fail("out of memory");
			break;
		}
		memcpy(env, line, (size_t)len);
		v = mcast_env_open(t, env, (size_t)len, plain, sizeof(plain), a->time_ns, &info, &e);
		if (v < 0) {
			rc = fail(e.msg);
		} else if (v == MCAST_ENV_OK) {
			printf("ok %s %llu %llu ", info.signer, (unsigned long long)info.seq,
			       (unsigned long long)info.time_ns);
			put_hex(info.payload, info.payload_len);
			putchar('\n');
		} else {
			printf("%s\n", mcast_env_verdict_name(v));
		}
		free(env);
	}
	free(line);
	return rc;
}

int main(int argc, char **argv)
{
	mcast_signkey *key = NULL;
	mcast_groupkey *group = NULL;
	mcast_trust *t = NULL;
	struct args a;
	mcast_error e;
	int rc;

	if (parse(argc, argv, &a) < 0 ||
	    (strcmp(a.cmd, "seal") != 0 && strcmp(a.cmd, "open") != 0 &&
	     strcmp(a.cmd, "keys") != 0))
		return fail("usage: envtool seal KEY [--encrypt GROUP] [--time NS] | "
			    "open TRUST [--decrypt GROUP] [--max-age S] [--now NS] | keys TRUST");
	if (a.group && cli_key_read_group(a.group, &group, &e) < 0)
		return fail(e.msg);
	if (strcmp(a.cmd, "seal") == 0) {
		rc = cli_key_read_secret(a.file, &key, &e) < 0 ? fail(e.msg)
							       : do_seal(&a, key, group);
	} else if (mcast_trust_new(&t, &e) < 0 || cli_trust_load(t, a.file, &e) < 0) {
		rc = fail(e.msg);
	} else if (strcmp(a.cmd, "keys") == 0) {
		rc = 0;
		for (size_t i = 0; i < mcast_trust_count(t); i++) {
			char fpr[MCAST_KEY_FPR_LEN];
			const char *name;

			mcast_trust_key(t, i, &name, fpr);
			printf("%s %s\n", fpr, name);
		}
	} else {
		mcast_trust_set_max_age(t, a.max_age);
		mcast_trust_set_groupkey(t, group);
		rc = do_open(&a, t);
	}
	if (fflush(stdout) == EOF)
		rc = fail(strerror(errno));
	mcast_signkey_free(key);
	mcast_groupkey_free(group);
	mcast_trust_free(t);
	return rc;
}
