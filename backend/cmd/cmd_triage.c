/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend triage: the CVEs that apply to one kernel, most urgent first; and
 * tuxtape-backend gauge: bring every kernel's verdicts up to date (after a scan, from cron). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gauge/gauge.h"
#include "log.h"
#include "triage/prioritize.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static void help(void)
{
	printf("Usage: tuxtape-backend triage --kernel NAME [--min-priority LEVEL] [--all]\n"
	       "                              [--policy FILE] [--json]\n\n"
	       "Brings the gauge's verdicts for the kernel up to date, then lists the CVEs that\n"
	       "apply to it (affected, and unknown: the record names no files we can check), by\n"
	       "priority, each with its score and the reasons behind it. --all lists every\n"
	       "verdict. LEVEL: critical, high, medium, low. The policy file (INI) sets the\n"
	       "weights ([weights]) and level thresholds ([thresholds]); see\n"
	       "docs/policy.conf.example.\n");
}

struct row {
	char *id, *verdict, *files_built, *fixed_version, *fixed_commit, *title;
	struct prio_result prio;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

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

static int triage(struct db *db, const char *kernel, const struct policy *pol,
		  enum priority min, bool all, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *fs = NULL;
	struct gauge_stats gs;
	struct row *rows = NULL;
	size_t n = 0, shown = 0;
	json_t *arr = NULL;
	int k;

	k = gauge_refresh(db, kernel, &gs);
	if (k < 0)
		return k;
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
		struct row *grown = realloc(rows, (n + 1) * sizeof(*rows)), *r;
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
	}
	if (k >= 0 && n)
		qsort(rows, n, sizeof(*rows), cmp_row);
	if (k >= 0 && as_json)
		arr = json_array();
	for (size_t i = 0; k >= 0 && i < n; i++) {
		struct row *r = &rows[i];
		json_t *reasons, *fb;

		if (r->prio.level < min)
			continue;
		shown++;
		if (!arr) {
			printf("%-16s %-8s %5.1f  %-20s %s\n", r->id, priority_to_string(r->prio.level),
			       r->prio.score, r->verdict, strempty(r->title));
			for (size_t j = 0; j < r->prio.n_reasons; j++)
				printf("    %s\n", r->prio.reasons[j]);
			if (r->fixed_version)
				printf("    fix: %s %s\n", r->fixed_version, strempty(r->fixed_commit));
			continue;
		}
		reasons = json_array();
		for (size_t j = 0; j < r->prio.n_reasons; j++)
			json_array_append_new(reasons, json_string(r->prio.reasons[j]));
		fb = json_array();
		for (char *p = r->files_built; p && *p;) {
			size_t l = strcspn(p, "\n");

			json_array_append_new(fb, json_stringn(p, l));
			p += l + (p[l] ? 1 : 0);
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:f, s:o, s:o, s:s?, s:s?}",
			"id", r->id, "verdict", r->verdict, "priority",
			priority_to_string(r->prio.level), "score", r->prio.score, "reasons", reasons,
			"files_built", fb, "fixed_version", r->fixed_version, "fixed_commit",
			r->fixed_commit));
	}
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].verdict);
		free(rows[i].files_built);
		free(rows[i].fixed_version);
		free(rows[i].fixed_commit);
		free(rows[i].title);
	}
	free(rows);
	if (k < 0) {
		json_decref(arr);
		return log_error_errno(k, "triage failed: %m");
	}
	if (arr)
		return json_print(arr);
	fflush(stdout);
	fprintf(stderr, "%s: %zu CVEs listed (%u recomputed by the gauge)\n", kernel, shown,
		gs.recomputed);
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "min-priority", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "policy", required_argument, NULL, 'P' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	const char *kernel = NULL, *policy_path = NULL;
	enum priority min = PRIO_LOW;
	struct policy pol;
	bool all = false;
	struct db *db = NULL;
	int opt, ret = EXIT_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'k':
			kernel = optarg;
			break;
		case 'p':
			if (priority_from_string(optarg, &min) < 0) {
				fprintf(stderr, "tuxtape-backend triage: --min-priority '%s': expected "
					"critical, high, medium or low\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'a':
			all = true;
			break;
		case 'P':
			policy_path = optarg;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend triage --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (!kernel || optind != argc) {
		fprintf(stderr, "tuxtape-backend triage: --kernel NAME is required, and nothing else\n");
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	if (!policy_path)
		policy_path = c.cfg.policy;
	if (policy_path ? policy_load(policy_path, &pol) < 0 : (policy_defaults(&pol), false))
		goto out;
	if (db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	ret = triage(db, kernel, &pol, min, all, c.json) < 0 ? EXIT_FAIL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}

static int gauge_summary(struct db *db, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *o = as_json ? json_object() : NULL;
	int k = db_prepare(db, "SELECT kernel, verdict, count(*) FROM gauge GROUP BY kernel, verdict"
			   " ORDER BY kernel, verdict", &st);

	if (k < 0) {
		json_decref(o);
		return k;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *kernel = (const char *)sqlite3_column_text(st, 0);

		if (o) {
			json_t *kv = json_object_get(o, kernel);

			if (!kv) {
				kv = json_object();
				json_object_set_new(o, kernel, kv);
			}
			json_object_set_new(kv, (const char *)sqlite3_column_text(st, 1),
					    json_integer(sqlite3_column_int64(st, 2)));
		} else {
			printf("%-20s %-22s %6lld\n", kernel, sqlite3_column_text(st, 1),
			       sqlite3_column_int64(st, 2));
		}
	}
	return o ? json_print(o) : 0;
}

int cmd_gauge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct gauge_stats gs;
	const char *kernel = NULL;
	struct db *db = NULL;
	int opt, ret = EXIT_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		if (opt == 'k') {
			kernel = optarg;
			continue;
		}
		fprintf(stderr, "Try 'tuxtape-backend gauge --help'.\n");
		return EXIT_USAGE;
	}
	if (c.help) {
		printf("Usage: tuxtape-backend gauge [--kernel NAME] [--json]\n\n"
		       "Brings the applicability verdicts of every registered kernel (or one) up to\n"
		       "date with the last scan and the profiles, then prints how many CVEs each\n"
		       "verdict counts per kernel. Only what changed is recomputed.\n");
		return EXIT_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tuxtape-backend gauge: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0 || db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	if (gauge_refresh(db, kernel, &gs) < 0)
		goto out;
	if (!c.json)
		fprintf(stderr, "gauge: %u kernels, %u CVEs recomputed, %u verdicts\n", gs.kernels,
			gs.recomputed, gs.evaluations);
	ret = gauge_summary(db, c.json) < 0 ? EXIT_FAIL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}
