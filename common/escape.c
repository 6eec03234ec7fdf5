/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>

#include "escape.h"

/* How many bytes at s[i] make one unsafe character (0: safe byte). */
static size_t unsafe_at(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] < 0x20 || s[i] == 0x7f)
		return 1;
	/* a C1 control in UTF-8 */
	if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
		return 2;
	return 0;
}

char *escape_text(const char *s, size_t len, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		size_t bad = unsafe_at(u, len, i), need = bad ? 4 * bad : 1;

		if (o + need + 4 > size) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (!bad) {
			buf[o++] = s[i];
			continue;
		}
		for (size_t k = 0; k < bad; k++, o += 4)
			snprintf(buf + o, 5, "\\x%02x", u[i + k]);
		i += bad - 1;
	}
	buf[o] = '\0';
	return buf;
}

void fputs_escaped(const char *s, FILE *f)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++) {
		size_t bad = unsafe_at(u, len, i);

		if (!bad) {
			fputc(s[i], f);
			continue;
		}
		for (size_t k = 0; k < bad; k++)
			fprintf(f, "\\x%02x", u[i + k]);
		i += bad - 1;
	}
}
