/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by makeval.c (variables, expansion), makeval_func.c (the built-in functions) and
 * makefile.c (makefile lines).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "makeval.h"

/* The work one evaluation (mk_eval, mk_get, mk_expand_text) may do: a makefile can make
 * expansion exponential without any self-reference (a = $(b)$(b), b = $(c)$(c), ...) or by
 * including itself, and the depth limits alone let that run for minutes. A step is a byte
 * of text expanded or copied; Kbuild makefiles need a few hundred thousand. */
#define MK_MAX_STEPS (32u << 20)
#define MK_MAX_INCLUDES 256

struct mk_var {
	char *name, *value;
	bool recursive;
	/* being expanded right now: meeting it again is make's "references itself" */
	bool expanding;
	/* where a recursive variable was defined, to report what its expansion meets */
	const char *file;
	unsigned line;
};

struct mk_ctx {
	struct mk_vars *vars;
	const struct mk_host *h;
	const char *file;
	unsigned line;
	uint64_t steps;    /* work done so far, against MK_MAX_STEPS */
	unsigned includes; /* files included so far, against MK_MAX_INCLUDES */
	bool stopped;      /* the bound was hit: nothing more is expanded or evaluated */
	bool unwind;       /* a self-reference: the current top-level expansion gives up */
};

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

void mk_sb_add(struct sb *b, const char *s, size_t n);
void mk_sb_adds(struct sb *b, const char *s);
/* Appends a word, separated by one space from what is there. */
void mk_sb_word(struct sb *b, const char *s, size_t n);
char *mk_sb_take(struct sb *b);

void mk_unsupported(struct mk_ctx *c, const char *what);
/* Charges n steps to the evaluation; false (reported once) when that is over the bound. */
bool mk_charge(struct mk_ctx *c, size_t n);
/* Expands s[0..n), malloc'd; NULL on OOM. depth 0 is a top-level expansion. */
char *mk_expand(struct mk_ctx *c, const char *s, size_t n, int depth);
void mk_expand_into(struct mk_ctx *c, const char *s, size_t n, struct sb *out, int depth);
/* A recursive variable's value, expanded where it was defined. */
void mk_expand_var(struct mk_ctx *c, struct mk_var *v, struct sb *out, int depth);
/* Takes ownership of value; c (may be NULL) says where the definition is. */
int mk_set_var(struct mk_vars *v, const char *name, char *value, bool recursive,
	       const struct mk_ctx *c);
struct mk_var *mk_lookup(struct mk_vars *v, const char *name);

/* makeval_func.c */
typedef void (*mk_word_fn)(void *ud, const char *w, size_t n);
void mk_each_word(const char *s, mk_word_fn fn, void *ud);
struct patsubst_ud {
	const char *pat, *rep;
	struct sb *out;
};
void mk_patsubst_word(void *ud, const char *w, size_t n);
/* Runs a built-in function; returns false when name is not one. */
bool mk_function(struct mk_ctx *c, const char *name, const char *args, size_t an, struct sb *out,
		 int depth);
