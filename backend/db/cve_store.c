/* SPDX-License-Identifier: GPL-2.0-only */
/* Persistence of parsed CVE records (the db_cve_* functions of db.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

enum {
	S_STAMP,
	S_INSERT_CVE,
	S_DEL_PRODUCT,
	S_DEL_RANGE,
	S_DEL_DYAD,
	S_DEL_FILE,
	S_DEL_COMMIT,
	S_DEL_REF,
	S_INS_PRODUCT,
	S_INS_RANGE,
	S_INS_DYAD,
	S_INS_FILE,
	S_INS_COMMIT,
	S_INS_REF,
	S_SET_STATE,
	S_CHANGE,
	S_LOAD_CVE,
	S_LOAD_PRODUCT,
	S_LOAD_RANGE,
	S_LOAD_DYAD,
	S_LOAD_FILE,
	S_LOAD_COMMIT,
	S_LOAD_REF,
	S_LOAD_STATE,
};

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int db_cve_stamp(struct db *db, const char *id, struct db_cve_stamp *ret)
{
	sqlite3_stmt *st;
	int k;

	memset(ret, 0, sizeof(*ret));
	k = db_cached(db, S_STAMP, "SELECT state, blobs FROM cve WHERE id = ?", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_ROW) {
		ret->exists = true;
		ret->state = streq((const char *)sqlite3_column_text(st, 0), "rejected")
				     ? CVE_REJECTED : CVE_PUBLISHED;
		ret->blobs = strdup((const char *)sqlite3_column_text(st, 1));
		k = ret->blobs ? 0 : -ENOMEM;
	} else {
		k = k == SQLITE_DONE ? 0 : log_error_errno(EIO, "%s: %s", db->path,
							   sqlite3_errmsg(db->sql));
	}
	sqlite3_reset(st);
	return k;
}

static int delete_children(struct db *db, const char *id)
{
	static const char *const sql[] = {
		[S_DEL_PRODUCT] = "DELETE FROM cve_product WHERE cve_id = ?",
		[S_DEL_RANGE] = "DELETE FROM cve_range WHERE cve_id = ?",
		[S_DEL_DYAD] = "DELETE FROM cve_dyad WHERE cve_id = ?",
		[S_DEL_FILE] = "DELETE FROM cve_file WHERE cve_id = ?",
		[S_DEL_COMMIT] = "DELETE FROM cve_commit WHERE cve_id = ?",
		[S_DEL_REF] = "DELETE FROM cve_reference WHERE cve_id = ?",
	};

	for (unsigned s = S_DEL_PRODUCT; s <= S_DEL_REF; s++) {
		sqlite3_stmt *st;
		int k = db_cached(db, s, sql[s], &st);

		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		k = db_step_done(db, st);
		if (k < 0)
			return k;
	}
	return 0;
}

static int store_list(struct db *db, unsigned slot, const char *sql, const char *id,
		      const char *kind, const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st;
		int k = db_cached(db, slot, sql, &st), c = 1;

		if (k < 0)
			return k;
		sqlite3_bind_text(st, c++, id, -1, SQLITE_STATIC);
		if (kind)
			sqlite3_bind_text(st, c++, kind, -1, SQLITE_STATIC);
		if (slot != S_INS_FILE)
			sqlite3_bind_int64(st, c++, (sqlite3_int64)i);
		sqlite3_bind_text(st, c, items[i], -1, SQLITE_STATIC);
		k = db_step_done(db, st);
		if (k < 0)
			return k;
	}
	return 0;
}

int db_cve_store(struct db *db, const struct cve_record *r, const struct db_store_info *info)
{
	sqlite3_stmt *st;
	int k;

	/* Keeps first_seen of an existing row; everything else is replaced. */
	k = db_cached(db, S_INSERT_CVE,
		      "INSERT INTO cve(id, state, dir, title, description, notes, data_version,"
		      " cvss_vector, cvss_score, cvss_severity, blobs, first_seen,"
		      " first_seen_commit, modified, modified_commit)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?12, ?13)"
		      " ON CONFLICT(id) DO UPDATE SET state = excluded.state, dir = excluded.dir,"
		      " title = excluded.title, description = excluded.description,"
		      " notes = excluded.notes, data_version = excluded.data_version,"
		      " cvss_vector = excluded.cvss_vector, cvss_score = excluded.cvss_score,"
		      " cvss_severity = excluded.cvss_severity, blobs = excluded.blobs,"
		      " modified = excluded.modified, modified_commit = excluded.modified_commit",
		      &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cve_state_to_string(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, info->dir, -1, SQLITE_STATIC);
	bind_opt(st, 4, r->title);
	bind_opt(st, 5, r->description);
	bind_opt(st, 6, r->notes);
	bind_opt(st, 7, r->data_version);
	bind_opt(st, 8, r->cvss_vector);
	if (r->cvss_vector)
		sqlite3_bind_double(st, 9, r->cvss_score);
	bind_opt(st, 10, r->cvss_vector ? r->cvss_severity : NULL);
	sqlite3_bind_text(st, 11, info->blobs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, info->commit_time);
	sqlite3_bind_text(st, 13, info->commit, -1, SQLITE_STATIC);
	k = db_step_done(db, st);
	if (k < 0)
		return k;

	k = delete_children(db, r->id);
	if (k < 0)
		return k;

	for (unsigned p = 0; p < r->n_products; p++) {
		k = db_cached(db, S_INS_PRODUCT,
			      "INSERT INTO cve_product(cve_id, idx, default_status, is_git)"
			      " VALUES (?, ?, ?, ?)", &st);
		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)p);
		sqlite3_bind_text(st, 3, range_status_to_string(r->products[p].default_status), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 4, r->products[p].is_git);
		k = db_step_done(db, st);
		if (k < 0)
			return k;
	}
	for (size_t i = 0; i < r->n_ranges; i++) {
		const struct cve_range *rg = &r->ranges[i];

		k = db_cached(db, S_INS_RANGE,
			      "INSERT INTO cve_range(cve_id, seq, product, version, less_than,"
			      " less_than_or_equal, version_type, status)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int(st, 3, (int)rg->product);
		sqlite3_bind_text(st, 4, rg->version, -1, SQLITE_STATIC);
		bind_opt(st, 5, rg->less_than);
		bind_opt(st, 6, rg->less_than_or_equal);
		bind_opt(st, 7, rg->version_type);
		sqlite3_bind_text(st, 8, range_status_to_string(rg->status), -1, SQLITE_STATIC);
		k = db_step_done(db, st);
		if (k < 0)
			return k;
	}
	for (size_t i = 0; i < r->n_dyads; i++) {
		const struct cve_dyad *d = &r->dyads[i];

		k = db_cached(db, S_INS_DYAD,
			      "INSERT INTO cve_dyad(cve_id, seq, vuln_version, vuln_commit,"
			      " fixed_version, fixed_commit) VALUES (?, ?, ?, ?, ?, ?)", &st);
		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_opt(st, 3, d->vuln_version);
		bind_opt(st, 4, d->vuln_commit);
		bind_opt(st, 5, d->fixed_version);
		bind_opt(st, 6, d->fixed_commit);
		k = db_step_done(db, st);
		if (k < 0)
			return k;
	}
	k = store_list(db, S_INS_FILE, "INSERT OR IGNORE INTO cve_file(cve_id, path) VALUES (?, ?)",
		       r->id, NULL, r->files, r->n_files);
	if (k >= 0)
		k = store_list(db, S_INS_COMMIT,
			       "INSERT INTO cve_commit(cve_id, kind, seq, commit_id) VALUES (?, ?, ?, ?)",
			       r->id, "mainline_fix", r->mainline_fixes, r->n_mainline_fixes);
	if (k >= 0)
		k = store_list(db, S_INS_COMMIT,
			       "INSERT INTO cve_commit(cve_id, kind, seq, commit_id) VALUES (?, ?, ?, ?)",
			       r->id, "vulnerable", r->vulnerable, r->n_vulnerable);
	if (k >= 0)
		k = store_list(db, S_INS_REF,
			       "INSERT INTO cve_reference(cve_id, seq, url) VALUES (?, ?, ?)", r->id,
			       NULL, r->references, r->n_references);
	return k;
}

