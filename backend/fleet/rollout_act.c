// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rollout's actions (promote, hold, release, revoke) and the policy pass that takes them
 * on the nodes' evidence (rollout.h). The evidence is each node's last full report: a patch
 * is healthy on a node that is on the patch's channel, reported recently, and has run it
 * (state applied) for the policy's time; it is convicted by one node quarantining it on
 * strong kernel-log evidence, or by more nodes than the policy allows stalling or failing it
 * (a weak-evidence quarantine counts as a failure).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/rollout.h"
#include "fleet/rollout_int.h"
#include "log.h"
#include "util.h"

/* The CVEs of the patch's cumulative module that the kernel's previous one did not carry:
 * the suspects when it misbehaves. Comma-separated, malloc'd; NULL when unknown. */
static int suspects(struct db *db, const char *patch_id, char **ret_kernel, json_t *ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *prev = NULL;
	_cleanup_free_ char *cves = NULL, *before = NULL;
	long long version;
	char *save = NULL;
	int k = db_prepare(db, "SELECT kernel, version, cves FROM pipeline_cumulative WHERE"
			   " patch_id = ?", &st);

	*ret_kernel = NULL;
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, patch_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	*ret_kernel = rollout_col_dup(st, 0);
	version = sqlite3_column_int64(st, 1);
	cves = rollout_col_dup(st, 2);
	k = db_prepare(db, "SELECT cves FROM pipeline_cumulative WHERE kernel = ? AND version < ?"
		       " ORDER BY version DESC LIMIT 1", &prev);
	if (k < 0)
		return k;
	sqlite3_bind_text(prev, 1, *ret_kernel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(prev, 2, version);
	if (sqlite3_step(prev) == SQLITE_ROW)
		before = rollout_col_dup(prev, 0);
	for (char *c = strtok_r(cves, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		bool old = false;

		if (before) {
			_cleanup_free_ char *copy = strdup(before);
			char *s2 = NULL;

			for (char *b = copy ? strtok_r(copy, ",", &s2) : NULL; b && !old;
			     b = strtok_r(NULL, ",", &s2))
				old = streq(b, c);
		}
		if (!old)
			json_array_append_new(ret, json_string(c));
	}
	return 0;
}

/* The suspects leave the kernel's cumulative module and wait for a person. */
static int refuse_suspects(struct db *db, const char *kernel, const char *patch_id,
			   const json_t *cves, const char *reason, const char *report, int64_t now)
{
	size_t i;
	json_t *v;
	int k = 0;

	json_array_foreach(cves, i, v) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *up = NULL, *q = NULL;

		k = db_prepare(db, "UPDATE pipeline_attempt SET outcome = 'refused', step = 'fleet',"
			       " reason = ? WHERE kernel = ? AND cve_id = ? AND outcome = 'vetted'",
			       &up);
		if (k < 0)
			return k;
		sqlite3_bind_text(up, 1, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 2, kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, json_string_value(v), -1, SQLITE_STATIC);
		k = db_step_done(db, up);
		if (k >= 0)
			k = db_prepare(db, "INSERT INTO gen_failure(kernel, cve_id, patch_id, step,"
				       " outcome, reason, report, at) VALUES (?, ?, ?, 'fleet',"
				       " 'refused', ?, ?, ?)", &q);
		if (k < 0)
			return k;
		sqlite3_bind_text(q, 1, kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, json_string_value(v), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, patch_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, report, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, now);
		k = db_step_done(db, q);
		if (k < 0)
			return k;
	}
	return k;
}

int rollout_revoke(struct db *db, const struct archive_opts *ao, const char *patch_id,
		   const char *reason, const json_t *evidence, const char *actor, int64_t now)
{
	_cleanup_free_ char *kernel = NULL, *report = NULL;
	json_t *cves = json_array();
	struct row r;
	bool known;
	int k, a;

	k = rollout_row_get(db, patch_id, &r);
	if (k < 0 && k != -ENOENT) {
		json_decref(cves);
		return k;
	}
	known = k == 0;
	if (known && streq(r.status, "revoked")) {
		rollout_row_free(&r);
		json_decref(cves);
		return log_error_errno(EALREADY, "%s: already revoked", patch_id);
	}
	a = archive_revoke(ao, patch_id);
	if (a < 0 && a != -EALREADY && !(a == -ENOENT && known)) {
		rollout_row_free(&r);
		json_decref(cves);
		return a;
	}
	report = json_dumps(json_pack("{s:s, s:s, s:O?}", "patch_id", patch_id, "reason", reason,
				      "nodes", evidence), JSON_COMPACT);
	k = db_begin(db);
	if (k >= 0)
		k = suspects(db, patch_id, &kernel, cves);
	if (k >= 0 && !kernel && known && r.kernel)
		kernel = strdup(r.kernel);
	if (k >= 0 && known)
		k = rollout_set_status(db, patch_id, "revoked", NULL, reason, false, now);
	else if (k >= 0) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;

		k = db_prepare(db, "INSERT INTO fleet_rollout(patch_id, kernel, channel, status, since,"
			       " reason, updated) VALUES (?, ?, '', 'revoked', ?, ?, ?)", &st);
		if (k >= 0) {
			sqlite3_bind_text(st, 1, patch_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, kernel, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, now);
			sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 5, now);
			k = db_step_done(db, st);
		}
	}
	if (k >= 0 && kernel) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;

		k = db_prepare(db, "INSERT OR REPLACE INTO fleet_hold(kernel, patch_id, reason, at)"
			       " VALUES (?, ?, ?, ?)", &st);
		if (k >= 0) {
			sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, patch_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, now);
			k = db_step_done(db, st);
		}
		if (k >= 0)
			k = refuse_suspects(db, kernel, patch_id, cves, reason, report, now);
	}
	if (k >= 0)
		k = rollout_log_action(db, patch_id, "revoke", known ? r.channel : NULL, reason,
				       actor, now);
	k = db_end(db, k);
	if (k >= 0)
		log_info("%s revoked (%s)%s%s", patch_id, reason, kernel ? "; publication held for "
			 "kernel " : "", strempty(kernel));
	rollout_row_free(&r);
	json_decref(cves);
	return k;
}

