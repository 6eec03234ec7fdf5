// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rollout policy and its actions (rollout.h). The archive is changed first, then the
 * database in one transaction: a crash between the two leaves a patch whose archive state
 * is ahead of its row, and the next evaluation or command does the same action again,
 * which the archive answers with -EALREADY and the row catches up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/rollout.h"
#include "fleet/rollout_int.h"
#include "log.h"
#include "util.h"

int rollout_channel_index(const struct rollout_policy *p, const char *channel)
{
	for (size_t i = 0; i < p->n_channels; i++)
		if (streq(p->channels[i], channel))
			return (int)i;
	return -1;
}

int rollout_log_action(struct db *db, const char *patch_id, const char *action,
		      const char *channel, const char *reason, const char *actor, int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "INSERT INTO fleet_action(at, patch_id, action, channel, reason,"
			   " actor) VALUES (?, ?, ?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, patch_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC);
	return db_step_done(db, st);
}


void rollout_row_free(struct row *r)
{
	free(r->patch_id);
	free(r->kernel);
	free(r->channel);
	free(r->status);
	memset(r, 0, sizeof(*r));
}

char *rollout_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

/* 0 with the row, -ENOENT when the patch has none. */
int rollout_row_get(struct db *db, const char *patch_id, struct row *r)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT patch_id, kernel, channel, status, since FROM fleet_rollout"
			   " WHERE patch_id = ?", &st);

	memset(r, 0, sizeof(*r));
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, patch_id, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_DONE)
		return -ENOENT;
	if (k != SQLITE_ROW)
		return log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	r->patch_id = rollout_col_dup(st, 0);
	r->kernel = rollout_col_dup(st, 1);
	r->channel = rollout_col_dup(st, 2);
	r->status = rollout_col_dup(st, 3);
	r->since = sqlite3_column_int64(st, 4);
	if (!r->patch_id || !r->channel || !r->status) {
		rollout_row_free(r);
		return -ENOMEM;
	}
	return 0;
}

int rollout_set_status(struct db *db, const char *patch_id, const char *status,
		      const char *channel, const char *reason, bool new_channel, int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "UPDATE fleet_rollout SET status = ?, channel = coalesce(?, channel),"
			   " reason = ?, since = CASE WHEN ? THEN ? ELSE since END, updated = ?"
			   " WHERE patch_id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, new_channel);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_text(st, 7, patch_id, -1, SQLITE_STATIC);
	return db_step_done(db, st);
}

/* The kernel's other patches the archive no longer carries (a newer one took their last
 * channel) are superseded. */
int rollout_mark_superseded(struct db *db, const struct archive_opts *ao, const char *kernel,
			   const char *keep, int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *gone = json_array(), *v;
	size_t i;
	int k = db_prepare(db, "SELECT patch_id FROM fleet_rollout WHERE kernel = ? AND"
			   " patch_id != ? AND status IN ('rolling', 'held', 'done')", &st);

	if (k < 0) {
		json_decref(gone);
		return k;
	}
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, keep, -1, SQLITE_STATIC);
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		json_t *channels = NULL;

		if (archive_patch_channels(ao, id, &channels) == -ENOENT)
			json_array_append_new(gone, json_string(id));
		json_decref(channels);
	}
	k = k == SQLITE_DONE ? 0 : log_error_errno(EIO, "%s: %s", db->path,
						   sqlite3_errmsg(db->sql));
	json_array_foreach(gone, i, v)
		if (k >= 0)
			k = rollout_set_status(db, json_string_value(v), "superseded", NULL,
				       "a newer cumulative livepatch took its channels", false, now);
	json_decref(gone);
	return k;
}

