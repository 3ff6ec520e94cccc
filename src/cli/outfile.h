/*
 * outfile.h - `--output-file FILE`: a subcommand's standard output sent to
 * a file that is opened for appending and reopened on SIGHUP, so that a
 * receiver run as a service can have its file rotated by logrotate (rename
 * the file, then send SIGHUP) without a shell wrapper and without losing or
 * repeating a line.
 *
 * The file replaces file descriptor 1 underneath stdout, so every writer
 * of standard output (data lines, JSON events, the JSON summary) follows
 * it without knowing, and a reopen swaps the descriptor between two
 * writes, never inside one.
 */
#ifndef MCAST_CLI_OUTFILE_H
#define MCAST_CLI_OUTFILE_H

#include <signal.h>

struct outfile {
	const char *path; /* NULL: standard output stays where it was */
};

/*
 * Open o->path for appending (created with mode 0666 less the umask) and
 * make it standard output. Does nothing when o->path is NULL. Returns 0, or
 * EXIT_FAIL after printing why the file cannot be opened.
 */
int outfile_open(struct outfile *o);

/*
 * Flush stdout and open o->path again in its place: what was written
 * before goes to the old file (renamed by now), what follows to the new
 * one. When the new file cannot be opened, warns and keeps writing to the
 * old one. Does nothing when o->path is NULL. This is the SIGHUP action: a
 * command on loop.c calls it from the loop's on_hup hook.
 */
void outfile_reopen(struct outfile *o);

/*
 * For a command that waits in ppoll() itself rather than in loop.c: catch
 * SIGHUP from now on (when o->path is set), blocked and removed from
 * *unblocked, the mask given to ppoll(), so that it lands only while
 * waiting. Call after cli_signals(), which fills *unblocked. Then call
 * outfile_check() once per iteration: it runs outfile_reopen() if a SIGHUP
 * arrived since the last call.
 */
void outfile_signals(const struct outfile *o, sigset_t *unblocked);
void outfile_check(struct outfile *o);

#endif
