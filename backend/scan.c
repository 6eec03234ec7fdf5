/* SPDX-License-Identifier: GPL-2.0-only */
#include "scan.h"

#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "record.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(git_repository *, git_repository_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_reference *, git_reference_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_commit *, git_commit_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_tree *, git_tree_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_remote *, git_remote_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_diff *, git_diff_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_odb *, git_odb_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_blob *, git_blob_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* The sibling files of a record that the scanner reads, in parse order. */
enum sibling { SIB_NOTES, SIB_JSON, SIB_DYAD, SIB_SHA1, SIB_VULNERABLE, SIB_CVSS, SIB_REFERENCE,
	       _SIB_MAX };
static const char *const sibling_suffix[_SIB_MAX] = {
	[SIB_NOTES] = "", [SIB_JSON] = ".json", [SIB_DYAD] = ".dyad", [SIB_SHA1] = ".sha1",
	[SIB_VULNERABLE] = ".vulnerable", [SIB_CVSS] = ".cvss", [SIB_REFERENCE] = ".reference",
};
static const char *const sibling_key[_SIB_MAX] = {
	[SIB_NOTES] = "notes", [SIB_JSON] = "json", [SIB_DYAD] = "dyad", [SIB_SHA1] = "sha1",
	[SIB_VULNERABLE] = "vulnerable", [SIB_CVSS] = "cvss", [SIB_REFERENCE] = "reference",
};

typedef int (*sibling_parser)(struct cve_record *, const char *, size_t, struct record_error *);
static const sibling_parser sibling_parse[_SIB_MAX] = {
	[SIB_NOTES] = record_parse_notes, [SIB_JSON] = record_parse_json,
	[SIB_DYAD] = record_parse_dyad, [SIB_SHA1] = record_parse_sha1,
	[SIB_VULNERABLE] = record_parse_vulnerable, [SIB_CVSS] = record_parse_cvss,
	[SIB_REFERENCE] = record_parse_reference,
};

#define YEAR_MIN 1999
#define YEAR_MAX 2199

struct scan_ctx {
	struct db *db;
	git_repository *repo;
	git_odb *odb;
	git_tree *tree;
	const char *commit;
	int64_t commit_time;
	int64_t scan_id;
	/* Year directories of the head tree, looked up once: [0] published, [1] rejected. */
	git_tree *years[2][YEAR_MAX - YEAR_MIN + 1];
	bool years_looked[2][YEAR_MAX - YEAR_MIN + 1];
	struct cve_record rec;
	struct scan_stats *st;
};

bool scan_source_is_url(const char *source)
{
	const char *at = strchr(source, '@'), *colon = strchr(source, ':');
	const char *slash = strchr(source, '/');

	if (strstr(source, "://"))
		return true;
	/* scp-like "user@host:path"; a local path may contain ':' but not before a '/' */
	return at && colon && at < colon && (!slash || colon < slash);
}

static int open_mirror(const struct scan_options *o, git_repository **ret)
{
	_cleanup_(git_repository_freep) git_repository *repo = NULL;
	_cleanup_(git_remote_freep) git_remote *remote = NULL;
	git_fetch_options fetch;
	struct stat sb;

	git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);

	if (stat(o->mirror, &sb) == 0) {
		if (git_repository_open_bare(&repo, o->mirror) < 0)
			return log_error_errno(EIO, "%s: mirror is not a usable git repository (%s); "
					       "remove it to clone again", o->mirror, git_msg());
		if (git_remote_lookup(&remote, repo, "origin") < 0)
			return log_error_errno(EIO, "%s: mirror has no remote 'origin': %s",
					       o->mirror, git_msg());
		if (!streq(strempty(git_remote_url(remote)), o->source)) {
			git_remote_free(remote);
			remote = NULL;
			if (git_remote_set_url(repo, "origin", o->source) < 0 ||
			    git_remote_lookup(&remote, repo, "origin") < 0)
				return log_error_errno(EIO, "%s: cannot point mirror at %s: %s",
						       o->mirror, o->source, git_msg());
		}
		fetch.prune = GIT_FETCH_PRUNE;
		if (git_remote_fetch(remote, NULL, &fetch, "tuxtape scan") < 0)
			return log_error_errno(EHOSTUNREACH, "%s: fetch failed: %s", o->source,
					       git_msg());
	} else {
		git_clone_options clone;

		git_clone_options_init(&clone, GIT_CLONE_OPTIONS_VERSION);
		clone.bare = 1;
		if (git_clone(&repo, o->source, o->mirror, &clone) < 0)
			return log_error_errno(EHOSTUNREACH, "%s: clone failed: %s", o->source,
					       git_msg());
	}
	*ret = TAKE_PTR(repo);
	return 0;
}

