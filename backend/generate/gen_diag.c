// SPDX-License-Identifier: GPL-2.0-only
/*
 * gcc's diagnostics and the headers that define what they miss, as text. gcc quotes names
 * with ‘’ in a UTF-8 locale and with '' otherwise: both are read. A header is scanned line
 * by line with its preprocessor nesting (the include guard does not count), which is what
 * decides whether a definition may be carried: one under #ifdef CONFIG_X depends on a
 * configuration the fix source's header chose, not this kernel's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_diag.h"
#include "util.h"

void gen_diag_free(struct gen_diag *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].type);
		free(d[i].file);
		free(d[i].message);
		free(d[i].note);
	}
	free(d);
}

/* The nth (0-based) quoted name in s, within the line (malloc'd), or NULL. */
static char *quoted(const char *s, size_t len, unsigned nth)
{
	static const char lq[] = "\xe2\x80\x98", rq[] = "\xe2\x80\x99";
	const char *end = s + len;

	for (const char *p = s; p < end; p++) {
		const char *start, *close;

		if (p + 3 <= end && !memcmp(p, lq, 3)) {
			start = p + 3;
			close = memmem(start, (size_t)(end - start), rq, 3);
		} else if (*p == '\'') {
			start = p + 1;
			close = memchr(start, '\'', (size_t)(end - start));
		} else {
			continue;
		}
		if (!close)
			return NULL;
		if (nth-- == 0)
			return strndup(start, (size_t)(close - start));
		p = *close == '\'' ? close : close + 2;
	}
	return NULL;
}

static bool msg_has(const char *m, size_t n, const char *what)
{
	return memmem(m, n, what, strlen(what)) != NULL;
}

/* The need an error message states, and its names. */
static enum gen_need classify(const char *m, size_t n, char **name, char **type)
{
	*name = *type = NULL;
	if (msg_has(m, n, "implicit declaration of function")) {
		*name = quoted(m, n, 0);
		return GEN_NEED_FUNCTION;
	}
	if (msg_has(m, n, " undeclared")) {
		*name = quoted(m, n, 0);
		return GEN_NEED_IDENT;
	}
	if (msg_has(m, n, "has no member named")) {
		*type = quoted(m, n, 0);
		*name = quoted(m, n, 1);
		return GEN_NEED_MEMBER;
	}
	if (msg_has(m, n, "unknown type name") || msg_has(m, n, "invalid use of undefined type") ||
	    msg_has(m, n, "has incomplete type") || msg_has(m, n, "isn't known")) {
		*name = quoted(m, n, 0);
		return GEN_NEED_TYPE;
	}
	if (msg_has(m, n, "arguments to function") || msg_has(m, n, "conflicting types for")) {
		*name = quoted(m, n, 0);
		return GEN_NEED_SIGNATURE;
	}
	if ((msg_has(m, n, "passing argument") && msg_has(m, n, " of ")) ||
	    msg_has(m, n, "incompatible type for argument")) {
		/* the function is the quoted name after " of " */
		const char *of = memmem(m, n, " of ", 4);

		*name = quoted(of, n - (size_t)(of - m), 0);
		return GEN_NEED_SIGNATURE;
	}
	return GEN_NEED_OTHER;
}

/* "fs/x.c:12:5: error: ..." -> file, line, the message's start; false for other lines. */
static bool split_line(const char *l, size_t n, const char *kind, char **file, unsigned *line,
		       const char **msg)
{
	const char *k = memmem(l, n, kind, strlen(kind));
	const char *colon;

	if (!k)
		return false;
	colon = memchr(l, ':', (size_t)(k - l));
	if (!colon || colon == l || !isdigit((unsigned char)colon[1]))
		return false;
	*line = (unsigned)strtoul(colon + 1, NULL, 10);
	*file = strndup(l, (size_t)(colon - l));
	*msg = k + strlen(kind);
	return true;
}

