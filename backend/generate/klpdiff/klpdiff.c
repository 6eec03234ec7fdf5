// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpdiff_compare(): which functions of the patched object differ from the original, and
 * what in the difference a livepatch cannot carry.
 *
 * A function is compared by its own bytes and by its relocations, each relocation by
 * offset, type, addend and the build-independent name of its target (kd_target_key), so
 * that renumbered string and constant sections, and calls to other changed functions, do
 * not count as changes. Metadata sections (__bug_table and the like) are not compared at
 * all: what they hold that matters (a WARN's line number) is not code, and an entry of a
 * function that changed travels with it anyway.
 */
#include "klpdiff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpdiff_int.h"
#include "util.h"

#define KEY_LEN 512

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void klpdiff_result_free(struct klpdiff_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_funcs; i++)
		free(r->funcs[i].name);
	for (size_t i = 0; i < r->n_refusals; i++) {
		free(r->refusals[i].symbol);
		free(r->refusals[i].reason);
	}
	free_names(r->copied_data, r->n_copied_data);
	free_names(r->module_wide, r->n_module_wide);
	free_names(r->provided, r->n_provided);
	free(r->funcs);
	free(r->refusals);
	*r = (struct klpdiff_result){ 0 };
}

static int add_func(struct klpdiff_result *r, const struct kelf_sym *s, enum klpdiff_change c)
{
	struct klpdiff_func *n = reallocarray(r->funcs, r->n_funcs + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->funcs = n;
	n[r->n_funcs] = (struct klpdiff_func){ strdup(s->name), c, s->bind == STB_LOCAL, s->size };
	if (!n[r->n_funcs].name)
		return -ENOMEM;
	r->n_funcs++;
	return 0;
}

static int refuse(struct klpdiff_result *r, const char *symbol, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct klpdiff_result *r, const char *symbol, const char *fmt, ...)
{
	struct klpdiff_refusal *n;
	va_list ap;
	char *reason;

	for (size_t i = 0; i < r->n_refusals; i++)
		if (streq(r->refusals[i].symbol, symbol))
			return 0; /* one reason per symbol is enough */
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0) {
		va_end(ap);
		return -ENOMEM;
	}
	va_end(ap);
	n = reallocarray(r->refusals, r->n_refusals + 1, sizeof(*n));
	if (!n) {
		free(reason);
		return -ENOMEM;
	}
	r->refusals = n;
	n[r->n_refusals] = (struct klpdiff_refusal){ strdup(symbol), reason };
	if (!n[r->n_refusals].symbol) {
		free(reason);
		return -ENOMEM;
	}
	r->n_refusals++;
	return 0;
}

/* Compares [a_start, a_start+len) of a's section as with b's, relocations included. */
static bool range_equal(const struct kelf *a, size_t as, uint64_t a_start, const struct kelf *b,
			size_t bs, uint64_t b_start, uint64_t len)
{
	const struct kelf_sec *x = &a->secs[as], *y = &b->secs[bs];
	size_t xf, xn, yf, yn;
	char kx[KEY_LEN], ky[KEY_LEN];

	if ((x->sh.sh_type == SHT_NOBITS) != (y->sh.sh_type == SHT_NOBITS))
		return false;
	if (x->sh.sh_type != SHT_NOBITS) {
		if (a_start + len > x->size || b_start + len > y->size)
			return false;
		if (len && (!x->data || !y->data ||
			    memcmp(x->data + a_start, y->data + b_start, len) != 0))
			return false;
	}
	kd_relas_in(a, as, a_start, a_start + len, &xf, &xn);
	kd_relas_in(b, bs, b_start, b_start + len, &yf, &yn);
	if (xn != yn)
		return false;
	for (size_t i = 0; i < xn; i++) {
		const struct kelf_rela *rx = &a->secs[x->rela].relas[xf + i];
		const struct kelf_rela *ry = &b->secs[y->rela].relas[yf + i];

		if (rx->offset - a_start != ry->offset - b_start || rx->type != ry->type)
			return false;
		kd_target_key(a, as, rx, kx, sizeof(kx));
		kd_target_key(b, bs, ry, ky, sizeof(ky));
		if (!streq(kx, ky))
			return false;
	}
	return true;
}

