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
 * old one. Does nothing when o->path is NULL. This is the SIGHUP action:
 * call it from the loop's on_hup hook (loop.h).
 */
void outfile_reopen(struct outfile *o);

#endif
