// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpdiff_extract(): the functions of a comparison, out of the patched object, into a new
 * relocatable object.
 *
 * What is copied is a set of byte ranges of the patched object's sections: each function
 * (and its ".cold" part), then, until nothing new is reached, whatever their relocations
 * land in that must travel with them (merged strings, gcc-made constants such as
 * __func__.3, anonymous read-only tables, the replacement bytes of an alternative). Each
 * range becomes a section of its own, under its old name. Anything else a relocation
 * reaches is the running kernel's: it is referred to by name, through a plain undefined
 * symbol when exported, else through a KLPDIFF_REF_PREFIX symbol for klp_convert(). That
 * is how a patched function reading a static variable keeps using the kernel's copy.
 *
 * Table sections (ORC, return and retpoline sites, lock prefixes, bug and exception tables, mcount
 * locations, static calls, paravirt and alternative sites) are filtered entry by entry:
 * an entry stays when its first relocation lands in a copied range. The module loader
 * reads jump and static call entries before livepatch relocations of modules are applied,
 * so their keys must be vmlinux's (resolved early, even when not exported): a static call
 * site of a module's key is left out (the call goes through the trampoline), a jump label
 * of a module's key is -EXDEV, for the caller to rebuild with static branches as tests of
 * their key (klpdiff.h).
 */
#include "klpdiff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpdiff_extract_int.h"
#include "util.h"

static void ctx_free(struct kx *x)
{
	free(x->ranges);
	free(x->out_secsym);
	free(x->anchors);
	strset_free(&x->refs);
	kelf_free(x->out);
	kelf_free(x->p);
	kelf_free(x->o);
	for (size_t i = 0; i < x->n_mods; i++)
		kelf_free(x->mods[i]);
	free(x->mods);
}

static bool copied_data(const struct kx *x, const char *name)
{
	for (size_t i = 0; i < x->res->n_copied_data; i++)
		if (streq(x->res->copied_data[i], name))
			return true;
	return false;
}

/* A local variable a macro placed in a shared writable section (WARN_ONCE's flag in
 * .data.once, .data..once on later kernels, a dynamic debug descriptor in __dyndbg) that the
 * original object does not have under this name: new in the fix, or renumbered by it (__already_done.87,
 * __UNIQUE_ID_ddebug605.3). The per-variable sections the comparison checks do not hold
 * these; a fresh copy starts as the fixed kernel's would (a once-flag may fire once more). */
static bool macro_state(const struct kx *x, size_t sym)
{
	const struct kelf_sym *s = &x->p->syms[sym];
	const struct kelf_sec *sec = &x->p->secs[s->shndx];

	return s->type == STT_OBJECT && s->bind == STB_LOCAL && s->shndx != SHN_UNDEF &&
	       s->shndx < x->p->n_secs && (sec->sh.sh_flags & SHF_WRITE) &&
	       (streq(sec->name, ".data.once") || streq(sec->name, ".data..once") ||
		streq(sec->name, "__dyndbg")) &&
	       !kelf_find_sym(x->o, s->name);
}

/* Whether a target in section sec must be copied rather than referred to: strings, gcc's
 * constants, read-only bytes no symbol names, and read-only data the comparison found
 * changed and used by code alone. */
static bool travels(const struct kx *x, size_t sec, size_t sym)
{
	const struct kelf_sec *s = &x->p->secs[sec];

	if (kd_is_string_sec(s) || (s->sh.sh_flags & SHF_MERGE))
		return true;
	if (sym && x->p->syms[sym].type != STT_SECTION)
		return kd_ro_generated(x->p, sym) || copied_data(x, x->p->syms[sym].name) ||
		       macro_state(x, sym);
	return (s->sh.sh_flags & SHF_ALLOC) && !(s->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) &&
	       s->sh.sh_type != SHT_NOBITS;
}

