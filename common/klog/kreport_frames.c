/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lowest layer of the report classifier: symbols ("func+0xOFF/0xSIZE [module]") and
 * call-trace lines, copied into the report's arena. Nothing here knows report types.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"

const char *kp_dup(struct kp_cls *c, const char *s, size_t n)
{
	return arena_strndup(c->a, s, n);
}

static bool is_symch(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '$';
}

static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || !isxdigit((unsigned char)*s))
		return false;
	while (s < end && isxdigit((unsigned char)*s)) {
		int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);

		x = x << 4 | (uint64_t)d;
		s++;
	}
	*p = s;
	*v = x;
	return true;
}

/* " path/file.c:123" after a symbol (KASAN and debug-info kernels print it): the path. */
static const char *parse_file(struct kp_cls *c, const char *p, const char *end, struct kframe *f)
{
	const char *s = p + 1, *q = s, *dot = NULL;

	if (end - p < 4 || *p != ' ')
		return p;
	while (q < end && *q != ':' && *q != ' ') {
		if (*q == '.')
			dot = q;
		q++;
	}
	if (!dot || q + 1 >= end || *q != ':' || !isdigit((unsigned char)q[1]))
		return p;
	f->file = kp_dup(c, s, (size_t)(q - s));
	q++;
	while (q < end && (isdigit((unsigned char)*q) || *q == ':'))
		q++;
	return q;
}

/* "func+0xOFF/0xSIZE" with an optional " [module]" or " [module buildid]" after it, and
 * an optional " path/file.c:123". */
const char *kp_parse_sym(struct kp_cls *c, const char *s, const char *end, struct kframe *f)
{
	const char *p = s, *name_end;

	while (p < end && is_symch(*p))
		p++;
	if (p == s || end - p < 3 || memcmp(p, "+0x", 3) != 0)
		return NULL;
	name_end = p;
	p += 3;
	if (!parse_hex(&p, end, &f->offset))
		return NULL;
	if (end - p >= 3 && memcmp(p, "/0x", 3) == 0) {
		p += 3;
		if (!parse_hex(&p, end, &f->size))
			return NULL;
	}
	f->function = kp_dup(c, s, (size_t)(name_end - s));
	f->module = NULL;
	f->file = NULL;
	if (end - p >= 2 && p[0] == ' ' && p[1] == '[') {
		const char *m = p + 2, *me = m;

		while (me < end && kp_is_modch(*me))
			me++;
		if (me > m && me < end && (*me == ']' || *me == ' ') &&
		    !(me - m == 6 && memcmp(m, "inline", 6) == 0)) {
			f->module = kp_dup(c, m, (size_t)(me - m));
			p = memchr(me, ']', (size_t)(end - me));
			p = p ? p + 1 : end;
		}
	}
	return parse_file(c, p, end, f);
}

/* One call-trace line: " func+0x1/0x2 [mod]", " ? func...", " [<ffff...>] func...",
 * arm32 "[<c0...>] (func) from [<...>] (caller+0x...)", s390 "([<...>] func...)", and the
 * "func file.c:12 [inline]" lines of symbolized logs. */
bool kp_parse_frame(struct kp_cls *c, const char *s, size_t len, struct kframe *f)
{
	const char *end = s + len, *p = skip_space(s, end);

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	if (p < end && *p == '(')
		p++;
	for (int i = 0; i < 2 && end - p >= 2 && p[0] == '[' && p[1] == '<'; i++) {
		const char *q = memchr(p, ']', (size_t)(end - p));

		if (!q)
			return false;
		p = skip_space(q + 1, end);
		if (p < end && *p == '(') {     /* arm32: the callee in parentheses */
			const char *n = ++p;

			while (p < end && is_symch(*p))
				p++;
			if (p == n)
				return false;
			f->function = kp_dup(c, n, (size_t)(p - n));
			return true;
		}
	}
	/* powerpc: "[stack pointer] [address] func+0x../0x.." ("(unreliable)" after a guess) */
	for (int i = 0; i < 2 && end - p >= 2 && p[0] == '[' && isxdigit((unsigned char)p[1]); i++) {
		const char *q = p + 1;

		while (q < end && isxdigit((unsigned char)*q))
			q++;
		if (q >= end || *q != ']')
			break;
		p = skip_space(q + 1, end);
		if (i == 1 && len > 13 && memcmp(end - 12, "(unreliable)", 12) == 0)
			f->reliable = false;
	}
	if (end - p >= 2 && p[0] == '?' && p[1] == ' ') {
		f->reliable = false;
		p = skip_space(p + 2, end);
	}
	if (kp_parse_sym(c, p, end, f))
		return true;
	/* symbolized inline frame */
	if (len > 9 && memcmp(end - 8, "[inline]", 8) == 0) {
		const char *n = p;

		while (p < end && is_symch(*p))
			p++;
		if (p > n && p < end && *p == ' ') {
			f->function = kp_dup(c, n, (size_t)(p - n));
			parse_file(c, p, end, f);
			return true;
		}
	}
	return false;
}

/* The caller on an arm32 trace line "[<c0..>] (func) from [<c0..>] (caller+0x10/0x14)". */
bool kp_parse_arm_caller(struct kp_cls *c, const char *s, size_t len, struct kframe *f)
{
	const char *end = s + len, *p = find_in(s, len, ") from [<");

	if (!p)
		return false;
	p = memchr(p + 9, ']', (size_t)(end - p - 9));
	if (!p)
		return false;
	p = skip_space(p + 1, end);
	if (p >= end || *p != '(')
		return false;
	memset(f, 0, sizeof(*f));
	f->reliable = true;
	return kp_parse_sym(c, p + 1, end, f) != NULL;
}
