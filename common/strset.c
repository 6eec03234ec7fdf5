/* SPDX-License-Identifier: GPL-2.0-only */
#include "strset.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct strset_entry *find(const struct strset *s, const char *key, size_t len)
{
	size_t i;

	if (!s->cap)
		return NULL;
	i = hash(key, len) & (s->cap - 1);
	while (s->tab[i].key) {
		if (strncmp(s->tab[i].key, key, len) == 0 && s->tab[i].key[len] == '\0')
			return &s->tab[i];
		i = (i + 1) & (s->cap - 1);
	}
	return &s->tab[i];
}

int strset_put(struct strset *s, const char *key, size_t len, struct strset_entry **ret)
{
	struct strset_entry *e;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct strset_entry *tab = calloc(cap, sizeof(*tab)), *old = s->tab;
		size_t oldcap = s->cap;

		if (!tab)
			return -ENOMEM;
		s->tab = tab;
		s->cap = cap;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key)
				*find(s, old[i].key, strlen(old[i].key)) = old[i];
		free(old);
	}
	e = find(s, key, len);
	if (e->key) {
		*ret = e;
		return 0;
	}
	e->key = strndup(key, len);
	if (!e->key)
		return -ENOMEM;
	e->value = NULL;
	s->n++;
	*ret = e;
	return 1;
}

struct strset_entry *strset_get(const struct strset *s, const char *key, size_t len)
{
	struct strset_entry *e = find(s, key, len);

	return e && e->key ? e : NULL;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++) {
		free(s->tab[i].key);
		if (s->tab[i].key && s->free_value)
			s->free_value(s->tab[i].value);
	}
	free(s->tab);
	memset(s, 0, sizeof(*s));
}
