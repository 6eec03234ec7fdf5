/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small evaluator of the GNU make language, as much of it as Kbuild makefiles use to say
 * what gets built: variables (recursive and simple, +=, ?=), $(var), substitution references,
 * the text functions (subst, patsubst, filter, filter-out, if, or, and, foreach, call,
 * addprefix, addsuffix, strip, sort, findstring, word(s), (first|last)word, dir, notdir,
 * basename, suffix, wildcard), conditionals (ifeq, ifneq, ifdef, ifndef, else, endif),
 * include of files the caller can provide, define/endef (skipped). Rules and recipes are
 * ignored. What it does not understand ($(shell), $(eval), unknown functions, unbalanced
 * conditionals) it reports through the callback with file and line, and carries on.
 * A recursive variable met inside its own expansion is reported ("references itself", as
 * make says) and that expansion gives up. One evaluation (mk_eval with its includes, mk_get,
 * mk_expand_text) has a bound on its total work and on includes; when it is hit, that is
 * reported once ("evaluation stopped: ...") and nothing more is evaluated.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct mk_vars;

struct mk_host {
	/* Contents of another makefile for include; NULL when unknown. */
	const char *(*read)(void *userdata, const char *path);
	/* Whether a source path exists, for $(wildcard). */
	bool (*exists)(void *userdata, const char *path);
	/* A construct that was not understood. */
	void (*unsupported)(void *userdata, const char *file, unsigned line, const char *what);
	void *userdata;
};

struct mk_vars *mk_vars_new(void);
struct mk_vars *mk_vars_clone(const struct mk_vars *v);
void mk_vars_free(struct mk_vars *v);
/* Sets a simple (already expanded) variable. */
int mk_set(struct mk_vars *v, const char *name, const char *value);
/* The expanded value of a variable, malloc'd ("" when undefined); NULL on OOM. */
char *mk_get(struct mk_vars *v, const struct mk_host *h, const char *name);

/* Expands arbitrary text (e.g. "$(filter %/,$(libs-y))"), malloc'd; NULL on OOM. */
char *mk_expand_text(struct mk_vars *v, const struct mk_host *h, const char *text);

/* Evaluates a makefile's text in v. Returns 0 or -ENOMEM. */
int mk_eval(struct mk_vars *v, const struct mk_host *h, const char *file, const char *text);

/* Splits a value into words; calls fn for each; stops on a negative return. */
int mk_words(const char *value, int (*fn)(void *ud, const char *word, size_t len), void *ud);
