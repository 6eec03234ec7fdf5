/* SPDX-License-Identifier: GPL-2.0-only */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_MIN (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
	size_t aligned = (size + 15) & ~(size_t)15;
	struct arena_chunk *c;

	if (aligned < size)
		return NULL;
	if (a->head && a->head->size - a->used >= aligned) {
		void *p = a->head->data + a->used;

		a->used += aligned;
		return p;
	}
	{
		size_t csize = aligned > ARENA_CHUNK_MIN ? aligned : ARENA_CHUNK_MIN;

		if (csize > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		c->next = a->head;
		a->head = c;
		a->used = aligned;
		return c->data;
	}
}

void *arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *c;

	if (!a->head)
		return;
	/* The oldest chunk is at the tail; keep it (it is at least ARENA_CHUNK_MIN). */
	c = a->head;
	while (c->next) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = c;
	a->used = 0;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