int db_cve_set_state(struct db *db, const char *id, enum cve_state state)
{
	sqlite3_stmt *st;
	int k = db_cached(db, S_SET_STATE, "UPDATE cve SET state = ? WHERE id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, cve_state_to_string(state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return db_step_done(db, st);
}

int db_cve_change(struct db *db, const char *id, int64_t scan_id, const char *kind, int64_t at,
		  const char *detail)
{
	sqlite3_stmt *st;
	int k = db_cached(db, S_CHANGE,
			  "INSERT INTO cve_change(cve_id, scan_id, kind, at, detail)"
			  " VALUES (?, ?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scan_id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	bind_opt(st, 5, detail);
	return db_step_done(db, st);
}

static const char *col_dup(struct cve_record *r, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? arena_strdup(&r->arena, (const char *)s) : NULL;
}

static enum range_status status_from(const unsigned char *s)
{
	if (s && streq((const char *)s, "affected"))
		return RANGE_AFFECTED;
	if (s && streq((const char *)s, "unaffected"))
		return RANGE_UNAFFECTED;
	return RANGE_UNKNOWN;
}

/* Runs a per-id query and returns its rows one at a time through *st. */
static int load_query(struct db *db, unsigned slot, const char *sql, const char *id,
		      sqlite3_stmt **st)
{
	int k = db_cached(db, slot, sql, st);

	if (k < 0)
		return k;
	sqlite3_bind_text(*st, 1, id, -1, SQLITE_STATIC);
	return 0;
}

static int count_rows(struct db *db, sqlite3_stmt *st, size_t *n)
{
	int k;

	*n = 0;
	while ((k = sqlite3_step(st)) == SQLITE_ROW)
		(*n)++;
	sqlite3_reset(st);
	return k == SQLITE_DONE ? 0 : log_error_errno(EIO, "%s: %s", db->path,
						      sqlite3_errmsg(db->sql));
}

static int load_strings(struct db *db, unsigned slot, const char *sql, struct cve_record *r,
			const char *kind, const char ***arr, size_t *n)
{
	sqlite3_stmt *st;
	size_t cnt, i = 0;
	int k;

	k = load_query(db, slot, sql, r->id, &st);
	if (k < 0)
		return k;
	if (kind)
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	k = count_rows(db, st, &cnt);
	if (k < 0 || cnt == 0)
		return k;
	*arr = arena_alloc(&r->arena, cnt * sizeof(**arr));
	if (!*arr)
		return -ENOMEM;
	while (i < cnt && sqlite3_step(st) == SQLITE_ROW)
		(*arr)[i++] = col_dup(r, st, 0);
	sqlite3_reset(st);
	*n = i;
	return 0;
}

static int load_versions(struct db *db, struct cve_record *r);

/* Resets r and reads the cve row's id and state (its first two columns); st stays on the row. */
static int load_head(struct db *db, unsigned slot, const char *sql, const char *id,
		     struct cve_record *r, sqlite3_stmt **st)
{
	int k;

	record_reset(r);
	k = load_query(db, slot, sql, id, st);
	if (k < 0)
		return k;
	if (sqlite3_step(*st) != SQLITE_ROW) {
		sqlite3_reset(*st);
		return -ENOENT;
	}
	snprintf(r->id, sizeof(r->id), "%s", (const char *)sqlite3_column_text(*st, 0));
	r->state = streq((const char *)sqlite3_column_text(*st, 1), "rejected") ? CVE_REJECTED
									       : CVE_PUBLISHED;
	return 0;
}

int db_cve_load_versions(struct db *db, const char *id, struct cve_record *r)
{
	sqlite3_stmt *st;
	int k;

	k = load_head(db, S_LOAD_STATE, "SELECT id, state FROM cve WHERE id = ?", id, r, &st);
	if (k < 0)
		return k;
	sqlite3_reset(st);
	k = load_versions(db, r);
	if (k >= 0)
		k = load_strings(db, S_LOAD_FILE,
				 "SELECT path FROM cve_file WHERE cve_id = ? ORDER BY path", r, NULL,
				 &r->files, &r->n_files);
	return k;
}

int db_cve_load(struct db *db, const char *id, struct cve_record *r)
{
	sqlite3_stmt *st;
	int k;

	k = load_head(db, S_LOAD_CVE,
		      "SELECT id, state, title, description, notes, data_version, cvss_vector,"
		      " cvss_score, cvss_severity FROM cve WHERE id = ?", id, r, &st);
	if (k < 0)
		return k;
	r->title = col_dup(r, st, 2);
	r->description = col_dup(r, st, 3);
	r->notes = col_dup(r, st, 4);
	r->data_version = col_dup(r, st, 5);
	r->cvss_vector = col_dup(r, st, 6);
	r->cvss_score = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1
								   : sqlite3_column_double(st, 7);
	r->cvss_severity = col_dup(r, st, 8);
	sqlite3_reset(st);
	k = load_versions(db, r);
	if (k < 0)
		return k;
	k = load_strings(db, S_LOAD_FILE, "SELECT path FROM cve_file WHERE cve_id = ? ORDER BY path",
			 r, NULL, &r->files, &r->n_files);
	if (k >= 0)
		k = load_strings(db, S_LOAD_COMMIT,
				 "SELECT commit_id FROM cve_commit WHERE cve_id = ?1 AND kind = ?2"
				 " ORDER BY seq", r, "mainline_fix", &r->mainline_fixes,
				 &r->n_mainline_fixes);
	if (k >= 0)
		k = load_strings(db, S_LOAD_COMMIT,
				 "SELECT commit_id FROM cve_commit WHERE cve_id = ?1 AND kind = ?2"
				 " ORDER BY seq", r, "vulnerable", &r->vulnerable, &r->n_vulnerable);
	if (k >= 0)
		k = load_strings(db, S_LOAD_REF,
				 "SELECT url FROM cve_reference WHERE cve_id = ? ORDER BY seq", r,
				 NULL, &r->references, &r->n_references);
	return k;
}

/* Products, ranges and dyads: what verdict_check() reads. */
static int load_versions(struct db *db, struct cve_record *r)
{
	sqlite3_stmt *st;
	size_t cnt, i;
	int k;

	k = load_query(db, S_LOAD_PRODUCT,
		       "SELECT idx, default_status, is_git FROM cve_product WHERE cve_id = ?"
		       " ORDER BY idx", r->id, &st);
	if (k < 0)
		return k;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int p = sqlite3_column_int(st, 0);

		if (p < 0 || p >= CVE_MAX_PRODUCTS)
			continue;
		r->products[p].default_status = status_from(sqlite3_column_text(st, 1));
		r->products[p].is_git = sqlite3_column_int(st, 2);
		if ((unsigned)p + 1 > r->n_products)
			r->n_products = (unsigned)p + 1;
	}
	sqlite3_reset(st);

	k = load_query(db, S_LOAD_RANGE,
		       "SELECT product, version, less_than, less_than_or_equal, version_type, status"
		       " FROM cve_range WHERE cve_id = ? ORDER BY seq", r->id, &st);
	if (k < 0)
		return k;
	k = count_rows(db, st, &cnt);
	if (k < 0)
		return k;
	r->ranges = cnt ? arena_zalloc(&r->arena, cnt * sizeof(*r->ranges)) : NULL;
	if (cnt && !r->ranges)
		return -ENOMEM;
	for (i = 0; i < cnt && sqlite3_step(st) == SQLITE_ROW; i++) {
		struct cve_range *rg = &r->ranges[i];

		rg->product = (unsigned)sqlite3_column_int(st, 0);
		rg->version = col_dup(r, st, 1);
		rg->less_than = col_dup(r, st, 2);
		rg->less_than_or_equal = col_dup(r, st, 3);
		rg->version_type = col_dup(r, st, 4);
		rg->status = status_from(sqlite3_column_text(st, 5));
	}
	r->n_ranges = i;
	sqlite3_reset(st);

	k = load_query(db, S_LOAD_DYAD,
		       "SELECT vuln_version, vuln_commit, fixed_version, fixed_commit"
		       " FROM cve_dyad WHERE cve_id = ? ORDER BY seq", r->id, &st);
	if (k < 0)
		return k;
	k = count_rows(db, st, &cnt);
	if (k < 0)
		return k;
	r->dyads = cnt ? arena_zalloc(&r->arena, cnt * sizeof(*r->dyads)) : NULL;
	if (cnt && !r->dyads)
		return -ENOMEM;
	for (i = 0; i < cnt && sqlite3_step(st) == SQLITE_ROW; i++) {
		r->dyads[i].vuln_version = col_dup(r, st, 0);
		r->dyads[i].vuln_commit = col_dup(r, st, 1);
		r->dyads[i].fixed_version = col_dup(r, st, 2);
		r->dyads[i].fixed_commit = col_dup(r, st, 3);
	}
	r->n_dyads = i;
	sqlite3_reset(st);
	return 0;
}
