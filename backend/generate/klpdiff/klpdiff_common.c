// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "klpdiff_int.h"
#include "util.h"

bool kd_is_func(const struct kelf *k, size_t sym)
{
	const struct kelf_sym *s = &k->syms[sym];

	return s->type == STT_FUNC && s->shndx != SHN_UNDEF && s->shndx < SHN_LORESERVE &&
	       s->shndx < k->n_secs;
}

bool kd_is_cold_part(const char *name)
{
	const char *c = strstr(name, ".cold");

	return c && (c[5] == '\0' || c[5] == '.');
}

size_t kd_cold_part(const struct kelf *k, size_t sym)
{
	const char *name = k->syms[sym].name;
	size_t n = strlen(name);

	for (size_t i = 1; i < k->n_syms; i++) {
		const char *c = k->syms[i].name;

		if (kd_is_func(k, i) && strncmp(c, name, n) == 0 && kd_is_cold_part(c + n) &&
		    c[n] == '.' && strncmp(c + n, ".cold", 5) == 0)
			return i;
	}
	return 0;
}

bool kd_ro_generated(const struct kelf *k, size_t sym)
{
	const struct kelf_sym *s = &k->syms[sym];
	const struct kelf_sec *sec;

	if (s->bind != STB_LOCAL || s->type != STT_OBJECT || s->shndx == SHN_UNDEF ||
	    s->shndx >= k->n_secs || !strchr(s->name, '.'))
		return false;
	sec = &k->secs[s->shndx];
	return (sec->sh.sh_flags & SHF_ALLOC) && !(sec->sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR));
}

bool kd_is_string_sec(const struct kelf_sec *s)
{
	return (s->sh.sh_flags & SHF_STRINGS) != 0;
}

bool kd_is_init_sec(const char *name)
{
	return startswith(name, ".init.") || streq(name, ".init");
}

