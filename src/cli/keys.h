/*
 * keys.h - key files for the mcast tool (docs/PROTOCOL.md, "Key files"):
 * reading a secret signing key or a group key, refusing one that others may
 * read; filling a trust set from a .pub file, a list of public keys or a
 * directory of .pub files; writing a new key file that must not exist yet.
 *
 * Every function returns 0 (or a count) or a negative errno, with a
 * message naming the file in err; none prints, and no message ever holds
 * key material, so the caller may print err->msg as it is.
 */
#ifndef MCAST_CLI_KEYS_H
#define MCAST_CLI_KEYS_H

#include "mcast.h"

#include <sys/types.h>

/*
 * Read the signing key in the secret key file `path` into *out. The file
 * must be a regular file that neither group nor others may read, write or
 * run (as ssh insists for its keys): otherwise -EACCES, with a message
 * giving the mode and the chmod that fixes it. -EINVAL for a malformed
 * file ("PATH: line N: ..."), -EFBIG for a file too large to be a key, or
 * the errno of open/read (-ENOENT, ...).
 */
int cli_key_read_secret(const char *path, mcast_signkey **out, mcast_error *err);

/* As cli_key_read_secret(), for a group key file. */
int cli_key_read_group(const char *path, mcast_groupkey **out, mcast_error *err);

/*
 * Add to t the public keys of `path`: a file of "mcast-ed25519-public"
 * lines (a .pub file, or a list of keys with comments), or a directory,
 * whose files ending in ".pub" (not hidden ones) are read in name order.
 * A key without a comment is named by its file's path. Returns the number
 * of keys the file or directory holds (at least 1; keys already in t are
 * counted but not added twice), or -ENOENT when it holds none, -EINVAL
 * ("FILE:LINE: ..."), -EEXIST, -EFBIG, or the errno of open/read.
 */
int cli_trust_load(mcast_trust *t, const char *path, mcast_error *err);

/*
 * Create `path` (which must not exist: -EEXIST, with a message saying it
 * was not overwritten) with permissions mode (less the umask) and write
 * text[0..len) to it. On any failure the file is removed again. Returns 0
 * or a negative errno.
 */
int cli_key_write_new(const char *path, const char *text, size_t len,
		      mode_t mode, mcast_error *err);

#endif
