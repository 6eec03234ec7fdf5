/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One CVE record of the vulns repository as the scanner reads it (backend/scan/scan_record.c):
 * its sibling files parsed in the scanner's order into one record, stopping at the first
 * refusal, then validated; the record is then reset and used again, as the scanner does.
 * Input: the parts ID \0 notes \0 .json \0 .dyad \0 .sha1 \0 .vulnerable \0 .cvss \0
 * .reference [\0 anything: the record lies in rejected/]. An empty part is an absent file.
 */
#include <errno.h>

#include "cve/record.h"
#include "fuzz.h"

enum { P_ID, P_NOTES, P_JSON, P_DYAD, P_SHA1, P_VULNERABLE, P_CVSS, P_REFERENCE, P_REJECTED,
       P_MAX };

typedef int (*parser)(struct cve_record *, const char *, size_t, struct record_error *);
static const parser parse[P_MAX] = {
	[P_NOTES] = record_parse_notes, [P_JSON] = record_parse_json,
	[P_DYAD] = record_parse_dyad, [P_SHA1] = record_parse_sha1,
	[P_VULNERABLE] = record_parse_vulnerable, [P_CVSS] = record_parse_cvss,
	[P_REFERENCE] = record_parse_reference,
};

static void parse_all(struct cve_record *r, const struct fuzz_part *part, size_t n)
{
	struct record_error err = { "" };
	int k = 0;

	snprintf(r->id, sizeof(r->id), "%.*s", (int)part[P_ID].len, part[P_ID].p);
	r->state = n > P_REJECTED ? CVE_REJECTED : CVE_PUBLISHED;
	for (size_t i = P_NOTES; i < n && i <= P_REFERENCE && k == 0; i++) {
		char *file;

		if (!part[i].len)
			continue;
		file = fuzz_dup(part[i].p, part[i].len, 0);
		k = parse[i](r, file, part[i].len, &err);
		free(file);
		FUZZ_ASSERT(k == 0 || k == -EINVAL || k == -ENOMEM);
		FUZZ_ASSERT(k == 0 || err.msg[0]);
	}
	if (k == 0 && record_validate(r, &err) == 0) {
		FUZZ_ASSERT(r->n_dyads == 0 || r->dyads);
		FUZZ_ASSERT(r->n_ranges == 0 || r->ranges);
		FUZZ_ASSERT(r->n_products <= CVE_MAX_PRODUCTS);
		for (size_t i = 0; i < r->n_ranges; i++)
			FUZZ_ASSERT(r->ranges[i].product < r->n_products);
		for (size_t i = 0; i < r->n_mainline_fixes; i++)
			FUZZ_ASSERT(commit_id_valid(r->mainline_fixes[i],
						    strlen(r->mainline_fixes[i])));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part part[P_MAX];
	size_t n = fuzz_split(data, size, part, P_MAX);
	struct cve_record r;

	/* the scanner only looks at files named after a valid id */
	if (n < 2 || !record_id_valid(part[P_ID].p, part[P_ID].len))
		return -1;
	record_init(&r);
	parse_all(&r, part, n);
	record_reset(&r);
	parse_all(&r, part, n);
	record_free(&r);
	return 0;
}