static int resolve_head(git_repository *repo, const struct scan_options *o, git_commit **ret)
{
	static const char *const prefixes[] = { "refs/remotes/origin/", "refs/heads/" };
	char name[512];

	snprintf(name, sizeof(name), "refs/heads/%s", o->branch);
	if (strlen(o->branch) > 200 || !git_reference_is_valid_name(name))
		return log_error_errno(EINVAL, "'%s' is not a valid branch name", o->branch);
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		_cleanup_(git_reference_freep) git_reference *ref = NULL;
		git_object *obj = NULL;

		snprintf(name, sizeof(name), "%s%s", prefixes[i], o->branch);
		if (git_reference_lookup(&ref, repo, name) < 0)
			continue;
		if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) < 0)
			return log_error_errno(EIO, "%s: %s does not point at a readable commit: %s",
					       o->source, name, git_msg());
		*ret = (git_commit *)obj;
		return 0;
	}
	return log_error_errno(ENOENT, "%s: no branch '%s'", o->source, o->branch);
}

static git_tree *year_tree(struct scan_ctx *c, int which, int year)
{
	char path[64];
	git_tree_entry *e = NULL;

	if (year < YEAR_MIN || year > YEAR_MAX)
		return NULL;
	if (c->years_looked[which][year - YEAR_MIN])
		return c->years[which][year - YEAR_MIN];
	c->years_looked[which][year - YEAR_MIN] = true;
	snprintf(path, sizeof(path), "cve/%s/%d", which ? "rejected" : "published", year);
	if (git_tree_entry_bypath(&e, c->tree, path) == 0) {
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			git_tree_lookup(&c->years[which][year - YEAR_MIN], c->repo,
					git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
	return c->years[which][year - YEAR_MIN];
}

struct id_list {
	char (*ids)[CVE_ID_MAX];
	size_t n, cap;
};

static int id_list_add(struct id_list *l, const char *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		void *p = realloc(l->ids, cap * sizeof(*l->ids));

		if (!p)
			return -ENOMEM;
		l->ids = p;
		l->cap = cap;
	}
	snprintf(l->ids[l->n++], CVE_ID_MAX, "%s", id);
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void id_list_sort_unique(struct id_list *l)
{
	size_t w = 0;

	qsort(l->ids, l->n, sizeof(*l->ids), cmp_id);
	for (size_t i = 0; i < l->n; i++)
		if (w == 0 || !streq(l->ids[w - 1], l->ids[i]))
			memmove(l->ids[w++], l->ids[i], CVE_ID_MAX);
	l->n = w;
}

/* "cve/published/2024/CVE-2024-1234.dyad" -> "CVE-2024-1234"; other paths are not records. */
static int id_from_path(const char *path, char *id)
{
	const char *base = strrchr(path, '/');

	if (!startswith(path, "cve/published/") && !startswith(path, "cve/rejected/"))
		return -EINVAL;
	return base ? record_id_from_name(base + 1, id, CVE_ID_MAX) : -EINVAL;
}

static int list_all(struct scan_ctx *c, struct id_list *l)
{
	for (int which = 0; which < 2; which++) {
		_cleanup_(git_tree_freep) git_tree *top = NULL;
		git_tree_entry *e = NULL;
		size_t n;

		if (git_tree_entry_bypath(&e, c->tree, which ? "cve/rejected" : "cve/published") < 0)
			continue;
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&top, c->repo, git_tree_entry_id(e)) < 0) {
			git_tree_entry_free(e);
			return log_error_errno(EIO, "cannot read tree cve/%s: %s",
					       which ? "rejected" : "published", git_msg());
		}
		git_tree_entry_free(e);
		if (!top)
			continue;
		n = git_tree_entrycount(top);
		for (size_t i = 0; i < n; i++) {
			const git_tree_entry *ye = git_tree_entry_byindex(top, i);
			char *end;
			long year = strtol(git_tree_entry_name(ye), &end, 10);
			git_tree *yt;

			if (*end || git_tree_entry_type(ye) != GIT_OBJECT_TREE)
				continue;
			yt = year_tree(c, which, (int)year);
			if (!yt)
				continue;
			for (size_t j = 0, m = git_tree_entrycount(yt); j < m; j++) {
				char id[CVE_ID_MAX];

				if (record_id_from_name(git_tree_entry_name(git_tree_entry_byindex(yt, j)),
							id, sizeof(id)) < 0)
					continue;
				if ((l->n == 0 || !streq(l->ids[l->n - 1], id)) && id_list_add(l, id) < 0)
					return log_error_errno(ENOMEM, "out of memory");
			}
		}
	}
	id_list_sort_unique(l);
	return 0;
}

