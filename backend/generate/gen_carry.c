// SPDX-License-Identifier: GPL-2.0-only
/*
 * build-patched's answer to a fix that does not compile on this kernel. The fix's files come
 * from a newer source of the branch, so they may use what that source added elsewhere: a
 * helper or a macro in a header (carried: its definition goes into the patched .c file after
 * the includes, and the fix is built again, for a few rounds since a carried helper may need
 * another), or a struct member, a type, a function defined in some other .c file, a changed
 * signature (refused, naming the identifier and the header of the fix source that introduces
 * it). Only an unconditional definition is carried, and only when this kernel's copy of the
 * header does not define the name at all: a definition under #ifdef was chosen for the fix
 * source's configuration, and a name this kernel defines elsewhere is not missing but hidden.
 * gcc's whole output stays in OUT/build-patched.log for the person the refusal goes to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate/gen_diag.h"
#include "util.h"

#define SOURCE_MAX (16u << 20)
#define CANDIDATES_MAX 64
/* a carried helper may need another; a chain longer than this is no helper any more */
#define CARRY_ROUNDS 4

/* What one error needs, once looked up. */
struct need {
	const struct gen_diag *d;
	char *path;          /* the header of the fix source that defines it */
	struct gen_def def;
	bool in_kernel;      /* this kernel's copy of that header defines it too */
};

static void need_clear(struct need *x)
{
	free(x->path);
	gen_def_clear(&x->def);
}

