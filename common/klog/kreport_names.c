/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names in titles: a Rust v0 symbol demangled to its path ("<kernel::Foo as Bar>::baz", the
 * form Rust's own tools print, without crate hashes), and the last pass over every title,
 * which takes out what varies from run to run (addresses, line numbers, counts, CPU
 * numbers) so that one bug gets one title, the way syzkaller's titles are normalised.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"

/* ---- Rust v0 symbols (RFC 2603), the subset kernel frames use ---- */

struct rdm {
	const char *s;          /* after "_R" */
	size_t len, pos;
	char *out;
	size_t olen, ocap;
	unsigned depth;
	bool bad;
};

static void rd_put(struct rdm *d, const char *p, size_t n)
{
	if (d->olen + n >= d->ocap) {
		d->bad = true;
		return;
	}
	memcpy(d->out + d->olen, p, n);
	d->olen += n;
	d->out[d->olen] = '\0';
}

#define RD_LIT(d, lit) rd_put((d), lit, sizeof(lit) - 1)

static char rd_peek(const struct rdm *d)
{
	return d->pos < d->len ? d->s[d->pos] : '\0';
}

static bool rd_eat(struct rdm *d, char ch)
{
	if (rd_peek(d) != ch)
		return false;
	d->pos++;
	return true;
}

/* "_" is 0, otherwise base-62 digits then "_", plus one */
static uint64_t rd_base62(struct rdm *d)
{
	uint64_t v = 0;
	char ch;

	if (rd_eat(d, '_'))
		return 0;
	while ((ch = rd_peek(d)) != '_') {
		unsigned dg;

		if (isdigit((unsigned char)ch))
			dg = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'z')
			dg = 10u + (unsigned)(ch - 'a');
		else if (ch >= 'A' && ch <= 'Z')
			dg = 36u + (unsigned)(ch - 'A');
		else {
			d->bad = true;
			return 0;
		}
		v = v * 62 + dg;        /* crate hashes overflow: only small values are used */
		d->pos++;
	}
	d->pos++;
	return v + 1;
}

static uint64_t rd_disambiguator(struct rdm *d)
{
	return rd_eat(d, 's') ? rd_base62(d) + 1 : 0;
}

/* [disambiguator] ["u"] decimal ["_"] bytes; Punycode ("u") is not expected in the
 * kernel. Returns the disambiguator. */
static uint64_t rd_ident(struct rdm *d, bool print)
{
	size_t n = 0;
	uint64_t dis = rd_disambiguator(d);

	if (rd_eat(d, 'u') || !isdigit((unsigned char)rd_peek(d))) {
		d->bad = true;
		return dis;
	}
	while (isdigit((unsigned char)rd_peek(d)) && n < 4096)
		n = n * 10 + (size_t)(d->s[d->pos++] - '0');
	rd_eat(d, '_');
	if (d->bad || d->pos > d->len || n > d->len - d->pos) {
		d->bad = true;
		return dis;
	}
	if (print)
		rd_put(d, d->s + d->pos, n);
	d->pos += n;
	return dis;
}

static void rd_path(struct rdm *d);
static void rd_type(struct rdm *d);

/* a back-reference: the path or type at that offset, printed again */
static void rd_backref(struct rdm *d, void (*fn)(struct rdm *))
{
	size_t save = d->pos;
	uint64_t at = rd_base62(d);

	if (d->bad || at >= save - 1 || d->depth > 16) {
		d->bad = true;
		return;
	}
	save = d->pos;
	d->pos = (size_t)at;
	d->depth++;
	fn(d);
	d->depth--;
	d->pos = save;
}

static void rd_const(struct rdm *d)
{
	uint64_t v = 0;
	char buf[24];

	if (rd_eat(d, 'p')) {
		RD_LIT(d, "_");
		return;
	}
	if (rd_eat(d, 'B')) {
		rd_backref(d, rd_const);
		return;
	}
	if (!rd_peek(d)) {
		d->bad = true;
		return;
	}
	d->pos++;               /* the const's type: printed as a number either way */
	rd_eat(d, 'n');
	while (isxdigit((unsigned char)rd_peek(d)) && v < (UINT64_MAX >> 4)) {
		char ch = d->s[d->pos++];

		v = v * 16 + (uint64_t)(isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10);
	}
	if (!rd_eat(d, '_'))
		d->bad = true;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	rd_put(d, buf, strlen(buf));
}

