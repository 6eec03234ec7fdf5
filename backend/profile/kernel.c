/* SPDX-License-Identifier: GPL-2.0-only */
#include "kernel.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "kver.h"
#include "log.h"
#include "strset.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

#define LIST_MAX (64u << 20)

bool kernel_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '-' || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-+", name[i]))
			return false;
	return true;
}

const char *profile_kind_to_string(enum profile_kind k)
{
	return k == PROFILE_SOURCE ? "source" : k == PROFILE_BUILD_DIR ? "build-dir" : "files";
}

static int push_item(struct kbuild_item **arr, size_t *n, const char *path, size_t len, char mode)
{
	struct kbuild_item *grown;

	if ((*n & (*n - 1)) == 0) {
		grown = realloc(*arr, (*n ? *n * 2 : 64) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		*arr = grown;
	}
	(*arr)[*n].path = strndup(path, len);
	(*arr)[*n].mode = mode;
	if (!(*arr)[*n].path)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static bool path_valid(const char *p, size_t n)
{
	if (n == 0 || n > 1024 || p[0] == '/' || memchr(p, '\0', n))
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '.' && p[i + 1] == '.' && (i == 0 || p[i - 1] == '/'))
			return false;
	return true;
}

/* One path per line, optionally followed by "y" or "m" (default y); '#' starts a comment. */
int profile_from_list(const char *list, struct kbuild_result *r)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	unsigned lineno = 0;
	int k;

	memset(r, 0, sizeof(*r));
	k = read_file_bounded(list, LIST_MAX, &text, &len);
	if (k < 0)
		return log_error_errno(k, "%s: cannot read the file list: %m", list);
	for (char *line = text, *next; line && *line; line = next) {
		char *p, mode = 'y';
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		n = strcspn(p, " \t");
		if (p[n]) {
			char *m = p + n;

			while (isspace((unsigned char)*m))
				m++;
			if ((m[0] != 'y' && m[0] != 'm') || (m[1] && !isspace((unsigned char)m[1])))
				return log_error_errno(EINVAL, "%s:%u: expected 'PATH [y|m]'", list,
						       lineno);
			mode = m[0];
		}
		if (!path_valid(p, n))
			return log_error_errno(EINVAL, "%s:%u: not a relative path in the kernel "
					       "tree: '%.*s'", list, lineno, (int)(n > 80 ? 80 : n), p);
		k = push_item(&r->files, &r->n_files, p, n, mode);
		if (k < 0)
			return log_error_errno(k, "out of memory");
	}
	if (r->n_files == 0)
		return log_error_errno(EINVAL, "%s: no file in the list", list);
	return 0;
}

/* nftw has no user pointer: one build directory walk at a time goes through this. */
static struct {
	size_t root_len;
	struct strset sources; /* object -> source path */
	struct strset modular; /* objects that are part of a module (from *.mod) */
	int error;
} bd;

