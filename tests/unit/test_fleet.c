/* SPDX-License-Identifier: GPL-2.0-only */
/* The fleet protocol's parsers and signature check (fleet/fleet.h), report ingest on a real
 * database, and the server's per-address token buckets. */
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
#include <unistd.h>

#include "fleet/fleet.h"
#include "serve/serve.h"

#define NODE "8165fc55a85ac90e9d6ce32f0307ae2f298ef7765b0c7180951098b612fe4a35"

static json_t *valid_report(void)
{
	json_t *r = json_pack(
		"{si ss si si ss ss ss ss s{ss ss} si ss si si s{si si si}"
		" s[{ss si ss si ss ss}] s[s]}",
		"v", 1, "node", NODE, "seq", 42, "time", 1765000000, "event", "applied",
		"machine_id", "0123456789abcdef0123456789abcdef",
		"boot_id", "01234567-89ab-cdef-0123-456789abcdef", "hostname", "web-17",
		"kernel", "release", "6.1.0-57-amd64", "build_id", "",
		"uptime", 86400, "channel", "canary", "interval", 3600, "taint", 0,
		"kmsg", "records", 1234, "reports", 1, "dropped", 0,
		"patches", "id", "cumulative-deb12-3", "version", 3, "state", "applied",
		"since", 1765000000, "reason", "", "target", "6.1.0-57-amd64/c.ko",
		"problems", "disk almost full");

	assert_non_null(r);
	return r;
}

/* Parses doc (consumed); returns the error text, "" when it parsed. */
static const char *parse(json_t *doc)
{
	static char err[256];
	struct fleet_report r;
	char *text = json_dumps(doc, JSON_COMPACT);
	int k;

	json_decref(doc);
	assert_non_null(text);
	err[0] = '\0';
	k = fleet_report_parse(text, strlen(text), &r, err, sizeof(err));
	free(text);
	if (k == 0)
		fleet_report_free(&r);
	else
		assert_int_equal(k, -EINVAL);
	return err;
}

static void assert_refused(json_t *doc, const char *field)
{
	const char *err = parse(doc);

	if (strncmp(err, field, strlen(field)) != 0)
		fail_msg("expected an error naming '%s', got '%s'", field, err);
}

static void test_valid(void **state)
{
	json_t *doc = valid_report();
	char *text = json_dumps(doc, 0), err[256];
	struct fleet_report r;

	assert_int_equal(fleet_report_parse(text, strlen(text), &r, err, sizeof(err)), 0);
	assert_string_equal(r.node, NODE);
	assert_int_equal(r.seq, 42);
	assert_string_equal(r.kernel_release, "6.1.0-57-amd64");
	assert_int_equal(r.n_patches, 1);
	assert_string_equal(r.patches[0].state, "applied");
	assert_false(r.patches[0].has_evidence);
	assert_int_equal(r.n_problems, 1);
	assert_int_equal(r.kmsg_records, 1234);
	fleet_report_free(&r);
	free(text);
	json_decref(doc);
}

static json_t *with(json_t *doc, const char *key, json_t *v)
{
	json_object_set_new(doc, key, v);
	return doc;
}

static json_t *without(json_t *doc, const char *key)
{
	json_object_del(doc, key);
	return doc;
}

static json_t *patch0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "patches"), 0);
}

