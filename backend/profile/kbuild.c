/* SPDX-License-Identifier: GPL-2.0-only */
#include "kbuild.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "makeval.h"
#include "strset.h"
#include "util.h"

#define MAKEFILE_MAX (4u << 20)
#define ISSUES_MAX 5000

struct tree {
	struct strset files;     /* every file of the source, relative to its top */
	struct strset makefiles; /* Makefile* and Kbuild* files: path -> contents */
};

struct walk {
	struct tree *tree;
	struct mk_vars *global;
	struct strset walked;    /* directories done */
	struct strset files;     /* path -> (void *)'y' or 'm' */
	struct strset units;
	struct kbuild_result *r;
	struct mk_host host;
	int error;
};

static bool is_makefile(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return startswith(base, "Makefile") || startswith(base, "Kbuild");
}

static int tree_add(struct tree *t, const char *path, const char *content, size_t len)
{
	struct strset_entry *e;
	int k = strset_put(&t->files, path, strlen(path), &e);

	if (k < 0 || !content)
		return k;
	k = strset_put(&t->makefiles, path, strlen(path), &e);
	if (k < 0)
		return k;
	free(e->value);
	e->value = strndup(content, len);
	return e->value ? 0 : -ENOMEM;
}

/* One pass over the archive: the names of all files, the contents of the makefiles. */
static int tree_from_archive(struct tree *t, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	char *buf = NULL;
	int k = 0, r;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		k = log_error_errno(EINVAL, "%s: cannot read as an archive: %s", path,
				    archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent), *slash;
		la_int64_t size = archive_entry_size(ent);

		if (archive_entry_filetype(ent) != AE_IFREG || !name)
			continue;
		/* drop the top directory ("linux-source-6.1/") */
		slash = strchr(name, '/');
		if (!slash || !slash[1])
			continue;
		name = slash + 1;
		if (!is_makefile(name)) {
			k = tree_add(t, name, NULL, 0);
		} else if (size < 0 || size > MAKEFILE_MAX) {
			k = log_error_errno(EFBIG, "%s: %s: makefile larger than %u bytes", path, name,
					    MAKEFILE_MAX);
		} else {
			la_ssize_t got;

			free(buf);
			buf = malloc((size_t)size + 1);
			if (!buf) {
				k = -ENOMEM;
				break;
			}
			got = archive_read_data(a, buf, (size_t)size);
			if (got != size) {
				k = log_error_errno(EIO, "%s: %s: short read: %s", path, name,
						    archive_error_string(a));
				break;
			}
			k = tree_add(t, name, buf, (size_t)size);
		}
		if (k < 0)
			break;
	}
	if (k >= 0 && r != ARCHIVE_EOF)
		k = log_error_errno(EIO, "%s: corrupt archive: %s", path, archive_error_string(a));
out:
	free(buf);
	archive_read_free(a);
	return k;
}

/* nftw has no user pointer: the walk of one directory tree at a time goes through these. */
static struct {
	struct tree *t;
	size_t root_len;
	int error;
} dir_walk;

static int visit(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *rel = fpath + dir_walk.root_len;
	char *content = NULL;
	size_t len = 0;
	int k;

	if (type != FTW_F)
		return 0;
	while (*rel == '/')
		rel++;
	if (is_makefile(rel)) {
		k = read_file_bounded(fpath, MAKEFILE_MAX, &content, &len);
		if (k < 0) {
			dir_walk.error = log_error_errno(k, "%s: %m", fpath);
			return 1;
		}
	}
	k = tree_add(dir_walk.t, rel, content, len);
	free(content);
	if (k < 0) {
		dir_walk.error = k;
		return 1;
	}
	return 0;
}

static int tree_from_dir(struct tree *t, const char *path)
{
	dir_walk.t = t;
	dir_walk.root_len = strlen(path);
	dir_walk.error = 0;
	if (nftw(path, visit, 32, FTW_PHYS) < 0)
		return log_error_errno(errno, "%s: cannot walk: %m", path);
	return dir_walk.error;
}

