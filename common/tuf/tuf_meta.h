/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TUF 1.0 metadata: the checks every role file gets, shared by the archive (backend) and the
 * client (agent). tuf_envelope_parse() validates the envelope and the common fields of
 * "signed"; tuf_keyring_load() reads a "keys" object, recomputing each keyid (SHA-256 of the
 * canonical key object); tuf_role_load() reads a role's keyids and threshold;
 * tuf_threshold_verify() counts distinct keys (by keyid and by public key) whose signature
 * over the canonical "signed" verifies. Ed25519 (libsodium), ecdsa-sha2-nistp256 and
 * rsassa-pss-sha256 (OpenSSL; RSA of 2048 bits or more, PSS with any salt length) are
 * supported; a key of another scheme is kept but never counts. Errors are
 * -EINVAL/-EBADMSG/-EKEYREJECTED with a message naming the field.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TUF_KEYID_LEN 64
#define TUF_MAX_KEYS 256
#define TUF_MAX_SIGNATURES 256

enum tuf_scheme {
	TUF_SCHEME_UNSUPPORTED,
	TUF_SCHEME_ED25519,
	TUF_SCHEME_ECDSA_P256,
	TUF_SCHEME_RSA_PSS_SHA256,
};

struct tuf_key {
	char keyid[TUF_KEYID_LEN + 1];
	enum tuf_scheme scheme;
	unsigned char ed25519[32];
	void *ecdsa;        /* EVP_PKEY * (ECDSA or RSA) */
	char *public_value; /* as written, to count one public key once */
};

struct tuf_keyring {
	struct tuf_key *keys;
	size_t n;
};

struct tuf_role {
	char (*keyids)[TUF_KEYID_LEN + 1];
	size_t n_keyids;
	unsigned threshold;
};

struct tuf_error {
	char msg[256];
};

/* Sets err's message; returns -code. */
__attribute__((format(printf, 3, 4)))
int tuf_fail(struct tuf_error *err, int code, const char *fmt, ...);

/* The parsed envelope; "signed" and "signatures" point into root. */
struct tuf_envelope {
	json_t *root;
	json_t *signed_obj;
	json_t *signatures;
	int64_t version;
	int64_t expires; /* seconds since the epoch */
};

int tuf_envelope_parse(const char *buf, size_t len, const char *expected_type,
		       struct tuf_envelope *ret, struct tuf_error *err);
/* The same checks on a decoded document; takes root (freed on failure). */
int tuf_envelope_check(json_t *root, const char *expected_type, struct tuf_envelope *ret,
		       struct tuf_error *err);
void tuf_envelope_free(struct tuf_envelope *e);

/* "YYYY-MM-DDTHH:MM:SSZ" exactly. */
int tuf_parse_expires(const char *s, int64_t *ret);
int tuf_format_expires(int64_t t, char buf[21]);

int tuf_keyid(const json_t *key, char out[TUF_KEYID_LEN + 1]);
int tuf_keyring_load(const json_t *keys, struct tuf_keyring *ring, struct tuf_error *err);
void tuf_keyring_free(struct tuf_keyring *ring);
const struct tuf_key *tuf_keyring_find(const struct tuf_keyring *ring, const char *keyid);

int tuf_role_load(const json_t *role, const char *name, struct tuf_role *ret, struct tuf_error *err);
void tuf_role_free(struct tuf_role *role);
bool tuf_role_equal(const struct tuf_role *a, const struct tuf_role *b);

/* 0 when at least threshold distinct keys of role signed; *count says how many did. */
int tuf_threshold_verify(const struct tuf_envelope *e, const struct tuf_keyring *ring,
			 const struct tuf_role *role, unsigned *count, struct tuf_error *err);

/* The same over a "signed" the caller writes in canonical form itself (see canonjson.h),
 * for documents too large to hold as one jansson tree. */
struct canonjson_writer;
typedef int (*tuf_signed_writer_fn)(void *ud, struct canonjson_writer *w);
int tuf_threshold_verify_stream(const json_t *signatures, tuf_signed_writer_fn write_signed,
				void *ud, const struct tuf_keyring *ring,
				const struct tuf_role *role, unsigned *count,
				struct tuf_error *err);

/* tuf_threshold_verify() against ROLE as a root's "signed" object defines it (its keys and
 * roles): what every check of one role file by its delegator comes down to. */
int tuf_verify_role(const struct tuf_envelope *e, const json_t *root_signed, const char *role,
		    struct tuf_error *err);
int tuf_verify_role_stream(const json_t *signatures, tuf_signed_writer_fn write_signed, void *ud,
			   const json_t *root_signed, const char *role, struct tuf_error *err);
/* The same against a "keys" object and a role object ({keyids, threshold}) given apart: a
 * delegating targets role's "delegations.keys" and its entry for the delegated role. */
int tuf_verify_keys_stream(const json_t *signatures, tuf_signed_writer_fn write_signed, void *ud,
			   const json_t *keys, const json_t *role_obj, const char *role,
			   struct tuf_error *err);

/* The SHA-256 (hex) of the whole file open at fd, read from its start; *ret_len bytes. */
int tuf_sha256_fd(int fd, size_t *ret_len, char hex[65]);

/* libsodium's sodium_init(), once per process; -EIO when it fails. */
int sodium_init_once(void);

/* Ed25519 signing for the archive: a key object for "keys", and a signature entry. */
json_t *tuf_ed25519_key_json(const unsigned char pk[32]);
int tuf_sign_ed25519(const json_t *signed_obj, const unsigned char sk[64], const char *keyid,
		     json_t **ret_sig);
