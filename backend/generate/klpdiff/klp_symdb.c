// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running kernel's symbols, as klpdiff_extract() needs them to name what a patch
 * refers to: System.map gives every symbol in address order, which is the order kallsyms
 * counts a livepatch symbol position in (1-based among same-named symbols, 0 when unique);
 * Module.symvers says what a module may link against without livepatch relocations.
 * A copy of /proc/kallsyms (read as root) is accepted in place of System.map: the module
 * symbols it lists after vmlinux's are skipped. A module's own symbols come from its .ko
 * instead: the kernel counts them in the module's symbol table order, which is the order of
 * its objects at link time, and within each section their offsets keep that link order.
 */
#include "klpdiff.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kelf.h"
#include "strset.h"
#include "util.h"

#define MODULE_MAX (256u << 20)

struct map_sym {
	uint64_t addr;
	/* System.map: the lower-cased nm type letter (t, d, b, r, ...); a module: its section */
	unsigned cls;
	size_t next;            /* next copy of the same name (index + 1), 0 at the end */
};

struct klp_symdb {
	struct map_sym *syms;
	size_t n, cap;
	struct strset names;    /* name -> (first copy index + 1), cast to a pointer */
	struct strset exported;
	size_t *tail;           /* last copy of each name, to append in address order */
	/* a module's .ko: addresses are offsets within a section, so an anchor tells
	 * something only about copies in its own section */
	bool sections_apart;
	/* module name -> its own symbols (struct klp_symdb *), for its livepatch relocations */
	struct strset modules;
};

void klp_symdb_free(struct klp_symdb *db)
{
	if (!db)
		return;
	free(db->syms);
	free(db->tail);
	strset_free(&db->names);
	strset_free(&db->exported);
	strset_free(&db->modules);
	free(db);
}

static void free_module_db(void *p)
{
	klp_symdb_free(p);
}

int klp_symdb_add_module(struct klp_symdb *db, const char *objname, struct klp_symdb *mod)
{
	struct strset_entry *e;
	int r;

	db->modules.free_value = free_module_db;
	r = strset_put(&db->modules, objname, strlen(objname), &e);
	if (r < 0) {
		klp_symdb_free(mod);
		return r;
	}
	free_module_db(e->value);
	e->value = mod;
	return 0;
}

const struct klp_symdb *klp_symdb_module(const struct klp_symdb *db, const char *objname)
{
	const struct strset_entry *e = strset_get(&db->modules, objname, strlen(objname));

	return e ? e->value : NULL;
}

static int add_map_sym(struct klp_symdb *db, uint64_t addr, unsigned cls, const char *name)
{
	struct strset_entry *e;
	int added;

	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 4096;
		struct map_sym *s = reallocarray(db->syms, cap, sizeof(*s));
		size_t *t;

		if (!s)
			return -ENOMEM;
		db->syms = s;
		t = reallocarray(db->tail, cap, sizeof(*t));
		if (!t)
			return -ENOMEM;
		db->tail = t;
		db->cap = cap;
	}
	db->syms[db->n] = (struct map_sym){ addr, cls, 0 };
	added = strset_put(&db->names, name, strlen(name), &e);
	if (added < 0)
		return added;
	if (added) {
		e->value = (void *)(uintptr_t)(db->n + 1);
	} else {
		size_t first = (uintptr_t)e->value - 1;

		/* the tail of a chain is kept at its first element's slot */
		db->syms[db->tail[first]].next = db->n + 1;
	}
	db->tail[(uintptr_t)e->value - 1] = db->n;
	db->n++;
	return 0;
}

static int load_map(struct klp_symdb *db, const char *path, char *err, size_t errlen)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t len;

	if (!f) {
		int r = negative_errno();

		kelf_seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char *end, *name;
		unsigned long long addr;
		char type;
		int r;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		errno = 0;
		addr = strtoull(line, &end, 16);
		if (errno || end == line || end[0] != ' ' || !end[1] || end[2] != ' ' || !end[3]) {
			kelf_seterr(err, errlen, "%s:%u: expected 'ADDRESS TYPE NAME'", path, lineno);
			return -EBADMSG;
		}
		type = end[1];
		name = end + 3;
		/* a /proc/kallsyms copy: module symbols carry "\t[module]" and are not vmlinux's */
		if (strchr(name, '\t'))
			continue;
		if (strchr(name, ' ')) {
			kelf_seterr(err, errlen, "%s:%u: not a symbol name: '%s' (Debian's "
				    "System.map is a placeholder; the real one is in the "
				    "linux-image-RELEASE-dbg package, or use a copy of /proc/kallsyms)",
				    path, lineno, name);
			return -EBADMSG;
		}
		/* undefined, weak-undefined and absolute symbols are not counted by kallsyms */
		if (strchr("UwvaAN", type))
			continue;
		r = add_map_sym(db, addr, (unsigned)tolower((unsigned char)type), name);
		if (r < 0) {
			kelf_seterr(err, errlen, "%s: out of memory", path);
			return r;
		}
	}
	if (db->n == 0) {
		kelf_seterr(err, errlen, "%s: no symbol", path);
		return -EBADMSG;
	}
	return 0;
}

