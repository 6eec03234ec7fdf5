/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TUF 1.0 client: the update cycle of the specification's client workflow over top-level
 * metadata with consistent snapshots (root chain with both thresholds, freeze and rollback
 * protection, fast-forward recovery, snapshot hashes against mix-and-match, size limits), and
 * target download with length and hash checks. Trusted metadata is kept in a directory as the
 * exact bytes received, every write atomic; a failed cycle leaves it untouched. Time comes
 * from the system clock; a clock that reads earlier than the last successful refresh is
 * refused. Delegated targets roles are not supported yet: metadata that uses them is refused.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tuf_meta.h"
#include "tuf_targets.h"

/* Fetches url into a malloc'd buffer of at most max bytes: -ENOENT for 403/404, -EFBIG when
 * the body is longer than max, another negative errno for any other failure. */
typedef int (*tuf_fetch_fn)(void *userdata, const char *url, size_t max, char **ret, size_t *len);
/* The same, the body written to fd as it arrives (the targets role: never held in memory). */
typedef int (*tuf_fetch_file_fn)(void *userdata, const char *url, size_t max, int fd,
				 size_t *len);

struct tuf_client {
	const char *metadata_dir;
	const char *metadata_url;
	tuf_fetch_fn fetch;
	tuf_fetch_file_fn fetch_file;
	void *fetch_userdata;
	struct tuf_error err;   /* why the last call failed */
	/* trusted after a refresh */
	struct tuf_envelope root, timestamp, snapshot;
	struct tuf_targets targets; /* an index: see tuf_targets.h */
};

/* Stores root_file as the trusted root.json of an empty metadata directory. */
int tuf_client_init(const char *metadata_dir, const char *root_file, struct tuf_error *err);
int tuf_client_refresh(struct tuf_client *c);
/* The trusted targets entry for path, or NULL (after a refresh); json_decref() it. */
json_t *tuf_client_target(const struct tuf_client *c, const char *path);
/* Downloads and checks a target into target_dir (name: path with '/' as %2F); returns its path. */
int tuf_client_download(struct tuf_client *c, const char *path, const char *target_base_url,
			const char *target_dir, char **ret_file);
/* Where tuf_client_download() puts path: target_dir/NAME, NAME the path percent-encoded
 * (anything but letters, digits and "-._~"). NULL on OOM. */
char *tuf_client_target_file(const char *target_dir, const char *path);
void tuf_client_free(struct tuf_client *c);

/* A libcurl fetcher: http(s) only, connect and low-speed timeouts, a total time limit. */
int tuf_curl_fetch(void *userdata, const char *url, size_t max, char **ret, size_t *len);
int tuf_curl_fetch_file(void *userdata, const char *url, size_t max, int fd, size_t *len);
