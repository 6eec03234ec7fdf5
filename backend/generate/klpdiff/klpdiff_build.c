// SPDX-License-Identifier: GPL-2.0-only
/*
 * The extractor's second half: the new object from the chosen ranges. Symbols are laid
 * out as ELF wants them, locals first: section symbols, the ".cold" parts, then the
 * functions (global, so the module's C code can name them in its klp_func table), then
 * the undefined symbols relocations need, created as they are met.
 *
 * Naming a symbol of the running kernel (why each case is what it is):
 * - defined in the patched object and global and exported: plain; modpost resolves it;
 * - defined there otherwise (static, or global but not exported): KLPDIFF_REF_PREFIX
 *   "OBJ.NAME.POS", POS from System.map for vmlinux (the copy nearest the object's own
 *   globals), from the module's .ko for a module when the generator has it (the same way),
 *   else 0;
 * - undefined there: plain when exported by vmlinux, a reference into the exporting module
 *   applied with the patched module's relocations when another module exports it, else a
 *   reference into vmlinux (or into the module, when another of its objects defines it);
 *   plain when another object of the patch carries it as a copy (res->provided).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpdiff_extract_int.h"
#include "util.h"

/* The symbol of out that refers to name under refname, created on first use. */
static int undefined_sym(struct kx *x, const char *refname, size_t *ret)
{
	struct strset_entry *e;
	int added = strset_put(&x->refs, refname, strlen(refname), &e);
	struct kelf_sym s = { .name = (char *)refname, .bind = STB_GLOBAL, .type = STT_NOTYPE,
			      .shndx = SHN_UNDEF };
	long idx;

	if (added < 0)
		return added;
	if (!added) {
		*ret = (uintptr_t)e->value - 1;
		return 0;
	}
	idx = kelf_add_sym(x->out, &s);
	if (idx < 0)
		return (int)idx;
	e->value = (void *)(uintptr_t)(idx + 1);
	*ret = (size_t)idx;
	return 0;
}

/* How many of the module's objects define name (locals and globals alike). */
static size_t module_copies(const struct kx *x, const char *name, bool *global)
{
	size_t n = 0;

	*global = false;
	for (size_t m = 0; m <= x->n_mods; m++) {
		const struct kelf *k = m == 0 ? x->o : x->mods[m - 1];

		for (size_t i = 1; i < k->n_syms; i++) {
			const struct kelf_sym *s = &k->syms[i];

			if (s->shndx == SHN_UNDEF || s->type == STT_SECTION || s->type == STT_FILE ||
			    !streq(s->name, name))
				continue;
			n++;
			*global |= s->bind != STB_LOCAL;
		}
	}
	return n;
}

static int klp_ref(struct kx *x, const char *obj, const char *name, unsigned long pos,
		   size_t *ret)
{
	_cleanup_free_ char *ref = NULL;

	if (asprintf(&ref, KLPDIFF_REF_PREFIX "%s.%s.%lu", obj, name, pos) < 0)
		return -ENOMEM;
	return undefined_sym(x, ref, ret);
}

/* name in module symobj, through a relocation applied with this object's (OBJ:SYMOBJ). */
static int klp_cross_ref(struct kx *x, const char *symobj, const char *name, size_t *ret)
{
	_cleanup_free_ char *ref = NULL;

	if (asprintf(&ref, KLPDIFF_REF_PREFIX "%s:%s.%s.0", x->objname, symobj, name) < 0)
		return -ENOMEM;
	return undefined_sym(x, ref, ret);
}

static int vmlinux_ref(struct kx *x, const char *name, size_t *ret)
{
	unsigned long pos;
	int r = klp_symdb_sympos(x->db, name, x->vmlinux ? x->anchors : NULL, &pos);

	if (r == -ENOENT)
		kelf_seterr(x->err, x->errlen, "%s: symbol '%s' is neither exported nor in "
			    "System.map", x->p->path, name);
	else if (r == -ENOTUNIQ)
		kelf_seterr(x->err, x->errlen, "%s: symbol '%s' has several copies in System.map "
			    "and the object's own symbols cannot tell which is its", x->p->path,
			    name);
	if (r < 0)
		return r;
	return klp_ref(x, "vmlinux", name, pos, ret);
}

/* name in the patched module, at its position among the module's symbols of that name when
 * they are known: the copy nearest the object's own symbols (own), else the only one. */
