/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Variables (a hash table per scope) and expansion: $(var), substitution references, the
 * self-reference check and the work bound of one evaluation. The built-in functions are in
 * makeval_func.c, makefile lines in makefile.c.
 */
#include "makeval.h"
#include "makeval_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MK_MAX_DEPTH 48
#define MK_MAX_VALUE (1u << 20) /* no expansion may grow past this */

/* ---- growable strings ---- */

void mk_sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > MK_MAX_VALUE * 4 || !(p = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void mk_sb_adds(struct sb *b, const char *s)
{
	mk_sb_add(b, s, strlen(s));
}

/* Appends a word, separated by one space from what is there. */
void mk_sb_word(struct sb *b, const char *s, size_t n)
{
	if (b->len)
		mk_sb_add(b, " ", 1);
	mk_sb_add(b, s, n);
}

char *mk_sb_take(struct sb *b)
{
	char *p;

	if (b->oom) {
		free(b->p);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

/* ---- variables: a hash table per scope, looked up through the parent chain ---- */

struct mk_vars {
	struct mk_vars *parent;
	struct mk_var *tab;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct mk_vars *mk_vars_new(void)
{
	return calloc(1, sizeof(struct mk_vars));
}

/* A child scope: reads fall through to v, writes stay in the child. v must outlive it. */
struct mk_vars *mk_vars_clone(const struct mk_vars *v)
{
	struct mk_vars *c = mk_vars_new();

	if (c)
		c->parent = (struct mk_vars *)v;
	return c;
}

void mk_vars_free(struct mk_vars *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->cap; i++) {
		free(v->tab[i].name);
		free(v->tab[i].value);
	}
	free(v->tab);
	free(v);
}

static struct mk_var *slot(struct mk_vars *v, const char *name, bool create)
{
	size_t i;

	if (create && (v->n + 1) * 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct mk_var *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return NULL;
		for (size_t j = 0; j < v->cap; j++) {
			if (!v->tab[j].name)
				continue;
			i = hash(v->tab[j].name) & (cap - 1);
			while (tab[i].name)
				i = (i + 1) & (cap - 1);
			tab[i] = v->tab[j];
		}
		free(v->tab);
		v->tab = tab;
		v->cap = cap;
	}
	if (!v->cap)
		return NULL;
	i = hash(name) & (v->cap - 1);
	while (v->tab[i].name) {
		if (streq(v->tab[i].name, name))
			return &v->tab[i];
		i = (i + 1) & (v->cap - 1);
	}
	if (!create)
		return NULL;
	v->tab[i].name = strdup(name);
	if (!v->tab[i].name)
		return NULL;
	v->n++;
	return &v->tab[i];
}

struct mk_var *mk_lookup(struct mk_vars *v, const char *name)
{
	for (; v; v = v->parent) {
		struct mk_var *e = slot(v, name, false);

		if (e)
			return e;
	}
	return NULL;
}

int mk_set_var(struct mk_vars *v, const char *name, char *value, bool recursive,
	       const struct mk_ctx *c)
{
	struct mk_var *e = slot(v, name, true);

	if (!e || !value) {
		free(value);
		return -ENOMEM;
	}
	free(e->value);
	e->value = value;
	e->recursive = recursive;
	e->file = c ? c->file : NULL;
	e->line = c ? c->line : 0;
	return 0;
}

int mk_set(struct mk_vars *v, const char *name, const char *value)
{
	return mk_set_var(v, name, strdup(value), false, NULL);
}

/* ---- expansion ---- */

void mk_unsupported(struct mk_ctx *c, const char *what)
{
	if (c->h && c->h->unsupported)
		c->h->unsupported(c->h->userdata, c->file, c->line, what);
}

bool mk_charge(struct mk_ctx *c, size_t n)
{
	char what[160];

	if (c->stopped)
		return false;
	c->steps += n;
	if (c->steps <= MK_MAX_STEPS)
		return true;
	c->stopped = true;
	snprintf(what, sizeof(what), "evaluation stopped: more than %u bytes of expansion "
		 "(a value that grows exponentially?)", MK_MAX_STEPS);
	mk_unsupported(c, what);
	return false;
}

char *mk_expand(struct mk_ctx *c, const char *s, size_t n, int depth)
{
	struct sb b = { 0 };

	mk_expand_into(c, s, n, &b, depth);
	/* a self-reference gives up on this expansion only; the next line starts afresh */
	if (depth == 0)
		c->unwind = false;
	return mk_sb_take(&b);
}

/* The end of a $( ... ) or ${ ... } starting at s[0] == open; n if unbalanced. */
static size_t match_paren(const char *s, size_t n)
{
	char open = s[0], close = open == '(' ? ')' : '}';
	int level = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == open)
			level++;
		else if (s[i] == close && --level == 0)
			return i;
	}
	return n;
}

/* A recursive variable's value, reported as coming from where it was defined. */
void mk_expand_var(struct mk_ctx *c, struct mk_var *v, struct sb *out, int depth)
{
	const char *file = c->file;
	unsigned line = c->line;

	if (v->file) {
		c->file = v->file;
		c->line = v->line;
	}
	mk_expand_into(c, v->value, strlen(v->value), out, depth + 1);
	c->file = file;
	c->line = line;
}

/* A variable's value into out. Meeting a recursive variable inside its own expansion is
 * make's fatal "references itself": it could only recurse until a limit, doubling the work
 * at each level for a = $(a)$(a); the expansion under way gives up. */
static void value_of(struct mk_ctx *c, struct mk_var *v, struct sb *out, int depth)
{
	if (!v->recursive) {
		if (mk_charge(c, strlen(v->value)))
			mk_sb_adds(out, v->value);
		return;
	}
	if (v->expanding) {
		char what[160];

		snprintf(what, sizeof(what), "recursive variable '%.100s' references itself "
			 "(eventually)", v->name);
		mk_unsupported(c, what);
		c->unwind = true;
		return;
	}
	v->expanding = true;
	mk_expand_var(c, v, out, depth);
	v->expanding = false;
}

/* $(name) or $(name:a=b) with name already expanded. */
static void reference(struct mk_ctx *c, char *ref, struct sb *out, int depth)
{
	char *colon = strchr(ref, ':'), *eq;
	struct mk_var *v;

	if (colon && (eq = strchr(colon, '=')) != NULL) {
		/* substitution reference: $(var:.o=.c) or $(var:%.o=%.c) */
		struct sb val = { 0 };
		struct patsubst_ud p;
		char *pat, *rep;

		*colon = '\0';
		*eq = '\0';
		v = mk_lookup(c->vars, ref);
		if (!v)
			return;
		value_of(c, v, &val, depth);
		if (strchr(colon + 1, '%')) {
			pat = strdup(colon + 1);
			rep = strdup(eq + 1);
		} else {
			if (asprintf(&pat, "%%%s", colon + 1) < 0)
				pat = NULL;
			if (asprintf(&rep, "%%%s", eq + 1) < 0)
				rep = NULL;
		}
		if (pat && rep && val.p) {
			p = (struct patsubst_ud){ pat, rep, out };
			mk_each_word(val.p, mk_patsubst_word, &p);
		}
		free(pat);
		free(rep);
		free(val.p);
		return;
	}
	v = mk_lookup(c->vars, ref);
	if (!v)
		return;
	value_of(c, v, out, depth);
}

void mk_expand_into(struct mk_ctx *c, const char *s, size_t n, struct sb *out, int depth)
{
	if (c->unwind || !mk_charge(c, n))
		return;
	if (depth > MK_MAX_DEPTH) {
		mk_unsupported(c, "expansion nested too deeply (recursive variable?)");
		return;
	}
	for (size_t i = 0; i < n && !out->oom && !c->unwind && !c->stopped; i++) {
		size_t end, nl;
		const char *body;

		if (out->len > MK_MAX_VALUE) {
			mk_unsupported(c, "expansion larger than 1 MiB");
			return;
		}
		if (s[i] != '$' || i + 1 >= n) {
			mk_sb_add(out, s + i, 1);
			continue;
		}
		i++;
		if (s[i] == '$') {
			mk_sb_add(out, "$", 1);
			continue;
		}
		if (s[i] != '(' && s[i] != '{') {
			char one[2] = { s[i], '\0' };

			reference(c, one, out, depth);
			continue;
		}
		end = match_paren(s + i, n - i);
		if (end == n - i) {
			mk_unsupported(c, "unbalanced $( )");
			return;
		}
		body = s + i + 1;
		nl = end - 1;
		{
			/* a function name is a run of [a-z-] followed by a blank */
			size_t fl = 0;
			char fname[16];

			while (fl < nl && fl < sizeof(fname) - 1 &&
			       (islower((unsigned char)body[fl]) || body[fl] == '-'))
				fl++;
			if (fl && fl < nl && (body[fl] == ' ' || body[fl] == '\t')) {
				memcpy(fname, body, fl);
				fname[fl] = '\0';
				if (mk_function(c, fname, body + fl + 1, nl - fl - 1, out, depth)) {
					i += end;
					continue;
				}
			}
		}
		{
			char *ref = mk_expand(c, body, nl, depth + 1);

			if (!ref) {
				out->oom = true;
				return;
			}
			reference(c, ref, out, depth);
			free(ref);
		}
		i += end;
	}
}

char *mk_get(struct mk_vars *v, const struct mk_host *h, const char *name)
{
	struct mk_ctx c = { .vars = v, .h = h, .file = "(lookup)" };
	char *copy = strdup(name);
	struct sb b = { 0 };

	if (!copy)
		return NULL;
	reference(&c, copy, &b, 0);
	free(copy);
	return mk_sb_take(&b);
}

char *mk_expand_text(struct mk_vars *v, const struct mk_host *h, const char *text)
{
	struct mk_ctx c = { .vars = v, .h = h, .file = "(expression)" };

	return mk_expand(&c, text, strlen(text), 0);
}
