/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fix as text: a unified diff (-p1) is parsed for the files it touches and where (line
 * numbers of the original), dry-run with `patch -F0` against the prepared tree (a failed hunk
 * is named), and checked at the source level before anything is built: a change inside a
 * struct or union body is a data layout change (refused: the running kernel's objects keep
 * the old layout), build-system and assembly changes are refused, header-only changes are
 * not supported yet. For a CVE, the fix is made here: the CVE's files (the record's
 * programFiles) differ between the kernel's source and a newer source of the same stable
 * branch (`diff -u`).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "kver.h"
#include "log.h"
#include "util.h"
#include "cve/verdict.h"

#define PATCH_MAX (64u << 20)
#define SOURCE_MAX (16u << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

void gen_files_free(struct gen_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].points);
		free(f[i].hunks);
	}
	free(f);
}

static int push_point(struct gen_file *f, unsigned p)
{
	if ((f->n_points & (f->n_points + 1)) == 0 || f->n_points == 0) {
		unsigned *g = realloc(f->points, (f->n_points * 2 + 16) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		f->points = g;
	}
	f->points[f->n_points++] = p;
	return 0;
}

static int push_hunk(struct gen_file *f)
{
	size_t *g = realloc(f->hunks, (f->n_hunks + 1) * sizeof(*g));

	if (!g)
		return -ENOMEM;
	f->hunks = g;
	f->hunks[f->n_hunks++] = f->n_points;
	return 0;
}

void gen_patch_offsets(const char *out, struct gen_file *files, size_t n)
{
	struct gen_file *cur = NULL;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		unsigned hunk, at;
		int off;

		if (startswith(l, "checking file ") || startswith(l, "patching file ")) {
			cur = NULL;
			for (size_t i = 0; i < n; i++)
				if (strlen(files[i].path) == len - 14 &&
				    strncmp(files[i].path, l + 14, len - 14) == 0)
					cur = &files[i];
		} else if (cur && sscanf(l, "Hunk #%u succeeded at %u (offset %d line", &hunk, &at,
					 &off) == 3 && hunk >= 1 && hunk <= cur->n_hunks) {
			size_t end = hunk < cur->n_hunks ? cur->hunks[hunk] : cur->n_points;

			/* 2*L and 2*L+1 keep their parity: removed line or insertion after it */
			for (size_t i = cur->hunks[hunk - 1]; i < end; i++)
				if ((long)cur->points[i] + 2L * off >= 0)
					cur->points[i] += 2 * off;
		}
	}
}

/* "a/fs/proc/x.c\t2024-..." -> "fs/proc/x.c"; NULL for /dev/null. */
static char *strip_path(const char *s)
{
	size_t n = strcspn(s, "\t\n");
	const char *slash;

	if (n == 9 && strncmp(s, "/dev/null", 9) == 0)
		return NULL;
	slash = memchr(s, '/', n);
	if (!slash)
		return strndup(s, n);
	return strndup(slash + 1, n - (size_t)(slash + 1 - s));
}