static void add_issue(struct kbuild_result *r, const char *file, unsigned line, const char *what)
{
	struct kbuild_issue *grown;

	if (r->n_issues >= ISSUES_MAX)
		return;
	grown = realloc(r->issues, (r->n_issues + 1) * sizeof(*grown));
	if (!grown)
		return;
	r->issues = grown;
	grown[r->n_issues].file = strdup(file);
	grown[r->n_issues].line = line;
	grown[r->n_issues].what = strdup(what);
	r->n_issues++;
}

static void on_unsupported(void *ud, const char *file, unsigned line, const char *what)
{
	struct walk *w = ud;

	add_issue(w->r, file, line, what);
}

/* "./a/b/../c//d" -> "a/c/d" into buf; false when it leaves the tree or is too long. */
static bool normalize(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	while (*p) {
		size_t seg = strcspn(p, "/");

		if (seg == 0 || (seg == 1 && p[0] == '.')) {
			/* nothing */
		} else if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0)
				return false;
			while (n > 0 && buf[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before the dropped segment */
		} else {
			if (n + seg + 2 > len)
				return false;
			if (n)
				buf[n++] = '/';
			memcpy(buf + n, p, seg);
			n += seg;
		}
		p += seg;
		if (*p == '/')
			p++;
	}
	buf[n] = '\0';
	return true;
}

static const char *host_read(void *ud, const char *path)
{
	struct walk *w = ud;
	struct strset_entry *e;
	char buf[1024];

	if (!normalize(path, buf, sizeof(buf)))
		return NULL;
	e = strset_get(&w->tree->makefiles, buf, strlen(buf));
	return e ? e->value : NULL;
}

static bool host_exists(void *ud, const char *path)
{
	struct walk *w = ud;
	char buf[1024];

	return normalize(path, buf, sizeof(buf)) &&
	       strset_get(&w->tree->files, buf, strlen(buf)) != NULL;
}

static int mark(struct strset *set, const char *path, char mode)
{
	struct strset_entry *e;
	int k = strset_put(set, path, strlen(path), &e);

	if (k < 0)
		return k;
	/* built-in wins over module when a file is in both */
	if (k == 1 || mode == 'y')
		e->value = (void *)(uintptr_t)mode;
	return 0;
}

/* dir/name.o -> its source file: .c, .S, .rs, or a generated object's own input. */
static int resolve_source(struct walk *w, const char *obj, char mode, const char *makefile)
{
	static const char *const exts[] = { ".c", ".S", ".rs" };
	char path[1024];
	size_t n = strlen(obj);

	if (n < 3 || strcmp(obj + n - 2, ".o") != 0 || n > sizeof(path) - 8) {
		char what[1100];

		snprintf(what, sizeof(what), "'%s' is not an object file name", obj);
		add_issue(w->r, makefile, 0, what);
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
		snprintf(path, sizeof(path), "%.*s%s", (int)(n - 2), obj, exts[i]);
		if (host_exists(w, path))
			return mark(&w->files, path, mode);
	}
	/* an object generated from a file of the same stem: foo.asn1.o from foo.asn1 */
	snprintf(path, sizeof(path), "%.*s", (int)(n - 2), obj);
	if (strchr(strrchr(path, '/') ? strrchr(path, '/') : path, '.') && host_exists(w, path))
		return mark(&w->files, path, mode);
	{
		char what[1100];

		snprintf(what, sizeof(what), "no source for %s (generated at build time?)", obj);
		add_issue(w->r, makefile, 0, what);
	}
	return 0;
}

static int walk_dir(struct walk *w, const char *dir, bool linked, int depth);

/* Joins dir ("drivers/net/" or "") and a relative name, normalising "./" and "../". */
static char *join(const char *dir, const char *name, size_t len)
{
	char *p = NULL;

	if (asprintf(&p, "%s%.*s", dir, (int)len, name) < 0)
		return NULL;
	for (char *d; (d = strstr(p, "/./"));)
		memmove(d, d + 2, strlen(d + 2) + 1);
	for (char *d; (d = strstr(p, "/../"));) {
		char *s = d;

		while (s > p && s[-1] != '/')
			s--;
		memmove(s, d + 4, strlen(d + 4) + 1);
	}
	return p;
}

