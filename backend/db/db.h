/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's SQLite database: schema and migrations (table schema_version), WAL mode,
 * and the CVE store. A record is written or read whole; callers wrap a scan in one
 * transaction (db_begin/db_commit/db_rollback) so a failed or interrupted scan leaves the
 * database exactly as it was.
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "cve/record.h"

#define DB_SCHEMA_VERSION 3

#define DB_STMT_CACHE 32

struct db {
	sqlite3 *sql;
	char *path;
	sqlite3_stmt *cache[DB_STMT_CACHE]; /* hot statements, by the caller's slot number */
};

/* Opens (creating when writable) and migrates. Read-only opens refuse a missing file. */
int db_open(const char *path, bool writable, struct db **ret);
void db_close(struct db *db);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* Ends a transaction: commits when k >= 0, else rolls back. Returns k or the commit's error. */
int db_end(struct db *db, int k);

int db_exec(struct db *db, const char *sql);
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret);
/* A prepared statement kept for the life of db, for statements run per record. The slot
 * numbers are owned by the callers (see enum in cve_store.c); reset before returning. */
int db_cached(struct db *db, unsigned slot, const char *sql, sqlite3_stmt **ret);
/* Steps a statement that returns no row. */
int db_step_done(struct db *db, sqlite3_stmt *st);

int db_meta_get(struct db *db, const char *key, char **ret);
int db_meta_set(struct db *db, const char *key, const char *value);

/* What the scanner needs to know about a stored record to decide whether it changed. */
struct db_cve_stamp {
	bool exists;
	enum cve_state state;
	char *blobs; /* malloc'd */
};

int db_cve_stamp(struct db *db, const char *id, struct db_cve_stamp *ret);

struct db_store_info {
	const char *dir;     /* repository directory holding the record */
	const char *blobs;   /* "json=<oid> dyad=<oid> ..." of the files read */
	const char *commit;  /* repository commit the record was read at */
	int64_t commit_time; /* its time, seconds since the epoch */
};

/* Replaces everything stored about r->id. */
int db_cve_store(struct db *db, const struct cve_record *r, const struct db_store_info *info);
int db_cve_set_state(struct db *db, const char *id, enum cve_state state);
int db_cve_change(struct db *db, const char *id, int64_t scan_id, const char *kind,
		  int64_t at, const char *detail);

/* Loads a stored record; -ENOENT when unknown. Row data beyond the record (dates) via SQL.
 * db_cve_load_versions() loads only what the version and file checks need (state, products,
 * ranges, dyads, files): no text, which is most of a record's bytes. */
int db_cve_load(struct db *db, const char *id, struct cve_record *r);
int db_cve_load_versions(struct db *db, const char *id, struct cve_record *r);

const char *cve_state_to_string(enum cve_state s);