int rollout_register(struct db *db, const struct archive_opts *ao, const char *patch_id,
		     const char *kernel, const char *series, const char *release,
		     const char *target, const char *channel, int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_begin(db);

	if (k < 0)
		return k;
	k = db_prepare(db, "INSERT OR REPLACE INTO fleet_rollout(patch_id, kernel, series, release,"
		       " target, channel, status, since, reason, updated) VALUES (?, ?, ?, ?, ?, ?,"
		       " 'rolling', ?, 'published', ?)", &st);
	if (k >= 0) {
		sqlite3_bind_text(st, 1, patch_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, series, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, release, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, target, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, channel, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, now);
		sqlite3_bind_int64(st, 8, now);
		k = db_step_done(db, st);
	}
	if (k >= 0)
		k = rollout_log_action(db, patch_id, "publish", channel, "published by the pipeline",
			       "pipeline", now);
	if (k >= 0)
		k = rollout_mark_superseded(db, ao, kernel, patch_id, now);
	return db_end(db, k);
}

int rollout_kernel_held(struct db *db, const char *kernel, char **ret_reason)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT reason FROM fleet_hold WHERE kernel = ?", &st);

	*ret_reason = NULL;
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_DONE)
		return 0;
	if (k != SQLITE_ROW)
		return log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	*ret_reason = rollout_col_dup(st, 0);
	return *ret_reason ? 1 : -ENOMEM;
}

/* What the nodes say about one patch. */
struct verdict {
	long healthy, failing, convicted, nodes;
	json_t *evidence;     /* the failing and convicting nodes, for the person */
};

static int gather(struct db *db, const struct rollout_policy *p, const struct row *r,
		  int64_t now, struct verdict *v)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT p.node, n.hostname, p.state, p.since, p.evidence, n.channel,"
			   " n.last_report, n.interval, p.reason FROM fleet_patch p JOIN fleet_node n"
			   " ON n.id = p.node WHERE p.patch_id = ? AND n.revoked IS NULL", &st);

	memset(v, 0, sizeof(*v));
	v->evidence = json_array();
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->patch_id, -1, SQLITE_STATIC);
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 2);
		const char *ev_text = (const char *)sqlite3_column_text(st, 4);
		const char *channel = (const char *)sqlite3_column_text(st, 5);
		int64_t since = sqlite3_column_int64(st, 3), last = sqlite3_column_int64(st, 6);
		int64_t interval = sqlite3_column_int64(st, 7);
		json_t *ev = ev_text ? json_loads(ev_text, 0, NULL) : NULL;
		bool strong = streq_ptr(json_string_value(json_object_get(ev, "strength")), "strong");
		bool fresh = last + p->stale_intervals * (interval > 0 ? interval : 3600) >= now;

		v->nodes++;
		if (streq_ptr(state, "quarantined") && strong)
			v->convicted++;
		else if (streq_ptr(state, "quarantined") || streq_ptr(state, "stalled") ||
			 streq_ptr(state, "failed"))
			v->failing++;
		else {
			if (streq_ptr(state, "applied") && fresh && streq_ptr(channel, r->channel) &&
			    since <= now - p->promote_after)
				v->healthy++;
			json_decref(ev);
			continue;
		}
		json_array_append_new(v->evidence, json_pack("{s:s, s:s?, s:s, s:s?, s:o*}", "node",
			(const char *)sqlite3_column_text(st, 0),
			"hostname", (const char *)sqlite3_column_text(st, 1), "state", state,
			"reason", (const char *)sqlite3_column_text(st, 8), "evidence", ev));
	}
	return k == SQLITE_DONE ? 0 : log_error_errno(EIO, "%s: %s", db->path,
						      sqlite3_errmsg(db->sql));
}

static json_t *action_json(const char *patch_id, const char *action, const char *channel,
			   const char *reason)
{
	return json_pack("{s:s, s:s, s:s?, s:s}", "patch_id", patch_id, "action", action,
			 "channel", channel, "reason", reason);
}

