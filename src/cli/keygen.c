/*
 * keygen.c - `mcast keygen NAME`: a new Ed25519 signing key pair in
 * NAME.key (secret, mode 0600) and NAME.pub, or with --group a new group
 * key in NAME.key; prints the short fingerprint. Never prints a key.
 */
#include "cli/cli.h"
#include "cli/keys.h"
#include "cli/opt.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
	"Usage: mcast keygen [OPTIONS] NAME\n"
	"\n"
	"Make a new signing key: the secret key in NAME.key (created with mode\n"
	"0600, never overwritten) for the sender, and the public key in NAME.pub\n"
	"for the receivers. With --group, make a group key in NAME.key instead,\n"
	"a secret to share with the sender and the receivers that may read\n"
	"encrypted payloads. Prints the key's short fingerprint; a NAME ending\n"
	"in .key or .pub means the same NAME without it.\n"
	"\n"
	"Options:\n"
	"  -g, --group             make a group key (encryption) instead\n"
	"  -c, --comment TEXT      name the key TEXT in its files (default: NAME\n"
	"                          without its directory)\n"
	"      --config FILE       read settings from FILE ([keygen] section)\n"
	"  -v, --verbose           also print the full fingerprint\n"
	"  -q, --quiet             print errors only on stderr\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 written, 1 failure (a file exists, cannot be written),\n"
	"2 usage error.\n";

enum { OPT_GROUP = CLI_OPT_OWN, OPT_COMMENT };

static const struct cli_opt keygen_options[] = {
	CLI_FLAG("group", 'g', OPT_GROUP),
	CLI_VALUE("comment", 'c', OPT_COMMENT),
	CLI_COMMON_OPTIONS,
};

struct keygen {
	bool group;
	const char *comment;
	struct cli_config cfg;
	char stem[PATH_MAX - 4];
	char key_path[PATH_MAX], pub_path[PATH_MAX];
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct keygen *k = ctx;

	switch (a->id) {
	case OPT_GROUP: k->group = true; return 0;
	case OPT_COMMENT: k->comment = a->value; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

/* NAME is an operand, not a group: the parser leaves it to cmd_keygen(). */
const struct cli_spec keygen_spec = {
	.name = "keygen", .opts = keygen_options, .apply = apply,
	.ctx_size = sizeof(struct keygen),
	.usage = usage_text, .operands = CLI_NO_OPERANDS,
};

/* The paths NAME.key and NAME.pub, and the default comment. */
static int paths(struct keygen *k, const char *name)
{
	size_t n = strlen(name);
	const char *base;

	if (n > 4 && (strcmp(name + n - 4, ".key") == 0 || strcmp(name + n - 4, ".pub") == 0))
		n -= 4;
	if (n == 0 || name[n - 1] == '/')
		return cli_usage("'%s' is not a file name", name);
	if (n >= sizeof(k->stem))
		return cli_usage("NAME is too long (%zu bytes)", n);
	memcpy(k->stem, name, n);
	k->stem[n] = '\0';
	snprintf(k->key_path, sizeof(k->key_path), "%s.key", k->stem);
	snprintf(k->pub_path, sizeof(k->pub_path), "%s.pub", k->stem);
	base = strrchr(k->stem, '/');
	if (!k->comment)
		k->comment = base ? base + 1 : k->stem;
	return 0;
}

/* Write the secret line to NAME.key (0600) and the public one, if any, to
 * NAME.pub (0644); neither file may exist, and both or neither remain. */
static int write_files(const struct keygen *k, const char *secret, size_t slen,
		       const char *public, size_t plen)
{
	mcast_error e;

	/* Say which file is in the way before writing anything; O_EXCL
	 * below still refuses one that appears meanwhile. */
	for (int i = 0; i < (public ? 2 : 1); i++) {
		const char *p = i ? k->pub_path : k->key_path;
		struct stat st;

		if (lstat(p, &st) == 0) {
			cli_err("%s exists: not overwritten", p);
			return EXIT_FAIL;
		}
	}
	if (cli_key_write_new(k->key_path, secret, slen, 0600, &e) < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	if (public && cli_key_write_new(k->pub_path, public, plen, 0644, &e) < 0) {
		unlink(k->key_path);
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int make_signkey(const struct keygen *k)
{
	char secret[MCAST_KEY_LINE_MAX], public[MCAST_KEY_LINE_MAX], fpr[MCAST_KEY_FPR_LEN];
	mcast_signkey *key;
	mcast_error e;
	ssize_t sn, pn;
	int rc;

	if (mcast_signkey_new(&key, &e) < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	sn = mcast_signkey_format_secret(key, k->comment, secret, sizeof(secret));
	pn = mcast_signkey_format_public(key, k->comment, public, sizeof(public));
	mcast_signkey_fingerprint(key, fpr);
	mcast_signkey_free(key);
	if (sn < 0 || pn < 0) {
		explicit_bzero(secret, sizeof(secret));
		return cli_usage("the comment '%s' cannot name a key (at most %d bytes, no "
				 "control characters, no blanks at either end)",
				 k->comment, MCAST_KEY_COMMENT_MAX);
	}
	rc = write_files(k, secret, (size_t)sn, public, (size_t)pn);
	explicit_bzero(secret, sizeof(secret));
	if (rc != EXIT_OK)
		return rc;
	cli_info("wrote the secret key %s (mode 0600): keep it private", k->key_path);
	cli_info("wrote the public key %s: give it to the receivers", k->pub_path);
	cli_debug("fingerprint %s", fpr);
	fpr[MCAST_KEY_SHORT_FPR_LEN - 1] = '\0';
	printf("%s\n", fpr);
	return EXIT_OK;
}

static int make_groupkey(const struct keygen *k)
{
	char secret[MCAST_KEY_LINE_MAX], fpr[MCAST_KEY_FPR_LEN];
	mcast_groupkey *key;
	mcast_error e;
	ssize_t sn;
	int rc;

	if (mcast_groupkey_new(&key, &e) < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	sn = mcast_groupkey_format(key, k->comment, secret, sizeof(secret));
	mcast_groupkey_fingerprint(key, fpr);
	mcast_groupkey_free(key);
	if (sn < 0)
		return cli_usage("the comment '%s' cannot name a key (at most %d bytes, no "
				 "control characters, no blanks at either end)",
				 k->comment, MCAST_KEY_COMMENT_MAX);
	rc = write_files(k, secret, (size_t)sn, NULL, 0);
	explicit_bzero(secret, sizeof(secret));
	if (rc != EXIT_OK)
		return rc;
	cli_info("wrote the group key %s (mode 0600): copy it, privately, to the sender "
		 "and to each receiver that may read", k->key_path);
	cli_debug("fingerprint %s", fpr);
	fpr[MCAST_KEY_SHORT_FPR_LEN - 1] = '\0';
	printf("%s\n", fpr);
	return EXIT_OK;
}

int cmd_keygen(int argc, char **argv)
{
	struct keygen k;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = cli_options(argc, argv, &keygen_spec, &k, &k.cfg);
	if (rc == 0 && optind >= argc)
		rc = cli_usage("keygen needs a NAME: mcast keygen [--group] NAME");
	else if (rc == 0 && optind + 1 < argc)
		rc = cli_usage("unexpected argument '%s'", argv[optind + 1]);
	if (rc == 0)
		rc = paths(&k, argv[optind]);
	if (rc == 0)
		rc = k.group ? make_groupkey(&k) : make_signkey(&k);
	if (rc == EXIT_OK && fflush(stdout) == EOF) {
		cli_err("writing output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	cli_config_free(&k.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
