/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the scanner (scan.c, scan_record.c). A record is handled in two steps so that the
 * expensive one can run on another thread: scan_item_prepare() finds the record's files in
 * the head tree, and when they differ from what is stored, reads and parses them (git and
 * parsing only, no database); scan_item_commit() then writes the outcome (database only).
 */
#pragma once

#include <git2.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "cve/record.h"
#include "scan.h"

#define YEAR_MIN 1999
#define YEAR_MAX 2199

struct scan_ctx {
	struct db *db;
	git_repository *repo;
	git_odb *odb;
	git_tree *tree;
	const char *commit;
	int64_t commit_time;
	int64_t scan_id;
	/* Year directories of the head tree, looked up once: [0] published, [1] rejected. */
	git_tree *years[2][YEAR_MAX - YEAR_MIN + 1];
	bool years_looked[2][YEAR_MAX - YEAR_MIN + 1];
	struct scan_stats *st;
};

enum scan_outcome {
	ITEM_UNCHANGED, /* same files as stored */
	ITEM_PARSED,    /* rec holds the new content */
	ITEM_MALFORMED, /* err says why; the stored version (if any) stays */
	ITEM_VANISHED,  /* in neither cve/published nor cve/rejected */
};

struct scan_item {
	char id[CVE_ID_MAX];
	const struct db_cve_stamp *stamp;
	enum scan_outcome outcome;
	enum cve_state state;
	char dir[48];
	char path[128];
	char blobs[512];
	struct record_error err;
	struct cve_record rec;
};

git_tree *scan_year_tree(struct scan_ctx *c, int which, int year);
/* Returns 0, or a negative errno when the repository itself cannot be read. */
int scan_item_prepare(struct scan_ctx *c, struct scan_item *it);
int scan_item_commit(struct scan_ctx *c, struct scan_item *it);
