/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CVSS v3.0/v3.1 base scores from a vector string ("CVSS:3.1/AV:N/AC:L/..."), computed as
 * the FIRST v3.1 specification defines them, including its integer-based Roundup (for base
 * scores v3.0 gives the same results, see cvss.c). The parser is strict: printable ASCII,
 * at most CVSS3_VECTOR_MAX characters, every base metric exactly once with a known value;
 * temporal/environmental metrics are accepted when they are known, appear once and have a
 * known value, and are ignored. Metrics may come in any order. On error cvss3_parse()
 * returns -EINVAL and writes into err a message naming what was wrong. Pure functions,
 * no state; uses libm.
 */
#pragma once

#include <stddef.h>

#define CVSS3_VECTOR_MAX 256

struct cvss3 {
	char av, ac, pr, ui, s, c, i, a; /* the metric letters, e.g. av = 'N' */
};

int cvss3_parse(const char *vector, struct cvss3 *ret, char *err, size_t errlen);
/* 0.0 to 10.0 in steps of 0.1, for a struct filled by cvss3_parse() */
double cvss3_base_score(const struct cvss3 *c);
/* "NONE", "LOW", "MEDIUM", "HIGH" or "CRITICAL", by the specification's rating scale */
const char *cvss3_severity(double score);
