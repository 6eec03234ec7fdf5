/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's durable state, one SQLite file (WAL, synchronous=FULL: a commit is on disk when
 * the call returns): what it knows of each patch, the "applying" records of the crash-loop
 * guard, the event log, and a few settings (hold). Every change is one transaction.
 */
#pragma once

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct patch_rec {
	char *id;
	char *module;
	char *target;        /* archive target path */
	char *kernel_release;
	char *cves;          /* JSON array text */
	char *state;         /* applied, applying, stalled, failed, reverted, replaced, quarantined,
			      * revoked, pending */
	char *reason;
	char *file;          /* cached module file */
	char *sha256;        /* of the file, checked again before every load */
	char *boot_id;       /* boot the patch was last loaded in */
	int64_t version;
	int64_t since;
};

struct applying_rec {
	char *id;
	char *boot_id;
	int64_t started;
};

struct agent_state {
	sqlite3 *db;
};

int state_open(const char *path, struct agent_state *ret);
void state_close(struct agent_state *st);

int state_patch_put(struct agent_state *st, const struct patch_rec *p);
int state_patch_get(struct agent_state *st, const char *id, struct patch_rec *ret);
int state_patch_list(struct agent_state *st, struct patch_rec **ret, size_t *n);
/* Changes state and reason; `since` moves only when the state changes. */
int state_patch_set(struct agent_state *st, const char *id, const char *state, const char *reason);
void patch_rec_free(struct patch_rec *p);
void patch_recs_free(struct patch_rec *v, size_t n);

int state_applying_open(struct agent_state *st, const char *id, const char *boot_id);
int state_applying_close(struct agent_state *st, const char *id);
int state_applying_list(struct agent_state *st, struct applying_rec **ret, size_t *n);
void applying_recs_free(struct applying_rec *v, size_t n);

int state_event(struct agent_state *st, const char *patch, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Events with seq > after, oldest first, at most limit: [{seq, time, patch, kind, message}] */
int state_events_json(struct agent_state *st, int64_t after, int limit, json_t **ret);

int state_meta_get(struct agent_state *st, const char *key, char **ret);   /* -ENOENT */
int state_meta_set(struct agent_state *st, const char *key, const char *value);