struct objs_ud {
	struct walk *w;
	const char *dir;
	struct mk_vars *scope;
	const char *makefile;
	char mode;     /* 'y', 'm', or 0 for a directory list (subdir-y) */
	bool linked;
	int depth;
};

static int handle_object(void *ud, const char *word, size_t len)
{
	struct objs_ud *o = ud;
	struct walk *w = o->w;
	_cleanup_free_ char *path = NULL, *name = NULL, *parts = NULL, *objs = NULL,
			     *m = NULL;
	const char *base;
	int k;

	if (word[len - 1] == '/' || o->mode == 0) {
		char *sub = join(o->dir, word, len);
		int r;

		if (!sub)
			return -ENOMEM;
		if (sub[strlen(sub) - 1] != '/') {
			char *s2 = NULL;

			r = asprintf(&s2, "%s/", sub);
			free(sub);
			if (r < 0)
				return -ENOMEM;
			sub = s2;
		}
		r = walk_dir(w, sub, o->mode == 'y' && o->linked, o->depth + 1);
		free(sub);
		return r;
	}
	if (o->mode == 'y' && !o->linked)
		return 0; /* built-in code of a directory vmlinux does not link */
	path = join(o->dir, word, len);
	if (!path)
		return -ENOMEM;
	base = strrchr(word, '/');
	base = base && (size_t)(base - word) < len ? base + 1 : word;
	name = strndup(base, len - (size_t)(base - word));
	if (!name)
		return -ENOMEM;
	if (strlen(name) > 2 && streq(name + strlen(name) - 2, ".o"))
		name[strlen(name) - 2] = '\0';
	{
		char var[600];

		snprintf(var, sizeof(var), "%s-objs", name);
		objs = mk_get(o->scope, &w->host, var);
		snprintf(var, sizeof(var), "%s-y", name);
		parts = mk_get(o->scope, &w->host, var);
		snprintf(var, sizeof(var), "%s-m", name);
		m = o->mode == 'm' ? mk_get(o->scope, &w->host, var) : strdup("");
	}
	if (!objs || !parts || !m)
		return -ENOMEM;
	path[strlen(path) - (strlen(path) > 2 && streq(path + strlen(path) - 2, ".o") ? 2 : 0)] = '\0';
	k = mark(&w->units, path, o->mode);
	if (k < 0)
		return k;
	if (!objs[0] && !parts[0] && !m[0]) {
		char *obj = NULL;

		if (asprintf(&obj, "%s.o", path) < 0)
			return -ENOMEM;
		k = resolve_source(w, obj, o->mode, o->makefile);
		free(obj);
		return k;
	}
	{
		/* the parts of a composite object, relative to this directory */
		const char *lists[3] = { objs, parts, m };

		for (size_t i = 0; i < 3; i++) {
			const char *s = lists[i];

			while (*s) {
				size_t n = 0;
				char *p;

				while (*s == ' ' || *s == '\t')
					s++;
				while (s[n] && s[n] != ' ' && s[n] != '\t')
					n++;
				if (!n)
					break;
				p = join(o->dir, s, n);
				if (!p)
					return -ENOMEM;
				k = resolve_source(w, p, o->mode, o->makefile);
				free(p);
				if (k < 0)
					return k;
				s += n;
			}
		}
	}
	return 0;
}

