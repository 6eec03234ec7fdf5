/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CVSS v3.0/v3.1 base scores from a vector string ("CVSS:3.1/AV:N/AC:L/..."), computed as
 * the FIRST specification defines them (including its Roundup). The parser is strict: every
 * base metric exactly once with a known value; temporal/environmental metrics are accepted
 * when well formed and ignored. Errors name the offending metric.
 */
#pragma once

#include <stddef.h>

#define CVSS3_VECTOR_MAX 256

struct cvss3 {
	char av, ac, pr, ui, s, c, i, a; /* the metric letters, e.g. av = 'N' */
};

int cvss3_parse(const char *vector, struct cvss3 *ret, char *err, size_t errlen);
double cvss3_base_score(const struct cvss3 *c);
/* "NONE", "LOW", "MEDIUM", "HIGH" or "CRITICAL" */
const char *cvss3_severity(double score);
