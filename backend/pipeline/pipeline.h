/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cron pipeline (`tuxtape-backend run`): scan, gauge, select, generate and vet each new
 * fix, build and vet each kernel's cumulative livepatch from every fix vetted so far, publish
 * it to the archive's first channel (superseding the last one there), promote or revoke what
 * the fleet's reports judge (fleet/rollout.h), re-sign the timestamp, record the run.
 *
 * What a run decided survives it: an attempt is recorded per (kernel, CVE, fix) once its
 * generation ended, the archive is the truth about what was published (a target carries a
 * digest of the fixes in it), so a run killed anywhere is completed or redone by the next
 * one without publishing twice. One run at a time (a lock next to the database); a time
 * budget stops new generations from starting. Generations are children (this program's
 * `generate`), so a crash of one costs one attempt, and they die with the run.
 *
 * All functions return 0 or a negative errno (-EBUSY: another run holds the lock).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"
#include "fleet/rollout.h"
#include "scan/scan.h"
#include "triage/prioritize.h"

struct pipeline_opts {
	const char *self;          /* this program, run as `self generate ...` */
	const char *db_path;
	const char *config_path;   /* handed to the children; may be NULL */
	bool scan;                 /* a vulns source is configured */
	struct scan_options scan_opts;
	const struct policy *policy;
	enum priority min;
	const char *const *kernels; /* NULL-terminated; NULL: every registered kernel */
	const char *fixes;          /* default fix source */
	char *const *fixes_for;     /* "NAME=SOURCE", NULL-terminated; may be NULL */
	const char *archive, *keys, *channel;
	const char *work;           /* per-run generator output */
	const char *mirror;         /* where a URL fix source is mirrored */
	const char *cache;          /* the generator's cache; NULL: its default */
	const char *vet;            /* vet command; NULL: `self vet --kernel NAME` */
	const char *notify, *webhook;
	long budget, jobs, limit;
	bool dry_run, progress;
	/* the fleet's rollout: what is published goes to its first channel unless channel
	 * says otherwise, and each run promotes or revokes on the nodes' reports */
	const struct rollout_policy *rollout;
};

/* One run; *report (may be NULL) is its JSON record, also kept in pipeline_run. */
int pipeline_run(struct db *db, const struct pipeline_opts *o, json_t **report);
/* The last n runs, newest first, as a JSON array of their records. */
int pipeline_runs(struct db *db, unsigned n, json_t **ret);

/* pipeline_store.c: the pipeline's tables (db.c's schema 4) */
struct pipeline_attempt {
	char *kernel, *cve, *fix_key, *outcome, *step, *reason, *patch;
	long long fix_order;
	double seconds;
};
int pipeline_run_begin(struct db *db, long long *id);
int pipeline_run_end(struct db *db, long long id, const char *status, const char *summary,
		     const json_t *report);
/* Runs left 'running' by a run that died: 'interrupted' (called under the run lock). */
int pipeline_runs_interrupted(struct db *db, unsigned *n);
/* 1 when (kernel, cve) has an attempt for this fix key, 0 when not. */
int pipeline_attempted(struct db *db, const char *kernel, const char *cve, const char *fix_key);
/* Records an attempt, replacing the CVE's earlier ones on that kernel (one transaction). */
int pipeline_attempt_put(struct db *db, long long run_id, const struct pipeline_attempt *a);
/* The kernel's vetted fixes in the order they go into its cumulative livepatch. */
int pipeline_vetted(struct db *db, const char *kernel, struct pipeline_attempt **ret, size_t *n);
void pipeline_attempts_free(struct pipeline_attempt *v, size_t n);
int pipeline_cumulative_put(struct db *db, const char *kernel, long long version,
			    const char *patch_id, const char *cves, const char *target,
			    long long run_id);
/* The highest cumulative version recorded for the kernel (0: none). */
int pipeline_cumulative_last(struct db *db, const char *kernel, long long *version);
