/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend cve show|list|check: reading what the scanner stored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "triage/prioritize.h"
#include "kver.h"
#include "log.h"
#include "util.h"
#include "cve/verdict.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static void help(void)
{
	printf("Usage: tuxtape-backend cve show CVE-ID [--json]\n"
	       "       tuxtape-backend cve list [--file GLOB] [--since DATE] [--rejected] [--json]\n"
	       "       tuxtape-backend cve check --version X.Y.Z [CVE-ID ...] [--json]\n"
	       "       tuxtape-backend cve pin CVE-ID --priority LEVEL --reason TEXT\n"
	       "       tuxtape-backend cve unpin CVE-ID\n\n"
	       "  show     everything stored about one CVE\n"
	       "  list     CVEs, optionally those touching files matching GLOB (e.g.\n"
	       "           'net/netfilter/*') or added/changed since DATE (YYYY-MM-DD[THH:MM:SS])\n"
	       "  check    per CVE (all published ones by default): is kernel version X.Y.Z\n"
	       "           affected, and which version and commit fix it on its stable branch.\n"
	       "           Verdicts: affected, fixed (the bug reached this branch and so did the\n"
	       "           fix), not-affected (the bug never reached this version).\n\n"
	       "Common options: --db PATH, --config PATH, --json, --help.\n");
}

static json_t *json_strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *branch_of(const char *version, char *buf, size_t len)
{
	struct kver v, b;

	if (!version || kver_parse(version, &v) < 0)
		return NULL;
	b = kver_branch(&v);
	return kver_format(&b, buf, len);
}

/* The .dyad pairs as {branch, vulnerable_version, fixed_version, fixed_commit}. */
static json_t *json_fixes(const struct cve_record *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_dyads; i++) {
		const struct cve_dyad *d = &r->dyads[i];
		char b[KVER_STRLEN];
		const char *branch = branch_of(d->fixed_version ? d->fixed_version : d->vuln_version,
					       b, sizeof(b));

		json_array_append_new(a, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "branch", branch,
						   "vulnerable_version", d->vuln_version,
						   "vulnerable_commit", d->vuln_commit,
						   "fixed_version", d->fixed_version,
						   "fixed_commit", d->fixed_commit));
	}
	return a;
}

static json_t *json_ranges(const struct cve_record *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->n_ranges; i++) {
		const struct cve_range *g = &r->ranges[i];

		json_array_append_new(a, json_pack("{s:i, s:s, s:s?, s:s?, s:s?, s:s}", "product",
						   (int)g->product, "version", g->version,
						   "less_than", g->less_than, "less_than_or_equal",
						   g->less_than_or_equal, "version_type",
						   g->version_type, "status",
						   range_status_to_string(g->status)));
	}
	return a;
}

static int stored_dates(struct db *db, const char *id, json_t *o)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "SELECT first_seen, modified, modified_commit, dir FROM cve WHERE id = ?",
			   &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(o, "first_seen", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "modified", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "modified_commit",
				    json_string((const char *)sqlite3_column_text(st, 2)));
		json_object_set_new(o, "path", json_string((const char *)sqlite3_column_text(st, 3)));
	}
	return 0;
}

