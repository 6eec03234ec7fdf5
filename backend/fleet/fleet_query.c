/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `fleet nodes|node|patches` show, as JSON documents: each node with its state in one
 * word, and each patch with its nodes' states per channel, its rollout and the evidence
 * that convicts it, grouped by the kernel-log report's title.
 */
#include <errno.h>
#include <string.h>

#include "fleet/fleet.h"
#include "log.h"
#include "util.h"

#define RECENT_REPORTS 20

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static json_t *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? json_string(s) : json_null();
}

static json_t *col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
		json_integer(sqlite3_column_int64(st, i));
}

static int db_failed(struct fleet *f)
{
	struct db *db = fleet_db(f);

	return log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
}

/* The node's state in one word; the worst first, a node's silence before its patches'. */
static const char *node_state(json_t *node, json_t *patches, int64_t now, long stale)
{
	static const char *const order[] = { "quarantined", "failed", "stalled", "applied",
					     "applying", "pending" };
	static const char *const word[] = { "quarantined", "apply-failed", "stalled", "applied",
					    "pending", "pending" };
	json_t *last = json_object_get(node, "last_report");
	int64_t interval = json_integer_value(json_object_get(node, "interval"));
	size_t i;
	json_t *p;

	if (!json_is_null(json_object_get(node, "revoked")))
		return "revoked";
	if (json_is_null(last))
		return "enrolled";
	if (interval > 0 && now - json_integer_value(last) > stale * interval)
		return "stale";
	for (size_t o = 0; o < ELEMENTSOF(order); o++)
		json_array_foreach(patches, i, p)
			if (streq(json_string_value(json_object_get(p, "state")), order[o]))
				return word[o];
	return "no-patch-for-kernel";
}

static json_t *patch_row(sqlite3_stmt *st, int first)
{
	const char *ev = (const char *)sqlite3_column_text(st, first + 6);
	json_t *evidence = ev ? json_loads(ev, 0, NULL) : NULL;

	return json_pack("{sosIsosososIso}",
		"id", col_text(st, first),
		"version", (json_int_t)sqlite3_column_int64(st, first + 1),
		"state", col_text(st, first + 2),
		"reason", col_text(st, first + 3),
		"channel", col_text(st, first + 5),
		"since", (json_int_t)sqlite3_column_int64(st, first + 4),
		"evidence", evidence ? evidence : json_null());
}

#define NODE_COLUMNS \
	"id, hostname, machine_id, kernel_release, build_id, channel, last_report, last_seq," \
	" interval, last_event, enrolled, revoked, revoked_reason, address, boot_id, uptime, taint"

static json_t *node_row(sqlite3_stmt *st)
{
	return json_pack("{" "sososososososo" "sI" "sososososososososo" "}",
		"id", col_text(st, 0), "hostname", col_text(st, 1), "machine_id", col_text(st, 2),
		"kernel", col_text(st, 3), "build_id", col_text(st, 4), "channel", col_text(st, 5),
		"last_report", col_int(st, 6),
		"last_seq", (json_int_t)sqlite3_column_int64(st, 7),
		"interval", col_int(st, 8), "last_event", col_text(st, 9),
		"enrolled", col_int(st, 10), "revoked", col_int(st, 11),
		"revoked_reason", col_text(st, 12), "address", col_text(st, 13),
		"boot_id", col_text(st, 14), "uptime", col_int(st, 15), "taint", col_int(st, 16));
}

int fleet_nodes(struct fleet *f, int64_t now, json_t **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *ns = NULL, *ps = NULL;
	struct db *db = fleet_db(f);
	json_t *list = json_array();
	int k, pk;

	if (!list)
		return log_error_errno(ENOMEM, "out of memory");
	/* both in node order: one merge pass, whatever the fleet's size */
	k = db_prepare(db, "SELECT " NODE_COLUMNS " FROM fleet_node ORDER BY id", &ns);
	if (k >= 0)
		k = db_prepare(db, "SELECT node, patch_id, version, state, reason, since, channel,"
			       " evidence FROM fleet_patch ORDER BY node, patch_id", &ps);
	if (k < 0) {
		json_decref(list);
		return k;
	}
	pk = sqlite3_step(ps);
	while ((k = sqlite3_step(ns)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(ns, 0);
		json_t *node = node_row(ns), *patches = json_array();

		while (pk == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(ps, 0), id) < 0)
			pk = sqlite3_step(ps);
		for (; pk == SQLITE_ROW && streq((const char *)sqlite3_column_text(ps, 0), id);
		     pk = sqlite3_step(ps))
			json_array_append_new(patches, patch_row(ps, 1));
		if (!node || !patches) {
			json_decref(node), json_decref(patches), json_decref(list);
			return log_error_errno(ENOMEM, "out of memory");
		}
		json_object_set_new(node, "state", json_string(node_state(node, patches, now,
						fleet_stale_intervals(f))));
		json_object_set_new(node, "patches", patches);
		json_array_append_new(list, node);
	}
	if (k != SQLITE_DONE || (pk != SQLITE_DONE && pk != SQLITE_ROW)) {
		json_decref(list);
		return db_failed(f);
	}
	*ret = list;
	return 0;
}

