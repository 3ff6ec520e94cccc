/*
 * test_filestore.c - where `mcast recv --reliable` stores files
 * (src/cli/filestore.h), on a real directory under $TMPDIR.
 *
 * A file is written (as libnorm would) into the store's temporary
 * directory, then committed: it must appear under its final name only when
 * its size and SHA-256 match, never replace an existing file without
 * --overwrite, never follow a symlink planted in its path, and never leave
 * its temporary copy behind. Closing the store removes the temporary
 * directory and whatever is still in it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/filestore.h"

static char root[256], outside[300];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/mcast-fs-XXXXXX", t ? t : "/tmp");
	assert_non_null(mkdtemp(root));
	snprintf(outside, sizeof(outside), "%s-outside", root);
	assert_int_equal(mkdir(outside, 0755), 0);
	return 0;
}

static void rm_rf(const char *path)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(root);
	rm_rf(outside);
	return 0;
}

/* Write data into the store's temporary directory as leaf. */
static void put_temp(struct filestore *fs, const char *leaf, const char *data)
{
	int fd = openat(fs->tmpfd, leaf, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static void info_for(struct norminfo *ni, const char *name, const char *data)
{
	unsigned len = 0;

	memset(ni, 0, sizeof(*ni));
	snprintf(ni->name, sizeof(ni->name), "%s", name);
	ni->name_len = strlen(name);
	ni->has_sum = true;
	ni->size = strlen(data);
	assert_int_equal(EVP_Digest(data, strlen(data), ni->sha256, &len, EVP_sha256(), NULL), 1);
}

static char *slurp(const char *dir, const char *name)
{
	static char buf[256];
	char path[600];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries in the temporary directory, "." and ".." aside. */
static int temp_entries(const struct filestore *fs)
{
	char path[600];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, fs->tmpname);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_store_and_check(void **state)
{
	struct filestore fs;
	struct norminfo ni;
	char msg[256];

	(void)state;
	assert_int_equal(filestore_open(&fs, root, false, msg, sizeof(msg)), 0);
	assert_int_equal(strncmp(fs.tmpname, NORMINFO_TMP_PREFIX, strlen(NORMINFO_TMP_PREFIX)), 0);
	put_temp(&fs, "normTemp1", "hello\n");
	info_for(&ni, "a.txt", "hello\n");
	assert_int_equal(filestore_commit(&fs, "normTemp1", &ni, msg, sizeof(msg)), FS_STORED);
	assert_string_equal(slurp(root, "a.txt"), "hello\n");
	assert_int_equal(temp_entries(&fs), 0);

	/* A wrong checksum or size: nothing under the final name. */
	put_temp(&fs, "normTemp2", "hellO\n");
	info_for(&ni, "b.txt", "hello\n");
	assert_int_equal(filestore_commit(&fs, "normTemp2", &ni, msg, sizeof(msg)), FS_CHECKSUM);
	assert_null(slurp(root, "b.txt"));
	put_temp(&fs, "normTemp3", "hello");
	info_for(&ni, "c.txt", "hello\n");
	assert_int_equal(filestore_commit(&fs, "normTemp3", &ni, msg, sizeof(msg)), FS_SIZE);
	assert_non_null(strstr(msg, "5 bytes arrived, 6 announced"));
	assert_null(slurp(root, "c.txt"));
	assert_int_equal(temp_entries(&fs), 0);

	/* Subdirectories are made as needed. */
	put_temp(&fs, "normTemp4", "deep");
	info_for(&ni, "x/y/z.bin", "deep");
	assert_int_equal(filestore_commit(&fs, "normTemp4", &ni, msg, sizeof(msg)), FS_STORED);
	assert_string_equal(slurp(root, "x/y/z.bin"), "deep");
	assert_true(filestore_exists(&fs, "x/y/z.bin"));
	filestore_close(&fs);
}

static void test_no_replace(void **state)
{
	struct filestore fs;
	struct norminfo ni;
	char msg[256];

	(void)state;
	assert_int_equal(filestore_open(&fs, root, false, msg, sizeof(msg)), 0);
	put_temp(&fs, "t1", "first");
	info_for(&ni, "same", "first");
	assert_int_equal(filestore_commit(&fs, "t1", &ni, msg, sizeof(msg)), FS_STORED);
	put_temp(&fs, "t2", "second");
	info_for(&ni, "same", "second");
	assert_int_equal(filestore_commit(&fs, "t2", &ni, msg, sizeof(msg)), FS_EXISTS);
	assert_string_equal(slurp(root, "same"), "first");
	assert_int_equal(temp_entries(&fs), 0);
	filestore_close(&fs);

	/* With --overwrite it is replaced. */
	assert_int_equal(filestore_open(&fs, root, true, msg, sizeof(msg)), 0);
	put_temp(&fs, "t3", "third");
	info_for(&ni, "same", "third");
	assert_int_equal(filestore_commit(&fs, "t3", &ni, msg, sizeof(msg)), FS_STORED);
	assert_string_equal(slurp(root, "same"), "third");
	filestore_close(&fs);
}

/* A symlink planted where a directory of the name should be is not
 * followed: nothing is written outside DIR. */
static void test_symlink_not_followed(void **state)
{
	struct filestore fs;
	struct norminfo ni;
	char msg[256], link[600];

	(void)state;
	snprintf(link, sizeof(link), "%s/sub", root);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(filestore_open(&fs, root, true, msg, sizeof(msg)), 0);
	put_temp(&fs, "t", "evil");
	info_for(&ni, "sub/f", "evil");
	assert_int_equal(filestore_commit(&fs, "t", &ni, msg, sizeof(msg)), FS_ERROR);
	assert_null(slurp(outside, "f"));
	assert_int_equal(temp_entries(&fs), 0);
	/* With --overwrite a symlink at the final name is replaced, not
	 * written through. */
	snprintf(link, sizeof(link), "%s/victim", root);
	assert_int_equal(symlink("/etc/hostname", link), 0);
	put_temp(&fs, "t2", "new");
	info_for(&ni, "victim", "new");
	assert_int_equal(filestore_commit(&fs, "t2", &ni, msg, sizeof(msg)), FS_STORED);
	assert_string_equal(slurp(root, "victim"), "new");
	filestore_close(&fs);
}

static void test_close_removes_leftovers(void **state)
{
	struct filestore fs;
	char msg[256], path[600];
	struct stat st;

	(void)state;
	assert_int_equal(filestore_open(&fs, root, false, msg, sizeof(msg)), 0);
	put_temp(&fs, "partial", "half a file");
	snprintf(path, sizeof(path), "%s/%s", root, fs.tmpname);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	filestore_close(&fs);
	assert_int_equal(stat(path, &st), -1);
}

static void test_leaf(void **state)
{
	struct filestore fs;
	char msg[256], path[PATH_MAX + 32];

	(void)state;
	assert_int_equal(filestore_open(&fs, root, false, msg, sizeof(msg)), 0);
	snprintf(path, sizeof(path), "%snormTempAbc", fs.cache);
	assert_string_equal(filestore_leaf(&fs, path), "normTempAbc");
	snprintf(path, sizeof(path), "%ssub/x", fs.cache);
	assert_null(filestore_leaf(&fs, path));
	assert_null(filestore_leaf(&fs, "/etc/passwd"));
	assert_null(filestore_leaf(&fs, fs.cache));
	filestore_close(&fs);
}

static void test_open_errors(void **state)
{
	struct filestore fs;
	char msg[256], path[600];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", root);
	assert_int_equal(filestore_open(&fs, path, false, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "--output"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_and_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_removes_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
