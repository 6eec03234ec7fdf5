/* SPDX-License-Identifier: GPL-2.0-only */
#include "kver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kver_parse_n(const char *s, size_t len, struct kver *ret)
{
	struct kver v = { 0 };
	size_t i = 0;

	if (!s || len == 0 || len > 40)
		return -EINVAL;
	for (;;) {
		uint64_t n = 0;
		size_t start = i;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			n = n * 10 + (uint64_t)(s[i] - '0');
			if (n > UINT32_MAX)
				return -EINVAL;
			i++;
		}
		if (i == start || v.nparts == KVER_MAX_PARTS)
			return -EINVAL;
		v.part[v.nparts++] = (uint32_t)n;
		if (i == len)
			break;
		if (s[i] == '.') {
			i++;
			continue;
		}
		if (len - i > 3 && memcmp(s + i, "-rc", 3) == 0) {
			uint32_t rc = 0;

			i += 3;
			start = i;
			while (i < len && s[i] >= '0' && s[i] <= '9') {
				rc = rc * 10 + (uint32_t)(s[i] - '0');
				if (rc > 1000)
					return -EINVAL;
				i++;
			}
			if (i == start || i != len || rc == 0)
				return -EINVAL;
			v.rc = (uint16_t)rc;
			break;
		}
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

int kver_parse(const char *s, struct kver *ret)
{
	if (!s)
		return -EINVAL;
	return kver_parse_n(s, strlen(s), ret);
}

int kver_cmp(const struct kver *a, const struct kver *b)
{
	unsigned n = a->nparts > b->nparts ? a->nparts : b->nparts;

	for (unsigned i = 0; i < n; i++) {
		/* A missing component sorts before any present one: 6.6 < 6.6.0 < 6.6.1. */
		int64_t x = i < a->nparts ? (int64_t)a->part[i] : -1;
		int64_t y = i < b->nparts ? (int64_t)b->part[i] : -1;

		if (x != y)
			return x < y ? -1 : 1;
	}
	if (a->rc != b->rc) {
		if (a->rc == 0)
			return 1;
		if (b->rc == 0)
			return -1;
		return a->rc < b->rc ? -1 : 1;
	}
	return 0;
}

unsigned kver_branch_parts(const struct kver *v)
{
	return (v->nparts >= 2 && v->part[0] == 2 && v->part[1] == 6) ? 3 : 2;
}

bool kver_is_mainline(const struct kver *v)
{
	return v->nparts <= kver_branch_parts(v);
}

bool kver_same_branch(const struct kver *a, const struct kver *b)
{
	unsigned n = kver_branch_parts(a);

	if (n != kver_branch_parts(b))
		return false;
	for (unsigned i = 0; i < n; i++) {
		uint32_t x = i < a->nparts ? a->part[i] : 0;
		uint32_t y = i < b->nparts ? b->part[i] : 0;

		if (x != y)
			return false;
	}
	return true;
}

struct kver kver_branch(const struct kver *v)
{
	struct kver b = *v;
	unsigned n = kver_branch_parts(v);

	if (b.nparts > n)
		b.nparts = (uint8_t)n;
	b.rc = 0;
	return b;
}

char *kver_format(const struct kver *v, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < v->nparts && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ".%u" : "%u", v->part[i]);
	if (v->rc && off < len)
		snprintf(buf + off, len - off, "-rc%u", v->rc);
	return buf;
}
