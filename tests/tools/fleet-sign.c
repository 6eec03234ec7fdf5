// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tests' fleet node, as far as keys go (docs/FLEET.md, "Identity"):
 *   fleet-sign keygen KEYFILE        a new Ed25519 secret key (64 bytes); prints the node id
 *   fleet-sign id KEYFILE            prints the node id of a key
 *   fleet-sign sign KEYFILE BODYFILE prints the hex signature of the file's exact bytes
 *   fleet-sign seed-id N             the node id of the bench's Nth deterministic key
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "fleet_seed.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int load_key(const char *path, unsigned char sk[64])
{
	char *data = NULL;
	size_t len = 0;

	if (read_file_bounded(path, 64, &data, &len) < 0 || len != 64) {
		fprintf(stderr, "fleet-sign: %s: not a 64-byte secret key\n", path);
		free(data);
		return -1;
	}
	memcpy(sk, data, 64);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char pk[32], sk[64], sig[64];
	char out[129];

	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && !strcmp(argv[1], "keygen")) {
		crypto_sign_keypair(pk, sk);
		if (write_file_atomic(argv[2], sk, 64, 0600) < 0) {
			perror(argv[2]);
			return 1;
		}
	} else if (argc == 3 && !strcmp(argv[1], "id")) {
		if (load_key(argv[2], sk) < 0)
			return 1;
		crypto_sign_ed25519_sk_to_pk(pk, sk);
	} else if (argc == 4 && !strcmp(argv[1], "sign")) {
		char *body = NULL;
		size_t len = 0;

		if (load_key(argv[2], sk) < 0)
			return 1;
		if (read_file_bounded(argv[3], 16 << 20, &body, &len) < 0) {
			perror(argv[3]);
			return 1;
		}
		crypto_sign_detached(sig, NULL, (unsigned char *)body, len, sk);
		free(body);
		hex(sig, 64, out);
		printf("%s\n", out);
		return 0;
	} else if (argc == 3 && !strcmp(argv[1], "seed-id")) {
		fleet_seed_key(strtoul(argv[2], NULL, 10), pk, sk);
	} else {
		fprintf(stderr, "usage: fleet-sign keygen|id KEYFILE | sign KEYFILE BODYFILE | "
			"seed-id N\n");
		return 2;
	}
	hex(pk, 32, out);
	printf("%s\n", out);
	return 0;
}
