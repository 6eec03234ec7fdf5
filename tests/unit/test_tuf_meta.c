/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/canonjson.h"
#include "tuf/tuf_meta.h"

struct edkey {
	unsigned char pk[32], sk[64];
	char keyid[65];
	json_t *json;
};

static void edkey_new(struct edkey *k)
{
	crypto_sign_keypair(k->pk, k->sk);
	k->json = tuf_ed25519_key_json(k->pk);
	assert_int_equal(tuf_keyid(k->json, k->keyid), 0);
}

static json_t *timestamp_signed(int version)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:{s:{s:i}}}", "_type", "timestamp", "spec_version",
			 "1.0.31", "version", version, "expires", "2030-01-01T00:00:00Z", "meta",
			 "snapshot.json", "version", 1);
}

/* signs with each key, serialises, parses back */
static int envelope(json_t *signed_obj, struct edkey **keys, size_t n, struct tuf_envelope *e,
		    struct tuf_error *err)
{
	json_t *sigs = json_array(), *root;
	char *text;
	int k;

	for (size_t i = 0; i < n; i++) {
		json_t *sig;

		assert_int_equal(tuf_sign_ed25519(signed_obj, keys[i]->sk, keys[i]->keyid, &sig), 0);
		json_array_append_new(sigs, sig);
	}
	root = json_pack("{s:O, s:o}", "signed", signed_obj, "signatures", sigs);
	text = json_dumps(root, JSON_INDENT(1)); /* pretty-printed: the verifier canonicalises */
	k = tuf_envelope_parse(text, strlen(text), "timestamp", e, err);
	free(text);
	json_decref(root);
	return k;
}

static void ring_and_role(struct edkey **keys, size_t n, unsigned threshold,
			  struct tuf_keyring *ring, struct tuf_role *role)
{
	json_t *kobj = json_object(), *ids = json_array(), *r;
	struct tuf_error err;

	for (size_t i = 0; i < n; i++) {
		json_object_set(kobj, keys[i]->keyid, keys[i]->json);
		json_array_append_new(ids, json_string(keys[i]->keyid));
	}
	r = json_pack("{s:o, s:i}", "keyids", ids, "threshold", (int)threshold);
	assert_int_equal(tuf_keyring_load(kobj, ring, &err), 0);
	assert_int_equal(tuf_role_load(r, "timestamp", role, &err), 0);
	json_decref(kobj);
	json_decref(r);
}

static void test_threshold(void **state)
{
	struct edkey a, b, c;
	struct edkey *two[] = { &a, &b }, *one[] = { &a }, *three[] = { &a, &b, &c };
	struct tuf_envelope e;
	struct tuf_keyring ring;
	struct tuf_role role;
	struct tuf_error err;
	unsigned count;
	json_t *s = timestamp_signed(3);

	edkey_new(&a);
	edkey_new(&b);
	edkey_new(&c);
	ring_and_role(three, 3, 2, &ring, &role);

	assert_int_equal(envelope(s, two, 2, &e, &err), 0);
	assert_int_equal(e.version, 3);
	assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), 0);
	assert_int_equal(count, 2);
	tuf_envelope_free(&e);

	assert_int_equal(envelope(s, one, 1, &e, &err), 0);
	assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), -EKEYREJECTED);
	assert_string_equal(err.msg, "1 valid signature of 2 needed");
	tuf_envelope_free(&e);

	/* an empty or invalid signature is no signature: the others meet the threshold */
	{
		static const char *const junk[] = { "", "zz", "0", "00", "abc" };

		for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			struct edkey *ab[] = { &a, &b };
			json_t *bad;

			assert_int_equal(envelope(s, ab, 2, &e, &err), 0);
			bad = json_array_get(e.signatures, 1);
			json_object_set_new(bad, "sig", json_string(junk[j]));
			assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err),
					 -EKEYREJECTED);
			assert_int_equal(count, 1);
			tuf_envelope_free(&e);
			assert_int_equal(envelope(s, three, 3, &e, &err), 0);
			json_object_set_new(json_array_get(e.signatures, 2), "sig", json_string(junk[j]));
			assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), 0);
			assert_int_equal(count, 2);
			tuf_envelope_free(&e);
		}
	}

	/* a change after signing: nothing verifies */
	assert_int_equal(envelope(s, two, 2, &e, &err), 0);
	json_object_set_new(e.signed_obj, "version", json_integer(4));
	assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), -EKEYREJECTED);
	assert_int_equal(count, 0);
	tuf_envelope_free(&e);

	tuf_keyring_free(&ring);
	tuf_role_free(&role);
	json_decref(s);
	json_decref(a.json);
	json_decref(b.json);
	json_decref(c.json);
}