static void test_fields(void **state)
{
	json_t *d;
	char big[FLEET_STRING_MAX + 2];

	assert_refused(with(valid_report(), "v", json_integer(2)), "v:");
	assert_refused(without(valid_report(), "node"), "node: missing");
	assert_refused(with(valid_report(), "node", json_string("ABC")), "node:");
	/* the id is the key's canonical hex: uppercase is another string for the same key */
	d = valid_report();
	{
		char upper[] = NODE;

		for (char *p = upper; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
		assert_refused(with(d, "node", json_string(upper)), "node:");
	}
	assert_refused(with(valid_report(), "seq", json_integer(0)), "seq:");
	assert_refused(with(valid_report(), "seq", json_integer(-5)), "seq:");
	assert_refused(with(valid_report(), "seq", json_real(1.5)), "seq: not an integer");
	assert_refused(with(valid_report(), "seq", json_string("7")), "seq: not an integer");
	assert_refused(with(valid_report(), "uptime", json_integer(INT64_C(1) << 53)), "uptime:");
	assert_string_equal(parse(with(valid_report(), "uptime",
				       json_integer((INT64_C(1) << 53) - 1))), "");
	assert_refused(with(valid_report(), "event", json_string("exploded")), "event:");
	assert_refused(with(valid_report(), "interval", json_integer(0)), "interval:");
	assert_refused(with(valid_report(), "machine_id", json_string("0123")), "machine_id:");
	assert_string_equal(parse(with(valid_report(), "machine_id", json_string(""))), "");
	assert_refused(with(valid_report(), "boot_id",
			    json_string("01234567x89ab-cdef-0123-456789abcdef")), "boot_id:");
	assert_refused(with(valid_report(), "hostname", json_string("a\nb")), "hostname:");
	assert_refused(with(valid_report(), "channel", json_string("../x")), "channel:");
	assert_refused(with(valid_report(), "channel", json_string("")), "channel:");
	assert_refused(without(valid_report(), "kernel"), "kernel:");
	assert_refused(with(valid_report(), "kernel", json_string("6.1")), "kernel:");
	d = valid_report();
	json_object_del(json_object_get(d, "kernel"), "release");
	assert_refused(d, "kernel.release:");
	assert_refused(with(valid_report(), "kmsg", json_pack("{si}", "records", -1)),
		       "kmsg.records:");
	assert_refused(without(valid_report(), "patches"), "patches:");
	assert_string_equal(parse(without(valid_report(), "problems")), "");
	assert_string_equal(parse(without(valid_report(), "kmsg")), "");

	memset(big, 'x', sizeof(big) - 1);
	big[FLEET_STRING_MAX] = '\0';
	assert_string_equal(parse(with(valid_report(), "hostname", json_string(big))), "");
	big[FLEET_STRING_MAX] = 'x';
	big[FLEET_STRING_MAX + 1] = '\0';
	assert_refused(with(valid_report(), "hostname", json_string(big)), "hostname: longer");
	/* a NUL inside a string would cut it short in the database */
	assert_refused(with(valid_report(), "hostname", json_stringn("a\0b", 3)), "body: not JSON");
}

static void test_patches(void **state)
{
	json_t *d, *list;
	char id[FLEET_ID_MAX + 2];

	d = valid_report();
	json_object_set_new(patch0(d), "state", json_string("weird"));
	assert_refused(d, "patches[0].state:");
	d = valid_report();
	json_object_del(patch0(d), "version");
	assert_refused(d, "patches[0].version: missing");
	d = valid_report();
	json_array_append_new(json_object_get(d, "patches"), json_deep_copy(patch0(d)));
	assert_refused(d, "patches[1].id: 'cumulative-deb12-3' is listed twice");
	d = valid_report();
	json_array_append_new(json_object_get(d, "patches"), json_integer(1));
	assert_refused(d, "patches[1]: not an object");

	memset(id, 'p', sizeof(id) - 1);
	id[FLEET_ID_MAX] = '\0';
	d = valid_report();
	json_object_set_new(patch0(d), "id", json_string(id));
	assert_string_equal(parse(d), "");
	id[FLEET_ID_MAX] = 'p';
	id[FLEET_ID_MAX + 1] = '\0';
	d = valid_report();
	json_object_set_new(patch0(d), "id", json_string(id));
	assert_refused(d, "patches[0].id: longer than 128");

	for (int n = FLEET_PATCHES_MAX; n <= FLEET_PATCHES_MAX + 1; n++) {
		d = valid_report();
		list = json_array();
		for (int i = 0; i < n; i++) {
			char name[16];

			snprintf(name, sizeof(name), "p%d", i);
			json_array_append_new(list, json_pack("{sssiss}", "id", name, "version", 1,
							      "state", "applied"));
		}
		json_object_set_new(d, "patches", list);
		if (n == FLEET_PATCHES_MAX)
			assert_string_equal(parse(d), "");
		else
			assert_refused(d, "patches: more than 256");
	}
	for (int n = FLEET_PROBLEMS_MAX; n <= FLEET_PROBLEMS_MAX + 1; n++) {
		d = valid_report();
		list = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(list, json_string("problem"));
		json_object_set_new(d, "problems", list);
		if (n == FLEET_PROBLEMS_MAX)
			assert_string_equal(parse(d), "");
		else
			assert_refused(d, "problems: more than 64");
	}
	d = valid_report();
	json_object_set_new(d, "problems", json_pack("[s,i]", "ok", 3));
	assert_refused(d, "problems[1]: not a string");

	d = valid_report();
	json_object_set_new(patch0(d), "evidence", json_pack("{ssssss}", "type", "WARNING",
			    "title", "WARNING in foo", "strength", "strong"));
	assert_string_equal(parse(d), "");
	d = valid_report();
	json_object_set_new(patch0(d), "evidence", json_pack("{ssss}", "type", "WARNING",
			    "strength", "strong"));
	assert_refused(d, "patches[0].evidence.title: missing");
	d = valid_report();
	json_object_set_new(patch0(d), "evidence", json_string("bad"));
	assert_refused(d, "patches[0].evidence: not an object");
}

static void test_text(void **state)
{
	struct fleet_report r;
	char err[256], *body;
	size_t n = FLEET_BODY_MAX + 1;
	static const char *const bad[] = {
		"", "[]", "{\"v\": 1", "{\"v\": 1}   x", "{\"v\": 1, \"v\": 1}", "null",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fleet_report_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)),
				 -EINVAL);
		assert_true(strncmp(err, "body:", 5) == 0 || strncmp(err, "v:", 2) == 0);
	}
	/* the bound holds whatever the content */
	body = malloc(n);
	assert_non_null(body);
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	assert_int_equal(fleet_report_parse(body, n, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "body: larger than 65536 bytes");
	free(body);
}

