/* SPDX-License-Identifier: GPL-2.0-only */
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

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
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

static void sb_adds(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends a word, separated by one space from what is there. */
static void sb_word(struct sb *b, const char *s, size_t n)
{
	if (b->len)
		sb_add(b, " ", 1);
	sb_add(b, s, n);
}

static char *sb_take(struct sb *b)
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

static void expand(struct mk_ctx *c, const char *s, size_t n, struct sb *out, int depth);
static void expand_var(struct mk_ctx *c, const struct mk_var *v, struct sb *out, int depth);

void mk_unsupported(struct mk_ctx *c, const char *what)
{
	if (c->h && c->h->unsupported)
		c->h->unsupported(c->h->userdata, c->file, c->line, what);
}

char *mk_expand(struct mk_ctx *c, const char *s, size_t n, int depth)
{
	struct sb b = { 0 };

	expand(c, s, n, &b, depth);
	return sb_take(&b);
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

/* Splits function arguments at top-level commas (at most max pieces; the last takes the rest). */
static size_t split_args(const char *s, size_t n, const char **arg, size_t *len, size_t max)
{
	size_t k = 0, start = 0;
	int level = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && (s[i] == '(' || s[i] == '{'))
			level++;
		else if (i < n && (s[i] == ')' || s[i] == '}'))
			level--;
		if (i == n || (s[i] == ',' && level == 0 && k + 1 < max)) {
			arg[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	}
	return k;
}

typedef void (*word_fn)(void *ud, const char *w, size_t n);

static void each_word(const char *s, word_fn fn, void *ud)
{
	while (*s) {
		size_t n;

		while (*s && isspace((unsigned char)*s))
			s++;
		n = 0;
		while (s[n] && !isspace((unsigned char)s[n]))
			n++;
		if (n)
			fn(ud, s, n);
		s += n;
	}
}

int mk_words(const char *value, int (*fn)(void *ud, const char *word, size_t len), void *ud)
{
	const char *s = value;

	while (*s) {
		size_t n = 0;
		int k;

		while (*s && isspace((unsigned char)*s))
			s++;
		while (s[n] && !isspace((unsigned char)s[n]))
			n++;
		if (!n)
			break;
		k = fn(ud, s, n);
		if (k < 0)
			return k;
		s += n;
	}
	return 0;
}

/* make's % patterns: one '%' matches any stem; without one, the whole word must match. */
static bool pattern_match(const char *pat, size_t pn, const char *w, size_t wn, size_t *stem_at,
			  size_t *stem_len)
{
	const char *pct = memchr(pat, '%', pn);
	size_t pre, post;

	if (!pct)
		return pn == wn && memcmp(pat, w, wn) == 0;
	pre = (size_t)(pct - pat);
	post = pn - pre - 1;
	if (wn < pre + post || memcmp(w, pat, pre) || memcmp(w + wn - post, pct + 1, post))
		return false;
	if (stem_at) {
		*stem_at = pre;
		*stem_len = wn - pre - post;
	}
	return true;
}

struct patsubst_ud {
	const char *pat, *rep;
	struct sb *out;
};

static void patsubst_word(void *ud, const char *w, size_t n)
{
	struct patsubst_ud *p = ud;
	size_t at, len;
	const char *pct = strchr(p->rep, '%');

	if (!pattern_match(p->pat, strlen(p->pat), w, n, &at, &len)) {
		sb_word(p->out, w, n);
		return;
	}
	if (!strchr(p->pat, '%') || !pct) {
		sb_word(p->out, p->rep, strlen(p->rep));
		return;
	}
	if (p->out->len)
		sb_add(p->out, " ", 1);
	sb_add(p->out, p->rep, (size_t)(pct - p->rep));
	sb_add(p->out, w + at, len);
	sb_adds(p->out, pct + 1);
}

struct filter_ud {
	const char *pats;
	bool keep;
	struct sb *out;
};

static void filter_word(void *ud, const char *w, size_t n)
{
	struct filter_ud *f = ud;
	const char *s = f->pats;
	bool hit = false;

	while (*s && !hit) {
		size_t pn = 0;

		while (*s && isspace((unsigned char)*s))
			s++;
		while (s[pn] && !isspace((unsigned char)s[pn]))
			pn++;
		if (pn && pattern_match(s, pn, w, n, NULL, NULL))
			hit = true;
		s += pn;
	}
	if (hit == f->keep)
		sb_word(f->out, w, n);
}

struct list_ud {
	struct sb *out;
	const char *arg;
	int mode; /* 0 addprefix 1 addsuffix 2 dir 3 notdir 4 basename 5 suffix 6 strip */
};

static void list_word(void *ud, const char *w, size_t n)
{
	struct list_ud *l = ud;
	const char *slash = NULL, *dot = NULL;

	for (size_t i = 0; i < n; i++) {
		if (w[i] == '/')
			slash = w + i, dot = NULL;
		else if (w[i] == '.')
			dot = w + i;
	}
	switch (l->mode) {
	case 0:
		if (l->out->len)
			sb_add(l->out, " ", 1);
		sb_adds(l->out, l->arg);
		sb_add(l->out, w, n);
		break;
	case 1:
		sb_word(l->out, w, n);
		sb_adds(l->out, l->arg);
		break;
	case 2:
		if (slash)
			sb_word(l->out, w, (size_t)(slash - w) + 1);
		else
			sb_word(l->out, "./", 2);
		break;
	case 3:
		if (slash)
			sb_word(l->out, slash + 1, n - (size_t)(slash + 1 - w));
		else
			sb_word(l->out, w, n);
		break;
	case 4:
		sb_word(l->out, w, dot ? (size_t)(dot - w) : n);
		break;
	case 5:
		if (dot)
			sb_word(l->out, dot, n - (size_t)(dot - w));
		break;
	default:
		sb_word(l->out, w, n);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct collect_ud {
	char **w;
	size_t n, cap;
	bool oom;
};

static void collect_word(void *ud, const char *w, size_t n)
{
	struct collect_ud *c = ud;

	if (c->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **p = realloc(c->w, cap * sizeof(*p));

		if (!p) {
			c->oom = true;
			return;
		}
		c->w = p;
		c->cap = cap;
	}
	c->w[c->n] = strndup(w, n);
	if (!c->w[c->n])
		c->oom = true;
	else
		c->n++;
}

static void collect_free(struct collect_ud *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->w[i]);
	free(c->w);
}

static bool all_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* Runs a built-in function; returns false when name is not one. */
static bool function(struct mk_ctx *c, const char *name, const char *args, size_t an, struct sb *out,
		     int depth)
{
	const char *a[64];
	size_t l[64], k;
	char *x[3] = { NULL, NULL, NULL };

#define ARG(i) (x[i] ? x[i] : (x[i] = mk_expand(c, a[i], l[i], depth + 1)))
	if (streq(name, "if") || streq(name, "or") || streq(name, "and")) {
		k = split_args(args, an, a, l, streq(name, "if") ? 3 : 64);
		if (streq(name, "if")) {
			char *cond = mk_expand(c, a[0], l[0], depth + 1);
			bool t = cond && !all_space(cond);

			free(cond);
			if (t && k > 1)
				expand(c, a[1], l[1], out, depth + 1);
			else if (!t && k > 2)
				expand(c, a[2], l[2], out, depth + 1);
			return true;
		}
		for (size_t i = 0; i < k; i++) {
			char *v = mk_expand(c, a[i], l[i], depth + 1);
			bool t = v && !all_space(v);

			if (streq(name, "or") ? t : (!t || i == k - 1)) {
				if (t)
					sb_adds(out, v);
				free(v);
				return true;
			}
			free(v);
		}
		return true;
	}
	if (streq(name, "foreach")) {
		struct collect_ud words = { 0 };
		char *var;

		if (split_args(args, an, a, l, 3) != 3)
			return true;
		var = mk_expand(c, a[0], l[0], depth + 1);
		each_word(ARG(1) ? x[1] : "", collect_word, &words);
		for (size_t i = 0; var && i < words.n; i++) {
			struct sb one = { 0 };
			struct mk_vars *saved = c->vars, *scope = mk_vars_clone(saved);

			if (!scope || mk_set(scope, var, words.w[i]) < 0) {
				mk_vars_free(scope);
				out->oom = true;
				break;
			}
			c->vars = scope;
			expand(c, a[2], l[2], &one, depth + 1);
			c->vars = saved;
			mk_vars_free(scope);
			if (one.len)
				sb_word(out, one.p, one.len);
			free(one.p);
		}
		collect_free(&words);
		free(var);
		free(x[1]);
		return true;
	}
	if (streq(name, "call")) {
		struct mk_vars *saved = c->vars, *scope;
		char *fn, num[24];
		struct mk_var *def;

		k = split_args(args, an, a, l, 64);
		fn = mk_expand(c, a[0], l[0], depth + 1);
		def = fn ? mk_lookup(c->vars, fn) : NULL;
		scope = def ? mk_vars_clone(saved) : NULL;
		for (size_t i = 1; scope && i < k; i++) {
			char *v = mk_expand(c, a[i], l[i], depth + 1);

			snprintf(num, sizeof(num), "%zu", i);
			if (!v || mk_set(scope, num, v) < 0)
				out->oom = true;
			free(v);
		}
		if (scope) {
			c->vars = scope;
			expand_var(c, def, out, depth);
			c->vars = saved;
		}
		mk_vars_free(scope);
		free(fn);
		return true;
	}
	if (streq(name, "shell") || streq(name, "eval") || streq(name, "file") ||
	    streq(name, "guile")) {
		char what[64];

		snprintf(what, sizeof(what), "$(%s ...) is not evaluated", name);
		mk_unsupported(c, what);
		return true;
	}
	if (streq(name, "error") || streq(name, "warning") || streq(name, "info") ||
	    streq(name, "value") || streq(name, "origin") || streq(name, "flavor"))
		return true;

	/* The rest take fully expanded arguments. */
	if (streq(name, "subst") || streq(name, "patsubst") || streq(name, "findstring") ||
	    streq(name, "filter") || streq(name, "filter-out") || streq(name, "word") ||
	    streq(name, "addprefix") || streq(name, "addsuffix")) {
		size_t want = streq(name, "findstring") || streq(name, "filter") ||
					      streq(name, "filter-out") || streq(name, "word") ||
					      streq(name, "addprefix") || streq(name, "addsuffix")
				      ? 2 : 3;

		if (split_args(args, an, a, l, want) != want)
			return true;
		for (size_t i = 0; i < want; i++)
			if (!ARG(i)) {
				out->oom = true;
				goto done;
			}
		if (streq(name, "subst")) {
			const char *s = x[2], *hit;
			size_t fl = strlen(x[0]);

			while (fl && (hit = strstr(s, x[0]))) {
				sb_add(out, s, (size_t)(hit - s));
				sb_adds(out, x[1]);
				s = hit + fl;
			}
			sb_adds(out, s);
		} else if (streq(name, "patsubst")) {
			struct patsubst_ud p = { x[0], x[1], out };
			char *pat = x[0], *rep = x[1];

			/* make strips the pattern and replacement of surrounding blanks */
			while (isspace((unsigned char)*pat))
				pat++;
			while (isspace((unsigned char)*rep))
				rep++;
			p.pat = pat;
			p.rep = rep;
			each_word(x[2], patsubst_word, &p);
		} else if (streq(name, "findstring")) {
			if (strstr(x[1], x[0]))
				sb_adds(out, x[0]);
		} else if (streq(name, "filter") || streq(name, "filter-out")) {
			struct filter_ud f = { x[0], streq(name, "filter"), out };

			each_word(x[1], filter_word, &f);
		} else if (streq(name, "word")) {
			struct collect_ud w = { 0 };
			long i = strtol(x[0], NULL, 10);

			each_word(x[1], collect_word, &w);
			if (i >= 1 && (size_t)i <= w.n)
				sb_adds(out, w.w[i - 1]);
			collect_free(&w);
		} else {
			struct list_ud lu = { out, x[0], streq(name, "addprefix") ? 0 : 1 };
			char *arg = x[0];

			while (isspace((unsigned char)*arg))
				arg++;
			lu.arg = arg;
			for (size_t e = strlen(arg); e && isspace((unsigned char)arg[e - 1]); e--)
				arg[e - 1] = '\0';
			each_word(x[1], list_word, &lu);
		}
		goto done;
	}
	if (streq(name, "strip") || streq(name, "sort") || streq(name, "words") ||
	    streq(name, "firstword") || streq(name, "lastword") || streq(name, "dir") ||
	    streq(name, "notdir") || streq(name, "basename") || streq(name, "suffix") ||
	    streq(name, "wildcard")) {
		struct collect_ud w = { 0 };

		a[0] = args;
		l[0] = an;
		if (!ARG(0)) {
			out->oom = true;
			goto done;
		}
		each_word(x[0], collect_word, &w);
		if (streq(name, "sort") && w.n) {
			qsort(w.w, w.n, sizeof(*w.w), cmp_str);
			for (size_t i = 0; i < w.n; i++)
				if (i == 0 || !streq(w.w[i], w.w[i - 1]))
					sb_word(out, w.w[i], strlen(w.w[i]));
		} else if (streq(name, "words")) {
			char num[24];

			snprintf(num, sizeof(num), "%zu", w.n);
			sb_adds(out, num);
		} else if (streq(name, "firstword") || streq(name, "lastword")) {
			if (w.n)
				sb_adds(out, w.w[streq(name, "firstword") ? 0 : w.n - 1]);
		} else if (streq(name, "wildcard")) {
			for (size_t i = 0; i < w.n; i++) {
				if (strpbrk(w.w[i], "*?[")) {
					mk_unsupported(c, "$(wildcard) with a glob pattern");
					continue;
				}
				if (c->h && c->h->exists && c->h->exists(c->h->userdata, w.w[i]))
					sb_word(out, w.w[i], strlen(w.w[i]));
			}
		} else {
			struct list_ud lu = { out, "", 6 };

			lu.mode = streq(name, "dir") ? 2 : streq(name, "notdir") ? 3
				: streq(name, "basename") ? 4 : streq(name, "suffix") ? 5 : 6;
			for (size_t i = 0; i < w.n; i++)
				list_word(&lu, w.w[i], strlen(w.w[i]));
		}
		collect_free(&w);
		goto done;
	}
#undef ARG
	return false;
done:
	free(x[0]);
	free(x[1]);
	free(x[2]);
	return true;
}

/* A recursive variable's value, reported as coming from where it was defined. */
static void expand_var(struct mk_ctx *c, const struct mk_var *v, struct sb *out, int depth)
{
	const char *file = c->file;
	unsigned line = c->line;

	if (v->file) {
		c->file = v->file;
		c->line = v->line;
	}
	expand(c, v->value, strlen(v->value), out, depth + 1);
	c->file = file;
	c->line = line;
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
		if (v->recursive)
			expand_var(c, v, &val, depth);
		else
			sb_adds(&val, v->value);
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
			each_word(val.p, patsubst_word, &p);
		}
		free(pat);
		free(rep);
		free(val.p);
		return;
	}
	v = mk_lookup(c->vars, ref);
	if (!v)
		return;
	if (v->recursive)
		expand_var(c, v, out, depth);
	else
		sb_adds(out, v->value);
}

static void expand(struct mk_ctx *c, const char *s, size_t n, struct sb *out, int depth)
{
	if (depth > MK_MAX_DEPTH) {
		mk_unsupported(c, "expansion nested too deeply (recursive variable?)");
		return;
	}
	for (size_t i = 0; i < n && !out->oom; i++) {
		size_t end, nl;
		const char *body;

		if (out->len > MK_MAX_VALUE) {
			mk_unsupported(c, "expansion larger than 1 MiB");
			return;
		}
		if (s[i] != '$' || i + 1 >= n) {
			sb_add(out, s + i, 1);
			continue;
		}
		i++;
		if (s[i] == '$') {
			sb_add(out, "$", 1);
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
				if (function(c, fname, body + fl + 1, nl - fl - 1, out, depth)) {
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
	return sb_take(&b);
}

char *mk_expand_text(struct mk_vars *v, const struct mk_host *h, const char *text)
{
	struct mk_ctx c = { .vars = v, .h = h, .file = "(expression)" };

	return mk_expand(&c, text, strlen(text), 0);
}
