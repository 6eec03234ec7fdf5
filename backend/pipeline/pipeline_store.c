// SPDX-License-Identifier: GPL-2.0-only
/* The pipeline's tables: pipeline_run, pipeline_attempt, pipeline_cumulative (pipeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipeline/pipeline.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

int pipeline_run_begin(struct db *db, long long *id)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "INSERT INTO pipeline_run(started, status) VALUES (?, 'running')",
			   &st);

	if (k < 0)
		return k;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	k = db_step_done(db, st);
	if (k >= 0)
		*id = (long long)sqlite3_last_insert_rowid(db->sql);
	return k;
}

int pipeline_run_end(struct db *db, long long id, const char *status, const char *summary,
		     const json_t *report)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	_cleanup_free_ char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
	int k = db_prepare(db, "UPDATE pipeline_run SET ended = ?, status = ?, summary = ?,"
			   " report = ? WHERE id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, id);
	return db_step_done(db, st);
}

int pipeline_runs_interrupted(struct db *db, unsigned *n)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "UPDATE pipeline_run SET status = 'interrupted',"
			   " summary = 'interrupted: the run died before it ended'"
			   " WHERE status = 'running'", &st);

	if (k < 0)
		return k;
	k = db_step_done(db, st);
	*n = k < 0 ? 0 : (unsigned)sqlite3_changes(db->sql);
	return k;
}

int pipeline_attempted(struct db *db, const char *kernel, const char *cve, const char *fix_key)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT 1 FROM pipeline_attempt WHERE kernel = ? AND cve_id = ?"
			   " AND fix_key = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cve, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, fix_key, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_ROW)
		return 1;
	return k == SQLITE_DONE ? 0 : -EIO;
}

int pipeline_attempt_put(struct db *db, long long run_id, const struct pipeline_attempt *a)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *del = NULL, *ins = NULL;
	int k = db_begin(db);

	if (k < 0)
		return k;
	k = db_prepare(db, "DELETE FROM pipeline_attempt WHERE kernel = ? AND cve_id = ?", &del);
	if (k >= 0) {
		sqlite3_bind_text(del, 1, a->kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 2, a->cve, -1, SQLITE_STATIC);
		k = db_step_done(db, del);
	}
	if (k >= 0)
		k = db_prepare(db, "INSERT INTO pipeline_attempt(kernel, cve_id, fix_key, run_id,"
			       " outcome, step, reason, fix_order, patch, seconds, at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins);
	if (k >= 0) {
		sqlite3_bind_text(ins, 1, a->kernel, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, a->cve, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, a->fix_key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4, run_id);
		sqlite3_bind_text(ins, 5, a->outcome, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, a->step, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, a->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 8, a->fix_order);
		sqlite3_bind_text(ins, 9, a->patch, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 10, a->seconds);
		sqlite3_bind_int64(ins, 11, (sqlite3_int64)time(NULL));
		k = db_step_done(db, ins);
	}
	return db_end(db, k);
}

static char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

void pipeline_attempts_free(struct pipeline_attempt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kernel), free(v[i].cve), free(v[i].fix_key), free(v[i].outcome);
		free(v[i].step), free(v[i].reason), free(v[i].patch);
	}
	free(v);
}

int pipeline_vetted(struct db *db, const char *kernel, struct pipeline_attempt **ret, size_t *n)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	struct pipeline_attempt *v = NULL;
	size_t cnt = 0;
	int k = db_prepare(db, "SELECT cve_id, fix_key, patch, fix_order FROM pipeline_attempt"
			   " WHERE kernel = ? AND outcome = 'vetted' AND patch IS NOT NULL"
			   " ORDER BY fix_order, cve_id", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		struct pipeline_attempt *g = realloc(v, (cnt + 1) * sizeof(*g));

		if (!g) {
			pipeline_attempts_free(v, cnt);
			return -ENOMEM;
		}
		v = g;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].cve = col(st, 0);
		v[cnt].fix_key = col(st, 1);
		v[cnt].patch = col(st, 2);
		v[cnt].fix_order = sqlite3_column_int64(st, 3);
		if (!v[cnt++].patch) {
			pipeline_attempts_free(v, cnt);
			return -ENOMEM;
		}
	}
	if (k != SQLITE_DONE) {
		pipeline_attempts_free(v, cnt);
		return -EIO;
	}
	*ret = v;
	*n = cnt;
	return 0;
}

int pipeline_cumulative_put(struct db *db, const char *kernel, long long version,
			    const char *patch_id, const char *cves, const char *target,
			    long long run_id)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "INSERT OR REPLACE INTO pipeline_cumulative(kernel, version,"
			   " patch_id, cves, target, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, patch_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cves, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, run_id);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	return db_step_done(db, st);
}

int pipeline_cumulative_last(struct db *db, const char *kernel, long long *version)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT coalesce(max(version), 0) FROM pipeline_cumulative"
			   " WHERE kernel = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -EIO;
	*version = sqlite3_column_int64(st, 0);
	return 0;
}

int pipeline_runs(struct db *db, unsigned n, json_t **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int k = db_prepare(db, "SELECT id, started, ended, status, summary, report"
			   " FROM pipeline_run ORDER BY id DESC LIMIT ?", &st);

	if (!arr || k < 0) {
		json_decref(arr);
		return k < 0 ? k : -ENOMEM;
	}
	sqlite3_bind_int(st, 1, (int)n);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 5);
		json_t *rep = text ? json_loads(text, 0, NULL) : NULL;

		json_array_append_new(arr, json_pack("{s:I, s:I, s:o, s:s, s:s?, s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"started", (json_int_t)sqlite3_column_int64(st, 1),
			"ended", sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null() :
				json_integer(sqlite3_column_int64(st, 2)),
			"status", (const char *)sqlite3_column_text(st, 3),
			"summary", (const char *)sqlite3_column_text(st, 4),
			"report", rep ? rep : json_null()));
	}
	*ret = arr;
	return 0;
}
