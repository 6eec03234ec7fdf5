/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The triage list: the CVEs that apply to one kernel (the gauge's affected and unknown
 * verdicts, or every verdict), each prioritized (prioritize.h), most urgent first. The
 * gauge is brought up to date first. Used by `triage` and by the pipeline's selection.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"
#include "triage/prioritize.h"

struct triage_row {
	char *id, *verdict, *files_built, *fixed_version, *fixed_commit, *title;
	struct prio_result prio;
};

/* Rows at min or above, sorted by level, score, then id; *recomputed: the gauge's count. */
int triage_list(struct db *db, const char *kernel, const struct policy *pol, enum priority min,
		bool all, struct triage_row **ret, size_t *n, unsigned *recomputed);
void triage_rows_free(struct triage_row *rows, size_t n);