int fleet_node(struct fleet *f, const char *id, int64_t now, json_t **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *ns = NULL, *ps = NULL, *rs = NULL;
	struct db *db = fleet_db(f);
	json_t *node, *patches, *reports, *report;
	const char *body;
	int k;

	k = db_prepare(db, "SELECT " NODE_COLUMNS ", report FROM fleet_node WHERE id = ?", &ns);
	if (k >= 0)
		k = db_prepare(db, "SELECT patch_id, version, state, reason, since, channel, evidence"
			       " FROM fleet_patch WHERE node = ? ORDER BY patch_id", &ps);
	if (k >= 0)
		k = db_prepare(db, "SELECT seq, received, event FROM fleet_report WHERE node = ?"
			       " ORDER BY seq DESC LIMIT ?", &rs);
	if (k < 0)
		return k;
	sqlite3_bind_text(ns, 1, id, -1, SQLITE_STATIC);
	k = sqlite3_step(ns);
	if (k == SQLITE_DONE)
		return -ENOENT;
	if (k != SQLITE_ROW)
		return db_failed(f);
	node = node_row(ns);
	patches = json_array();
	reports = json_array();
	body = (const char *)sqlite3_column_text(ns, 17);
	report = body ? json_loads(body, 0, NULL) : NULL;
	if (!node || !patches || !reports) {
		json_decref(node), json_decref(patches), json_decref(reports), json_decref(report);
		return log_error_errno(ENOMEM, "out of memory");
	}
	sqlite3_bind_text(ps, 1, id, -1, SQLITE_STATIC);
	while ((k = sqlite3_step(ps)) == SQLITE_ROW)
		json_array_append_new(patches, patch_row(ps, 0));
	sqlite3_bind_text(rs, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(rs, 2, RECENT_REPORTS);
	if (k == SQLITE_DONE)
		while ((k = sqlite3_step(rs)) == SQLITE_ROW)
			json_array_append_new(reports, json_pack("{sIsIso}",
				"seq", (json_int_t)sqlite3_column_int64(rs, 0),
				"received", (json_int_t)sqlite3_column_int64(rs, 1),
				"event", col_text(rs, 2)));
	if (k != SQLITE_DONE) {
		json_decref(node), json_decref(patches), json_decref(reports), json_decref(report);
		return db_failed(f);
	}
	json_object_set_new(node, "state", json_string(node_state(node, patches, now,
					fleet_stale_intervals(f))));
	json_object_set_new(node, "patches", patches);
	json_object_set_new(node, "recent_reports", reports);
	json_object_set_new(node, "report", report ? report : json_null());
	*ret = node;
	return 0;
}

/* The patch's entry in list (the last one, since rows come in patch order), made when new. */
static json_t *patch_entry(json_t *list, const char *id)
{
	json_t *last = json_array_get(list, json_array_size(list) - 1), *e;

	if (last && streq(json_string_value(json_object_get(last, "id")), id))
		return last;
	e = json_pack("{ss s[] so s[]}", "id", id, "channels", "rollout", json_null(),
		      "convictions");
	if (e)
		json_array_append_new(list, e);
	return e;
}

static int add_states(struct fleet *f, json_t *list)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	/* a revoked node's word no longer counts */
	k = db_prepare(fleet_db(f), "SELECT p.patch_id, coalesce(p.channel, ''), p.state,"
		       " count(*) FROM fleet_patch p JOIN fleet_node n ON n.id = p.node"
		       " WHERE n.revoked IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", &st);
	if (k < 0)
		return k;
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *e = patch_entry(list, (const char *)sqlite3_column_text(st, 0));
		json_t *channels = json_object_get(e, "channels");
		json_t *ch = json_array_get(channels, json_array_size(channels) - 1);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		json_int_t n = sqlite3_column_int64(st, 3);

		if (!e)
			return log_error_errno(ENOMEM, "out of memory");
		if (!ch || !streq(json_string_value(json_object_get(ch, "channel")), name)) {
			ch = json_pack("{sssIs{}}", "channel", name, "nodes", (json_int_t)0,
				       "states");
			if (!ch || json_array_append_new(channels, ch) < 0)
				return log_error_errno(ENOMEM, "out of memory");
		}
		json_object_set_new(json_object_get(ch, "states"),
				    (const char *)sqlite3_column_text(st, 2), json_integer(n));
		json_object_set_new(ch, "nodes", json_integer(
			json_integer_value(json_object_get(ch, "nodes")) + n));
	}
	return k == SQLITE_DONE ? 0 : db_failed(f);
}