static void test_one_key_counts_once(void **state)
{
	struct edkey a, alias;
	struct edkey *both[] = { &a, &alias };
	struct tuf_envelope e;
	struct tuf_keyring ring;
	struct tuf_role role;
	struct tuf_error err;
	unsigned count;
	json_t *s = timestamp_signed(1);

	edkey_new(&a);
	/* the same public key under a second keyid (an extra field changes the keyid) */
	alias = a;
	alias.json = json_deep_copy(a.json);
	json_object_set_new(alias.json, "x-extra", json_string("same key"));
	assert_int_equal(tuf_keyid(alias.json, alias.keyid), 0);
	assert_string_not_equal(alias.keyid, a.keyid);
	ring_and_role(both, 2, 2, &ring, &role);
	assert_int_equal(envelope(s, both, 2, &e, &err), 0);
	assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), -EKEYREJECTED);
	assert_int_equal(count, 1);
	tuf_envelope_free(&e);
	tuf_keyring_free(&ring);
	tuf_role_free(&role);
	json_decref(s);
	json_decref(a.json);
	json_decref(alias.json);
}

static void test_envelope_refusals(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "{\"signed\": {}, \"signatures\": {}}", "not a TUF envelope" },
		{ "{\"signed\": {\"_type\": \"root\"}, \"signatures\": []}", "_type is root" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"2.0.0\"}, \"signatures\": []}",
		  "only 1.x" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 0,"
		  " \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": []}", "version" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1.5,"
		  " \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": []}", "version" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1,"
		  " \"expires\": \"2030-01-01 00:00:00\"}, \"signatures\": []}", "expires" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1,"
		  " \"expires\": \"2030-01-01T00:00:00Z\", \"x\": 0.5}, \"signatures\": []}",
		  "canonical form" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1,"
		  " \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": [{\"keyid\": \"ab\","
		  " \"sig\": \"00\"}, {\"keyid\": \"ab\", \"sig\": \"11\"}]}", "appears twice" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"signed\": 1, \"signed\": 2}}", "not JSON" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1,"
		  " \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": [{\"keyid\": \"ab\","
		  " \"sig\": 7}]}", "sig string" },
		{ "{\"signed\": {\"_type\": \"timestamp\", \"spec_version\": \"1.0.31\", \"version\": 1,"
		  " \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": [{\"sig\": \"00\"}]}",
		  "needs a keyid" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tuf_envelope e;
		struct tuf_error err = { "" };

		int k = tuf_envelope_parse(cases[i].text, strlen(cases[i].text), "timestamp", &e,
					   &err);

		if (k != -EBADMSG)
			fail_msg("case %zu: %d (%s)", i, k, err.msg);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
	}
}

static void test_keys(void **state)
{
	struct edkey a;
	struct tuf_keyring ring;
	struct tuf_error err;
	json_t *keys, *rsa;
	char id[65];

	edkey_new(&a);
	/* the keyid must be the hash of the key object */
	keys = json_pack("{s:O}", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			 a.json);
	assert_int_equal(tuf_keyring_load(keys, &ring, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "keyid is not the SHA-256"));
	json_decref(keys);
	/* an unsupported scheme is kept and never counts */
	rsa = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "rsa", "scheme", "rsa-pkcs1v15-sha256",
			"keyval", "public", "-----BEGIN PUBLIC KEY-----");
	tuf_keyid(rsa, id);
	keys = json_pack("{s:o}", id, rsa);
	assert_int_equal(tuf_keyring_load(keys, &ring, &err), 0);
	assert_int_equal(tuf_keyring_find(&ring, id)->scheme, TUF_SCHEME_UNSUPPORTED);
	tuf_keyring_free(&ring);
	json_decref(keys);
	json_decref(a.json);
	/* the canonical key object, by the spec's example shape */
	{
		unsigned char pk[32] = { 0 };
		json_t *k = tuf_ed25519_key_json(pk);
		char *canon;
		size_t len;

		assert_int_equal(canonjson_dump(k, &canon, &len), 0);
		assert_string_equal(canon, "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\""
				    "0000000000000000000000000000000000000000000000000000000000000000"
				    "\"},\"scheme\":\"ed25519\"}");
		free(canon);
		json_decref(k);
	}
}

static void test_ecdsa(void **state)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem_data, *canon, hex[300], id[65];
	long pem_len;
	unsigned char der[128];
	size_t derlen = sizeof(der), clen;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	json_t *key, *s = timestamp_signed(2), *root, *keys, *r;
	struct tuf_envelope e;
	struct tuf_keyring ring;
	struct tuf_role role;
	struct tuf_error err;
	unsigned count;
	char *text;

	assert_non_null(pkey);
	PEM_write_bio_PUBKEY(bio, pkey);
	pem_len = BIO_get_mem_data(bio, &pem_data);
	key = json_pack("{s:s, s:s, s:{s:s%}}", "keytype", "ecdsa", "scheme", "ecdsa-sha2-nistp256",
			"keyval", "public", pem_data, (size_t)pem_len);
	tuf_keyid(key, id);
	assert_int_equal(canonjson_dump(s, &canon, &clen), 0);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &derlen, (unsigned char *)canon, clen), 1);
	sodium_bin2hex(hex, sizeof(hex), der, derlen);
	root = json_pack("{s:O, s:[{s:s, s:s}]}", "signed", s, "signatures", "keyid", id, "sig", hex);
	text = json_dumps(root, 0);
	assert_int_equal(tuf_envelope_parse(text, strlen(text), "timestamp", &e, &err), 0);
	keys = json_pack("{s:O}", id, key);
	r = json_pack("{s:[s], s:i}", "keyids", id, "threshold", 1);
	assert_int_equal(tuf_keyring_load(keys, &ring, &err), 0);
	assert_int_equal(tuf_role_load(r, "timestamp", &role, &err), 0);
	assert_int_equal(tuf_threshold_verify(&e, &ring, &role, &count, &err), 0);
	assert_int_equal(count, 1);
	tuf_envelope_free(&e);
	tuf_keyring_free(&ring);
	tuf_role_free(&role);
	free(text);
	free(canon);
	json_decref(root);
	json_decref(keys);
	json_decref(r);
	json_decref(key);
	json_decref(s);
	EVP_MD_CTX_free(ctx);
	BIO_free(bio);
	EVP_PKEY_free(pkey);
}

