/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "canonjson.h"

/* Parses text with jansson (keys may come in any order) and checks the canonical bytes. */
static void expect_canon(const char *text, const char *want, size_t want_len)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	char *out = NULL;
	size_t len = 0;

	if (!v)
		fail_msg("bad test JSON: %s", e.text);
	assert_int_equal(canonjson_dump(v, &out, &len), 0);
	if (len != want_len || memcmp(out, want, len) != 0)
		fail_msg("got '%.*s', want '%.*s'", (int)len, out, (int)want_len, want);
	free(out);
	json_decref(v);
}
#define EXPECT(text, want) expect_canon(text, want, sizeof(want) - 1)

static void test_scalars(void **state)
{
	EXPECT("null", "null");
	EXPECT("true", "true");
	EXPECT("false", "false");
	EXPECT("0", "0");
	EXPECT("-17", "-17");
	EXPECT("4611686018427387904", "4611686018427387904"); /* 2^62 */
	EXPECT("\"\"", "\"\"");
	EXPECT("{}", "{}");
	EXPECT("[]", "[]");
}

static void test_strings(void **state)
{
	/* only quote and backslash are escaped; "/" stays as is */
	EXPECT("\"a\\\"b\\\\c/d\"", "\"a\\\"b\\\\c/d\"");
	/* control characters, DEL and non-ASCII are written raw */
	EXPECT("\"line\\nnext\\ttab\"", "\"line\nnext\ttab\"");
	EXPECT("\"\\u007f\"", "\"\x7f\"");
	EXPECT("\"caf\\u00e9 \\ud83d\\ude00\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	/* an embedded NUL is kept: the string's full length is written */
	EXPECT("\"a\\u0000b\"", "\"a\0b\"");
}

static void test_key_order(void **state)
{
	/* byte order: "B" (0x42) < "_" (0x5f) < "a" < "aa" < "a\xc3\xa9" (0xc3 > 'a') */
	EXPECT("{\"a\\u00e9\": 1, \"aa\": 2, \"a\": 3, \"_\": 4, \"B\": 5}",
	       "{\"B\":5,\"_\":4,\"a\":3,\"aa\":2,\"a\xc3\xa9\":1}");
	EXPECT("{\"z\": {\"b\": [1, {\"d\": null, \"c\": true}], \"a\": \"x\"}}",
	       "{\"z\":{\"a\":\"x\",\"b\":[1,{\"c\":true,\"d\":null}]}}");
}

static void test_tuf_signed(void **state)
{
	EXPECT("{\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 3,"
	       " \"expires\": \"2030-01-01T00:00:00Z\","
	       " \"meta\": {\"snapshot.json\": {\"version\": 7, \"length\": 515,"
	       "  \"hashes\": {\"sha256\": \"ab12\"}}}}",
	       "{\"_type\":\"timestamp\",\"expires\":\"2030-01-01T00:00:00Z\","
	       "\"meta\":{\"snapshot.json\":{\"hashes\":{\"sha256\":\"ab12\"},\"length\":515,"
	       "\"version\":7}},\"spec_version\":\"1.0.31\",\"version\":3}");
}

static void test_refusals(void **state)
{
	json_t *v = json_pack("{s:f}", "x", 1.5), *deep, *cur;
	char *out = NULL;
	size_t len;

	assert_int_equal(canonjson_dump(v, &out, &len), -22);
	assert_null(out);
	json_decref(v);
	assert_int_equal(canonjson_dump(NULL, &out, &len), -22);

	deep = json_array();
	cur = deep;
	for (int i = 0; i < CANONJSON_MAX_DEPTH + 2; i++) {
		json_t *n = json_array();

		json_array_append_new(cur, n);
		cur = n;
	}
	assert_int_equal(canonjson_dump(deep, &out, &len), -22);
	json_decref(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_tuf_signed),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
