/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The prioritizer: a transparent score for one CVE on one kernel, a level (critical, high,
 * medium, low) and the reasons behind it. Inputs: the CNA's CVSS score (or a neutral base
 * without one), CISA KEV and FIRST EPSS (imported files), the bug class read from the
 * description, the exposure of the code (network, local syscalls, hardware drivers; from the
 * CVSS attack vector when there is one, else from the file paths), built-in vs module, and
 * the operator's pin. Weights and thresholds come from a policy file (INI) or defaults.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum priority { PRIO_LOW, PRIO_MEDIUM, PRIO_HIGH, PRIO_CRITICAL };

struct policy {
	double cvss, no_cvss, kev, epss;
	double uaf, oob_write, double_free, race, privilege, info_leak, dos;
	double remote, adjacent, local, hardware, module;
	double critical, high, medium; /* thresholds */
};

struct prio_input {
	const char *description, *title;
	const char *cvss_vector; /* NULL when unscored */
	double cvss_score;
	const char *kev_date;    /* NULL when not in KEV */
	bool has_epss;
	double epss, epss_percentile;
	const char *const *files;
	size_t n_files;
	char built;              /* 'y', 'm' or 0 */
	const char *pin_level, *pin_reason;
};

#define PRIO_REASONS_MAX 12

struct prio_result {
	double score;
	enum priority level;
	char reasons[PRIO_REASONS_MAX][160];
	size_t n_reasons;
};

void policy_defaults(struct policy *p);
/* [weights] and [thresholds] keys; errors name file and line. */
int policy_load(const char *path, struct policy *p);
void prioritize(const struct policy *p, const struct prio_input *in, struct prio_result *ret);
const char *priority_to_string(enum priority p);
int priority_from_string(const char *s, enum priority *ret);
