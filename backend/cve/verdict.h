/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is kernel version X affected by a CVE, and what fixes it on X's stable branch?
 * Follows the kernel CNA's data as described in shared/reference/vulns-format.md §6:
 *  - the JSON rule (§6.2): the CVE-schema walk of the "semver product" OR a branch-scoped
 *    match of the semver ranges in the "git product"; this is the verdict;
 *  - the dyad rule (§6.3, what the CNA's `strak` tool does) is computed alongside, to tell
 *    "fixed" (the bug reached X's line and the fix did too) from "not-affected" (never there)
 *    and as a fallback for records whose JSON has no version data;
 *  - the branch fix (§6.4): the first release on X's branch carrying the fix, or the
 *    mainline release the branch inherited it from.
 */
#pragma once

#include <stdbool.h>

#include "kver.h"
#include "record.h"

enum verdict { VERDICT_AFFECTED, VERDICT_NOT_AFFECTED, VERDICT_FIXED };

struct verdict_result {
	enum verdict verdict;
	bool json_affected;   /* the JSON rule */
	bool dyad_affected;   /* the dyad (strak) rule */
	bool json_has_data;   /* the record had version data the JSON rule could use */
	const char *fixed_version; /* NULL: no fix known for X's branch */
	const char *fixed_commit;
	bool fix_from_mainline;    /* the branch inherited the mainline fix */
};

int verdict_check(const struct cve_record *r, const struct kver *x, struct verdict_result *ret);
const char *verdict_to_string(enum verdict v);
