/* SPDX-License-Identifier: GPL-2.0-only */
/* The bench's and tests' deterministic node keys: key N is derived from the seed N, so the
 * enrolling script and the load generator agree on them without sharing files. */
#pragma once

#include <sodium.h>
#include <string.h>

static inline void fleet_seed_key(unsigned long n, unsigned char pk[32], unsigned char sk[64])
{
	unsigned char seed[32] = { 0 };

	memcpy(seed, &n, sizeof(n));
	seed[31] = 0x7e;
	crypto_sign_seed_keypair(pk, sk, seed);
}
