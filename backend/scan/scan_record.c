/* SPDX-License-Identifier: GPL-2.0-only */
/* One record of the vulns repository: find, read, parse (prepare), then store (commit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "scan_internal.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(git_blob *, git_blob_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

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

/* Statement slots of db_cached() used here; cve_store.c uses the low numbers. */
enum { S_CLEAR_ERROR = 30, S_SET_ERROR = 31 };

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

git_tree *scan_year_tree(struct scan_ctx *c, int which, int year)
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

/* Finds the record's files. Published needs its .json there: after a rejection, stray
 * siblings (a late .cvss or .vulnerable) can stay behind in published/ while the record
 * lives in rejected/. */
static bool locate(struct scan_ctx *c, struct scan_item *it, const git_tree_entry **ent)
{
	int year = atoi(it->id + 4);

	for (int which = 0; which < 2; which++) {
		git_tree *yt = scan_year_tree(c, which, year), *rej;
		bool any = false;
		char name[CVE_ID_MAX + 16];

		if (!yt)
			continue;
		for (int s = 0; s < _SIB_MAX; s++) {
			snprintf(name, sizeof(name), "%s%s", it->id, sibling_suffix[s]);
			ent[s] = git_tree_entry_byname(yt, name);
			if (ent[s] && git_tree_entry_type(ent[s]) != GIT_OBJECT_BLOB)
				ent[s] = NULL;
			any |= ent[s] != NULL;
		}
		if (!any)
			continue;
		snprintf(name, sizeof(name), "%s.json", it->id);
		rej = scan_year_tree(c, 1, year);
		if (which == 0 && !ent[SIB_JSON] && rej && git_tree_entry_byname(rej, name))
			continue;
		it->state = which ? CVE_REJECTED : CVE_PUBLISHED;
		snprintf(it->dir, sizeof(it->dir), "cve/%s/%d", which ? "rejected" : "published",
			 year);
		return true;
	}
	return false;
}

int scan_item_prepare(struct scan_ctx *c, struct scan_item *it)
{
	const git_tree_entry *ent[_SIB_MAX] = { 0 };
	size_t off = 0;
	int k = 0;

	it->blobs[0] = '\0';
	if (!locate(c, it, ent)) {
		it->outcome = ITEM_VANISHED;
		return 0;
	}
	for (int s = 0; s < _SIB_MAX; s++) {
		char hex[GIT_OID_HEXSZ + 1];

		if (!ent[s])
			continue;
		git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(ent[s]));
		off += (size_t)snprintf(it->blobs + off, sizeof(it->blobs) - off, "%s%s=%s",
					off ? " " : "", sibling_key[s], hex);
	}
	if (it->stamp->exists && it->stamp->state == it->state &&
	    streq(it->stamp->blobs, it->blobs)) {
		it->outcome = ITEM_UNCHANGED;
		return 0;
	}

	record_reset(&it->rec);
	snprintf(it->rec.id, sizeof(it->rec.id), "%s", it->id);
	it->rec.state = it->state;
	it->outcome = ITEM_MALFORMED;
	if (it->state == CVE_PUBLISHED && !ent[SIB_JSON]) {
		snprintf(it->path, sizeof(it->path), "%s/%s.json", it->dir, it->id);
		snprintf(it->err.msg, sizeof(it->err.msg), "missing (other files of the record exist)");
		return 0;
	}
	for (int s = 0; s < _SIB_MAX; s++) {
		_cleanup_(git_blob_freep) git_blob *blob = NULL;

		if (!ent[s])
			continue;
		snprintf(it->path, sizeof(it->path), "%s/%s%s", it->dir, it->id, sibling_suffix[s]);
		k = read_blob(c, git_tree_entry_id(ent[s]), it->path, &blob);
		if (k == -EFBIG) {
			snprintf(it->err.msg, sizeof(it->err.msg), "larger than %u bytes",
				 RECORD_FILE_MAX);
			return 0;
		}
		if (k < 0)
			return k; /* an unreadable object: the repository is broken */
		k = sibling_parse[s](&it->rec, git_blob_rawcontent(blob),
				     (size_t)git_blob_rawsize(blob), &it->err);
		if (k == -ENOMEM)
			return log_error_errno(k, "out of memory");
		if (k < 0)
			return 0;
	}
	snprintf(it->path, sizeof(it->path), "%s/%s", it->dir, it->id);
	if (record_validate(&it->rec, &it->err) < 0)
		return 0;
	it->outcome = ITEM_PARSED;
	return 0;
}

static int set_error_row(struct scan_ctx *c, struct scan_item *it)
{
	sqlite3_stmt *st;
	int k = db_cached(c->db, S_SET_ERROR,
			  "INSERT OR REPLACE INTO scan_error(cve_id, path, reason, scan_id)"
			  " VALUES (?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, it->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->err.msg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->scan_id);
	return db_step_done(c->db, st);
}

static int clear_error_row(struct scan_ctx *c, const char *id)
{
	sqlite3_stmt *st;
	int k = db_cached(c->db, S_CLEAR_ERROR, "DELETE FROM scan_error WHERE cve_id = ?", &st);

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

int scan_item_commit(struct scan_ctx *c, struct scan_item *it)
{
	const struct db_cve_stamp *stamp = it->stamp;
	struct db_store_info info;
	char detail[128];
	int k;

	switch (it->outcome) {
	case ITEM_VANISHED:
		/* Gone from both directories without a rejection: keep it, but not as published. */
		k = clear_error_row(c, it->id);
		if (k >= 0 && stamp->exists && stamp->state == CVE_PUBLISHED) {
			k = db_cve_set_state(c->db, it->id, CVE_REJECTED);
			if (k >= 0)
				k = db_cve_change(c->db, it->id, c->scan_id, "removed", c->commit_time,
						  "no longer in cve/published or cve/rejected");
			c->st->rejected++;
		}
		return k;
	case ITEM_UNCHANGED:
		c->st->records++;
		c->st->unchanged++;
		return clear_error_row(c, it->id);
	case ITEM_MALFORMED:
		c->st->records++;
		c->st->errors++;
		log_warning("%s: %s (record skipped)", it->path, it->err.msg);
		return set_error_row(c, it);
	case ITEM_PARSED:
		break;
	}

	c->st->records++;
	info = (struct db_store_info){ .dir = it->dir, .blobs = it->blobs, .commit = c->commit,
				       .commit_time = c->commit_time };
	k = db_cve_store(c->db, &it->rec, &info);
	if (k >= 0)
		k = clear_error_row(c, it->id);
	if (k < 0)
		return k;

	if (!stamp->exists) {
		if (it->state == CVE_REJECTED)
			c->st->rejected++;
		else
			c->st->new_records++;
		return db_cve_change(c->db, it->id, c->scan_id,
				     it->state == CVE_REJECTED ? "rejected" : "new", c->commit_time,
				     NULL);
	}
	if (stamp->state != it->state) {
		if (it->state == CVE_REJECTED)
			c->st->rejected++;
		else
			c->st->updated++;
		return db_cve_change(c->db, it->id, c->scan_id,
				     it->state == CVE_REJECTED ? "rejected" : "republished",
				     c->commit_time, NULL);
	}
	changed_kinds(stamp->blobs, it->blobs, detail, sizeof(detail));
	c->st->updated++;
	return db_cve_change(c->db, it->id, c->scan_id, "updated", c->commit_time, detail);
}
