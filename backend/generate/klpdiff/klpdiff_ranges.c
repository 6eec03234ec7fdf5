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
	{ ".orc_unwind_ip", 4, ".orc_unwind", 6, KX_KEY_NONE, 0 },
	{ ".return_sites", 4, NULL, 0, KX_KEY_NONE, 0 },
	{ ".retpoline_sites", 4, NULL, 0, KX_KEY_NONE, 0 },
	{ ".smp_locks", 4, NULL, 0, KX_KEY_NONE, 0 },
	{ "__bug_table", 12, NULL, 0, KX_KEY_NONE, 0 },
	{ "__ex_table", 12, NULL, 0, KX_KEY_NONE, 0 },
	{ "__mcount_loc", 8, NULL, 0, KX_KEY_NONE, 0 },
	/* without its site entry a call goes through the key's trampoline, which
	 * static_call_update() keeps current: slower, still right */
	{ ".static_call_sites", 8, NULL, 0, KX_KEY_VMLINUX_OR_DROP, 4 },
	{ ".parainstructions", 16, NULL, 0, KX_KEY_NONE, 0 },
	{ ".altinstructions", 12, NULL, 0, KX_KEY_NONE, 0 },
	{ "__jump_table", 16, NULL, 0, KX_KEY_VMLINUX, 8 },
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

bool kx_sym_in_vmlinux(const struct kx *x, size_t sym)
{
	const struct kelf_sym *s = &x->p->syms[sym];
	const char *exporter;
	unsigned long pos;

	if (x->vmlinux)
		return true;
	if (s->shndx != SHN_UNDEF)
		return false;
	exporter = klp_symdb_exporter(x->db, s->name);
	if (exporter)
		return streq(exporter, "vmlinux");
	for (size_t m = 0; m < x->n_mods; m++)
		if (kelf_find_sym(x->mods[m], s->name))
			return false;
	return klp_symdb_sympos(x->db, s->name, NULL, &pos) != -ENOENT;
}

size_t kx_entry_key(const struct kx *x, size_t tab, uint64_t entry)
{
	const struct kx_table *t = kx_table_of(x->p->secs[tab].name);
	size_t first, n, sym;
	int64_t off;

	if (!t || t->key_rule == KX_KEY_NONE)
		return 0;
	kd_relas_in(x->p, tab, entry + t->key_off, entry + t->key_off + 1, &first, &n);
	if (n == 0)
		return 0;
	kd_resolve(x->p, tab, &x->p->secs[x->p->secs[tab].rela].relas[first], &sym, &off);
	return sym;
}

/* Whether the entry of table section tab at offset entry belongs to copied code (and, for
 * a table whose foreign keys are dropped, has a key of vmlinux). */
bool kx_entry_kept(const struct kx *x, size_t tab, uint64_t entry)
{
	const struct kelf_sec *s = &x->p->secs[tab];
	const struct kx_table *tb;
	size_t first, n, key;
	const struct kelf_rela *r;
	const struct kelf_sym *t;

	kd_relas_in(x->p, tab, entry, entry + 1, &first, &n);
	if (n == 0)
		return false;
	r = &x->p->secs[s->rela].relas[first];
	t = &x->p->syms[r->sym];
	if (t->shndx == SHN_UNDEF || t->shndx >= x->p->n_secs)
		return false;
	if (kx_find_range(x, t->shndx, (int64_t)t->value + r->addend, true) < 0)
		return false;
	tb = kx_table_of(s->name);
	if (tb && tb->key_rule == KX_KEY_VMLINUX_OR_DROP && (key = kx_entry_key(x, tab, entry)))
		return kx_sym_in_vmlinux(x, key);
	return true;
}