static int evaluate_one(struct db *db, const struct archive_opts *ao,
			const struct rollout_policy *p, const struct row *r, int64_t now,
			json_t *actions)
{
	struct verdict v;
	char why[256];
	int cur = rollout_channel_index(p, r->channel), k;

	k = gather(db, p, r, now, &v);
	if (k >= 0 && (v.convicted > 0 || v.failing > p->revoke_failures)) {
		if (v.convicted)
			snprintf(why, sizeof(why), "quarantined on strong kernel-log evidence by %ld "
				 "node(s)", v.convicted);
		else
			snprintf(why, sizeof(why), "stalled, failed or quarantined on %ld node(s), more "
				 "than %ld", v.failing, p->revoke_failures);
		k = rollout_revoke(db, ao, r->patch_id, why, v.evidence, "policy", now);
		if (k >= 0)
			json_array_append_new(actions, action_json(r->patch_id, "revoke", r->channel,
								   why));
	} else if (k >= 0 && streq(r->status, "rolling") && cur >= 0 &&
		   cur + 1 < (int)p->n_channels && v.healthy >= p->promote_nodes) {
		snprintf(why, sizeof(why), "%ld node(s) on %s ran it for %lds with no conviction",
			 v.healthy, r->channel, p->promote_after);
		k = rollout_promote(db, ao, p, r->patch_id, NULL, why, "policy", now);
		if (k >= 0)
			json_array_append_new(actions, action_json(r->patch_id, "promote",
								   p->channels[cur + 1], why));
	} else if (k >= 0 && cur < 0 && streq(r->status, "rolling"))
		log_warning("%s is in channel '%s', not one of the configured channels: left alone",
			    r->patch_id, r->channel);
	json_decref(v.evidence);
	return k;
}

int rollout_evaluate(struct db *db, const struct archive_opts *ao, const struct rollout_policy *p,
		     int64_t now, json_t *actions)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *ids = json_array(), *id;
	size_t i;
	int k = db_prepare(db, "SELECT patch_id FROM fleet_rollout WHERE status IN ('rolling',"
			   " 'held', 'done') ORDER BY since", &st);

	if (k < 0) {
		json_decref(ids);
		return k;
	}
	while ((k = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
	k = k == SQLITE_DONE ? 0 : log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	/* one patch's failure (say, the archive) does not stop the others' evaluation */
	json_array_foreach(ids, i, id) {
		struct row r;
		int e = rollout_row_get(db, json_string_value(id), &r);

		if (e >= 0)
			e = evaluate_one(db, ao, p, &r, now, actions);
		rollout_row_free(&r);
		if (e < 0 && k >= 0)
			k = e;
	}
	json_decref(ids);
	return k;
}

int rollout_list(struct db *db, json_t **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *h = NULL;
	json_t *patches = json_array(), *held = json_array();
	int k = db_prepare(db, "SELECT patch_id, kernel, release, channel, status, since, reason,"
			   " updated FROM fleet_rollout ORDER BY since, patch_id", &st);

	*ret = json_pack("{s:o, s:o}", "patches", patches, "held", held);
	if (k >= 0)
		while ((k = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(patches, json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:I, "
				"s:s?, s:I}", "patch_id", (const char *)sqlite3_column_text(st, 0),
				"kernel", (const char *)sqlite3_column_text(st, 1),
				"release", (const char *)sqlite3_column_text(st, 2),
				"channel", (const char *)sqlite3_column_text(st, 3),
				"status", (const char *)sqlite3_column_text(st, 4),
				"since", (json_int_t)sqlite3_column_int64(st, 5),
				"reason", (const char *)sqlite3_column_text(st, 6),
				"updated", (json_int_t)sqlite3_column_int64(st, 7)));
	if (k == SQLITE_DONE)
		k = db_prepare(db, "SELECT kernel, patch_id, reason, at FROM fleet_hold ORDER BY at",
			       &h);
	if (k >= 0)
		while ((k = sqlite3_step(h)) == SQLITE_ROW)
			json_array_append_new(held, json_pack("{s:s, s:s?, s:s, s:I}", "kernel",
				(const char *)sqlite3_column_text(h, 0),
				"patch_id", (const char *)sqlite3_column_text(h, 1),
				"reason", (const char *)sqlite3_column_text(h, 2),
				"at", (json_int_t)sqlite3_column_int64(h, 3)));
	if (k != SQLITE_DONE) {
		json_decref(*ret);
		*ret = NULL;
		return k < 0 ? k : log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	}
	return *ret ? 0 : -ENOMEM;
}
