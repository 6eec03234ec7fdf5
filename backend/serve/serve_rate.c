/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Token buckets per client address: each holds up to burst requests and refills at rate per
 * second. The table is bounded: when it is full, the buckets that have refilled (their
 * address has been idle long enough to be indistinguishable from a new one) are dropped,
 * and if none has, the least recently seen one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "serve/serve.h"
#include "util.h"

#define RATE_SLOTS 16384 /* a power of two */
#define RATE_MAX (RATE_SLOTS / 2)
#define ADDR_MAX 64

struct bucket {
	char address[ADDR_MAX];
	double tokens, seen;
	bool used;
};

struct rate_table {
	double rate, burst;
	size_t count;
	struct bucket slot[RATE_SLOTS];
};

int rate_table_new(double rate, double burst, struct rate_table **ret)
{
	struct rate_table *t = calloc(1, sizeof(*t));

	if (!t)
		return log_error_errno(ENOMEM, "out of memory");
	t->rate = rate > 0 ? rate : 1;
	t->burst = burst >= 1 ? burst : 1;
	*ret = t;
	return 0;
}

void rate_table_free(struct rate_table *t)
{
	free(t);
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static double level(const struct rate_table *t, const struct bucket *b, double now)
{
	double v = b->tokens + (now - b->seen) * t->rate;

	return v > t->burst ? t->burst : v;
}

/* Linear probing: rebuilding keeps the probe chains intact after removals. */
static void rebuild(struct rate_table *t, double now, bool drop_oldest)
{
	struct bucket *old = malloc(sizeof(t->slot));
	double oldest = now;

	if (!old)
		return;
	memcpy(old, t->slot, sizeof(t->slot));
	if (drop_oldest)
		for (size_t i = 0; i < RATE_SLOTS; i++)
			if (old[i].used && old[i].seen < oldest)
				oldest = old[i].seen;
	memset(t->slot, 0, sizeof(t->slot));
	t->count = 0;
	for (size_t i = 0; i < RATE_SLOTS; i++) {
		size_t j;

		if (!old[i].used || level(t, &old[i], now) >= t->burst ||
		    (drop_oldest && old[i].seen <= oldest))
			continue;
		for (j = hash(old[i].address) & (RATE_SLOTS - 1); t->slot[j].used;
		     j = (j + 1) & (RATE_SLOTS - 1))
			;
		t->slot[j] = old[i];
		t->count++;
	}
	free(old);
}

bool rate_take(struct rate_table *t, const char *address, double now, long *retry_after)
{
	struct bucket *b = NULL;
	size_t i;

	for (i = hash(address) & (RATE_SLOTS - 1); t->slot[i].used; i = (i + 1) & (RATE_SLOTS - 1))
		if (streq(t->slot[i].address, address)) {
			b = &t->slot[i];
			break;
		}
	if (!b) {
		if (t->count >= RATE_MAX) {
			rebuild(t, now, false);
			if (t->count >= RATE_MAX)
				rebuild(t, now, true);
			if (t->count >= RATE_MAX)
				return true; /* out of memory: not tracked rather than refused */
			for (i = hash(address) & (RATE_SLOTS - 1); t->slot[i].used;
			     i = (i + 1) & (RATE_SLOTS - 1))
				;
		}
		b = &t->slot[i];
		snprintf(b->address, sizeof(b->address), "%s", address);
		b->used = true;
		b->tokens = t->burst;
		b->seen = now;
		t->count++;
	}
	b->tokens = level(t, b, now);
	b->seen = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	*retry_after = (long)ceil((1 - b->tokens) / t->rate);
	if (*retry_after < 1)
		*retry_after = 1;
	return false;
}
