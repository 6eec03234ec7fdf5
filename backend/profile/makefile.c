/* SPDX-License-Identifier: GPL-2.0-only */
/* Makefile lines: continuations, comments, conditionals, assignments, include (mk_eval). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "makeval_internal.h"
#include "util.h"

#define MK_MAX_COND 64
#define MK_MAX_INCLUDE 8

struct cond {
	bool parent_active; /* were lines active where this if started? */
	bool taken;         /* has a branch of this if/else chain been taken? */
	bool active;        /* is the current branch active? */
};

struct eval_state {
	struct mk_ctx *c;
	struct cond stack[MK_MAX_COND];
	int depth;
	int define_depth;
	bool in_rule;
	int include_depth;
};

static bool active(const struct eval_state *e)
{
	return e->depth == 0 || e->stack[e->depth - 1].active;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* "ifeq (a,b)", "ifeq 'a' 'b'", "ifeq "a" "b"": expanded and compared. */
static bool eval_ifeq(struct mk_ctx *c, char *args, bool *ok)
{
	char *a = NULL, *b = NULL, *ea, *eb;
	bool eq;

	*ok = true;
	args = trim(args);
	if (args[0] == '(') {
		size_t n = strlen(args);
		int level = 0;
		char *comma = NULL;

		if (n < 2 || args[n - 1] != ')') {
			*ok = false;
			return false;
		}
		args[n - 1] = '\0';
		for (char *p = args + 1; *p; p++) {
			if (*p == '(' || *p == '{')
				level++;
			else if (*p == ')' || *p == '}')
				level--;
			else if (*p == ',' && level == 0) {
				comma = p;
				break;
			}
		}
		if (!comma) {
			*ok = false;
			return false;
		}
		*comma = '\0';
		a = args + 1;
		b = comma + 1;
	} else if (args[0] == '"' || args[0] == '\'') {
		char q = args[0], *end = strchr(args + 1, q), *q2;

		if (!end) {
			*ok = false;
			return false;
		}
		*end = '\0';
		a = args + 1;
		q2 = trim(end + 1);
		if ((q2[0] != '"' && q2[0] != '\'') || !(end = strchr(q2 + 1, q2[0]))) {
			*ok = false;
			return false;
		}
		*end = '\0';
		b = q2 + 1;
	} else {
		*ok = false;
		return false;
	}
	ea = mk_expand(c, a, strlen(a), 0);
	eb = mk_expand(c, b, strlen(b), 0);
	eq = ea && eb && streq(trim(ea), trim(eb));
	free(ea);
	free(eb);
	return eq;
}

static bool eval_ifdef(struct mk_ctx *c, char *args)
{
	char *name = mk_expand(c, args, strlen(args), 0);
	struct mk_var *v = name ? mk_lookup(c->vars, trim(name)) : NULL;
	bool def = v && v->value[0];

	free(name);
	return def;
}

/* Conditional directives; returns true when the line was one. */
static bool directive(struct eval_state *e, char *line)
{
	struct mk_ctx *c = e->c;
	char *word = line, *rest;
	bool is_else = false, cond = false, ok = true;
	size_t wl = strcspn(line, " \t");

	rest = line + wl;
	if (wl == 4 && !memcmp(word, "else", 4)) {
		is_else = true;
		rest = trim(rest);
		word = rest;
		wl = strcspn(rest, " \t");
		rest += wl;
		if (wl == 0) {
			struct cond *top;

			if (e->depth == 0) {
				mk_unsupported(c, "else without if");
				return true;
			}
			top = &e->stack[e->depth - 1];
			top->active = top->parent_active && !top->taken;
			top->taken |= top->active;
			return true;
		}
	}
	if (wl == 5 && !memcmp(word, "endif", 5)) {
		if (e->depth == 0)
			mk_unsupported(c, "endif without if");
		else
			e->depth--;
		return true;
	}
	if (!((wl == 4 && (!memcmp(word, "ifeq", 4))) || (wl == 5 && !memcmp(word, "ifneq", 5)) ||
	      (wl == 5 && !memcmp(word, "ifdef", 5)) || (wl == 6 && !memcmp(word, "ifndef", 6)))) {
		if (is_else)
			mk_unsupported(c, "else followed by something other than a conditional");
		return is_else;
	}
	if (is_else) {
		struct cond *top;

		if (e->depth == 0) {
			mk_unsupported(c, "else without if");
			return true;
		}
		top = &e->stack[e->depth - 1];
		if (!top->parent_active || top->taken) {
			top->active = false;
			return true;
		}
	} else {
		if (e->depth == MK_MAX_COND) {
			mk_unsupported(c, "conditionals nested too deeply");
			return true;
		}
		bool parent = active(e);

		e->stack[e->depth++] = (struct cond){ .parent_active = parent };
		if (!e->stack[e->depth - 1].parent_active)
			return true;
	}
	if (startswith(word, "ifeq") || startswith(word, "ifneq"))
		cond = eval_ifeq(c, rest, &ok) == startswith(word, "ifeq");
	else
		cond = eval_ifdef(c, rest) == startswith(word, "ifdef");
	if (!ok)
		mk_unsupported(c, "malformed conditional");
	e->stack[e->depth - 1].active = cond;
	e->stack[e->depth - 1].taken = cond;
	return true;
}

static int eval_text(struct eval_state *e, const char *file, const char *text);

static int include(struct eval_state *e, char *args, bool optional)
{
	struct mk_ctx *c = e->c;
	char *paths = mk_expand(c, args, strlen(args), 0), *save = NULL;
	int k = 0;

	if (!paths)
		return -ENOMEM;
	for (char *p = strtok_r(paths, " \t", &save); p && k >= 0; p = strtok_r(NULL, " \t", &save)) {
		const char *text = c->h && c->h->read ? c->h->read(c->h->userdata, p) : NULL;
		const char *saved_file = c->file;
		unsigned saved_line = c->line;

		if (!text) {
			if (!optional)
				mk_unsupported(c, "include of a file that is not in the source");
			continue;
		}
		if (e->include_depth >= MK_MAX_INCLUDE) {
			mk_unsupported(c, "includes nested too deeply");
			continue;
		}
		/* depth alone allows a file that includes itself four times 4^8 evaluations */
		if (++c->includes > MK_MAX_INCLUDES) {
			char what[96];

			snprintf(what, sizeof(what), "evaluation stopped: more than %u includes",
				 MK_MAX_INCLUDES);
			mk_unsupported(c, what);
			c->stopped = true;
			break;
		}
		e->include_depth++;
		k = eval_text(e, p, text);
		e->include_depth--;
		c->file = saved_file;
		c->line = saved_line;
	}
	free(paths);
	return k;
}

/* The position of an assignment operator at nesting level 0, and its kind. */
static char *find_assignment(char *s, char *kind, bool *is_rule)
{
	int level = 0;

	*is_rule = false;
	for (char *p = s; *p; p++) {
		if (*p == '(' || *p == '{')
			level++;
		else if (*p == ')' || *p == '}')
			level--;
		if (level)
			continue;
		if (*p == ':') {
			if (p[1] == '=') {
				*kind = ':';
				return p;
			}
			if (p[1] == ':' && p[2] == '=') {
				*kind = ':';
				return p;
			}
			*is_rule = true;
			return NULL;
		}
		if (*p == '=') {
			*kind = p > s && (p[-1] == '+' || p[-1] == '?' || p[-1] == '!') ? p[-1] : '=';
			return *kind == '=' ? p : p - 1;
		}
	}
	return NULL;
}

static int assignment(struct eval_state *e, char *line, char *op, char kind)
{
	struct mk_ctx *c = e->c;
	char *lhs, *rhs, *name;
	struct mk_var *old;
	int k = 0;

	*op = '\0';
	rhs = op + (kind == '=' ? 1 : (op[1] == ':' && op[2] == '=') ? 3 : 2);
	if (kind == ':' && op[1] == ':')
		rhs = op + 3;
	rhs = trim(rhs);
	lhs = trim(line);
	for (const char *kw = "override "; startswith(lhs, kw);)
		lhs = trim(lhs + strlen(kw));
	if (startswith(lhs, "export ") || startswith(lhs, "private "))
		lhs = trim(strchr(lhs, ' '));
	name = mk_expand(c, lhs, strlen(lhs), 0);
	if (!name)
		return -ENOMEM;
	lhs = trim(name);
	if (kind == '!') {
		mk_unsupported(c, "!= (shell assignment) is not evaluated");
		free(name);
		return 0;
	}
	old = mk_lookup(c->vars, lhs);
	switch (kind) {
	case '?':
		if (old)
			break;
		/* fall through */
	case '=':
		k = mk_set_var(c->vars, lhs, strdup(rhs), true, c);
		break;
	case ':':
		k = mk_set_var(c->vars, lhs, mk_expand(c, rhs, strlen(rhs), 0), false, c);
		break;
	case '+': {
		bool rec = old ? old->recursive : true;
		char *add = rec ? strdup(rhs) : mk_expand(c, rhs, strlen(rhs), 0), *joined = NULL;

		if (add && asprintf(&joined, "%s%s%s", old ? old->value : "",
				    old && old->value[0] && add[0] ? " " : "", add) < 0)
			joined = NULL;
		free(add);
		/* what this value's expansion meets is reported at its last assignment */
		k = mk_set_var(c->vars, lhs, joined, rec, c);
		break;
	}
	}
	free(name);
	return k;
}

static int eval_line(struct eval_state *e, char *raw)
{
	struct mk_ctx *c = e->c;
	char *line, *op, kind = 0;
	bool is_rule;

	if (raw[0] == '\t' && e->in_rule)
		return 0; /* a recipe */
	line = trim(raw);
	if (!*line)
		return 0;
	e->in_rule = false;

	if (startswith(line, "define ") || streq(line, "define")) {
		if (active(e) || e->define_depth)
			e->define_depth++;
		return 0;
	}
	if (e->define_depth) {
		if (streq(line, "endef") || startswith(line, "endef "))
			e->define_depth--;
		return 0;
	}
	if (directive(e, line))
		return 0;
	if (!active(e))
		return 0;
	if ((startswith(line, "include") && isspace((unsigned char)line[7])) ||
	    (startswith(line, "-include") && isspace((unsigned char)line[8])) ||
	    (startswith(line, "sinclude") && isspace((unsigned char)line[8])))
		return include(e, line + (line[0] == 'i' ? 7 : 8), line[0] != 'i');
	if (startswith(line, "vpath") || startswith(line, "unexport ") ||
	    streq(line, "export") || startswith(line, "undefine "))
		return 0;
	op = find_assignment(line, &kind, &is_rule);
	if (op)
		return assignment(e, line, op, kind);
	if (is_rule) {
		e->in_rule = true;
		return 0;
	}
	if (strstr(line, "$(eval"))
		mk_unsupported(c, "$(eval ...) is not evaluated");
	return 0;
}

/* Joins continuation lines, drops comments, and evaluates each logical line. */
static int eval_text(struct eval_state *e, const char *file, const char *text)
{
	struct mk_ctx *c = e->c;
	size_t cap = 256, len;
	char *buf = malloc(cap);
	const char *p = text;
	unsigned lineno = 0;
	int k = 0;

	if (!buf)
		return -ENOMEM;
	c->file = file;
	while (*p && k >= 0 && !c->stopped) {
		bool comment = false;

		len = 0;
		c->line = lineno + 1;
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			bool cont = n && p[n - 1] == '\\';

			lineno++;
			if (len + n + 2 > cap) {
				char *grown;

				while (len + n + 2 > cap)
					cap *= 2;
				grown = realloc(buf, cap);
				if (!grown) {
					free(buf);
					return -ENOMEM;
				}
				buf = grown;
			}
			for (size_t i = 0; i < n - (cont ? 1 : 0); i++) {
				/* an unescaped # starts a comment, except in a recipe */
				if (p[i] == '#' && !comment && !(i && p[i - 1] == '\\') &&
				    !(p[0] == '\t' && e->in_rule))
					comment = true;
				if (!comment)
					buf[len++] = p[i];
			}
			if (cont)
				buf[len++] = ' ';
			p += n + (nl ? 1 : 0);
			if (!cont || !nl)
				break;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		buf[len] = '\0';
		k = eval_line(e, buf);
	}
	free(buf);
	return k;
}

int mk_eval(struct mk_vars *v, const struct mk_host *h, const char *file, const char *text)
{
	struct mk_ctx c = { .vars = v, .h = h, .file = file };
	struct eval_state e = { .c = &c };
	int k = eval_text(&e, file, text);

	if (k >= 0 && e.depth)
		mk_unsupported(&c, "if without endif at the end of the file");
	return k;
}
