/* SPDX-License-Identifier: GPL-2.0-only */
#include "gauge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kver.h"
#include "log.h"
#include "cve/record.h"
#include "strset.h"
#include "util.h"
#include "cve/verdict.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

struct gauge_kernel {
	char *name;
	struct kver version;
	int64_t generation;
	bool full;          /* profile changed or never gauged: every CVE */
	bool headers_known;
	bool sources_known;  /* files lists the whole source ('n': not built) */
	struct strset files; /* path -> 'y' / 'm' / 'n' */
};

static void kernels_free(struct gauge_kernel *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(k[i].name);
		strset_free(&k[i].files);
	}
	free(k);
}

static int load_kernels(struct db *db, const char *only, struct gauge_kernel **ret, size_t *n)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *fs = NULL;
	struct gauge_kernel *ks = NULL;
	size_t cnt = 0;
	int k;

	k = db_prepare(db, "SELECT k.name, k.version, k.generation, k.headers_known,"
		       " g.generation, k.sources_known FROM kernel k LEFT JOIN gauge_state g ON g.kernel = k.name"
		       " WHERE ?1 IS NULL OR k.name = ?1 ORDER BY k.name", &st);
	if (k < 0)
		return k;
	if (only)
		sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
	k = db_prepare(db, "SELECT path, mode FROM kernel_file WHERE kernel = ?", &fs);
	while (k >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct gauge_kernel *g, *grown = realloc(ks, (cnt + 1) * sizeof(*ks));

		if (!grown) {
			k = -ENOMEM;
			break;
		}
		ks = grown;
		g = &ks[cnt++];
		memset(g, 0, sizeof(*g));
		g->name = strdup((const char *)sqlite3_column_text(st, 0));
		if (!g->name || kver_parse((const char *)sqlite3_column_text(st, 1), &g->version) < 0) {
			k = g->name ? log_error_errno(EINVAL, "kernel %s: bad version", g->name) : -ENOMEM;
			break;
		}
		g->generation = sqlite3_column_int64(st, 2);
		g->headers_known = sqlite3_column_int(st, 3);
		g->sources_known = sqlite3_column_int(st, 5);
		g->full = sqlite3_column_type(st, 4) == SQLITE_NULL ||
			  sqlite3_column_int64(st, 4) != g->generation;
		sqlite3_bind_text(fs, 1, g->name, -1, SQLITE_STATIC);
		while (sqlite3_step(fs) == SQLITE_ROW) {
			const char *path = (const char *)sqlite3_column_text(fs, 0);
			struct strset_entry *e;

			if (strset_put(&g->files, path, strlen(path), &e) < 0) {
				k = -ENOMEM;
				break;
			}
			e->value = (void *)(uintptr_t)((const char *)sqlite3_column_text(fs, 1))[0];
		}
		sqlite3_reset(fs);
	}
	if (k < 0) {
		kernels_free(ks, cnt);
		return k;
	}
	if (only && cnt == 0)
		return log_error_errno(ENOENT, "kernel %s: not registered (see kernel list)", only);
	*ret = ks;
	*n = cnt;
	return 0;
}

static bool is_header(const char *path)
{
	size_t n = strlen(path);

	return n > 2 && streq(path + n - 2, ".h");
}

struct gauge_row {
	const char *verdict;
	const char *reason;
	char built; /* 'y', 'm' or 0 */
	char files_built[1024];
};

static void evaluate(const struct gauge_kernel *g, const struct cve_record *r,
		     struct verdict_result *v, struct gauge_row *row)
{
	bool headers_only = r->n_files > 0, present = false;
	size_t off = 0;

	memset(row, 0, sizeof(*row));
	verdict_check(r, &g->version, v);
	if (v->verdict == VERDICT_FIXED) {
		row->verdict = "fixed";
		return;
	}
	if (v->verdict == VERDICT_NOT_AFFECTED) {
		row->verdict = "not-affected-version";
		return;
	}
	if (r->n_files == 0) {
		row->verdict = "unknown";
		row->reason = "the record names no files";
		return;
	}
	for (size_t i = 0; i < r->n_files; i++) {
		struct strset_entry *e = strset_get(&g->files, r->files[i], strlen(r->files[i]));
		char mode = e ? (char)(uintptr_t)e->value : 0;

		headers_only &= is_header(r->files[i]);
		present |= e != NULL;
		if (mode != 'y' && mode != 'm')
			continue;
		if (mode == 'y' || !row->built)
			row->built = mode;
		off += (size_t)snprintf(row->files_built + off,
					off < sizeof(row->files_built) ? sizeof(row->files_built) - off : 0,
					"%s%s", off ? "\n" : "", r->files[i]);
	}
	if (row->built) {
		row->verdict = "affected";
	} else if (headers_only && !g->headers_known) {
		/* a profile made from sources cannot see which headers the build uses */
		row->verdict = "unknown";
		row->reason = "the fix touches only headers";
	} else if (g->sources_known && !present) {
		row->verdict = "unknown";
		row->reason = "none of its files is in this kernel's source (renamed or moved since?)";
	} else {
		row->verdict = "not-affected-config";
	}
}

