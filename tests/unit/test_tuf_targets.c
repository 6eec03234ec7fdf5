/* SPDX-License-Identifier: GPL-2.0-only */
/* The targets index against the whole-tree path (tuf_envelope_parse + tuf_verify_role). */
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

#include "tuf/tuf_meta.h"
#include "tuf/tuf_targets.h"

static unsigned char pk[32], sk[64];
static char keyid[65];
static json_t *root_signed;

static int setup(void **state)
{
	json_t *key;

	crypto_sign_keypair(pk, sk);
	key = tuf_ed25519_key_json(pk);
	assert_int_equal(tuf_keyid(key, keyid), 0);
	root_signed = json_pack("{s:{s:o}, s:{s:{s:[s], s:i}}}", "keys", keyid, key, "roles",
				"targets", "keyids", keyid, "threshold", 1);
	assert_non_null(root_signed);
	return 0;
}

static int teardown(void **state)
{
	json_decref(root_signed);
	return 0;
}

/* Paths chosen so that byte order, escapes and a prefix all matter. */
static const char *const paths[] = {
	"6.1.0-2-amd64/livepatch_10.ko", "6.1.0-2-amd64/livepatch_9.ko", "b", "a", "ab",
	"a/\xc3\xa9t\xc3\xa9.ko", "quote\"and\\backslash", "tab\tand/slash", "Z",
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

static json_t *signed_targets(void)
{
	json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:{}, s:[{s:s}]}", "_type", "targets",
			      "spec_version", "1.0.31", "version", 3, "expires",
			      "2030-01-01T00:00:00Z", "targets", "x-tuxtape-revoked", "patch_id",
			      "lp-9");
	json_t *targets = json_object_get(s, "targets");

	for (size_t i = 0; i < N_PATHS; i++)
		json_object_set_new(targets, paths[i],
				    json_pack("{s:i, s:{s:s}, s:{s:s, s:[i, s]}}", "length",
					      (int)(100 + i), "hashes", "sha256", "00ff",
					      "custom", "kernel_release", "6.1.0-2-amd64", "n",
					      (int)i, "\xc3\xa9"));
	return s;
}

/* The document as text: flags for jansson's dump (indent, key order). */
static char *document(json_t *signed_obj, size_t flags, bool signed_first)
{
	json_t *sig = NULL, *doc;
	char *text;

	assert_int_equal(tuf_sign_ed25519(signed_obj, sk, keyid, &sig), 0);
	doc = signed_first ? json_pack("{s:O, s:[o], s:s}", "signed", signed_obj, "signatures", sig,
				       "x-extra", "kept")
			   : json_pack("{s:[o], s:O}", "signatures", sig, "signed", signed_obj);
	text = json_dumps(doc, flags);
	json_decref(doc);
	assert_non_null(text);
	return text;
}

static int parse_verify(const char *text, struct tuf_targets *t)
{
	struct tuf_error err;
	int k = tuf_targets_parse(strdup(text), strlen(text), t, &err);

	if (k < 0)
		return k;
	k = tuf_targets_verify(t, root_signed, "targets", &err);
	if (k < 0)
		tuf_targets_free(t);
	return k;
}

/* What the whole-tree path says of the same text. */
static int reference(const char *text)
{
	struct tuf_envelope e;
	struct tuf_error err;
	int k = tuf_envelope_parse(text, strlen(text), "targets", &e, &err);

	if (k < 0)
		return k;
	k = tuf_verify_role(&e, root_signed, "targets", &err);
	tuf_envelope_free(&e);
	return k;
}

static void test_layouts(void **state)
{
	static const size_t flags[] = { JSON_INDENT(2), JSON_COMPACT, JSON_COMPACT | JSON_SORT_KEYS,
					JSON_INDENT(1) | JSON_ENSURE_ASCII };
	json_t *s = signed_targets();

	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
		for (int first = 0; first < 2; first++) {
			char *text = document(s, flags[f], first);
			struct tuf_targets t;

			assert_int_equal(reference(text), 0);
			assert_int_equal(parse_verify(text, &t), 0);
			assert_int_equal(t.n, N_PATHS);
			assert_int_equal(t.env.version, 3);
			assert_non_null(json_object_get(t.env.signed_obj, "x-tuxtape-revoked"));
			for (size_t i = 0; i < N_PATHS; i++) {
				json_t *got = tuf_targets_get(&t, paths[i]);

				assert_non_null(got);
				assert_true(json_equal(got, json_object_get(json_object_get(
								    s, "targets"), paths[i])));
				json_decref(got);
			}
			for (size_t i = 1; i < t.n; i++)
				assert_true(strcmp(t.refs[i - 1].path, t.refs[i].path) < 0);
			assert_null(tuf_targets_get(&t, "missing"));
			assert_null(tuf_targets_get(&t, "a/"));
			tuf_targets_free(&t);
			free(text);
		}
	json_decref(s);
}

