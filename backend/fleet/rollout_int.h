/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside the rollout: rollout.c (policy, rows, the evaluation) and rollout_act.c (actions). */
#pragma once

#include <sqlite3.h>

#include "fleet/rollout.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

struct row {
	char *patch_id, *kernel, *channel, *status;
	int64_t since;
};

/* 0 with the row, -ENOENT when the patch has none (r zeroed either way). */
int rollout_row_get(struct db *db, const char *patch_id, struct row *r);
void rollout_row_free(struct row *r);
char *rollout_col_dup(sqlite3_stmt *st, int i);
int rollout_channel_index(const struct rollout_policy *p, const char *channel);
/* channel NULL: unchanged; new_channel: since = now. */
int rollout_set_status(struct db *db, const char *patch_id, const char *status,
		       const char *channel, const char *reason, bool new_channel, int64_t now);
int rollout_log_action(struct db *db, const char *patch_id, const char *action,
		       const char *channel, const char *reason, const char *actor, int64_t now);
/* The kernel's other patches the archive no longer carries are superseded. */
int rollout_mark_superseded(struct db *db, const struct archive_opts *ao, const char *kernel,
			    const char *keep, int64_t now);
