/* SPDX-License-Identifier: GPL-2.0-only */
#include "tuf_meta.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canonjson.h"
#include "sigstream.h"
#include "util.h"

#define TUF_SIG_HEX_MAX 2048 /* RSA-8192: 1024 bytes; DER ECDSA < 80; Ed25519 64 */

int tuf_fail(struct tuf_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -code;
}

int tuf_parse_expires(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return -EINVAL;
	for (int i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !isdigit((unsigned char)s[i]))
			return -EINVAL;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -EINVAL;
	*ret = (int64_t)timegm(&tm);
	return 0;
}

int tuf_format_expires(int64_t t, char buf[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return -EINVAL;
	return 0;
}

static bool hex_valid(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max || n % 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

void tuf_envelope_free(struct tuf_envelope *e)
{
	json_decref(e->root);
	memset(e, 0, sizeof(*e));
}

static int discard(void *ud, const char *data, size_t n)
{
	return 0;
}

int tuf_envelope_parse(const char *buf, size_t len, const char *expected_type,
		       struct tuf_envelope *ret, struct tuf_error *err)
{
	json_error_t jerr;
	json_t *root;

	memset(ret, 0, sizeof(*ret));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return tuf_fail(err, EBADMSG, "not JSON (line %d column %d: %s)", jerr.line, jerr.column,
				jerr.text);
	return tuf_envelope_check(root, expected_type, ret, err);
}

int tuf_envelope_check(json_t *root, const char *expected_type, struct tuf_envelope *ret,
		       struct tuf_error *err)
{
	struct tuf_envelope e = { .root = root };
	json_t *v, *sig;
	const char *type, *spec;
	size_t i;
	int k;

	memset(ret, 0, sizeof(*ret));
	e.signed_obj = json_object_get(e.root, "signed");
	e.signatures = json_object_get(e.root, "signatures");
	if (!json_is_object(e.root) || !json_is_object(e.signed_obj) ||
	    !json_is_array(e.signatures)) {
		k = tuf_fail(err, EBADMSG, "not a TUF envelope {signed: {}, signatures: []}");
		tuf_envelope_free(&e);
		return k;
	}
	type = json_string_value(json_object_get(e.signed_obj, "_type"));
	if (!type || !streq(type, expected_type)) {
		k = tuf_fail(err, EBADMSG, "signed._type is %s, expected %s", type ? type : "missing",
			     expected_type);
		tuf_envelope_free(&e);
		return k;
	}
	spec = json_string_value(json_object_get(e.signed_obj, "spec_version"));
	if (!spec || strncmp(spec, "1.", 2) != 0) {
		k = tuf_fail(err, EBADMSG, "signed.spec_version %s: only 1.x is supported",
			     spec ? spec : "missing");
		tuf_envelope_free(&e);
		return k;
	}
	v = json_object_get(e.signed_obj, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		k = tuf_fail(err, EBADMSG, "signed.version: missing, not an integer, or < 1");
		tuf_envelope_free(&e);
		return k;
	}
	e.version = json_integer_value(v);
	if (tuf_parse_expires(json_string_value(json_object_get(e.signed_obj, "expires")),
			      &e.expires) < 0) {
		k = tuf_fail(err, EBADMSG, "signed.expires: missing or not YYYY-MM-DDTHH:MM:SSZ");
		tuf_envelope_free(&e);
		return k;
	}
	/* what gets signed must have a canonical form: no reals, bounded depth */
	if (canonjson_write(e.signed_obj, discard, NULL) < 0) {
		k = tuf_fail(err, EBADMSG, "signed has no canonical form (a real number, or too "
			     "deeply nested)");
		tuf_envelope_free(&e);
		return k;
	}
	if (json_array_size(e.signatures) > TUF_MAX_SIGNATURES) {
		k = tuf_fail(err, EBADMSG, "more than %d signatures", TUF_MAX_SIGNATURES);
		tuf_envelope_free(&e);
		return k;
	}
	json_array_foreach(e.signatures, i, sig) {
		const char *keyid = json_string_value(json_object_get(sig, "keyid"));
		/* the spec's rule: a signature that is empty or invalid is no signature (it
		 * counts for nothing at the threshold); only a malformed structure is an error */
		if (!keyid || !json_is_string(json_object_get(sig, "sig")) || strlen(keyid) > 128) {
			k = tuf_fail(err, EBADMSG, "signatures[%zu]: needs a keyid and a sig string", i);
			tuf_envelope_free(&e);
			return k;
		}
		for (size_t j = 0; j < i; j++)
			if (streq(keyid, json_string_value(json_object_get(
					 json_array_get(e.signatures, j), "keyid")))) {
				k = tuf_fail(err, EBADMSG, "signatures[%zu]: keyid %.16s... appears twice",
					     i, keyid);
				tuf_envelope_free(&e);
				return k;
			}
	}
	*ret = e;
	return 0;
}

int tuf_keyid(const json_t *key, char out[TUF_KEYID_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char *canon;
	size_t len;
	int k = canonjson_dump(key, &canon, &len);

	if (k < 0)
		return k;
	crypto_hash_sha256(digest, (const unsigned char *)canon, len);
	free(canon);
	sodium_bin2hex(out, TUF_KEYID_LEN + 1, digest, sizeof(digest));
	return 0;
}

static void key_free(struct tuf_key *k)
{
	EVP_PKEY_free(k->ecdsa);
	free(k->public_value);
}

void tuf_keyring_free(struct tuf_keyring *ring)
{
	for (size_t i = 0; i < ring->n; i++)
		key_free(&ring->keys[i]);
	free(ring->keys);
	memset(ring, 0, sizeof(*ring));
}

static int load_key(const char *keyid, const json_t *obj, struct tuf_key *key, struct tuf_error *err)
{
	const char *type = json_string_value(json_object_get(obj, "keytype"));
	const char *scheme = json_string_value(json_object_get(obj, "scheme"));
	const char *pub = json_string_value(json_object_get(json_object_get(obj, "keyval"), "public"));
	char computed[TUF_KEYID_LEN + 1];

	memset(key, 0, sizeof(*key));
	if (!type || !scheme || !pub || strlen(pub) > 8192)
		return tuf_fail(err, EBADMSG, "keys[%.16s...]: needs keytype, scheme and keyval.public",
				keyid);
	if (!json_is_object(obj) || tuf_keyid(obj, computed) < 0 || !streq(computed, keyid))
		return tuf_fail(err, EKEYREJECTED, "keys[%.16s...]: keyid is not the SHA-256 of the key",
				keyid);
	snprintf(key->keyid, sizeof(key->keyid), "%s", keyid);
	key->public_value = strdup(pub);
	if (!key->public_value)
		return -ENOMEM;
	if (streq(type, "ed25519") && streq(scheme, "ed25519")) {
		if (strlen(pub) != 64 || sodium_hex2bin(key->ed25519, 32, pub, 64, NULL, NULL, NULL))
			return tuf_fail(err, EBADMSG, "keys[%.16s...]: ed25519 public key is not 64 hex",
					keyid);
		key->scheme = TUF_SCHEME_ED25519;
	} else if ((streq(type, "ecdsa") || streq(type, "ecdsa-sha2-nistp256")) &&
		   streq(scheme, "ecdsa-sha2-nistp256")) {
		BIO *bio = BIO_new_mem_buf(pub, -1);

		key->ecdsa = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!key->ecdsa || EVP_PKEY_get_base_id(key->ecdsa) != EVP_PKEY_EC ||
		    EVP_PKEY_get_bits(key->ecdsa) != 256)
			return tuf_fail(err, EBADMSG, "keys[%.16s...]: not a P-256 PEM public key", keyid);
		key->scheme = TUF_SCHEME_ECDSA_P256;
	} else if (streq(type, "rsa") && streq(scheme, "rsassa-pss-sha256")) {
		BIO *bio = BIO_new_mem_buf(pub, -1);

		key->ecdsa = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		/* smaller RSA keys are breakable: such a key is refused, not merely not counted */
		if (!key->ecdsa || EVP_PKEY_get_base_id(key->ecdsa) != EVP_PKEY_RSA ||
		    EVP_PKEY_get_bits(key->ecdsa) < 2048 || EVP_PKEY_get_bits(key->ecdsa) > 8192)
			return tuf_fail(err, EBADMSG, "keys[%.16s...]: not a PEM RSA public key of "
					"2048 to 8192 bits", keyid);
		key->scheme = TUF_SCHEME_RSA_PSS_SHA256;
	} else {
		key->scheme = TUF_SCHEME_UNSUPPORTED; /* kept: it just never counts */
	}
	return 0;
}

int tuf_keyring_load(const json_t *keys, struct tuf_keyring *ring, struct tuf_error *err)
{
	const char *keyid;
	json_t *obj;
	int k;

	memset(ring, 0, sizeof(*ring));
	if (!json_is_object(keys))
		return tuf_fail(err, EBADMSG, "keys: not an object");
	if (json_object_size(keys) > TUF_MAX_KEYS)
		return tuf_fail(err, EBADMSG, "keys: more than %d", TUF_MAX_KEYS);
	ring->keys = calloc(json_object_size(keys) + 1, sizeof(*ring->keys));
	if (!ring->keys)
		return -ENOMEM;
	json_object_foreach((json_t *)keys, keyid, obj) {
		k = load_key(keyid, obj, &ring->keys[ring->n], err);
		ring->n++;
		if (k < 0) {
			tuf_keyring_free(ring);
			return k;
		}
	}
	return 0;
}

const struct tuf_key *tuf_keyring_find(const struct tuf_keyring *ring, const char *keyid)
{
	for (size_t i = 0; i < ring->n; i++)
		if (streq(ring->keys[i].keyid, keyid))
			return &ring->keys[i];
	return NULL;
}

void tuf_role_free(struct tuf_role *role)
{
	free(role->keyids);
	memset(role, 0, sizeof(*role));
}

int tuf_role_load(const json_t *role, const char *name, struct tuf_role *ret, struct tuf_error *err)
{
	const json_t *keyids = json_object_get(role, "keyids");
	json_t *threshold = json_object_get(role, "threshold");
	size_t i;
	json_t *v;

	memset(ret, 0, sizeof(*ret));
	if (!json_is_array(keyids) || json_array_size(keyids) > TUF_MAX_KEYS ||
	    !json_is_integer(threshold) || json_integer_value(threshold) < 1 ||
	    json_integer_value(threshold) > TUF_MAX_KEYS)
		return tuf_fail(err, EBADMSG, "role %s: needs keyids and a threshold >= 1", name);
	ret->keyids = calloc(json_array_size(keyids) + 1, sizeof(*ret->keyids));
	if (!ret->keyids)
		return -ENOMEM;
	json_array_foreach(keyids, i, v) {
		const char *id = json_string_value(v);

		if (!id || strlen(id) > TUF_KEYID_LEN) {
			tuf_role_free(ret);
			return tuf_fail(err, EBADMSG, "role %s: keyids[%zu] is not a keyid", name, i);
		}
		for (size_t j = 0; j < ret->n_keyids; j++)
			if (streq(ret->keyids[j], id)) {
				tuf_role_free(ret);
				return tuf_fail(err, EBADMSG, "role %s: keyid %.16s... listed twice", name,
						id);
			}
		snprintf(ret->keyids[ret->n_keyids++], TUF_KEYID_LEN + 1, "%s", id);
	}
	ret->threshold = (unsigned)json_integer_value(threshold);
	return 0;
}

bool tuf_role_equal(const struct tuf_role *a, const struct tuf_role *b)
{
	if (a->threshold != b->threshold || a->n_keyids != b->n_keyids)
		return false;
	for (size_t i = 0; i < a->n_keyids; i++) {
		bool found = false;

		for (size_t j = 0; j < b->n_keyids && !found; j++)
			found = streq(a->keyids[i], b->keyids[j]);
		if (!found)
			return false;
	}
	return true;
}

/* One key's signature, checked while the canonical bytes stream past. */
struct candidate {
	const struct tuf_key *key;
	struct sigstream st;
};

static int start_candidate(struct candidate *c, const struct tuf_key *key, const char *hex)
{
	unsigned char sig[TUF_SIG_HEX_MAX / 2];
	size_t siglen;

	c->key = key;
	if (!hex || !hex_valid(hex, 2, TUF_SIG_HEX_MAX) || sodium_hex2bin(sig, sizeof(sig), hex, strlen(hex), NULL, &siglen, NULL) != 0)
		return -EINVAL;
	if (key->scheme == TUF_SCHEME_ED25519)
		return sigstream_init_ed25519(&c->st, key->ed25519, sig, siglen);
	if (key->scheme == TUF_SCHEME_RSA_PSS_SHA256)
		return sigstream_init_rsa_pss_sha256(&c->st, key->ecdsa, sig, siglen);
	return sigstream_init_ecdsa_p256(&c->st, key->ecdsa, sig, siglen);
}

struct fanout {
	struct candidate *c;
	size_t n;
};

static int feed_all(void *ud, const char *data, size_t len)
{
	struct fanout *f = ud;

	for (size_t i = 0; i < f->n; i++)
		sigstream_update(&f->c[i].st, data, len);
	return 0;
}

int tuf_threshold_verify_stream(const json_t *signatures, tuf_signed_writer_fn write_signed,
				void *ud, const struct tuf_keyring *ring,
				const struct tuf_role *role, unsigned *count,
				struct tuf_error *err)
{
	const char *counted[TUF_MAX_KEYS];
	struct canonjson_writer w;
	struct fanout f = { 0 };
	unsigned n = 0;
	int k;

	*count = 0;
	f.c = calloc(role->n_keyids + 1, sizeof(*f.c));
	if (!f.c)
		return -ENOMEM;
	for (size_t i = 0; i < role->n_keyids; i++) {
		const struct tuf_key *key = tuf_keyring_find(ring, role->keyids[i]);
		size_t j;
		json_t *sig;

		if (!key || key->scheme == TUF_SCHEME_UNSUPPORTED)
			continue;
		json_array_foreach(signatures, j, sig) {
			if (!streq(json_string_value(json_object_get(sig, "keyid")), key->keyid))
				continue;
			/* a malformed signature simply does not count */
			(void)start_candidate(&f.c[f.n++], key,
					      json_string_value(json_object_get(sig, "sig")));
			break;
		}
	}
	canonjson_writer_init(&w, feed_all, &f);
	k = write_signed(ud, &w);
	if (k >= 0)
		k = canonjson_writer_flush(&w);
	for (size_t i = 0; i < f.n; i++) {
		bool dup = false;

		if (!sigstream_final(&f.c[i].st) || k < 0)
			continue;
		/* one public key listed under two keyids still counts once */
		for (unsigned c = 0; c < n && !dup; c++)
			dup = streq(counted[c], f.c[i].key->public_value);
		if (!dup)
			counted[n++] = f.c[i].key->public_value;
	}
	free(f.c);
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return tuf_fail(err, EBADMSG, "signed has no canonical form");
	*count = n;
	if (n < role->threshold)
		return tuf_fail(err, EKEYREJECTED, "%u valid signature%s of %u needed", n,
				n == 1 ? "" : "s", role->threshold);
	return 0;
}

static int write_envelope_signed(void *ud, struct canonjson_writer *w)
{
	const struct tuf_envelope *e = ud;

	return canonjson_put_value(w, e->signed_obj);
}

int tuf_threshold_verify(const struct tuf_envelope *e, const struct tuf_keyring *ring,
			 const struct tuf_role *role, unsigned *count, struct tuf_error *err)
{
	return tuf_threshold_verify_stream(e->signatures, write_envelope_signed, (void *)e, ring,
					   role, count, err);
}

json_t *tuf_ed25519_key_json(const unsigned char pk[32])
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	return json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519", "keyval",
			 "public", hex);
}

