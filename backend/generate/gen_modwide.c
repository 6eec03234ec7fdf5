// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module's global function that changed and that ftrace cannot redirect (a global
 * `inline`, which the kernel makes notrace) travels as a copy, and every function calling it
 * must be patched to call the copy instead. Its callers may be in any object of the module:
 * kbuild lists them (MODFILE.mod, MODFILE from the object's KBUILD_MODFILE), each is built
 * as the kernel's own, its calls are found (klpdiff_module_callers), and it joins the patch
 * as one more object. Refused when another module may call it (exported) or when the
 * module's own objects cannot be listed: a caller left out would keep the old one running.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "generate.h"
#include "util.h"
#include "generate/klpdiff/klpdiff.h"

#define MAKEFILE_MAX (16u << 20)
#define MODLIST_MAX (1u << 20)
#define ROUNDS 8

/* Whether DIR's Makefile (or Kbuild) in the tree builds module NAME (NAME.o in a list). */
static bool makefile_builds(struct gen_ctx *c, const char *dir, size_t dirlen, const char *name)
{
	static const char *const files[] = { "Makefile", "Kbuild" };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		size_t len, n = strlen(name);

		if (asprintf(&path, "%s/%.*s/%s", c->tree, (int)dirlen, dir, files[i]) < 0 ||
		    read_file_bounded(path, MAKEFILE_MAX, &text, &len) < 0)
			continue;
		/* NAME.o as a word: "obj-m += NAME.o", not OTHERNAME.o or NAME.ops */
		for (const char *at = text; (at = strstr(at, name)); at += n)
			if ((at == text || strchr(" \t=+", at[-1])) && startswith(at + n, ".o") &&
			    !isalnum((unsigned char)at[n + 2]) && at[n + 2] != '_')
				return true;
	}
	return false;
}

/* The module path kbuild compiled target for: KBUILD_MODFILE of its .cmd file when there
 * (6.1), else the nearest directory up from the object whose makefile builds the module
 * (objname, with '-' for '_' too), as kbuild names a composite module after its makefile's
 * list. The .cmd file may be gone: a build with static branches as tests removes it. */
static int module_file(struct gen_ctx *c, const char *target, const char *objname, char **ret)
{
	_cleanup_free_ char *text = NULL;
	const char *base = strrchr(target, '/'), *m;
	size_t dirlen;

	if (gen_cmd_line(c, target, &text) >= 0 && (m = strstr(text, "-DKBUILD_MODFILE='\""))) {
		m += strlen("-DKBUILD_MODFILE='\"");
		*ret = strndup(m, strcspn(m, "\"'"));
		return *ret ? 0 : -ENOMEM;
	}
	for (dirlen = base ? (size_t)(base - target) : 0;;) {
		for (int dash = 0; dash < 2; dash++) {
			_cleanup_free_ char *n = strdup(objname);

			if (!n)
				return -ENOMEM;
			for (char *p = n; dash && *p; p++)
				if (*p == '_')
					*p = '-';
			if (makefile_builds(c, target, dirlen, n))
				return asprintf(ret, "%.*s/%s", (int)dirlen, target, n) < 0 ? -ENOMEM : 0;
		}
		while (dirlen && target[dirlen - 1] != '/')
			dirlen--;
		if (!dirlen)
			return -ENOENT;
		dirlen--;
	}
}

static struct gen_object *find_object(struct gen_ctx *c, const char *target)
{
	for (size_t i = 0; i < c->n_objs; i++)
		if (streq(c->objs[i].target, target))
			return &c->objs[i];
	return NULL;
}

/* The module's object target, unchanged by the fix, as one more object of the patch. */
static int add_object(struct gen_ctx *c, const char *target, const char *objname,
		      struct klpdiff_result *r)
{
	_cleanup_free_ char *built = NULL, *kept = NULL;
	struct gen_object *g;
	int k;

