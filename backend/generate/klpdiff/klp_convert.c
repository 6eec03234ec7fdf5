// SPDX-License-Identifier: GPL-2.0-only
/*
 * klp_convert(): the last step on a linked livepatch module. The linker knows nothing of
 * livepatch symbols and relocation sections, so the extractor left references to the
 * running kernel's non-exported symbols as undefined KLPDIFF_REF_PREFIX "OBJ.NAME.POS"
 * symbols (or "OBJ:SYMOBJ.NAME.POS": a symbol of module SYMOBJ, relocated with OBJ's);
 * here each becomes ".klp.sym.OBJ.NAME,POS" in section SHN_LIVEPATCH, and every relocation
 * against one moves out of its ordinary section into ".klp.rela.OBJ.SECTION"
 * (SHF_RELA_LIVEPATCH, so the module loader leaves it to livepatch; SHF_ALLOC, so it is
 * still in memory when a patched module loads later). The names follow the formats
 * kernel/livepatch/core.c scans: ".klp.sym.%55[^.].%511[^,],%lu" and ".klp.rela.%55[^.]".
 */
#include "klpdiff.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kelf.h"
#include "util.h"

#define SHN_LIVEPATCH 0xff20
#define SHF_RELA_LIVEPATCH 0x00100000
#define KLP_MODULE_NAME_LEN 55 /* MODULE_NAME_LEN - 1 on 64-bit */
#define KLP_SYM_NAME_LEN 511

/* Splits "OBJ.NAME.POS" (after the prefix); NAME may hold dots (count.0, f.isra.0). */
static int parse_ref(const char *ref, char **obj, char **name, unsigned long *pos)
{
	const char *dot = strchr(ref, '.');
	const char *last = strrchr(ref, '.');
	char *end;

	if (!dot || last == dot || dot == ref || last[1] == '\0' ||
	    (size_t)(dot - ref) > KLP_MODULE_NAME_LEN ||
	    (size_t)(last - dot - 1) > KLP_SYM_NAME_LEN || strchr(dot + 1, ','))
		return -EINVAL;
	errno = 0;
	*pos = strtoul(last + 1, &end, 10);
	if (errno || *end || last[1] == '-')
		return -EINVAL;
	*obj = strndup(ref, (size_t)(dot - ref));
	*name = strndup(dot + 1, (size_t)(last - dot - 1));
	if (!*obj || !*name) {
		free(*obj);
		free(*name);
		return -ENOMEM;
	}
	return 0;
}

/* Renames the reference symbols; objs[i] is symbol i's object name, or NULL. */
static int convert_symbols(struct kelf *k, char **objs, char *err, size_t errlen)
{
	for (size_t i = 1; i < k->n_syms; i++) {
		struct kelf_sym *s = &k->syms[i];
		char *obj, *name, *n, *symobj = NULL;
		unsigned long pos;
		int r;

		if (!startswith(s->name, KLPDIFF_REF_PREFIX))
			continue;
		if (s->shndx != SHN_UNDEF) {
			kelf_seterr(err, errlen, "%s: %s is defined in the module", k->path,
				    s->name);
			return -EINVAL;
		}
		r = parse_ref(s->name + strlen(KLPDIFF_REF_PREFIX), &obj, &name, &pos);
		if (r == 0 && (symobj = strchr(obj, ':')))
			*symobj++ = '\0';
		if (r == 0 && (!*obj || (symobj && (!*symobj || strchr(symobj, ':'))))) {
			free(obj);
			free(name);
			r = -EINVAL;
		}
		if (r == -EINVAL)
			kelf_seterr(err, errlen, "%s: symbol %s is not " KLPDIFF_REF_PREFIX
				    "OBJ[:SYMOBJ].NAME.POS", k->path, s->name);
		if (r < 0)
			return r;
		if (asprintf(&n, ".klp.sym.%s.%s,%lu", symobj ? symobj : obj, name, pos) < 0) {
			free(obj);
			free(name);
			return -ENOMEM;
		}
		free(name);
		free(s->name);
		s->name = n;
		s->shndx = SHN_LIVEPATCH;
		s->bind = STB_GLOBAL;
		objs[i] = obj;
	}
	return 0;
}

