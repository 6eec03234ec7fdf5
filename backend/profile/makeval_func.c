/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The built-in functions of the make language ($(patsubst ...), $(foreach ...), $(call ...)
 * and the rest makeval.h lists) and the word helpers they share with substitution
 * references. Expansion itself, and the variables, are in makeval.c.
 */
#include "makeval.h"
#include "makeval_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

void mk_each_word(const char *s, mk_word_fn fn, void *ud)
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

void mk_patsubst_word(void *ud, const char *w, size_t n)
{
	struct patsubst_ud *p = ud;
	size_t at, len;
	const char *pct = strchr(p->rep, '%');

	if (!pattern_match(p->pat, strlen(p->pat), w, n, &at, &len)) {
		mk_sb_word(p->out, w, n);
		return;
	}
	if (!strchr(p->pat, '%') || !pct) {
		mk_sb_word(p->out, p->rep, strlen(p->rep));
		return;
	}
	if (p->out->len)
		mk_sb_add(p->out, " ", 1);
	mk_sb_add(p->out, p->rep, (size_t)(pct - p->rep));
	mk_sb_add(p->out, w + at, len);
	mk_sb_adds(p->out, pct + 1);
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
		mk_sb_word(f->out, w, n);
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
			mk_sb_add(l->out, " ", 1);
		mk_sb_adds(l->out, l->arg);
		mk_sb_add(l->out, w, n);
		break;
	case 1:
		mk_sb_word(l->out, w, n);
		mk_sb_adds(l->out, l->arg);
		break;
	case 2:
		if (slash)
			mk_sb_word(l->out, w, (size_t)(slash - w) + 1);
		else
			mk_sb_word(l->out, "./", 2);
		break;
	case 3:
		if (slash)
			mk_sb_word(l->out, slash + 1, n - (size_t)(slash + 1 - w));
		else
			mk_sb_word(l->out, w, n);
		break;
	case 4:
		mk_sb_word(l->out, w, dot ? (size_t)(dot - w) : n);
		break;
	case 5:
		if (dot)
			mk_sb_word(l->out, dot, n - (size_t)(dot - w));
		break;
	default:
		mk_sb_word(l->out, w, n);
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

bool mk_function(struct mk_ctx *c, const char *name, const char *args, size_t an, struct sb *out,
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
				mk_expand_into(c, a[1], l[1], out, depth + 1);
			else if (!t && k > 2)
				mk_expand_into(c, a[2], l[2], out, depth + 1);
			return true;
		}
		for (size_t i = 0; i < k; i++) {
			char *v = mk_expand(c, a[i], l[i], depth + 1);
			bool t = v && !all_space(v);

			if (streq(name, "or") ? t : (!t || i == k - 1)) {
				if (t)
					mk_sb_adds(out, v);
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
		mk_each_word(ARG(1) ? x[1] : "", collect_word, &words);
		for (size_t i = 0; var && i < words.n; i++) {
			struct sb one = { 0 };
			struct mk_vars *saved = c->vars, *scope = mk_vars_clone(saved);

			if (!scope || mk_set(scope, var, words.w[i]) < 0) {
				mk_vars_free(scope);
				out->oom = true;
				break;
			}
			c->vars = scope;
			mk_expand_into(c, a[2], l[2], &one, depth + 1);
			c->vars = saved;
			mk_vars_free(scope);
			if (one.len)
				mk_sb_word(out, one.p, one.len);
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
			mk_expand_var(c, def, out, depth);
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
				mk_sb_add(out, s, (size_t)(hit - s));
				mk_sb_adds(out, x[1]);
				s = hit + fl;
			}
			mk_sb_adds(out, s);
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
			mk_each_word(x[2], mk_patsubst_word, &p);
		} else if (streq(name, "findstring")) {
			if (strstr(x[1], x[0]))
				mk_sb_adds(out, x[0]);
		} else if (streq(name, "filter") || streq(name, "filter-out")) {
			struct filter_ud f = { x[0], streq(name, "filter"), out };

			mk_each_word(x[1], filter_word, &f);
		} else if (streq(name, "word")) {
			struct collect_ud w = { 0 };
			long i = strtol(x[0], NULL, 10);

			mk_each_word(x[1], collect_word, &w);
			if (i >= 1 && (size_t)i <= w.n)
				mk_sb_adds(out, w.w[i - 1]);
			collect_free(&w);
		} else {
			struct list_ud lu = { out, x[0], streq(name, "addprefix") ? 0 : 1 };
			char *arg = x[0];

			while (isspace((unsigned char)*arg))
				arg++;
			lu.arg = arg;
			for (size_t e = strlen(arg); e && isspace((unsigned char)arg[e - 1]); e--)
				arg[e - 1] = '\0';
			mk_each_word(x[1], list_word, &lu);
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
		mk_each_word(x[0], collect_word, &w);
		if (streq(name, "sort") && w.n) {
			qsort(w.w, w.n, sizeof(*w.w), cmp_str);
			for (size_t i = 0; i < w.n; i++)
				if (i == 0 || !streq(w.w[i], w.w[i - 1]))
					mk_sb_word(out, w.w[i], strlen(w.w[i]));
		} else if (streq(name, "words")) {
			char num[24];

			snprintf(num, sizeof(num), "%zu", w.n);
			mk_sb_adds(out, num);
		} else if (streq(name, "firstword") || streq(name, "lastword")) {
			if (w.n)
				mk_sb_adds(out, w.w[streq(name, "firstword") ? 0 : w.n - 1]);
		} else if (streq(name, "wildcard")) {
			for (size_t i = 0; i < w.n; i++) {
				if (strpbrk(w.w[i], "*?[")) {
					mk_unsupported(c, "$(wildcard) with a glob pattern");
					continue;
				}
				if (c->h && c->h->exists && c->h->exists(c->h->userdata, w.w[i]))
					mk_sb_word(out, w.w[i], strlen(w.w[i]));
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
