/* SPDX-License-Identifier: GPL-2.0-only */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

/* Each entry moves the schema from version i to i + 1. Never edit a released entry. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE cve("
	"  id TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL CHECK (state IN ('published', 'rejected')),"
	"  dir TEXT NOT NULL,"
	"  title TEXT, description TEXT, notes TEXT, data_version TEXT,"
	"  cvss_vector TEXT, cvss_score REAL, cvss_severity TEXT,"
	"  blobs TEXT NOT NULL,"
	"  first_seen INTEGER NOT NULL, first_seen_commit TEXT NOT NULL,"
	"  modified INTEGER NOT NULL, modified_commit TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX cve_by_modified ON cve(modified);"
	"CREATE TABLE cve_product("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
	"  default_status TEXT NOT NULL, is_git INTEGER NOT NULL,"
	"  PRIMARY KEY (cve_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE cve_range("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
	"  product INTEGER NOT NULL, version TEXT NOT NULL, less_than TEXT,"
	"  less_than_or_equal TEXT, version_type TEXT, status TEXT NOT NULL,"
	"  PRIMARY KEY (cve_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE cve_dyad("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
	"  vuln_version TEXT, vuln_commit TEXT, fixed_version TEXT, fixed_commit TEXT,"
	"  PRIMARY KEY (cve_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE cve_file("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE, path TEXT NOT NULL,"
	"  PRIMARY KEY (cve_id, path)) WITHOUT ROWID;"
	"CREATE INDEX cve_file_by_path ON cve_file(path);"
	"CREATE TABLE cve_commit("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('mainline_fix', 'vulnerable')),"
	"  seq INTEGER NOT NULL, commit_id TEXT NOT NULL,"
	"  PRIMARY KEY (cve_id, kind, seq)) WITHOUT ROWID;"
	"CREATE TABLE cve_reference("
	"  cve_id TEXT NOT NULL REFERENCES cve(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
	"  url TEXT NOT NULL, PRIMARY KEY (cve_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE scan("
	"  id INTEGER PRIMARY KEY, started INTEGER NOT NULL, seconds REAL NOT NULL,"
	"  source TEXT NOT NULL, branch TEXT NOT NULL, from_commit TEXT, to_commit TEXT NOT NULL,"
	"  full INTEGER NOT NULL, new INTEGER NOT NULL, updated INTEGER NOT NULL,"
	"  rejected INTEGER NOT NULL, errors INTEGER NOT NULL);"
	"CREATE TABLE cve_change("
	"  id INTEGER PRIMARY KEY, cve_id TEXT NOT NULL, scan_id INTEGER NOT NULL,"
	"  kind TEXT NOT NULL, at INTEGER NOT NULL, detail TEXT);"
	"CREATE INDEX cve_change_by_cve ON cve_change(cve_id);"
	/* Records that failed to parse; retried by every scan until they parse. */
	"CREATE TABLE scan_error("
	"  cve_id TEXT PRIMARY KEY, path TEXT NOT NULL, reason TEXT NOT NULL,"
	"  scan_id INTEGER NOT NULL) WITHOUT ROWID;",
	/* 1 -> 2: kernel profiles, the gauge's verdicts, exploitation feeds, pins */
	/* a rowid table: foreign keys look names up in its small unique index, never in rows
	 * that carry a whole .config */
	"CREATE TABLE kernel("
	"  name TEXT NOT NULL UNIQUE, version TEXT NOT NULL, release TEXT, config TEXT NOT NULL,"
	"  profile_kind TEXT NOT NULL CHECK (profile_kind IN ('source', 'build-dir', 'files')),"
	"  profile_source TEXT NOT NULL, headers_known INTEGER NOT NULL,"
	"  sources_known INTEGER NOT NULL,"
	"  created INTEGER NOT NULL, generation INTEGER NOT NULL);"
	/* mode n: in the kernel's source but not built (known for source profiles only) */
	"CREATE TABLE kernel_file("
	"  kernel TEXT NOT NULL REFERENCES kernel(name) ON DELETE CASCADE, path TEXT NOT NULL,"
	"  mode TEXT NOT NULL CHECK (mode IN ('y', 'm', 'n')), PRIMARY KEY (kernel, path))"
	"  WITHOUT ROWID;"
	"CREATE TABLE kernel_unit("
	"  kernel TEXT NOT NULL REFERENCES kernel(name) ON DELETE CASCADE, path TEXT NOT NULL,"
	"  mode TEXT NOT NULL CHECK (mode IN ('y', 'm')), PRIMARY KEY (kernel, path)) WITHOUT ROWID;"
	"CREATE TABLE kernel_issue("
	"  kernel TEXT NOT NULL REFERENCES kernel(name) ON DELETE CASCADE, seq INTEGER NOT NULL,"
	"  file TEXT NOT NULL, line INTEGER NOT NULL, what TEXT NOT NULL,"
	"  PRIMARY KEY (kernel, seq)) WITHOUT ROWID;"
	/* the gauge's verdicts, kept up to date from cve_change and the profile's generation */
	"CREATE TABLE gauge("
	"  kernel TEXT NOT NULL REFERENCES kernel(name) ON DELETE CASCADE,"
	"  cve_id TEXT NOT NULL, verdict TEXT NOT NULL, reason TEXT, built TEXT, files_built TEXT,"
	"  fixed_version TEXT, fixed_commit TEXT, UNIQUE (cve_id, kernel));"
	/* a rowid table: its key index stays small, so inserts never compare whole rows */
	"CREATE INDEX gauge_by_kernel ON gauge(kernel, verdict);"
	"CREATE TABLE gauge_state("
	"  kernel TEXT PRIMARY KEY REFERENCES kernel(name) ON DELETE CASCADE,"
	"  generation INTEGER NOT NULL, last_change INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE kev(cve_id TEXT PRIMARY KEY, date_added TEXT, due_date TEXT,"
	"  ransomware TEXT, name TEXT) WITHOUT ROWID;"
	"CREATE TABLE epss(cve_id TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL,"
	"  score_date TEXT) WITHOUT ROWID;"
	"CREATE TABLE pin(cve_id TEXT PRIMARY KEY, priority TEXT NOT NULL CHECK (priority IN"
	"  ('critical', 'high', 'medium', 'low')), reason TEXT NOT NULL, at INTEGER NOT NULL)"
	"  WITHOUT ROWID;",
	/* 2 -> 3: what the patch generator needs beyond the profile, and its "needs a person"
	 * queue (kept when a kernel is removed: the history of why a fix was not shipped) */
	"ALTER TABLE kernel ADD COLUMN headers TEXT;"
	"ALTER TABLE kernel ADD COLUMN system_map TEXT;"
	"CREATE TABLE gen_failure("
	"  id INTEGER PRIMARY KEY, kernel TEXT NOT NULL, cve_id TEXT, patch TEXT,"
	"  patch_id TEXT NOT NULL, step TEXT NOT NULL,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('refused', 'failed')),"
	"  reason TEXT NOT NULL, report TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX gen_failure_by_kernel ON gen_failure(kernel, at);",
	/* 3 -> 4: what the vetting VM boots (the kernel's image and its modules), and the cron
	 * pipeline's memory: its runs, one attempt per kernel, CVE and fix (a changed fix is a
	 * new attempt), and the cumulative livepatches it published */
	"ALTER TABLE kernel ADD COLUMN image TEXT;"
	"ALTER TABLE kernel ADD COLUMN modules TEXT;"
	"CREATE TABLE pipeline_run("
	"  id INTEGER PRIMARY KEY, started INTEGER NOT NULL, ended INTEGER,"
	"  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),"
	"  summary TEXT, report TEXT);"
	"CREATE TABLE pipeline_attempt("
	"  kernel TEXT NOT NULL, cve_id TEXT NOT NULL, fix_key TEXT NOT NULL,"
	"  run_id INTEGER NOT NULL, outcome TEXT NOT NULL CHECK (outcome IN"
	"  ('vetted', 'refused', 'failed')), step TEXT, reason TEXT, fix_order INTEGER NOT NULL,"
	"  patch TEXT, seconds REAL, at INTEGER NOT NULL,"
	"  PRIMARY KEY (kernel, cve_id, fix_key)) WITHOUT ROWID;"
	"CREATE TABLE pipeline_cumulative("
	"  kernel TEXT NOT NULL, version INTEGER NOT NULL, patch_id TEXT NOT NULL,"
	"  cves TEXT NOT NULL, target TEXT NOT NULL, run_id INTEGER, at INTEGER NOT NULL,"
	"  PRIMARY KEY (kernel, version)) WITHOUT ROWID;",
	/* 4 -> 5: the fleet (docs/FLEET.md): enrolment tokens (their SHA-256 only), nodes with
	 * their key and last report, each node's view of each patch, the recent reports' sequence, and the rollout of each
	 * published patch through the channels with its log of actions */
	"CREATE TABLE fleet_token("
	"  hash TEXT PRIMARY KEY, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  note TEXT, used INTEGER, node TEXT) WITHOUT ROWID;"
	"CREATE TABLE fleet_node("
	"  id TEXT PRIMARY KEY, public_key BLOB NOT NULL, machine_id TEXT, hostname TEXT,"
	"  enrolled INTEGER NOT NULL, revoked INTEGER, revoked_reason TEXT,"
	"  last_seq INTEGER NOT NULL DEFAULT 0, last_report INTEGER, last_event TEXT,"
	"  address TEXT, channel TEXT, interval INTEGER, kernel_release TEXT, build_id TEXT,"
	"  boot_id TEXT, uptime INTEGER, taint INTEGER, report TEXT) WITHOUT ROWID;"
	"CREATE TABLE fleet_patch("
	"  node TEXT NOT NULL, patch_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  state TEXT NOT NULL, reason TEXT, since INTEGER, channel TEXT, evidence TEXT,"
	"  updated INTEGER NOT NULL, PRIMARY KEY (node, patch_id)) WITHOUT ROWID;"
	"CREATE INDEX fleet_patch_by_patch ON fleet_patch(patch_id, state);"
	"CREATE TABLE fleet_report("
	"  node TEXT NOT NULL, seq INTEGER NOT NULL, received INTEGER NOT NULL, event TEXT,"
	"  PRIMARY KEY (node, seq)) WITHOUT ROWID;"
	"CREATE TABLE fleet_rollout("
	"  patch_id TEXT PRIMARY KEY, kernel TEXT, series TEXT, release TEXT, target TEXT,"
	"  channel TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN"
	"  ('rolling', 'held', 'revoked', 'done', 'superseded')),"
	"  since INTEGER NOT NULL, reason TEXT, updated INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE fleet_hold("
	"  kernel TEXT PRIMARY KEY, patch_id TEXT, reason TEXT NOT NULL, at INTEGER NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE fleet_action("
	"  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, patch_id TEXT NOT NULL,"
	"  action TEXT NOT NULL, channel TEXT, reason TEXT NOT NULL, actor TEXT NOT NULL);",
};

