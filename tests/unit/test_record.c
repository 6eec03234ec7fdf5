/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cve/record.h"
#include "cve/verdict.h"

static struct cve_record *new_record(const char *id)
{
	struct cve_record *r = malloc(sizeof(*r));

	record_init(r);
	snprintf(r->id, sizeof(r->id), "%s", id);
	return r;
}

static void drop(struct cve_record *r)
{
	record_free(r);
	free(r);
}

#define PARSE(fn, r, s, err) fn((r), (s), strlen(s), (err))

static void test_ids(void **state)
{
	char id[CVE_ID_MAX];

	assert_int_equal(record_id_from_name("CVE-2024-26581.dyad", id, sizeof(id)), 0);
	assert_string_equal(id, "CVE-2024-26581");
	assert_int_equal(record_id_from_name("CVE-2021-4440", id, sizeof(id)), 0);
	assert_string_equal(id, "CVE-2021-4440");
	assert_int_equal(record_id_from_name("README", id, sizeof(id)), -22);
	assert_int_equal(record_id_from_name("CVE-2024-123.json", id, sizeof(id)), -22);
	assert_int_equal(record_id_from_name("CVE-20x4-12345", id, sizeof(id)), -22);
	assert_int_equal(record_id_from_name("CVE-2024-1234567890123456789012", id, sizeof(id)), -22);
	assert_true(record_id_valid("CVE-2024-26581", 14));
	assert_false(record_id_valid("CVE-2024-26581 ", 15));
}

static const char dyad_example[] =
	"# dyad version: 86b352798e93\n"
	"# \tgetting vulnerable:fixed pairs for git id 60c0c230c6f046da536d3df8b39a20b9a9fd6af0\n"
	"4.19.316:8284a79136c384059e85e278da2210b809730287:4.19.316:c60d252949caf9aba537525195edae6bbabc35eb\n"
	"6.1.43:89a4d1a89751a0fbd520e64091873e19cc0979e8:6.1.78:1296c110c5a0b45a8fcf58e7d18bc5da61a565cb\r\n"
	"6.5:f718863aca469a109895cb855e6b81fff4827d71:6.8:60c0c230c6f046da536d3df8b39a20b9a9fd6af0\n"
	"6.4.8:cd66733932399475fe933cb3ec03e687ed401462:0:0\n"
	"0:0:5.10.219:4cee42fcf54f\n"
	"\n";

static void test_dyad(void **state)
{
	struct cve_record *r = new_record("CVE-2024-26581");
	struct record_error err;

	assert_int_equal(PARSE(record_parse_dyad, r, dyad_example, &err), 0);
	assert_int_equal(r->n_dyads, 5);
	assert_string_equal(r->dyads[1].fixed_version, "6.1.78");
	assert_string_equal(r->dyads[1].fixed_commit, "1296c110c5a0b45a8fcf58e7d18bc5da61a565cb");
	assert_null(r->dyads[3].fixed_version);
	assert_null(r->dyads[3].fixed_commit);
	assert_null(r->dyads[4].vuln_version);
	assert_string_equal(r->dyads[4].fixed_commit, "4cee42fcf54f");
	drop(r);
}

static void test_dyad_bad(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "6.1:89a4d1a89751a0fbd520e64091873e19cc0979e8:6.1.78\n", "line 1: expected" },
		{ "# c\n6.x:89a4d1a89751:6.1.78:1296c110c5a0\n", "line 2: vulnerable version '6.x'" },
		{ "6.1:zzzz:6.1.78:1296c110c5a0\n", "line 1: vulnerable commit" },
		{ "6.1:89a4d1a89751:6.1.78:1296C110C5A0\n", "line 1: fixed commit" },
		{ "6.1:0:6.1.78:1296c110c5a0\n", "line 1: a version without its commit" },
		{ "6.1:89a4d1a89751:6.1.78:1296c110c5a0:x\n", "more than 4" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cve_record *r = new_record("CVE-2024-1111");
		struct record_error err = { { 0 } };

		assert_int_equal(PARSE(record_parse_dyad, r, cases[i].in, &err), -22);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		drop(r);
	}
	{
		struct cve_record *r = new_record("CVE-2024-1111");
		struct record_error err;
		const char nul[] = "6.1:89a4d1a89751:6.1.78:1296c110c5a0\n\0x";

		assert_int_equal(record_parse_dyad(r, nul, sizeof(nul) - 1, &err), -22);
		assert_non_null(strstr(err.msg, "NUL"));
		drop(r);
	}
}