static int list_changed(struct scan_ctx *c, git_tree *old, struct id_list *l)
{
	_cleanup_(git_diff_freep) git_diff *diff = NULL;
	git_diff_options opts;
	char *paths[] = { "cve/published", "cve/rejected" };
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.pathspec.strings = paths;
	opts.pathspec.count = ELEMENTSOF(paths);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, c->repo, old, c->tree, &opts) < 0)
		return log_error_errno(EIO, "cannot compare the scanned commit with the head: %s",
				       git_msg());
	for (size_t i = 0, n = git_diff_num_deltas(diff); i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *paths2[2] = { d->old_file.path, d->new_file.path };

		for (int j = 0; j < 2; j++) {
			char id[CVE_ID_MAX];

			if (paths2[j] && id_from_path(paths2[j], id) == 0 && id_list_add(l, id) < 0)
				return log_error_errno(ENOMEM, "out of memory");
		}
	}
	/* Records that did not parse last time are tried again. */
	k = db_prepare(c->db, "SELECT cve_id FROM scan_error", &st);
	if (k < 0)
		return k;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (id_list_add(l, (const char *)sqlite3_column_text(st, 0)) < 0)
			return log_error_errno(ENOMEM, "out of memory");
	id_list_sort_unique(l);
	return 0;
}

static int read_blob(struct scan_ctx *c, const git_oid *oid, const char *path, git_blob **ret)
{
	size_t len;
	git_object_t type;

	/* The header is cheap and bounds what a hostile repository can make us load. */
	if (git_odb_read_header(&len, &type, c->odb, oid) < 0)
		return log_error_errno(EIO, "%s: cannot read object: %s", path, git_msg());
	if (type != GIT_OBJECT_BLOB)
		return log_error_errno(EIO, "%s: not a file", path);
	if (len > RECORD_FILE_MAX) {
		*ret = NULL;
		return -EFBIG;
	}
	if (git_blob_lookup(ret, c->repo, oid) < 0)
		return log_error_errno(EIO, "%s: cannot read file: %s", path, git_msg());
	return 0;
}

static int record_error_row(struct scan_ctx *c, const char *id, const char *path,
			    const char *reason)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(c->db, "INSERT OR REPLACE INTO scan_error(cve_id, path, reason, scan_id)"
			   " VALUES (?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->scan_id);
	return db_step_done(c->db, st);
}