/* Runs a shell command; its stdout (at most size - 1 bytes) in out. */
static int sh(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	return pclose(p);
}

/* One RSA key, from the openssl command (an implementation other than the one verifying),
 * signing the canonical "signed" with the given -sigopt options; the envelope it makes. */
static int rsa_envelope(const char *dir, const char *bits, const char *sigopts,
			struct tuf_envelope *e, json_t **ret_keys, struct tuf_error *err)
{
	char cmd[1024], pem[4096], hex[2100], keyid[65], path[256];
	json_t *s = timestamp_signed(4), *key, *doc;
	char *canon, *text;
	size_t clen;
	FILE *f;
	int k;

	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:%s "
		 "-out %s/key.pem 2>/dev/null && openssl pkey -in %s/key.pem -pubout", bits, dir,
		 dir);
	assert_int_equal(sh(cmd, pem, sizeof(pem)), 0);
	assert_int_equal(canonjson_dump(s, &canon, &clen), 0);
	snprintf(path, sizeof(path), "%s/msg", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(canon, 1, clen, f), clen);
	fclose(f);
	free(canon);
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 %s -sign %s/key.pem %s/msg | od -An -v -tx1 "
		 "| tr -d ' \\n'", sigopts, dir, dir);
	assert_int_equal(sh(cmd, hex, sizeof(hex)), 0);
	key = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "rsa", "scheme", "rsassa-pss-sha256",
			"keyval", "public", pem);
	assert_int_equal(tuf_keyid(key, keyid), 0);
	doc = json_pack("{s:o, s:[{s:s, s:s}]}", "signed", s, "signatures", "keyid", keyid, "sig",
			hex);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	k = tuf_envelope_parse(text, strlen(text), "timestamp", e, err);
	free(text);
	*ret_keys = json_pack("{s:o}", keyid, key);
	return k;
}