/* Moves the relocations of section rela whose symbols are livepatch symbols of obj into
 * a new .klp.rela section; returns how many moved. */
static long move_relas(struct kelf *k, size_t rela, char **objs, const char *obj)
{
	_cleanup_free_ char *name = NULL;
	size_t target = k->secs[rela].sh.sh_info;
	GElf_Shdr sh = { .sh_type = SHT_RELA, .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Rela),
			 .sh_flags = SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH };
	long idx;
	size_t kept = 0, moved = 0;

	if (asprintf(&name, ".klp.rela.%s.%s", obj, k->secs[target].name) < 0)
		return -ENOMEM;
	sh.sh_link = (Elf64_Word)k->symtab;
	sh.sh_info = (Elf64_Word)target;
	idx = kelf_add_sec(k, name, &sh, NULL, 0);
	if (idx < 0)
		return idx;
	/* kelf_add_sec may have moved the array */
	for (size_t i = 0; i < k->secs[rela].n_relas; i++) {
		struct kelf_rela r = k->secs[rela].relas[i];
		const char *o = objs[r.sym];

		if (o && streq(o, obj)) {
			if (kelf_add_rela(&k->secs[idx], &r) < 0)
				return -ENOMEM;
			moved++;
		} else {
			k->secs[rela].relas[kept++] = r;
		}
	}
	k->secs[rela].n_relas = kept;
	return (long)moved;
}

static long convert_relas(struct kelf *k, char **objs, char *err, size_t errlen)
{
	size_t n_secs = k->n_secs;
	long total = 0;

	for (size_t i = 1; i < n_secs; i++) {
		const struct kelf_sec *s = &k->secs[i];

		if (s->sh.sh_type != SHT_RELA || (s->sh.sh_flags & SHF_RELA_LIVEPATCH) ||
		    !(k->secs[s->sh.sh_info].sh.sh_flags & SHF_ALLOC))
			continue;
		/* one livepatch section per object the relocations refer into */
		for (;;) {
			const char *obj = NULL;
			long moved;

			for (size_t j = 0; j < k->secs[i].n_relas && !obj; j++)
				obj = objs[k->secs[i].relas[j].sym];
			if (!obj)
				break;
			moved = move_relas(k, i, objs, obj);
			if (moved < 0) {
				kelf_seterr(err, errlen, "%s: out of memory", k->path);
				return moved;
			}
			total += moved;
		}
	}
	return total;
}

int klp_convert(const char *ko_path, char *err, size_t errlen)
{
	struct kelf *k = NULL;
	char **objs = NULL;
	long moved = 0;
	int r;

	r = kelf_open(ko_path, &k, err, errlen);
	if (r < 0)
		return r;
	objs = calloc(k->n_syms, sizeof(*objs));
	if (!objs) {
		kelf_seterr(err, errlen, "%s: out of memory", ko_path);
		r = -ENOMEM;
		goto out;
	}
	r = convert_symbols(k, objs, err, errlen);
	if (r == -ENOMEM)
		kelf_seterr(err, errlen, "%s: out of memory", ko_path);
	if (r < 0)
		goto out;
	moved = convert_relas(k, objs, err, errlen);
	if (moved < 0) {
		r = (int)moved;
		goto out;
	}
	r = kelf_write(k, ko_path, err, errlen);
	if (r == 0)
		r = moved > INT32_MAX ? INT32_MAX : (int)moved;
out:
	if (objs)
		for (size_t i = 0; i < k->n_syms; i++)
			free(objs[i]);
	free(objs);
	kelf_free(k);
	return r;
}
