// SPDX-License-Identifier: GPL-2.0-only
/* The triage list (triage.h): the gauge's verdicts for one kernel, prioritized and sorted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gauge/gauge.h"
#include "triage/triage.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static int cmp_row(const void *a, const void *b)
{
	const struct triage_row *x = a, *y = b;

	if (x->prio.level != y->prio.level)
		return x->prio.level > y->prio.level ? -1 : 1;
	if (x->prio.score != y->prio.score)
		return x->prio.score > y->prio.score ? -1 : 1;
	return strcmp(x->id, y->id);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? strdup((const char *)s) : NULL;
}

static void row_free(struct triage_row *r)
{
	free(r->id), free(r->verdict), free(r->files_built), free(r->fixed_version);
	free(r->fixed_commit), free(r->title);
}

void triage_rows_free(struct triage_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		row_free(&rows[i]);
	free(rows);
}

int triage_list(struct db *db, const char *kernel, const struct policy *pol, enum priority min,
		bool all, struct triage_row **ret, size_t *ret_n, unsigned *recomputed)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *fs = NULL;
	struct gauge_stats gs;
	struct triage_row *rows = NULL;
	size_t n = 0, kept = 0;
	int k;

	k = gauge_refresh(db, kernel, &gs);
	if (k < 0)
		return k;
	if (recomputed)
		*recomputed = gs.recomputed;
	k = db_prepare(db,
		       "SELECT g.cve_id, g.verdict, g.built, g.files_built, g.fixed_version,"
		       " g.fixed_commit, c.title, c.description, c.cvss_vector, c.cvss_score,"
		       " kev.date_added, epss.score, epss.percentile, pin.priority, pin.reason, g.reason"
		       " FROM gauge g JOIN cve c ON c.id = g.cve_id"
		       " LEFT JOIN kev ON kev.cve_id = g.cve_id"
		       " LEFT JOIN epss ON epss.cve_id = g.cve_id"
		       " LEFT JOIN pin ON pin.cve_id = g.cve_id"
		       " WHERE g.kernel = ?1 AND (?2 OR g.verdict IN ('affected', 'unknown'))", &st);
	if (k >= 0)
		k = db_prepare(db, "SELECT path FROM cve_file WHERE cve_id = ? ORDER BY path", &fs);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct prio_input in = { 0 };
		const char *files[64];
		struct triage_row *grown = realloc(rows, (n + 1) * sizeof(*rows)), *r;
		const char *built = (const char *)sqlite3_column_text(st, 2);

		if (!grown) {
			k = -ENOMEM;
			break;
		}
		rows = grown;
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->id = dup_col(st, 0);
		r->verdict = dup_col(st, 1);
		r->files_built = dup_col(st, 3);
		r->fixed_version = dup_col(st, 4);
		r->fixed_commit = dup_col(st, 5);
		r->title = dup_col(st, 6);
		in.title = r->title;
		in.description = (const char *)sqlite3_column_text(st, 7);
		in.cvss_vector = (const char *)sqlite3_column_text(st, 8);
		in.cvss_score = sqlite3_column_double(st, 9);
		in.kev_date = (const char *)sqlite3_column_text(st, 10);
		in.has_epss = sqlite3_column_type(st, 11) != SQLITE_NULL;
		in.epss = sqlite3_column_double(st, 11);
		in.epss_percentile = sqlite3_column_double(st, 12);
		in.pin_level = (const char *)sqlite3_column_text(st, 13);
		in.pin_reason = (const char *)sqlite3_column_text(st, 14);
		in.built = built ? built[0] : 0;
		sqlite3_bind_text(fs, 1, r->id, -1, SQLITE_STATIC);
		while (in.n_files < ELEMENTSOF(files) && sqlite3_step(fs) == SQLITE_ROW)
			files[in.n_files++] = strdup((const char *)sqlite3_column_text(fs, 0));
		sqlite3_reset(fs);
		in.files = files;
		prioritize(pol, &in, &r->prio);
		if (sqlite3_column_type(st, 15) != SQLITE_NULL && r->prio.n_reasons < PRIO_REASONS_MAX)
			snprintf(r->prio.reasons[r->prio.n_reasons++], 160, "%s: %s", r->verdict,
				 sqlite3_column_text(st, 15));
		for (size_t i = 0; i < in.n_files; i++)
			free((char *)files[i]);
		if (!r->id || !r->verdict) {
			k = -ENOMEM;
			break;
		}
	}
	if (k < 0) {
		triage_rows_free(rows, n);
		return k;
	}
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_row);
	/* below the minimum: dropped, the order keeps them last */
	while (kept < n && rows[kept].prio.level >= min)
		kept++;
	for (size_t i = kept; i < n; i++)
		row_free(&rows[i]);
	*ret = rows;
	*ret_n = kept;
	return 0;
}
