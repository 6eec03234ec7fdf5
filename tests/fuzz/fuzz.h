/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every libFuzzer target here shares. Inputs are copied into allocations of exactly
 * their size (plus a NUL only where the parser's contract asks for one), so that a read one
 * byte past what a parser was given is an ASan report rather than a silent read of libFuzzer's
 * own buffer. An input made of several files carries them separated by NUL bytes (the files
 * parsed here are text, where a NUL never belongs).
 */
#pragma once

#include <sanitizer/common_interface_defs.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void *fuzz_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort(); /* the harness, not the parser, ran out */
	return p;
}

static inline char *fuzz_dup(const void *data, size_t size, int nul)
{
	char *p = fuzz_xmalloc(size + (nul ? 1 : 0));

	if (size)
		memcpy(p, data, size);
	if (nul)
		p[size] = '\0';
	return p;
}

struct fuzz_part {
	const char *p;
	size_t len;
};

/* Splits at NUL bytes into at most max parts; returns how many there are. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts,
				size_t max)
{
	const char *s = (const char *)data, *end = s + size;
	size_t n = 0;

	while (n < max) {
		const char *nul = n + 1 < max ? memchr(s, '\0', (size_t)(end - s)) : NULL;

		parts[n].p = s;
		parts[n].len = nul ? (size_t)(nul - s) : (size_t)(end - s);
		n++;
		if (!nul)
			break;
		s = nul + 1;
	}
	return n;
}

/* A parser that returned success must have said nothing impossible: a broken invariant is
 * a finding like a crash. The message goes where the sanitizers report (run.sh closes the
 * targets' stderr, which the parsers' error messages would flood). */
#define FUZZ_ASSERT(cond)                                                               \
	do {                                                                            \
		if (!(cond)) {                                                          \
			__sanitizer_report_error_summary("invariant broken: " #cond);   \
			abort();                                                        \
		}                                                                       \
	} while (0)