int gen_patch_parse(const char *text, struct gen_file **ret, size_t *n, char *err, size_t len)
{
	struct gen_file *files = NULL, *cur = NULL;
	size_t nf = 0;
	unsigned old_line = 0, old_left = 0, new_left = 0;
	int k = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (old_left || new_left) {
			if (*l == '-') {
				k = push_point(cur, 2 * old_line);
				old_line++, old_left--;
			} else if (*l == '+') {
				k = push_point(cur, 2 * (old_line - 1) + 1);
				new_left--;
			} else if (*l == ' ' || *l == '\n') {
				old_line++, old_left--, new_left--;
			} else if (*l != '\\') {
				snprintf(err, len, "malformed hunk in %s", cur->path);
				k = -EINVAL;
			}
			if (k < 0)
				break;
			continue;
		}
		if (startswith(l, "--- ") && strchr(l, '\n') && startswith(strchr(l, '\n') + 1, "+++ ")) {
			_cleanup_free_ char *a = strip_path(l + 4);
			char *b = strip_path(strchr(l, '\n') + 5);
			struct gen_file *g = realloc(files, (nf + 1) * sizeof(*g));

			if (!g) {
				free(b);
				k = -ENOMEM;
				break;
			}
			files = g;
			cur = &files[nf++];
			memset(cur, 0, sizeof(*cur));
			cur->created = !a;
			cur->deleted = !b;
			cur->path = b ? b : a ? strdup(a) : NULL;
			if (!cur->path) {
				snprintf(err, len, "a file of the patch has no name");
				k = -EINVAL;
				break;
			}
			l = strchr(l, '\n') + 1;
			continue;
		}
		if (startswith(l, "@@ ") && cur) {
			unsigned os, ol = 1, ns, nl = 1;

			if (sscanf(l, "@@ -%u,%u +%u,%u @@", &os, &ol, &ns, &nl) != 4 &&
			    sscanf(l, "@@ -%u +%u,%u @@", &os, &ns, &nl) != 3 &&
			    sscanf(l, "@@ -%u,%u +%u @@", &os, &ol, &ns) != 3 &&
			    sscanf(l, "@@ -%u +%u @@", &os, &ns) != 2) {
				snprintf(err, len, "malformed hunk header in %s", cur->path);
				k = -EINVAL;
				break;
			}
			old_line = ol ? os : os + 1;
			old_left = ol, new_left = nl;
			k = push_hunk(cur);
			if (k < 0)
				break;
		}
	}
	if (k >= 0 && nf == 0) {
		snprintf(err, len, "not a unified diff: no file in it");
		k = -EINVAL;
	}
	if (k < 0) {
		gen_files_free(files, nf);
		return k;
	}
	*ret = files;
	*n = nf;
	return 0;
}

/*
 * A light C scanner: comments, strings, character literals and preprocessor lines are
 * skipped; each '{' is classified by the text since the previous ';', '{' or '}': a struct or
 * union keyword with neither '(' nor '=' after it opens a type body (a function returning a
 * struct has '(', an initialiser has '='). Nested bodies count as their outermost one.
 */
struct body {
	char name[128];
	unsigned open, close;
};

static bool ident_char(char ch)
{
	return ch == '_' || isalnum((unsigned char)ch);
}

/* The keyword as a whole word in s, or NULL. */
static char *find_keyword(char *s, const char *kw)
{
	size_t n = strlen(kw);

	for (char *p = s; (p = strstr(p, kw)); p++)
		if ((p == s || !ident_char(p[-1])) && !ident_char(p[n]))
			return p;
	return NULL;
}

int gen_struct_at(const char *text, const unsigned *points, size_t n, char **name)
{
	char prefix[512];
	size_t plen = 0;
	unsigned line = 1, depth = 0, type_depth = 0;
	struct body cur = { 0 };
	bool bol = true;

	*name = NULL;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			line++, bol = true;
			if (plen < sizeof(prefix) - 1)
				prefix[plen++] = ' ';
			continue;
		}
		if (bol && *p == '#') {
			/* a directive, with its continuations */
			while (*p && !(*p == '\n' && p[-1] != '\\'))
				line += *p++ == '\n';
			if (!*p)
				break;
			line++;
			continue;
		}
		if (*p != ' ' && *p != '\t')
			bol = false;
		if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (!*p)
				break;
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			char q = *p;

			for (p++; *p && *p != q; p++) {
				if (*p == '\\' && p[1])
					p++;
				line += *p == '\n';
			}
			if (!*p)
				break;
			continue;
		}
		if (*p == '{') {
			prefix[plen] = '\0';
			depth++;
			if (!type_depth) {
				char *kw = find_keyword(prefix, "struct");

				if (!kw)
					kw = find_keyword(prefix, "union");
				/* a function has its parameters, an initialiser its '=' */
				if (kw && !strpbrk(prefix, "(=")) {
					const char *nm = kw + strcspn(kw, " \t");

					nm += strspn(nm, " \t");
					snprintf(cur.name, sizeof(cur.name), "%.*s %.*s",
						 (int)strcspn(kw, " \t"), kw,
						 (int)strcspn(nm, " \t{"), *nm ? nm : "(anonymous)");
					if (!*nm)
						snprintf(cur.name, sizeof(cur.name), "%.*s (anonymous)",
							 (int)strcspn(kw, " \t"), kw);
					cur.open = line;
					type_depth = depth;
				}
			}
			plen = 0;
			continue;
		}
		if (*p == '}' || *p == ';') {
			if (*p == '}' && depth) {
				if (type_depth == depth) {
					cur.close = line;
					type_depth = 0;
					for (size_t i = 0; i < n; i++) {
						unsigned at = points[i] / 2;
						bool ins = points[i] & 1;

						if ((ins && at >= cur.open && at < cur.close) ||
						    (!ins && at >= cur.open && at <= cur.close)) {
							*name = strdup(cur.name);
							return *name ? 0 : -ENOMEM;
						}
					}
				}
				depth--;
			}
			plen = 0;
			continue;
		}
		if (plen < sizeof(prefix) - 1)
			prefix[plen++] = *p;
	}
	return 0;
}