static int bd_visit(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *base = fpath + ftw->base, *rel = fpath + bd.root_len;
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (type != FTW_F)
		return 0;
	while (*rel == '/')
		rel++;
	if (startswith(rel, "scripts/") || startswith(rel, "tools/") || startswith(rel, "source/"))
		return 0;
	if (base[0] == '.' && strlen(base) > 6 && streq(base + strlen(base) - 6, ".o.cmd")) {
		char *src, *end;

		if (read_file_bounded(fpath, 16u << 20, &text, &len) < 0)
			return 0;
		/* host programs built on the way (arch/x86/tools/relocs...) are not the kernel */
		if (!strstr(text, "-D__KERNEL__"))
			return 0;
		/* "source_fs/proc/loadavg.o := fs/proc/loadavg.c" (absolute with O=) */
		src = strstr(text, "source_");
		if (!src || !(src = strstr(src, ":=")))
			return 0;
		src += 2;
		while (*src == ' ')
			src++;
		end = src + strcspn(src, "\n ");
		*end = '\0';
		{
			struct strset_entry *e;
			char obj[1024];

			snprintf(obj, sizeof(obj), "%.*s%s", (int)(base - fpath) - (int)bd.root_len,
				 fpath + bd.root_len, base + 1);
			obj[strlen(obj) - 4] = '\0'; /* drop ".cmd" */
			while (obj[0] == '/')
				memmove(obj, obj + 1, strlen(obj));
			if (strset_put(&bd.sources, obj, strlen(obj), &e) < 0 ||
			    (!e->value && !(e->value = strdup(src)))) {
				bd.error = -ENOMEM;
				return 1;
			}
		}
	} else if (strlen(base) > 4 && streq(base + strlen(base) - 4, ".mod")) {
		struct strset_entry *e;

		if (read_file_bounded(fpath, 16u << 20, &text, &len) < 0)
			return 0;
		for (char *w = strtok(text, " \n"); w; w = strtok(NULL, " \n"))
			if (strset_put(&bd.modular, w, strlen(w), &e) < 0) {
				bd.error = -ENOMEM;
				return 1;
			}
	}
	return 0;
}

static void add_build_issue(struct kbuild_result *r, const char *obj, const char *what)
{
	struct kbuild_issue *grown = realloc(r->issues, (r->n_issues + 1) * sizeof(*grown));

	if (!grown)
		return;
	r->issues = grown;
	grown[r->n_issues].file = strdup(obj);
	grown[r->n_issues].line = 0;
	grown[r->n_issues].what = strdup(what);
	r->n_issues++;
}

int profile_from_build_dir(const char *dir, struct kbuild_result *r)
{
	_cleanup_free_ char *real = realpath(dir, NULL), *link = NULL, *srctree = NULL;
	int k = 0;

	if (real && asprintf(&link, "%s/source", real) >= 0)
		srctree = realpath(link, NULL);

	memset(r, 0, sizeof(*r));
	if (!real)
		return log_error_errno(errno, "%s: %m", dir);
	memset(&bd, 0, sizeof(bd));
	bd.sources.free_value = free;
	bd.root_len = strlen(real);
	if (nftw(real, bd_visit, 32, FTW_PHYS) < 0)
		k = log_error_errno(errno, "%s: cannot walk: %m", dir);
	if (k >= 0 && bd.error < 0)
		k = log_error_errno(bd.error, "%s: %m", dir);
	for (size_t i = 0; k >= 0 && i < bd.sources.cap; i++) {
		struct strset_entry *e = &bd.sources.tab[i];
		const char *src;
		char mode;

		if (!e->key || !e->value)
			continue;
		src = e->value;
		/* O= builds name sources by absolute path under the tree the "source" link
		 * points at; in-tree builds name them relative to the top */
		if (src[0] == '/') {
			size_t n = srctree ? strlen(srctree) : 0;

			if (!n || strncmp(src, srctree, n) != 0 || src[n] != '/') {
				add_build_issue(r, e->key, "source outside the kernel tree");
				continue;
			}
			src += n + 1;
		}
		mode = strset_get(&bd.modular, e->key, strlen(e->key)) ? 'm' : 'y';
		k = push_item(&r->files, &r->n_files, src, strlen(src), mode);
	}
	strset_free(&bd.sources);
	strset_free(&bd.modular);
	if (k >= 0) {
		/* "6.1.192" or "6.1.192-custom": the upstream part of what the build calls itself */
		_cleanup_free_ char *path = NULL, *rel = NULL;
		size_t len, n = 0;

		if (asprintf(&path, "%s/include/config/kernel.release", real) >= 0 &&
		    read_file_bounded(path, 256, &rel, &len) >= 0) {
			while (n < len && n + 1 < sizeof(r->version) &&
			       (isdigit((unsigned char)rel[n]) || rel[n] == '.'))
				n++;
			snprintf(r->version, sizeof(r->version), "%.*s", (int)n, rel);
		}
	}
	if (k >= 0 && r->n_files == 0)
		k = log_error_errno(ENOENT, "%s: no .o.cmd file names a source: is it a kernel build "
				    "tree (in-tree build)?", dir);
	return k;
}

