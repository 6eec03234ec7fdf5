/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cve/cvss.h"
#include "util.h"

static double score_of(const char *vector)
{
	struct cvss3 c;
	char err[128] = "";

	if (cvss3_parse(vector, &c, err, sizeof(err)) != 0)
		fail_msg("%s: %s", vector, err);
	return cvss3_base_score(&c);
}

/* Scores as NVD and the FIRST calculator publish them. */
static void test_scores(void **state)
{
	static const struct {
		const char *vector;
		double score;
		const char *severity;
	} cases[] = {
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "CRITICAL" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5, "MEDIUM" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, "MEDIUM" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, "LOW" },
		{ "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0, "NONE" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0, "NONE" },
		/* changed scope: PR:H weighs 0.50 (0.27 unchanged), PR:L 0.68 (0.62) */
		{ "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 8.2, "HIGH" },
		{ "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.7, "MEDIUM" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.8, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "CRITICAL" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "MEDIUM" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "MEDIUM" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, "HIGH" },
		{ "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.5, "MEDIUM" },
		{ "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.4, "HIGH" },
		{ "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, "MEDIUM" },
		{ "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3, "LOW" },
		{ "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:H", 4.7, "MEDIUM" },
		{ "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0, "HIGH" },
		{ "CVSS:3.1/AV:P/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N", 1.6, "LOW" },
		/* on the edges of the rating scale */
		{ "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", 3.9, "LOW" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:L/I:N/A:N", 4.0, "MEDIUM" },
		{ "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:H/I:L/A:N", 6.9, "MEDIUM" },
		{ "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:L", 7.0, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:L", 8.9, "HIGH" },
		{ "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H", 9.0, "CRITICAL" },
		/* v3.0, any metric order, temporal and environmental metrics ignored */
		{ "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O", 8.8, "HIGH" },
		{ "CVSS:3.0/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8, "CRITICAL" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/IR:L/AR:L"
		  "/MAV:P/MAC:H/MPR:H/MUI:R/MS:U/MC:N/MI:N/MA:N",
		  9.8, "CRITICAL" },
		{ "CVSS:3.1/E:X/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:X/RC:X", 9.8, "CRITICAL" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double s = score_of(cases[i].vector);

		if (fabs(s - cases[i].score) > 0.001)
			fail_msg("%s: %.1f, want %.1f", cases[i].vector, s, cases[i].score);
		assert_string_equal(cvss3_severity(s), cases[i].severity);
	}
}

/* The base vector number n (0 to 2591), counting with the last metric changing fastest. */
static void base_vector(unsigned n, char *v, size_t size)
{
	/* C, I and A ascend in impact, so n - 9 is the same vector with a lower C */
	static const char *const values[] = { "NALP", "LH", "NLH", "NR", "UC", "NLH", "NLH", "NLH" };
	char letter[ELEMENTSOF(values)];

	for (size_t m = ELEMENTSOF(values); m-- > 0;) {
		size_t radix = strlen(values[m]);

		letter[m] = values[m][n % radix];
		n /= radix;
	}
	snprintf(v, size, "CVSS:3.1/AV:%c/AC:%c/PR:%c/UI:%c/S:%c/C:%c/I:%c/A:%c", letter[0],
		 letter[1], letter[2], letter[3], letter[4], letter[5], letter[6], letter[7]);
}

/*
 * Every base vector: a score in 0.0..10.0 on a 0.1 step, 0.0 exactly when nothing is
 * impacted, and raising C (hence, by symmetry, I or A) never lowers the score.
 */
static void test_all_vectors(void **state)
{
	for (unsigned n = 0; n < 2592; n++) {
		char v[64], lower_v[64];
		double score, tenths;
		bool no_impact;

		base_vector(n, v, sizeof(v));
		score = score_of(v);
		tenths = score * 10.0;
		if (score < 0.0 || score > 10.0 || fabs(tenths - round(tenths)) > 1e-9)
			fail_msg("%s: %.17g", v, score);
		no_impact = strstr(v, "/C:N/I:N/A:N") != NULL;
		if ((score == 0.0) != no_impact)
			fail_msg("%s: %.1f", v, score);
		if (!strstr(v, "/C:N/")) {
			base_vector(n - 9, lower_v, sizeof(lower_v));
			if (score_of(lower_v) > score)
				fail_msg("%s scores more than %s", lower_v, v);
		}
	}
}

/* The enumeration above covers the whole space: first and last vectors. */
static void test_base_vector(void **state)
{
	char v[64];

	base_vector(0, v, sizeof(v));
	assert_string_equal(v, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N");
	base_vector(9, v, sizeof(v));
	assert_string_equal(v, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N");
	base_vector(2591, v, sizeof(v));
	assert_string_equal(v, "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:H/I:H/A:H");
}

static void test_severity(void **state)
{
	assert_string_equal(cvss3_severity(0.0), "NONE");
	assert_string_equal(cvss3_severity(-1.0), "NONE");
	assert_string_equal(cvss3_severity(NAN), "NONE");
	assert_string_equal(cvss3_severity(0.1), "LOW");
	assert_string_equal(cvss3_severity(3.9), "LOW");
	assert_string_equal(cvss3_severity(4.0), "MEDIUM");
	assert_string_equal(cvss3_severity(6.9), "MEDIUM");
	assert_string_equal(cvss3_severity(7.0), "HIGH");
	assert_string_equal(cvss3_severity(8.9), "HIGH");
	assert_string_equal(cvss3_severity(9.0), "CRITICAL");
	assert_string_equal(cvss3_severity(10.0), "CRITICAL");
}

static void expect_malformed(const char *vector, const char *msg)
{
	struct cvss3 c, untouched;
	char err[128] = "";

	memset(&c, 'z', sizeof(c));
	untouched = c;
	assert_int_equal(cvss3_parse(vector, &c, err, sizeof(err)), -22);
	if (!strstr(err, msg))
		fail_msg("%s: '%s' lacks '%s'", vector, err, msg);
	assert_memory_equal(&c, &untouched, sizeof(c));
}

static void test_malformed(void **state)
{
	static const struct {
		const char *vector, *msg;
	} cases[] = {
		{ "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with" },
		{ "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with" },
		{ "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with" },
		{ "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with" },
		{ "CVSS:3.1", "does not start with" },
		{ "", "does not start with" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "base metric A is missing" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", "base metric S is missing" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:U", "metric E appears twice" },
		{ "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metric AV appears twice" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N", "metric AV appears twice" },
		{ "CVSS:3.1/AV:N/AC:Q/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown value 'Q' for AC" },
		{ "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown value 'NN' for AV" },
		{ "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown value 'n' for AV" },
		{ "CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown value 'N:L' for AV" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", "unknown value 'X' for S" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z", "unknown value 'Z' for E" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:H", "unknown value 'H' for MAV" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X", "unknown metric 'ZZ'" },
		{ "CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric 'av'" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "ends with '/'" },
		{ "CVSS:3.1/", "ends with '/'" },
		{ "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "empty metric" },
		{ "CVSS:3.1/AV", "'AV' is not KEY:VALUE" },
		{ "CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "'AV:' is not KEY:VALUE" },
		{ "CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "':N' is not KEY:VALUE" },
		{ "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", "invalid character 0x0a" },
		{ "CVSS:3.1/AV:N /AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid character 0x20" },
		{ "CVSS:3.1/AV:\xc3\x89/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid character 0xc3" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_malformed(cases[i].vector, cases[i].msg);
}

static void test_overlong(void **state)
{
	char v[CVSS3_VECTOR_MAX + 8] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
	struct cvss3 c;
	char err[8];
	size_t n;

	/* pad with repeated well-formed metrics: the length is refused before anything else */
	while ((n = strlen(v)) + 4 <= CVSS3_VECTOR_MAX)
		memcpy(v + n, "/E:X", 5);
	assert_true(n > CVSS3_VECTOR_MAX - 4);
	expect_malformed(v, "metric E appears twice");
	memset(v + n, 'X', CVSS3_VECTOR_MAX + 1 - n);
	v[CVSS3_VECTOR_MAX + 1] = '\0';
	expect_malformed(v, "longer than 256");

	/* a short or absent error buffer is not overrun */
	assert_int_equal(cvss3_parse(v, &c, err, sizeof(err)), -22);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(cvss3_parse("CVSS:3.1/", &c, NULL, 0), -22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores),
		cmocka_unit_test(test_base_vector),
		cmocka_unit_test(test_all_vectors),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_overlong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