/* "Hunk #2 FAILED at 57." under "checking file fs/x.c": the first failure, in words. */
static void dry_run_failure(const char *out, char *buf, size_t len, unsigned *offsets)
{
	const char *file = NULL;
	size_t flen = 0;

	buf[0] = '\0';
	*offsets = 0;
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		unsigned hunk, at;

		if (startswith(l, "checking file ") || startswith(l, "patching file ")) {
			file = l + 14, flen = n - 14;
		} else if (sscanf(l, "Hunk #%u FAILED at %u", &hunk, &at) == 2 && !buf[0]) {
			snprintf(buf, len, "hunk #%u of %.*s does not apply (at line %u)", hunk,
				 (int)flen, strempty(file), at);
		} else if (startswith(l, "can't find file to patch") && !buf[0]) {
			snprintf(buf, len, "a file of the patch is not in the kernel's source");
		} else if (strstr(l, "Reversed (or previously applied) patch detected") && !buf[0]) {
			snprintf(buf, len, "%.*s: the patch is already applied (or reversed)",
				 (int)flen, strempty(file));
		} else if (strstr(l, "(offset ")) {
			(*offsets)++;
		} else if (strstr(l, "with fuzz") && !buf[0]) {
			snprintf(buf, len, "%.*s: a hunk applies only with fuzz", (int)flen,
				 strempty(file));
		}
	}
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && streq(s + a - b, suffix);
}

/* 'y', 'm', 'n' from the profile, or 0 when the profile does not list the file. */
static char profile_mode(struct db *db, const char *kernel, const char *path)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT mode FROM kernel_file WHERE kernel = ? AND path = ?", &st) < 0)
		return 0;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	return (char)sqlite3_column_text(st, 0)[0];
}

static int add_object(struct gen_ctx *c, const char *src)
{
	struct gen_object *g = realloc(c->objs, (c->n_objs + 1) * sizeof(*g));

	if (!g)
		return -ENOMEM;
	c->objs = g;
	g = &c->objs[c->n_objs++];
	memset(g, 0, sizeof(*g));
	g->src = strdup(src);
	g->target = strdup(src);
	if (!g->src || !g->target)
		return -ENOMEM;
	g->target[strlen(g->target) - 1] = 'o';
	return 0;
}

static bool same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;

	return na == nb && strncmp(a, b, na) == 0;
}

static bool global_header(const char *path)
{
	return startswith(path, "include/") ||
	       (startswith(path, "arch/") && strstr(path, "/include/"));
}

/*
 * The files this configuration does not build, decided before anything is said about their
 * content: the most fundamental reason wins, and a layout change in code the kernel does not
 * have is no reason at all. A driver's own header, Makefile or assembly (beside one of its
 * unbuilt .c files, and beside none that is built) goes with them.
 */
