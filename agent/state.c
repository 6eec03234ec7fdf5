/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "state.h"
#include "util.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS patches (id TEXT PRIMARY KEY, module TEXT NOT NULL,"
	" target TEXT NOT NULL, kernel_release TEXT NOT NULL, cves TEXT NOT NULL,"
	" state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', file TEXT NOT NULL DEFAULT '',"
	" sha256 TEXT NOT NULL DEFAULT '', boot_id TEXT NOT NULL DEFAULT '',"
	" version INTEGER NOT NULL, since INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS applying (id TEXT PRIMARY KEY, boot_id TEXT NOT NULL,"
	" started INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL, patch TEXT, kind TEXT NOT NULL, message TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

static int sql_error(struct agent_state *st, const char *what)
{
	log_error("state: %s: %s", what, sqlite3_errmsg(st->db));
	return -EIO;
}

int state_open(const char *path, struct agent_state *ret)
{
	struct agent_state st = { 0 };
	char *err = NULL;

	if (sqlite3_open_v2(path, &st.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error("state: %s: %s", path, st.db ? sqlite3_errmsg(st.db) : "out of memory");
		sqlite3_close(st.db);
		return -EIO;
	}
	sqlite3_busy_timeout(st.db, 5000);
	if (sqlite3_exec(st.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
			 &err) != SQLITE_OK ||
	    sqlite3_exec(st.db, schema, NULL, NULL, &err) != SQLITE_OK) {
		log_error("state: %s: %s", path, err ? err : "?");
		sqlite3_free(err);
		sqlite3_close(st.db);
		return -EIO;
	}
	/* keep the event log bounded */
	sqlite3_exec(st.db, "DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - 10000;",
		     NULL, NULL, NULL);
	*ret = st;
	return 0;
}

void state_close(struct agent_state *st)
{
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

void patch_rec_free(struct patch_rec *p)
{
	free(p->id);
	free(p->module);
	free(p->target);
	free(p->kernel_release);
	free(p->cves);
	free(p->state);
	free(p->reason);
	free(p->file);
	free(p->sha256);
	free(p->boot_id);
	*p = (struct patch_rec){ 0 };
}

void patch_recs_free(struct patch_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		patch_rec_free(&v[i]);
	free(v);
}

#define PATCH_COLS "id, module, target, kernel_release, cves, state, reason, file, sha256, " \
	"boot_id, version, since"

static int row_to_patch(sqlite3_stmt *s, struct patch_rec *p)
{
	*p = (struct patch_rec){
		.id = col_dup(s, 0), .module = col_dup(s, 1), .target = col_dup(s, 2),
		.kernel_release = col_dup(s, 3), .cves = col_dup(s, 4), .state = col_dup(s, 5),
		.reason = col_dup(s, 6), .file = col_dup(s, 7), .sha256 = col_dup(s, 8),
		.boot_id = col_dup(s, 9), .version = sqlite3_column_int64(s, 10),
		.since = sqlite3_column_int64(s, 11),
	};
	if (!p->id || !p->module || !p->target || !p->kernel_release || !p->cves || !p->state ||
	    !p->reason || !p->file || !p->sha256 || !p->boot_id) {
		patch_rec_free(p);
		return -ENOMEM;
	}
	return 0;
}

int state_patch_put(struct agent_state *st, const struct patch_rec *p)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO patches (" PATCH_COLS
			       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, strempty(p->module), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, strempty(p->target), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, strempty(p->kernel_release), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, p->cves ? p->cves : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, strempty(p->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, strempty(p->reason), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, strempty(p->file), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, strempty(p->sha256), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, strempty(p->boot_id), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 11, p->version);
	sqlite3_bind_int64(s, 12, p->since ? p->since : (int64_t)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_error(st, "write patch");
}

int state_patch_get(struct agent_state *st, const char *id, struct patch_rec *ret)
{
	sqlite3_stmt *s;
	int rc, r;

	if (sqlite3_prepare_v2(st->db, "SELECT " PATCH_COLS " FROM patches WHERE id = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	r = rc == SQLITE_ROW ? row_to_patch(s, ret) : rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(s);
	return r;
}

int state_patch_list(struct agent_state *st, struct patch_rec **ret, size_t *n)
{
	struct patch_rec *v = NULL;
	size_t count = 0;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT " PATCH_COLS " FROM patches ORDER BY since, id", -1,
			       &s, NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct patch_rec *nv = reallocarray(v, count + 1, sizeof(*v));

		if (!nv || row_to_patch(s, &nv[count]) < 0) {
			patch_recs_free(nv ? nv : v, count);
			sqlite3_finalize(s);
			return -ENOMEM;
		}
		v = nv;
		count++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		patch_recs_free(v, count);
		return sql_error(st, "list patches");
	}
	*ret = v;
	*n = count;
	return 0;
}

int state_patch_set(struct agent_state *st, const char *id, const char *state, const char *reason)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE patches SET since = CASE WHEN state = ?2 THEN since"
			       " ELSE ?4 END, state = ?2, reason = ?3 WHERE id = ?1", -1, &s,
			       NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, strempty(reason), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_error(st, "update patch");
	return sqlite3_changes(st->db) ? 0 : -ENOENT;
}

int state_applying_open(struct agent_state *st, const char *id, const char *boot_id)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO applying VALUES (?, ?, ?)", -1, &s,
			       NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	/* synchronous=FULL: on disk once the statement is done */
	return rc == SQLITE_DONE ? 0 : sql_error(st, "write applying record");
}

int state_applying_close(struct agent_state *st, const char *id)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM applying WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_error(st, "close applying record");
}

void applying_recs_free(struct applying_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].boot_id);
	}
	free(v);
}