static bool func_equal(const struct kelf *o, size_t of, const struct kelf *p, size_t pf)
{
	const struct kelf_sym *x = &o->syms[of], *y = &p->syms[pf];
	size_t oc, pc;

	if (x->size != y->size ||
	    !range_equal(o, x->shndx, x->value, p, y->shndx, y->value, x->size))
		return false;
	/* the split-off cold part is part of the function */
	oc = kd_cold_part(o, of);
	pc = kd_cold_part(p, pf);
	if (!oc || !pc)
		return !oc && !pc;
	return o->syms[oc].size == p->syms[pc].size &&
	       range_equal(o, o->syms[oc].shndx, o->syms[oc].value, p, p->syms[pc].shndx,
			   p->syms[pc].value, o->syms[oc].size);
}

static size_t find_func(const struct kelf *k, const char *name)
{
	for (size_t i = 1; i < k->n_syms; i++)
		if (kd_is_func(k, i) && streq(k->syms[i].name, name))
			return i;
	return 0;
}

static struct klpdiff_func *in_result(struct klpdiff_result *res, const char *name)
{
	for (size_t i = 0; i < res->n_funcs; i++)
		if (streq(res->funcs[i].name, name))
			return &res->funcs[i];
	return NULL;
}

/* The function of p whose code holds offset off of section sec, 0 when none. */
static size_t func_at(const struct kelf *p, size_t sec, uint64_t off)
{
	for (size_t i = 1; i < p->n_syms; i++)
		if (kd_is_func(p, i) && p->syms[i].shndx == sec && p->syms[i].value <= off &&
		    off < p->syms[i].value + p->syms[i].size)
			return i;
	return 0;
}

#define CARRY_DEPTH 8

/* Whether relocation r of code section s is the operand of a direct call or jump (e8, e9,
 * 0f 8x): anything else takes the function's address, which may be stored at run time. */
static bool call_site(const struct kelf_sec *s, const struct kelf_rela *r)
{
	const unsigned char *d = s->data;

	if (!d || !kelf_is_pcrel(r->type) || r->offset < 1 || r->offset > s->size)
		return false;
	if (d[r->offset - 1] == 0xe8 || d[r->offset - 1] == 0xe9)
		return true;
	return r->offset >= 2 && d[r->offset - 2] == 0x0f && (d[r->offset - 1] & 0xf0) == 0x80;
}

static int carry_untraceable(const struct kelf *o, const struct kelf *p, size_t f,
			     struct klpdiff_result *res, unsigned depth);

/* Function f of p must run a new copy: something it uses changed. Nothing to do when the
 * patch already has it or it is new (it uses the new things anyway); depth counts the
 * untraceable functions carried on the way. */
static int patch_user(const struct kelf *o, const struct kelf *p, size_t f,
		      struct klpdiff_result *res, unsigned depth)
{
	if (in_result(res, p->syms[f].name) || !find_func(o, p->syms[f].name))
		return 0;
	if (kd_has_fentry(p, f))
		return add_func(res, &p->syms[f], KLPDIFF_CHANGED);
	return carry_untraceable(o, p, f, res, depth);
}