static int store_row(struct db *db, sqlite3_stmt *ins, const char *kernel, const char *id,
		     const struct gauge_row *row, const struct verdict_result *v)
{
	char built[2] = { row->built, '\0' };

	sqlite3_bind_text(ins, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, row->verdict, -1, SQLITE_STATIC);
	if (row->built)
		sqlite3_bind_text(ins, 4, built, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ins, 4);
	if (row->files_built[0])
		sqlite3_bind_text(ins, 5, row->files_built, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, 5);
	if (row->reason)
		sqlite3_bind_text(ins, 8, row->reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, 8);
	if (v->fixed_version) {
		sqlite3_bind_text(ins, 6, v->fixed_version, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, v->fixed_commit, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(ins, 6);
		sqlite3_bind_null(ins, 7);
	}
	return db_step_done(db, ins);
}

int gauge_refresh(struct db *db, const char *only, struct gauge_stats *st)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *ids = NULL, *ins = NULL, *del = NULL,
						 *state = NULL, *clear = NULL;
	struct gauge_kernel *ks = NULL;
	struct cve_record rec;
	int64_t last_change = 0, since = INT64_MAX;
	bool any_full = false;
	size_t n = 0;
	int k;

	memset(st, 0, sizeof(*st));
	k = db_begin(db);
	if (k < 0)
		return k;
	k = load_kernels(db, only, &ks, &n);
	if (k < 0) {
		db_rollback(db);
		return k;
	}
	st->kernels = (unsigned)n;
	record_init(&rec);
	{
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *q = NULL;

		k = db_prepare(db, "SELECT coalesce(max(id), 0) FROM cve_change", &q);
		if (k >= 0 && sqlite3_step(q) == SQLITE_ROW)
			last_change = sqlite3_column_int64(q, 0);
	}
	/* which CVEs: all when some kernel needs everything, else those changed since the
	 * oldest kernel's last update */
	for (size_t i = 0; k >= 0 && i < n; i++) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *q = NULL;

		any_full |= ks[i].full;
		k = db_prepare(db, "SELECT last_change FROM gauge_state WHERE kernel = ?", &q);
		if (k < 0)
			break;
		sqlite3_bind_text(q, 1, ks[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) < since)
			since = sqlite3_column_int64(q, 0);
	}
	if (k >= 0 && n > 0)
		k = db_prepare(db, any_full ? "SELECT id, NULL FROM cve ORDER BY id"
					    : "SELECT DISTINCT cve_id, max(id) FROM cve_change"
					      " WHERE id > ? GROUP BY cve_id ORDER BY cve_id", &ids);
	if (k >= 0 && n > 0 && !any_full)
		sqlite3_bind_int64(ids, 1, since);
	if (k >= 0)
		k = db_prepare(db, "INSERT OR REPLACE INTO gauge(kernel, cve_id, verdict, built,"
			       " files_built, fixed_version, fixed_commit, reason)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			       &ins);
	if (k >= 0)
		k = db_prepare(db, "DELETE FROM gauge WHERE kernel = ? AND cve_id = ?", &del);
	if (k >= 0)
		k = db_prepare(db, "DELETE FROM gauge WHERE kernel = ?", &clear);
	for (size_t i = 0; k >= 0 && i < n; i++) {
		if (!ks[i].full)
			continue;
		sqlite3_bind_text(clear, 1, ks[i].name, -1, SQLITE_STATIC);
		k = db_step_done(db, clear);
	}
	while (k >= 0 && n > 0 && sqlite3_step(ids) == SQLITE_ROW) {
		_cleanup_free_ char *id = strdup((const char *)sqlite3_column_text(ids, 0));

		if (!id) {
			k = -ENOMEM;
			break;
		}
		k = db_cve_load_versions(db, id, &rec);
		if (k == -ENOENT) {
			k = 0;
			continue;
		}
		if (k < 0)
			break;
		st->recomputed++;
		for (size_t i = 0; k >= 0 && i < n; i++) {
			struct verdict_result v;
			struct gauge_row row;

			if (rec.state == CVE_REJECTED) {
				sqlite3_bind_text(del, 1, ks[i].name, -1, SQLITE_STATIC);
				sqlite3_bind_text(del, 2, id, -1, SQLITE_STATIC);
				k = db_step_done(db, del);
				continue;
			}
			evaluate(&ks[i], &rec, &v, &row);
			k = store_row(db, ins, ks[i].name, id, &row, &v);
			st->evaluations++;
		}
	}
	if (k >= 0)
		k = db_prepare(db, "INSERT OR REPLACE INTO gauge_state(kernel, generation, last_change)"
			       " VALUES (?, ?, ?)", &state);
	for (size_t i = 0; k >= 0 && i < n; i++) {
		sqlite3_bind_text(state, 1, ks[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(state, 2, ks[i].generation);
		sqlite3_bind_int64(state, 3, last_change);
		k = db_step_done(db, state);
	}
	record_free(&rec);
	kernels_free(ks, n);
	k = db_end(db, k);
	if (k < 0)
		return log_error_errno(k, "gauge update failed; verdicts unchanged: %m");
	return 0;
}
