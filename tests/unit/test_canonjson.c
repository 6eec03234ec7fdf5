/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/canonjson.h"

/* Checks the canonical bytes of v (consumed), including the terminating NUL. */
static void check_value(json_t *v, const char *want, size_t want_len)
{
	char *out = NULL;
	size_t len = 0;

	assert_non_null(v);
	assert_int_equal(canonjson_dump(v, &out, &len), 0);
	if (len != want_len || memcmp(out, want, len) != 0)
		fail_msg("got '%.*s' (%zu bytes), want '%.*s' (%zu bytes)", (int)len, out, len,
			 (int)want_len, want, want_len);
	assert_int_equal(out[len], '\0');
	free(out);
	json_decref(v);
}
#define EXPECT_VALUE(v, want) check_value((v), want, sizeof(want) - 1)

/* Parses text with jansson (so object keys come in the order written) and checks it. */
static void check_text(const char *text, const char *want, size_t want_len)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (!v)
		fail_msg("bad test JSON '%s': %s", text, e.text);
	check_value(v, want, want_len);
}
#define EXPECT(text, want) check_text(text, want, sizeof(want) - 1)

static void check_refused(json_t *v)
{
	char *out = NULL;
	size_t len = 12345;

	assert_int_equal(canonjson_dump(v, &out, &len), -EINVAL);
	assert_null(out);
	assert_int_equal(len, 12345);
}

static void test_scalars(void **state)
{
	EXPECT("null", "null");
	EXPECT("true", "true");
	EXPECT("false", "false");
	EXPECT("0", "0");
	EXPECT("-0", "0");
	EXPECT("-17", "-17");
	EXPECT("4611686018427387904", "4611686018427387904"); /* 2^62 */
	EXPECT_VALUE(json_integer(INT64_MAX), "9223372036854775807");
	EXPECT_VALUE(json_integer(INT64_MIN), "-9223372036854775808");
	EXPECT("\"\"", "\"\"");
	EXPECT("{}", "{}");
	EXPECT("[]", "[]");
	EXPECT(" [ 1 , [ ] , { } , \"x\" ] ", "[1,[],{},\"x\"]");
}

static void test_strings(void **state)
{
	char ctl[32];

	/* only quote and backslash are escaped; "/" stays as is */
	EXPECT("\"a\\\"b\\\\c/d\\/e\"", "\"a\\\"b\\\\c/d/e\"");
	EXPECT("\"\\\\\\\"\"", "\"\\\\\\\"\"");
	/* control characters, DEL and non-ASCII are written raw, never as \uXXXX */
	EXPECT("\"line\\nnext\\ttab\\r\\b\\f\"", "\"line\nnext\ttab\r\b\f\"");
	EXPECT("\"\\u007f\"", "\"\x7f\"");
	EXPECT("\"caf\\u00e9\"", "\"caf\xc3\xa9\"");
	EXPECT("\"caf\xc3\xa9 \\ud83d\\ude00\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	EXPECT("\"\\u2028\"", "\"\xe2\x80\xa8\"");

	for (int i = 0; i < 31; i++)
		ctl[i] = (char)(i + 1);
	EXPECT_VALUE(json_stringn(ctl, 31), "\"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
					    "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
					    "\x19\x1a\x1b\x1c\x1d\x1e\x1f\"");

	/* an embedded NUL is kept: the string's full length is written */
	EXPECT("\"a\\u0000b\"", "\"a\0b\"");
	EXPECT_VALUE(json_stringn("\0\"\0", 3), "\"\0\\\"\0\"");
	/* bytes are not validated: what jansson holds is what gets signed */
	EXPECT_VALUE(json_stringn_nocheck("\xff\xfe", 2), "\"\xff\xfe\"");
}

static void test_long_string(void **state)
{
	size_t n = 100000;
	char *s = malloc(n), *out = NULL;
	size_t len = 0;
	json_t *v;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 7 == 0 ? '"' : 'x';
	v = json_stringn(s, n);
	assert_int_equal(canonjson_dump(v, &out, &len), 0);
	/* two quotes around, and each of the ceil(n/7) quotes inside gains a backslash */
	assert_int_equal(len, n + 2 + (n + 6) / 7);
	assert_memory_equal(out, "\"\\\"xxxxxx\\\"x", 12);
	assert_memory_equal(out + len - 3, "xx\"", 3);
	free(out);
	free(s);
	json_decref(v);
}