	if (asprintf(&built, "%s/%s", c->tree, target) < 0 ||
	    asprintf(&kept, "%s/orig/%s", c->work, target) < 0)
		return -ENOMEM;
	k = gen_copy_file(built, kept);
	if (k < 0)
		return k;
	g = realloc(c->objs, (c->n_objs + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	c->objs = g;
	g = &c->objs[c->n_objs];
	*g = (struct gen_object){ .target = strdup(target), .objname = strdup(objname),
				  .orig_o = strdup(kept), .patched_o = strdup(kept), .diff = r };
	g->src = g->target ? strdup(g->target) : NULL;
	if (!g->target || !g->objname || !g->orig_o || !g->patched_o || !g->src) {
		free(g->target), free(g->objname), free(g->orig_o), free(g->patched_o), free(g->src);
		return -ENOMEM;
	}
	g->src[strlen(g->src) - 1] = 'c'; /* for reports: the file the object comes from */
	c->n_objs++;
	return 0;
}

/* The union of the module's objects' module_wide names (NULL-terminated); how many. */
static int collect(struct gen_ctx *c, const char *objname, char ***names, size_t *n)
{
	for (size_t i = 0; i < c->n_objs; i++) {
		const struct klpdiff_result *r = c->objs[i].diff;

		for (size_t j = 0; r && streq(c->objs[i].objname, objname) && j < r->n_module_wide; j++)
			if (gen_strv_add(names, n, r->module_wide[j]) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* The module's objects as kbuild lists them (MODFILE.mod), each built: they are the kernel's
 * own, as the original side is (the list alone does not make later kernels build them). */
static int module_objects(struct gen_ctx *c, size_t first, char ***ret, char *why, size_t whylen)
{
	_cleanup_free_ char *modfile = NULL, *target = NULL, *list = NULL, *tail = NULL;
	const char *obj = c->objs[first].target;
	char **objs = NULL;
	size_t len, cnt = 0;
	int k = module_file(c, obj, c->objs[first].objname, &modfile);

	if (k < 0) {
		snprintf(why, whylen, "%s: which module kbuild built it for: %s", obj, strerror(-k));
		return k;
	}
	if (asprintf(&target, "%s.mod", modfile) < 0)
		return -ENOMEM;
	k = gen_make(c, (char *const[]){ target }, 1, &tail, NULL);
	if (k < 0) {
		snprintf(why, whylen, "%s: kbuild failed: %s", target, strempty(tail));
		return k;
	}
	free(target);
	if (asprintf(&target, "%s/%s.mod", c->tree, modfile) < 0)
		return -ENOMEM;
	k = read_file_bounded(target, MODLIST_MAX, &list, &len);
	if (k < 0) {
		snprintf(why, whylen, "%s: %s", target, strerror(-k));
		return k;
	}
	/* one object per line (separated by spaces on older kernels) */
	for (char *save = NULL, *l = strtok_r(list, " \t\n", &save); l;
	     l = strtok_r(NULL, " \t\n", &save))
		if (gen_strv_add(&objs, &cnt, l) < 0) {
			gen_strv_free(objs);
			return -ENOMEM;
		}
	free(tail);
	tail = NULL;
	k = cnt ? gen_make(c, objs, cnt, &tail, NULL) : -ENOENT;
	if (k < 0) {
		snprintf(why, whylen, "%s: kbuild failed on its objects: %s", target,
			 cnt ? strempty(tail) : "it lists none");
		gen_strv_free(objs);
		return k;
	}
	*ret = objs;
	return 0;
}

/* Object obj of the module: its calls to names are patched; kept as one more object of the
 * patch, when the fix does not change it, only if it has any. */
static int patch_object(struct gen_ctx *c, const char *obj, const char *objname,
			char *const *names, size_t n, char *why, size_t whylen)
{
	_cleanup_free_ char *built = NULL;
	struct gen_object *o = find_object(c, obj);
	struct klpdiff_result *r;
	int k;

	if (o)
		return klpdiff_module_callers(o->orig_o, o->patched_o, (const char *const *)names,
					      n, o->diff, why, whylen);
	r = calloc(1, sizeof(*r));
	if (!r || asprintf(&built, "%s/%s", c->tree, obj) < 0) {
		free(r);
		return -ENOMEM;
	}
	k = klpdiff_module_callers(built, built, (const char *const *)names, n, r, why, whylen);
	if (k >= 0 && (r->n_funcs || r->n_refusals) && (k = add_object(c, obj, objname, r)) >= 0)
		return 0;
	klpdiff_result_free(r);
	free(r);
	return k;
}

/* Every object of the module reaching one of names is patched, until no new name comes;
 * the names are then the copies' for every object of the module to name plainly. */
static int patch_module(struct gen_ctx *c, size_t first, char *why, size_t whylen)
{
	_cleanup_free_ char *objname = strdup(c->objs[first].objname), *symvers = NULL;
	char **names = NULL, **objs = NULL;
	struct klp_symdb *db = NULL;
	size_t n = 0, seen = 0;
	int k;

	if (!objname || asprintf(&symvers, "%s/Module.symvers", c->k.headers) < 0)
		return -ENOMEM;
	/* exported, another module may call it: its exports, as the extract step reads them */
	k = klp_symdb_load(c->k.system_map, symvers, &db, why, whylen);
	if (k >= 0)
		k = module_objects(c, first, &objs, why, whylen);
	for (unsigned round = 0; k >= 0 && round < ROUNDS; round++) {
		k = collect(c, objname, &names, &n);
		if (k < 0 || n == seen)
			break;
		for (size_t q = seen; k >= 0 && q < n; q++)
			if (klp_symdb_exporter(db, names[q])) {
				snprintf(why, whylen, "%s: function '%s' changed but has no __fentry__ "
					 "call, and it is exported: other modules would keep calling "
					 "the old one", c->objs[first].target, names[q]);
				k = -ECANCELED;
			}
		seen = n;
		for (size_t i = 0; k >= 0 && objs[i]; i++)
			k = patch_object(c, objs[i], objname, names, n, why, whylen);
	}
	for (size_t i = 0; k >= 0 && i < c->n_objs; i++)
		for (size_t q = 0; k >= 0 && q < n && streq(c->objs[i].objname, objname); q++)
			k = klpdiff_result_provide(c->objs[i].diff, names[q]);
	klp_symdb_free(db);
	gen_strv_free(objs);
	gen_strv_free(names);
	return k < 0 ? k : 0;
}

int gen_module_wide(struct gen_ctx *c, char *why, size_t whylen)
{
	size_t n = c->n_objs;

	for (size_t i = 0; i < n; i++) {
		const struct klpdiff_result *r = c->objs[i].diff;
		bool done = false;
		int k;

		if (!r || !r->n_module_wide || streq(c->objs[i].objname, "vmlinux"))
			continue;
		for (size_t j = 0; j < i && !done; j++)
			done = streq(c->objs[j].objname, c->objs[i].objname) && c->objs[j].diff &&
			       ((const struct klpdiff_result *)c->objs[j].diff)->n_module_wide;
		if (done)
			continue; /* its module was patched with the first object's names */
		k = patch_module(c, i, why, whylen);
		if (k < 0)
			return k;
	}
	return 0;
}
