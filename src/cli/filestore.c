/*
 * filestore.c - received files under --output DIR: a private temporary
 * directory, checks, and a rename that never replaces (see filestore.h).
 *
 * The SHA-256 is OpenSSL's (libcrypto), not libsodium's: on this kind of
 * machine it uses the CPU's SHA instructions and hashes 256 MiB in 0.18 s
 * of CPU against 1.0 s, and both ends hash every file once.
 */
#include "cli/cli.h"
#include "cli/filestore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int filestore_open(struct filestore *fs, const char *dir, bool overwrite,
		   char *msg, size_t cap)
{
	int err = 0;

	memset(fs, 0, sizeof(*fs));
	fs->tmpfd = -1;
	fs->overwrite = overwrite;
	fs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->dirfd < 0) {
		err = errno;
		snprintf(msg, cap, "--output %s: %s", dir, strerror(err));
		return -err;
	}
	/* A random name, made with mkdirat so that an existing one (even a
	 * symlink planted there) makes us pick again rather than use it. */
	for (int tries = 0; tries < 16; tries++) {
		snprintf(fs->tmpname, sizeof(fs->tmpname), NORMINFO_TMP_PREFIX "%08x",
			 (unsigned)cli_random_u64());
		if (mkdirat(fs->dirfd, fs->tmpname, 0700) == 0) {
			err = 0;
			break;
		}
		err = errno;
		if (err != EEXIST)
			break;
	}
	if (err == 0) {
		fs->tmpfd = openat(fs->dirfd, fs->tmpname,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fs->tmpfd < 0)
			err = errno;
	}
	if (err) {
		snprintf(msg, cap, "--output %s: cannot make a temporary directory: %s",
			 dir, strerror(err));
		close(fs->dirfd);
		fs->dirfd = -1;
		return -err;
	}
	snprintf(fs->cache, sizeof(fs->cache), "%s/%s/", dir, fs->tmpname);
	return 0;
}