int gen_diag_parse(const char *log, struct gen_diag **ret, size_t *n)
{
	struct gen_diag *v = NULL;
	size_t cnt = 0;
	bool last_signature = false;

	for (const char *l = log; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *file = NULL, *name = NULL, *type = NULL;
		const char *msg;
		unsigned line;
		enum gen_need need;
		bool dup = false;

		if (last_signature && split_line(l, len, ": note: ", &file, &line, &msg)) {
			/* where this kernel declares the function whose signature changed */
			if (!v[cnt - 1].note && msg_has(msg, len - (size_t)(msg - l), "declared here") &&
			    asprintf(&v[cnt - 1].note, "%s:%u", file, line) < 0)
				goto oom;
			continue;
		}
		if (!split_line(l, len, ": error: ", &file, &line, &msg))
			continue;
		need = classify(msg, len - (size_t)(msg - l), &name, &type);
		last_signature = false;
		if (need != GEN_NEED_OTHER && !name)
			need = GEN_NEED_OTHER;
		for (size_t i = 0; i < cnt && need != GEN_NEED_OTHER; i++)
			dup |= v[i].need == need && streq(v[i].name, name) &&
			       streq(strempty(v[i].type), strempty(type));
		if (dup)
			continue;
		struct gen_diag *g = realloc(v, (cnt + 1) * sizeof(*g));

		if (!g)
			goto oom;
		v = g;
		g = &v[cnt++];
		memset(g, 0, sizeof(*g));
		g->need = need;
		g->line = line;
		g->name = TAKE_PTR(name);
		g->type = TAKE_PTR(type);
		g->file = TAKE_PTR(file);
		g->message = strndup(msg, len - (size_t)(msg - l));
		if (!g->message)
			goto oom;
		last_signature = need == GEN_NEED_SIGNATURE;
	}
	*ret = v;
	*n = cnt;
	return 0;
oom:
	gen_diag_free(v, cnt);
	return -ENOMEM;
}

const char *gen_def_kind_string(enum gen_def_kind k)
{
	switch (k) {
	case GEN_DEF_MACRO: return "a macro";
	case GEN_DEF_INLINE: return "a static inline function";
	case GEN_DEF_FUNCTION: return "a function";
	case GEN_DEF_TYPE: return "a type";
	case GEN_DEF_ENUM: return "an enum constant";
	case GEN_DEF_MEMBER: return "a struct member";
	case GEN_DEF_VARIABLE: return "a variable";
	default: return "not defined";
	}
}

void gen_def_clear(struct gen_def *d)
{
	free(d->text);
	memset(d, 0, sizeof(*d));
}

static bool ident_char(char ch)
{
	return ch == '_' || isalnum((unsigned char)ch);
}

/* name as a whole word in [s, s+n), or NULL */
static const char *word(const char *s, size_t n, const char *name)
{
	size_t w = strlen(name);

	for (const char *p = s; (p = memmem(p, n - (size_t)(p - s), name, w)); p++) {
		if ((p == s || !ident_char(p[-1])) && (p + w == s + n || !ident_char(p[w])))
			return p;
		if (p + w >= s + n)
			break;
	}
	return NULL;
}

struct line {
	const char *s;
	size_t n;
};

/* The text's lines (pointers into it). */
static int split_lines(const char *text, struct line **ret, size_t *n)
{
	size_t cnt = 1;
	struct line *v;

	for (const char *p = text; *p; p++)
		cnt += *p == '\n';
	v = calloc(cnt, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cnt = 0;
	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!*l)
			break;
		v[cnt].s = l;
		v[cnt++].n = strcspn(l, "\n");
	}
	*ret = v;
	*n = cnt;
	return 0;
}