static int show(struct db *db, const char *id, bool as_json)
{
	struct cve_record r;
	json_t *o;
	int k;

	record_init(&r);
	k = db_cve_load(db, id, &r);
	if (k == -ENOENT) {
		record_free(&r);
		return log_error_errno(ENOENT, "%s: not in the database", id);
	}
	if (k < 0) {
		record_free(&r);
		return log_error_errno(k, "%s: cannot load: %m", id);
	}
	o = json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:o*, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o, s:s?}",
		      "id", r.id, "state", cve_state_to_string(r.state), "title", r.title,
		      "description", r.description, "files", json_strings(r.files, r.n_files),
		      "cvss_score", r.cvss_vector ? json_real(r.cvss_score) : NULL, "cvss_vector",
		      r.cvss_vector, "cvss_severity", r.cvss_vector ? r.cvss_severity : NULL,
		      "fixes", json_fixes(&r), "mainline_fixes",
		      json_strings(r.mainline_fixes, r.n_mainline_fixes), "vulnerable_commits",
		      json_strings(r.vulnerable, r.n_vulnerable), "references",
		      json_strings(r.references, r.n_references), "ranges", json_ranges(&r),
		      "notes", r.notes);
	if (!o) {
		record_free(&r);
		return log_error_errno(ENOMEM, "out of memory");
	}
	if (!json_object_get(o, "cvss_score")) /* the contract says null, not absent */
		json_object_set_new(o, "cvss_score", json_null());
	stored_dates(db, r.id, o);

	if (as_json) {
		record_free(&r);
		return json_print(o);
	}
	printf("%s  [%s]\n%s\n\n", r.id, cve_state_to_string(r.state), strempty(r.title));
	if (r.cvss_vector)
		printf("CVSS:   %.1f %s  %s\n", r.cvss_score, strempty(r.cvss_severity), r.cvss_vector);
	else
		printf("CVSS:   (not scored by the CNA)\n");
	printf("Files:  ");
	for (size_t i = 0; i < r.n_files; i++)
		printf("%s%s", i ? "\n        " : "", r.files[i]);
	printf("%s\n\nAffected and fixed, per line of development (.dyad):\n",
	       r.n_files ? "" : "(none named)");
	printf("  %-8s %-12s %-12s %s\n", "BRANCH", "INTRODUCED", "FIXED", "FIX COMMIT");
	for (size_t i = 0; i < r.n_dyads; i++) {
		const struct cve_dyad *d = &r.dyads[i];
		char b[KVER_STRLEN];
		const char *branch = branch_of(d->fixed_version ? d->fixed_version : d->vuln_version,
					       b, sizeof(b));

		printf("  %-8s %-12s %-12s %s\n", strempty(branch),
		       d->vuln_version ? d->vuln_version : "(unknown)",
		       d->fixed_version ? d->fixed_version : "not fixed",
		       d->fixed_commit ? d->fixed_commit : "-");
	}
	if (r.n_mainline_fixes)
		printf("\nMainline fix: %s\n", r.mainline_fixes[0]);
	if (r.description)
		printf("\n%s\n", r.description);
	json_decref(o);
	record_free(&r);
	return 0;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC; to seconds since the epoch. */
static int parse_date(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%d", &tm);

	if (!end)
		return -EINVAL;
	if (*end == 'T' || *end == ' ')
		end = strptime(end + 1, "%H:%M:%S", &tm);
	if (!end || (*end && !streq(end, "Z")))
		return -EINVAL;
	*ret = (int64_t)timegm(&tm);
	return 0;
}

static int list(struct db *db, const char *glob, const char *since, bool rejected, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int64_t since_t = 0;
	json_t *arr = as_json ? json_array() : NULL;
	size_t n = 0;
	int k;

	if (since && parse_date(since, &since_t) < 0) {
		json_decref(arr);
		return log_error_errno(EINVAL, "--since '%s': expected YYYY-MM-DD or "
				       "YYYY-MM-DDTHH:MM:SS", since);
	}
	k = db_prepare(db,
		       "SELECT c.id, c.state, c.title, c.cvss_score,"
		       " (SELECT group_concat(path, char(10)) FROM cve_file f WHERE f.cve_id = c.id)"
		       " FROM cve c WHERE (?1 OR c.state = 'published') AND c.modified >= ?2"
		       " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM cve_file f WHERE f.cve_id = c.id"
		       "  AND f.path GLOB ?3))"
		       " ORDER BY c.id", &st);
	if (k < 0) {
		json_decref(arr);
		return k;
	}
	sqlite3_bind_int(st, 1, rejected);
	sqlite3_bind_int64(st, 2, since_t);
	if (glob)
		sqlite3_bind_text(st, 3, glob, -1, SQLITE_STATIC);
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *state = (const char *)sqlite3_column_text(st, 1);
		const char *title = (const char *)sqlite3_column_text(st, 2);
		const char *files = (const char *)sqlite3_column_text(st, 4);
		bool scored = sqlite3_column_type(st, 3) != SQLITE_NULL;

		n++;
		if (arr) {
			json_t *fa = json_array();

			for (const char *p = files; p && *p;) {
				size_t l = strcspn(p, "\n");

				json_array_append_new(fa, json_stringn(p, l));
				p += l + (p[l] ? 1 : 0);
			}
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:o, s:o}", "id", id,
							     "state", state, "title", title,
							     "cvss_score",
							     scored ? json_real(sqlite3_column_double(st, 3))
								    : json_null(),
							     "files", fa));
		} else {
			char score[8] = "-";

			if (scored)
				snprintf(score, sizeof(score), "%.1f", sqlite3_column_double(st, 3));
			printf("%-16s %-9s %4s  %s\n", id, state, score, strempty(title));
		}
	}
	if (k != SQLITE_DONE) {
		json_decref(arr);
		return log_error_errno(EIO, "%s: %s", db->path, sqlite3_errmsg(db->sql));
	}
	if (arr)
		return json_print(arr);
	fflush(stdout);
	fprintf(stderr, "%zu CVEs\n", n);
	return 0;
}

