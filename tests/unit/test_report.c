/* SPDX-License-Identifier: GPL-2.0-only */
/* The fleet report's pieces (agent/report.h): the node key, the protocol's bounds, the queue
 * (order, bound, oldest dropped first) and the queue file parser, in a temp directory; and
 * the [fleet] configuration's refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_config.h"
#include "fileio.h"
#include "report.h"

static char *make_dir(void)
{
	char tmpl[] = "/tmp/test_report.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_dir(char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_node_key(void **unused)
{
	char *dir = make_dir(), path[256], sig[REPORT_SIG_HEX + 1];
	unsigned char raw[64];
	struct node_key a, b;
	struct stat st;

	snprintf(path, sizeof(path), "%s/node.key", dir);
	assert_int_equal(node_key_load(path, &a), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 64);
	assert_int_equal(strlen(a.id), 64);
	/* loaded again: the same node */
	assert_int_equal(node_key_load(path, &b), 0);
	assert_string_equal(a.id, b.id);
	/* the signature is over the exact bytes and verifies with the id's key */
	node_key_sign(&a, "{\"v\":1}", 7, sig);
	assert_int_equal(strlen(sig), 128);
	assert_int_equal(sodium_hex2bin(raw, sizeof(raw), sig, 128, NULL, NULL, NULL), 0);
	assert_int_equal(crypto_sign_verify_detached(raw, (const unsigned char *)"{\"v\":1}", 7,
						     a.pk), 0);
	assert_int_not_equal(crypto_sign_verify_detached(raw, (const unsigned char *)"{\"v\":2}",
							 7, a.pk), 0);
	/* a file that is not a key is refused, never replaced */
	assert_int_equal(write_file_atomic(path, "short", 5, 0600), 0);
	assert_int_equal(node_key_load(path, &b), -EBADMSG);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5);
	remove_dir(dir);
}

static void test_serialize_bounds(void **unused)
{
	json_t *doc = json_pack("{s:s, s:o, s:o}", "node", "", "patches", json_array(),
				"problems", json_array());
	char big[4000], *body = NULL;
	size_t len = 0;

	/* a 3-byte UTF-8 character across the 1 KiB cut: not split; ids are never cut below
	 * their bound, whatever else must be cut */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + 1022, "\xe2\x82\xac", 3);
	json_object_set_new(doc, "node", json_string(big + 1500));   /* ids: 128 bytes */
	for (int i = 0; i < 300; i++)
		json_array_append_new(json_object_get(doc, "patches"),
				      json_pack("{s:s, s:s, s:i}", "id", "p", "reason", big, "n", i));
	for (int i = 0; i < 100; i++)
		json_array_append_new(json_object_get(doc, "problems"), json_string("x"));
	assert_int_equal(report_serialize(doc, &body, &len), 0);
	assert_true(len <= REPORT_MAX_BODY);
	assert_int_equal(strlen(body), len);
	assert_int_equal(json_string_length(json_object_get(doc, "node")), REPORT_MAX_ID);
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), REPORT_MAX_PROBLEMS);
	/* 256 patches of 1 KiB reasons do not fit in 64 KiB: the words are cut, not the patches */
	assert_int_equal(json_array_size(json_object_get(doc, "patches")), REPORT_MAX_PATCHES);
	assert_true(json_string_length(json_object_get(json_array_get(json_object_get(doc,
		"patches"), 0), "reason")) < 1022);
	/* the first patch kept is the first given */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc,
		"patches"), 0), "n")), 0);
	free(body);
	json_decref(doc);

	/* a small report is left whole, strings at the 1 KiB bound cut on a character */
	doc = json_pack("{s:s}", "reason", big);
	assert_int_equal(report_serialize(doc, &body, &len), 0);
	assert_int_equal(json_string_length(json_object_get(doc, "reason")), 1022);
	free(body);
	json_decref(doc);
}

