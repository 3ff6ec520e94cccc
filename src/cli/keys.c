/*
 * keys.c - reading and writing key files for the mcast tool; see keys.h.
 *
 * Files are opened once and checked on the open descriptor (fstat), so the
 * file whose permissions were checked is the file that is read. Buffers
 * that held a secret are wiped before they are freed.
 */
#include "cli/keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger than any key file; a list of public keys may hold thousands. */
#define SECRET_MAX 4096
#define LIST_MAX (1 << 20)

static int fail(mcast_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(mcast_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* -errno after a failed call, never 0. */
static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* Prefix err's message with "PATH: ". */
static int prefix(mcast_error *err, int code, const char *path)
{
	char msg[sizeof(err->msg)];

	if (!err)
		return code;
	memcpy(msg, err->msg, sizeof(msg));
	return fail(err, code, "%s: %s", path, msg);
}

/*
 * Read the regular file path (at most max bytes) into a new NUL-terminated
 * buffer *out of *len bytes. With secret, refuse a file that group or
 * others have any permission on.
 */
static int read_file(const char *path, bool secret, size_t max, char **out,
		     size_t *len, mcast_error *err)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(err, neg_errno(), "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = fail(err, neg_errno(), "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = fail(err, -EINVAL, "%s: not a regular file", path);
	else if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)))
		rc = fail(err, -EACCES,
			  "%s: permissions %04o are too open: a secret key file must not be "
			  "accessible by group or others (chmod 600 %s)",
			  path, (unsigned)(st.st_mode & 07777), path);
	buf = rc < 0 ? NULL : malloc(max + 1);
	if (rc == 0 && !buf)
		rc = fail(err, -ENOMEM, "%s: out of memory", path);
	while (rc == 0) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = fail(err, neg_errno(), "%s: %s", path, strerror(errno));
		else if (r == 0)
			break;
		else if ((n += (size_t)r) > max)
			rc = fail(err, -EFBIG, "%s: larger than %zu bytes: not a key file",
				  path, max);
	}
	close(fd);
	if (rc < 0 || !buf) {
		if (buf)
			explicit_bzero(buf, n);
		free(buf);
		return rc < 0 ? rc : -ENOMEM;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int cli_key_read_secret(const char *path, mcast_signkey **out, mcast_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(path, true, SECRET_MAX, &text, &len, err);

	if (rc < 0)
		return rc;
	rc = mcast_signkey_parse(out, text, len, err);
	explicit_bzero(text, len);
	free(text);
	return rc < 0 ? prefix(err, rc, path) : 0;
}

int cli_key_read_group(const char *path, mcast_groupkey **out, mcast_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = read_file(path, true, SECRET_MAX, &text, &len, err);

	if (rc < 0)
		return rc;
	rc = mcast_groupkey_parse(out, text, len, err);
	explicit_bzero(text, len);
	free(text);
	return rc < 0 ? prefix(err, rc, path) : 0;
}

/* Add the keys of one file; *found counts the keys it holds. */
static int load_file(mcast_trust *t, const char *path, size_t *found,
		     mcast_error *err)
{
	size_t len = 0;
	char *text = NULL;
	int rc = read_file(path, false, LIST_MAX, &text, &len, err);

	if (rc < 0)
		return rc;
	rc = mcast_trust_add_text(t, text, len, path, err);
	free(text);
	if (rc > 0)
		*found += (size_t)rc;
	return rc;
}

static int is_pub(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".pub") == 0;
}

static int load_dir(mcast_trust *t, const char *path, size_t *found,
		    mcast_error *err)
{
	struct dirent **names;
	int n = scandir(path, &names, is_pub, alphasort), rc = 0;

	if (n < 0)
		return fail(err, neg_errno(), "%s: %s", path, strerror(errno));
	for (int i = 0; i < n; i++) {
		char file[4096];

		if (rc >= 0 && snprintf(file, sizeof(file), "%s/%s", path,
					names[i]->d_name) >= (int)sizeof(file))
			rc = fail(err, -ENAMETOOLONG, "%s/%s: name too long", path,
				  names[i]->d_name);
		if (rc >= 0)
			rc = load_file(t, file, found, err);
		free(names[i]);
	}
	free(names);
	return rc < 0 ? rc : 0;
}

int cli_trust_load(mcast_trust *t, const char *path, mcast_error *err)
{
	struct stat st;
	size_t found = 0;
	bool dir;
	int rc;

	if (stat(path, &st) < 0)
		return fail(err, neg_errno(), "%s: %s", path, strerror(errno));
	dir = S_ISDIR(st.st_mode);
	rc = dir ? load_dir(t, path, &found, err) : load_file(t, path, &found, err);
	if (rc < 0)
		return rc;
	if (!found)
		return fail(err, -ENOENT, dir ? "%s: no .pub file with a public key"
					      : "%s: no public key (no 'mcast-ed25519-public' line)",
			    path);
	return found > INT_MAX ? INT_MAX : (int)found;
}

int cli_key_write_new(const char *path, const char *text, size_t len,
		      mode_t mode, mcast_error *err)
{
	size_t done = 0;
	bool ok;
	int e, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0 && errno == EEXIST)
		return fail(err, -EEXIST, "%s exists: not overwritten", path);
	if (fd < 0)
		return fail(err, neg_errno(), "%s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			break;
		}
		done += (size_t)w;
	}
	/* A key file cut short by a full disk must not stay behind. */
	ok = done == len && fsync(fd) == 0;
	e = neg_errno();
	if (close(fd) < 0 && ok) {
		ok = false;
		e = neg_errno();
	}
	if (!ok) {
		unlink(path);
		return fail(err, e, "%s: %s", path, strerror(-e));
	}
	return 0;
}