static void test_verify(void **state)
{
	unsigned char pk[32], sk[64], sig[64], got[32];
	char node[65], sighex[129], err[128];
	const char body[] = "{\"v\": 1}";

	crypto_sign_keypair(pk, sk);
	fleet_hex(pk, 32, node);
	crypto_sign_detached(sig, NULL, (const unsigned char *)body, strlen(body), sk);
	fleet_hex(sig, 64, sighex);
	assert_int_equal(fleet_verify(node, sighex, body, strlen(body), got, err, sizeof(err)), 0);
	assert_memory_equal(got, pk, 32);
	/* one byte more, one byte less: the exact bytes are signed */
	assert_int_equal(fleet_verify(node, sighex, body, strlen(body) - 1, NULL, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(fleet_verify(node, sighex, "{\"v\": 2}", 8, NULL, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(fleet_verify(NULL, sighex, body, strlen(body), NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "no TuxTape-Node header");
	assert_int_equal(fleet_verify(node, NULL, body, strlen(body), NULL, err, sizeof(err)),
			 -EINVAL);
	sighex[10] = 'z';
	assert_int_equal(fleet_verify(node, sighex, body, strlen(body), NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fleet_verify("abcd", sighex, body, strlen(body), NULL, err, sizeof(err)),
			 -EINVAL);
}

static void test_enroll_parse(void **state)
{
	struct fleet_enroll e;
	char err[256];
	const char *ok = "{\"v\": 1, \"token\": \"t0k\", \"node\": \"" NODE "\", \"machine_id\": \"\","
			 " \"hostname\": \"h\", \"time\": 5}";
	const char *no_token = "{\"v\": 1, \"node\": \"" NODE "\", \"machine_id\": \"\","
			       " \"hostname\": \"h\", \"time\": 5}";

	assert_int_equal(fleet_enroll_parse(ok, strlen(ok), &e, err, sizeof(err)), 0);
	assert_string_equal(e.token, "t0k");
	fleet_enroll_free(&e);
	assert_int_equal(fleet_enroll_parse(no_token, strlen(no_token), &e, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "token: missing");
}

/* Ingest on a real database: stored, replayed, and the per-node report log kept bounded. */
static void test_ingest(void **state)
{
	char dir[] = "/tmp/tuxtape-test-fleet.XXXXXX", path[64], node[65], sighex[129];
	unsigned char pk[32], sk[64], sig[64];
	struct fleet_limits lim = { 2, 3600 };
	struct fleet_answer a;
	struct fleet *f;
	struct db *db;
	sqlite3_stmt *st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.db", dir);
	assert_int_equal(db_open(path, true, &db), 0);
	assert_int_equal(fleet_new(db, &lim, &f), 0);
	crypto_sign_keypair(pk, sk);
	fleet_hex(pk, 32, node);
	assert_int_equal(sqlite3_prepare_v2(db->sql, "INSERT INTO fleet_node(id, public_key,"
					    " enrolled) VALUES (?, ?, 1)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	for (int seq = 1; seq <= FLEET_REPORTS_KEPT + 5; seq++) {
		json_t *doc = valid_report();
		char *text;

		json_object_set_new(doc, "node", json_string(node));
		json_object_set_new(doc, "seq", json_integer(seq));
		text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		crypto_sign_detached(sig, NULL, (unsigned char *)text, strlen(text), sk);
		fleet_hex(sig, 64, sighex);
		assert_int_equal(fleet_report_ingest(f, node, sighex, text, strlen(text), "127.0.0.1",
						     1000 + seq, &a), 0);
		assert_int_equal(a.status, 200);
		assert_int_equal(a.seq, seq);
		if (seq == FLEET_REPORTS_KEPT + 5) {
			assert_int_equal(fleet_report_ingest(f, node, sighex, text, strlen(text),
							     "127.0.0.1", 5000, &a), 0);
			assert_int_equal(a.status, 409);
			assert_int_equal(a.last_seq, seq);
		}
		free(text);
	}
	assert_int_equal(sqlite3_prepare_v2(db->sql, "SELECT count(*), min(seq) FROM fleet_report",
					    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), FLEET_REPORTS_KEPT);
	assert_int_equal(sqlite3_column_int(st, 1), 6);
	sqlite3_finalize(st);
	/* the write lock is not left held by a refusal */
	assert_true(sqlite3_get_autocommit(db->sql));
	fleet_free(f);
	db_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_rate(void **state)
{
	struct rate_table *t;
	long retry = 0;
	char addr[32];

	assert_int_equal(rate_table_new(1, 3, &t), 0);
	for (int i = 0; i < 3; i++)
		assert_true(rate_take(t, "10.0.0.1", 100.0, &retry));
	assert_false(rate_take(t, "10.0.0.1", 100.0, &retry));
	assert_int_equal(retry, 1);
	/* another address has its own bucket */
	assert_true(rate_take(t, "10.0.0.2", 100.0, &retry));
	assert_true(rate_take(t, "10.0.0.1", 101.0, &retry));
	assert_false(rate_take(t, "10.0.0.1", 101.0, &retry));
	/* many addresses: the table stays bounded and keeps answering */
	for (int i = 0; i < 50000; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256, i % 256);
		assert_true(rate_take(t, addr, 200.0 + i / 1000.0, &retry));
	}
	rate_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_patches),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_enroll_parse),
		cmocka_unit_test(test_ingest),
		cmocka_unit_test(test_rate),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