static int walk_dir(struct walk *w, const char *dir, bool linked, int depth)
{
	struct strset_entry *e;
	_cleanup_free_ char *mf = NULL, *objy = NULL, *objm = NULL, *liby = NULL, *suby = NULL,
			     *subm = NULL, *src = NULL;
	struct mk_vars *scope;
	const char *text;
	struct objs_ud o = { .w = w, .dir = dir, .linked = linked, .depth = depth };
	int k;

	if (depth > 32)
		return 0;
	k = strset_put(&w->walked, dir, strlen(dir), &e);
	if (k < 0)
		return k;
	/* a directory reached both ways is linked if either way is */
	if (k == 0 && (e->value || !linked))
		return 0;
	e->value = (void *)(uintptr_t)linked;

	if (asprintf(&mf, "%sKbuild", dir) < 0)
		return -ENOMEM;
	text = host_read(w, mf);
	if (!text) {
		free(mf);
		mf = NULL;
		if (asprintf(&mf, "%sMakefile", dir) < 0)
			return -ENOMEM;
		text = host_read(w, mf);
	}
	if (!text) {
		add_issue(w->r, dir[0] ? dir : ".", 0, "directory has no Kbuild or Makefile");
		return 0;
	}
	w->r->n_makefiles++;
	scope = mk_vars_clone(w->global);
	if (!scope)
		return -ENOMEM;
	src = dir[0] ? strndup(dir, strlen(dir) - 1) : strdup(".");
	if (!src || mk_set(scope, "src", src) < 0 || mk_set(scope, "obj", src) < 0) {
		mk_vars_free(scope);
		return -ENOMEM;
	}
	/* the makefile name must outlive the scope's variables: keep it in the walked set */
	{
		struct strset_entry *me;

		k = strset_put(&w->walked, mf, strlen(mf), &me);
		if (k < 0) {
			mk_vars_free(scope);
			return k;
		}
		o.makefile = me->key;
	}
	k = mk_eval(scope, &w->host, o.makefile, text);
	if (k >= 0) {
		objy = mk_get(scope, &w->host, "obj-y");
		objm = mk_get(scope, &w->host, "obj-m");
		liby = mk_get(scope, &w->host, "lib-y");
		suby = mk_get(scope, &w->host, "subdir-y");
		subm = mk_get(scope, &w->host, "subdir-m");
		if (!objy || !objm || !liby || !suby || !subm)
			k = -ENOMEM;
	}
	o.scope = scope;
	if (k >= 0 && linked) {
		o.mode = 'y';
		k = mk_words(objy, handle_object, &o);
		if (k >= 0)
			k = mk_words(liby, handle_object, &o);
	} else if (k >= 0) {
		/* not linked into vmlinux: built-in objects here go nowhere, but directories
		 * below may still build modules */
		o.mode = 'y';
		k = mk_words(objy, handle_object, &o);
	}
	if (k >= 0) {
		o.mode = 'm';
		k = mk_words(objm, handle_object, &o);
	}
	if (k >= 0) {
		o.mode = 0;
		k = mk_words(suby, handle_object, &o);
		if (k >= 0)
			k = mk_words(subm, handle_object, &o);
	}
	mk_vars_free(scope);
	return k;
}

/* .config: CONFIG_FOO=y|m|"text"|123; "# CONFIG_FOO is not set" leaves it undefined. */
static int load_config(struct mk_vars *v, const char *path, struct kbuild_result *r)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	unsigned lineno = 0, n = 0;
	int k = read_file_bounded(path, 16u << 20, &text, &len);

	if (k < 0)
		return log_error_errno(k, "%s: cannot read the kernel configuration: %m", path);
	for (char *line = text, *next; line && *line; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!line[0] || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!startswith(line, "CONFIG_") || !eq) {
			char what[160];

			snprintf(what, sizeof(what), "not a CONFIG_NAME=value line: '%.100s'", line);
			add_issue(r, path, lineno, what);
			continue;
		}
		*eq = '\0';
		if (mk_set(v, line, eq + 1) < 0)
			return -ENOMEM;
		n++;
	}
	if (n == 0)
		return log_error_errno(EINVAL, "%s: no CONFIG_ option in it; is it a kernel .config?",
				       path);
	return 0;
}