const char *cve_state_to_string(enum cve_state s)
{
	return s == CVE_REJECTED ? "rejected" : "published";
}

int db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = sqlite3_errcode(db->sql) == SQLITE_BUSY ? -EBUSY : -EIO;

		log_error("%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->sql));
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret)
{
	if (sqlite3_prepare_v2(db->sql, sql, -1, ret, NULL) != SQLITE_OK)
		return log_error_errno(EIO, "%s: cannot prepare statement: %s", db->path,
				       sqlite3_errmsg(db->sql));
	return 0;
}

int db_cached(struct db *db, unsigned slot, const char *sql, sqlite3_stmt **ret)
{
	if (slot >= DB_STMT_CACHE)
		return -EINVAL;
	if (!db->cache[slot] &&
	    sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->cache[slot],
			       NULL) != SQLITE_OK)
		return log_error_errno(EIO, "%s: cannot prepare statement: %s", db->path,
				       sqlite3_errmsg(db->sql));
	sqlite3_reset(db->cache[slot]);
	sqlite3_clear_bindings(db->cache[slot]);
	*ret = db->cache[slot];
	return 0;
}

int db_step_done(struct db *db, sqlite3_stmt *st)
{
	int k = sqlite3_step(st);

	sqlite3_reset(st);
	if (k != SQLITE_DONE && k != SQLITE_ROW)
		return log_error_errno(k == SQLITE_FULL ? ENOSPC : EIO, "%s: %s", db->path,
				       sqlite3_errmsg(db->sql));
	return 0;
}