static int mark_unbuilt(struct gen_ctx *c, bool *skip, char **unbuilt)
{
	for (size_t i = 0; i < c->n_files; i++) {
		const struct gen_file *f = &c->files[i];

		if (has_suffix(f->path, ".c") && !f->created && !f->deleted &&
		    profile_mode(c->db, c->k.name, f->path) == 'n') {
			skip[i] = true;
			if (gen_list_append(unbuilt, ", ", "%s", f->path) < 0)
				return -ENOMEM;
		}
	}
	for (size_t i = 0; i < c->n_files; i++) {
		const struct gen_file *f = &c->files[i];
		bool beside_unbuilt = false, beside_built = false;

		if (has_suffix(f->path, ".c") || global_header(f->path))
			continue;
		for (size_t j = 0; j < c->n_files; j++) {
			if (!has_suffix(c->files[j].path, ".c") || !same_dir(f->path, c->files[j].path))
				continue;
			if (skip[j])
				beside_unbuilt = true;
			else
				beside_built = true;
		}
		if (beside_unbuilt && !beside_built) {
			skip[i] = true;
			if (gen_list_append(unbuilt, ", ", "%s", f->path) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The refusals of source-check, the most fundamental first: the one reported is the first
 * of these any file earns, whatever the order of the files in the patch. */
enum { WHY_BUILD, WHY_FILE, WHY_ASM, WHY_LAYOUT, WHY_MAX };

static void why_free(char **why)
{
	for (size_t i = 0; i < WHY_MAX; i++)
		free(why[i]);
}

int gen_source_check(struct gen_ctx *c)
{
	_cleanup_free_ char *ignored = NULL, *header = NULL, *unbuilt = NULL;
	_cleanup_free_ bool *skip = calloc(c->n_files + 1, sizeof(bool));
	char *why[WHY_MAX] = { NULL };
	size_t n_c = 0;
	int k = 0;

	if (!skip)
		return -ENOMEM;
	k = mark_unbuilt(c, skip, &unbuilt);
	for (size_t i = 0; k >= 0 && i < c->n_files; i++) {
		const struct gen_file *f = &c->files[i];
		const char *base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
		bool is_c = has_suffix(f->path, ".c"), is_h = has_suffix(f->path, ".h");
		_cleanup_free_ char *path = NULL, *text = NULL, *type = NULL;
		size_t len;

		if (skip[i])
			continue;
		if (startswith(base, "Makefile") || startswith(base, "Kbuild") ||
		    startswith(base, "Kconfig")) {
			if (!why[WHY_BUILD] && asprintf(&why[WHY_BUILD], "build system change: %s",
							f->path) < 0)
				k = -ENOMEM;
			continue;
		}
		if (has_suffix(f->path, ".S") || has_suffix(f->path, ".s")) {
			if (!why[WHY_ASM] && asprintf(&why[WHY_ASM], "assembly change: %s (only C "
						      "functions can be livepatched)", f->path) < 0)
				k = -ENOMEM;
			continue;
		}
		if (!is_c && !is_h) {
			k = gen_list_append(&ignored, ", ", "%s", f->path);
			continue;
		}
		if (f->deleted || (f->created && is_c)) {
			if (!why[WHY_FILE] && asprintf(&why[WHY_FILE], f->deleted ? "file removed: %s" :
						       "new source file %s: needs a build change, "
						       "not supported", f->path) < 0)
				k = -ENOMEM;
			continue;
		}
		if (!f->created) {
			if (asprintf(&path, "%s/%s", c->tree, f->path) < 0) {
				k = -ENOMEM;
				break;
			}
			k = read_file_bounded(path, SOURCE_MAX, &text, &len);
			if (k < 0) {
				why_free(why);
				return gen_say(c, GEN_FAILED, "%s: %s", path, strerror(-k));
			}
			k = gen_struct_at(text, f->points, f->n_points, &type);
			if (k >= 0 && type && !why[WHY_LAYOUT] &&
			    asprintf(&why[WHY_LAYOUT], "data structure layout change: %s in %s", type,
				     f->path) < 0)
				k = -ENOMEM;
			if (type)
				continue;
		}
		if (is_h) {
			if (!header && !(header = strdup(f->path)))
				k = -ENOMEM;
			continue;
		}
		n_c++;
		if (k >= 0)
			k = add_object(c, f->path);
	}
	if (k < 0) {
		why_free(why);
		return k;
	}
	/* no C file of the fix is built here: its code is not this kernel's, whatever else the
	 * fix changes */
	if (n_c == 0 && unbuilt) {
		why_free(why);
		return gen_say(c, GEN_REFUSED, "none of the patch's C files is built by kernel "
			       "%s's configuration (%s)", c->k.name, unbuilt);
	}
	for (size_t i = 0; i < WHY_MAX; i++)
		if (why[i]) {
			k = gen_say(c, GEN_REFUSED, "%s", why[i]);
			why_free(why);
			return k;
		}
	if (n_c == 0 && header)
		return gen_say(c, GEN_REFUSED, "header-only change: not supported yet (%s; "
			       "the objects that include it are not searched)", header);
	if (n_c == 0)
		return gen_say(c, GEN_REFUSED, "the patch touches no C source%s%s",
			       ignored ? ": " : "", strempty(ignored));
	return gen_say(c, GEN_OK, "%zu C file(s)%s%s%s%s%s%s", n_c,
		       header ? "; header changed, only the patch's own .c files rebuilt: " : "",
		       strempty(header), ignored ? "; ignored: " : "", strempty(ignored),
		       unbuilt ? "; not built by this configuration, left out: " : "",
		       strempty(unbuilt));
}

int gen_apply(struct gen_ctx *c)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	char err[512], why[600];
	unsigned offsets;
	size_t len;
	int k;

	k = read_file_bounded(c->patch_path, PATCH_MAX, &text, &len);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->patch_path, strerror(-k));
	k = gen_patch_parse(text, &c->files, &c->n_files, err, sizeof(err));
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->patch_path, err);
	char *argv[] = { (char *)"patch", (char *)"-p1", (char *)"-F0", (char *)"-N",
			 (char *)"--dry-run", (char *)"-d", c->tree, (char *)"-i", c->patch_path,
			 NULL };
	k = gen_run(NULL, argv, NULL, false, &out);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "cannot run patch: %s", strerror(-k));
	dry_run_failure(out, why, sizeof(why), &offsets);
	if (k != 0 || why[0]) {
		_cleanup_free_ char *tail = gen_tail(out, 3);

		return gen_say(c, GEN_FAILED, "the patch does not apply cleanly: %s",
			       why[0] ? why : tail);
	}
	/* the source check reads the tree's lines: a patch made against another version
	 * (a 6.1 patch on 6.12) changes them where patch put its hunks */
	gen_patch_offsets(out, c->files, c->n_files);
	return gen_say(c, GEN_OK, "%zu file(s), no fuzz%s", c->n_files,
		       offsets ? " (some hunks at an offset: the patch was made against "
				 "another version)" : "");
}