/* VERSION, PATCHLEVEL, SUBLEVEL of the top Makefile. */
static void read_version(struct walk *w)
{
	const char *mf = host_read(w, "Makefile");
	struct mk_vars *v = mk_vars_new();
	struct mk_host quiet = { .read = NULL };
	char *parts[3] = { NULL, NULL, NULL };
	static const char *const names[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL" };

	if (!mf || !v) {
		mk_vars_free(v);
		return;
	}
	/* only the head of the file: the version lines come first, the rest is noise here */
	{
		const char *end = strstr(mf, "\nNAME");
		char *head = strndup(mf, end ? (size_t)(end - mf) : strlen(mf));

		if (head)
			mk_eval(v, &quiet, "Makefile", head);
		free(head);
	}
	for (int i = 0; i < 3; i++)
		parts[i] = mk_get(v, &quiet, names[i]);
	if (parts[0] && parts[1] && parts[0][0] && parts[1][0])
		snprintf(w->r->version, sizeof(w->r->version), "%s.%s%s%s", parts[0], parts[1],
			 parts[2] && parts[2][0] && !streq(parts[2], "0") ? "." : "",
			 parts[2] && !streq(parts[2], "0") ? parts[2] : "");
	for (int i = 0; i < 3; i++)
		free(parts[i]);
	mk_vars_free(v);
}

/* core-y, libs-y and drivers-y come from the architecture's Makefile, as the top Makefile
 * hands them to the top-level Kbuild as ARCH_CORE, ARCH_LIB and ARCH_DRIVERS. */
static int arch_lists(struct walk *w, const char *srcarch)
{
	_cleanup_free_ char *path = NULL, *core = NULL, *libs = NULL, *drivers = NULL,
			     *drivers_m = NULL;
	struct mk_vars *v = mk_vars_clone(w->global);
	struct mk_host quiet = w->host;
	const char *text;
	int k;

	if (!v)
		return -ENOMEM;
	quiet.unsupported = NULL; /* compiler probing and the like: not what decides the build */
	if (asprintf(&path, "arch/%s/Makefile", srcarch) < 0) {
		mk_vars_free(v);
		return -ENOMEM;
	}
	text = host_read(w, path);
	if (!text) {
		mk_vars_free(v);
		return log_error_errno(ENOENT, "%s: missing in the source: is it a kernel tree?", path);
	}
	k = mk_set(v, "core-y", "");
	if (k >= 0)
		k = mk_set(v, "drivers-y", "");
	if (k >= 0)
		k = mk_set(v, "libs-y", "lib/");
	if (k >= 0)
		k = mk_eval(v, &quiet, path, text);
	if (k >= 0) {
		core = mk_get(v, &quiet, "core-y");
		libs = mk_expand_text(v, &quiet, "$(filter %/, $(libs-y))");
		drivers = mk_get(v, &quiet, "drivers-y");
		drivers_m = mk_get(v, &quiet, "drivers-m");
	}
	mk_vars_free(v);
	if (k < 0 || !core || !libs || !drivers || !drivers_m)
		return -ENOMEM;
	{
		char *all = NULL;

		if (asprintf(&all, "%s %s", drivers, drivers_m) < 0)
			return -ENOMEM;
		k = mk_set(w->global, "ARCH_DRIVERS", all);
		free(all);
	}
	if (k >= 0)
		k = mk_set(w->global, "ARCH_CORE", core);
	if (k >= 0)
		k = mk_set(w->global, "ARCH_LIB", libs);
	return k;
}

static int collect(const struct strset *set, struct kbuild_item **ret, size_t *n)
{
	size_t j = 0;

	*ret = calloc(set->n ? set->n : 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	for (size_t i = 0; i < set->cap; i++) {
		if (!set->tab[i].key)
			continue;
		(*ret)[j].path = strdup(set->tab[i].key);
		(*ret)[j].mode = (char)(uintptr_t)set->tab[i].value;
		if (!(*ret)[j].path)
			return -ENOMEM;
		j++;
	}
	*n = j;
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct kbuild_item *)a)->path, ((const struct kbuild_item *)b)->path);
}