static int load_symvers(struct klp_symdb *db, const char *path, char *err, size_t errlen)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;

	if (!f) {
		int r = negative_errno();

		kelf_seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while (getline(&line, &cap, f) > 0) {
		char *name = strchr(line, '\t');
		size_t n;
		struct strset_entry *e;

		lineno++;
		if (!name || !(n = strcspn(name + 1, "\t\n")) || name[1 + n] != '\t') {
			kelf_seterr(err, errlen, "%s:%u: expected 'CRC\\tSYMBOL\\tMODULE\\t...'", path,
				    lineno);
			return -EBADMSG;
		}
		if (strset_put(&db->exported, name + 1, n, &e) < 0) {
			kelf_seterr(err, errlen, "%s: out of memory", path);
			return -ENOMEM;
		}
		/* the exporter: "vmlinux" or the module's path in the tree, e.g.
		 * net/netfilter/nf_tables; kept as the module's name */
		const char *mod = name + 1 + n + 1, *base;
		size_t mlen = strcspn(mod, "\t\n");

		base = memrchr(mod, '/', mlen);
		base = base ? base + 1 : mod;
		mlen -= (size_t)(base - mod);
		if (!e->value) {
			char *m = strndup(base, mlen);

			if (!m) {
				kelf_seterr(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			for (char *c = m; *c; c++)
				if (*c == '-')
					*c = '_';
			e->value = m;
		}
	}
	return 0;
}

int klp_symdb_load(const char *system_map, const char *module_symvers, struct klp_symdb **ret,
		   char *err, size_t errlen)
{
	struct klp_symdb *db = calloc(1, sizeof(*db));
	int r;

	if (!db) {
		kelf_seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	db->exported.free_value = free;
	r = load_map(db, system_map, err, errlen);
	if (r == 0 && module_symvers)
		r = load_symvers(db, module_symvers, err, errlen);
	if (r < 0) {
		klp_symdb_free(db);
		return r;
	}
	free(db->tail);
	db->tail = NULL;
	*ret = db;
	return 0;
}

/* Plain, or compressed as kmod installs them (.ko.xz, .ko.gz, .ko.zst): libarchive's raw
 * format reads any of them. */
static int read_module_file(const char *path, char **ret, size_t *len, char *err, size_t errlen)
{
	struct archive *a;
	struct archive_entry *e;
	_cleanup_free_ char *buf = NULL;
	size_t n = 0, cap = 0;
	la_ssize_t got;
	int r = 0;

	if (strlen(path) > 3 && streq(path + strlen(path) - 3, ".ko")) {
		r = read_file_bounded(path, MODULE_MAX, ret, len);
		if (r < 0)
			kelf_seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	a = archive_read_new();
	if (!a) {
		kelf_seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		kelf_seterr(err, errlen, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return -EBADMSG;
	}
	do {
		if (cap - n < (1 << 16)) {
			char *b = cap >= MODULE_MAX ? NULL : realloc(buf, cap = cap ? cap * 2 : 1 << 20);

			if (!b) {
				kelf_seterr(err, errlen, "%s: larger than %u MiB unpacked", path,
					    MODULE_MAX >> 20);
				r = -EFBIG;
				break;
			}
			buf = b;
		}
		got = archive_read_data(a, buf + n, cap - n);
		if (got < 0) {
			kelf_seterr(err, errlen, "%s: %s", path, archive_error_string(a));
			r = -EBADMSG;
		} else {
			n += (size_t)got;
		}
	} while (r == 0 && got > 0);
	archive_read_free(a);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(buf);
	*len = n;
	return 0;
}

/* What the kernel keeps of a module's symbols once it is loaded (is_core_symbol() with
 * CONFIG_KALLSYMS_ALL): named, defined in an allocated section that is not init code or data,
 * in symbol table order. */
static int load_module_syms(struct klp_symdb *db, Elf *e, const char *path, char *err,
			    size_t errlen)
{
	size_t shnum, shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_kind(e) != ELF_K_ELF || elf_getshdrnum(e, &shnum) < 0 ||
	    elf_getshdrstrndx(e, &shstrndx) < 0) {
		kelf_seterr(err, errlen, "%s: not an ELF object", path);
		return -EBADMSG;
	}
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn || !sh.sh_entsize) {
		kelf_seterr(err, errlen, "%s: no symbol table (stripped?)", path);
		return -EBADMSG;
	}
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t nsyms = d ? sh.sh_size / sh.sh_entsize : 0;

	for (size_t i = 1; i < nsyms; i++) {
		GElf_Sym s;
		GElf_Shdr in;
		const char *name, *secname;
		int r;

		if (!gelf_getsym(d, (int)i, &s) || !s.st_name || s.st_shndx == SHN_UNDEF ||
		    s.st_shndx >= shnum || !gelf_getshdr(elf_getscn(e, s.st_shndx), &in) ||
		    !(in.sh_flags & SHF_ALLOC))
			continue;
		secname = elf_strptr(e, shstrndx, in.sh_name);
		name = elf_strptr(e, sh.sh_link, s.st_name);
		if (!name || !*name || (secname && startswith(secname, ".init")))
			continue;
		r = add_map_sym(db, s.st_value, s.st_shndx, name);
		if (r < 0) {
			kelf_seterr(err, errlen, "%s: out of memory", path);
			return r;
		}
	}
	if (db->n == 0) {
		kelf_seterr(err, errlen, "%s: no symbol", path);
		return -EBADMSG;
	}
	return 0;
}

int klp_symdb_load_module(const char *ko, struct klp_symdb **ret, char *err, size_t errlen)
{
	_cleanup_free_ char *data = NULL;
	struct klp_symdb *db;
	size_t len;
	Elf *e;
	int r = read_module_file(ko, &data, &len, err, errlen);

	if (r < 0)
		return r;
	db = calloc(1, sizeof(*db));
	if (!db) {
		kelf_seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	db->sections_apart = true;
	elf_version(EV_CURRENT);
	e = elf_memory(data, len);
	if (!e) {
		kelf_seterr(err, errlen, "%s: %s", ko, elf_errmsg(-1));
		r = -EBADMSG;
	} else {
		r = load_module_syms(db, e, ko, err, errlen);
		elf_end(e);
	}
	if (r < 0) {
		klp_symdb_free(db);
		return r;
	}
	free(db->tail);
	db->tail = NULL;
	*ret = db;
	return 0;
}

bool klp_symdb_exported(const struct klp_symdb *db, const char *name)
{
	return strset_get(&db->exported, name, strlen(name)) != NULL;
}

const char *klp_symdb_exporter(const struct klp_symdb *db, const char *name)
{
	const struct strset_entry *e = strset_get(&db->exported, name, strlen(name));

	return e ? e->value : NULL;
}

static size_t first_copy(const struct klp_symdb *db, const char *name)
{
	struct strset_entry *e = strset_get(&db->names, name, strlen(name));

	return e ? (uintptr_t)e->value : 0;
}

/* Distance from addr to the nearest anchor, looking at anchors of the copy's own class
 * (text, data, bss, rodata) when there are any: an object's pieces are laid out in link
 * order within each output section, not next to each other across sections. */
static uint64_t anchor_distance(const struct klp_symdb *db, const struct map_sym *copy,
				const char *const *anchors, bool same_class)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; anchors[i]; i++) {
		size_t a = first_copy(db, anchors[i]);
		const struct map_sym *s;
		uint64_t d;

		if (!a || db->syms[a - 1].next)
			continue; /* absent, or not unique: tells nothing */
		s = &db->syms[a - 1];
		if (same_class && s->cls != copy->cls)
			continue;
		d = s->addr > copy->addr ? s->addr - copy->addr : copy->addr - s->addr;
		if (d < best)
			best = d;
	}
	return best;
}

int klp_symdb_sympos(const struct klp_symdb *db, const char *name, const char *const *anchors,
		     unsigned long *ret)
{
	size_t first = first_copy(db, name);
	uint64_t best = UINT64_MAX;
	unsigned long pos = 0, best_pos = 0;
	bool tie = false, same_class = false;

	if (!first)
		return -ENOENT;
	if (!db->syms[first - 1].next) {
		*ret = 0;
		return 0;
	}
	if (!anchors)
		return -ENOTUNIQ;
	/* same-class anchors are used when every copy has one */
	same_class = true;
	for (size_t i = first; i && !db->sections_apart; i = db->syms[i - 1].next)
		if (anchor_distance(db, &db->syms[i - 1], anchors, true) == UINT64_MAX)
			same_class = false;
	for (size_t i = first; i; i = db->syms[i - 1].next) {
		uint64_t d = anchor_distance(db, &db->syms[i - 1], anchors, same_class);

		pos++;
		if (d < best) {
			best = d;
			best_pos = pos;
			tie = false;
		} else if (d == best) {
			tie = true;
		}
	}
	if (best == UINT64_MAX || tie)
		return -ENOTUNIQ;
	*ret = best_pos;
	return 0;
}
