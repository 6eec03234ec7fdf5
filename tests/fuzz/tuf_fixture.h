/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The keys and trusted root the TUF targets verify against, and with which tuf_seeds signs
 * its seed metadata: fixed, so that seeds written by one build verify in another and the
 * fuzzer starts from documents that pass every check. Test keys, made for this and nothing
 * else. One Ed25519 key (from a fixed seed) and one ECDSA P-256 key; every role lists both
 * with threshold 1.
 */
#pragma once

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tuf/canonjson.h"
#include "tuf/tuf_meta.h"

static const char fixture_ecdsa_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1IDe8oqKuMMnTkAT\n"
	"yUQXzza/vGlod6UNpJQH7ooI5+qhRANCAASbQgKa2GrwGErALC4W6m7fbbgJzZJj\n"
	"sB1oBzvHxHnDPhd2F6R4tO8QjiOvVwKt35ES8DXA0ZOOxuBlYC+1MJG1\n"
	"-----END PRIVATE KEY-----\n";

struct fixture {
	unsigned char ed_pk[32], ed_sk[64];
	EVP_PKEY *ec;
	char ed_id[TUF_KEYID_LEN + 1], ec_id[TUF_KEYID_LEN + 1];
	json_t *keys;     /* the "keys" object of the root */
};

__attribute__((noreturn)) static inline void fixture_die(const char *what)
{
	fprintf(stderr, "tuf fixture: %s failed\n", what);
	abort();
}

static inline void fixture_init(struct fixture *f)
{
	unsigned char seed[32];
	BIO *bio;
	char *pem;
	long pem_len;
	json_t *ed, *ec;

	if (sodium_init() < 0)
		fixture_die("sodium_init");
	memset(seed, 0x5a, sizeof(seed));
	crypto_sign_seed_keypair(f->ed_pk, f->ed_sk, seed);
	bio = BIO_new_mem_buf(fixture_ecdsa_pem, -1);
	f->ec = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!f->ec)
		fixture_die("reading the ECDSA key");
	bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PUBKEY(bio, f->ec) != 1)
		fixture_die("writing the ECDSA public key");
	pem_len = BIO_get_mem_data(bio, &pem);
	ed = tuf_ed25519_key_json(f->ed_pk);
	ec = json_pack("{s:s, s:s, s:{s:s%}}", "keytype", "ecdsa", "scheme", "ecdsa-sha2-nistp256",
		       "keyval", "public", pem, (size_t)pem_len);
	BIO_free(bio);
	if (!ed || !ec || tuf_keyid(ed, f->ed_id) < 0 || tuf_keyid(ec, f->ec_id) < 0)
		fixture_die("the key objects");
	f->keys = json_object();
	if (!f->keys || json_object_set_new(f->keys, f->ed_id, ed) < 0 ||
	    json_object_set_new(f->keys, f->ec_id, ec) < 0)
		fixture_die("the keys object");
}

static inline void fixture_free(struct fixture *f)
{
	EVP_PKEY_free(f->ec);
	json_decref(f->keys);
}

static inline json_t *fixture_root_signed(const struct fixture *f, int version)
{
	static const char *const roles[] = { "root", "timestamp", "snapshot", "targets" };
	json_t *r = json_pack("{s:s, s:s, s:i, s:s, s:b, s:O, s:{}}", "_type", "root",
			      "spec_version", "1.0.31", "version", version, "expires",
			      "2100-01-01T00:00:00Z", "consistent_snapshot", 1, "keys", f->keys,
			      "roles");

	for (size_t i = 0; r && i < sizeof(roles) / sizeof(roles[0]); i++)
		json_object_set_new(json_object_get(r, "roles"), roles[i],
				    json_pack("{s:[s,s], s:i}", "keyids", f->ed_id, f->ec_id,
					      "threshold", 1));
	if (!r)
		fixture_die("the root object");
	return r;
}

/* {signed, signatures} with a signature of each key (ECDSA: DER, hex). */
static inline json_t *fixture_sign(const struct fixture *f, json_t *signed_obj)
{
	unsigned char der[128];
	size_t derlen = sizeof(der), clen;
	char hex[2 * sizeof(der) + 1], *canon;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	json_t *sig, *env;

	if (tuf_sign_ed25519(signed_obj, f->ed_sk, f->ed_id, &sig) < 0)
		fixture_die("the Ed25519 signature");
	env = json_pack("{s:O, s:[o]}", "signed", signed_obj, "signatures", sig);
	if (!ctx || !env || canonjson_dump(signed_obj, &canon, &clen) < 0 ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, f->ec) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, (unsigned char *)canon, clen) != 1)
		fixture_die("the ECDSA signature");
	sodium_bin2hex(hex, sizeof(hex), der, derlen);
	json_array_append_new(json_object_get(env, "signatures"),
			      json_pack("{s:s, s:s}", "keyid", f->ec_id, "sig", hex));
	free(canon);
	EVP_MD_CTX_free(ctx);
	return env;
}

/* The targets that check signatures: the fixture and its trusted root, made once. */
static inline json_t *fixture_trusted_root(struct fixture *f)
{
	fixture_init(f);
	return fixture_root_signed(f, 1);
}
