// SPDX-License-Identifier: GPL-2.0-only
/*
 * The extractor's ranges and tables: which byte ranges of the patched object are copied,
 * and which table sections are filtered entry by entry. Below both klpdiff_extract.c (which
 * decides what to copy) and klpdiff_build.c (which writes the new object): neither of them
 * is called from here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klpdiff_extract_int.h"
#include "util.h"

/* Table sections: entry size and what to do with them. Entries whose first relocation
 * lands in a copied range are kept. */
static const struct kx_table tables[] = {
	{ ".orc_unwind_ip", 4, ".orc_unwind", 6, false },
	{ ".return_sites", 4, NULL, 0, false },
	{ ".retpoline_sites", 4, NULL, 0, false },
	{ ".smp_locks", 4, NULL, 0, false },
	{ "__bug_table", 12, NULL, 0, false },
	{ "__ex_table", 12, NULL, 0, false },
	{ "__mcount_loc", 8, NULL, 0, false },
	{ ".static_call_sites", 8, NULL, 0, false },
	{ ".parainstructions", 16, NULL, 0, false },
	{ ".altinstructions", 12, NULL, 0, false },
	{ "__jump_table", 16, NULL, 0, true },
};

const struct kx_table *kx_table_of(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(tables); i++)
		if (streq(tables[i].name, name))
			return &tables[i];
	return NULL;
}

long kx_find_range(const struct kx *x, size_t sec, int64_t at, bool allow_end)
{
	for (size_t i = 0; i < x->n_ranges; i++) {
		const struct kx_range *g = &x->ranges[i];

		if (g->sec != sec || at < (int64_t)g->start)
			continue;
		if (at < (int64_t)g->end)
			return (long)i;
		if (allow_end && at == (int64_t)g->end && g->end == x->p->secs[sec].size)
			return (long)i;
	}
	return -1;
}

int kx_add_range(struct kx *x, size_t sec, uint64_t start, uint64_t end)
{
	struct kx_range *n;

	for (size_t i = 0; i < x->n_ranges; i++)
		if (x->ranges[i].sec == sec && x->ranges[i].start <= start && x->ranges[i].end >= end)
			return 0;
	n = reallocarray(x->ranges, x->n_ranges + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->ranges = n;
	n[x->n_ranges++] = (struct kx_range){ sec, start, end, 0 };
	x->grew = true;
	return 0;
}

/* Whether the entry of table section tab at offset entry belongs to copied code. */
bool kx_entry_kept(const struct kx *x, size_t tab, uint64_t entry)
{
	const struct kelf_sec *s = &x->p->secs[tab];
	size_t first, n;
	const struct kelf_rela *r;
	const struct kelf_sym *t;

	kd_relas_in(x->p, tab, entry, entry + 1, &first, &n);
	if (n == 0)
		return false;
	r = &x->p->secs[s->rela].relas[first];
	t = &x->p->syms[r->sym];
	if (t->shndx == SHN_UNDEF || t->shndx >= x->p->n_secs)
		return false;
	return kx_find_range(x, t->shndx, (int64_t)t->value + r->addend, true) >= 0;
}