/* The directive a line holds ("define", "ifdef"...), with its argument; false otherwise. */
static bool directive(const struct line *l, char kw[16], const char **arg)
{
	const char *p = l->s, *e = l->s + l->n;
	size_t k = 0;

	while (p < e && isblank((unsigned char)*p))
		p++;
	if (p == e || *p != '#')
		return false;
	for (p++; p < e && isblank((unsigned char)*p); p++)
		;
	while (p < e && isalpha((unsigned char)*p) && k < 15)
		kw[k++] = *p++;
	kw[k] = '\0';
	while (p < e && isblank((unsigned char)*p))
		p++;
	*arg = p;
	return true;
}

/* From the line holding a '{' at or after line i to the line closing it. */
static size_t body_end(const struct line *v, size_t n, size_t i)
{
	int depth = 0;
	bool opened = false;

	for (; i < n; i++) {
		for (size_t j = 0; j < v[i].n; j++) {
			if (v[i].s[j] == '{')
				depth++, opened = true;
			else if (v[i].s[j] == '}')
				depth--;
			else if (v[i].s[j] == ';' && !opened)
				return i;
		}
		if (opened && depth <= 0)
			return i;
	}
	return n - 1;
}

static bool line_has(const struct line *l, const char *what)
{
	return word(l->s, l->n, what) != NULL;
}

static int set_text(struct gen_def *d, const struct line *v, size_t from, size_t to)
{
	const char *end = v[to].s + v[to].n;

	d->text = strndup(v[from].s, (size_t)(end - v[from].s));
	return d->text ? 0 : -ENOMEM;
}

/* A function named at line i: its declaration's first line (the one after the previous
 * statement, comment or directive). */
static size_t decl_start(const struct line *v, size_t i)
{
	while (i > 0) {
		const struct line *p = &v[i - 1];
		size_t n = p->n;

		while (n && isspace((unsigned char)p->s[n - 1]))
			n--;
		if (!n || p->s[n - 1] == ';' || p->s[n - 1] == '}' || p->s[n - 1] == '/' ||
		    p->s[n - 1] == '{' || p->s[0] == '#' || p->s[n - 1] == '\\')
			break;
		i--;
	}
	return i;
}