int kbuild_profile(const char *source, const char *config, struct kbuild_result *r)
{
	struct tree tree = { .makefiles = { .free_value = free } };
	struct walk w = { .tree = &tree, .r = r };
	struct stat st;
	const char *srcarch = "x86";
	char *arch_cfg;
	int k;

	memset(r, 0, sizeof(*r));
	w.host = (struct mk_host){ host_read, host_exists, on_unsupported, &w };
	if (stat(source, &st) < 0)
		return log_error_errno(errno, "%s: %m", source);
	k = S_ISDIR(st.st_mode) ? tree_from_dir(&tree, source) : tree_from_archive(&tree, source);
	if (k < 0)
		goto out;
	r->n_source_files = tree.files.n;
	w.global = mk_vars_new();
	if (!w.global) {
		k = -ENOMEM;
		goto out;
	}
	k = load_config(w.global, config, r);
	if (k < 0)
		goto out;
	/* The architecture: what the configuration was made for. */
	arch_cfg = mk_get(w.global, NULL, "CONFIG_X86");
	if (arch_cfg && !arch_cfg[0]) {
		static const struct {
			const char *config, *arch;
		} arches[] = { { "CONFIG_ARM64", "arm64" }, { "CONFIG_ARM", "arm" },
			       { "CONFIG_RISCV", "riscv" }, { "CONFIG_PPC", "powerpc" },
			       { "CONFIG_S390", "s390" },   { "CONFIG_LOONGARCH", "loongarch" },
			       { "CONFIG_MIPS", "mips" } };

		for (size_t i = 0; i < ELEMENTSOF(arches); i++) {
			char *val = mk_get(w.global, NULL, arches[i].config);

			if (val && streq(val, "y"))
				srcarch = arches[i].arch;
			free(val);
		}
	}
	free(arch_cfg);
	{
		char *bits = mk_get(w.global, NULL, "CONFIG_64BIT");

		k = mk_set(w.global, "BITS", bits && streq(bits, "y") ? "64" : "32");
		free(bits);
	}
	if (k >= 0)
		k = mk_set(w.global, "srctree", ".");
	if (k >= 0)
		k = mk_set(w.global, "SRCARCH", srcarch);
	if (k >= 0)
		k = mk_set(w.global, "ARCH", srcarch);
	if (k >= 0)
		k = arch_lists(&w, srcarch);
	if (k < 0)
		goto out;
	read_version(&w);
	k = walk_dir(&w, "", true, 0);
	/* the rest of the source, so that the gauge can tell "not built" from "not there" */
	for (size_t i = 0; k >= 0 && i < tree.files.cap; i++) {
		struct strset_entry *e;
		const char *p = tree.files.tab[i].key;

		if (!p || strset_get(&w.files, p, strlen(p)))
			continue;
		k = strset_put(&w.files, p, strlen(p), &e);
		if (k >= 0) {
			e->value = (void *)(uintptr_t)'n';
			k = 0;
		}
	}
	if (k >= 0)
		k = collect(&w.files, &r->files, &r->n_files);
	if (k >= 0)
		k = collect(&w.units, &r->units, &r->n_units);
	if (k >= 0) {
		qsort(r->files, r->n_files, sizeof(*r->files), cmp_item);
		qsort(r->units, r->n_units, sizeof(*r->units), cmp_item);
	}
out:
	mk_vars_free(w.global);
	strset_free(&w.walked);
	strset_free(&w.files);
	strset_free(&w.units);
	strset_free(&tree.files);
	strset_free(&tree.makefiles);
	if (k < 0)
		kbuild_result_free(r);
	return k;
}

void kbuild_result_free(struct kbuild_result *r)
{
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].path);
	for (size_t i = 0; i < r->n_units; i++)
		free(r->units[i].path);
	for (size_t i = 0; i < r->n_issues; i++) {
		free(r->issues[i].file);
		free(r->issues[i].what);
	}
	free(r->files);
	free(r->units);
	free(r->issues);
	memset(r, 0, sizeof(*r));
}
