/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The applicability gauge: for each (CVE, registered kernel) a verdict with its reasons:
 *   affected              version in an affected range and one of the CVE's files is built
 *   not-affected-config   version affected, none of its files built
 *   fixed                 the kernel's stable branch carries the fix
 *   not-affected-version  the bug never reached this version
 *   unknown               the record names no files, or only headers the profile cannot see
 * Verdicts are kept in the gauge table and recomputed incrementally: for the CVEs changed
 * since a kernel's last update (cve_change), or for all of them when its profile changed.
 */
#pragma once

#include "db/db.h"

struct gauge_stats {
	unsigned kernels, recomputed, evaluations;
};

/* Brings the verdicts of every kernel (or of one, when kernel is not NULL) up to date. */
int gauge_refresh(struct db *db, const char *kernel, struct gauge_stats *st);
