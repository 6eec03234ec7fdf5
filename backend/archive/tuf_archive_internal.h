/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by tuf_archive.c (keys, signing, the operations that change the archive) and
 * tuf_archive_verify.c (reading it back as a client would). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tuf_archive.h"

#define META_MAX (16u << 20)
#define MODULE_MAX (256u << 20)

/* DIR/SUB or DIR/SUB/NAME, malloc'd; NULL on OOM. */
char *archive_path_of(const struct archive_opts *o, const char *sub, const char *name);
/* Lowercase hex SHA-256 and SHA-512 of data. */
void archive_hash(const char *data, size_t len, char sha256[65], char sha512[129]);

struct state {
	json_t *root, *targets, *snapshot, *timestamp; /* the "signed" parts */
	int64_t root_version;
};

/* Letters, digits, '.', '_', '-', '+'; not empty, not "." or "..". */
bool archive_name_valid(const char *s);
/* The current metadata: the newest N.root.json, timestamp.json and what it points at. */
int archive_state_load(const struct archive_opts *o, struct state *s);
void archive_state_free(struct state *s);
/* targets changed (or not): a new snapshot, then timestamp.json, last. */
int archive_write_chain(const struct archive_opts *o, struct state *s, bool targets_changed,
			bool snapshot_changed);
/* tuf_archive_channels.c. A target's channels: "channels", else ["channel"], else
 * ["stable"] (a new reference). */
json_t *archive_target_channels(const json_t *custom);
/* A new target (path) of series for release takes channel from the series' other targets;
 * those left in no channel are removed and their paths added to replaces. Returns the new
 * target's series_seq (one above the series' highest for the release). */
int64_t archive_series_take(json_t *targets, const char *series, const char *release,
			    const char *path, const char *channel, json_t *replaces);
/* A removed target's channels go back to the newest remaining target of its series and
 * release (nothing when it had no series or none remains). */
void archive_series_restore(json_t *targets, const json_t *removed_custom);