static void test_key_order(void **state)
{
	json_t *o;

	/* byte order: "B" (0x42) < "_" (0x5f) < "a" < "aa" < "a\xc3\xa9" (0xc3 > 'a') */
	EXPECT("{\"a\\u00e9\": 1, \"aa\": 2, \"a\": 3, \"_\": 4, \"B\": 5}",
	       "{\"B\":5,\"_\":4,\"a\":3,\"aa\":2,\"a\xc3\xa9\":1}");
	/* UTF-8 byte order is code point order (U+FFFF first), not JavaScript's UTF-16 order */
	EXPECT("{\"\\ud83d\\ude00\": 1, \"\\uffff\": 2, \"~\": 3}",
	       "{\"~\":3,\"\xef\xbf\xbf\":2,\"\xf0\x9f\x98\x80\":1}");
	/* nested objects are sorted at every level; arrays keep their order */
	EXPECT("{\"z\": {\"b\": [3, 1, {\"d\": null, \"c\": true}], \"a\": \"x\"}, \"y\": []}",
	       "{\"y\":[],\"z\":{\"a\":\"x\",\"b\":[3,1,{\"c\":true,\"d\":null}]}}");
	/* keys are escaped like any string */
	EXPECT("{\"q\\\"\": 1, \"b\\\\\": 2, \"/\": 3}", "{\"/\":3,\"b\\\\\":2,\"q\\\"\":1}");

	/* a key that is a prefix of another sorts first, even when the next byte is NUL */
	o = json_object();
	assert_int_equal(json_object_setn_new(o, "a\001", 2, json_integer(3)), 0);
	assert_int_equal(json_object_setn_new(o, "a\0b", 3, json_integer(2)), 0);
	assert_int_equal(json_object_setn_new(o, "a", 1, json_integer(1)), 0);
	EXPECT_VALUE(o, "{\"a\":1,\"a\0b\":2,\"a\001\":3}");
}

#define KID_ROOT "4e777de0d275f9d28588dd9a1606cc748e548f9e22b6795b7cb3f63f98035fcb"
#define KID_TS "8c0d6e7c8b3b3d8e0f2c4dbc7d5a4e2c1a9f0e6d5c4b3a29180716f5e4d3c2b1"
#define PUB_ROOT "d2b7b4ad7b3b0f6a4f3c0c43b1e0b1c2c47b2ad1b5cb96ad8e3bbe71a4b6f2c0"
#define PUB_TS "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000"

/* A root role's "signed" part as python-tuf writes it, keys deliberately out of order. */
static void test_tuf_root(void **state)
{
	EXPECT("{\"_type\": \"root\", \"version\": 1, \"spec_version\": \"1.0.31\","
	       " \"expires\": \"2030-01-01T00:00:00Z\", \"consistent_snapshot\": true,"
	       " \"keys\": {"
	       "  \"" KID_TS "\": {\"keytype\": \"ed25519\", \"scheme\": \"ed25519\","
	       "   \"keyval\": {\"public\": \"" PUB_TS "\"}},"
	       "  \"" KID_ROOT "\": {\"keytype\": \"ed25519\", \"scheme\": \"ed25519\","
	       "   \"keyid_hash_algorithms\": [\"sha256\", \"sha512\"],"
	       "   \"keyval\": {\"public\": \"" PUB_ROOT "\"}}},"
	       " \"roles\": {"
	       "  \"timestamp\": {\"threshold\": 1, \"keyids\": [\"" KID_TS "\"]},"
	       "  \"targets\": {\"threshold\": 1, \"keyids\": [\"" KID_ROOT "\"]},"
	       "  \"snapshot\": {\"threshold\": 1, \"keyids\": [\"" KID_ROOT "\"]},"
	       "  \"root\": {\"threshold\": 2, \"keyids\": [\"" KID_ROOT "\", \"" KID_TS "\"]}}}",
	       "{\"_type\":\"root\",\"consistent_snapshot\":true,\"expires\":\"2030-01-01T00:00:00Z\","
	       "\"keys\":{"
	       "\"" KID_ROOT "\":{\"keyid_hash_algorithms\":[\"sha256\",\"sha512\"],"
	       "\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" PUB_ROOT "\"},"
	       "\"scheme\":\"ed25519\"},"
	       "\"" KID_TS "\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" PUB_TS "\"},"
	       "\"scheme\":\"ed25519\"}},"
	       "\"roles\":{"
	       "\"root\":{\"keyids\":[\"" KID_ROOT "\",\"" KID_TS "\"],\"threshold\":2},"
	       "\"snapshot\":{\"keyids\":[\"" KID_ROOT "\"],\"threshold\":1},"
	       "\"targets\":{\"keyids\":[\"" KID_ROOT "\"],\"threshold\":1},"
	       "\"timestamp\":{\"keyids\":[\"" KID_TS "\"],\"threshold\":1}},"
	       "\"spec_version\":\"1.0.31\",\"version\":1}");
}

