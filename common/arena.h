/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bump allocator for short-lived, many-small-pieces data (one parsed record at a time).
 * Everything allocated from an arena is freed together by arena_reset()/arena_free();
 * allocation failure returns NULL like malloc.
 */
#pragma once

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used; /* bytes used in head */
};

void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Keeps the first chunk for reuse, frees the rest. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
