/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One CVE as the kernel CNA's vulns repository describes it, parsed from its sibling files
 * (CVE-ID.json, .dyad, .sha1, .cvss, .vulnerable, .reference). Parsers take a buffer and
 * its length, never trust it (bounded sizes and counts, every field validated) and on
 * failure return -EINVAL (or -ENOMEM) with a message in err naming the file and field.
 * All strings live in the record's arena.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define CVE_ID_MAX 32
#define RECORD_FILE_MAX (4u << 20)   /* no sibling file may be larger */
#define RECORD_LIST_MAX 4096          /* versions, dyad lines, files, references */

enum cve_state { CVE_PUBLISHED, CVE_REJECTED };

/* One .dyad line: vulnerable in vuln_version (NULL: since forever), fixed in fixed_version
 * (NULL: not fixed on that line). */
struct cve_dyad {
	const char *vuln_version, *vuln_commit;
	const char *fixed_version, *fixed_commit;
};

enum range_status { RANGE_AFFECTED, RANGE_UNAFFECTED, RANGE_UNKNOWN };

/* One affected[product].versions[] entry of the JSON record. */
struct cve_range {
	unsigned product;
	const char *version;
	const char *less_than;          /* NULL when absent */
	const char *less_than_or_equal; /* NULL when absent */
	const char *version_type;       /* NULL when absent: an exact-version entry */
	enum range_status status;
};

#define CVE_MAX_PRODUCTS 8

struct cve_product {
	enum range_status default_status;
	bool is_git; /* has versionType "git" entries: the CNA's "git product" */
};

struct cve_record {
	struct arena arena;
	char id[CVE_ID_MAX];
	enum cve_state state;
	const char *data_version;
	const char *title;
	const char *description;
	const char *notes;        /* the bare CVE-ID file, when not empty */

	const char **files;       /* programFiles, deduplicated */
	size_t n_files;
	const char **references;
	size_t n_references;
	const char **mainline_fixes; /* .sha1 */
	size_t n_mainline_fixes;
	const char **vulnerable;  /* .vulnerable overrides */
	size_t n_vulnerable;

	struct cve_product products[CVE_MAX_PRODUCTS];
	unsigned n_products;
	struct cve_range *ranges;
	size_t n_ranges;
	struct cve_dyad *dyads;
	size_t n_dyads;

	const char *cvss_vector;  /* NULL when the CNA gave no score */
	double cvss_score;        /* valid only with cvss_vector */
	const char *cvss_severity;
};

struct record_error {
	char msg[512];
};

void record_init(struct cve_record *r);
void record_reset(struct cve_record *r);
void record_free(struct cve_record *r);

/* "CVE-2024-26581" followed by nothing or ".suffix"; copies the id part. */
int record_id_from_name(const char *name, char *id, size_t idlen);
bool record_id_valid(const char *id, size_t len);

int record_parse_json(struct cve_record *r, const char *buf, size_t len, struct record_error *err);
int record_parse_dyad(struct cve_record *r, const char *buf, size_t len, struct record_error *err);
int record_parse_sha1(struct cve_record *r, const char *buf, size_t len, struct record_error *err);
int record_parse_vulnerable(struct cve_record *r, const char *buf, size_t len,
			    struct record_error *err);
int record_parse_cvss(struct cve_record *r, const char *buf, size_t len, struct record_error *err);
int record_parse_reference(struct cve_record *r, const char *buf, size_t len,
			   struct record_error *err);
int record_parse_notes(struct cve_record *r, const char *buf, size_t len, struct record_error *err);

/* After all files: checks what a published record must have. */
int record_validate(const struct cve_record *r, struct record_error *err);

const char *range_status_to_string(enum range_status s);
bool commit_id_valid(const char *s, size_t len);
