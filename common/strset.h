/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A set of strings mapping each to an optional value (open addressing, FNV-1a). Keys are
 * copied; values are the caller's (freed with the set only if a free function is given).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strset {
	struct strset_entry *tab;
	size_t cap, n;
	void (*free_value)(void *);
};

struct strset_entry {
	char *key;
	void *value;
};

/* Adds key (or finds it); *ret points at its entry. Returns 1 if added, 0 if present. */
int strset_put(struct strset *s, const char *key, size_t len, struct strset_entry **ret);
struct strset_entry *strset_get(const struct strset *s, const char *key, size_t len);
void strset_free(struct strset *s);