static int clear_error_row(struct scan_ctx *c, const char *id)
{
	sqlite3_stmt *st;
	int k = db_cached(c->db, 31, "DELETE FROM scan_error WHERE cve_id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return db_step_done(c->db, st);
}

/* Which sibling kinds differ between two "key=oid ..." stamps, as "dyad,json". */
static void changed_kinds(const char *old, const char *new, char *out, size_t outlen)
{
	size_t off = 0;

	out[0] = '\0';
	for (int s = 0; s < _SIB_MAX; s++) {
		char key[32];
		const char *a, *b;
		size_t al = 0, bl = 0;

		snprintf(key, sizeof(key), "%s=", sibling_key[s]);
		a = strstr(old, key);
		b = strstr(new, key);
		if (a)
			al = strcspn(a, " ");
		if (b)
			bl = strcspn(b, " ");
		if (al == bl && (!a || memcmp(a, b, al) == 0))
			continue;
		off += (size_t)snprintf(out + off, outlen > off ? outlen - off : 0, "%s%s",
					off ? "," : "", sibling_key[s]);
	}
}

static const char *json_name(const char *id, char *buf)
{
	snprintf(buf, CVE_ID_MAX + 8, "%s.json", id);
	return buf;
}

static int scan_one(struct scan_ctx *c, const char *id)
{
	const git_tree_entry *ent[_SIB_MAX] = { 0 };
	_cleanup_free_ char *old_blobs = NULL;
	struct db_cve_stamp stamp;
	struct db_store_info info;
	struct record_error err = { { 0 } };
	char blobs[_SIB_MAX * 60], dir[48], path[128], detail[128], name_buf[CVE_ID_MAX + 8];
	enum cve_state state = CVE_PUBLISHED;
	git_tree *yt = NULL;
	size_t off = 0;
	bool found = false;
	int year = atoi(id + 4), k;

	/* Published needs its .json there: after a rejection, stray siblings (a late .cvss or
	 * .vulnerable) can stay behind in published/ while the record lives in rejected/. */
	for (int which = 0; which < 2 && !found; which++) {
		bool any = false;

		yt = year_tree(c, which, year);
		if (!yt)
			continue;
		for (int s = 0; s < _SIB_MAX; s++) {
			char name[CVE_ID_MAX + 16];

			snprintf(name, sizeof(name), "%s%s", id, sibling_suffix[s]);
			ent[s] = git_tree_entry_byname(yt, name);
			if (ent[s] && git_tree_entry_type(ent[s]) != GIT_OBJECT_BLOB)
				ent[s] = NULL;
			any |= ent[s] != NULL;
		}
		if (!any || (which == 0 && !ent[SIB_JSON] && year_tree(c, 1, year) &&
			     git_tree_entry_byname(year_tree(c, 1, year), json_name(id, name_buf))))
			continue;
		found = true;
		state = which ? CVE_REJECTED : CVE_PUBLISHED;
		snprintf(dir, sizeof(dir), "cve/%s/%d", which ? "rejected" : "published", year);
	}

	k = db_cve_stamp(c->db, id, &stamp);
	if (k < 0)
		return k;
	old_blobs = stamp.blobs;

	if (!found) {
		/* Gone from both directories without a rejection: keep it, but not as published. */
		k = clear_error_row(c, id);
		if (k >= 0 && stamp.exists && stamp.state == CVE_PUBLISHED) {
			k = db_cve_set_state(c->db, id, CVE_REJECTED);
			if (k >= 0)
				k = db_cve_change(c->db, id, c->scan_id, "removed", c->commit_time,
						  "no longer in cve/published or cve/rejected");
			c->st->rejected++;
		}
		return k;
	}

	for (int s = 0; s < _SIB_MAX; s++) {
		char hex[GIT_OID_HEXSZ + 1];

		if (!ent[s])
			continue;
		git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(ent[s]));
		off += (size_t)snprintf(blobs + off, sizeof(blobs) - off, "%s%s=%s", off ? " " : "",
					sibling_key[s], hex);
	}
	c->st->records++;
	if (stamp.exists && stamp.state == state && streq(old_blobs, blobs)) {
		c->st->unchanged++;
		return clear_error_row(c, id);
	}

	record_reset(&c->rec);
	snprintf(c->rec.id, sizeof(c->rec.id), "%s", id);
	c->rec.state = state;
	if (state == CVE_PUBLISHED && !ent[SIB_JSON]) {
		snprintf(path, sizeof(path), "%s/%s.json", dir, id);
		snprintf(err.msg, sizeof(err.msg), "missing (other files of the record exist)");
		k = -EINVAL;
	}
	for (int s = 0; s < _SIB_MAX && k >= 0; s++) {
		_cleanup_(git_blob_freep) git_blob *blob = NULL;

		if (!ent[s])
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, id, sibling_suffix[s]);
		k = read_blob(c, git_tree_entry_id(ent[s]), path, &blob);
		if (k == -EFBIG) {
			snprintf(err.msg, sizeof(err.msg), "larger than %u bytes", RECORD_FILE_MAX);
			k = -EINVAL;
			break;
		}
		if (k < 0)
			return k; /* an unreadable object: the repository is broken */
		k = sibling_parse[s](&c->rec, git_blob_rawcontent(blob),
				     (size_t)git_blob_rawsize(blob), &err);
		if (k == -ENOMEM)
			return log_error_errno(k, "out of memory");
	}
	if (k >= 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, id);
		k = record_validate(&c->rec, &err);
	}
	if (k < 0) {
		log_warning("%s: %s (record skipped)", path, err.msg);
		c->st->errors++;
		return record_error_row(c, id, path, err.msg);
	}

	info = (struct db_store_info){ .dir = dir, .blobs = blobs, .commit = c->commit,
				       .commit_time = c->commit_time };
	k = db_cve_store(c->db, &c->rec, &info);
	if (k >= 0)
		k = clear_error_row(c, id);
	if (k < 0)
		return k;

	if (!stamp.exists) {
		if (state == CVE_REJECTED)
			c->st->rejected++;
		else
			c->st->new_records++;
		return db_cve_change(c->db, id, c->scan_id, state == CVE_REJECTED ? "rejected" : "new",
				     c->commit_time, NULL);
	}
	if (stamp.state != state) {
		if (state == CVE_REJECTED)
			c->st->rejected++;
		else
			c->st->updated++;
		return db_cve_change(c->db, id, c->scan_id,
				     state == CVE_REJECTED ? "rejected" : "republished",
				     c->commit_time, NULL);
	}
	changed_kinds(old_blobs, blobs, detail, sizeof(detail));
	c->st->updated++;
	return db_cve_change(c->db, id, c->scan_id, "updated", c->commit_time, detail);
}

