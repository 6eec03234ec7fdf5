/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-tuf-client: the agent's TUF client (common/tuf_client.c) as a command speaking the
 * command-line protocol of the TUF conformance suite:
 *   --metadata-dir D init ROOT-FILE
 *   --metadata-url U --metadata-dir D refresh
 *   --metadata-url U --metadata-dir D --target-name P [--target-name P ...]
 *       --target-dir T --target-base-url B download
 * Options may come in any order before the command. Exit 0 on success, 1 on any failure
 * (the reason on stderr), 2 on a usage error.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tuf/tuf_client.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: tuxtape-tuf-client --metadata-dir D init ROOT-FILE\n"
		   "       tuxtape-tuf-client --metadata-url U --metadata-dir D refresh\n"
		   "       tuxtape-tuf-client --metadata-url U --metadata-dir D --target-name P ...\n"
		   "                          --target-dir T --target-base-url B download\n\n"
		   "Verifies a TUF 1.0 repository (Ed25519, ECDSA P-256 and RSA-PSS keys,\n"
		   "consistent snapshots or not, delegated targets roles) and downloads\n"
		   "targets after checking their length and hashes.\n"
		   "Exit codes: 0 success, 1 failure (reason on stderr), 2 usage.\n"
		   "--help shows this text, --version the version.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metadata-dir", required_argument, NULL, 'd' },
		{ "metadata-url", required_argument, NULL, 'u' },
		{ "target-name", required_argument, NULL, 'n' },
		{ "target-dir", required_argument, NULL, 't' },
		{ "target-base-url", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *dir = NULL, *url = NULL, *tdir = NULL, *tbase = NULL, *names[256], *cmd;
	struct tuf_client c = { .fetch = tuf_curl_fetch, .fetch_file = tuf_curl_fetch_file };
	size_t n_names = 0;
	int opt, k = 0;

	log_setup("tuxtape-tuf-client");
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case 'n':
			if (n_names == ELEMENTSOF(names)) {
				fprintf(stderr, "tuxtape-tuf-client: too many --target-name\n");
				return 2;
			}
			names[n_names++] = optarg;
			break;
		case 't':
			tdir = optarg;
			break;
		case 'b':
			tbase = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tuxtape-tuf-client %s\n", TUXTAPE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || !dir) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "tuxtape-tuf-client: cannot initialise libsodium/libcurl\n");
		return 1;
	}
	if (streq(cmd, "init")) {
		if (optind + 2 != argc) {
			usage(stderr);
			return 2;
		}
		k = tuf_client_init(dir, argv[optind + 1], &c.err);
	} else if (streq(cmd, "refresh") || streq(cmd, "download")) {
		if (!url || optind + 1 != argc ||
		    (streq(cmd, "download") && (!tdir || !tbase || n_names == 0))) {
			usage(stderr);
			return 2;
		}
		c.metadata_dir = dir;
		c.metadata_url = url;
		k = tuf_client_refresh(&c);
		for (size_t i = 0; k >= 0 && streq(cmd, "download") && i < n_names; i++) {
			_cleanup_free_ char *file = NULL;

			k = tuf_client_download(&c, names[i], tbase, tdir, &file);
			if (k >= 0)
				printf("%s -> %s\n", names[i], file);
		}
	} else {
		usage(stderr);
		return 2;
	}
	if (k < 0)
		fprintf(stderr, "tuxtape-tuf-client: %s\n", c.err.msg[0] ? c.err.msg : strerror(-k));
	tuf_client_free(&c);
	curl_global_cleanup();
	return k < 0 ? 1 : 0;
}