static int note_name(char ***v, size_t *n, const char *name)
{
	char **g;

	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i], name))
			return 0;
	g = reallocarray(*v, *n + 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	*v = g;
	if (!(g[*n] = strdup(name)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Every function of p reaching symbol target (name) is patched to reach the copy instead:
 * CHANGED when traceable, carried too when not. Refused when data holds the address or code
 * takes it (where it is stored at run time, the old one stays reachable). */
static int patch_callers(const struct kelf *o, const struct kelf *p, size_t target,
			 const char *name, struct klpdiff_result *res, unsigned depth)
{
	for (size_t sec = 1; sec < p->n_secs; sec++) {
		const struct kelf_sec *s = &p->secs[sec];

		if (!s->rela || !(s->sh.sh_flags & SHF_ALLOC))
			continue;
		for (size_t j = 0; j < p->secs[s->rela].n_relas; j++) {
			const struct kelf_rela *r = &p->secs[s->rela].relas[j];
			size_t sym, caller;
			int64_t off;
			int k = 0;

			kd_resolve(p, sec, r, &sym, &off);
			if (sym != target)
				continue;
			if (kd_is_data_sec(s))
				return refuse(res, name, "function '%s' cannot be traced and its "
					      "address is stored in %s: the old one stays reachable",
					      name, s->name);
			if (!(s->sh.sh_flags & SHF_EXECINSTR))
				continue; /* tables of its own code: __mcount_loc, ORC... */
			caller = func_at(p, sec, r->offset);
			if (!caller || caller == target)
				continue;
			if (!call_site(s, r))
				return refuse(res, name, "function '%s' cannot be traced and %s takes "
					      "its address: where it is stored at run time, the old "
					      "one stays reachable", name, p->syms[caller].name);
			if (kd_is_cold_part(p->syms[caller].name) ||
			    kd_is_init_sec(p->secs[p->syms[caller].shndx].name))
				continue; /* travels with its function; __init code already ran */
			k = patch_user(o, p, caller, res, depth + 1);
			if (k < 0)
				return k;
		}
	}
	return 0;
}

/* The object exports name (EXPORT_SYMBOL: __ksymtab_NAME on 6.1, __export_symbol_NAME on
 * later kernels): other modules may call it. */
static bool exports(const struct kelf *p, const char *name)
{
	char buf[KEY_LEN];

	snprintf(buf, sizeof(buf), "__ksymtab_%s", name);
	if (kelf_find_sym(p, buf))
		return true;
	snprintf(buf, sizeof(buf), "__export_symbol_%s", name);
	return kelf_find_sym(p, buf);
}

/* Function f of p changed and cannot be traced: ftrace cannot redirect it, but its callers
 * can be. A copy travels in the patch and every function referring to it is patched to use
 * the copy (recursively when that one cannot be traced either). Refused when something else
 * may reach the old one: a global of vmlinux or an exported one (callers anywhere), its
 * address in data. A module's other global is carried, its callers in the module's other
 * objects left to klpdiff_module_callers(). */
static int carry_untraceable(const struct kelf *o, const struct kelf *p, size_t f,
			     struct klpdiff_result *res, unsigned depth)
{
	const char *name = p->syms[f].name;
	struct klpdiff_func *have = in_result(res, name);
	bool global = p->syms[f].bind != STB_LOCAL;

	if (have) {
		have->change = KLPDIFF_COPIED;
		return 0;
	}
	if (global && (!res->in_module || exports(p, name)))
		return refuse(res, name, "function '%s' changed but has no __fentry__ call, so "
			      "ftrace cannot redirect it, and it is %s: callers elsewhere would "
			      "keep the old one", name, res->in_module ? "exported" : "global");
	if (depth >= CARRY_DEPTH)
		return refuse(res, name, "function '%s' cannot be traced, nor can its callers "
			      "%u levels up", name, depth);
	if (add_func(res, &p->syms[f], KLPDIFF_COPIED) < 0 ||
	    (global && note_name(&res->module_wide, &res->n_module_wide, name) < 0))
		return -ENOMEM;
	return patch_callers(o, p, f, name, res, depth);
}

static int compare_funcs(const struct kelf *o, const struct kelf *p, struct klpdiff_result *res,
			 bool *touched)
{
	for (size_t i = 1; i < p->n_syms; i++) {
		const struct kelf_sym *s = &p->syms[i];
		const char *sec;
		size_t of;
		int r = 0;

		if (!kd_is_func(p, i) || kd_is_cold_part(s->name) || find_func(p, s->name) != i)
			continue;
		sec = p->secs[s->shndx].name;
		of = find_func(o, s->name);
		if (of && func_equal(o, of, p, i))
			continue;
		touched[s->shndx] = true;
		if (kd_cold_part(p, i))
			touched[p->syms[kd_cold_part(p, i)].shndx] = true;
		if (kd_is_init_sec(sec))
			r = refuse(res, s->name, "%s __init function '%s' (in %s): __init code "
				   "already ran", of ? "changed" : "new", s->name, sec);
		else if (of && !kd_has_fentry(p, i))
			r = carry_untraceable(o, p, i, res, 0);
		else if (!in_result(res, s->name))
			r = add_func(res, s, of ? KLPDIFF_CHANGED : KLPDIFF_NEW);
		if (r < 0)
			return r;
	}
	return 0;
}


/* The function whose code holds offset off of section sec, its ".cold" part counted as the
 * function itself; 0 when none. */
static size_t owner_at(const struct kelf *k, size_t sec, uint64_t off)
{
	size_t f = func_at(k, sec, off);
	char name[KEY_LEN];

	if (!f || !kd_is_cold_part(k->syms[f].name))
		return f;
	snprintf(name, sizeof(name), "%s", k->syms[f].name);
	*strstr(name, ".cold") = '\0';
	return find_func(k, name);
}

/* A way into a section without function symbols: from a function's code (a jump to
 * static_cpu_has()'s slow path in .altinstr_aux) or from an .altinstructions entry (its
 * replacement in .altinstr_replacement), with the function it belongs to. */
struct orphan_ref {
	size_t owner;       /* function symbol, 0 when the way in belongs to none */
	uint64_t at;        /* offset in the owner of the jump or of the alternative's site */
	bool alt;           /* through an .altinstructions entry */
	uint64_t target;    /* offset in the section */
};

static int orphan_refs(const struct kelf *k, size_t sec, struct orphan_ref **ret, size_t *n)
{
	struct orphan_ref *v = NULL;
	size_t len = 0;

	for (size_t src = 1; src < k->n_secs; src++) {
		const struct kelf_sec *s = &k->secs[src];
		bool code = s->sh.sh_flags & SHF_EXECINSTR, alt = streq(s->name, ".altinstructions");

		if (!s->rela || src == sec || !(s->sh.sh_flags & SHF_ALLOC) || (!code && !alt))
			continue;
		for (size_t j = 0; j < k->secs[s->rela].n_relas; j++) {
			const struct kelf_rela *r = &k->secs[s->rela].relas[j];
			struct orphan_ref ref = { 0 };
			int64_t at = kd_rela_target(k, src, r);
			struct orphan_ref *g;

			if (k->syms[r->sym].shndx != sec)
				continue;
			if (at < 0 || (uint64_t)at > k->secs[sec].size)
				continue;
			ref.target = (uint64_t)at;
			if (code) {
				ref.owner = owner_at(k, src, r->offset);
				ref.at = r->offset;
			} else if (j > 0 && k->secs[s->rela].relas[j - 1].offset + 4 == r->offset) {
				/* an entry's site field comes right before its replacement field */
				const struct kelf_rela *site = &k->secs[s->rela].relas[j - 1];
				const struct kelf_sym *ss = &k->syms[site->sym];
				int64_t where = (int64_t)ss->value + site->addend;

				ref.alt = true;
				if (ss->shndx && ss->shndx < k->n_secs && where >= 0) {
					ref.owner = owner_at(k, ss->shndx, (uint64_t)where);
					ref.at = (uint64_t)where;
				}
			}
			if (ref.owner)
				ref.at -= k->syms[ref.owner].value;
			g = reallocarray(v, len + 1, sizeof(*v));
			if (!g) {
				free(v);
				return -ENOMEM;
			}
			v = g;
			v[len++] = ref;
		}
	}
	*ret = v;
	*n = len;
	return 0;
}

/*
 * Code outside any function symbol is a part of the functions that reach it: alternative
 * replacements, static_cpu_has()'s slow paths. Such a section differs when a changed
 * function's piece did (it travels with that function, whose relocations there moved) or
 * when an unchanged function's piece did, and then that function is patched. A piece no
 * function reaches cannot be redirected: refused.
 */
static int compare_orphan_section(const struct kelf *o, size_t os /* 0: new */, const struct kelf *p,
				  size_t ps, struct klpdiff_result *res)
{
	_cleanup_free_ struct orphan_ref *ov = NULL, *pv = NULL;
	size_t on = 0, pn = 0;
	uint64_t first = UINT64_MAX;
	int r = orphan_refs(p, ps, &pv, &pn);

	if (r == 0 && os)
		r = orphan_refs(o, os, &ov, &on);
	if (r < 0)
		return r;
	for (size_t i = 0; i < pn; i++)
		if (pv[i].target < first)
			first = pv[i].target;
	/* what comes before the first way in (nothing, normally) is reached by none */
	if (pn == 0 || (first && (!os || !range_equal(o, os, 0, p, ps, 0, first))))
		return refuse(res, p->secs[ps].name, "code in %s changed and has no function "
			      "symbol", p->secs[ps].name);
	for (size_t i = 0; i < pn; i++) {
		const struct orphan_ref *x = &pv[i];
		const char *name;
		uint64_t pend;
		bool same = false;

		if (!x->owner)
			return refuse(res, p->secs[ps].name, "code in %s changed and no function "
				      "reaches its offset %llu", p->secs[ps].name,
				      (unsigned long long)x->target);
		name = p->syms[x->owner].name;
		if (in_result(res, name) || kd_is_init_sec(p->secs[p->syms[x->owner].shndx].name))
			continue; /* travels with its function; __init code already ran */
		pend = kd_piece_end(p, ps, x->target);
		for (size_t j = 0; j < on && !same; j++) {
			const struct orphan_ref *y = &ov[j];

			if (!y->owner || y->alt != x->alt || y->at != x->at ||
			    !streq(o->syms[y->owner].name, name))
				continue;
			same = kd_piece_end(o, os, y->target) - y->target == pend - x->target &&
			       range_equal(o, os, y->target, p, ps, x->target, pend - x->target);
		}
		if (!same && (r = patch_user(o, p, x->owner, res, 0)) < 0)
			return r;
	}
	return 0;
}

static int compare_orphan_code(const struct kelf *o, const struct kelf *p,
			       struct klpdiff_result *res)
{
	for (size_t i = 1; i < p->n_secs; i++) {
		const struct kelf_sec *s = &p->secs[i];
		long os;
		int r;

		if (!s->size || !kd_orphan_code(p, i))
			continue;
		os = kelf_find_sec(o, s->name);
		if (os > 0 && o->secs[os].size == s->size &&
		    range_equal(o, (size_t)os, 0, p, i, 0, s->size))
			continue;
		r = compare_orphan_section(o, os > 0 ? (size_t)os : 0, p, i, res);
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The variable a data section holds, for messages; the section name when none. */
static const char *data_name(const struct kelf *k, size_t sec)
{
	for (size_t i = 1; i < k->n_syms; i++)
		if (k->syms[i].shndx == sec && k->syms[i].type == STT_OBJECT)
			return k->syms[i].name;
	return k->secs[sec].name;
}

/* Whether data section sec holds only gcc-made read-only constants (copied, not shared). */
static bool generated_only(const struct kelf *k, size_t sec)
{
	bool any = false;

	for (size_t i = 1; i < k->n_syms; i++) {
		if (k->syms[i].shndx != sec || k->syms[i].type == STT_SECTION)
			continue;
		if (!kd_ro_generated(k, i))
			return false;
		any = true;
	}
	return any;
}

static void mark_referenced(const struct kelf *p, const bool *touched, bool *referenced)
{
	for (size_t i = 1; i < p->n_secs; i++) {
		const struct kelf_sec *s = &p->secs[i];

		if (!touched[i] || !s->rela)
			continue;
		for (size_t j = 0; j < p->secs[s->rela].n_relas; j++) {
			const struct kelf_sym *t = &p->syms[p->secs[s->rela].relas[j].sym];

			if (t->shndx != SHN_UNDEF && t->shndx < p->n_secs)
				referenced[t->shndx] = true;
		}
	}
}

/* The one object symbol of data section sec when it is alone there, 0 otherwise. */
static size_t sole_object(const struct kelf *k, size_t sec)
{
	size_t found = 0;

	for (size_t i = 1; i < k->n_syms; i++) {
		if (k->syms[i].shndx != sec || k->syms[i].type == STT_SECTION ||
		    k->syms[i].type == STT_FILE)
			continue;
		if (found || k->syms[i].type != STT_OBJECT)
			return 0;
		found = i;
	}
	return found;
}

/* Data named name travels with the patch: the extractor copies it. */
static int note_copied(struct klpdiff_result *res, const char *name)
{
	char **n = reallocarray(res->copied_data, res->n_copied_data + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	res->copied_data = n;
	if (!(n[res->n_copied_data] = strdup(name)))
		return -ENOMEM;
	res->n_copied_data++;
	return 0;
}

/* Read-only data section sec of p changed, or any data section is new (fresh): when it is
 * local and only code uses it, a copy travels with the patch and every function using it is patched to use the copy
 * (unchanged ones too). 0 when carried, 1 when it cannot be (*why says why), or -ENOMEM. */
static int carry_rodata(const struct kelf *o, const struct kelf *p, size_t sec, bool fresh,
			struct klpdiff_result *res, char *why, size_t whylen)
{
	size_t var = sole_object(p, sec);

	/* a new variable holds no state of the running kernel: the copy starts from its
	 * initialiser as the fixed kernel's would (a ratelimit state, a lock class key) */
	if (!fresh && ((p->secs[sec].sh.sh_flags & SHF_WRITE) ||
		       p->secs[sec].sh.sh_type == SHT_NOBITS))
		return snprintf(why, whylen, "it is writable"), 1;
	if (!var || p->syms[var].bind != STB_LOCAL)
		return snprintf(why, whylen, "it is not one local variable"), 1;
	for (size_t src = 1; src < p->n_secs; src++) {
		const struct kelf_sec *s = &p->secs[src];

		if (!s->rela || src == sec || !(s->sh.sh_flags & SHF_ALLOC))
			continue;
		for (size_t j = 0; j < p->secs[s->rela].n_relas; j++) {
			const struct kelf_rela *r = &p->secs[s->rela].relas[j];
			size_t sym, user;
			int64_t off;
			int k = 0;

			kd_resolve(p, src, r, &sym, &off);
			if (sym != var && !(p->syms[sym].type == STT_SECTION &&
					    p->syms[sym].shndx == sec))
				continue;
			if (!(s->sh.sh_flags & SHF_EXECINSTR))
				return snprintf(why, whylen, "%s refers to it, and registered data "
						"keeps the old one", s->name), 1;
			user = func_at(p, src, r->offset);
			if (!user)
				return snprintf(why, whylen, "code outside a function in %s uses it",
						s->name), 1;
			if (kd_is_cold_part(p->syms[user].name))
				continue; /* travels with its function */
			if (kd_is_init_sec(p->secs[p->syms[user].shndx].name))
				return snprintf(why, whylen, "__init function %s handed it to the "
						"kernel already", p->syms[user].name), 1;
			k = patch_user(o, p, user, res, 0);
			if (k < 0)
				return k;
		}
	}
	return note_copied(res, p->syms[var].name);
}

static int compare_data(const struct kelf *o, const struct kelf *p, struct klpdiff_result *res,
			const bool *referenced)
{
	for (size_t i = 1; i < p->n_secs; i++) {
		const struct kelf_sec *s = &p->secs[i];
		const char *var;
		char why[256];
		long os;
		int r = 0;

		if (!kd_is_data_sec(s) || generated_only(p, i))
			continue;
		var = data_name(p, i);
		os = kelf_find_sec(o, s->name);
		if (os < 0 && !referenced[i])
			continue;
		if (os >= 0 && o->secs[os].size == s->size &&
		    range_equal(o, (size_t)os, 0, p, i, 0, s->size))
			continue;
		/* an empty object holds no state (a lock class key without lockdep, renumbered
		 * when a fix adds a mutex_init): the module's own is as good as the kernel's */
		if (os < 0 && s->size == 0 && sole_object(p, i)) {
			r = note_copied(res, p->syms[sole_object(p, i)].name);
			if (r < 0)
				return r;
			continue;
		}
		r = carry_rodata(o, p, i, os < 0, res, why, sizeof(why));
		if (r == 1 && os < 0)
			r = refuse(res, var, "new static variable '%s' (in %s), and the patch cannot "
				   "carry it: %s", var, s->name, why);
		else if (r == 1 && o->secs[os].size != s->size)
			r = refuse(res, var, "static data '%s' (in %s) changed size from %zu to %zu "
				   "bytes, and a copy cannot replace it: %s", var, s->name,
				   o->secs[os].size, s->size, why);
		else if (r == 1)
			r = refuse(res, var, "static data '%s' (in %s) changed its initialiser, and "
				   "a copy cannot replace it: %s", var, s->name, why);
		if (r < 0)
			return r;
	}
	return 0;
}

int klpdiff_compare(const char *orig_o, const char *patched_o, unsigned flags,
		    struct klpdiff_result *ret, char *err, size_t errlen)
{
	struct kelf *o = NULL, *p = NULL;
	struct klpdiff_result res = { .in_module = flags & KLPDIFF_IN_MODULE };
	_cleanup_free_ bool *touched = NULL, *referenced = NULL;
	int r;

	r = kelf_open(orig_o, &o, err, errlen);
	if (r < 0)
		return r;
	r = kelf_open(patched_o, &p, err, errlen);
	if (r < 0)
		goto out;
	touched = calloc(p->n_secs, sizeof(*touched));
	referenced = calloc(p->n_secs, sizeof(*referenced));
	r = -ENOMEM;
	if (!touched || !referenced)
		goto oom;
	r = compare_funcs(o, p, &res, touched);
	if (r == 0)
		r = compare_orphan_code(o, p, &res);
	if (r == 0) {
		mark_referenced(p, touched, referenced);
		r = compare_data(o, p, &res, referenced);
	}
	if (r < 0)
		goto oom;
	*ret = res;
	res = (struct klpdiff_result){ 0 };
	r = 0;
	goto out;
oom:
	kelf_seterr(err, errlen, "%s: out of memory", patched_o);
out:
	klpdiff_result_free(&res);
	kelf_free(o);
	kelf_free(p);
	return r;
}

int klpdiff_has_function(const char *obj, const char *name)
{
	struct kelf *k = NULL;
	char err[256];
	int r = kelf_open(obj, &k, err, sizeof(err));

	if (r < 0)
		return r;
	r = find_func(k, name) > 0;
	kelf_free(k);
	return r;
}

int klpdiff_result_provide(struct klpdiff_result *r, const char *name)
{
	return note_name(&r->provided, &r->n_provided, name);
}

int klpdiff_module_callers(const char *orig_o, const char *patched_o, const char *const *names,
			   size_t n_names, struct klpdiff_result *res, char *err, size_t errlen)
{
	struct kelf *o = NULL, *p = NULL;
	int r = kelf_open(orig_o, &o, err, errlen);

	if (r == 0)
		r = kelf_open(patched_o, &p, err, errlen);
	res->in_module = true;
	for (size_t i = 1; r == 0 && i < (p ? p->n_syms : 0); i++) {
		const struct kelf_sym *s = &p->syms[i];
		bool wanted = false;

		if (s->shndx != SHN_UNDEF || s->bind == STB_LOCAL)
			continue;
		for (size_t j = 0; j < n_names && !wanted; j++)
			wanted = streq(s->name, names[j]);
		if (wanted)
			r = patch_callers(o, p, i, s->name, res, 0);
	}
	if (r == -ENOMEM)
		kelf_seterr(err, errlen, "%s: out of memory", patched_o);
	kelf_free(o);
	kelf_free(p);
	return r;
}