static int module_ref(struct kx *x, const char *name, bool own, size_t *ret)
{
	const struct klp_symdb *m = klp_symdb_module(x->db, x->objname);
	unsigned long pos = 0;
	int r = m ? klp_symdb_sympos(m, name, own ? x->anchors : NULL, &pos) : 0;

	if (r == -ENOTUNIQ) {
		kelf_seterr(x->err, x->errlen, "%s: '%s' has several copies in module %s and %s",
			    x->p->path, name, x->objname, own ? "the object's own symbols cannot "
			    "tell which is its" : "another of its objects defines it: which one is "
			    "not known");
		return -ENOTSUP;
	}
	/* absent (r == -ENOENT): not a symbol the kernel keeps; the relocation will say so */
	return klp_ref(x, x->objname, name, r < 0 ? 0 : pos, ret);
}

/* The out symbol standing for the patched object's symbol sym (not copied). */
static int name_ref(struct kx *x, size_t sym, bool early, size_t *ret)
{
	const struct kelf_sym *s = &x->p->syms[sym];
	bool defined = s->shndx != SHN_UNDEF;
	bool exported = klp_symdb_exported(x->db, s->name);
	bool global;
	size_t copies;

	if (defined && !kelf_find_sym(x->o, s->name)) {
		kelf_seterr(x->err, x->errlen, "%s: '%s' is not in the original object: a patched "
			    "function refers to something new that is not copied", x->p->path,
			    s->name);
		return -ENOENT;
	}
	/* a copy another object of this patch defines (a module's untraceable global): the
	 * link binds the reference to it */
	for (size_t i = 0; !defined && i < x->res->n_provided; i++)
		if (streq(x->res->provided[i], s->name))
			return undefined_sym(x, s->name, ret);
	if (x->vmlinux) {
		if (defined && s->bind != STB_LOCAL && exported)
			return undefined_sym(x, s->name, ret);
		if (!defined && exported)
			return undefined_sym(x, s->name, ret);
		return vmlinux_ref(x, s->name, ret);
	}
	/* exported by the patched module itself: the livepatch must not depend on that module
	 * being loaded, so this too is a livepatch relocation, resolved when it loads */
	const char *exporter = klp_symdb_exporter(x->db, s->name);

	if (exporter && streq(exporter, x->objname))
		return klp_ref(x, x->objname, s->name, 0, ret);
	copies = module_copies(x, s->name, &global);
	if (copies == 0) {
		unsigned long pos;

		if (exporter && streq(exporter, "vmlinux"))
			return undefined_sym(x, s->name, ret);
		if (exporter) {
			/* another module's export: a plain reference would make the livepatch
			 * depend on that module, loaded or pulled in on nodes without the patched
			 * one. The patched module needs it, so it is loaded whenever the patched
			 * one is: a relocation applied with the patched module's, naming the
			 * exporter (the core resolves .klp.sym.OBJ in any loaded object). */
			if (early) {
				kelf_seterr(x->err, x->errlen, "%s: static call or key '%s' of module "
					    "%s, used by a jump or static call table", x->p->path,
					    s->name, exporter);
				return -ENOTSUP;
			}
			return klp_cross_ref(x, exporter, s->name, ret);
		}
		if (klp_symdb_sympos(x->db, s->name, NULL, &pos) != -ENOENT)
			/* a module's livepatch relocations may not name vmlinux, but vmlinux's
			 * own are applied as the livepatch loads, whatever the patched object */
			return vmlinux_ref(x, s->name, ret);
		/* defined, not exported, in another object of the same module */
		return module_ref(x, s->name, false, ret);
	}
	if (global && exported && (defined ? s->bind != STB_LOCAL : true))
		return undefined_sym(x, s->name, ret);
	if (copies > 1) {
		kelf_seterr(x->err, x->errlen, "%s: '%s' is defined %zu times in module %s: its "
			    "position is not supported yet", x->p->path, s->name, copies,
			    x->objname);
		return -ENOTUNIQ;
	}
	if (early) {
		kelf_seterr(x->err, x->errlen, "%s: static call or key '%s' of module %s is not "
			    "exported: not supported yet", x->p->path, s->name, x->objname);
		return -ENOTSUP;
	}
	return module_ref(x, s->name, true, ret);
}

