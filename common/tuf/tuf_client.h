/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TUF 1.0 client: the update cycle of the specification's client workflow over top-level
 * metadata, with consistent snapshots or without (root chain with both thresholds, freeze
 * and rollback protection, fast-forward recovery, snapshot hashes against mix-and-match, size
 * limits), and target download with length and hash checks. Trusted metadata is kept in a directory as the
 * exact bytes received, every write atomic; a failed cycle leaves it untouched. Time comes
 * from the system clock; a clock that reads earlier than the last successful refresh is
 * refused. Delegated targets roles (tuf_delegate.c) are loaded when a lookup reaches them:
 * the pre-order depth-first search of the specification, with terminating delegations,
 * "paths" patterns (per "/"-separated segment, shell wildcards) and "path_hash_prefixes",
 * each delegation's keys and threshold, a visited set, at most TUF_MAX_LOOKUP_ROLES roles per
 * lookup and TUF_MAX_DEPTH levels, every role listed in the snapshot and checked against it,
 * stored under its URL-quoted name.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tuf_meta.h"
#include "tuf_targets.h"

/* A lookup visits at most this many roles, top-level targets included (python-tuf's and
 * tuf-js's default), and follows delegations this deep at most. */
#define TUF_MAX_LOOKUP_ROLES 32
#define TUF_MAX_DEPTH 16
/* Delegated roles one client holds at once (every lookup of a cycle shares them): bounds the
 * memory a repository can make a node spend. */
#define TUF_MAX_LOADED_ROLES 1024
/* A delegated role's name: bytes before quoting. */
#define TUF_ROLE_NAME_MAX 64

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
	int64_t now;                /* the cycle's one reading of the clock */
	bool consistent;            /* the trusted root's consistent_snapshot */
	struct tuf_delegated *roles; /* delegated roles loaded so far (tuf_delegate.c) */
	size_t n_roles, cap_roles;
};

/* A delegated targets role held by the client. */
struct tuf_delegated {
	char *name;
	char *delegator;  /* the role whose keys verified it first */
	struct tuf_targets t;
};

/* Stores root_file as the trusted root.json of an empty metadata directory. */
int tuf_client_init(const char *metadata_dir, const char *root_file, struct tuf_error *err);
int tuf_client_refresh(struct tuf_client *c);
/* The trusted targets entry for path by the delegation search (after a refresh): 0 and *ret
 * (json_decref it); -ENOENT when no role the search reaches lists it; another error when a
 * role on the way fails its checks. c->err says why in both cases. */
int tuf_client_find(struct tuf_client *c, const char *path, json_t **ret);
/* Every target whose path starts with prefix ("" for all; "RELEASE/" prunes delegations
 * whose patterns cannot match under it), as the search for its own path resolves it, in
 * path order; fn's negative return stops the walk. */
typedef int (*tuf_target_fn)(void *ud, const char *path, const json_t *entry);
int tuf_client_foreach(struct tuf_client *c, const char *prefix, tuf_target_fn fn, void *ud);
/* The same two with the search starting at ROLE, a role the top-level targets delegates,
 * rather than at the top (-ENOENT when there is none): for a node whose policy trusts that
 * role alone for what it offers (the archive's delegated channels). */
int tuf_client_find_from(struct tuf_client *c, const char *role, const char *path, json_t **ret);
int tuf_client_foreach_from(struct tuf_client *c, const char *role, const char *prefix,
			    tuf_target_fn fn, void *ud);
/* tuf_client_download() of the given entry (one a search returned) rather than the one the
 * search from the top finds. */
int tuf_client_download_entry(struct tuf_client *c, const char *path, const json_t *entry,
			      const char *target_base_url, const char *target_dir, char **ret_file);
/* The path quoted as a single file name (anything but letters, digits and "-._~" as %XX);
 * NULL on OOM. */
char *tuf_quote(const char *s);
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
