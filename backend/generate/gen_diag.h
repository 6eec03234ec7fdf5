/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A patched build that does not compile: the fix (taken from a newer source of the branch)
 * relies on something later than this kernel (a helper, a macro, a struct member, a changed
 * signature). gen_diag.c reads gcc's diagnostics and the headers that define what is missing
 * (pure text functions, unit-tested); gen_carry.c is the build step's hook: it finds the
 * definitions in the fix source, carries a macro or a static inline helper into the patched
 * .c file (the fix then builds again), or refuses naming what is missing and where the fix
 * source introduces it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "generate.h"

/* What an error says is missing. */
enum gen_need {
	GEN_NEED_FUNCTION,  /* implicit declaration of function X */
	GEN_NEED_IDENT,     /* X undeclared: a macro, an enum constant, a variable */
	GEN_NEED_TYPE,      /* unknown type name X; invalid use of undefined type X */
	GEN_NEED_MEMBER,    /* 'struct S' has no member named M */
	GEN_NEED_SIGNATURE, /* too many/few arguments, incompatible argument, conflicting types */
	GEN_NEED_OTHER,     /* an error of another kind */
};

struct gen_diag {
	enum gen_need need;
	char *name;     /* the identifier (a member's name for GEN_NEED_MEMBER) */
	char *type;     /* GEN_NEED_MEMBER: "struct sk_buff" */
	char *file;     /* where gcc reported it */
	unsigned line;
	char *message;  /* gcc's words after "error: " */
	char *note;     /* "fs/f2fs/f2fs.h:3639" of a following "note: declared here" */
};

/* Every error of a compiler output in order, each (need, name) once. */
int gen_diag_parse(const char *log, struct gen_diag **ret, size_t *n);
void gen_diag_free(struct gen_diag *d, size_t n);

enum gen_def_kind {
	GEN_DEF_NONE,
	GEN_DEF_MACRO,
	GEN_DEF_INLINE,     /* a static inline function with its body */
	GEN_DEF_FUNCTION,   /* a function declared (defined in some .c file) */
	GEN_DEF_TYPE,       /* a typedef, a struct/union/enum tag */
	GEN_DEF_ENUM,       /* an enum constant */
	GEN_DEF_MEMBER,     /* a struct member */
	GEN_DEF_VARIABLE,
};

struct gen_def {
	enum gen_def_kind kind;
	unsigned line;
	bool conditional;   /* under #if/#ifdef (the include guard aside) */
	char *text;         /* the whole definition for a macro or an inline function */
};

/* Where a header's text defines name (for a member: member name of struct type). */
int gen_def_find(const char *text, const char *name, const char *type, struct gen_def *d);
void gen_def_clear(struct gen_def *d);
const char *gen_def_kind_string(enum gen_def_kind k);

/* Marks the block of carried definitions in a .c file. */
#define GEN_CARRY_MARK "/* tuxtape: carried from the fix source"

/* text with block inserted before an earlier carried block, else after the last
 * unconditional #include before line `before` (malloc'd in *out). */
int gen_carry_insert(const char *text, const char *block, unsigned before, char **out);

/* gen_carry.c: build-patched's hook after kbuild failed with log, the tree still patched.
 * Keeps log as OUT/build-patched.log. Returns 1 when definitions were carried (the tree is
 * reverted and c->patch_path holds the fix with them: build again), else a gen_status
 * set with gen_say() (the tree still patched), or a negative errno. */
int gen_carry_or_explain(struct gen_ctx *c, const char *log, unsigned round);