/* Copies relocation r of section src into out section rela (already created) at off. */
static int emit_rela(struct kx *x, size_t src, const struct kelf_rela *r, size_t rela,
		     uint64_t off, bool early)
{
	const struct kelf_sym *t = &x->p->syms[r->sym];
	bool code = (x->p->secs[src].sh.sh_flags & SHF_EXECINSTR) && kelf_is_pcrel(r->type);
	struct kelf_rela n = { off, r->type, 0, r->addend };
	int res;

	if (t->shndx != SHN_UNDEF && t->shndx < x->p->n_secs) {
		int64_t at = (int64_t)t->value + r->addend;
		long g = kx_find_range(x, t->shndx, at + (code ? 4 : 0), !code);
		size_t sym;
		int64_t soff;

		/* as kd_resolve() reads a PC-relative operand, then the addend's own place */
		for (size_t i = 1; g < 0 && code && i <= KD_PCREL_TAILS; i++)
			g = kx_find_range(x, t->shndx, at + (i < KD_PCREL_TAILS ? kd_pcrel_tails[i] : 0),
					  false);
		if (g >= 0) {
			n.sym = (uint32_t)x->out_secsym[x->ranges[g].out];
			n.addend = at - (int64_t)x->ranges[g].start;
			return kelf_add_rela(&x->out->secs[rela], &n);
		}
		kd_resolve(x->p, src, r, &sym, &soff);
		if (x->p->syms[sym].type == STT_SECTION) {
			kelf_seterr(x->err, x->errlen, "%s: %s+0x%llx refers to %s%+lld, which no "
				    "symbol names", x->p->path, x->p->secs[src].name,
				    (unsigned long long)r->offset, x->p->secs[t->shndx].name,
				    (long long)r->addend);
			return -ENOENT;
		}
		res = name_ref(x, sym, early, &sym);
		n.sym = (uint32_t)sym;
		n.addend = soff;
	} else {
		size_t sym;

		res = name_ref(x, r->sym, early, &sym);
		n.sym = (uint32_t)sym;
	}
	if (res < 0)
		return res;
	return kelf_add_rela(&x->out->secs[rela], &n);
}

static long add_rela_sec(struct kx *x, size_t target)
{
	_cleanup_free_ char *name = NULL;
	GElf_Shdr sh = { .sh_type = SHT_RELA, .sh_flags = SHF_INFO_LINK, .sh_addralign = 8,
			 .sh_entsize = sizeof(Elf64_Rela) };

	if (asprintf(&name, ".rela%s", x->out->secs[target].name) < 0)
		return -ENOMEM;
	sh.sh_link = (Elf64_Word)x->out->symtab;
	sh.sh_info = (Elf64_Word)target;
	return kelf_add_sec(x->out, name, &sh, NULL, 0);
}

static GElf_Shdr out_shdr(const struct kelf_sec *s)
{
	GElf_Shdr sh = s->sh;

	sh.sh_flags &= ~(GElf_Xword)SHF_GROUP;
	sh.sh_link = 0;
	sh.sh_info = 0;
	sh.sh_addr = 0;
	return sh;
}

static int add_range_secs(struct kx *x)
{
	for (size_t i = 0; i < x->n_ranges; i++) {
		struct kx_range *g = &x->ranges[i];
		const struct kelf_sec *s = &x->p->secs[g->sec];
		GElf_Shdr sh = out_shdr(s);
		long idx = kelf_add_sec(x->out, s->name, &sh, s->data ? s->data + g->start : NULL,
					g->end - g->start);

		if (idx < 0)
			return (int)idx;
		g->out = (size_t)idx;
	}
	return 0;
}

/* Table sections: the kept entries, then their relocations once symbols exist. */
static int add_table_secs(struct kx *x, size_t *out_of)
{
	for (size_t i = 1; i < x->p->n_secs; i++) {
		const struct kx_table *t = kx_table_of(x->p->secs[i].name);
		const struct kelf_sec *s = &x->p->secs[i];
		long par = -1, idx, pidx;
		size_t kept = 0, es;
		GElf_Shdr sh;

		if (!t || !s->rela || !s->data)
			continue;
		es = kx_entsize(x, t);
		for (uint64_t e = 0; e + es <= s->size; e += es)
			kept += kx_entry_kept(x, i, e);
		if (!kept)
			continue;
		sh = out_shdr(s);
		if ((idx = kelf_add_sec(x->out, s->name, &sh, NULL, 0)) < 0)
			return (int)idx;
		out_of[i] = (size_t)idx;
		if (t->parallel && (par = kelf_find_sec(x->p, t->parallel)) > 0) {
			sh = out_shdr(&x->p->secs[par]);
			if ((pidx = kelf_add_sec(x->out, t->parallel, &sh, NULL, 0)) < 0)
				return (int)pidx;
			out_of[par] = (size_t)pidx;
		}
		for (uint64_t e = 0, k = 0; e + es <= s->size; e += es, k++) {
			struct kelf_sec *o;
			unsigned char *d;

			if (!kx_entry_kept(x, i, e))
				continue;
			o = &x->out->secs[idx];
			if (!(d = realloc(o->data, o->size + es)))
				return -ENOMEM;
			memcpy(d + o->size, s->data + e, es);
			o->data = d;
			o->size += es;
			if (par <= 0)
				continue;
			if ((k + 1) * t->parallel_entsize > x->p->secs[par].size ||
			    !x->p->secs[par].data) {
				kelf_seterr(x->err, x->errlen, "%s: %s is shorter than %s", x->p->path,
					    t->parallel, t->name);
				return -EBADMSG;
			}
			o = &x->out->secs[out_of[par]];
			if (!(d = realloc(o->data, o->size + t->parallel_entsize)))
				return -ENOMEM;
			memcpy(d + o->size, x->p->secs[par].data + k * t->parallel_entsize,
			       t->parallel_entsize);
			o->data = d;
			o->size += t->parallel_entsize;
		}
	}
	return 0;
}

