/*
 * outfile.c - standard output to a file reopened on SIGHUP (outfile.h).
 */
#include "cli/outfile.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Open path and put it on descriptor 1. The new file is opened before the
 * old one is let go, so a failure leaves standard output as it was.
 * Returns 0 or a negative errno.
 */
static int swap_in(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fd != STDOUT_FILENO) {
		if (dup2(fd, STDOUT_FILENO) < 0)
			rc = -errno;
		close(fd);
	}
	return rc;
}

int outfile_open(struct outfile *o)
{
	int rc;

	if (!o->path)
		return 0;
	fflush(stdout);
	rc = swap_in(o->path);
	if (rc < 0) {
		cli_err("--output-file %s: %s", o->path, strerror(-rc));
		return EXIT_FAIL;
	}
	return 0;
}

void outfile_reopen(struct outfile *o)
{
	int rc;

	if (!o->path)
		return;
	/* What was written before the signal belongs in the old file. */
	fflush(stdout);
	rc = swap_in(o->path);
	if (rc < 0)
		cli_warn("--output-file %s: cannot reopen (%s); still "
			 "writing to the old file", o->path, strerror(-rc));
	else
		cli_debug("reopened %s", o->path);
}