/* In a full scan, a stored record absent from the tree has vanished. */
static int sweep_vanished(struct scan_ctx *c, const struct id_list *l)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	struct id_list gone = { 0 };
	int k;

	k = db_prepare(c->db, "SELECT id FROM cve WHERE state = 'published' ORDER BY id", &st);
	if (k < 0)
		return k;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		if (!bsearch(id, l->ids, l->n, sizeof(*l->ids), cmp_id) &&
		    id_list_add(&gone, id) < 0) {
			free(gone.ids);
			return log_error_errno(ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < gone.n && k >= 0; i++)
		k = scan_one(c, gone.ids[i]);
	free(gone.ids);
	return k;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int insert_scan_row(struct scan_ctx *c, const struct scan_options *o)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(c->db,
			   "INSERT INTO scan(started, seconds, source, branch, from_commit, to_commit,"
			   " full, new, updated, rejected, errors) VALUES (?, 0, ?, ?, ?, ?, ?, 0, 0, 0, 0)",
			   &st);

	if (k < 0)
		return k;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 2, o->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->branch, -1, SQLITE_STATIC);
	if (c->st->from_commit[0])
		sqlite3_bind_text(st, 4, c->st->from_commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->commit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, c->st->full);
	k = db_step_done(c->db, st);
	c->scan_id = sqlite3_last_insert_rowid(c->db->sql);
	return k;
}

static int finish_scan_row(struct scan_ctx *c)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(c->db, "UPDATE scan SET seconds = ?, new = ?, updated = ?, rejected = ?,"
			   " errors = ? WHERE id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_double(st, 1, c->st->seconds);
	sqlite3_bind_int(st, 2, (int)c->st->new_records);
	sqlite3_bind_int(st, 3, (int)c->st->updated);
	sqlite3_bind_int(st, 4, (int)c->st->rejected);
	sqlite3_bind_int(st, 5, (int)c->st->errors);
	sqlite3_bind_int64(st, 6, c->scan_id);
	return db_step_done(c->db, st);
}

