/* SPDX-License-Identifier: GPL-2.0-only */
#include "sigstream.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <string.h>

enum { BROKEN, ED25519, ECDSA }; /* ECDSA: any OpenSSL digest-verify */

int sigstream_init_ed25519(struct sigstream *st, const unsigned char pk[32],
			   const unsigned char *sig, size_t sig_len)
{
	unsigned char wide[crypto_core_ed25519_NONREDUCEDSCALARBYTES] = { 0 }, reduced[32];

	memset(st, 0, sizeof(*st));
	if (sig_len != crypto_sign_BYTES)
		return -EINVAL;
	memcpy(st->r, sig, 32);
	memcpy(st->s, sig + 32, 32);
	memcpy(st->a, pk, 32);
	/* S < L: reducing S must leave it unchanged (malleability) */
	memcpy(wide, st->s, 32);
	crypto_core_ed25519_scalar_reduce(reduced, wide);
	if (sodium_memcmp(reduced, st->s, 32) != 0 || !crypto_core_ed25519_is_valid_point(pk) ||
	    !crypto_core_ed25519_is_valid_point(st->r))
		return -EINVAL;
	crypto_hash_sha512_init(&st->sha512);
	crypto_hash_sha512_update(&st->sha512, st->r, 32);
	crypto_hash_sha512_update(&st->sha512, st->a, 32);
	st->kind = ED25519;
	return 0;
}

static int init_openssl(struct sigstream *st, void *pkey, const unsigned char *sig,
			size_t sig_len, bool pss)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md;

	memset(st, 0, sizeof(*st));
	if (!pkey || sig_len == 0 || sig_len > sizeof(st->der))
		return -EINVAL;
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1 ||
	    (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))) {
		EVP_MD_CTX_free(md);
		return -EINVAL;
	}
	memcpy(st->der, sig, sig_len);
	st->der_len = sig_len;
	st->md = md;
	st->kind = ECDSA;
	return 0;
}

int sigstream_init_ecdsa_p256(struct sigstream *st, void *pkey, const unsigned char *sig,
			      size_t sig_len)
{
	return init_openssl(st, pkey, sig, sig_len, false);
}

int sigstream_init_rsa_pss_sha256(struct sigstream *st, void *pkey, const unsigned char *sig,
				  size_t sig_len)
{
	return init_openssl(st, pkey, sig, sig_len, true);
}

void sigstream_update(struct sigstream *st, const void *data, size_t n)
{
	if (st->kind == ED25519)
		crypto_hash_sha512_update(&st->sha512, data, n);
	else if (st->kind == ECDSA && EVP_DigestVerifyUpdate(st->md, data, n) != 1)
		st->kind = BROKEN;
}

static bool ed25519_final(struct sigstream *st)
{
	unsigned char digest[crypto_hash_sha512_BYTES], h[32], sb[32], ha[32], sum[32];

	crypto_hash_sha512_final(&st->sha512, digest);
	crypto_core_ed25519_scalar_reduce(h, digest);
	/* each fails on an identity result, which an honest signature does not produce */
	if (crypto_scalarmult_ed25519_base_noclamp(sb, st->s) != 0 ||
	    crypto_scalarmult_ed25519_noclamp(ha, h, st->a) != 0 ||
	    crypto_core_ed25519_add(sum, st->r, ha) != 0)
		return false;
	return sodium_memcmp(sum, sb, 32) == 0;
}

bool sigstream_final(struct sigstream *st)
{
	bool ok = false;

	if (st->kind == ED25519)
		ok = ed25519_final(st);
	else if (st->kind == ECDSA)
		ok = EVP_DigestVerifyFinal(st->md, st->der, st->der_len) == 1;
	EVP_MD_CTX_free(st->md);
	sodium_memzero(st, sizeof(*st));
	return ok;
}
