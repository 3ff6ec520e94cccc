/*
 * filestore.h - where `mcast recv --reliable` puts received files.
 *
 * Everything happens under one directory (--output DIR), reached through
 * a descriptor: libnorm writes each incoming file into a private temporary
 * directory DIR/.mcast-tmp-XXXXXXXX (mode 0700, made with mkdirat); a
 * complete file is checked against its size and SHA-256 and only then
 * renamed to its final name, with renameat2(RENAME_NOREPLACE) unless
 * --overwrite, creating subdirectories with mkdirat and opening each with
 * O_NOFOLLOW, so nothing is ever written outside DIR and no partial file
 * ever carries a final name. Whatever is left in the temporary directory
 * when the receiver ends (aborted objects, a sender that went away) is
 * deleted with it.
 */
#ifndef MCAST_CLI_FILESTORE_H
#define MCAST_CLI_FILESTORE_H

#include "cli/norminfo.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct filestore {
	int dirfd;          /* DIR */
	int tmpfd;          /* DIR/.mcast-tmp-XXXXXXXX */
	char tmpname[32];   /* its name in DIR */
	char cache[PATH_MAX]; /* "DIR/.mcast-tmp-XXXXXXXX/", for libnorm */
	bool overwrite;
};

/* What became of a received file. */
enum filestore_result {
	FS_STORED = 0,
	FS_EXISTS,   /* the final name exists and --overwrite was not given */
	FS_SIZE,     /* its size is not the one announced */
	FS_CHECKSUM, /* its SHA-256 is not the one announced */
	FS_NOSPACE,  /* no space left on its file system (ENOSPC, EDQUOT) */
	FS_ERROR,    /* a system call failed (errno in the message) */
};

/*
 * Open DIR (which must exist) and make the temporary directory inside it.
 * Returns 0, or -errno with a one-line message in msg (cap bytes).
 */
int filestore_open(struct filestore *fs, const char *dir, bool overwrite,
		   char *msg, size_t cap);

/* Delete what is left in the temporary directory, and the directory. */
void filestore_close(struct filestore *fs);

/*
 * The name of a file libnorm made in the temporary directory, given its
 * path (as NormFileGetName() reports it); NULL when path is not directly
 * inside that directory.
 */
const char *filestore_leaf(const struct filestore *fs, const char *path);

/* Whether name (validated) already exists under DIR, as anything. */
bool filestore_exists(const struct filestore *fs, const char *name);

/*
 * Check the temporary file leaf against ni (size and SHA-256, when ni has
 * them) and rename it to ni->name under DIR. The temporary file is gone
 * afterwards whatever the result. msg (cap bytes) says what went wrong.
 */
enum filestore_result filestore_commit(struct filestore *fs, const char *leaf,
				       const struct norminfo *ni, char *msg, size_t cap);

/*
 * Reserve size bytes of disk for the temporary file leaf before libnorm
 * writes into it (fallocate, keeping its size), so that a file that does
 * not fit is known at its start, not after libnorm has dropped the writes
 * that failed (it does not say) and acknowledged the object. Returns 0
 * (also where the file system cannot reserve), or -ENOSPC / -EDQUOT.
 */
int filestore_reserve(struct filestore *fs, const char *leaf, uint64_t size);

/* Delete the temporary file leaf (an aborted or refused object). */
void filestore_discard(struct filestore *fs, const char *leaf);

/*
 * The SHA-256 of everything fd holds from its current offset, and the
 * number of bytes read. Returns 0 or -errno.
 */
int filestore_sha256_fd(int fd, uint8_t out[32], uint64_t *size);

#endif