/* Targets metadata: paths with "/" and UTF-8 as keys, custom data with a raw newline. */
static void test_tuf_targets(void **state)
{
	EXPECT("{\"_type\": \"targets\", \"spec_version\": \"1.0.31\", \"version\": 12,"
	       " \"expires\": \"2026-12-31T23:59:59Z\", \"targets\": {"
	       "  \"patches/6.1/caf\\u00e9.json\": {\"length\": 0, \"hashes\": {}},"
	       "  \"patches/6.1/CVE-2024-1234.json\": {\"length\": 4096,"
	       "   \"hashes\": {\"sha512\": \"bb\", \"sha256\": \"aa\"},"
	       "   \"custom\": {\"note\": \"line 1\\nline \\\"2\\\"\", \"score\": -1}}}}",
	       "{\"_type\":\"targets\",\"expires\":\"2026-12-31T23:59:59Z\","
	       "\"spec_version\":\"1.0.31\",\"targets\":{"
	       "\"patches/6.1/CVE-2024-1234.json\":{\"custom\":{\"note\":\"line 1\nline \\\"2\\\"\","
	       "\"score\":-1},\"hashes\":{\"sha256\":\"aa\",\"sha512\":\"bb\"},\"length\":4096},"
	       "\"patches/6.1/caf\xc3\xa9.json\":{\"hashes\":{},\"length\":0}},\"version\":12}");
}

static void test_reals_refused(void **state)
{
	json_t *v;

	v = json_real(1.0);
	check_refused(v);
	json_decref(v);

	/* deep inside: nothing partial is returned */
	v = json_pack("{s:[i,{s:f}],s:i}", "a", 1, "b", 0.5, "c", 2);
	assert_non_null(v);
	check_refused(v);
	json_decref(v);

	check_refused(NULL);
}

/* n nested arrays, or n nested objects {"k":{"k":...}}, around nothing. */
static json_t *nest(int n, bool objects)
{
	json_t *v = objects ? json_object() : json_array();

	for (int i = 1; i < n; i++) {
		json_t *outer = objects ? json_object() : json_array();

		if (objects)
			json_object_set_new(outer, "k", v);
		else
			json_array_append_new(outer, v);
		v = outer;
	}
	return v;
}

static void test_depth(void **state)
{
	for (int objects = 0; objects <= 1; objects++) {
		json_t *ok = nest(CANONJSON_MAX_DEPTH, objects);
		json_t *deep = nest(CANONJSON_MAX_DEPTH + 1, objects);
		char *out = NULL;
		size_t len;

		assert_int_equal(canonjson_dump(ok, &out, &len), 0);
		/* two brackets per level, and "k": between the levels of objects */
		assert_int_equal(len, 2 * CANONJSON_MAX_DEPTH +
					      (objects ? 4 * (CANONJSON_MAX_DEPTH - 1) : 0));
		free(out);
		check_refused(deep);
		json_decref(ok);
		json_decref(deep);
	}
}

/* jansson refuses an array in itself but not a longer cycle; the depth limit ends it. */
static void test_cycle(void **state)
{
	json_t *a = json_array(), *b = json_object();

	assert_int_equal(json_array_append(a, b), 0);
	assert_int_equal(json_object_set(b, "back", a), 0);
	check_refused(a);
	json_object_clear(b);
	json_decref(b);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_tuf_root),
		cmocka_unit_test(test_tuf_targets),
		cmocka_unit_test(test_reals_refused),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
