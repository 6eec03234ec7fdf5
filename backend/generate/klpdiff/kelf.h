/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An in-memory model of an ELF64 relocatable object (x86_64), read with libelf and written
 * back with it: sections with their bytes, one symbol table, and the relocations of every
 * SHT_RELA section decoded. The differ, the extractor and klp_convert all work on this
 * model, so each of them edits plain arrays and one writer serialises the result (symbol
 * names, section names and relocation entries are regenerated from the model on write).
 *
 * Everything is copied out of the file on load: the model owns its memory and the file
 * may be replaced while the model lives. Errors: negative errno, message in err.
 */
#pragma once

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kelf_rela {
	uint64_t offset;
	uint32_t type;
	uint32_t sym;
	int64_t addend;
};

struct kelf_sec {
	char *name;
	GElf_Shdr sh;           /* sh_name, sh_offset and sh_size are recomputed on write */
	unsigned char *data;    /* NULL for SHT_NOBITS and for empty sections */
	size_t size;
	/* SHT_RELA: decoded entries (data is unused) */
	struct kelf_rela *relas;
	size_t n_relas;
	size_t rela;            /* index of the SHT_RELA section applying to this one, or 0 */
};

struct kelf_sym {
	char *name;
	unsigned char bind, type, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct kelf {
	char *path;
	GElf_Ehdr eh;
	struct kelf_sec *secs;  /* secs[0] is the null section */
	size_t n_secs;
	struct kelf_sym *syms;  /* syms[0] is the null symbol */
	size_t n_syms;
	size_t symtab, strtab, shstrtab;
};

int kelf_open(const char *path, struct kelf **ret, char *err, size_t errlen);
void kelf_free(struct kelf *k);
/* Writes path (mode 0644) through a temporary file renamed over it. */
int kelf_write(const struct kelf *k, const char *path, char *err, size_t errlen);

/* An empty ET_REL x86_64 model with the null section, .shstrtab, .symtab and .strtab. */
int kelf_new(struct kelf **ret);
/* Appends a section (name and data copied; data may be NULL); returns its index or -ENOMEM. */
long kelf_add_sec(struct kelf *k, const char *name, const GElf_Shdr *sh, const void *data,
		  size_t size);
/* Appends a symbol; returns its index or -ENOMEM. */
long kelf_add_sym(struct kelf *k, const struct kelf_sym *s);
int kelf_add_rela(struct kelf_sec *rela, const struct kelf_rela *r);

long kelf_find_sec(const struct kelf *k, const char *name);
/* The defined (non-section) symbol named name, preferring a global one; 0 when none. */
size_t kelf_find_sym(const struct kelf *k, const char *name);
/* The STT_SECTION symbol of section idx; 0 when none. */
size_t kelf_section_sym(const struct kelf *k, size_t idx);
/* The function or object symbol of section idx covering [off, off+1) (or ending exactly
 * at off when at_end); 0 when none. */
size_t kelf_sym_at(const struct kelf *k, size_t idx, uint64_t off, bool at_end);

bool kelf_is_pcrel(uint32_t type);
void kelf_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
