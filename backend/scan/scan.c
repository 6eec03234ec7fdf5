/* SPDX-License-Identifier: GPL-2.0-only */
#include "scan.h"

#include <errno.h>
#include <pthread.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "cve/record.h"
#include "scan_internal.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(git_repository *, git_repository_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_reference *, git_reference_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_commit *, git_commit_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_tree *, git_tree_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_remote *, git_remote_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_diff *, git_diff_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(git_odb *, git_odb_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

bool scan_source_is_url(const char *source)
{
	const char *at = strchr(source, '@'), *colon = strchr(source, ':');
	const char *slash = strchr(source, '/');

	if (strstr(source, "://"))
		return true;
	/* scp-like "user@host:path"; a local path may contain ':' but not before a '/' */
	return at && colon && at < colon && (!slash || colon < slash);
}

int scan_mirror(const char *source, const char *mirror, git_repository **ret)
{
	_cleanup_(git_repository_freep) git_repository *repo = NULL;
	_cleanup_(git_remote_freep) git_remote *remote = NULL;
	git_fetch_options fetch;
	struct stat sb;

	git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);

	if (stat(mirror, &sb) == 0) {
		if (git_repository_open_bare(&repo, mirror) < 0)
			return log_error_errno(EIO, "%s: mirror is not a usable git repository (%s); "
					       "remove it to clone again", mirror, git_msg());
		if (git_remote_lookup(&remote, repo, "origin") < 0)
			return log_error_errno(EIO, "%s: mirror has no remote 'origin': %s",
					       mirror, git_msg());
		if (!streq(strempty(git_remote_url(remote)), source)) {
			git_remote_free(remote);
			remote = NULL;
			if (git_remote_set_url(repo, "origin", source) < 0 ||
			    git_remote_lookup(&remote, repo, "origin") < 0)
				return log_error_errno(EIO, "%s: cannot point mirror at %s: %s",
						       mirror, source, git_msg());
		}
		fetch.prune = GIT_FETCH_PRUNE;
		if (git_remote_fetch(remote, NULL, &fetch, "tuxtape scan") < 0)
			return log_error_errno(EHOSTUNREACH, "%s: fetch failed: %s", source,
					       git_msg());
	} else {
		git_clone_options clone;

		git_clone_options_init(&clone, GIT_CLONE_OPTIONS_VERSION);
		clone.bare = 1;
		if (git_clone(&repo, source, mirror, &clone) < 0)
			return log_error_errno(EHOSTUNREACH, "%s: clone failed: %s", source,
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
			yt = scan_year_tree(c, which, (int)year);
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


/* What the database holds for each listed id, looked up before the records are read. */
static int load_stamps(struct scan_ctx *c, const struct id_list *l, struct db_cve_stamp *stamps)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	size_t i = 0;
	int k;

	if (l->n < 512) {
		for (i = 0; i < l->n; i++) {
			k = db_cve_stamp(c->db, l->ids[i], &stamps[i]);
			if (k < 0)
				return k;
		}
		return 0;
	}
	/* Many records: one ordered pass over the table, merged with the sorted list. */
	k = db_prepare(c->db, "SELECT id, state, blobs FROM cve ORDER BY id", &st);
	if (k < 0)
		return k;
	while (i < l->n && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		int d = 1;

		while (i < l->n && (d = strcmp(l->ids[i], id)) < 0)
			i++;
		if (i == l->n || d > 0)
			continue;
		stamps[i].exists = true;
		stamps[i].state = streq((const char *)sqlite3_column_text(st, 1), "rejected")
					  ? CVE_REJECTED : CVE_PUBLISHED;
		stamps[i].blobs = strdup((const char *)sqlite3_column_text(st, 2));
		if (!stamps[i].blobs)
			return log_error_errno(ENOMEM, "out of memory");
		i++;
	}
	return 0;
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

/*
 * Reading and parsing (git, jansson) costs about twice what storing (SQLite) does, so a
 * large scan runs them on two threads: a reader thread prepares items in order into a ring
 * of PIPE_SLOTS, and this thread commits them in the same order, in one transaction.
 */
#define PIPE_SLOTS 64
#define PIPE_MIN_RECORDS 256

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t produced, consumed, n;
	bool stop;
	int error;
	struct scan_ctx *c;
	const struct id_list *l;
	struct db_cve_stamp *stamps;
	struct scan_item *items;
};

static struct scan_item *item_setup(struct pipeline *p, size_t i, size_t slot)
{
	struct scan_item *it = &p->items[slot];

	snprintf(it->id, sizeof(it->id), "%s", p->l->ids[i]);
	it->stamp = &p->stamps[i];
	return it;
}

static void *reader_thread(void *arg)
{
	struct pipeline *p = arg;

	for (size_t i = 0; i < p->n; i++) {
		int k;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && i - p->consumed >= PIPE_SLOTS)
			pthread_cond_wait(&p->cond, &p->lock);
		pthread_mutex_unlock(&p->lock);
		if (p->stop)
			break;
		k = scan_item_prepare(p->c, item_setup(p, i, i % PIPE_SLOTS));
		pthread_mutex_lock(&p->lock);
		if (k < 0) {
			p->error = k;
			p->stop = true;
		} else {
			p->produced = i + 1;
		}
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		if (k < 0)
			break;
	}
	return NULL;
}

