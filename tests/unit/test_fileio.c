/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static int setup(void **state)
{
	char *dir = strdup("/tmp/tuxtape-fileio.XXXXXX");

	if (!dir || !mkdtemp(dir))
		return -1;
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

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_round_trip(void **state)
{
	char path[256], *buf;
	size_t len;
	struct stat st;

	snprintf(path, sizeof(path), "%s/root.json", (char *)*state);
	assert_int_equal(write_file_atomic(path, "first", 5, 0600), 0);
	assert_int_equal(write_file_atomic(path, "second version", 14, 0640), 0);
	assert_int_equal(read_file_bounded(path, 1024, &buf, &len), 0);
	assert_int_equal(len, 14);
	assert_string_equal(buf, "second version");
	free(buf);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(count_entries(*state), 1); /* no temporary file left behind */
}

static void test_missing_dir(void **state)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/nope/file", (char *)*state);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), -ENOENT);
	assert_int_equal(count_entries(*state), 0);
}

static void test_bounded(void **state)
{
	char path[256], *buf, *big;
	size_t len;

	snprintf(path, sizeof(path), "%s/big", (char *)*state);
	big = malloc(100000);
	memset(big, 'x', 100000);
	assert_int_equal(write_file_atomic(path, big, 100000, 0600), 0);
	assert_int_equal(read_file_bounded(path, 99999, &buf, &len), -EFBIG);
	assert_int_equal(read_file_bounded(path, 100000, &buf, &len), 0);
	assert_int_equal(len, 100000);
	assert_memory_equal(buf, big, 100000);
	free(buf);
	free(big);

	snprintf(path, sizeof(path), "%s/empty", (char *)*state);
	assert_int_equal(write_file_atomic(path, "", 0, 0600), 0);
	assert_int_equal(read_file_bounded(path, 10, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	snprintf(path, sizeof(path), "%s/absent", (char *)*state);
	assert_int_equal(read_file_bounded(path, 10, &buf, &len), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
