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
#include "triage/triage.h"
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

static int triage(struct db *db, const char *kernel, const struct policy *pol,
		  enum priority min, bool all, bool as_json)
{
	struct triage_row *rows = NULL;
	size_t n = 0, shown = 0;
	unsigned recomputed = 0;
	json_t *arr = NULL;
	int k;

	k = triage_list(db, kernel, pol, min, all, &rows, &n, &recomputed);
	if (k >= 0 && as_json)
		arr = json_array();
	for (size_t i = 0; k >= 0 && i < n; i++) {
		struct triage_row *r = &rows[i];
		json_t *reasons, *fb;

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
	triage_rows_free(rows, n);
	if (k < 0) {
		json_decref(arr);
		return log_error_errno(k, "triage failed: %m");
	}
	if (arr)
		return json_print(arr);
	fflush(stdout);
	fprintf(stderr, "%s: %zu CVEs listed (%u recomputed by the gauge)\n", kernel, shown,
		recomputed);
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
