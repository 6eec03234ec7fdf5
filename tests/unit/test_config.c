/* SPDX-License-Identifier: GPL-2.0-only */
/* The backend's configuration file: [pipeline] values, per-kernel fix sources, and errors that
 * name the file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/config.h"

/* Writes text to a temporary file; its path in path (PATH_MAX). */
static void write_conf(const char *text, char *path)
{
	int fd;

	strcpy(path, "/tmp/tuxtape-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int load(const char *text, struct backend_config *c)
{
	char path[64];
	int k;

	write_conf(text, path);
	memset(c, 0, sizeof(*c));
	k = config_load(path, c);
	unlink(path);
	return k;
}

static void test_pipeline_values(void **state)
{
	struct backend_config c;

	(void)state;
	assert_int_equal(load("[pipeline]\nkernels = a b\nfixes = /srv/linux\n"
			      "fixes.b = /srv/b.tar.xz\nmin-priority = medium\nbudget = 90m\n"
			      "jobs = 3\nlimit = 40\nchannel = canary\n", &c), 0);
	assert_string_equal(c.pipeline.kernels, "a b");
	assert_string_equal(c.pipeline.fixes, "/srv/linux");
	assert_non_null(c.pipeline.fixes_for);
	assert_string_equal(c.pipeline.fixes_for[0], "b=/srv/b.tar.xz");
	assert_null(c.pipeline.fixes_for[1]);
	assert_string_equal(c.pipeline.min_priority, "medium");
	assert_int_equal(c.pipeline.budget, 90 * 60);
	assert_int_equal(c.pipeline.jobs, 3);
	assert_int_equal(c.pipeline.limit, 40);
	assert_string_equal(c.pipeline.channel, "canary");
	config_free(&c);
	assert_int_equal(load("[pipeline]\nbudget = 2h\n", &c), 0);
	assert_int_equal(c.pipeline.budget, 7200);
	config_free(&c);
}

static void test_pipeline_errors(void **state)
{
	static const char *const bad[] = {
		"[pipeline]\njobs = 0\n", "[pipeline]\njobs = 65\n", "[pipeline]\njobs = x\n",
		"[pipeline]\nbudget = 2 weeks\n", "[pipeline]\nbudget = -1\n",
		"[pipeline]\nmin-priority = urgent\n", "[pipeline]\nlimit = 1e9\n",
		"[pipeline]\nfixes =\n", "[pipeline]\nunknown = 1\n", "[pipeline]\nfixes. = x\n",
	};
	struct backend_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int k = load(bad[i], &c);

		if (k == 0)
			fail_msg("accepted: %s", bad[i]);
		config_free(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline_values),
		cmocka_unit_test(test_pipeline_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