int rollout_promote(struct db *db, const struct archive_opts *ao, const struct rollout_policy *p,
		    const char *patch_id, const char *to, const char *reason, const char *actor,
		    int64_t now)
{
	struct row r;
	int k = rollout_row_get(db, patch_id, &r), cur, next;

	if (k == -ENOENT)
		return log_error_errno(ENOENT, "%s: not a patch the fleet rolls out", patch_id);
	if (k < 0)
		return k;
	cur = rollout_channel_index(p, r.channel);
	next = to ? rollout_channel_index(p, to) : cur + 1;
	if (streq(r.status, "revoked") || streq(r.status, "superseded"))
		k = log_error_errno(EINVAL, "%s is %s: it cannot be promoted", patch_id, r.status);
	else if (to && next < 0)
		k = log_error_errno(EINVAL, "'%s' is not one of the channels", to);
	else if (next < 0 || next >= (int)p->n_channels || next == cur)
		k = log_error_errno(EALREADY, "%s is already in %s, the last channel", patch_id,
				    r.channel);
	if (k >= 0) {
		int a = archive_promote(ao, patch_id, p->channels[next]);

		if (a < 0 && a != -EALREADY)
			k = a;
	}
	if (k >= 0)
		k = db_begin(db);
	if (k >= 0) {
		k = rollout_set_status(db, patch_id, next == (int)p->n_channels - 1 ? "done" :
				       "rolling", p->channels[next], reason, true, now);
		if (k >= 0)
			k = rollout_log_action(db, patch_id, "promote", p->channels[next], reason,
					       actor, now);
		if (k >= 0 && r.kernel)
			k = rollout_mark_superseded(db, ao, r.kernel, patch_id, now);
		k = db_end(db, k);
	}
	if (k >= 0)
		log_info("%s promoted to %s (%s)", patch_id, p->channels[next], reason);
	rollout_row_free(&r);
	return k;
}

int rollout_hold(struct db *db, const char *patch_id, const char *reason, const char *actor,
		 int64_t now)
{
	struct row r;
	int k = rollout_row_get(db, patch_id, &r);

	if (k == -ENOENT)
		return log_error_errno(ENOENT, "%s: not a patch the fleet rolls out", patch_id);
	if (k < 0)
		return k;
	if (!streq(r.status, "rolling") && !streq(r.status, "done"))
		k = log_error_errno(EALREADY, "%s is %s: nothing to hold", patch_id, r.status);
	if (k >= 0)
		k = db_begin(db);
	if (k >= 0) {
		k = rollout_set_status(db, patch_id, "held", NULL, reason, false, now);
		if (k >= 0)
			k = rollout_log_action(db, patch_id, "hold", r.channel, reason, actor, now);
		k = db_end(db, k);
	}
	rollout_row_free(&r);
	return k;
}

int rollout_release(struct db *db, const char *what, const char *reason, const char *actor,
		    int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	struct row r;
	const char *kernel = what;
	bool released = false;
	int k = rollout_row_get(db, what, &r);

	if (k < 0 && k != -ENOENT)
		return k;
	if (k == 0)
		kernel = r.kernel;
	k = db_begin(db);
	if (k >= 0 && r.patch_id && streq(r.status, "held")) {
		k = rollout_set_status(db, what, "rolling", NULL, reason, false, now);
		released = true;
	}
	if (k >= 0 && kernel && (!r.patch_id || !released))
		k = db_prepare(db, "DELETE FROM fleet_hold WHERE kernel = ?", &st);
	if (k >= 0 && st) {
		sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
		k = db_step_done(db, st);
		released = released || (k >= 0 && sqlite3_changes(db->sql) > 0);
	}
	if (k >= 0 && !released)
		k = log_error_errno(r.patch_id ? EALREADY : ENOENT, r.patch_id ?
				    "%s is %s and its kernel is not held: nothing to release" :
				    "%s: neither a patch the fleet rolls out nor a held kernel",
				    what, r.patch_id ? r.status : "");
	if (k >= 0)
		k = rollout_log_action(db, r.patch_id ? r.patch_id : what, "release",
				       r.patch_id ? r.channel : NULL, reason, actor, now);
	k = db_end(db, k);
	rollout_row_free(&r);
	return k;
}
