/* SPDX-License-Identifier: GPL-2.0-only */
/* The streamed checks against the one-call verifiers of libsodium and OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#include "tuf/sigstream.h"

/* Feeds msg in pieces of random sizes (zero-length ones included). */
static bool stream_ed25519(const unsigned char *pk, const unsigned char *sig, size_t sig_len,
			   const unsigned char *msg, size_t len)
{
	struct sigstream st;
	size_t off = 0;

	if (sigstream_init_ed25519(&st, pk, sig, sig_len) < 0) {
		assert_false(sigstream_final(&st));
		return false;
	}
	while (off < len) {
		size_t n = randombytes_uniform(300);

		if (n > len - off)
			n = len - off;
		sigstream_update(&st, msg + off, n);
		off += n;
	}
	return sigstream_final(&st);
}

static bool oneshot(const unsigned char *pk, const unsigned char *sig,
		    const unsigned char *msg, size_t len)
{
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

static void test_ed25519_agrees(void **state)
{
	unsigned char pk[32], sk[64], sig[64], bad[64], msg[2048];

	for (int i = 0; i < 300; i++) {
		size_t len = randombytes_uniform(sizeof(msg));

		crypto_sign_keypair(pk, sk);
		randombytes_buf(msg, len);
		crypto_sign_detached(sig, NULL, msg, len, sk);
		assert_true(oneshot(pk, sig, msg, len));
		assert_true(stream_ed25519(pk, sig, 64, msg, len));
		/* a flipped bit of R or S, then of the message */
		memcpy(bad, sig, 64);
		bad[randombytes_uniform(64)] ^= (unsigned char)(1u << (i % 8));
		assert_false(oneshot(pk, bad, msg, len));
		assert_false(stream_ed25519(pk, bad, 64, msg, len));
		if (len) {
			msg[randombytes_uniform((uint32_t)len)] ^= (unsigned char)(1u << (i % 8));
			assert_false(oneshot(pk, sig, msg, len));
			assert_false(stream_ed25519(pk, sig, 64, msg, len));
		}
	}
}

static void test_ed25519_refusals(void **state)
{
	static const unsigned char l[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
					     0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
					     [31] = 0x10 };
	unsigned char pk[32], sk[64], sig[64], bad[64], ident[32] = { 1 };
	const unsigned char msg[] = "the signed part";
	unsigned carry = 0;

	crypto_sign_keypair(pk, sk);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	assert_true(stream_ed25519(pk, sig, 64, msg, sizeof(msg)));
	/* S + L verifies the same equation but is not canonical: malleability refused */
	memcpy(bad, sig, 64);
	for (int i = 0; i < 32; i++) {
		unsigned v = bad[32 + i] + l[i] + carry;

		bad[32 + i] = (unsigned char)v;
		carry = v >> 8;
	}
	assert_false(oneshot(pk, bad, msg, sizeof(msg)));
	assert_false(stream_ed25519(pk, bad, 64, msg, sizeof(msg)));
	/* the identity as public key, or as R */
	assert_false(stream_ed25519(ident, sig, 64, msg, sizeof(msg)));
	memcpy(bad, sig, 64);
	memcpy(bad, ident, 32);
	assert_false(stream_ed25519(pk, bad, 64, msg, sizeof(msg)));
	/* wrong length, other key */
	assert_false(stream_ed25519(pk, sig, 63, msg, sizeof(msg)));
	crypto_sign_keypair(pk, sk);
	assert_false(stream_ed25519(pk, sig, 64, msg, sizeof(msg)));
}

static void test_ecdsa(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char msg[5000], der[128];
	size_t der_len = sizeof(der);
	struct sigstream st;

	assert_non_null(key);
	randombytes_buf(msg, sizeof(msg));
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, der, &der_len, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(md);
	assert_int_equal(sigstream_init_ecdsa_p256(&st, key, der, der_len), 0);
	sigstream_update(&st, msg, 1234);
	sigstream_update(&st, msg + 1234, sizeof(msg) - 1234);
	assert_true(sigstream_final(&st));
	assert_int_equal(sigstream_init_ecdsa_p256(&st, key, der, der_len), 0);
	sigstream_update(&st, msg, sizeof(msg) - 1);
	assert_false(sigstream_final(&st));
	der[der_len - 1] ^= 1;
	assert_int_equal(sigstream_init_ecdsa_p256(&st, key, der, der_len), 0);
	sigstream_update(&st, msg, sizeof(msg));
	assert_false(sigstream_final(&st));
	assert_int_not_equal(sigstream_init_ecdsa_p256(&st, key, der, 0), 0);
	assert_false(sigstream_final(&st));
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ed25519_agrees),
		cmocka_unit_test(test_ed25519_refusals),
		cmocka_unit_test(test_ecdsa),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