int gen_def_find(const char *text, const char *name, const char *type, struct gen_def *d)
{
	_cleanup_free_ struct line *v = NULL;
	const char *tag = type && strchr(type, ' ') ? strchr(type, ' ') + 1 : type;
	const char *arg;
	char kw[16];
	size_t n;
	int depth = 0, in_enum = -1, in_struct = -1, brace = 0;
	bool first_directive = true;

	memset(d, 0, sizeof(*d));
	if (split_lines(text, &v, &n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct line *l = &v[i];
		const char *w, *after, *e = l->s + l->n;
		int at_start = brace;

		if (directive(l, kw, &arg)) {
			size_t an = (size_t)(e - arg);

			/* the include guard is the file's first directive: not a condition */
			if (streq(kw, "if") || streq(kw, "ifdef") ||
			    (streq(kw, "ifndef") && !first_directive))
				depth++;
			else if (streq(kw, "endif") && depth > 0)
				depth--;
			else if (streq(kw, "define") && !type && word(arg, an, name) == arg) {
				size_t end = i;

				while (end + 1 < n && v[end].n && v[end].s[v[end].n - 1] == '\\')
					end++;
				d->kind = GEN_DEF_MACRO;
				d->line = (unsigned)i + 1;
				d->conditional = depth > 0;
				return set_text(d, v, i, end);
			}
			first_directive = false;
			continue;
		}
		for (size_t j = 0; j < l->n; j++) {
			if (l->s[j] == '{') {
				if (in_enum < 0 && in_struct < 0 && line_has(l, "enum"))
					in_enum = brace;
				if (tag && in_struct < 0 && line_has(l, tag) &&
				    (line_has(l, "struct") || line_has(l, "union")))
					in_struct = brace;
				brace++;
			} else if (l->s[j] == '}') {
				brace--;
				if (brace == in_enum)
					in_enum = -1;
				if (brace == in_struct)
					in_struct = -1;
			}
		}
		w = word(l->s, l->n, name);
		if (!w)
			continue;
		after = w + strlen(name);
		while (after < e && isblank((unsigned char)*after))
			after++;
		d->line = (unsigned)i + 1;
		d->conditional = depth > 0;
		if (type) {
			if (in_struct >= 0 && at_start > in_struct && memchr(w, ';', (size_t)(e - w))) {
				d->kind = GEN_DEF_MEMBER;
				return 0;
			}
			continue;
		}
		if (in_enum >= 0 && at_start > in_enum) {
			if (after == e || *after == ',' || *after == '=') {
				d->kind = GEN_DEF_ENUM;
				return 0;
			}
			continue;
		}
		if (strchr(name, ' ') && at_start == 0 && (after == e || *after == '{')) {
			d->kind = GEN_DEF_TYPE; /* "struct foo {" for the type "struct foo" */
			return 0;
		}
		if (l->s[0] == '}' && after < e && *after == ';') {
			d->kind = GEN_DEF_TYPE; /* "} name;" closing a typedef */
			return 0;
		}
		if (at_start > 0)
			continue; /* used inside some body */
		{
			size_t start = decl_start(v, i);
			bool is_inline = false, is_typedef = false;

			for (size_t j = start; j <= i; j++) {
				is_inline |= line_has(&v[j], "inline") ||
					     line_has(&v[j], "__always_inline");
				is_typedef |= line_has(&v[j], "typedef");
			}
			if (is_typedef || ((word(l->s, (size_t)(w - l->s), "struct") ||
					    word(l->s, (size_t)(w - l->s), "union") ||
					    word(l->s, (size_t)(w - l->s), "enum")) &&
					   (after == e || *after == '{'))) {
				d->kind = GEN_DEF_TYPE;
				return 0;
			}
			if (after < e && *after == '(' && !memchr(l->s, '=', (size_t)(w - l->s))) {
				size_t end = body_end(v, n, i);

				if (is_inline && memchr(v[end].s, '}', v[end].n)) {
					d->kind = GEN_DEF_INLINE;
					d->line = (unsigned)start + 1;
					return set_text(d, v, start, end);
				}
				d->kind = GEN_DEF_FUNCTION;
				return 0;
			}
			if (line_has(&v[start], "extern") && after < e && (*after == ';' || *after == '[')) {
				d->kind = GEN_DEF_VARIABLE;
				return 0;
			}
		}
	}
	memset(d, 0, sizeof(*d));
	return 0;
}

int gen_carry_insert(const char *text, const char *block, unsigned before, char **out)
{
	_cleanup_free_ struct line *v = NULL;
	size_t n, at = 0;
	const char *mark = strstr(text, GEN_CARRY_MARK);
	unsigned next = 1;
	int depth = 0;
	char kw[16];
	const char *arg;

	if (mark) {
		/* earlier carries may use this round's: these go first (the #line after the
		 * earlier block still holds for the rest of the file) */
		at = (size_t)(mark - text);
		return asprintf(out, "%.*s%s%s", (int)at, text, block, text + at) < 0 ? -ENOMEM : 0;
	} else {
		if (split_lines(text, &v, &n) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < n && (before == 0 || i + 1 < before); i++) {
			if (!directive(&v[i], kw, &arg))
				continue;
			if (startswith(kw, "if"))
				depth++;
			else if (streq(kw, "endif") && depth > 0)
				depth--;
			else if (streq(kw, "include") && depth == 0) {
				at = (size_t)(v[i].s + v[i].n - text) + (v[i].s[v[i].n] == '\n');
				next = (unsigned)i + 2;
			}
		}
	}
	/* the lines after keep their numbers: a function using __LINE__ (WARN_ON, BUG_ON)
	 * must not change only because the carried lines came before it */
	if (asprintf(out, "%.*s%s#line %u\n%s", (int)at, text, block, next, text + at) < 0)
		return -ENOMEM;
	return 0;
}
