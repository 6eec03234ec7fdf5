/* SPDX-License-Identifier: GPL-2.0-only */
/* The generator's source-level reading of a patch: files, change points, struct bodies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "generate/generate.h"

static const char patch[] =
	"Some description.\n\n"
	"--- a/fs/x.c\t2024-01-01\n"
	"+++ b/fs/x.c\t2024-01-02\n"
	"@@ -3,4 +3,5 @@ static int f(void)\n"
	" a\n"
	"-b\n"
	"+B\n"
	"+C\n"
	" c\n"
	" d\n"
	"--- /dev/null\n"
	"+++ b/fs/new.h\n"
	"@@ -0,0 +1 @@\n"
	"+int x;\n";

static void test_parse(void **state)
{
	struct gen_file *f = NULL;
	size_t n = 0;
	char err[128];

	assert_int_equal(gen_patch_parse(patch, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].path, "fs/x.c");
	assert_false(f[0].created);
	/* line 4 removed, two lines inserted after line 4 */
	assert_int_equal(f[0].n_points, 3);
	assert_int_equal(f[0].points[0], 2 * 4);
	assert_int_equal(f[0].points[1], 2 * 4 + 1);
	assert_string_equal(f[1].path, "fs/new.h");
	assert_true(f[1].created);
	gen_files_free(f, n);
	assert_int_equal(gen_patch_parse("no diff here\n", &f, &n, err, sizeof(err)), -EINVAL);
}

/* A 6.1 patch applied to 6.12: patch moved its hunks, the change points follow them. */
static void test_offsets(void **state)
{
	static const char two[] =
		"--- a/include/x.h\n+++ b/include/x.h\n"
		"@@ -3,2 +3,3 @@\n a\n+b\n c\n"
		"@@ -20,2 +21,2 @@\n d\n-e\n+E\n"
		"--- a/fs/y.c\n+++ b/fs/y.c\n"
		"@@ -10,2 +10,2 @@\n f\n-g\n+G\n";
	static const char out[] =
		"checking file include/x.h\n"
		"Hunk #2 succeeded at 25 (offset 5 lines).\n"
		"checking file fs/y.c\n"
		"Hunk #1 succeeded at 9 (offset -1 line).\n";
	struct gen_file *f = NULL;
	size_t n = 0;
	char err[128];

	assert_int_equal(gen_patch_parse(two, &f, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].n_hunks, 2);
	assert_int_equal(f[0].n_points, 3);
	gen_patch_offsets(out, f, n);
	/* hunk 1 applied where it said: the insertion after line 3 stays */
	assert_int_equal(f[0].points[0], 2 * 3 + 1);
	/* hunk 2: line 21 removed and a line inserted after it, 5 lines further down */
	assert_int_equal(f[0].points[1], 2 * 26);
	assert_int_equal(f[0].points[2], 2 * 26 + 1);
	assert_int_equal(f[1].points[0], 2 * 10);
	assert_int_equal(f[1].points[1], 2 * 10 + 1);
	gen_files_free(f, n);
}

static const char source[] =
	"#include <x.h>\n"                       /* 1 */
	"struct foo {\n"                         /* 2 */
	"\tint a; /* { not a brace */\n"         /* 3 */
	"\tunion { int b; long c; };\n"          /* 4 */
	"};\n"                                   /* 5 */
	"static int f(struct foo *p)\n"          /* 6 */
	"{\n"                                    /* 7 */
	"\treturn p->a + '}';\n"                 /* 8 */
	"}\n"                                    /* 9 */
	"static const struct ops o = {\n"        /* 10 */
	"\t.x = 1,\n"                            /* 11 */
	"};\n";                                  /* 12 */

static void test_struct_at(void **state)
{
	char *name = NULL;
	unsigned in_struct[] = { 2 * 3 }, inserted[] = { 2 * 4 + 1 }, in_nested[] = { 2 * 4 },
		 in_func[] = { 2 * 8 }, in_init[] = { 2 * 11 }, after[] = { 2 * 5 + 1 };

	assert_int_equal(gen_struct_at(source, in_struct, 1, &name), 0);
	assert_string_equal(name, "struct foo");
	free(name);
	assert_int_equal(gen_struct_at(source, inserted, 1, &name), 0);
	assert_string_equal(name, "struct foo");
	free(name);
	assert_int_equal(gen_struct_at(source, in_nested, 1, &name), 0);
	assert_string_equal(name, "struct foo");
	free(name);
	/* a function taking a struct, an initialiser, and lines after the body are not layout */
	assert_int_equal(gen_struct_at(source, in_func, 1, &name), 0);
	assert_null(name);
	assert_int_equal(gen_struct_at(source, in_init, 1, &name), 0);
	assert_null(name);
	assert_int_equal(gen_struct_at(source, after, 1, &name), 0);
	assert_null(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_struct_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
