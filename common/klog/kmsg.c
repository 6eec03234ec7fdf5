/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /dev/kmsg records (see kmsg.h). The header is validated field by field so that a record
 * that is not one (a truncated read, garbage in a saved dump) is refused with the field
 * named, never half-parsed.
 */
#include "kmsg.h"

#include <errno.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t kmsg_unescape(char *s, size_t len)
{
	char *p = memchr(s, '\\', len), *out;
	size_t i;

	if (!p)
		return len;
	i = (size_t)(p - s);
	out = p;
	while (i < len) {
		int hi, lo;

		if (s[i] == '\\' && len - i >= 4 && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 && (lo = hexval(s[i + 3])) >= 0) {
			*out++ = (char)(hi << 4 | lo);
			i += 4;
			continue;
		}
		*out++ = s[i++];
	}
	return (size_t)(out - s);
}

/* Parses an unsigned decimal ending at one of the stop characters; no sign, no overflow. */
static bool parse_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
	}
	*p = s;
	*ret = v;
	return true;
}

int kmsg_parse(char *buf, size_t len, struct kmsg_record *ret, const char **where)
{
	const char *p = buf, *semi, *end;
	uint64_t prio;
	const char *bad;
	char *text, *text_end;

	memset(ret, 0, sizeof(*ret));
	semi = memchr(buf, ';', len);
	if (!semi) {
		bad = "no ';' ending the header";
		goto fail;
	}
	end = semi;
	if (!parse_u64(&p, end, &prio) || prio > 1023 || p >= end || *p != ',') {
		bad = "priority";
		goto fail;
	}
	p++;
	if (!parse_u64(&p, end, &ret->seq) || p >= end || *p != ',') {
		bad = "sequence number";
		goto fail;
	}
	p++;
	if (!parse_u64(&p, end, &ret->ts_usec) || p >= end || *p != ',') {
		bad = "timestamp";
		goto fail;
	}
	p++;
	if (p >= end || (*p != '-' && *p != 'c') || (p + 1 < end && p[1] != ',')) {
		bad = "flag";
		goto fail;
	}
	ret->cont = *p == 'c';
	p++;
	/* Optional fields, each ",name=value"; unknown ones are allowed by the ABI. */
	while (p < end) {
		const char *f = ++p, *fe = memchr(f, ',', (size_t)(end - f));

		if (!fe)
			fe = end;
		if (fe - f > 7 && memcmp(f, "caller=", 7) == 0) {
			const char *c = f + 7;
			size_t n = (size_t)(fe - c);

			if (n < 2 || n >= sizeof(ret->caller) || (*c != 'T' && *c != 'C')) {
				bad = "caller";
				goto fail;
			}
			for (size_t i = 1; i < n; i++)
				if (c[i] < '0' || c[i] > '9') {
					bad = "caller";
					goto fail;
				}
			memcpy(ret->caller, c, n);
			ret->caller[n] = '\0';
		}
		p = fe;
	}
	ret->facility = (unsigned)(prio >> 3);
	ret->level = (unsigned)(prio & 7);

	/* The text ends at the first raw newline; dictionary lines (" KEY=value") follow. */
	text = (char *)semi + 1;
	/* The newline is also where the terminating NUL goes: the text never needs more room. */
	text_end = memchr(text, '\n', len - (size_t)(text - buf));
	if (!text_end) {
		bad = "text not ended by a newline";
		goto fail;
	}
	ret->len = kmsg_unescape(text, (size_t)(text_end - text));
	text[ret->len] = '\0';
	ret->text = text;
	return 0;
fail:
	if (where)
		*where = bad;
	return -EBADMSG;
}
