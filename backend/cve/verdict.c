/* SPDX-License-Identifier: GPL-2.0-only */
#include "verdict.h"

#include <errno.h>
#include <string.h>

#include "util.h"

const char *verdict_to_string(enum verdict v)
{
	switch (v) {
	case VERDICT_AFFECTED:
		return "affected";
	case VERDICT_FIXED:
		return "fixed";
	default:
		return "not-affected";
	}
}

static bool is_git_type(const struct cve_range *rg)
{
	return rg->version_type && streq(rg->version_type, "git");
}

/* x <= bound, where bound is "*", "X.Y.*" (end of branch X.Y) or a version. */
static bool at_most(const struct kver *x, const char *bound)
{
	size_t n = strlen(bound);
	struct kver b;

	if (streq(bound, "*"))
		return true;
	if (n > 2 && streq(bound + n - 2, ".*")) {
		struct kver xb = kver_branch(x);

		if (kver_parse_n(bound, n - 2, &b) < 0)
			return false;
		return kver_cmp(&xb, &b) <= 0;
	}
	if (kver_parse(bound, &b) < 0)
		return false;
	return kver_cmp(x, &b) <= 0;
}

static bool below(const struct kver *x, const char *bound)
{
	struct kver b;

	return kver_parse(bound, &b) == 0 && kver_cmp(x, &b) < 0;
}

/* version <= x, with "0" meaning minus infinity. */
static bool at_least(const struct kver *x, const char *version)
{
	struct kver v;

	if (streq(version, "0"))
		return true;
	return kver_parse(version, &v) == 0 && kver_cmp(&v, x) <= 0;
}

static bool range_contains(const struct cve_range *rg, const struct kver *x)
{
	struct kver v;

	if (!rg->less_than && !rg->less_than_or_equal)
		return kver_parse(rg->version, &v) == 0 && kver_cmp(&v, x) == 0;
	if (!at_least(x, rg->version))
		return false;
	if (rg->less_than)
		return below(x, rg->less_than);
	return at_most(x, rg->less_than_or_equal);
}

/* §6.2 step 1: the CVE-schema walk over the first non-git product; first match wins. */
static bool semver_product_affected(const struct cve_record *r, const struct kver *x, bool *has)
{
	unsigned p;

	for (p = 0; p < r->n_products; p++)
		if (!r->products[p].is_git)
			break;
	if (p == r->n_products) {
		*has = false;
		return false;
	}
	*has = true;
	for (size_t i = 0; i < r->n_ranges; i++) {
		const struct cve_range *rg = &r->ranges[i];

		if (rg->product != p || is_git_type(rg))
			continue;
		if (range_contains(rg, x))
			return rg->status == RANGE_AFFECTED;
	}
	return r->products[p].default_status == RANGE_AFFECTED;
}

/* §6.2 step 2: semver ranges inside the git product count only for X on their branch. */
static bool git_product_affected(const struct cve_record *r, const struct kver *x)
{
	for (size_t i = 0; i < r->n_ranges; i++) {
		const struct cve_range *rg = &r->ranges[i];
		const char *anchor;
		struct kver a;

		if (!r->products[rg->product].is_git || is_git_type(rg) ||
		    rg->status != RANGE_AFFECTED)
			continue;
		anchor = streq(rg->version, "0") ? (rg->less_than ? rg->less_than
								: rg->less_than_or_equal)
						 : rg->version;
		if (!anchor || kver_parse(anchor, &a) < 0 || !kver_same_branch(&a, x))
			continue;
		if (range_contains(rg, x))
			return true;
	}
	return false;
}

/* strak's ancestry on release versions: is release A contained in release X? */
static bool ancestor(const char *a, const struct kver *x)
{
	struct kver v;

	if (!a)
		return true; /* "0": since forever */
	if (kver_parse(a, &v) < 0)
		return false;
	if (kver_same_branch(&v, x))
		return kver_cmp(&v, x) <= 0;
	return kver_is_mainline(&v) && kver_cmp(&v, x) < 0;
}

/* strak's rule, plus "reached": the bug shipped in a release X contains. A same-version pair
 * (introduced and fixed in one release) never shipped, so it does not count as reached. */
static void dyad_rule(const struct cve_record *r, const struct kver *x, bool *must_look,
		      bool *found, bool *reached)
{
	*must_look = *found = *reached = false;
	for (size_t i = 0; i < r->n_dyads; i++) {
		const struct cve_dyad *d = &r->dyads[i];

		if (!ancestor(d->vuln_version, x))
			continue;
		*must_look = true;
		if (!streq_ptr(d->vuln_version, d->fixed_version))
			*reached = true;
		if (d->fixed_version && ancestor(d->fixed_version, x))
			*found = true;
	}
}

/* §6.4: among the fixes on X's branch, the one that matters for X. */
static void branch_fix(const struct cve_record *r, const struct kver *x, bool affected,
		       struct verdict_result *ret)
{
	const struct cve_dyad *best = NULL, *best_main = NULL;
	struct kver bv = { 0 }, mv = { 0 };
	struct kver xb = kver_branch(x);

	for (size_t i = 0; i < r->n_dyads; i++) {
		const struct cve_dyad *d = &r->dyads[i];
		struct kver f;

		if (!d->fixed_version || kver_parse(d->fixed_version, &f) < 0)
			continue;
		if (kver_same_branch(&f, x)) {
			/* Affected: the next fix up from X. Otherwise: the fix X already has. */
			bool better;

			if (!best)
				better = true;
			else if (affected)
				better = kver_cmp(&f, x) > 0 &&
					 (kver_cmp(&bv, x) <= 0 || kver_cmp(&f, &bv) < 0);
			else
				better = kver_cmp(&f, x) <= 0 &&
					 (kver_cmp(&bv, x) > 0 || kver_cmp(&f, &bv) > 0);
			if (better) {
				best = d;
				bv = f;
			}
		} else if (!affected && kver_is_mainline(&f) && kver_cmp(&f, &xb) < 0) {
			/* A mainline fix older than X's branch was inherited by it. When X is
			 * affected, such a fix closed an earlier window and is not X's fix. */
			if (!best_main || kver_cmp(&f, &mv) > 0) {
				best_main = d;
				mv = f;
			}
		}
	}
	if (best) {
		ret->fixed_version = best->fixed_version;
		ret->fixed_commit = best->fixed_commit;
	} else if (best_main) {
		ret->fixed_version = best_main->fixed_version;
		ret->fixed_commit = best_main->fixed_commit;
		ret->fix_from_mainline = true;
	}
}

int verdict_check(const struct cve_record *r, const struct kver *x, struct verdict_result *ret)
{
	bool must_look, found, reached, has_semver = false;
	bool json_aff;

	memset(ret, 0, sizeof(*ret));
	if (!r || !x)
		return -EINVAL;

	json_aff = semver_product_affected(r, x, &has_semver);
	json_aff = git_product_affected(r, x) || json_aff;
	dyad_rule(r, x, &must_look, &found, &reached);

	ret->json_has_data = has_semver;
	ret->json_affected = json_aff;
	ret->dyad_affected = must_look && !found;

	if (has_semver ? json_aff : ret->dyad_affected)
		ret->verdict = VERDICT_AFFECTED;
	else if (reached)
		ret->verdict = VERDICT_FIXED;
	else
		ret->verdict = VERDICT_NOT_AFFECTED;
	branch_fix(r, x, ret->verdict == VERDICT_AFFECTED, ret);
	return 0;
}