static const char sig_a[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
			    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void test_queue(void **unused)
{
	char *dir = make_dir(), qdir[256], path[300], *buf = NULL;
	struct report_entry *v = NULL;
	struct report_drop drop;
	const char *sig, *body;
	size_t n = 0, len = 0, blen = 0;
	char err[128];

	snprintf(qdir, sizeof(qdir), "%s/reports", dir);
	/* an absent queue is empty */
	assert_int_equal(report_file_list(qdir, &v, &n), 0);
	assert_int_equal(n, 0);
	/* appended out of numeric-text order: listed by seq */
	assert_int_equal(report_queue_append(qdir, 9, sig_a, "{\"seq\":9}", 9, 3, 1 << 20, &drop), 0);
	assert_int_equal(report_queue_append(qdir, 10, sig_a, "{\"seq\":10}", 10, 3, 1 << 20, &drop), 0);
	assert_int_equal(report_queue_append(qdir, 11, sig_a, "{\"seq\":11}", 10, 3, 1 << 20, &drop), 0);
	assert_int_equal(drop.n, 0);
	/* a crash's temporary and a stray name are not reports */
	snprintf(path, sizeof(path), "%s/.#12.jsonXXXX", qdir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), 0);
	snprintf(path, sizeof(path), "%s/012.json", qdir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), 0);
	assert_int_equal(report_file_list(qdir, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].seq, 9);
	assert_int_equal(v[1].seq, 10);
	assert_int_equal(v[2].seq, 11);
	assert_int_equal(v[0].size, 129 + 9);
	free(v);
	/* a fourth over the 3-file bound: the oldest goes */
	assert_int_equal(report_queue_append(qdir, 12, sig_a, "{\"seq\":12}", 10, 3, 1 << 20, &drop), 0);
	assert_int_equal(drop.n, 1);
	assert_int_equal(drop.first, 9);
	assert_int_equal(report_file_list(qdir, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].seq, 10);
	free(v);
	/* the byte bound: room for two files of 139 bytes only */
	assert_int_equal(report_queue_append(qdir, 13, sig_a, "{\"seq\":13}", 10, 100, 2 * 139, &drop), 0);
	assert_int_equal(drop.n, 2);
	assert_int_equal(drop.first, 10);
	assert_int_equal(drop.last, 11);
	assert_int_equal(report_file_list(qdir, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].seq, 12);
	assert_int_equal(v[1].seq, 13);
	free(v);
	/* the file is "SIGNATURE\nBODY", read back by the parser */
	snprintf(path, sizeof(path), "%s/13.json", qdir);
	assert_int_equal(read_file_bounded(path, REPORT_FILE_MAX, &buf, &len), 0);
	assert_int_equal(report_file_parse(buf, len, &sig, &body, &blen, err, sizeof(err)), 0);
	assert_memory_equal(sig, sig_a, 128);
	assert_int_equal(blen, 10);
	assert_memory_equal(body, "{\"seq\":13}", 10);
	free(buf);
	/* remove; removing again is no error */
	assert_int_equal(report_queue_remove(qdir, 13), 0);
	assert_int_equal(report_queue_remove(qdir, 13), 0);
	/* a bad signature is refused before anything is written */
	assert_int_equal(report_queue_append(qdir, 14, "abc", "{}", 2, 3, 1 << 20, &drop), -EINVAL);
	remove_dir(dir);
}

static void test_file_parse(void **unused)
{
	char buf[REPORT_FILE_MAX + 2], err[128];
	const char *sig, *body;
	size_t blen;

	memcpy(buf, sig_a, 128);
	buf[128] = '\n';
	memcpy(buf + 129, "{}", 2);
	assert_int_equal(report_file_parse(buf, 131, &sig, &body, &blen, err, sizeof(err)), 0);
	/* too short, no newline, uppercase hex, no object, NUL in the body, too large */
	assert_int_equal(report_file_parse(buf, 100, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "too short"));
	buf[128] = ' ';
	assert_int_equal(report_file_parse(buf, 131, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "newline"));
	buf[128] = '\n';
	buf[5] = 'A';
	assert_int_equal(report_file_parse(buf, 131, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "lowercase hex"));
	buf[5] = '5';
	buf[129] = '[';
	assert_int_equal(report_file_parse(buf, 131, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not a JSON object"));
	assert_int_equal(report_file_parse(buf, 129, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	buf[129] = '{';
	buf[130] = '\0';
	assert_int_equal(report_file_parse(buf, 131, &sig, &body, &blen, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "NUL"));
	memset(buf + 130, ' ', sizeof(buf) - 130);
	assert_int_equal(report_file_parse(buf, REPORT_FILE_MAX, &sig, &body, &blen, err,
					   sizeof(err)), 0);
	assert_int_equal(report_file_parse(buf, REPORT_FILE_MAX + 1, &sig, &body, &blen, err,
					   sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "larger"));
}

static int load_conf(const char *dir, const char *text, struct agent_config *c)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/agent.conf", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return agent_config_load(path, true, c);
}

static void test_fleet_config(void **unused)
{
	char *dir = make_dir(), text[512], tokfile[256];
	struct agent_config c;

	assert_int_equal(load_conf(dir, "[fleet]\nurl = https://fleet.example:8443\ntoken = abc\n",
				   &c), 0);
	assert_string_equal(c.fleet_url, "https://fleet.example:8443");
	assert_string_equal(c.fleet_token, "abc");
	agent_config_free(&c);
	snprintf(tokfile, sizeof(tokfile), "%s/tok", dir);
	assert_int_equal(write_file_atomic(tokfile, "t0k3n\nignored\n", 14, 0600), 0);
	snprintf(text, sizeof(text), "[fleet]\nurl = http://h\ntoken-file = %s\n", tokfile);
	assert_int_equal(load_conf(dir, text, &c), 0);
	assert_string_equal(c.fleet_token, "t0k3n");
	agent_config_free(&c);
	/* refusals: not http, both token and token-file, a token with a space, a missing file,
	 * a URL over 1 KiB */
	assert_int_equal(load_conf(dir, "[fleet]\nurl = ftp://h\n", &c), -EINVAL);
	snprintf(text, sizeof(text), "[fleet]\ntoken = a\ntoken-file = %s\n", tokfile);
	assert_int_equal(load_conf(dir, text, &c), -EINVAL);
	assert_int_equal(load_conf(dir, "[fleet]\ntoken = a b\n", &c), -EINVAL);
	assert_int_equal(load_conf(dir, "[fleet]\ntoken-file = /nonexistent/tok\n", &c), -EINVAL);
	{
		char longurl[1200 + 32];

		memset(longurl, 'a', sizeof(longurl));
		memcpy(longurl, "[fleet]\nurl = http://", 21);
		memcpy(longurl + sizeof(longurl) - 2, "\n", 2);
		assert_int_equal(load_conf(dir, longurl, &c), -EINVAL);
	}
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_key),
		cmocka_unit_test(test_serialize_bounds),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_file_parse),
		cmocka_unit_test(test_fleet_config),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