static void test_commit_lists(void **state)
{
	struct cve_record *r = new_record("CVE-2026-52945");
	struct record_error err;

	assert_int_equal(PARSE(record_parse_sha1, r,
			       "60c0c230c6f046da536d3df8b39a20b9a9fd6af0\n\n"
			       "1296c110c5a0b45a8fcf58e7d18bc5da61a565cb\n", &err), 0);
	assert_int_equal(r->n_mainline_fixes, 2);
	assert_int_equal(PARSE(record_parse_vulnerable, r, "8370c3d08bd9 cea750c99d8f\n", &err), 0);
	assert_int_equal(r->n_vulnerable, 2);
	assert_int_equal(PARSE(record_parse_sha1, r, "not-a-sha\n", &err), -22);
	assert_non_null(strstr(err.msg, "'not-a-sha' is not a commit id"));
	drop(r);
}

static const char json_min[] =
	"{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\", \"state\": \"PUBLISHED\"},"
	" \"dataVersion\": \"5.1.1\","
	" \"containers\": {\"cna\": {\"title\": \"net: fix a thing\","
	"  \"descriptions\": [{\"lang\": \"en\", \"value\": \"In the Linux kernel...\"}],"
	"  \"affected\": ["
	"   {\"defaultStatus\": \"unaffected\", \"programFiles\": [\"net/a.c\", \"net/b.c\"],"
	"    \"versions\": [{\"version\": \"f718863aca469a109895cb855e6b81fff4827d71\","
	"      \"lessThan\": \"60c0c230c6f046da536d3df8b39a20b9a9fd6af0\", \"status\": \"affected\","
	"      \"versionType\": \"git\"},"
	"     {\"version\": \"6.1.43\", \"lessThan\": \"6.1.78\", \"status\": \"affected\","
	"      \"versionType\": \"semver\"}]},"
	"   {\"defaultStatus\": \"affected\", \"programFiles\": [\"net/a.c\"],"
	"    \"versions\": [{\"version\": \"6.5\", \"status\": \"affected\"},"
	"     {\"version\": \"0\", \"lessThan\": \"6.5\", \"status\": \"unaffected\","
	"      \"versionType\": \"semver\"},"
	"     {\"version\": \"6.6.17\", \"lessThanOrEqual\": \"6.6.*\", \"status\": \"unaffected\","
	"      \"versionType\": \"semver\"},"
	"     {\"version\": \"6.8\", \"lessThanOrEqual\": \"*\", \"status\": \"unaffected\","
	"      \"versionType\": \"original_commit_for_fix\"}]}],"
	"  \"metrics\": [{\"cvssV3_1\": {\"vectorString\": \"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H\","
	"   \"baseScore\": 7.8, \"baseSeverity\": \"HIGH\"}}],"
	"  \"references\": [{\"url\": \"https://git.kernel.org/stable/c/1296c110c5a0\"}]}}}";

static void test_json(void **state)
{
	struct cve_record *r = new_record("CVE-2024-1111");
	struct record_error err;
	struct kver x;
	struct verdict_result v;

	assert_int_equal(PARSE(record_parse_json, r, json_min, &err), 0);
	assert_int_equal(record_validate(r, &err), 0);
	assert_string_equal(r->title, "net: fix a thing");
	assert_int_equal(r->n_files, 2); /* deduplicated across products */
	assert_int_equal(r->n_products, 2);
	assert_true(r->products[0].is_git);
	assert_false(r->products[1].is_git);
	assert_int_equal(r->n_ranges, 6);
	assert_true(r->cvss_score > 7.79 && r->cvss_score < 7.81);
	assert_int_equal(r->n_references, 1);

	/* the JSON rule alone (no dyad): stable backport window, mainline window, fixed ranges */
	kver_parse("6.1.50", &x);
	verdict_check(r, &x, &v);
	assert_true(v.json_affected);
	kver_parse("6.1.78", &x);
	verdict_check(r, &x, &v);
	assert_false(v.json_affected);
	kver_parse("6.5.3", &x);
	verdict_check(r, &x, &v);
	assert_true(v.json_affected);
	kver_parse("6.6.20", &x);
	verdict_check(r, &x, &v);
	assert_false(v.json_affected);
	kver_parse("6.6.16", &x);
	verdict_check(r, &x, &v);
	assert_true(v.json_affected);
	kver_parse("6.9", &x);
	verdict_check(r, &x, &v);
	assert_false(v.json_affected);
	drop(r);
}

static void test_json_old_shape(void **state)
{
	struct cve_record *r = new_record("CVE-2024-26609");
	struct record_error err;
	const char *old =
		"{\"cveMetadata\": {\"cveID\": \"CVE-2024-26609\"}, \"dataVersion\": \"5.0\","
		" \"containers\": {\"cna\": {\"title\": \"t\", \"affected\": ["
		" {\"versions\": [{\"version\": \"1da177e4c3f4\", \"lessThan\": \"60e1b411bf0f\","
		"  \"status\": \"affected\", \"versionType\": \"git\"}]},"
		" {\"versions\": [{\"version\": \"4.19.137\", \"lessThanOrEqual\": \"4.19.*\","
		"  \"status\": \"unaffected\", \"versionType\": \"custom\"},"
		"  {\"version\": \"6.8-rc4\", \"lessThanOrEqual\": \"*\", \"status\": \"unaffected\","
		"  \"versionType\": \"original_commit_for_fix\"}]}]}}}";

	r->state = CVE_REJECTED;
	assert_int_equal(PARSE(record_parse_json, r, old, &err), 0);
	assert_int_equal(r->n_ranges, 3);
	assert_int_equal(r->n_files, 0);
	assert_int_equal(record_validate(r, &err), 0);
	drop(r);
}

