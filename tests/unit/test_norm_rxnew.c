/*
 * test_norm_rxnew.c - a file object the NORM receiver
 * (src/cli/transport_norm_rxobj.c) will not take because RX_PENDING files
 * are already in progress leaves no temporary file behind: libnorm made
 * one (mkstemp() in the cache directory) before it reported the object,
 * and garbage shaped like NORM makes libnorm invent such objects, so each
 * one left there until the receiver ends costs an inode.
 *
 * The few libnorm calls that path makes are defined here, over a fake
 * object: the test program's own definitions are the ones its objects
 * link to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/normrx.h"

/* ---- the fake object ---------------------------------------------------- */

static struct {
	char path[PATH_MAX]; /* the temporary file libnorm made */
	const void *user;
	int cancelled;
} obj;

const void *NormObjectGetUserData(NormObjectHandle h)
{
	assert_ptr_equal(h, &obj);
	return obj.user;
}

void NormObjectSetUserData(NormObjectHandle h, const void *user)
{
	assert_ptr_equal(h, &obj);
	obj.user = user;
}

void NormObjectCancel(NormObjectHandle h)
{
	assert_ptr_equal(h, &obj);
	obj.cancelled++;
}

bool NormFileGetName(NormObjectHandle h, char *buf, unsigned int cap)
{
	assert_ptr_equal(h, &obj);
	if (strlen(obj.path) >= cap)
		return false;
	memcpy(buf, obj.path, strlen(obj.path) + 1);
	return true;
}

/* ---- the test ------------------------------------------------------------ */

static void test_refused_new_file_leaves_no_temp(void **state)
{
	static struct norm_rx r;
	static struct rxfile busy[RX_PENDING];
	char dir[] = "/tmp/mcast-rxnew-XXXXXX", msg[PATH_MAX + 128];
	NormEvent ev;
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(filestore_open(&r.fs, dir, false, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < RX_PENDING; i++)
		r.pending[i] = &busy[i];
	assert_true(strlen(r.fs.cache) + sizeof("normTempAbc123") <= sizeof(obj.path));
	memcpy(obj.path, r.fs.cache, strlen(r.fs.cache));
	memcpy(obj.path + strlen(r.fs.cache), "normTempAbc123", sizeof("normTempAbc123"));
	fd = open(obj.path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);

	memset(&ev, 0, sizeof(ev));
	ev.type = NORM_RX_OBJECT_NEW;
	ev.object = &obj;
	mcast__norm_rx_file_new(&r, &ev);
	assert_int_equal(obj.cancelled, 1);
	assert_null(obj.user);
	/* Not tracked, and nothing of it left in the temporary directory. */
	for (size_t i = 0; i < RX_PENDING; i++)
		assert_ptr_equal(r.pending[i], &busy[i]);
	assert_int_equal(stat(obj.path, &st), -1);

	unlink(obj.path);
	filestore_close(&r.fs);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_new_file_leaves_no_temp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