/* Adds what relocation r of section src needs copied. */
static int reach(struct kx *x, size_t src, const struct kelf_rela *r)
{
	const struct kelf_sym *t = &x->p->syms[r->sym];
	size_t sym;
	int64_t off;

	if (t->shndx == SHN_UNDEF || t->shndx >= x->p->n_secs)
		return 0;
	kd_resolve(x->p, src, r, &sym, &off);
	if (x->p->syms[sym].type == STT_SECTION && kd_orphan_code(x->p, t->shndx)) {
		/* a piece of the function's own code, out of line: it travels, alone */
		int64_t at = kd_rela_target(x->p, src, r);

		if (at < 0 || (uint64_t)at >= x->p->secs[t->shndx].size)
			return 0;
		return kx_add_range(x, t->shndx, (uint64_t)at,
				    kd_piece_end(x->p, t->shndx, (uint64_t)at));
	}
	if (!travels(x, t->shndx, sym))
		return 0;
	if (x->p->syms[sym].type == STT_SECTION || kd_is_string_sec(&x->p->secs[t->shndx]) ||
	    (x->p->secs[t->shndx].sh.sh_flags & SHF_MERGE))
		return kx_add_range(x, t->shndx, 0, x->p->secs[t->shndx].size);
	return kx_add_range(x, t->shndx, x->p->syms[sym].value,
			    x->p->syms[sym].value + x->p->syms[sym].size);
}

static int find_func(const struct kelf *k, const char *name, size_t *ret)
{
	for (size_t i = 1; i < k->n_syms; i++)
		if (kd_is_func(k, i) && streq(k->syms[i].name, name)) {
			*ret = i;
			return 0;
		}
	return -ENOENT;
}

static int add_function_ranges(struct kx *x, const struct klpdiff_result *res)
{
	for (size_t i = 0; i < res->n_funcs; i++) {
		size_t f, cold;
		const struct kelf_sym *s;
		int r;

		if (find_func(x->p, res->funcs[i].name, &f) < 0) {
			kelf_seterr(x->err, x->errlen, "%s: function %s not found", x->p->path,
				    res->funcs[i].name);
			return -ENOENT;
		}
		s = &x->p->syms[f];
		r = kx_add_range(x, s->shndx, s->value, s->value + s->size);
		if (r == 0 && (cold = kd_cold_part(x->p, f)))
			r = kx_add_range(x, x->p->syms[cold].shndx, x->p->syms[cold].value,
					 x->p->syms[cold].value + x->p->syms[cold].size);
		if (r < 0)
			return r;
	}
	return 0;
}

/* An alternative's replacement: the bytes its entry points at, replacementlen long. */
static int reach_alternative(struct kx *x, size_t tab, uint64_t entry)
{
	const struct kelf_sec *s = &x->p->secs[tab];
	size_t first, n;

	if (!s->data || entry + x->alt_entsize > s->size)
		return 0;
	kd_relas_in(x->p, tab, entry + 4, entry + 8, &first, &n);
	if (n != 1)
		return 0;
	{
		const struct kelf_rela *r = &x->p->secs[s->rela].relas[first];
		const struct kelf_sym *t = &x->p->syms[r->sym];
		int64_t at = (int64_t)t->value + r->addend;
		uint8_t len = s->data[entry + x->alt_entsize - 1];   /* replacementlen */

		if (t->shndx == SHN_UNDEF || t->shndx >= x->p->n_secs || at < 0)
			return 0;
		return kx_add_range(x, t->shndx, (uint64_t)at, (uint64_t)at + len);
	}
}

