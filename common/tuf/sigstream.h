/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A signature checked over a message that arrives in pieces, so a large signed document
 * (TUF's targets role) never has to exist as one buffer. Ed25519 through libsodium's
 * point and scalar primitives, since libsodium verifies pure Ed25519 only in one call:
 * S must be canonical (< L), A and R valid points of the prime-order subgroup, and
 * [S]B = R + [SHA-512(R || A || M) mod L]A. That accepts exactly what
 * crypto_sign_verify_detached() accepts from honest signers and is stricter on
 * crafted points (torsion components are refused, not ignored).
 * ecdsa-sha2-nistp256 (DER signature, SHA-256) and rsassa-pss-sha256 (MGF1-SHA-256, the
 * salt length taken from the signature, as securesystemslib and tuf-js verify) through
 * OpenSSL's digest-verify, which streams natively. sigstream_final() frees what init allocated; after a failed init,
 * update and final are harmless and final says false.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

struct sigstream {
	int kind; /* 0 broken, 1 Ed25519, 2 OpenSSL (ECDSA P-256, RSA-PSS) */
	crypto_hash_sha512_state sha512;
	unsigned char r[32], s[32], a[32];
	void *md;                 /* EVP_MD_CTX * */
	unsigned char der[1024];  /* the signature: DER ECDSA, or RSA up to 8192 bits */
	size_t der_len;
};

int sigstream_init_ed25519(struct sigstream *st, const unsigned char pk[32],
			   const unsigned char *sig, size_t sig_len);
/* pkey: an EVP_PKEY * of a P-256 public key. */
int sigstream_init_ecdsa_p256(struct sigstream *st, void *pkey, const unsigned char *sig,
			      size_t sig_len);
/* pkey: an EVP_PKEY * of an RSA public key. */
int sigstream_init_rsa_pss_sha256(struct sigstream *st, void *pkey, const unsigned char *sig,
				  size_t sig_len);
void sigstream_update(struct sigstream *st, const void *data, size_t n);
bool sigstream_final(struct sigstream *st);