static int check_one(struct db *db, const char *id, const struct kver *x, const char *xs,
		     struct cve_record *r, json_t *arr, unsigned counts[3])
{
	struct verdict_result v;
	int k = db_cve_load_versions(db, id, r);

	if (k == -ENOENT)
		return log_error_errno(ENOENT, "%s: not in the database", id);
	if (k < 0)
		return log_error_errno(k, "%s: cannot load: %m", id);
	verdict_check(r, x, &v);
	counts[v.verdict]++;
	if (arr) {
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b}", "id",
						     id, "version", xs, "verdict",
						     verdict_to_string(v.verdict), "fixed_version",
						     v.fixed_version, "fixed_commit", v.fixed_commit,
						     "fix_from", v.fixed_version
								 ? (v.fix_from_mainline ? "mainline"
											: "stable")
								 : NULL,
						     "dyad_rule_affected", v.dyad_affected));
		return 0;
	}
	printf("%-16s %-12s", id, verdict_to_string(v.verdict));
	if (v.fixed_version)
		printf(" fix: %s%s %.12s", v.fixed_version, v.fix_from_mainline ? " (mainline)" : "",
		       v.fixed_commit);
	else if (v.verdict == VERDICT_AFFECTED)
		printf(" no fix on this branch");
	printf("\n");
	return 0;
}

static int check(struct db *db, const char *version, char **ids, int n_ids, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	struct cve_record r;
	unsigned counts[3] = { 0 };
	json_t *arr = as_json ? json_array() : NULL;
	struct kver x;
	int k = 0;

	if (kver_parse(version, &x) < 0 || x.nparts < 2)
		return log_error_errno(EINVAL, "--version '%s': expected an upstream kernel version "
				       "such as 6.1.120 (not a distribution release like "
				       "6.1.0-28-amd64)", version);
	record_init(&r);
	if (n_ids > 0) {
		for (int i = 0; i < n_ids && k >= 0; i++)
			k = check_one(db, ids[i], &x, version, &r, arr, counts);
	} else {
		k = db_prepare(db, "SELECT id FROM cve WHERE state = 'published' ORDER BY id", &st);
		while (k >= 0 && sqlite3_step(st) == SQLITE_ROW) {
			_cleanup_free_ char *id = strdup((const char *)sqlite3_column_text(st, 0));

			k = id ? check_one(db, id, &x, version, &r, arr, counts) : -ENOMEM;
		}
	}
	record_free(&r);
	if (k < 0) {
		json_decref(arr);
		return k;
	}
	if (arr)
		return json_print(arr);
	fflush(stdout);
	fprintf(stderr, "%s: %u affected, %u fixed, %u not affected\n", version,
		counts[VERDICT_AFFECTED], counts[VERDICT_FIXED], counts[VERDICT_NOT_AFFECTED]);
	return 0;
}