void filestore_close(struct filestore *fs)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if (fs->tmpfd >= 0) {
		fd = dup(fs->tmpfd);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		while (d && (de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(fs->tmpfd, de->d_name, 0);
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
		close(fs->tmpfd);
		unlinkat(fs->dirfd, fs->tmpname, AT_REMOVEDIR);
		fs->tmpfd = -1;
	}
	if (fs->dirfd >= 0)
		close(fs->dirfd);
	fs->dirfd = -1;
}

const char *filestore_leaf(const struct filestore *fs, const char *path)
{
	size_t n = strlen(fs->cache);
	const char *leaf;

	if (strncmp(path, fs->cache, n) != 0)
		return NULL;
	leaf = path + n;
	if (!*leaf || strchr(leaf, '/') || strcmp(leaf, "..") == 0 || strcmp(leaf, ".") == 0)
		return NULL;
	return leaf;
}

/*
 * Walk to the directory that holds name's last component, creating
 * directories as needed, never following a symlink. Returns a descriptor
 * (the caller closes it unless it is fs->dirfd) and sets *last, or -errno.
 */
static int parent_dir(const struct filestore *fs, const char *name, const char **last)
{
	char comp[256];
	int fd = fs->dirfd;

	for (;;) {
		const char *slash = strchr(name, '/');
		size_t n = slash ? (size_t)(slash - name) : 0;
		int next;

		if (!slash) {
			*last = name;
			return fd;
		}
		if (n >= sizeof(comp)) {
			next = -ENAMETOOLONG;
		} else {
			memcpy(comp, name, n);
			comp[n] = '\0';
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
				next = -errno;
			else if ((next = openat(fd, comp, O_RDONLY | O_DIRECTORY |
							      O_NOFOLLOW | O_CLOEXEC)) < 0)
				next = -errno;
		}
		if (fd != fs->dirfd)
			close(fd);
		if (next < 0)
			return next;
		fd = next;
		name = slash + 1;
	}
}

bool filestore_exists(const struct filestore *fs, const char *name)
{
	struct stat st;

	return fstatat(fs->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Compare the temporary file with what was announced. */
static enum filestore_result check(struct filestore *fs, const char *leaf,
				   const struct norminfo *ni, char *msg, size_t cap)
{
	uint8_t sum[32];
	uint64_t size = 0;
	int fd, rc;

	fd = openat(fs->tmpfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, cap, "cannot read it back: %s", strerror(errno));
		return FS_ERROR;
	}
	rc = filestore_sha256_fd(fd, sum, &size);
	close(fd);
	if (rc < 0) {
		snprintf(msg, cap, "cannot read it back: %s", strerror(-rc));
		return FS_ERROR;
	}
	if (size != ni->size) {
		snprintf(msg, cap, "%llu bytes arrived, %llu announced",
			 (unsigned long long)size, (unsigned long long)ni->size);
		return FS_SIZE;
	}
	if (memcmp(sum, ni->sha256, sizeof(sum)) != 0) {
		snprintf(msg, cap, "SHA-256 differs from the one announced");
		return FS_CHECKSUM;
	}
	return FS_STORED;
}

enum filestore_result filestore_commit(struct filestore *fs, const char *leaf,
				       const struct norminfo *ni, char *msg, size_t cap)
{
	enum filestore_result res = FS_STORED;
	const char *last = NULL;
	int pfd, rc;

	msg[0] = '\0';
	if (ni->has_sum)
		res = check(fs, leaf, ni, msg, cap);
	if (res != FS_STORED) {
		filestore_discard(fs, leaf);
		return res;
	}
	pfd = parent_dir(fs, ni->name, &last);
	if (pfd < 0) {
		snprintf(msg, cap, "cannot make its directory: %s", strerror(-pfd));
		filestore_discard(fs, leaf);
		return pfd == -ENOSPC || pfd == -EDQUOT ? FS_NOSPACE : FS_ERROR;
	}
	rc = renameat2(fs->tmpfd, leaf, pfd, last, fs->overwrite ? 0 : RENAME_NOREPLACE);
	if (rc < 0 && errno == EINVAL && !fs->overwrite) {
		/* A file system without RENAME_NOREPLACE: a hard link cannot
		 * replace anything either. */
		rc = linkat(fs->tmpfd, leaf, pfd, last, 0);
	}
	if (rc < 0) {
		int err = errno;

		res = err == EEXIST ? FS_EXISTS
		      : err == ENOSPC || err == EDQUOT ? FS_NOSPACE : FS_ERROR;
		if (res == FS_EXISTS)
			snprintf(msg, cap, "exists (give --overwrite to replace it)");
		else
			snprintf(msg, cap, "cannot store it: %s", strerror(err));
	}
	/* After a rename this finds nothing; after a link or a failure it
	 * removes the temporary copy. */
	unlinkat(fs->tmpfd, leaf, 0);
	if (pfd != fs->dirfd)
		close(pfd);
	return res;
}

int filestore_reserve(struct filestore *fs, const char *leaf, uint64_t size)
{
	int fd, rc = 0;

	if (!leaf || fs->tmpfd < 0 || size == 0 || size > (uint64_t)INT64_MAX)
		return 0;
	fd = openat(fs->tmpfd, leaf, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0 &&
	    (errno == ENOSPC || errno == EDQUOT))
		rc = -errno;
	close(fd);
	return rc;
}

void filestore_discard(struct filestore *fs, const char *leaf)
{
	if (leaf && fs->tmpfd >= 0)
		unlinkat(fs->tmpfd, leaf, 0);
}

int filestore_sha256_fd(int fd, uint8_t out[32], uint64_t *size)
{
	enum { CHUNK = 1 << 20 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = malloc(CHUNK);
	unsigned len = 0;
	int rc = 0;

	*size = 0;
	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 32)
		rc = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}
