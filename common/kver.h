/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel release versions as the kernel CNA writes them: "6.1", "6.1.43", "2.6.32.70",
 * "6.8-rc4". Ordering follows the CNA's tools: numeric components, a mainline release
 * sorts before its stable releases (6.6 < 6.6.1), -rcN sorts before the release.
 * The "branch" of a version is its first two components (three for 2.6.x): 6.1.43 is on
 * branch 6.1; mainline 6.5 is the start of branch 6.5.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVER_MAX_PARTS 4

struct kver {
	uint32_t part[KVER_MAX_PARTS];
	uint8_t nparts; /* 1..4 */
	uint16_t rc;	/* 0: a release; N: -rcN */
};

/* Parses a whole string; returns 0 or -EINVAL. "0" parses as {0} (callers decide what it means). */
int kver_parse(const char *s, struct kver *ret);
int kver_parse_n(const char *s, size_t len, struct kver *ret);

int kver_cmp(const struct kver *a, const struct kver *b);

/* Number of components that name the branch: 3 for 2.6.x, else 2. */
unsigned kver_branch_parts(const struct kver *v);
bool kver_is_mainline(const struct kver *v);
bool kver_same_branch(const struct kver *a, const struct kver *b);
/* The branch as a version: 6.1.43 -> 6.1 (rc cleared). */
struct kver kver_branch(const struct kver *v);

/* Formats into buf (at least KVER_STRLEN bytes). */
#define KVER_STRLEN 64
char *kver_format(const struct kver *v, char *buf, size_t len);