static int run_pipeline(struct pipeline *p, const struct scan_options *o)
{
	pthread_t reader;
	int k = 0;

	if (pthread_create(&reader, NULL, reader_thread, p) != 0)
		return log_error_errno(EAGAIN, "cannot start the reader thread");
	for (size_t i = 0; i < p->n && k >= 0; i++) {
		pthread_mutex_lock(&p->lock);
		while (p->produced <= i && !p->error)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->produced <= i)
			k = p->error;
		pthread_mutex_unlock(&p->lock);
		if (k < 0)
			break;
		k = scan_item_commit(p->c, &p->items[i % PIPE_SLOTS]);
		pthread_mutex_lock(&p->lock);
		p->consumed = i + 1;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		progress(o, i + 1, p->n);
	}
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(reader, NULL);
	return k;
}

static int process(struct scan_ctx *c, const struct scan_options *o, const struct id_list *l)
{
	struct pipeline p = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
			      .n = l->n, .c = c, .l = l };
	size_t slots = l->n < PIPE_MIN_RECORDS ? 1 : PIPE_SLOTS;
	int k;

	if (l->n == 0)
		return 0;
	p.stamps = calloc(l->n, sizeof(*p.stamps));
	p.items = calloc(slots, sizeof(*p.items));
	if (!p.stamps || !p.items) {
		k = log_error_errno(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < slots; i++)
		record_init(&p.items[i].rec);
	k = load_stamps(c, l, p.stamps);
	if (k < 0)
		goto out;
	if (slots > 1) {
		k = run_pipeline(&p, o);
	} else {
		/* A handful of records (the usual incremental scan): no thread needed. */
		for (size_t i = 0; i < l->n && k >= 0; i++) {
			k = scan_item_prepare(c, item_setup(&p, i, 0));
			if (k >= 0)
				k = scan_item_commit(c, &p.items[0]);
			progress(o, i + 1, l->n);
		}
	}
out:
	for (size_t i = 0; p.items && i < slots; i++)
		record_free(&p.items[i].rec);
	for (size_t i = 0; p.stamps && i < l->n; i++)
		free(p.stamps[i].blobs);
	free(p.items);
	free(p.stamps);
	return k;
}

/* In a full scan, a stored record absent from the tree has vanished. */
static int sweep_vanished(struct scan_ctx *c, const struct scan_options *o,
			  const struct id_list *l)
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
	k = process(c, o, &gone);
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

static int scan_work(struct scan_ctx *c, const struct scan_options *o, git_tree *old_tree)
{
	struct id_list l = { 0 };
	int k;

	k = old_tree ? list_changed(c, old_tree, &l) : list_all(c, &l);
	if (k >= 0)
		k = process(c, o, &l);
	if (k >= 0 && !old_tree)
		k = sweep_vanished(c, o, &l);
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
		k = scan_mirror(o->source, o->mirror, &repo);
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
	{
		/* any git repository would scan as "0 new": say it is not the vulns repository */
		git_tree_entry *pub = NULL, *rej = NULL;
		bool records = git_tree_entry_bypath(&pub, tree, "cve/published") == 0 ||
			       git_tree_entry_bypath(&rej, tree, "cve/rejected") == 0;

		git_tree_entry_free(pub);
		git_tree_entry_free(rej);
		if (!records)
			return log_error_errno(ENOENT, "%s: not a CVE records repository (no "
					       "cve/published or cve/rejected at %s)", o->source,
					       st->commit);
	}

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
	k = db_end(db, k);
out:
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < ELEMENTSOF(c.years[w]); i++)
			git_tree_free(c.years[w][i]);
	st->seconds = now_seconds() - t0;
	return k;
}
