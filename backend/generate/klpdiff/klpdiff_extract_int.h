/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The extractor's state. Layers, each calling only those below it: klpdiff_extract.c
 * (which ranges of the patched object to copy), klpdiff_build.c (the new object: sections,
 * symbols, relocations, tables), klpdiff_ranges.c (the ranges and the table sections).
 */
#pragma once

#include "klpdiff.h"
#include "klpdiff_int.h"
#include "strset.h"

struct kx_range {
	size_t sec;             /* section of the patched object */
	uint64_t start, end;
	size_t out;             /* its section in the new object */
};

/* What a table entry's key (a static key or a static call) must be. The module loader
 * processes jump and static call tables before livepatch relocations of modules are applied
 * (only vmlinux ones are applied that early), so a key must be vmlinux's. */
enum kx_key_rule {
	KX_KEY_NONE,            /* no key */
	KX_KEY_VMLINUX,         /* a key of a module is an error (-EXDEV) */
	KX_KEY_VMLINUX_OR_DROP, /* an entry with a key of a module is left out */
};

struct kx_table {
	const char *name;
	size_t entsize;
	const char *parallel;   /* a section with one entry per entry, and no relocations */
	size_t parallel_entsize;
	enum kx_key_rule key_rule;
	size_t key_off;         /* where the key's relocation is in an entry */
};

struct kx {
	const struct klp_symdb *db;
	const struct klpdiff_result *res;
	const char *objname;
	bool vmlinux;
	char *err;
	size_t errlen;
	struct kelf *p, *o;
	struct kelf **mods;     /* the module's other objects */
	size_t n_mods;
	const char **anchors;   /* NULL-terminated, names owned by o */
	struct kx_range *ranges;
	size_t n_ranges;
	bool grew;
	struct kelf *out;
	size_t *out_secsym;     /* section symbol of each section of out */
	struct strset refs;     /* referenced name -> symbol index + 1 in out */
};

/* klpdiff_ranges.c */
const struct kx_table *kx_table_of(const char *name);
long kx_find_range(const struct kx *x, size_t sec, int64_t at, bool allow_end);
int kx_add_range(struct kx *x, size_t sec, uint64_t start, uint64_t end);
bool kx_entry_kept(const struct kx *x, size_t tab, uint64_t entry);
/* Whether the patched object's symbol sym lives in vmlinux (for a vmlinux object: always). */
bool kx_sym_in_vmlinux(const struct kx *x, size_t sym);
/* The key of a table entry (its symbol index in the patched object), 0 when it has none. */
size_t kx_entry_key(const struct kx *x, size_t tab, uint64_t entry);
/* klpdiff_build.c */
int kx_build(struct kx *x, const struct klpdiff_result *res);