int tuf_sign_ed25519(const json_t *signed_obj, const unsigned char sk[64], const char *keyid,
		     json_t **ret_sig)
{
	unsigned char sig[crypto_sign_BYTES];
	char hex[2 * crypto_sign_BYTES + 1], *canon;
	size_t len;
	int k = canonjson_dump(signed_obj, &canon, &len);

	if (k < 0)
		return k;
	crypto_sign_detached(sig, NULL, (const unsigned char *)canon, len, sk);
	free(canon);
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	*ret_sig = json_pack("{s:s, s:s}", "keyid", keyid, "sig", hex);
	return *ret_sig ? 0 : -ENOMEM;
}

int tuf_sha256_fd(int fd, size_t *ret_len, char hex[65])
{
	unsigned char chunk[65536], d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	size_t off = 0;
	ssize_t n;

	crypto_hash_sha256_init(&h);
	while ((n = pread(fd, chunk, sizeof(chunk), (off_t)off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		crypto_hash_sha256_update(&h, chunk, (size_t)n);
		off += (size_t)n;
	}
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, 65, d, sizeof(d));
	*ret_len = off;
	return 0;
}

int sodium_init_once(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int tuf_verify_role(const struct tuf_envelope *e, const json_t *root_signed, const char *role,
		    struct tuf_error *err)
{
	return tuf_verify_role_stream(e->signatures, write_envelope_signed, (void *)e, root_signed,
				      role, err);
}

int tuf_verify_role_stream(const json_t *signatures, tuf_signed_writer_fn write_signed, void *ud,
			   const json_t *root_signed, const char *role, struct tuf_error *err)
{
	return tuf_verify_keys_stream(signatures, write_signed, ud,
				      json_object_get(root_signed, "keys"),
				      json_object_get(json_object_get(root_signed, "roles"), role),
				      role, err);
}

int tuf_verify_keys_stream(const json_t *signatures, tuf_signed_writer_fn write_signed, void *ud,
			   const json_t *keys, const json_t *role_obj, const char *role,
			   struct tuf_error *err)
{
	struct tuf_keyring ring;
	struct tuf_role r;
	unsigned count;
	int k;

	k = tuf_keyring_load(keys, &ring, err);
	if (k < 0)
		return k;
	k = tuf_role_load(role_obj, role, &r, err);
	if (k >= 0) {
		k = tuf_threshold_verify_stream(signatures, write_signed, ud, &ring, &r, &count,
						err);
		tuf_role_free(&r);
	}
	tuf_keyring_free(&ring);
	return k;
}