static void progress(const struct scan_options *o, size_t done, size_t total)
{
	if (!o->progress || (done % 256 != 0 && done != total))
		return;
	fprintf(stderr, "\rscanning: %zu/%zu records (%zu%%)", done, total,
		total ? done * 100 / total : 100);
	if (done == total)
		fputs("\r\033[K", stderr);
}

static int scan_work(struct scan_ctx *c, const struct scan_options *o, git_tree *old_tree)
{
	struct id_list l = { 0 };
	int k;

	k = old_tree ? list_changed(c, old_tree, &l) : list_all(c, &l);
	for (size_t i = 0; i < l.n && k >= 0; i++) {
		k = scan_one(c, l.ids[i]);
		progress(o, i + 1, l.n);
	}
	if (k >= 0 && !old_tree)
		k = sweep_vanished(c, &l);
	free(l.ids);
	return k;
}

int scan_run(struct db *db, const struct scan_options *o, struct scan_stats *st)
{
	_cleanup_(git_repository_freep) git_repository *repo = NULL;
	_cleanup_(git_commit_freep) git_commit *head = NULL;
	_cleanup_(git_tree_freep) git_tree *tree = NULL, *old_tree = NULL;
	_cleanup_(git_odb_freep) git_odb *odb = NULL;
	_cleanup_free_ char *last = NULL;
	struct scan_ctx c = { .db = db, .st = st };
	double t0 = now_seconds();
	int k;

	memset(st, 0, sizeof(*st));
	if (scan_source_is_url(o->source)) {
		k = open_mirror(o, &repo);
		if (k < 0)
			return k;
	} else if (git_repository_open_ext(&repo, o->source, GIT_REPOSITORY_OPEN_NO_SEARCH,
					   NULL) < 0) {
		return log_error_errno(ENOENT, "%s: not a git repository: %s", o->source, git_msg());
	}
	k = resolve_head(repo, o, &head);
	if (k < 0)
		return k;
	if (git_commit_tree(&tree, head) < 0 || git_repository_odb(&odb, repo) < 0)
		return log_error_errno(EIO, "%s: cannot read the head commit's tree: %s", o->source,
				       git_msg());
	git_oid_tostr(st->commit, sizeof(st->commit), git_commit_id(head));

	k = db_meta_get(db, "last_commit", &last);
	if (k < 0)
		return log_error_errno(k, "cannot read the last scanned commit: %m");
	if (last && !o->full) {
		git_oid oid;
		_cleanup_(git_commit_freep) git_commit *old = NULL;

		if (git_oid_fromstr(&oid, last) == 0 && git_commit_lookup(&old, repo, &oid) == 0 &&
		    git_commit_tree(&old_tree, old) == 0) {
			snprintf(st->from_commit, sizeof(st->from_commit), "%s", last);
		} else {
			/* History was rewritten or the source changed: compare everything. */
			log_warning("last scanned commit %.12s is not in %s; scanning everything",
				    last, o->source);
		}
	}
	st->full = !old_tree;
	if (old_tree && streq(last, st->commit)) {
		st->up_to_date = true;
		st->seconds = now_seconds() - t0;
		return 0;
	}

	c.repo = repo;
	c.odb = odb;
	c.tree = tree;
	c.commit = st->commit;
	c.commit_time = (int64_t)git_commit_time(head);
	record_init(&c.rec);

	k = db_begin(db);
	if (k < 0)
		goto out;
	k = insert_scan_row(&c, o);
	if (k >= 0)
		k = scan_work(&c, o, old_tree);
	if (k >= 0)
		k = db_meta_set(db, "last_commit", st->commit);
	if (k >= 0)
		k = db_meta_set(db, "source", o->source);
	if (k >= 0)
		k = db_meta_set(db, "branch", o->branch);
	st->seconds = now_seconds() - t0;
	if (k >= 0)
		k = finish_scan_row(&c);
	if (k >= 0)
		k = db_commit(db);
	if (k < 0)
		db_rollback(db);
out:
	record_free(&c.rec);
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < ELEMENTSOF(c.years[w]); i++)
			git_tree_free(c.years[w][i]);
	st->seconds = now_seconds() - t0;
	return k;
}
