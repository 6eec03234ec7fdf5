// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which copy of a module's static function a patch replaces. Two objects of one module may
 * each keep their own copy of a function of the same name (a static inline of a header left
 * out of line), and the livepatch core refuses an ambiguous name: the klp_func needs its
 * position among the module's symbols of that name. The kernel counts them in the order of
 * the .ko's symbol table, so the module's .ko, as installed for the running kernel (the
 * modules directory registered with `kernel add --modules`), gives the positions, and the
 * patched object's other symbols (anchors, as for vmlinux) tell which copy is its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "generate.h"
#include "generate/klpdiff/klpdiff.h"
#include "util.h"

/* modules.dep names a module by its path: "kernel/fs/ext4/ext4.ko.xz: deps..."; the module's
 * name is the file's up to its first dot, with '_' for '-' (as kbuild's KBUILD_MODNAME). */
static bool dep_names(const char *path, size_t len, const char *objname)
{
	const char *base = memrchr(path, '/', len);
	size_t n = strlen(objname);

	base = base ? base + 1 : path;
	len -= (size_t)(base - path);
	if (len <= n || base[n] != '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((base[i] == '-' ? '_' : base[i]) != objname[i])
			return false;
	return true;
}

static int module_file(const char *dir, const char *objname, char **ret, char **why)
{
	_cleanup_free_ char *dep = NULL, *text = NULL;
	size_t len;
	int k;

	if (asprintf(&dep, "%s/modules.dep", dir) < 0)
		return -ENOMEM;
	k = read_file_bounded(dep, 64u << 20, &text, &len);
	if (k < 0)
		return asprintf(why, "%s: %s", dep, strerror(-k)) < 0 ? -ENOMEM : 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, ":\n");

		if (l[n] != ':' || !dep_names(l, n, objname))
			continue;
		if (asprintf(ret, "%s%s%.*s", l[0] == '/' ? "" : dir, l[0] == '/' ? "" : "/",
			     (int)n, l) < 0)
			return -ENOMEM;
		return 0;
	}
	return asprintf(why, "%s does not list module %s", dep, objname) < 0 ? -ENOMEM : 0;
}

int gen_module_symdb(const struct gen_ctx *c, const char *objname, struct klp_symdb **db,
		     char **why)
{
	_cleanup_free_ char *ko = NULL;
	char err[512] = "";
	int k;

	*db = NULL;
	*why = NULL;
	if (!c->k.modules)
		return asprintf(why, "kernel %s has no modules directory registered (kernel add "
				"--modules DIR)", c->k.name) < 0 ? -ENOMEM : 0;
	k = module_file(c->k.modules, objname, &ko, why);
	if (k < 0 || *why)
		return k;
	k = klp_symdb_load_module(ko, db, err, sizeof(err));
	if (k < 0 && asprintf(why, "%s", err[0] ? err : strerror(-k)) < 0)
		return -ENOMEM;
	return k;
}

int gen_module_attach(const struct gen_ctx *c, struct klp_symdb *db, char *why, size_t whylen)
{
	for (size_t i = 0; i < c->n_objs; i++) {
		const char *objname = c->objs[i].objname;
		_cleanup_free_ char *missing = NULL;
		struct klp_symdb *mdb = NULL;
		int k;

		if (streq(objname, "vmlinux") || klp_symdb_module(db, objname))
			continue;
		k = gen_module_symdb(c, objname, &mdb, &missing);
		if (k < 0) {
			snprintf(why, whylen, "module %s: %s", objname,
				 missing ? missing : strerror(-k));
			return k;
		}
		if (mdb && (k = klp_symdb_add_module(db, objname, mdb)) < 0)
			return k;
	}
	return 0;
}

int gen_module_sympos(const struct gen_ctx *c, size_t obj, const char *name,
		      const struct klp_symdb *mdb, const char *missing,
		      const char *const *anchors, unsigned long *pos, char *why, size_t whylen)
{
	const char *objname = c->objs[obj].objname;
	size_t copies = 0;
	int k;

	*pos = 0;
	if (mdb) {
		k = klp_symdb_sympos(mdb, name, anchors, pos);
		if (k == -ENOENT)
			snprintf(why, whylen, "%s: not among the symbols of module %s as installed "
				 "(is the registered modules directory this kernel's?)", name,
				 objname);
		else if (k < 0)
			snprintf(why, whylen, "%s: module %s has several functions of that name and "
				 "the object's own symbols cannot tell which is its", name, objname);
		return k < 0 ? -ECANCELED : 0;
	}
	/* without the .ko, the one ambiguity in sight is among the objects built here */
	for (size_t i = 0; i < c->n_objs; i++) {
		if (!streq(c->objs[i].objname, objname))
			continue;
		k = klpdiff_has_function(c->objs[i].orig_o, name);
		if (k < 0) {
			snprintf(why, whylen, "%s: %s", c->objs[i].orig_o, strerror(-k));
			return k;
		}
		copies += (size_t)k;
	}
	if (copies > 1) {
		snprintf(why, whylen, "%s: defined in %zu objects of module %s, and which is which "
			 "in the running module cannot be told without its .ko (%s)", name, copies,
			 objname, missing);
		return -ECANCELED;
	}
	return 0;
}
