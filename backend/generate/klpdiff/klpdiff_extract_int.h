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

struct kx_table {
	const char *name;
	size_t entsize;
	const char *parallel;   /* a section with one entry per entry, and no relocations */
	size_t parallel_entsize;
	bool refuse;
};

struct kx {
	const struct klp_symdb *db;
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
/* klpdiff_build.c */
int kx_build(struct kx *x, const struct klpdiff_result *res);