int db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

int db_end(struct db *db, int k)
{
	if (k >= 0)
		k = db_commit(db);
	if (k < 0)
		db_rollback(db);
	return k;
}

/* How many tables the database has. */
static int table_count(struct db *db, int *ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		return log_error_errno(EBADMSG, "%s: damaged database: %s", db->path,
				       sqlite3_errmsg(db->sql));
	*ret = sqlite3_column_int(st, 0);
	return 0;
}

/* The schema's version, 0 for a new (empty) database. A database with tables but no
 * schema_version is someone else's: -EPROTO, and it is neither read nor migrated. */
static int schema_version(struct db *db, int *ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k, tables = 0;

	k = sqlite3_prepare_v2(db->sql, "SELECT version FROM schema_version", -1, &st, NULL);
	*ret = 0;
	if (k != SQLITE_OK) {
		if (!strstr(sqlite3_errmsg(db->sql), "no such table"))
			return log_error_errno(EBADMSG, "%s: not a usable SQLite database: %s",
					       db->path, sqlite3_errmsg(db->sql));
		k = table_count(db, &tables);
		if (k < 0)
			return k;
		if (tables > 0)
			return log_error_errno(EPROTO, "%s: a SQLite database without TuxTape's "
					       "tables (not adding them to it)", db->path);
		return 0;
	}
	k = sqlite3_step(st);
	if (k == SQLITE_ROW)
		*ret = sqlite3_column_int(st, 0);
	else if (k != SQLITE_DONE)
		return log_error_errno(EBADMSG, "%s: damaged database: %s", db->path,
				       sqlite3_errmsg(db->sql));
	return 0;
}

