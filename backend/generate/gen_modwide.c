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

#define CMD_MAX (16u << 20)
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
		    read_file_bounded(path, CMD_MAX, &text, &len) < 0)
			continue;
		for (const char *at = text; (at = strstr(at, name)); at += n)
			if ((at == text || strchr(" \t=+", at[-1])) && startswith(at + n, ".o") && !isalnum((unsigned char)at[n + 2]) && at[n + 2] != '_')
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
	_cleanup_free_ char *cmd = NULL, *text = NULL;
	const char *base = strrchr(target, '/'), *m;
	size_t len, dirlen;

	if (asprintf(&cmd, "%s/%.*s.%s.cmd", c->tree, base ? (int)(base - target + 1) : 0, target,
		     base ? base + 1 : target) < 0)
		return -ENOMEM;
	if (read_file_bounded(cmd, CMD_MAX, &text, &len) >= 0) {
		text[strcspn(text, "\n")] = '\0';
		m = strstr(text, "-DKBUILD_MODFILE='\"");
		if (m) {
			m += strlen("-DKBUILD_MODFILE='\"");
			*ret = strndup(m, strcspn(m, "\"'"));
			return *ret ? 0 : -ENOMEM;
		}
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

/* Whether Module.symvers of the kernel's headers lists name as anyone's export. */
static bool exported(struct gen_ctx *c, const char *name)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len, n = strlen(name);

	if (asprintf(&path, "%s/Module.symvers", c->k.headers) < 0 ||
	    read_file_bounded(path, 64u << 20, &text, &len) < 0)
		return false;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *f = strchr(l, '\t');

		if (f && strncmp(f + 1, name, n) == 0 && f[1 + n] == '\t')
			return true;
	}
	return false;
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

/* The union of the module's objects' module_wide names; how many. */
static int collect(struct gen_ctx *c, const char *objname, char ***names, size_t *n)
{
	for (size_t i = 0; i < c->n_objs; i++) {
		const struct klpdiff_result *r = c->objs[i].diff;

		if (!r || !streq(c->objs[i].objname, objname))
			continue;
		for (size_t j = 0; j < r->n_module_wide; j++) {
			bool have = false;
			char **g;

			for (size_t q = 0; q < *n && !have; q++)
				have = streq((*names)[q], r->module_wide[j]);
			if (have)
				continue;
			g = reallocarray(*names, *n + 2, sizeof(*g));
			if (!g)
				return -ENOMEM;
			*names = g;
			if (!(g[*n] = strdup(r->module_wide[j])))
				return -ENOMEM;
			g[++*n] = NULL;
		}
	}
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every object of the module reaching one of names is patched, until no new name comes. */
static int patch_module(struct gen_ctx *c, size_t first, char *why, size_t whylen)
{
	const char *objname = c->objs[first].objname;
	_cleanup_free_ char *modfile = NULL, *target = NULL, *list = NULL, *tail = NULL;
	char **names = NULL;
	size_t n = 0, len, seen = 0;
	int k;

	k = module_file(c, c->objs[first].target, objname, &modfile);
	if (k < 0) {
		snprintf(why, whylen, "%s: which module kbuild built it for: %s",
			 c->objs[first].target, strerror(-k));
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
	/* the list does not make kbuild build them (on later kernels): they are the kernel's
	 * own objects, built as the original side is */
	for (char *l = list; *l; l++)
		if (*l == '\n' || *l == '\t')
			*l = ' ';
	{
		_cleanup_free_ char **objs = NULL;
		size_t cnt = 0;

		for (char *l = list; *l;) {
			char **g;
			size_t w;

			l += strspn(l, " ");
			if (!(w = strcspn(l, " ")))
				break;
			g = reallocarray(objs, cnt + 2, sizeof(*g));
			if (!g)
				return -ENOMEM;
			objs = g;
			objs[cnt++] = l;
			l += w;
			if (*l)
				*l++ = '\0';
		}
		free(tail);
		tail = NULL;
		k = cnt ? gen_make(c, objs, cnt, &tail, NULL) : -ENOENT;
		for (size_t i = 0; i + 1 < cnt; i++)
			objs[i][strlen(objs[i])] = ' ';
		if (k < 0) {
			snprintf(why, whylen, "%s: kbuild failed on its objects: %s", target,
				 cnt ? strempty(tail) : "it lists none");
			return k;
		}
	}
	for (unsigned round = 0; round < ROUNDS; round++) {
		k = collect(c, objname, &names, &n);
		if (k < 0 || n == seen)
			break;
		for (size_t q = seen; q < n; q++)
			if (exported(c, names[q])) {
				snprintf(why, whylen, "%s: function '%s' changed but has no __fentry__ "
					 "call, and it is exported: other modules would keep calling "
					 "the old one", c->objs[first].target, names[q]);
				free_names(names, n);
				return -ECANCELED;
			}
		seen = n;
		for (const char *l = list; k >= 0 && *l;) {
			_cleanup_free_ char *obj = NULL, *built = NULL;
			struct gen_object *o;
			struct klpdiff_result *r;
			size_t w;

			l += strspn(l, " ");
			w = strcspn(l, " ");
			if (!w)
				break;
			obj = strndup(l, w);
			l += w;
			if (!obj || asprintf(&built, "%s/%s", c->tree, obj) < 0) {
				k = -ENOMEM;
				break;
			}
			o = find_object(c, obj);
			if (o) {
				k = klpdiff_module_callers(o->orig_o, o->patched_o,
							   (const char *const *)names, n, o->diff,
							   why, whylen);
				continue;
			}
			r = calloc(1, sizeof(*r));
			if (!r) {
				k = -ENOMEM;
				break;
			}
			k = klpdiff_module_callers(built, built, (const char *const *)names, n, r,
						   why, whylen);
			if (k >= 0 && (r->n_funcs || r->n_refusals)) {
				k = add_object(c, obj, objname, r);
				if (k >= 0)
					continue;
			}
			klpdiff_result_free(r);
			free(r);
		}
		if (k < 0)
			break;
	}
	if (k >= 0) {
		/* the copies are each one object's: the others name them plainly */
		for (size_t i = 0; i < c->n_objs && k >= 0; i++) {
			struct klpdiff_result *r = c->objs[i].diff;

			if (!r || !streq(c->objs[i].objname, objname))
				continue;
			for (size_t q = 0; q < n && k >= 0; q++) {
				char **g = reallocarray(r->provided, r->n_provided + 1, sizeof(*g));

				if (!g || !(g[r->n_provided] = strdup(names[q]))) {
					if (g)
						r->provided = g;
					k = -ENOMEM;
					break;
				}
				r->provided = g;
				r->n_provided++;
			}
		}
	}
	free_names(names, n);
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
