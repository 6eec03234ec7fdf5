/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From the patched tree to the module. Each touched .c file is built twice in the cached
 * tree with function and data sections, through kbuild's single-object targets (`make
 * fs/proc/cmdline.o`), original then patched; kbuild's own .cmd file says whether the object
 * was compiled for a module (-DMODULE, KBUILD_MODNAME) or for vmlinux, so the klp_object is
 * what kbuild decided, not a guess. The pairs go to klpdiff (klpdiff.h); the changed functions
 * become klp_func entries, the extracted objects are linked with a generated C file through
 * kbuild against the kernel's headers (as <name>.o_shipped parts of a composite module), and
 * klp_convert() turns the references the extractor left into livepatch relocations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "generate/gen_diag.h"
#include "generate/klpdiff/klpdiff.h"
#include "log.h"
#include "util.h"

/* make -C TREE CC=... -jN KCFLAGS=... every object's target */
static int make_objects(struct gen_ctx *c, char **tail, char **log)
{
	_cleanup_free_ char **targets = calloc(c->n_objs + 1, sizeof(char *));

	if (!targets)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_objs; i++)
		targets[i] = c->objs[i].target;
	return gen_make(c, targets, c->n_objs, tail, log);
}

/* What kbuild compiled the object for, from its .cmd file. */
static int object_owner(struct gen_ctx *c, struct gen_object *o)
{
	_cleanup_free_ char *text = NULL;
	const char *m;
	int k = gen_cmd_line(c, o->target, &text);

	if (k < 0)
		return k;
	if (!strstr(text, " -DMODULE ")) {
		o->objname = strdup("vmlinux");
	} else {
		m = strstr(text, "-DKBUILD_MODNAME='\"");
		if (!m)
			return -EBADMSG;
		m += strlen("-DKBUILD_MODNAME='\"");
		o->objname = strndup(m, strcspn(m, "\"'"));
	}
	return o->objname ? 0 : -ENOMEM;
}

/* TREE/DIR/.BASE.cmd of object target */
static int unlink_cmd_file(struct gen_ctx *c, const char *target)
{
	_cleanup_free_ char *path = gen_cmd_path(c, target);

	if (!path)
		return -ENOMEM;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

static char *kept_path(struct gen_ctx *c, const char *kind, const char *target)
{
	char *p = NULL;

	return asprintf(&p, "%s/%s/%s", c->work, kind, target) < 0 ? NULL : p;
}

static int build_side(struct gen_ctx *c, bool patched)
{
	_cleanup_free_ char *tail = NULL, *log = NULL, *carried = NULL;
	unsigned round = 0;
	int k;

again:
	if (patched) {
		k = gen_cache_apply(c);
		if (k < 0) {
			gen_cache_revert(c);
			return gen_say(c, GEN_FAILED, "the patch does not apply to %s",
				       c->tree);
		}
	}
	k = make_objects(c, &tail, patched ? &log : NULL);
	if (k < 0 && patched) {
		/* a fix from a newer source may use what that source added elsewhere */
		k = gen_carry_or_explain(c, log, round++);
		free(tail), free(log);
		tail = log = NULL;
		if (k == 1) {
			free(carried);
			carried = TAKE_PTR(c->detail);
			goto again;
		}
		gen_cache_revert(c);
		return k;
	}
	for (size_t i = 0; k >= 0 && i < c->n_objs; i++) {
		struct gen_object *o = &c->objs[i];
		_cleanup_free_ char *built = NULL;
		char **dst = patched ? &o->patched_o : &o->orig_o;

		free(*dst);
		*dst = kept_path(c, patched ? "patched" : "orig", o->target);
		if (!*dst || asprintf(&built, "%s/%s", c->tree, o->target) < 0)
			k = -ENOMEM;
		if (k >= 0)
			k = gen_copy_file(built, *dst);
		if (k >= 0 && !patched && !o->objname)
			k = object_owner(c, o);
		/* a patched object must not stay in the tree: only the kernel's own are kept. Nor
		 * one built with static branches as tests, or its .cmd file naming the header in
		 * this run's work directory, which the next build would look for */
		if (k >= 0 && (patched || c->key_test_h))
			unlink(built);
		if (k >= 0 && c->key_test_h)
			k = unlink_cmd_file(c, o->target);
		if (k < 0) {
			if (patched)
				gen_cache_revert(c);
			return gen_say(c, GEN_FAILED, "%s: %s", o->target, strerror(-k));
		}
	}
	if (patched)
		gen_cache_revert(c);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "kbuild failed: %s", strempty(tail));
	if (patched)
		return gen_say(c, GEN_OK, "%zu object(s); the cached tree is reverted%s%s",
			       c->n_objs, carried ? "; carried from the fix source: " : "",
			       strempty(carried));
	{
		_cleanup_free_ char *where = NULL;

		for (size_t i = 0; i < c->n_objs; i++)
			if (gen_list_append(&where, ", ", "%s (%s)", c->objs[i].target,
					    c->objs[i].objname) < 0)
				return -ENOMEM;
		return gen_say(c, GEN_OK, "%s", where);
	}
}

int gen_build_original(struct gen_ctx *c)
{
	return build_side(c, false);
}

int gen_build_patched(struct gen_ctx *c)
{
	return build_side(c, true);
}

int gen_diff_objects(struct gen_ctx *c)
{
	_cleanup_free_ char *refused = NULL;
	_cleanup_free_ char *data = NULL;
	size_t changed = 0, added = 0, copied = 0;
	char err[512];
	int k;

	for (size_t i = 0; i < c->n_objs; i++) {
		struct gen_object *o = &c->objs[i];
		struct klpdiff_result *r = calloc(1, sizeof(*r));

		if (!r)
			return -ENOMEM;
		err[0] = '\0';
		k = klpdiff_compare(o->orig_o, o->patched_o, streq(o->objname, "vmlinux") ? 0 : KLPDIFF_IN_MODULE, r, err, sizeof(err));
		if (k < 0) {
			free(r);
			/* an object the differ does not support is a known limit, not a breakage */
			return gen_say(c, k == -ENOTSUP ? GEN_REFUSED : GEN_FAILED, "%s: %s",
				       o->target, err[0] ? err : strerror(-k));
		}
		o->diff = r;
	}
	k = gen_module_wide(c, err, sizeof(err));
	if (k == -ECANCELED)
		return gen_say(c, GEN_REFUSED, "%s", err);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s", err[0] ? err : strerror(-k));
	for (size_t i = 0; i < c->n_objs; i++) {
		struct gen_object *o = &c->objs[i];
		struct klpdiff_result *r = o->diff;

		for (size_t j = 0; j < r->n_copied_data; j++)
			if (gen_list_append(&data, ", ", "%s", r->copied_data[j]) < 0)
				return -ENOMEM;
		for (size_t j = 0; j < r->n_refusals; j++)
			if (gen_list_append(&refused, "; ", "%s: %s", r->refusals[j].symbol,
					    r->refusals[j].reason) < 0)
				return -ENOMEM;
		for (size_t j = 0; j < r->n_funcs; j++) {
			static const char *const kinds[] = { [KLPDIFF_CHANGED] = "changed",
				[KLPDIFF_NEW] = "new", [KLPDIFF_COPIED] = "copied" };

			r->funcs[j].change == KLPDIFF_CHANGED ? changed++ :
			r->funcs[j].change == KLPDIFF_NEW ? added++ : copied++;
			json_array_append_new(c->functions, json_pack("{s:s, s:s, s:s, s:s, s:b}",
				"name", r->funcs[j].name, "object", o->objname, "file", o->src,
				"change", kinds[r->funcs[j].change],
				"local", r->funcs[j].local));
		}
	}
	if (refused)
		return gen_say(c, GEN_REFUSED, "%s", refused);
	if (!changed)
		return gen_say(c, GEN_REFUSED, "the patch changes no function%s",
			       added ? " (only new ones, which nothing calls)" : "");
	{
		_cleanup_free_ char *what = NULL;

		if (gen_list_append(&what, "", "%zu changed function(s), %zu new", changed, added) < 0 ||
		    (copied && gen_list_append(&what, "", ", %zu carried as a copy (not traceable: "
					       "their callers are patched)", copied) < 0) ||
		    (data && gen_list_append(&what, "", "; read-only data carried as a copy (its "
					     "users are patched): %s", data) < 0))
			return -ENOMEM;
		return gen_say(c, GEN_OK, "%s", what);
	}
}

/* Symbols the original object defines: anchors telling copies of a local symbol apart. */
static int object_symbols(const char *obj, char ***ret, size_t *n)
{
	_cleanup_free_ char *out = NULL;
	char *argv[] = { (char *)"nm", (char *)"--defined-only", (char *)obj, NULL };
	char **v = NULL;
	size_t cnt = 0;
	int k = gen_run(NULL, argv, NULL, false, &out);

	if (k != 0)
		return -EIO;
	for (char *l = out, *next; l && *l; l = next) {
		char type, name[256];

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(l, "%*s %c %255s", &type, name) != 2 || strchr(name, '.') ||
		    !strchr("tTdDbBrR", type))
			continue;
		char **g = realloc(v, (cnt + 2) * sizeof(*g));

		if (!g)
			break;
		v = g;
		v[cnt] = strdup(name);
		if (v[cnt])
			cnt++;
		v[cnt] = NULL;
	}
	*ret = v;
	*n = cnt;
	return 0;
}

/* old_sympos of changed function name of object o, given the object's anchors (computed on
 * first need) and its module's symbols (mdb; missing says why there are none). */
static int func_sympos(struct gen_ctx *c, size_t o, const char *name, const struct klp_symdb *db,
		       const struct klp_symdb *mdb, const char *missing, char ***anchors,
		       unsigned long *pos, char *why, size_t whylen)
{
	bool vmlinux = streq(c->objs[o].objname, "vmlinux");
	size_t n;
	int k;

	*pos = 0;
	if (!*anchors && (vmlinux || mdb))
		object_symbols(c->objs[o].orig_o, anchors, &n);
	if (!vmlinux)
		return gen_module_sympos(c, o, name, mdb, missing, (const char *const *)*anchors,
					 pos, why, whylen);
	k = klp_symdb_sympos(db, name, (const char *const *)*anchors, pos);
	if (k < 0) {
		snprintf(why, whylen, "%s: cannot tell which of the kernel's symbols it is (%s)",
			 name, strerror(-k));
		return -ECANCELED;
	}
	return 0;
}

/* The klp_func entries of the objects of module (or vmlinux) objs[first].objname. */
static int write_funcs(struct gen_ctx *c, FILE *f, size_t first, const struct klp_symdb *db,
		       size_t *nfun, char **note, char *why, size_t whylen)
{
	const char *objname = c->objs[first].objname;
	_cleanup_free_ char *missing = NULL;
	struct klp_symdb *mdb = NULL;
	bool at_zero = false;
	int k = 0;

	if (!streq(objname, "vmlinux")) {
		k = gen_module_symdb(c, objname, &mdb, &missing);
		if (k < 0) {
			snprintf(why, whylen, "module %s: %s", objname,
				 missing ? missing : strerror(-k));
			return k == -ENOMEM ? k : -ECANCELED;
		}
	}
	fprintf(f, "\nstatic struct klp_func funcs_%zu[] = {\n", first);
	for (size_t o = first; k >= 0 && o < c->n_objs; o++) {
		struct klpdiff_result *r = c->objs[o].diff;
		char **anchors = NULL;

		if (!streq(c->objs[o].objname, objname) || !r)
			continue;
		for (size_t j = 0; k >= 0 && j < r->n_funcs; j++) {
			unsigned long pos = 0;
			json_t *fn = NULL;

			if (r->funcs[j].change != KLPDIFF_CHANGED)
				continue;
			if (r->funcs[j].local) {
				k = func_sympos(c, o, r->funcs[j].name, db, mdb, missing, &anchors,
						&pos, why, whylen);
				if (k < 0)
					break;
				at_zero |= !mdb && !streq(objname, "vmlinux");
			}
			fprintf(f, "\t{ .old_name = \"%s\", .new_func = tuxtape_new_%zu_%zu, "
				".old_sympos = %lu },\n", r->funcs[j].name, o, j, pos);
			for (size_t q = 0; q < json_array_size(c->functions); q++) {
				json_t *e = json_array_get(c->functions, q);

				if (streq(json_string_value(json_object_get(e, "name")),
					  r->funcs[j].name) &&
				    streq(json_string_value(json_object_get(e, "file")), c->objs[o].src))
					fn = e;
			}
			if (fn)
				json_object_set_new(fn, "sympos", json_integer((json_int_t)pos));
			(*nfun)++;
		}
		gen_strv_free(anchors);
	}
	klp_symdb_free(mdb);
	if (k < 0)
		return k;
	fprintf(f, "\t{ }\n};\n");
	/* what a person reading the report must know: the position was not checked */
	if (at_zero && gen_list_append(note, "; ", "module %s's symbols not available (%s): its "
				       "static functions at position 0", objname, missing) < 0)
		return -ENOMEM;
	return 0;
}

/* The module's C file: one klp_object per patched object, changed functions only. */
static int write_main(struct gen_ctx *c, const char *path, const struct klp_symdb *db,
		      char **note, char *why, size_t whylen)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, nfun = 0;
	FILE *f = open_memstream(&text, &len);
	const char *cves = c->req->cves ? c->req->cves : c->req->cve ? c->req->cve : "";

	if (!f)
		return -ENOMEM;
	fprintf(f, "// SPDX-License-Identifier: GPL-2.0-only\n"
		   "/* Generated by tuxtape-backend generate: do not edit. */\n"
		   "#include <linux/kernel.h>\n#include <linux/module.h>\n"
		   "#include <linux/livepatch.h>\n\n"
		   "/* the replacements, from the extracted objects: only their addresses are "
		   "taken */\n");
	for (size_t i = 0; i < c->n_objs; i++) {
		struct klpdiff_result *r = c->objs[i].diff;

		for (size_t j = 0; r && j < r->n_funcs; j++)
			if (r->funcs[j].change == KLPDIFF_CHANGED)
				fprintf(f, "extern void tuxtape_new_%zu_%zu(void) __asm__(\"%s\");\n",
					i, j, r->funcs[j].name);
	}
	/* one klp_object per distinct object name */
	for (size_t i = 0; i < c->n_objs; i++) {
		bool first = true;
		int k;

		for (size_t p = 0; p < i; p++)
			if (streq(c->objs[p].objname, c->objs[i].objname))
				first = false;
		if (!first)
			continue;
		k = write_funcs(c, f, i, db, &nfun, note, why, whylen);
		if (k < 0) {
			fclose(f);
			return k;
		}
	}
	fprintf(f, "\nstatic struct klp_object objs[] = {\n");
	for (size_t i = 0; i < c->n_objs; i++) {
		bool first = true;

		for (size_t p = 0; p < i; p++)
			if (streq(c->objs[p].objname, c->objs[i].objname))
				first = false;
		if (first && streq(c->objs[i].objname, "vmlinux"))
			fprintf(f, "\t{ .name = NULL, .funcs = funcs_%zu },\n", i);
		else if (first)
			fprintf(f, "\t{ .name = \"%s\", .funcs = funcs_%zu },\n", c->objs[i].objname,
				i);
	}
	fprintf(f, "\t{ }\n};\n\nMODULE_INFO(tuxtape_objects, \"");
	for (size_t i = 0, listed = 0; i < c->n_objs; i++) {
		bool first = !streq(c->objs[i].objname, "vmlinux");

		for (size_t p = 0; p < i; p++)
			if (streq(c->objs[p].objname, c->objs[i].objname))
				first = false;
		if (first)
			fprintf(f, "%s%s", listed++ ? " " : "", c->objs[i].objname);
	}
	fprintf(f, "\");\n\n"
		   "static struct klp_patch patch = {\n\t.mod = THIS_MODULE,\n\t.objs = objs,\n%s};\n\n"
		   "static int __init tuxtape_livepatch_init(void)\n{\n"
		   "\treturn klp_enable_patch(&patch);\n}\n\n"
		   "static void __exit tuxtape_livepatch_exit(void)\n{\n}\n\n"
		   "module_init(tuxtape_livepatch_init);\nmodule_exit(tuxtape_livepatch_exit);\n"
		   "MODULE_LICENSE(\"GPL\");\nMODULE_INFO(livepatch, \"Y\");\n"
		   "MODULE_DESCRIPTION(\"TuxTape livepatch %s\");\n"
		   "MODULE_INFO(tuxtape_cves, \"%s\");\nMODULE_INFO(tuxtape_patch_id, \"%s\");\n"
		   "MODULE_INFO(tuxtape_source_commit, \"%s\");\n"
		   "MODULE_INFO(tuxtape_kernel, \"%s\");\n",
		c->req->replace ? "\t.replace = true,\n" : "", c->patch_id, cves, c->patch_id,
		c->source_commit ? c->source_commit : "",
		c->k.release ? c->k.release : c->k.name);
	if (fclose(f) != 0)
		return -ENOMEM;
	if (!nfun) {
		snprintf(why, whylen, "no changed function to patch");
		return -ECANCELED;
	}
	return gen_write_file(path, text);
}

/* modpost: "module M uses symbol S from namespace NS, but does not import it" — what
 * `make nsdeps` would add, as MODULE_IMPORT_NS lines (each namespace once). */
static char *missing_imports(const char *out)
{
	static const char needle[] = " from namespace ";
	char *imports = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&imports, &len);

	if (!f)
		return NULL;
	for (const char *l = strstr(out, needle); l; l = strstr(l + 1, needle)) {
		const char *ns = l + strlen(needle);
		size_t n = strcspn(ns, ", \n");
		char line[160];

		if (!n || n > 64 || strncmp(ns + n, ", but does not import it", 24))
			continue;
		snprintf(line, sizeof(line), "MODULE_IMPORT_NS(%.*s);\n", (int)n, ns);
		fflush(f);
		if (!imports || !strstr(imports, line))
			fputs(line, f);
	}
	if (fclose(f) != 0 || !len) {
		free(imports);
		return NULL;
	}
	return imports;
}

/* -EAGAIN with *imports set: link again after adding those lines to the module's source */
static int kbuild_link(struct gen_ctx *c, const char *dir, char **why, char **imports)
{
	_cleanup_free_ char *ccarg = NULL, *marg = NULL, *out = NULL;
	char *argv[] = { (char *)"make", (char *)"-C", c->k.headers, NULL, NULL,
			 (char *)"KBUILD_MODPOST_WARN=1", (char *)"modules", NULL };
	int k;

	if (asprintf(&ccarg, "CC=%s", c->cc) < 0 || asprintf(&marg, "M=%s", dir) < 0)
		return -ENOMEM;
	argv[3] = marg, argv[4] = ccarg;
	k = gen_run(NULL, argv, NULL, c->req->progress, &out);
	if (k != 0) {
		*why = gen_tail(out, 10);
		if (imports && out && (*imports = missing_imports(out)))
			return -EAGAIN;
		return -EIO;
	}
	/* KBUILD_MODPOST_WARN lets the __klp_ref.* references through (klp_convert resolves
	 * them); any other undefined symbol is a real error */
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *q = strstr(l, "\" [");

		if (!q || !strstr(l, "undefined!") || strstr(l, "\"" KLPDIFF_REF_PREFIX))
			continue;
		*why = strndup(l, strcspn(l, "\n"));
		return -ENOENT;
	}
	return 0;
}

/* Static branches on a module's key cannot be jump labels in a livepatch (klpdiff.h): both
 * sides are built again with every static branch a test of its key, and compared again. The
 * functions to replace must still be the running kernel's: one the compiler only made
 * separate in this build (no longer inlined) would not be found when the patch loads. */
static int rebuild_with_key_tests(struct gen_ctx *c, const char *why)
{
	_cleanup_free_ char *plain = NULL, *orig = NULL;
	int k;

	if (asprintf(&c->key_test_h, "%s/tuxtape_key_test.h", c->work) < 0 ||
	    asprintf(&orig, "%s/orig", c->work) < 0 || asprintf(&plain, "%s/orig-plain", c->work) < 0)
		return -ENOMEM;
	k = gen_write_file(c->key_test_h, KLPDIFF_KEY_TEST_HEADER);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->key_test_h, strerror(-k));
	if (rename(orig, plain) < 0)
		return gen_say(c, GEN_FAILED, "%s: %m", orig);
	json_array_clear(c->functions);
	for (size_t i = 0; i < c->n_objs; i++) {
		if (c->objs[i].diff)
			klpdiff_result_free(c->objs[i].diff);
		free(c->objs[i].diff);
		c->objs[i].diff = NULL;
	}
	if ((k = gen_build_original(c)) != GEN_OK || (k = gen_build_patched(c)) != GEN_OK ||
	    (k = gen_diff_objects(c)) != GEN_OK) {
		_cleanup_free_ char *d = c->detail;

		c->detail = NULL;
		return gen_say(c, (enum gen_status)k, "%s; built again with static branches as tests "
			       "of their key: %s", why, strempty(d));
	}
	for (size_t i = 0; i < c->n_objs; i++) {
		struct klpdiff_result *r = c->objs[i].diff;
		_cleanup_free_ char *was = NULL;

		if (asprintf(&was, "%s/%s", plain, c->objs[i].target) < 0)
			return -ENOMEM;
		for (size_t j = 0; r && j < r->n_funcs; j++)
			if (r->funcs[j].change == KLPDIFF_CHANGED &&
			    klpdiff_has_function(was, r->funcs[j].name) <= 0)
				return gen_say(c, GEN_REFUSED, "%s; built with static branches as tests "
					       "of their key, function %s is separate, but the running "
					       "kernel has it inlined", why, r->funcs[j].name);
	}
	return GEN_OK;
}

/* The extracted objects, as <name>.o_shipped parts of the module (c->parts) in c->module_dir;
 * the symbol database stays for the module step. */
int gen_extract(struct gen_ctx *c)
{
	_cleanup_free_ char *symvers = NULL, *retried = NULL;
	struct klp_symdb *db = NULL;
	char err[512] = "";
	int k;

	if (asprintf(&c->module_dir, "%s/module", c->work) < 0 ||
	    asprintf(&symvers, "%s/Module.symvers", c->k.headers) < 0)
		return -ENOMEM;
	k = mkdir_p(c->module_dir, 0755);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->module_dir, strerror(-k));
	k = klp_symdb_load(c->k.system_map, symvers, &db, err, sizeof(err));
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s", err[0] ? err : strerror(-k));
	c->symdb = db;
	k = gen_module_attach(c, db, err, sizeof(err));
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s", err);
again:
	for (size_t i = 0; i < c->n_objs; i++) {
		struct gen_object *o = &c->objs[i];
		_cleanup_free_ char *shipped = NULL, *cmd = NULL, *line = NULL;
		const char *dir = c->module_dir;
		char *more = NULL;

		if (!o->diff || !((struct klpdiff_result *)o->diff)->n_funcs)
			continue;
		if (asprintf(&shipped, "%s/fix_%zu.o_shipped", dir, i) < 0 ||
		    asprintf(&more, "%s fix_%zu.o", strempty(c->parts), i) < 0)
			return -ENOMEM;
		free(c->parts);
		c->parts = more;
		/* kbuild's shipped rule writes no .cmd file, and modpost reads one per object */
		if (asprintf(&cmd, "%s/.fix_%zu.o.cmd", dir, i) < 0 ||
		    asprintf(&line, "cmd_%s/fix_%zu.o := cat %s > %s/fix_%zu.o\n", dir, i, shipped,
			     dir, i) < 0 || gen_write_file(cmd, line) < 0)
			return gen_say(c, GEN_FAILED, "%s: cannot write its .cmd file", dir);
		err[0] = '\0';
		k = klpdiff_extract(o->patched_o, o->orig_o, o->diff, db, o->objname, NULL, shipped,
				    err, sizeof(err));
		if (k == -EXDEV && !c->key_test_h) {
			/* the error names the object's kept path: the key and module are enough */
			const char *what = strstr(err, "uses static key") ? strstr(err, "uses static key")
									  : err;

			if (asprintf(&retried, "%s: %s", o->target, what) < 0)
				return -ENOMEM;
			k = rebuild_with_key_tests(c, retried);
			if (k != GEN_OK)
				return k;
			free(c->parts);
			c->parts = NULL;
			goto again;
		}
		if (k < 0)
			return gen_say(c, k == -ENOTSUP || k == -EXDEV ? GEN_REFUSED : GEN_FAILED,
				       "%s: %s", o->target, err[0] ? err : strerror(-k));
	}
	if (retried)
		return gen_say(c, GEN_OK, "%s (%s: its static branches are tests of their key)",
			       strempty(c->parts), retried);
	return gen_say(c, GEN_OK, "%s", strempty(c->parts));
}

/* The generated C file and the parts linked by kbuild against the kernel's headers. */
int gen_make_module(struct gen_ctx *c)
{
	_cleanup_free_ char *kbuild = NULL, *main_c = NULL, *built = NULL, *why = NULL,
			    *imports = NULL, *kbuild_path = NULL, *note = NULL;
	const char *dir = c->module_dir;
	char err[512] = "";
	int k;

	if (asprintf(&main_c, "%s/tuxtape_main.c", dir) < 0 ||
	    asprintf(&kbuild_path, "%s/Kbuild", dir) < 0 ||
	    asprintf(&kbuild, "obj-m := %s.o\n%s-y := tuxtape_main.o%s\n", c->module, c->module,
		     strempty(c->parts)) < 0)
		return -ENOMEM;
	k = write_main(c, main_c, c->symdb, &note, err, sizeof(err));
	klp_symdb_free(c->symdb);
	c->symdb = NULL;
	if (k == -ECANCELED)
		return gen_say(c, GEN_REFUSED, "%s", err);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", main_c, strerror(-k));
	k = gen_write_file(kbuild_path, kbuild);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", kbuild_path, strerror(-k));
	k = kbuild_link(c, dir, &why, &imports);
	if (k == -EAGAIN) {
		/* symbols of an export namespace (IWLWIFI, CRYPTO_INTERNAL...): import it */
		_cleanup_fclose_ FILE *f = fopen(main_c, "ae");

		free(why);
		why = NULL;
		if (f && fputs(imports, f) >= 0 && fflush(f) == 0)
			k = kbuild_link(c, dir, &why, NULL);
		else
			k = -EIO;
	}
	if (k < 0)
		return gen_say(c, GEN_FAILED, "kbuild against %s: %s", c->k.headers,
			       why ? why : strerror(-k));
	if (asprintf(&built, "%s/%s.ko", dir, c->module) < 0 ||
	    asprintf(&c->ko, "%s/%s.ko", c->out, c->module) < 0)
		return -ENOMEM;
	k = gen_copy_file(built, c->ko);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", built, strerror(-k));
	for (const char *s = "tuxtape_main.c\0Kbuild\0"; *s; s += strlen(s) + 1) {
		_cleanup_free_ char *from = NULL, *to = NULL;

		if (asprintf(&from, "%s/%s", dir, s) >= 0 && asprintf(&to, "%s/%s", c->out, s) >= 0)
			gen_copy_file(from, to);
	}
	return gen_say(c, GEN_OK, "%s%s%s", c->ko, note ? "; " : "", strempty(note));
}

int gen_convert(struct gen_ctx *c)
{
	char err[512] = "";
	int k = klp_convert(c->ko, err, sizeof(err));

	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s", err[0] ? err : strerror(-k));
	return gen_say(c, GEN_OK, "%d livepatch relocation(s)", k);
}

int gen_external(struct gen_ctx *c)
{
	_cleanup_free_ char *out = NULL, *tool = NULL, *cfg = NULL, *jobs = NULL, *tail = NULL,
			    *stamp = NULL;
	const char *vmlinux = getenv("TUXTAPE_VMLINUX");
	bool kpatch = c->req->tool == GEN_KPATCH_BUILD;
	int k;

	if (asprintf(&cfg, "%s/.config", c->tree) < 0 || asprintf(&jobs, "%u", c->req->jobs) < 0 ||
	    asprintf(&tool, "%s/scripts/livepatch/klp-build", c->tree) < 0 ||
	    asprintf(&stamp, "%s/prepared", c->cache_dir) < 0)
		return -ENOMEM;
	if (kpatch && !gen_which("kpatch-build"))
		return gen_say(c, GEN_FAILED, "kpatch-build not installed");
	if (!kpatch && access(tool, X_OK) < 0)
		return gen_say(c, GEN_FAILED, "klp-build not available: the kernel's source "
			       "has no scripts/livepatch/klp-build (Linux 6.19 and later)");
	if (kpatch) {
		char *argv[] = { (char *)"kpatch-build", (char *)"-s", c->tree, (char *)"-c", cfg,
				 (char *)"-n", c->module, (char *)"-o", c->out, (char *)"-j", jobs,
				 c->patch_path, NULL, NULL, NULL };
		if (vmlinux) {
			argv[11] = (char *)"-v", argv[12] = (char *)vmlinux,
			argv[13] = c->patch_path;
		}
		k = gen_run(NULL, argv, NULL, c->req->progress, &out);
	} else {
		char *argv[] = { tool, (char *)"-j", jobs, (char *)"-o", c->out, c->patch_path,
				 NULL };
		k = gen_run(c->tree, argv, NULL, c->req->progress, &out);
	}
	/* both build the whole kernel in the tree: it is no longer merely prepared */
	unlink(stamp);
	if (k != 0) {
		tail = gen_tail(out, 10);
		return gen_say(c, GEN_FAILED, "%s failed (exit %d): %s",
			       kpatch ? "kpatch-build" : "klp-build", k, tail);
	}
	if (asprintf(&c->ko, "%s/%s.ko", c->out, c->module) < 0)
		return -ENOMEM;
	return gen_say(c, GEN_OK, "%s", access(c->ko, F_OK) == 0 ? c->ko :
		       "the module is in the output directory");
}

void gen_objects_free(struct gen_ctx *c)
{
	for (size_t i = 0; i < c->n_objs; i++) {
		free(c->objs[i].src);
		free(c->objs[i].target);
		free(c->objs[i].objname);
		free(c->objs[i].orig_o);
		free(c->objs[i].patched_o);
		if (c->objs[i].diff)
			klpdiff_result_free(c->objs[i].diff);
		free(c->objs[i].diff);
	}
	free(c->objs);
	c->objs = NULL;
	c->n_objs = 0;
	klp_symdb_free(c->symdb);
	c->symdb = NULL;
	free(c->module_dir);
	c->module_dir = NULL;
	free(c->parts);
	c->parts = NULL;
	free(c->key_test_h);
	c->key_test_h = NULL;
}