static bool name_is_or_under(const char *name, const char *base)
{
	size_t n = strlen(base);

	return strncmp(name, base, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

bool kd_is_data_sec(const struct kelf_sec *s)
{
	if (s->sh.sh_flags & (SHF_MERGE | SHF_STRINGS | SHF_EXECINSTR))
		return false;
	if (!(s->sh.sh_flags & SHF_ALLOC))
		return false;
	return name_is_or_under(s->name, ".data") || name_is_or_under(s->name, ".bss") ||
	       name_is_or_under(s->name, ".rodata") || name_is_or_under(s->name, ".init.data") ||
	       name_is_or_under(s->name, ".init.rodata");
}

/* The one function or object symbol of a section when it starts the section and is alone
 * there (-ffunction-sections, -fdata-sections); 0 otherwise. */
static size_t sole_symbol(const struct kelf *k, size_t sec)
{
	size_t found = 0;

	for (size_t i = 1; i < k->n_syms; i++) {
		const struct kelf_sym *s = &k->syms[i];

		if (s->shndx != sec || (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		if (found || s->value != 0)
			return 0;
		found = i;
	}
	return found;
}

const int64_t kd_pcrel_tails[KD_PCREL_TAILS] = { 4, 5, 6, 8 };

void kd_resolve(const struct kelf *k, size_t src, const struct kelf_rela *r, size_t *sym,
		int64_t *off)
{
	const struct kelf_sym *s = &k->syms[r->sym];
	bool code = (k->secs[src].sh.sh_flags & SHF_EXECINSTR) && kelf_is_pcrel(r->type);
	size_t t;

	*sym = r->sym;
	*off = r->addend;
	if (s->type != STT_SECTION || s->shndx >= k->n_secs)
		return;
	if (kd_is_string_sec(&k->secs[s->shndx]))
		return;
	t = 0;
	if (code) {
		for (size_t i = 0; i < KD_PCREL_TAILS && !t; i++)
			if (r->addend + kd_pcrel_tails[i] >= 0)
				t = kelf_sym_at(k, s->shndx, (uint64_t)(r->addend + kd_pcrel_tails[i]),
						false);
	} else if (r->addend >= 0) {
		t = kelf_sym_at(k, s->shndx, (uint64_t)r->addend, false);
		if (!t)
			t = kelf_sym_at(k, s->shndx, (uint64_t)r->addend, true);
	}
	if (!t)
		t = sole_symbol(k, s->shndx);
	if (!t)
		return;
	*sym = t;
	*off = r->addend - (int64_t)k->syms[t].value;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* The content hash of a section, relocation targets included by name (one level deep:
 * a constant table that points at functions changes when a function is renamed). */
static uint64_t section_hash(const struct kelf *k, size_t sec, uint64_t start, uint64_t len)
{
	const struct kelf_sec *s = &k->secs[sec];
	uint64_t h = 0;

	if (s->data && start <= s->size && len <= s->size - start)
		h = fnv1a(s->data + start, len);
	h ^= len * 0x9e3779b97f4a7c15ULL;
	if (s->rela) {
		size_t first, n;

		kd_relas_in(k, sec, start, start + len, &first, &n);
		for (size_t i = first; i < first + n; i++) {
			const struct kelf_rela *r = &k->secs[s->rela].relas[i];
			const char *name = k->syms[r->sym].name;

			h = (h ^ fnv1a((const unsigned char *)name, strlen(name))) * 31 +
			    (uint64_t)r->addend + r->type + (r->offset - start);
		}
	}
	return h;
}

void kd_target_key(const struct kelf *k, size_t src, const struct kelf_rela *r, char *buf,
		   size_t len)
{
	size_t sym;
	int64_t off;
	const struct kelf_sym *s;

	kd_resolve(k, src, r, &sym, &off);
	s = &k->syms[sym];
	/* the assembler's .LC labels name strings too, numbered per build */
	if ((s->type == STT_SECTION ||
	     (s->shndx < k->n_secs && kd_is_string_sec(&k->secs[s->shndx]))) &&
	    s->shndx != SHN_UNDEF && s->shndx < k->n_secs) {
		const struct kelf_sec *sec = &k->secs[s->shndx];
		int64_t at = off + (int64_t)s->value + ((sec->sh.sh_flags & SHF_STRINGS) &&
				    (k->secs[src].sh.sh_flags & SHF_EXECINSTR) &&
				    kelf_is_pcrel(r->type) ? 4 : 0);

		if (kd_is_string_sec(sec)) {
			/* a string is the same string wherever the assembler put it */
			if (sec->data && at >= 0 && (uint64_t)at < sec->size)
				snprintf(buf, len, "str:%.*s", (int)(sec->size - (uint64_t)at),
					 (const char *)sec->data + at);
			else
				snprintf(buf, len, "str:%s%+lld", sec->name, (long long)off);
			return;
		}
		/* code no function symbol covers (alternatives' replacements and slow paths) is
		 * compared piece by piece, as part of the functions reaching it */
		if (sec->sh.sh_flags & SHF_EXECINSTR) {
			snprintf(buf, len, "sec:%s%+lld", sec->name, (long long)off);
			return;
		}
		snprintf(buf, len, "sec:%s%+lld#%016llx", sec->name, (long long)off,
			 (unsigned long long)section_hash(k, s->shndx, 0, sec->size));
		return;
	}
	if (kd_ro_generated(k, sym)) {
		size_t base = strcspn(s->name, ".");

		snprintf(buf, len, "ro:%.*s%+lld#%016llx", (int)base, s->name, (long long)off,
			 (unsigned long long)section_hash(k, s->shndx, s->value, s->size));
		return;
	}
	snprintf(buf, len, "sym:%s%+lld", s->name, (long long)off);
}

void kd_relas_in(const struct kelf *k, size_t sec, uint64_t start, uint64_t end, size_t *first,
		 size_t *n)
{
	const struct kelf_sec *rs = k->secs[sec].rela ? &k->secs[k->secs[sec].rela] : NULL;
	size_t i = 0;

	*first = 0;
	*n = 0;
	if (!rs)
		return;
	while (i < rs->n_relas && rs->relas[i].offset < start)
		i++;
	*first = i;
	while (i < rs->n_relas && rs->relas[i].offset < end)
		i++;
	*n = i - *first;
}

bool kd_has_fentry(const struct kelf *k, size_t sym)
{
	const struct kelf_sym *f = &k->syms[sym];
	size_t first, n;
	long mc;

	kd_relas_in(k, f->shndx, f->value, f->value + f->size, &first, &n);
	for (size_t i = first; i < first + n; i++) {
		const struct kelf_rela *r = &k->secs[k->secs[f->shndx].rela].relas[i];

		if (streq(k->syms[r->sym].name, "__fentry__") && r->offset - f->value < 16)
			return true;
	}
	mc = kelf_find_sec(k, "__mcount_loc");
	if (mc > 0 && k->secs[mc].rela) {
		const struct kelf_sec *rs = &k->secs[k->secs[mc].rela];

		for (size_t i = 0; i < rs->n_relas; i++) {
			const struct kelf_sym *t = &k->syms[rs->relas[i].sym];
			int64_t at = rs->relas[i].addend + (int64_t)t->value;

			if (t->shndx == f->shndx && at >= (int64_t)f->value &&
			    at < (int64_t)(f->value + f->size))
				return true;
		}
	}
	return false;
}

bool kd_orphan_code(const struct kelf *k, size_t sec)
{
	const struct kelf_sec *s = &k->secs[sec];

	if (!(s->sh.sh_flags & SHF_EXECINSTR) || !(s->sh.sh_flags & SHF_ALLOC))
		return false;
	for (size_t i = 1; i < k->n_syms; i++)
		if (k->syms[i].shndx == sec && kd_is_func(k, i))
			return false;
	return true;
}

int64_t kd_rela_target(const struct kelf *k, size_t src, const struct kelf_rela *r)
{
	return (int64_t)k->syms[r->sym].value + r->addend +
	       ((k->secs[src].sh.sh_flags & SHF_EXECINSTR) && kelf_is_pcrel(r->type) ? 4 : 0);
}

uint64_t kd_piece_end(const struct kelf *k, size_t sec, uint64_t at)
{
	uint64_t end = k->secs[sec].size;

	for (size_t src = 1; src < k->n_secs; src++) {
		const struct kelf_sec *s = &k->secs[src];
		bool code = s->sh.sh_flags & SHF_EXECINSTR;

		if (!s->rela || src == sec || !(s->sh.sh_flags & SHF_ALLOC) ||
		    (!code && !streq(s->name, ".altinstructions")))
			continue;
		for (size_t j = 0; j < k->secs[s->rela].n_relas; j++) {
			const struct kelf_rela *r = &k->secs[s->rela].relas[j];
			int64_t t = kd_rela_target(k, src, r);

			if (k->syms[r->sym].shndx == sec && t > (int64_t)at && (uint64_t)t < end)
				end = (uint64_t)t;
		}
	}
	return end;
}