/* The fix source's top directory, or NULL when the fix came with none. */
static int fix_top(struct gen_ctx *c, char **top)
{
	struct stat st;

	*top = NULL;
	if (!c->req->fix_source)
		return 0;
	if (stat(c->req->fix_source, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		*top = strdup(c->req->fix_source);
		return *top ? 0 : -ENOMEM;
	}
	return gen_cache_source(c, c->req->fix_source, top);
}

static char *dir_of(const char *path)
{
	const char *p = startswith(path, "./") ? path + 2 : path;
	const char *slash = strrchr(p, '/');

	return slash ? strndup(p, (size_t)(slash - p)) : strdup(".");
}

static int read_in(const char *top, const char *path, char **text)
{
	_cleanup_free_ char *full = NULL;
	size_t len;

	if (asprintf(&full, "%s/%s", top, path) < 0)
		return -ENOMEM;
	return read_file_bounded(full, SOURCE_MAX, text, &len);
}

/* The headers of the fix source mentioning the name, searched for its definition: the
 * best one (a definition before a mere declaration) wins. */
static int look_up(struct gen_ctx *c, const char *top, struct need *x)
{
	const struct gen_diag *d = x->d;
	_cleanup_free_ char *dir = dir_of(d->file), *out = NULL;
	const char *name = d->name;

	if (!dir)
		return -ENOMEM;
	char *argv[] = { (char *)"grep", (char *)"-rlwsI", (char *)"--include=*.h", (char *)"-e",
			 (char *)name, (char *)"include", (char *)"arch/x86/include", dir, NULL };
	gen_run(top, argv, NULL, false, &out);
	size_t seen = 0;

	for (char *l = out, *next; l && *l && seen < CANDIDATES_MAX; l = next, seen++) {
		_cleanup_free_ char *text = NULL;
		struct gen_def def;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (read_in(top, l, &text) < 0)
			continue;
		if (gen_def_find(text, name, d->need == GEN_NEED_MEMBER ? d->type : NULL, &def) < 0)
			return -ENOMEM;
		if (def.kind == GEN_DEF_NONE)
			continue;
		/* a declaration is kept only until a definition turns up */
		if (x->def.kind != GEN_DEF_NONE &&
		    (def.kind == GEN_DEF_FUNCTION || x->def.kind != GEN_DEF_FUNCTION)) {
			gen_def_clear(&def);
			continue;
		}
		need_clear(x);
		x->def = def;
		x->path = strdup(l);
		if (!x->path)
			return -ENOMEM;
	}
	if (x->path) {
		_cleanup_free_ char *mine = NULL;
		struct gen_def kd;

		if (read_in(c->tree, x->path, &mine) >= 0) {
			if (gen_def_find(mine, name, d->need == GEN_NEED_MEMBER ? d->type : NULL,
					 &kd) < 0)
				return -ENOMEM;
			x->in_kernel = kd.kind != GEN_DEF_NONE;
			gen_def_clear(&kd);
		}
	}
	return 0;
}

static bool is_object_source(const struct gen_ctx *c, const char *file)
{
	const char *f = startswith(file, "./") ? file + 2 : file;

	for (size_t i = 0; i < c->n_objs; i++)
		if (streq(c->objs[i].src, f))
			return true;
	return false;
}

static bool carriable(const struct gen_ctx *c, const struct need *x)
{
	return (x->d->need == GEN_NEED_FUNCTION || x->d->need == GEN_NEED_IDENT) &&
	       (x->def.kind == GEN_DEF_MACRO || x->def.kind == GEN_DEF_INLINE) &&
	       !x->def.conditional && !x->in_kernel && is_object_source(c, x->d->file);
}

/* Why one error cannot be carried, in words (malloc'd). */
static char *why(const struct gen_ctx *c, const struct need *x, bool have_top)
{
	const struct gen_diag *d = x->d;
	_cleanup_free_ char *what = NULL, *where = NULL, *extra = NULL;
	char *s = NULL;

	if (d->need == GEN_NEED_MEMBER) {
		if (asprintf(&what, "member %s of %s", d->name, d->type) < 0)
			return NULL;
	} else if (d->need == GEN_NEED_SIGNATURE) {
		if (asprintf(&what, "the newer signature of %s", d->name) < 0)
			return NULL;
	} else if (!(what = strdup(d->name))) {
		return NULL;
	}
	if (x->path) {
		const char *kind = d->need == GEN_NEED_MEMBER ? "a struct member defined" :
				   d->need == GEN_NEED_SIGNATURE ? "declared" :
				   x->def.kind == GEN_DEF_FUNCTION ? "a function declared" :
				   x->def.kind == GEN_DEF_MACRO ? "a macro defined" :
				   x->def.kind == GEN_DEF_INLINE ? "a static inline function defined" :
				   x->def.kind == GEN_DEF_TYPE ? "a type defined" :
				   x->def.kind == GEN_DEF_ENUM ? "an enum constant defined" :
				   "a variable declared";

		if (asprintf(&where, " (%s in %s of the fix source)", kind, x->path) < 0)
			return NULL;
	} else if (asprintf(&where, "%s", have_top ? " (defined in none of the fix source's "
			    "headers)" : "") < 0) {
		return NULL;
	}
	if (d->need == GEN_NEED_SIGNATURE) {
		if (d->note && asprintf(&extra, "; this kernel declares it at %s", d->note) < 0)
			return NULL;
	} else if (x->path && x->def.conditional && (x->def.kind == GEN_DEF_MACRO ||
					       x->def.kind == GEN_DEF_INLINE))
		extra = strdup("; not carried: defined there under a preprocessor condition");
	else if (x->path && x->in_kernel)
		extra = strdup("; not carried: this kernel's copy of that header defines it too, "
			       "hidden from this file");
	else if (x->path && (x->def.kind == GEN_DEF_MACRO || x->def.kind == GEN_DEF_INLINE) &&
		 !is_object_source(c, d->file))
		extra = strdup("; not carried: the error is in a header, not in the fix's .c file");
	if (asprintf(&s, "the fix needs %s%s, which this kernel lacks%s (%s:%u: %s)", what,
		     where, strempty(extra), d->file, d->line, d->message) < 0)
		return NULL;
	return s;
}

static int by_kind(const void *a, const void *b)
{
	const struct need *x = *(const struct need *const *)a, *y = *(const struct need *const *)b;

	/* macros first: a carried function may use one */
	if ((x->def.kind == GEN_DEF_MACRO) != (y->def.kind == GEN_DEF_MACRO))
		return x->def.kind == GEN_DEF_MACRO ? -1 : 1;
	int k = strcmp(x->path, y->path);

	return k ? k : (int)x->def.line - (int)y->def.line;
}

/* The carried definitions for one .c file, as a block (malloc'd), with the first line an
 * error names in it (they go before it). */
static int carry_block(struct need *v, size_t n, const char *file, char **block, unsigned *first,
		       char **names)
{
	_cleanup_free_ struct need **sel = calloc(n + 1, sizeof(*sel));
	size_t cnt = 0, len = 0;
	FILE *f;

	if (!sel)
		return -ENOMEM;
	*first = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		/* errors gcc words otherwise carry nothing: they went with the missing ones */
		if (!v[i].def.text ||
		    !streq(startswith(v[i].d->file, "./") ? v[i].d->file + 2 : v[i].d->file, file))
			continue;
		if (!*first || v[i].d->line < *first)
			*first = v[i].d->line;
		for (size_t j = 0; j < cnt; j++)
			dup |= streq(sel[j]->d->name, v[i].d->name);
		if (!dup)
			sel[cnt++] = &v[i];
	}
	if (!cnt)
		return 0;
	qsort(sel, cnt, sizeof(*sel), by_kind);
	f = open_memstream(block, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "\n" GEN_CARRY_MARK " (this kernel lacks them) */\n");
	for (size_t i = 0; i < cnt; i++) {
		fprintf(f, "/* %s, %s in %s */\n%s\n", sel[i]->d->name,
			gen_def_kind_string(sel[i]->def.kind), sel[i]->path, sel[i]->def.text);
		if (gen_list_append(names, ", ", "%s (%s)", sel[i]->d->name, sel[i]->path) < 0) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fputs("\n", f);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/*
 * The fix made again with the definitions in: the patched files are read from the tree
 * (still patched), the tree is reverted, and each file's new version is diffed against the
 * kernel's. The first version stays as OUT/fix.orig.patch; OUT/fix.patch is what the module
 * carries, so a later cumulative module builds from it without the fix source.
 */
static int rewrite_fix(struct gen_ctx *c, struct need *v, size_t n, char **names)
{
	_cleanup_free_ char *diff = NULL, *orig = NULL, *old = NULL;
	char **texts = calloc(c->n_files + 1, sizeof(char *));
	size_t dlen = 0, len;
	int k = 0;

	if (!texts)
		return -ENOMEM;
	for (size_t i = 0; k >= 0 && i < c->n_files; i++) {
		_cleanup_free_ char *block = NULL;
		unsigned first;

		k = read_in(c->tree, c->files[i].path, &texts[i]);
		if (k == -ENOENT) {
			k = 0; /* not there: left to the diff as removed */
			continue;
		}
		if (k >= 0)
			k = carry_block(v, n, c->files[i].path, &block, &first, names);
		if (k >= 0 && block) {
			char *with = NULL;

			k = gen_carry_insert(texts[i], block, first, &with);
			if (k >= 0) {
				free(texts[i]);
				texts[i] = with;
			}
		}
	}
	gen_cache_revert(c);
	for (size_t i = 0; k >= 0 && i < c->n_files; i++) {
		_cleanup_free_ char *mine = NULL, *b = NULL, *la = NULL, *lb = NULL, *out = NULL;
		_cleanup_free_ char *bdir = NULL;

		if (asprintf(&mine, "%s/%s", c->tree, c->files[i].path) < 0 ||
		    asprintf(&b, "%s/carry/%s", c->work, c->files[i].path) < 0 ||
		    asprintf(&la, "a/%s", c->files[i].path) < 0 ||
		    asprintf(&lb, "b/%s", c->files[i].path) < 0 || !(bdir = dir_of(b))) {
			k = -ENOMEM;
			break;
		}
		if (texts[i]) {
			k = mkdir_p(bdir, 0755);
			if (k >= 0)
				k = gen_write_file(b, texts[i]);
		} else {
			unlink(b);
		}
		if (k < 0)
			break;
		char *argv[] = { (char *)"diff", (char *)"-uN", (char *)"--label", la,
				 (char *)"--label", lb, mine, b, NULL };
		k = gen_run(NULL, argv, NULL, false, &out);
		if (k != 0 && k != 1) {
			k = -EIO;
			break;
		}
		k = 0;
		len = strlen(strempty(out));
		char *g = realloc(diff, dlen + len + 1);

		if (!g) {
			k = -ENOMEM;
			break;
		}
		diff = g;
		memcpy(diff + dlen, strempty(out), len + 1);
		dlen += len;
	}
	for (size_t i = 0; i < c->n_files; i++)
		free(texts[i]);
	free(texts);
	if (k < 0)
		return k;
	if (asprintf(&orig, "%s/fix.orig.patch", c->out) < 0)
		return -ENOMEM;
	if (access(orig, F_OK) < 0) {
		k = read_file_bounded(c->patch_path, 64u << 20, &old, &len);
		if (k >= 0)
			k = write_file_atomic(orig, old, len, 0644);
		if (k < 0)
			return k;
	}
	return gen_write_file(c->patch_path, diff ? diff : "");
}

static int keep_log(struct gen_ctx *c, const char *log, unsigned round)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;

	if (asprintf(&path, "%s/build-patched.log", c->out) < 0)
		return -ENOMEM;
	f = fopen(path, round == 0 ? "we" : "ae");
	if (!f)
		return -errno;
	fprintf(f, "# tuxtape: patched build %u\n%s", round + 1, strempty(log));
	return fflush(f) == 0 ? 0 : -EIO;
}

int gen_carry_or_explain(struct gen_ctx *c, const char *log, unsigned round)
{
	_cleanup_free_ char *top = NULL, *reason = NULL, *names = NULL, *tail = NULL;
	struct gen_diag *d = NULL;
	struct need *v = NULL;
	size_t nd = 0, n_carry = 0;
	const struct need *refuse = NULL;
	int k;

	k = keep_log(c, log, round);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s/build-patched.log: %s", c->out, strerror(-k));
	k = gen_diag_parse(strempty(log), &d, &nd);
	if (k < 0)
		return k;
	if (nd == 0) {
		tail = gen_tail(log, 10);
		return gen_say(c, GEN_FAILED, "kbuild failed: %s (the whole output: "
			       "build-patched.log)", strempty(tail));
	}
	if (fix_top(c, &top) < 0) {
		free(top);
		top = NULL; /* the reasons still name what is missing, without where */
	}
	k = 0;
	v = calloc(nd, sizeof(*v));
	if (!v) {
		gen_diag_free(d, nd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nd && k >= 0; i++) {
		v[i].d = &d[i];
		k = 0;
		if (d[i].need != GEN_NEED_OTHER && top)
			k = look_up(c, top, &v[i]);
	}
	if (k < 0)
		goto out;
	for (size_t i = 0; i < nd; i++) {
		if (d[i].need == GEN_NEED_OTHER)
			continue;
		if (carriable(c, &v[i]))
			n_carry++;
		else if (!refuse)
			refuse = &v[i];
	}
	/* an error gcc words otherwise often follows from a missing one (an implicit
	 * declaration returns int): carrying settles it or the next round names it */
	if (!refuse && n_carry && round < CARRY_ROUNDS) {
		k = rewrite_fix(c, v, nd, &names);
		if (k >= 0) {
			k = 1;
			gen_say(c, GEN_OK, "%s", strempty(names));
		}
		goto out;
	}
	if (!refuse)
		refuse = &v[0];
	if (refuse->d->need == GEN_NEED_OTHER)
		k = asprintf(&reason, "the fix does not compile on this kernel (%s:%u: %s)",
			     refuse->d->file, refuse->d->line, refuse->d->message) < 0 ? -ENOMEM : 0;
	else
		k = (reason = why(c, refuse, top != NULL)) ? 0 : -ENOMEM;
	if (k >= 0)
		k = gen_say(c, GEN_REFUSED, "%s; %zu error(s) in all, gcc's whole output in "
			    "build-patched.log", reason, nd);
out:
	for (size_t i = 0; i < nd; i++)
		need_clear(&v[i]);
	free(v);
	gen_diag_free(d, nd);
	return k;
}