static void test_json_bad(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": ", "line 1 column" },
		{ "[]", "top level is not an object" },
		{ "{\"containers\": {}}", "cveMetadata: missing" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-2222\"}, \"containers\": {\"cna\": {}}}",
		  "file name says CVE-2024-1111" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\", \"cveId\": \"CVE-2024-1111\"}}",
		  "duplicate" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"affected\": [{\"versions\": [{\"version\": \"6.1\", \"status\": \"broken\"}]}]}}}",
		  "affected[0].versions[0].status" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"affected\": [{\"versions\": [{\"version\": \"6.x\", \"status\": \"affected\"}]}]}}}",
		  "versions[0].version: not a kernel version: '6.x'" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"affected\": [{\"versions\": [{\"version\": \"6.1\", \"lessThan\": \"6.2\","
		  " \"lessThanOrEqual\": \"6.2\", \"status\": \"affected\"}]}]}}}",
		  "both lessThan and lessThanOrEqual" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"affected\": [{\"versions\": [{\"version\": \"xyz\", \"status\": \"affected\","
		  " \"versionType\": \"git\"}]}]}}}",
		  "git range with a value that is not a commit id" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"affected\": [{\"programFiles\": [\"/etc/passwd\"]}]}}}",
		  "programFiles: invalid path" },
		{ "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"}, \"containers\": {\"cna\": {"
		  "\"metrics\": [{\"cvssV3_1\": {\"vectorString\": \"x\", \"baseScore\": 11}}]}}}",
		  "baseScore: out of range" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cve_record *r = new_record("CVE-2024-1111");
		struct record_error err = { { 0 } };

		assert_int_equal(PARSE(record_parse_json, r, cases[i].in, &err), -22);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		drop(r);
	}
	{
		/* a published record needs a title and products */
		struct cve_record *r = new_record("CVE-2024-1111");
		struct record_error err;

		assert_int_equal(PARSE(record_parse_json, r,
				       "{\"cveMetadata\": {\"cveId\": \"CVE-2024-1111\"},"
				       " \"containers\": {\"cna\": {}}}", &err), 0);
		assert_int_equal(record_validate(r, &err), -22);
		assert_non_null(strstr(err.msg, "title: missing"));
		drop(r);
	}
}

static void test_cvss_file(void **state)
{
	struct cve_record *r = new_record("CVE-2024-26581");
	struct record_error err;

	assert_int_equal(PARSE(record_parse_cvss, r,
			       "f4215fc3-5b6b-47ff-a258-f7189bd81038 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n"
			       "\nAV:N - reasons\n", &err), 0);
	assert_string_equal(r->cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_true(r->cvss_score > 9.79 && r->cvss_score < 9.81);
	assert_string_equal(r->cvss_severity, "CRITICAL");
	assert_int_equal(PARSE(record_parse_cvss, r, "orgid CVSS:3.1/AV:N\n", &err), -22);
	assert_int_equal(PARSE(record_parse_cvss, r, "no-vector-here\n", &err), -22);
	drop(r);
}

static void test_reference_notes(void **state)
{
	struct cve_record *r = new_record("CVE-2021-4440");
	struct record_error err;

	assert_int_equal(PARSE(record_parse_reference, r,
			       "https://grsecurity.net/cve-2021-4440_linux_cna_case_study\n\n", &err), 0);
	assert_int_equal(r->n_references, 1);
	assert_int_equal(PARSE(record_parse_reference, r, "ftp://x\n", &err), -22);
	{
		/* a file ending in a cut URL: nothing past its last byte may be read (ASan build) */
		char *cut = malloc(5);

		memcpy(cut, "http:", 5);
		assert_int_equal(record_parse_reference(r, cut, 5, &err), -22);
		free(cut);
	}
	assert_int_equal(PARSE(record_parse_notes, r, "  \n", &err), 0);
	assert_null(r->notes);
	assert_int_equal(PARSE(record_parse_notes, r, "Message-ID: <x@y>\n", &err), 0);
	assert_string_equal(r->notes, "Message-ID: <x@y>");
	drop(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_dyad),
		cmocka_unit_test(test_dyad_bad),
		cmocka_unit_test(test_commit_lists),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_old_shape),
		cmocka_unit_test(test_json_bad),
		cmocka_unit_test(test_cvss_file),
		cmocka_unit_test(test_reference_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