int state_applying_list(struct agent_state *st, struct applying_rec **ret, size_t *n)
{
	struct applying_rec *v = NULL;
	size_t count = 0;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT id, boot_id, started FROM applying", -1, &s, NULL) !=
	    SQLITE_OK)
		return sql_error(st, "prepare");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct applying_rec *nv = reallocarray(v, count + 1, sizeof(*v));

		if (!nv) {
			applying_recs_free(v, count);
			sqlite3_finalize(s);
			return -ENOMEM;
		}
		v = nv;
		v[count] = (struct applying_rec){ col_dup(s, 0), col_dup(s, 1),
						  sqlite3_column_int64(s, 2) };
		count++;
	}
	sqlite3_finalize(s);
	*ret = v;
	*n = count;
	return rc == SQLITE_DONE ? 0 : sql_error(st, "list applying records");
}

int state_event(struct agent_state *st, const char *patch, const char *kind, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	sqlite3_stmt *s;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		msg = NULL;
		return -ENOMEM;
	}
	if (sqlite3_prepare_v2(st->db, "INSERT INTO events (time, patch, kind, message) "
			       "VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
	if (patch)
		sqlite3_bind_text(s, 2, patch, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, msg, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_error(st, "write event");
}

int state_events_json(struct agent_state *st, int64_t after, int limit, json_t **ret)
{
	json_t *a = json_array();
	sqlite3_stmt *s;
	int rc;

	if (!a)
		return -ENOMEM;
	if (sqlite3_prepare_v2(st->db, "SELECT seq, time, patch, kind, message FROM events "
			       "WHERE seq > ? ORDER BY seq LIMIT ?", -1, &s, NULL) != SQLITE_OK) {
		json_decref(a);
		return sql_error(st, "prepare");
	}
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *patch = (const char *)sqlite3_column_text(s, 2);

		json_array_append_new(a, json_pack("{s:I, s:I, s:s?, s:s, s:s}",
			"seq", (json_int_t)sqlite3_column_int64(s, 0),
			"time", (json_int_t)sqlite3_column_int64(s, 1), "patch", patch,
			"kind", (const char *)sqlite3_column_text(s, 3),
			"message", (const char *)sqlite3_column_text(s, 4)));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return sql_error(st, "read events");
	}
	*ret = a;
	return 0;
}

int state_meta_get(struct agent_state *st, const char *key, char **ret)
{
	sqlite3_stmt *s;
	int rc, r = -ENOENT;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret = col_dup(s, 0);
		r = *ret ? 0 : -ENOMEM;
	}
	sqlite3_finalize(s);
	return r;
}

int state_meta_set(struct agent_state *st, const char *key, const char *value)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES (?, ?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return sql_error(st, "prepare");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_error(st, "write setting");
}