static void rd_generic_args(struct rdm *d)
{
	bool first = true;

	RD_LIT(d, "::<");
	while (!d->bad && !rd_eat(d, 'E')) {
		if (d->pos >= d->len) {
			d->bad = true;
			return;
		}
		if (!first)
			RD_LIT(d, ", ");
		first = false;
		if (rd_eat(d, 'L')) {
			rd_base62(d);
			RD_LIT(d, "'_");
		} else if (rd_eat(d, 'K')) {
			rd_const(d);
		} else {
			rd_type(d);
		}
	}
	RD_LIT(d, ">");
}

static void rd_type(struct rdm *d)
{
	static const char basic[] = "abcdefhijlmnostuvxyz";
	static const char *const names[] = { "i8", "bool", "char", "f64", "str", "f32", "u8",
					     "isize", "usize", "i32", "u32", "i128", "u128", "i16",
					     "u16", "()", "...", "i64", "u64", "!" };
	char ch = rd_peek(d);
	const char *b;

	if (d->bad || ++d->depth > 64) {
		d->bad = true;
		return;
	}
	if (ch && (b = strchr(basic, ch)) != NULL) {
		d->pos++;
		rd_put(d, names[b - basic], strlen(names[b - basic]));
	} else if (rd_eat(d, 'p')) {
		RD_LIT(d, "_");
	} else if (rd_eat(d, 'R') || rd_eat(d, 'Q')) {
		RD_LIT(d, "&");
		if (d->s[d->pos - 1] == 'Q')
			RD_LIT(d, "mut ");
		if (rd_eat(d, 'L'))
			rd_base62(d);
		rd_type(d);
	} else if (rd_eat(d, 'P') || rd_eat(d, 'O')) {
		if (d->s[d->pos - 1] == 'P')
			RD_LIT(d, "*const ");
		else
			RD_LIT(d, "*mut ");
		rd_type(d);
	} else if (rd_eat(d, 'A') || rd_eat(d, 'S')) {
		bool array = d->s[d->pos - 1] == 'A';

		RD_LIT(d, "[");
		rd_type(d);
		if (array) {
			RD_LIT(d, "; ");
			rd_const(d);
		}
		RD_LIT(d, "]");
	} else if (rd_eat(d, 'T')) {
		bool first = true;

		RD_LIT(d, "(");
		while (!d->bad && !rd_eat(d, 'E')) {
			if (d->pos >= d->len)
				d->bad = true;
			if (!first)
				RD_LIT(d, ", ");
			first = false;
			rd_type(d);
		}
		RD_LIT(d, ")");
	} else if (rd_eat(d, 'B')) {
		rd_backref(d, rd_type);
	} else if (ch == 'F' || ch == 'D') {
		d->bad = true;          /* function pointers and trait objects: not in frame names */
	} else {
		rd_path(d);
	}
	d->depth--;
}

/* parses a path without printing it (an impl's own path) */
static void rd_skip_path(struct rdm *d)
{
	size_t o = d->olen;

	rd_path(d);
	d->olen = o;
	if (d->ocap)
		d->out[o] = '\0';
}