int gen_fix_from_source(struct gen_ctx *c)
{
	_cleanup_free_ char *newtop = NULL, *diff = NULL, *same = NULL, *absent = NULL;
	struct cve_record r;
	struct verdict_result v;
	struct kver kv;
	struct stat st;
	size_t dlen = 0, changed = 0;
	int k;

	record_init(&r);
	k = db_cve_load(c->db, c->req->cve, &r);
	if (k < 0) {
		record_free(&r);
		return gen_say(c, GEN_FAILED, "%s: not in the database", c->req->cve);
	}
	if (kver_parse(c->k.version, &kv) >= 0 && verdict_check(&r, &kv, &v) >= 0 &&
	    v.fixed_commit)
		c->source_commit = strdup(v.fixed_commit);
	if (c->req->linux_git) {
		char err[512] = "";

		record_free(&r);
		if (!c->source_commit)
			return gen_say(c, GEN_REFUSED, "%s has no fix commit for the %s branch "
				       "in the scanner's data", c->req->cve, c->k.version);
		k = gen_fix_from_git(c, c->source_commit, &diff, err, sizeof(err));
		if (k < 0)
			return gen_say(c, GEN_FAILED, "%s", err[0] ? err : strerror(-k));
		if (asprintf(&c->patch_path, "%s/fix.patch", c->out) < 0)
			return -ENOMEM;
		k = gen_write_file(c->patch_path, diff);
		if (k < 0)
			return gen_say(c, GEN_FAILED, "%s: %s", c->patch_path, strerror(-k));
		return gen_say(c, GEN_OK, "fix commit %s from %s", c->source_commit,
			       c->req->linux_git);
	}
	if (r.n_files == 0) {
		record_free(&r);
		return gen_say(c, GEN_REFUSED, "%s names no files: the fix cannot be found",
			       c->req->cve);
	}
	if (stat(c->req->fix_source, &st) < 0) {
		record_free(&r);
		return gen_say(c, GEN_FAILED, "%s: %s", c->req->fix_source, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		newtop = strdup(c->req->fix_source);
	} else {
		k = gen_cache_source(c, c->req->fix_source, &newtop);
		if (k < 0) {
			record_free(&r);
			return gen_say(c, GEN_FAILED, "cannot read the CVE's files from %s: %s",
				       c->req->fix_source, strerror(-k));
		}
	}
	for (size_t i = 0; i < r.n_files; i++) {
		_cleanup_free_ char *a = NULL, *b = NULL, *la = NULL, *lb = NULL, *out = NULL;

		if (asprintf(&a, "%s/%s", c->tree, r.files[i]) < 0 ||
		    asprintf(&b, "%s/%s", newtop, r.files[i]) < 0 ||
		    asprintf(&la, "a/%s", r.files[i]) < 0 || asprintf(&lb, "b/%s", r.files[i]) < 0) {
			k = -ENOMEM;
			break;
		}
		if (access(a, F_OK) < 0 && access(b, F_OK) < 0) {
			k = gen_list_append(&absent, ", ", "%s", r.files[i]);
			if (k < 0)
				break;
			continue;
		}
		char *argv[] = { (char *)"diff", (char *)"-uN", (char *)"--label", la,
				 (char *)"--label", lb, a, b, NULL };
		k = gen_run(NULL, argv, NULL, false, &out);
		if (k == 0) {
			k = gen_list_append(&same, ", ", "%s", r.files[i]);
			if (k < 0)
				break;
			continue;
		}
		if (k != 1) {
			k = -EIO;
			break;
		}
		k = 0;
		changed++;
		size_t n = strlen(out);
		char *g = realloc(diff, dlen + n + 1);

		if (!g) {
			k = -ENOMEM;
			break;
		}
		diff = g;
		memcpy(diff + dlen, out, n + 1);
		dlen += n;
	}
	record_free(&r);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "diff of the CVE's files failed: %s",
			       strerror(-k));
	/* the record's files come from the mainline fix; a branch's backport may touch others */
	if (!changed && same)
		return gen_say(c, GEN_REFUSED, "%s's record names %s, which the fix on this "
			       "kernel's branch%s%s%s does not touch: the same in the kernel's "
			       "source (%s) and in %s%s%s", c->req->cve, same,
			       c->source_commit ? " (commit " : "", strempty(c->source_commit),
			       c->source_commit ? ")" : "", c->k.version, c->req->fix_source,
			       absent ? "; in neither source: " : "", strempty(absent));
	if (!changed)
		return gen_say(c, GEN_REFUSED, "%s's record names %s, which neither the kernel's "
			       "source nor %s has: no fix to carry", c->req->cve,
			       strempty(absent), c->req->fix_source);
	if (asprintf(&c->patch_path, "%s/fix.patch", c->out) < 0)
		return -ENOMEM;
	k = gen_write_file(c->patch_path, diff);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->patch_path, strerror(-k));
	return gen_say(c, GEN_OK, "%zu of the CVE's files differ in %s (the diff holds every "
		       "change between the two versions of those files); fix commit %s%s%s",
		       changed, c->req->fix_source, c->source_commit ? c->source_commit :
		       "unknown for this branch", same ? "; the same in both, not touched by "
		       "the branch's fix: " : "", strempty(same));
}