static int rsa_verify(const struct tuf_envelope *e, const json_t *keys, struct tuf_error *err)
{
	const char *keyid = json_object_iter_key(json_object_iter((json_t *)keys));
	json_t *role = json_pack("{s:[s], s:i}", "keyids", keyid, "threshold", 1);
	struct tuf_keyring ring;
	struct tuf_role r;
	unsigned count;
	int k = tuf_keyring_load(keys, &ring, err);

	if (k >= 0) {
		assert_int_equal(tuf_role_load(role, "timestamp", &r, err), 0);
		k = tuf_threshold_verify(e, &ring, &r, &count, err);
		tuf_role_free(&r);
		tuf_keyring_free(&ring);
	}
	json_decref(role);
	return k;
}

static void test_rsa(void **state)
{
	static const char *const good[] = {
		"-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest",
		"-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max",
	};
	char dir[] = "/tmp/tuf-rsa-XXXXXX", cmd[64];
	struct tuf_envelope e;
	struct tuf_error err;
	json_t *keys;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(rsa_envelope(dir, i ? "3072" : "2048", good[i], &e, &keys, &err), 0);
		assert_int_equal(rsa_verify(&e, keys, &err), 0);
		/* the same signature over other bytes */
		json_object_set_new(e.signed_obj, "version", json_integer(5));
		assert_int_equal(rsa_verify(&e, keys, &err), -EKEYREJECTED);
		json_decref(keys);
		tuf_envelope_free(&e);
	}
	/* PKCS#1 v1.5 is another scheme: its signature does not count */
	assert_int_equal(rsa_envelope(dir, "2048", "", &e, &keys, &err), 0);
	assert_int_equal(rsa_verify(&e, keys, &err), -EKEYREJECTED);
	assert_string_equal(err.msg, "0 valid signatures of 1 needed");
	json_decref(keys);
	tuf_envelope_free(&e);
	/* a key too small to trust is refused outright */
	assert_int_equal(rsa_envelope(dir, "1024", good[0], &e, &keys, &err), 0);
	assert_int_equal(rsa_verify(&e, keys, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "2048 to 8192 bits"));
	json_decref(keys);
	tuf_envelope_free(&e);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_expires(void **state)
{
	int64_t t;
	char buf[21];

	assert_int_equal(tuf_parse_expires("2030-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 1893456000);
	assert_int_equal(tuf_format_expires(t, buf), 0);
	assert_string_equal(buf, "2030-01-01T00:00:00Z");
	assert_int_equal(tuf_parse_expires("2030-01-01T00:00:00+00:00", &t), -EINVAL);
	assert_int_equal(tuf_parse_expires("2030-1-01T00:00:00Z", &t), -EINVAL);
	assert_int_equal(tuf_parse_expires(NULL, &t), -EINVAL);
}

static void test_role_refusals(void **state)
{
	struct tuf_role role;
	struct tuf_error err;
	json_t *dup = json_pack("{s:[s,s], s:i}", "keyids", "aa", "aa", "threshold", 1);
	json_t *zero = json_pack("{s:[s], s:i}", "keyids", "aa", "threshold", 0);

	assert_int_equal(tuf_role_load(dup, "root", &role, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "listed twice"));
	assert_int_equal(tuf_role_load(zero, "root", &role, &err), -EBADMSG);
	json_decref(dup);
	json_decref(zero);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_one_key_counts_once),
		cmocka_unit_test(test_envelope_refusals),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_expires),
		cmocka_unit_test(test_role_refusals),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