static int add_symbols(struct kx *x, const struct klpdiff_result *res)
{
	size_t n = x->out->n_secs;

	x->out_secsym = calloc(n, sizeof(*x->out_secsym));
	if (!x->out_secsym)
		return -ENOMEM;
	for (size_t i = 1; i < n; i++) {
		struct kelf_sym s = { .name = (char *)"", .bind = STB_LOCAL, .type = STT_SECTION,
				      .shndx = (uint16_t)i };
		long idx;

		if (x->out->secs[i].sh.sh_type != SHT_PROGBITS &&
		    x->out->secs[i].sh.sh_type != SHT_NOBITS)
			continue;
		if ((idx = kelf_add_sym(x->out, &s)) < 0)
			return (int)idx;
		x->out_secsym[i] = (size_t)idx;
	}
	/* locals (the .cold parts) before globals (the functions) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < res->n_funcs; i++) {
			size_t f = kelf_find_sym(x->p, res->funcs[i].name);
			size_t sym = pass == 0 ? kd_cold_part(x->p, f) : f;
			struct kelf_sym s;
			long g, idx;

			if (!sym)
				continue;
			s = x->p->syms[sym];
			g = kx_find_range(x, s.shndx, (int64_t)s.value, false);
			if (g < 0)
				return -ENOENT;
			s.bind = pass == 0 ? STB_LOCAL : STB_GLOBAL;
			s.other = STV_DEFAULT;
			s.shndx = (uint16_t)x->ranges[g].out;
			s.value -= x->ranges[g].start;
			if ((idx = kelf_add_sym(x->out, &s)) < 0)
				return (int)idx;
		}
	}
	return 0;
}

static int add_range_relas(struct kx *x)
{
	for (size_t i = 0; i < x->n_ranges; i++) {
		const struct kx_range g = x->ranges[i];
		size_t first, n;
		long rela;

		kd_relas_in(x->p, g.sec, g.start, g.end, &first, &n);
		if (!n)
			continue;
		if ((rela = add_rela_sec(x, g.out)) < 0)
			return (int)rela;
		for (size_t j = first; j < first + n; j++) {
			const struct kelf_rela *r = &x->p->secs[x->p->secs[g.sec].rela].relas[j];
			int res = emit_rela(x, g.sec, r, (size_t)rela, r->offset - g.start, false);

			if (res < 0)
				return res;
		}
	}
	return 0;
}

static int add_table_relas(struct kx *x, const size_t *out_of)
{
	for (size_t i = 1; i < x->p->n_secs; i++) {
		const struct kx_table *t = kx_table_of(x->p->secs[i].name);
		const struct kelf_sec *s = &x->p->secs[i];
		bool early = streq(s->name, ".static_call_sites");
		uint64_t out_e = 0;
		long rela;
		size_t es;

		if (!t || !out_of[i])
			continue;
		es = kx_entsize(x, t);
		if ((rela = add_rela_sec(x, out_of[i])) < 0)
			return (int)rela;
		for (uint64_t e = 0; e + es <= s->size; e += es) {
			size_t first, n;

			if (!kx_entry_kept(x, i, e))
				continue;
			kd_relas_in(x->p, i, e, e + es, &first, &n);
			for (size_t j = first; j < first + n; j++) {
				const struct kelf_rela *r = &x->p->secs[s->rela].relas[j];
				int res = emit_rela(x, i, r, (size_t)rela, out_e + r->offset - e,
						    early);

				if (res < 0)
					return res;
			}
			out_e += es;
		}
	}
	return 0;
}

int kx_build(struct kx *x, const struct klpdiff_result *res)
{
	_cleanup_free_ size_t *out_of = calloc(x->p->n_secs, sizeof(size_t));
	GElf_Shdr note = { .sh_type = SHT_PROGBITS, .sh_addralign = 1 };
	int r;

	if (!out_of)
		return -ENOMEM;
	r = kelf_new(&x->out);
	if (r == 0)
		r = add_range_secs(x);
	if (r == 0)
		r = add_table_secs(x, out_of);
	/* no executable stack wanted by this object */
	if (r == 0 && kelf_add_sec(x->out, ".note.GNU-stack", &note, NULL, 0) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = add_symbols(x, res);
	if (r == 0)
		r = add_range_relas(x);
	if (r == 0)
		r = add_table_relas(x, out_of);
	return r;
}