static int add_rollouts_and_convictions(struct fleet *f, json_t *list)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *rs = NULL, *cs = NULL;
	size_t i;
	json_t *e;
	int k;

	k = db_prepare(fleet_db(f), "SELECT channel, status, reason, since FROM fleet_rollout"
		       " WHERE patch_id = ?", &rs);
	if (k >= 0)
		k = db_prepare(fleet_db(f), "SELECT json_extract(p.evidence, '$.title'),"
			       " json_extract(p.evidence, '$.type'),"
			       " json_extract(p.evidence, '$.strength'), p.node FROM fleet_patch p"
			       " JOIN fleet_node n ON n.id = p.node WHERE p.patch_id = ?"
			       " AND n.revoked IS NULL AND p.state = 'quarantined'"
			       " AND p.evidence IS NOT NULL ORDER BY 1, 4", &cs);
	if (k < 0)
		return k;
	json_array_foreach(list, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		json_t *convictions = json_object_get(e, "convictions"), *c = NULL;

		sqlite3_reset(rs);
		sqlite3_bind_text(rs, 1, id, -1, SQLITE_TRANSIENT);
		k = sqlite3_step(rs);
		if (k == SQLITE_ROW)
			json_object_set_new(e, "rollout", json_pack("{sososIso}",
				"channel", col_text(rs, 0), "status", col_text(rs, 1),
				"since", (json_int_t)sqlite3_column_int64(rs, 3),
				"reason", col_text(rs, 2)));
		else if (k != SQLITE_DONE)
			return db_failed(f);
		sqlite3_reset(cs);
		sqlite3_bind_text(cs, 1, id, -1, SQLITE_TRANSIENT);
		while ((k = sqlite3_step(cs)) == SQLITE_ROW) {
			const char *title = (const char *)sqlite3_column_text(cs, 0);

			title = title ? title : "";
			if (!c || !streq(json_string_value(json_object_get(c, "title")), title)) {
				c = json_pack("{sssoso s[] sI}", "title", title,
					      "type", col_text(cs, 1), "strength", col_text(cs, 2),
					      "node_ids", "nodes", (json_int_t)0);
				if (!c || json_array_append_new(convictions, c) < 0)
					return log_error_errno(ENOMEM, "out of memory");
			}
			json_array_append_new(json_object_get(c, "node_ids"), col_text(cs, 3));
			json_object_set_new(c, "nodes", json_integer(
				(json_int_t)json_array_size(json_object_get(c, "node_ids"))));
		}
		if (k != SQLITE_DONE)
			return db_failed(f);
	}
	return 0;
}

/* A published patch no node reports yet still has its rollout to show. */
static int add_unreported(struct fleet *f, json_t *list)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	k = db_prepare(fleet_db(f), "SELECT patch_id FROM fleet_rollout WHERE patch_id NOT IN"
		       " (SELECT p.patch_id FROM fleet_patch p JOIN fleet_node n ON n.id = p.node"
		       " WHERE n.revoked IS NULL) ORDER BY 1", &st);
	if (k < 0)
		return k;
	while ((k = sqlite3_step(st)) == SQLITE_ROW)
		if (!patch_entry(list, (const char *)sqlite3_column_text(st, 0)))
			return log_error_errno(ENOMEM, "out of memory");
	return k == SQLITE_DONE ? 0 : db_failed(f);
}

int fleet_patches(struct fleet *f, json_t **ret)
{
	json_t *list = json_array();
	int k;

	if (!list)
		return log_error_errno(ENOMEM, "out of memory");
	k = add_states(f, list);
	if (k >= 0)
		k = add_unreported(f, list);
	if (k >= 0)
		k = add_rollouts_and_convictions(f, list);
	if (k < 0) {
		json_decref(list);
		return k;
	}
	*ret = list;
	return 0;
}