static int migrate(struct db *db)
{
	int version, k;

	k = schema_version(db, &version);
	if (k < 0)
		return k;
	if (version > (int)ELEMENTSOF(migrations))
		return log_error_errno(EPROTO, "%s: schema version %d is newer than this program "
				       "knows (%zu); upgrade tuxtape", db->path, version,
				       ELEMENTSOF(migrations));
	if (version == (int)ELEMENTSOF(migrations))
		return 0;
	k = db_begin(db);
	if (k < 0)
		return k;
	schema_version(db, &version); /* again, under the write lock */
	if (version == 0)
		k = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
			    "INSERT INTO schema_version VALUES (0);");
	for (; k >= 0 && version < (int)ELEMENTSOF(migrations); version++) {
		char sql[96];

		k = db_exec(db, migrations[version]);
		if (k < 0)
			break;
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", version + 1);
		k = db_exec(db, sql);
	}
	if (k < 0) {
		db_rollback(db);
		return log_error_errno(k, "%s: migration to schema version %d failed", db->path,
				       version + 1);
	}
	return db_commit(db);
}

/* What the file is, before SQLite is asked: SQLite opens anything and fails at the first
 * query with a message that does not name the file's problem. An empty file is a new
 * database. A database's directory must exist: a typo in --db must not create a tree. */
static int check_file(const char *path, bool writable)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *copy = strdup(path);
	char head[16];
	struct stat st;
	ssize_t n;

	if (!copy)
		return log_error_errno(ENOMEM, "out of memory");
	if (stat(path, &st) < 0) {
		const char *dir = dirname(copy);
		struct stat ds;

		if (errno != ENOENT)
			return log_error_errno(errno, "%s: %m", path);
		if (!writable)
			return log_error_errno(ENOENT, "%s: %m (run 'tuxtape-backend scan' first)",
					       path);
		if (stat(dir, &ds) < 0 || !S_ISDIR(ds.st_mode))
			return log_error_errno(ENOENT, "%s: the directory %s does not exist (create "
					       "it first)", path, dir);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s: not a database file (not a regular file)", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "%s: cannot read the database: %m", path);
	n = read(fd, head, sizeof(head));
	if (n < 0)
		return log_error_errno(errno, "%s: cannot read the database: %m", path);
	if (n > 0 && (n < (ssize_t)sizeof(head) || memcmp(head, "SQLite format 3", 16) != 0))
		return log_error_errno(EBADMSG, "%s: not a SQLite database", path);
	return 0;
}

int db_open(const char *path, bool writable, struct db **ret)
{
	struct db *db;
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	int k;

	k = check_file(path, writable);
	if (k < 0)
		return k;
	db = calloc(1, sizeof(*db));
	if (!db)
		return log_error_errno(ENOMEM, "out of memory");
	db->path = strdup(path);
	if (!db->path) {
		free(db);
		return log_error_errno(ENOMEM, "out of memory");
	}
	k = sqlite3_open_v2(path, &db->sql, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (k != SQLITE_OK) {
		log_error("%s: cannot open database: %s", path,
			  db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(k));
		db_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db->sql, 10000);
	k = db_exec(db, "PRAGMA foreign_keys = ON");
	if (k >= 0 && writable)
		k = db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			    "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
	if (k >= 0 && writable)
		k = migrate(db);
	if (k >= 0 && !writable) {
		int version;

		k = schema_version(db, &version);
		if (k >= 0 && version == 0)
			k = log_error_errno(ENOENT, "%s: an empty database (run 'tuxtape-backend "
					    "scan' first)", path);
		else if (k >= 0 && version != (int)ELEMENTSOF(migrations))
			k = log_error_errno(EPROTO, "%s: schema version %d, expected %zu (run a "
					    "scan to migrate)", path, version,
					    ELEMENTSOF(migrations));
	}
	if (k < 0) {
		db_close(db);
		return k;
	}
	*ret = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (unsigned i = 0; i < DB_STMT_CACHE; i++)
		sqlite3_finalize(db->cache[i]);
	sqlite3_close_v2(db->sql);
	free(db->path);
	free(db);
}

int db_meta_get(struct db *db, const char *key, char **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	*ret = NULL;
	k = db_prepare(db, "SELECT value FROM meta WHERE key = ?", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*ret)
			return -ENOMEM;
	}
	return 0;
}

int db_meta_set(struct db *db, const char *key, const char *value)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	k = db_prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return db_step_done(db, st);
}
