/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A targets role file held as its bytes and an index rather than a jansson tree of its
 * "targets" map: the tree costs about 2 KiB per entry, and an archive of 10,000 modules
 * would cost every node 20 MiB for the one or two entries that concern it.
 * The file is walked with jansson decoding one member at a time; each target entry is
 * decoded, checked (an object with an integer "length" >= 0 and a non-empty "hashes" of
 * strings), and dropped, leaving its path and byte range, sorted by path (a path twice is
 * refused). Everything else of the envelope is kept decoded in env, whose "signed" has an
 * empty "targets" standing in for the map; env gets every check tuf_envelope_check() makes.
 * The signature check streams the canonical "signed" rebuilt from the index; lookups decode
 * one entry again. Errors are -EBADMSG/-EKEYREJECTED with a message naming the byte or field.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "tuf_meta.h"

struct tuf_target_ref {
	const char *path;
	size_t path_len;
	size_t off, len; /* the entry's value in buf */
};

struct tuf_targets {
	char *buf;
	size_t len;
	bool mapped; /* buf maps a file read-only; its pages are dropped once read */
	struct tuf_envelope env;
	struct tuf_target_ref *refs;
	size_t n;
	struct arena paths;
};

/* Takes buf (malloc'd, len bytes) in every case. */
int tuf_targets_parse(char *buf, size_t len, struct tuf_targets *ret, struct tuf_error *err);
/* The same over a file of at most max bytes, mapped rather than read (fd is not kept).
 * The file must not be truncated while mapped: the client maps only files it wrote and
 * replaces by rename. */
int tuf_targets_map(int fd, size_t max, struct tuf_targets *ret, struct tuf_error *err);
/* tuf_verify_role() for it: ROLE's keys and threshold as root_signed defines them. */
int tuf_targets_verify(const struct tuf_targets *t, const json_t *root_signed, const char *role,
		       struct tuf_error *err);
/* The same against a delegator's keys and its entry for the role (see tuf_meta.h). */
int tuf_targets_verify_keys(const struct tuf_targets *t, const json_t *keys, const json_t *role_obj,
			    const char *role, struct tuf_error *err);
/* A new reference to the entry (json_decref it), or NULL when there is none. */
json_t *tuf_targets_get(const struct tuf_targets *t, const char *path);
json_t *tuf_targets_entry(const struct tuf_targets *t, size_t i);
void tuf_targets_free(struct tuf_targets *t);