static void rd_path(struct rdm *d)
{
	char ch = rd_peek(d);

	if (d->bad || ++d->depth > 64) {
		d->bad = true;
		return;
	}
	d->pos++;
	switch (ch) {
	case 'C':
		rd_ident(d, true);
		break;
	case 'M':               /* inherent impl: <Type> */
	case 'X':               /* trait impl: <Type as Trait> */
		rd_disambiguator(d);
		rd_skip_path(d);
		/* fall through */
	case 'Y':               /* trait definition: <Type as Trait> */
		RD_LIT(d, "<");
		rd_type(d);
		if (ch != 'M') {
			RD_LIT(d, " as ");
			rd_path(d);
		}
		RD_LIT(d, ">");
		break;
	case 'N': {
		char ns = rd_peek(d);

		d->pos++;
		rd_path(d);
		if (ns >= 'A' && ns <= 'Z') {
			/* a closure or shim: "{closure#N}" with N its disambiguator */
			char buf[48];
			uint64_t dis = rd_ident(d, false);

			snprintf(buf, sizeof(buf), "::{%s#%llu}", ns == 'C' ? "closure" : "shim",
				 (unsigned long long)dis);
			rd_put(d, buf, strlen(buf));
		} else {
			RD_LIT(d, "::");
			rd_ident(d, true);
		}
		break;
	}
	case 'I':
		rd_path(d);
		rd_generic_args(d);
		break;
	case 'B':
		rd_backref(d, rd_path);
		break;
	default:
		d->bad = true;
	}
	d->depth--;
}

/* "_R[decimal]PATH[crate]" to "path::to::fn", NULL when it is not such a symbol. */
const char *kp_rust_demangle(struct kp_cls *c, const char *sym)
{
	char buf[512];
	struct rdm d = { .out = buf, .ocap = sizeof(buf) };

	if (sym[0] != '_' || sym[1] != 'R')
		return NULL;
	d.s = sym + 2;
	d.len = strcspn(d.s, ".");      /* ".llvm.123" and the like */
	while (isdigit((unsigned char)rd_peek(&d)))
		d.pos++;
	/* back-references count from just after "_R" */
	buf[0] = '\0';
	rd_path(&d);
	if (d.bad || d.olen == 0)
		return NULL;
	return kp_dup(c, buf, d.olen);
}

/* ---- normalising a title ---- */