static void replace_once(char *text, const char *from, const char *to)
{
	char *p = strstr(text, from);

	assert_non_null(p);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

static void test_tampered(void **state)
{
	json_t *s = signed_targets();
	char *text = document(s, JSON_INDENT(2), false);
	struct tuf_targets t;

	replace_once(text, "\"length\": 104", "\"length\": 105");
	assert_int_equal(reference(text), -EKEYREJECTED);
	assert_int_equal(parse_verify(text, &t), -EKEYREJECTED);
	free(text);
	/* a path renamed, a custom field changed */
	text = document(s, JSON_COMPACT, true);
	replace_once(text, "\"ab\"", "\"ac\"");
	assert_int_equal(parse_verify(text, &t), -EKEYREJECTED);
	free(text);
	text = document(s, JSON_COMPACT, true);
	replace_once(text, "\"n\":[4", "\"n\":[5");
	assert_int_equal(parse_verify(text, &t), -EKEYREJECTED);
	free(text);
	json_decref(s);
}

static void expect_refused(const char *text, const char *why)
{
	struct tuf_targets t;
	struct tuf_error err = { "" };
	int k = tuf_targets_parse(strdup(text), strlen(text), &t, &err);

	assert_int_equal(k, -EBADMSG);
	if (!strstr(err.msg, why))
		fail_msg("%s: message \"%s\" does not say \"%s\"", text, err.msg, why);
}

#define ENTRY "{\"length\":1,\"hashes\":{\"sha256\":\"00\"}}"
#define HEAD "{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0\"," \
	     "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\","

static void test_refusals(void **state)
{
	struct tuf_targets t;

	assert_int_equal(parse_verify(HEAD "\"targets\":{\"a\":" ENTRY "}}}", &t), -EKEYREJECTED);
	expect_refused(HEAD "\"targets\":{\"a\":" ENTRY ",\"a\":" ENTRY "}}}", "\"a\" appears twice");
	expect_refused(HEAD "\"targets\":{\"\\u0061\":" ENTRY ",\"a\":" ENTRY "}}}", "appears twice");
	expect_refused(HEAD "\"targets\":{},\"targets\":{}}}", "\"targets\" appears twice");
	expect_refused(HEAD "\"version\":2,\"targets\":{}}}", "\"version\" appears twice");
	expect_refused(HEAD "\"targets\":[]}}", "signed.targets: not an object");
	expect_refused(HEAD "\"targets\":{\"a\":{\"length\":1}}}}", "needs a length");
	expect_refused(HEAD "\"targets\":{\"a\":{\"length\":-1,\"hashes\":{\"x\":\"0\"}}}}}",
		       "needs a length");
	expect_refused(HEAD "\"targets\":{\"a\":{\"length\":1,\"hashes\":{}}}}}", "needs a length");
	expect_refused(HEAD "\"targets\":{\"\":" ENTRY "}}}", "needs a length");
	expect_refused(HEAD "\"targets\":{\"a\":" ENTRY "}}} x", "data after the document");
	expect_refused(HEAD "\"targets\":{\"a\":" ENTRY ",}}}", "expected a key");
	expect_refused(HEAD "\"targets\":{\"a\" " ENTRY "}}}", "expected ':'");
	expect_refused(HEAD "\"targets\":{\"a\":" ENTRY " \"b\":" ENTRY "}}}", "expected '}'");
	expect_refused(HEAD "\"targets\":{\"a\":1.5}}}", "needs a length");
	expect_refused(HEAD "\"x\":1.5,\"targets\":{}}}", "no canonical form");
	expect_refused(HEAD "\"targets\":{}},\"signed\":{}}", "\"signed\" appears twice");
	expect_refused("[]", "not a TUF envelope");
	expect_refused("{\"signatures\":[],\"signed\":{\"_type\":\"root\",\"targets\":{}}}",
		       "_type is root");
	expect_refused("{\"signatures\":[],\"signed\":{\"_type\":\"targets\"}}",
		       "signed.targets: missing");
	expect_refused(HEAD "\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":\"00\","
			    "\"sha256\":\"11\"}}}}}", "duplicate");
}

/* Every prefix and a few thousand corrupted copies: refused or unverified, never a crash. */
static void test_damage(void **state)
{
	json_t *s = signed_targets();
	char *text = document(s, JSON_INDENT(1), false), *copy;
	size_t len = strlen(text);
	struct tuf_targets t;
	struct tuf_error err;

	for (size_t n = 0; n < len; n++) {
		copy = malloc(n + 1);
		memcpy(copy, text, n);
		assert_int_not_equal(tuf_targets_parse(copy, n, &t, &err), 0);
	}
	/* the same verdict as the whole-tree path on every damaged copy */
	for (int i = 0; i < 3000; i++) {
		bool ours = false;

		copy = strdup(text);
		copy[randombytes_uniform((uint32_t)len)] = (char)randombytes_uniform(256);
		if (tuf_targets_parse(strdup(copy), len, &t, &err) == 0) {
			ours = tuf_targets_verify(&t, root_signed, "targets", &err) == 0;
			tuf_targets_free(&t);
		}
		if (ours != (strlen(copy) == len && reference(copy) == 0))
			fail_msg("verdicts differ on: %s", copy);
		free(copy);
	}
	free(text);
	json_decref(s);
}

static void test_mapped_file(void **state)
{
	json_t *s = signed_targets();
	char *text = document(s, JSON_INDENT(2), false), name[] = "/tmp/tt-targets-XXXXXX";
	int fd = mkstemp(name);
	struct tuf_targets t;
	struct tuf_error err;
	json_t *got;

	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(tuf_targets_map(fd, 10, &t, &err), -EFBIG);
	assert_int_equal(tuf_targets_map(fd, 1 << 20, &t, &err), 0);
	assert_true(t.mapped);
	assert_int_equal(tuf_targets_verify(&t, root_signed, "targets", &err), 0);
	got = tuf_targets_entry(&t, t.n - 1);
	assert_non_null(got);
	json_decref(got);
	tuf_targets_free(&t);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(tuf_targets_map(fd, 1 << 20, &t, &err), -EBADMSG);
	close(fd);
	free(text);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_mapped_file),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
