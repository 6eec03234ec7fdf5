/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the differ and the extractor share: which symbols are functions, which sections
 * hold data, and how a relocation's target is named independently of section numbering
 * (a section symbol plus an addend becomes the symbol it lands in, a merged string becomes
 * its text, an anonymous constant becomes its bytes). Internal to klpdiff*.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kelf.h"

/* A defined function symbol (gcc's split-off ".cold" parts included). */
bool kd_is_func(const struct kelf *k, size_t sym);
/* "foo.cold" and "foo.cold.3" are parts of foo, not functions of their own. */
bool kd_is_cold_part(const char *name);
/* The ".cold" part of function sym, 0 when it has none. */
size_t kd_cold_part(const struct kelf *k, size_t sym);
/* gcc-made read-only locals (__func__.3, CSWTCH.12): copied into a patch, compared by
 * content, since their numbering changes from one build of the file to the next. */
bool kd_ro_generated(const struct kelf *k, size_t sym);
/* A section holding variables (.data*, .bss*, .rodata* but not merged strings and
 * constants, .init.data). */
bool kd_is_data_sec(const struct kelf_sec *s);
bool kd_is_init_sec(const char *name);
bool kd_is_string_sec(const struct kelf_sec *s);

/* What a PC-relative operand's addend is short of its target: 4, or more when an immediate
 * of 1, 2 or 4 bytes follows the operand (cmpb $0, flag(%rip) has an addend of -5). */
#define KD_PCREL_TAILS 4
extern const int64_t kd_pcrel_tails[KD_PCREL_TAILS];

/* The target of relocation r found in section src: a non-section symbol and an offset
 * from it when one covers the target, else the section symbol (*sym) and the raw addend.
 * Code relocations that are PC-relative point 4 bytes before their target. */
void kd_resolve(const struct kelf *k, size_t src, const struct kelf_rela *r, size_t *sym,
		int64_t *off);
/* A name for the target of r that is the same in two builds of the same code: written to
 * buf (truncated at len). */
void kd_target_key(const struct kelf *k, size_t src, const struct kelf_rela *r, char *buf,
		   size_t len);
/* Whether function sym calls __fentry__ (or is listed in __mcount_loc). */
bool kd_has_fentry(const struct kelf *k, size_t sym);
/* Code no function symbol covers: alternatives' replacements (.altinstr_replacement),
 * static_cpu_has()'s slow paths (.altinstr_aux). It comes in pieces, each belonging to the
 * functions that reach it from their code or through their .altinstructions entries. */
bool kd_orphan_code(const struct kelf *k, size_t sec);
/* The offset in its target's section that relocation r of section src reaches (a PC-relative
 * operand in code points 4 bytes before it). */
int64_t kd_rela_target(const struct kelf *k, size_t src, const struct kelf_rela *r);
/* Where the piece of orphan code section sec starting at at ends: the next offset code or
 * .altinstructions reaches, or the section's end. */
uint64_t kd_piece_end(const struct kelf *k, size_t sec, uint64_t at);
/* The relocations of section sec whose offsets fall in [start, end): first index and count
 * (the entries are sorted by offset by every assembler). */
void kd_relas_in(const struct kelf *k, size_t sec, uint64_t start, uint64_t end, size_t *first,
		 size_t *n);