static bool is_word(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

static bool is_lhex(char ch)
{
	return isdigit((unsigned char)ch) || (ch >= 'a' && ch <= 'f');
}

typedef size_t (*norm_step)(const char *in, size_t i, char *out, size_t *o, size_t cap);

static void put(char *out, size_t *o, size_t cap, const char *s, size_t n)
{
	if (*o + n >= cap)
		n = *o + 1 < cap ? cap - *o - 1 : 0;
	memcpy(out + *o, s, n);
	*o += n;
}

/* Each step looks at in[i] and, when it rewrites something there, appends the rewriting
 * and returns how many input bytes it took; 0 leaves the byte to be copied. */

/* an address: six or more hex digits after a non-alphanumeric character */
static size_t step_addr(const char *in, size_t i, char *out, size_t *o, size_t cap)
{
	size_t k = i + 1, n = 0;

	if (isalnum((unsigned char)in[i]) || !in[i + 1])
		return 0;
	if (in[k] == '0' && in[k + 1] == 'x')
		k += 2;
	while (is_lhex(in[k + n]))
		n++;
	if (n < 6)
		return 0;
	put(out, o, cap, in + i, 1);
	put(out, o, cap, "ADDR", 4);
	return k + n - i;
}

/* a dotted IPv4 address */
static size_t step_ip(const char *in, size_t i, char *out, size_t *o, size_t cap)
{
	size_t k = i;

	for (int part = 0; part < 4; part++) {
		size_t n = 0;

		while (n < 3 && isdigit((unsigned char)in[k + n]))
			n++;
		if (n == 0 || (part < 3 && in[k + n] != '.'))
			return 0;
		k += n + (part < 3);
	}
	put(out, o, cap, "IP", 2);
	return k - i;
}

/* "file.c:123" and "file.rs:12:5": the line and column */
static size_t step_line(const char *in, size_t i, char *out, size_t *o, size_t cap)
{
	size_t w = 0, k;

	if (in[i] != '.')
		return 0;
	while (is_word(in[i + 1 + w]))
		w++;
	k = i + 1 + w;
	if (w == 0 || in[k] != ':' || !isdigit((unsigned char)in[k + 1]))
		return 0;
	while (in[k] == ':' && isdigit((unsigned char)in[k + 1])) {
		k++;
		while (isdigit((unsigned char)in[k]))
			k++;
	}
	put(out, o, cap, in + i, 1 + w);
	put(out, o, cap, ":LINE", 5);
	return k - i;
}

/* "func+0x12/0x34": the offset and size after a name; "CPU#1": the CPU */
static size_t step_offset_cpu(const char *in, size_t i, char *out, size_t *o, size_t cap)
{
	size_t k = i;

	if (in[i] == 'C' && strncmp(in + i, "CPU#", 4) == 0 && isdigit((unsigned char)in[i + 4])) {
		for (k = i + 4; isdigit((unsigned char)in[k]); k++)
			;
		put(out, o, cap, "CPU", 3);
		return k - i;
	}
	if (in[i] != '+' || i == 0 || !(is_word(in[i - 1]) || in[i - 1] == '.') ||
	    strncmp(in + i + 1, "0x", 2) != 0)
		return 0;
	for (k = i + 3; isalnum((unsigned char)in[k]) && !isupper((unsigned char)in[k]); k++)
		;
	if (k == i + 3 || strncmp(in + k, "/0x", 3) != 0)
		return 0;
	for (k += 3; isalnum((unsigned char)in[k]) && !isupper((unsigned char)in[k]); k++)
		;
	return k - i;
}

/* a number standing alone, or one of seven digits or more inside a word */
static size_t step_num(const char *in, size_t i, char *out, size_t *o, size_t cap)
{
	size_t n = 0;

	if (!isdigit((unsigned char)in[i]) || (i > 0 && isdigit((unsigned char)in[i - 1])))
		return 0;
	while (isdigit((unsigned char)in[i + n]))
		n++;
	if ((i > 0 && !is_word(in[i - 1]) && !is_word(in[i + n])) || n >= 7) {
		put(out, o, cap, "NUM", 3);
		return n;
	}
	put(out, o, cap, in + i, n);
	return n;
}

const char *kp_norm_title(struct kp_cls *c, const char *title)
{
	static const norm_step steps[] = { step_addr, step_ip, step_line, step_offset_cpu, step_num };
	char a[512], b[512], *in = a, *out = b;
	size_t o = 0, n;
	char prev = ' ';

	if (!title)
		return NULL;
	/* most titles hold nothing to take out: no digit, no run of hex letters, no spacing
	 * to fix, and short */
	{
		size_t hex = 0, i;
		bool work = false;

		for (i = 0; title[i] && !work; i++) {
			char ch = title[i];

			hex = is_lhex(ch) ? hex + 1 : 0;
			work = isdigit((unsigned char)ch) || hex >= 6 || ch == '\t' ||
			       (ch == ' ' && (i == 0 || title[i - 1] == ' ' || !title[i + 1]));
		}
		if (!work && i <= 120)
			return title;
	}
	n = strnlen(title, sizeof(a) - 1);
	memcpy(a, title, n);
	a[n] = '\0';
	for (size_t s = 0; s < ELEMENTSOF(steps); s++) {
		o = 0;
		for (size_t i = 0; in[i];) {
			size_t took = steps[s](in, i, out, &o, sizeof(b));

			if (took == 0) {
				put(out, &o, sizeof(b), in + i, 1);
				took = 1;
			}
			i += took;
		}
		out[o] = '\0';
		{
			char *t = in;

			in = out;
			out = t;
		}
	}
	/* at most 120 bytes of it, single spaces, trimmed; other control bytes stay, for the
	 * output to show escaped (what the log held, not what a terminal would make of it) */
	o = 0;
	for (size_t i = 0; in[i] && i < 120; i++) {
		char ch = in[i] == '\t' ? ' ' : in[i];

		if (ch == ' ' && prev == ' ')
			continue;
		out[o++] = ch;
		prev = ch;
	}
	n = o;
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (n == strlen(title) && memcmp(out, title, n) == 0)
		return title;
	return kp_dup(c, out, n);
}
