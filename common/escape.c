/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdbool.h>
#include <string.h>

#include "escape.h"

/* The length of a valid UTF-8 sequence at s[i] (2 to 4), or 0: overlong forms, surrogates
 * and code points past U+10FFFF are not valid. */
static size_t utf8_at(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf)
			return 0;
	return n;
}

/* One character at s[i]: its length in bytes, and whether it must be shown escaped (a
 * control, DEL, a C1 control, or a byte that is not valid UTF-8: escaping those keeps the
 * result valid UTF-8, which JSON replies need). */
static size_t char_at(const unsigned char *s, size_t len, size_t i, bool *unsafe)
{
	size_t n;

	*unsafe = s[i] < 0x20 || s[i] == 0x7f;
	if (s[i] < 0x80)
		return 1;
	n = utf8_at(s, len, i);
	if (n == 0) {
		*unsafe = true;
		return 1;
	}
	*unsafe = s[i] == 0xc2 && s[i + 1] <= 0x9f;
	return n;
}

char *escape_text(const char *s, size_t len, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		bool unsafe;
		size_t n = char_at(u, len, i, &unsafe), need = unsafe ? 4 * n : n;

		/* a character is written whole or not at all */
		if (o + need + 4 > size) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		for (size_t k = 0; k < n; k++) {
			if (unsafe) {
				snprintf(buf + o, 5, "\\x%02x", u[i + k]);
				o += 4;
			} else {
				buf[o++] = s[i + k];
			}
		}
		i += n;
	}
	buf[o] = '\0';
	return buf;
}

void fputs_escaped(const char *s, FILE *f)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		bool unsafe;
		size_t n = char_at(u, len, i, &unsafe);

		for (size_t k = 0; k < n; k++) {
			if (unsafe)
				fprintf(f, "\\x%02x", u[i + k]);
			else
				fputc(s[i + k], f);
		}
		i += n;
	}
}
