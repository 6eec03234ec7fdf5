/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by makeval.c (expansion) and makefile.c (makefile lines). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "makeval.h"

struct mk_var {
	char *name, *value;
	bool recursive;
	/* where a recursive variable was defined, to report what its expansion meets */
	const char *file;
	unsigned line;
};

struct mk_ctx {
	struct mk_vars *vars;
	const struct mk_host *h;
	const char *file;
	unsigned line;
};

void mk_unsupported(struct mk_ctx *c, const char *what);
/* Expands s[0..n), malloc'd; NULL on OOM. */
char *mk_expand(struct mk_ctx *c, const char *s, size_t n, int depth);
/* Takes ownership of value; c (may be NULL) says where the definition is. */
int mk_set_var(struct mk_vars *v, const char *name, char *value, bool recursive,
	       const struct mk_ctx *c);
struct mk_var *mk_lookup(struct mk_vars *v, const char *name);