static int insert_items(struct db *db, const char *sql, const char *name,
			const struct kbuild_item *items, size_t n)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, sql, &st);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		char mode[2] = { items[i].mode, '\0' };

		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, items[i].path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, mode, -1, SQLITE_TRANSIENT);
		k = db_step_done(db, st);
	}
	return k;
}

int kernel_store(struct db *db, const struct kernel_spec *spec, const struct kbuild_result *r)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *gen = NULL, *iss = NULL;
	_cleanup_free_ char *config = NULL;
	size_t len;
	int64_t generation = 1;
	int k;

	k = read_file_bounded(spec->config, 16u << 20, &config, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", spec->config);
	k = db_begin(db);
	if (k < 0)
		return k;
	k = db_prepare(db, "SELECT generation FROM kernel WHERE name = ?", &gen);
	if (k >= 0) {
		sqlite3_bind_text(gen, 1, spec->name, -1, SQLITE_STATIC);
		if (sqlite3_step(gen) == SQLITE_ROW)
			generation = sqlite3_column_int64(gen, 0) + 1;
	}
	if (k >= 0)
		k = db_prepare(db, "DELETE FROM kernel WHERE name = ?", &st);
	if (k >= 0) {
		sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
		k = db_step_done(db, st);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (k >= 0)
		k = db_prepare(db, "INSERT INTO kernel(name, version, release, config, profile_kind,"
			       " profile_source, headers_known, sources_known, created, generation, headers,"
			       " system_map, image, modules) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)", &st);
	if (k >= 0) {
		sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, spec->version ? spec->version : r->version, -1, SQLITE_STATIC);
		if (spec->release)
			sqlite3_bind_text(st, 3, spec->release, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, config, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, profile_kind_to_string(spec->kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, spec->from, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, spec->kind == PROFILE_SOURCE);
		sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
		sqlite3_bind_int64(st, 9, generation);
		if (spec->headers)
			sqlite3_bind_text(st, 10, spec->headers, -1, SQLITE_STATIC);
		if (spec->system_map)
			sqlite3_bind_text(st, 11, spec->system_map, -1, SQLITE_STATIC);
		if (spec->image)
			sqlite3_bind_text(st, 12, spec->image, -1, SQLITE_STATIC);
		if (spec->modules)
			sqlite3_bind_text(st, 13, spec->modules, -1, SQLITE_STATIC);
		k = db_step_done(db, st);
	}
	if (k >= 0)
		k = insert_items(db, "INSERT OR REPLACE INTO kernel_file(kernel, path, mode) VALUES (?, ?, ?)",
				 spec->name, r->files, r->n_files);
	if (k >= 0)
		k = insert_items(db, "INSERT OR REPLACE INTO kernel_unit(kernel, path, mode) VALUES (?, ?, ?)",
				 spec->name, r->units, r->n_units);
	if (k >= 0)
		k = db_prepare(db, "INSERT INTO kernel_issue(kernel, seq, file, line, what)"
			       " VALUES (?, ?, ?, ?, ?)", &iss);
	for (size_t i = 0; k >= 0 && i < r->n_issues; i++) {
		sqlite3_bind_text(iss, 1, spec->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(iss, 2, (int64_t)i);
		sqlite3_bind_text(iss, 3, r->issues[i].file ? r->issues[i].file : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(iss, 4, (int)r->issues[i].line);
		sqlite3_bind_text(iss, 5, r->issues[i].what ? r->issues[i].what : "", -1, SQLITE_STATIC);
		k = db_step_done(db, iss);
	}
	return db_end(db, k);
}
