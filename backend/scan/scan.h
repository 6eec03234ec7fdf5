/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CVE scanner: reads the kernel CNA's vulns git repository (libgit2) into the
 * database. The first scan reads every record under cve/published/ and cve/rejected/; later
 * scans read only the records whose files changed between the last scanned commit (kept in
 * the database) and the new head, plus records that failed to parse last time. The whole
 * scan is one transaction: on any fatal error nothing is changed. A malformed record is
 * reported (path and reason), counted and skipped; its previous version, if any, stays.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct scan_options {
	const char *source;    /* local repository path, or a URL to mirror */
	const char *branch;    /* e.g. "master" */
	const char *mirror;    /* where a URL source is mirrored (bare repository) */
	bool full;             /* re-read every record, not just the changed ones */
	bool progress;         /* a progress line on stderr */
};

struct scan_stats {
	char commit[41];
	char from_commit[41]; /* empty on a first scan */
	bool full;
	bool up_to_date;      /* nothing to do: the head was scanned already */
	unsigned records;     /* records looked at */
	unsigned new_records, updated, rejected, unchanged, errors;
	double seconds;
};

int scan_run(struct db *db, const struct scan_options *o, struct scan_stats *st);

/* True when source names a remote (URL or scp-like) rather than a local path. */
bool scan_source_is_url(const char *source);
/* A bare mirror of a remote repository at mirror: cloned the first time, fetched after. */
struct git_repository;
int scan_mirror(const char *source, const char *mirror, struct git_repository **ret);
