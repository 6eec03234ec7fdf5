/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static int setup(void **state)
{
	char *dir = strdup("/tmp/tuxtape-fileio.XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries in dir other than . and ..; the first one's name goes to first if asked. */
static int count_entries(const char *dir, char *first, size_t first_size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n++ == 0 && first)
			snprintf(first, first_size, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static void path_in(char *buf, size_t size, void **state, const char *name)
{
	assert_true((size_t)snprintf(buf, size, "%s/%s", (char *)*state, name) < size);
}

static void expect_content(const char *path, const void *want, size_t want_len)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(read_file_bounded(path, SIZE_MAX, &buf, &len), 0);
	assert_int_equal(len, want_len);
	if (want_len)
		assert_memory_equal(buf, want, want_len);
	assert_int_equal(buf[len], '\0');
	free(buf);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_round_trip(void **state)
{
	static const char bin[] = { 'a', 0, 'b', '\n', (char)0xff };
	char path[PATH_MAX], first[256];

	path_in(path, sizeof(path), state, "root.json");
	assert_int_equal(write_file_atomic(path, bin, sizeof(bin), 0600), 0);
	expect_content(path, bin, sizeof(bin));
	assert_int_equal(mode_of(path), 0600);

	/* overwriting replaces content and mode and leaves no temporary file behind */
	for (int i = 0; i < 3; i++)
		assert_int_equal(write_file_atomic(path, "second version", 14, 0640), 0);
	expect_content(path, "second version", 14);
	assert_int_equal(mode_of(path), 0640);
	assert_int_equal(count_entries(*state, first, sizeof(first)), 1);
	assert_string_equal(first, "root.json");

	assert_int_equal(write_file_atomic(path, NULL, 0, 0600), 0);
	expect_content(path, "", 0);
	assert_int_equal(count_entries(*state, NULL, 0), 1);
}

static void test_mode_ignores_umask(void **state)
{
	char path[PATH_MAX];
	mode_t old = umask(077);

	path_in(path, sizeof(path), state, "public");
	assert_int_equal(write_file_atomic(path, "x", 1, 0644), 0);
	umask(old);
	assert_int_equal(mode_of(path), 0644);
}

static void test_missing_dir(void **state)
{
	char path[PATH_MAX];

	path_in(path, sizeof(path), state, "nope/file");
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), -ENOENT);
	assert_int_equal(count_entries(*state, NULL, 0), 0);
	assert_int_equal(fsync_directory_of(path), -ENOENT);
}

/* rename(2) cannot replace a directory with a file: the temporary file must go away. */
static void test_failed_rename(void **state)
{
	char path[PATH_MAX], first[256];

	path_in(path, sizeof(path), state, "dir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), -EISDIR);
	assert_int_equal(count_entries(*state, first, sizeof(first)), 1);
	assert_string_equal(first, "dir");
	assert_int_equal(count_entries(path, NULL, 0), 0);
}

/* A 255-byte name is legal; the temporary name must not exceed NAME_MAX because of it. */
static void test_long_name(void **state)
{
	char name[256], path[PATH_MAX];

	memset(name, 'n', 255);
	name[255] = '\0';
	path_in(path, sizeof(path), state, name);
	assert_int_equal(write_file_atomic(path, "long", 4, 0600), 0);
	expect_content(path, "long", 4);
	assert_int_equal(count_entries(*state, NULL, 0), 1);
}

/* A bare name means the current directory, for the temporary file and for the fsync. */
static void test_relative(void **state)
{
	char cwd[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(*state), 0);
	assert_int_equal(write_file_atomic("plain", "p", 1, 0600), 0);
	assert_int_equal(fsync_directory_of("plain"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(count_entries(*state, NULL, 0), 1);
}

static void test_bounded(void **state)
{
	char path[PATH_MAX], *buf = NULL, *big;
	size_t len = 0, n = 100000;

	path_in(path, sizeof(path), state, "big");
	big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(write_file_atomic(path, big, n, 0600), 0);
	assert_int_equal(read_file_bounded(path, n - 1, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(read_file_bounded(path, n, &buf, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, big, n);
	assert_int_equal(buf[n], '\0');
	free(buf);
	free(big);

	path_in(path, sizeof(path), state, "empty");
	assert_int_equal(write_file_atomic(path, "", 0, 0600), 0);
	assert_int_equal(read_file_bounded(path, 0, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	path_in(path, sizeof(path), state, "one");
	assert_int_equal(write_file_atomic(path, "1", 1, 0600), 0);
	assert_int_equal(read_file_bounded(path, 0, &buf, &len), -EFBIG);

	path_in(path, sizeof(path), state, "absent");
	assert_int_equal(read_file_bounded(path, 10, &buf, &len), -ENOENT);
	assert_int_equal(read_file_bounded(*state, 10, &buf, &len), -EISDIR);
}

/* /proc files report size 0: the limit must hold on what is read, not on st_size. */
static void test_bounded_unsized(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(read_file_bounded("/proc/self/status", 16, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(read_file_bounded("/proc/self/status", 1 << 20, &buf, &len), 0);
	assert_true(len > 16);
	assert_int_equal(strlen(buf), len);
	assert_non_null(strstr(buf, "Pid:"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_ignores_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test(test_bounded_unsized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
