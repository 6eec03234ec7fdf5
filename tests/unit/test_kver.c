/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kver.h"

static int cmp(const char *a, const char *b)
{
	struct kver x, y;

	assert_int_equal(kver_parse(a, &x), 0);
	assert_int_equal(kver_parse(b, &y), 0);
	return kver_cmp(&x, &y);
}

static void test_parse(void **state)
{
	struct kver v;
	char buf[KVER_STRLEN];
	static const char *const good[] = { "6.1", "6.1.43", "2.6.32.70", "6.8-rc4", "0", "7.2",
					    "4294967295.1" };
	static const char *const bad[] = { "", "6.", ".6", "6..1", "6.1.2.3.4", "6.1-rc", "6.1-rc0",
					   "6.1-rc1x", "v6.1", "6.1 ", "4294967296.1", "6,1", "-1",
					   "6.1-foo", "abc" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(kver_parse(good[i], &v), 0);
		assert_string_equal(kver_format(&v, buf, sizeof(buf)), good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kver_parse(bad[i], &v), -22);
	assert_int_equal(kver_parse(NULL, &v), -22);
}

static void test_order(void **state)
{
	assert_true(cmp("6.6", "6.6.1") < 0);   /* mainline before its stable releases */
	assert_true(cmp("6.6.99", "6.7") < 0);
	assert_true(cmp("6.19", "7.0") < 0);    /* majors above 6 */
	assert_true(cmp("6.9", "6.10") < 0);    /* numeric, not lexical */
	assert_true(cmp("6.8-rc4", "6.8") < 0); /* -rc before the release */
	assert_true(cmp("6.8-rc1", "6.8-rc4") < 0);
	assert_true(cmp("6.7.5", "6.8-rc1") < 0);
	assert_true(cmp("2.6.32.70", "2.6.33") < 0);
	assert_true(cmp("0", "2.6.12") < 0);
	assert_int_equal(cmp("6.1.43", "6.1.43"), 0);
}

static void test_branch(void **state)
{
	struct kver a, b, br;
	char buf[KVER_STRLEN];

	kver_parse("6.1.43", &a);
	kver_parse("6.1", &b);
	assert_true(kver_same_branch(&a, &b));
	assert_false(kver_is_mainline(&a));
	assert_true(kver_is_mainline(&b));
	kver_parse("2.6.32.70", &a);
	kver_parse("2.6.32", &b);
	assert_true(kver_same_branch(&a, &b));
	assert_true(kver_is_mainline(&b));
	br = kver_branch(&a);
	assert_string_equal(kver_format(&br, buf, sizeof(buf)), "2.6.32");
	kver_parse("6.10.1", &a);
	kver_parse("6.1.10", &b);
	assert_false(kver_same_branch(&a, &b));
	kver_parse("6.8-rc3", &a);
	br = kver_branch(&a);
	assert_string_equal(kver_format(&br, buf, sizeof(buf)), "6.8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_branch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