/* Grows the ranges until everything copied has what it needs. */
static int close_ranges(struct kx *x)
{
	do {
		x->grew = false;
		for (size_t i = 0; i < x->n_ranges; i++) {
			const struct kx_range g = x->ranges[i];
			size_t first, n;

			kd_relas_in(x->p, g.sec, g.start, g.end, &first, &n);
			for (size_t j = first; j < first + n; j++) {
				int r = reach(x, g.sec,
					      &x->p->secs[x->p->secs[g.sec].rela].relas[j]);

				if (r < 0)
					return r;
			}
		}
		for (size_t i = 1; i < x->p->n_secs; i++) {
			const struct kx_table *t = kx_table_of(x->p->secs[i].name);
			const struct kelf_sec *s = &x->p->secs[i];

			if (!t || !s->rela)
				continue;
			for (uint64_t e = 0; e + kx_entsize(x, t) <= s->size; e += kx_entsize(x, t)) {
				size_t first, n;
				int r = 0;

				if (!kx_entry_kept(x, i, e))
					continue;
				if (t->key_rule == KX_KEY_VMLINUX) {
					size_t key = kx_entry_key(x, i, e);

					if (key && !kx_sym_in_vmlinux(x, key)) {
						kelf_seterr(x->err, x->errlen, "%s: a patched function "
							    "uses static key '%s' of module %s (jump "
							    "label, %s)", x->p->path,
							    x->p->syms[key].name, x->objname, t->name);
						return -EXDEV;
					}
				}
				if (streq(t->name, ".altinstructions"))
					r = reach_alternative(x, i, e);
				kd_relas_in(x->p, i, e, e + kx_entsize(x, t), &first, &n);
				for (size_t j = first; j < first + n && r == 0; j++)
					r = reach(x, i, &x->p->secs[s->rela].relas[j]);
				if (r < 0)
					return r;
			}
		}
	} while (x->grew);
	return 0;
}

static int load_inputs(struct kx *x, const char *patched_o, const char *orig_o,
		       const char *const *module_objs)
{
	int r = kelf_open(patched_o, &x->p, x->err, x->errlen);
	size_t n = 0;

	if (r == 0)
		r = kelf_open(orig_o, &x->o, x->err, x->errlen);
	if (r < 0)
		return r;
	for (size_t i = 0; module_objs && module_objs[i]; i++)
		n++;
	x->mods = calloc(n + 1, sizeof(*x->mods));
	if (!x->mods)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = kelf_open(module_objs[i], &x->mods[i], x->err, x->errlen);
		if (r < 0)
			return r;
		x->n_mods++;
	}
	/* anchors: the original object's unique global symbols */
	x->anchors = calloc(x->o->n_syms + 1, sizeof(*x->anchors));
	if (!x->anchors)
		return -ENOMEM;
	for (size_t i = 1, k = 0; i < x->o->n_syms; i++) {
		const struct kelf_sym *s = &x->o->syms[i];

		if (s->bind != STB_LOCAL && s->shndx != SHN_UNDEF &&
		    (s->type == STT_FUNC || s->type == STT_OBJECT))
			x->anchors[k++] = s->name;
	}
	return 0;
}

int klpdiff_extract(const char *patched_o, const char *orig_o, const struct klpdiff_result *res,
		    const struct klp_symdb *db, const char *objname,
		    const char *const *module_objs, const char *out_o, char *err, size_t errlen)
{
	struct kx x = { .db = db, .res = res, .objname = objname, .err = err, .errlen = errlen };
	int r;

	if (!res || !objname || !*objname || strchr(objname, '.') || !db) {
		kelf_seterr(err, errlen, "klpdiff_extract: missing result, symbols or object name");
		return -EINVAL;
	}
	if (res->n_refusals) {
		kelf_seterr(err, errlen, "%s: the comparison refused %s: %s", patched_o,
			    res->refusals[0].symbol, res->refusals[0].reason);
		return -EINVAL;
	}
	if (res->n_funcs == 0) {
		kelf_seterr(err, errlen, "%s: no function to extract", patched_o);
		return -ENODATA;
	}
	x.vmlinux = streq(objname, "vmlinux");
	r = load_inputs(&x, patched_o, orig_o, module_objs);
	if (r == 0)
		r = kx_alt_layout(&x);
	if (r == 0)
		r = add_function_ranges(&x, res);
	if (r == 0)
		r = close_ranges(&x);
	if (r == 0)
		r = kx_build(&x, res);
	if (r == 0)
		r = kelf_write(x.out, out_o, err, errlen);
	if (r == -ENOMEM)
		kelf_seterr(err, errlen, "%s: out of memory", out_o);
	ctx_free(&x);
	return r;
}