static int pin(struct db *db, const char *id, const char *level, const char *why, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, level ? "INSERT OR REPLACE INTO pin(cve_id, priority, reason, at)"
				       " VALUES (?, ?, ?, strftime('%s', 'now'))"
				     : "DELETE FROM pin WHERE cve_id = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (level) {
		sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
	}
	k = db_step_done(db, st);
	if (k >= 0 && !level && sqlite3_changes(db->sql) == 0)
		return log_error_errno(ENOENT, "%s: not pinned", id);
	if (k >= 0 && as_json)
		return json_print(level ? json_pack("{s:s, s:s, s:s}", "id", id, "pinned", level,
						    "reason", why)
					: json_pack("{s:s, s:n}", "id", id, "pinned"));
	if (k >= 0)
		printf(level ? "%s: pinned to %s\n" : "%s: unpinned\n", id, level);
	return k;
}

int cmd_cve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'V' },
		{ "rejected", no_argument, NULL, 'r' },
		{ "priority", required_argument, NULL, 'p' },
		{ "reason", required_argument, NULL, 'R' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	const char *glob = NULL, *since = NULL, *version = NULL, *verb, *level = NULL,
		   *why = NULL;
	enum priority prio;
	bool rejected = false;
	struct db *db = NULL;
	int opt, k, ret = EXIT_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'f':
			glob = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'V':
			version = optarg;
			break;
		case 'r':
			rejected = true;
			break;
		case 'p':
			level = optarg;
			break;
		case 'R':
			why = optarg;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend cve --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind >= argc) {
		fprintf(stderr, "tuxtape-backend cve: expected show, list or check\n");
		return EXIT_USAGE;
	}
	verb = argv[optind++];
	if ((streq(verb, "show") || streq(verb, "pin") || streq(verb, "unpin")) &&
	    optind != argc - 1) {
		fprintf(stderr, "tuxtape-backend cve %s: expected one CVE-ID\n", verb);
		return EXIT_USAGE;
	}
	if (streq(verb, "pin") && (!level || priority_from_string(level, &prio) < 0 || !why ||
				   !*why || strlen(why) > 1000)) {
		fprintf(stderr, "tuxtape-backend cve pin: needs --priority critical|high|medium|low "
			"and --reason TEXT (at most 1000 characters)\n");
		return EXIT_USAGE;
	}
	if (streq(verb, "list") && optind != argc) {
		fprintf(stderr, "tuxtape-backend cve list: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (streq(verb, "check") && !version) {
		fprintf(stderr, "tuxtape-backend cve check: --version X.Y.Z is required\n");
		return EXIT_USAGE;
	}
	/* bad option values are usage errors, found before the database is opened */
	if (streq(verb, "check")) {
		struct kver x;

		if (kver_parse(version, &x) < 0 || x.nparts < 2) {
			fprintf(stderr, "tuxtape-backend cve check: --version '%s': expected an "
				"upstream kernel version such as 6.1.120 (not a distribution release "
				"like 6.1.0-28-amd64)\n", version);
			return EXIT_USAGE;
		}
	}
	if (since) {
		int64_t when;

		if (parse_date(since, &when) < 0) {
			fprintf(stderr, "tuxtape-backend cve list: --since '%s': expected YYYY-MM-DD or "
				"YYYY-MM-DDTHH:MM:SS\n", since);
			return EXIT_USAGE;
		}
	}
	if (!streq(verb, "show") && !streq(verb, "list") && !streq(verb, "check") &&
	    !streq(verb, "pin") && !streq(verb, "unpin")) {
		fprintf(stderr, "tuxtape-backend cve: unknown verb '%s' (show, list, check, pin, "
			"unpin)\n", verb);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!record_id_valid(argv[i], strlen(argv[i]))) {
			fprintf(stderr, "tuxtape-backend cve %s: '%s' is not a CVE id "
				"(CVE-YYYY-NNNN)\n", verb, argv[i]);
			return EXIT_USAGE;
		}

	if (common_setup(&c) < 0 ||
	    db_open(common_db_path(&c), streq(verb, "pin") || streq(verb, "unpin"), &db) < 0)
		goto out;
	if (streq(verb, "pin") || streq(verb, "unpin"))
		k = pin(db, argv[optind], streq(verb, "pin") ? level : NULL, why, c.json);
	else if (streq(verb, "show"))
		k = show(db, argv[optind], c.json);
	else if (streq(verb, "list"))
		k = list(db, glob, since, rejected, c.json);
	else
		k = check(db, version, argv + optind, argc - optind, c.json);
	ret = k < 0 ? EXIT_FAIL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}
