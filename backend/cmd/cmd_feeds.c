/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-backend feeds import-kev|import-epss FILE: exploitation feeds from files (the
 * backend may run without internet). A file is parsed and validated whole before anything is
 * written; then it replaces the previous import in one transaction.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "cve/record.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

#define FEED_MAX (256u << 20)

static void help(void)
{
	printf("Usage: tuxtape-backend feeds import-kev FILE     CISA's KEV catalog (JSON)\n"
	       "       tuxtape-backend feeds import-epss FILE    FIRST's EPSS scores (CSV)\n\n"
	       "Each import replaces the previous one; a file that does not parse changes nothing.\n");
}

static int import_kev(struct db *db, const char *path, bool as_json)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *ins = NULL;
	json_error_t jerr;
	json_t *root, *vulns, *v;
	size_t len, i;
	int k;

	k = read_file_bounded(path, FEED_MAX, &text, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", path);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return log_error_errno(EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	vulns = json_object_get(root, "vulnerabilities");
	if (!json_is_array(vulns)) {
		json_decref(root);
		return log_error_errno(EINVAL, "%s: no \"vulnerabilities\" array: not a KEV catalog",
				       path);
	}
	json_array_foreach(vulns, i, v) {
		const char *id = json_string_value(json_object_get(v, "cveID"));
		json_t *date = json_object_get(v, "dateAdded");

		if (!id || !record_id_valid(id, strlen(id)) || (date && !json_is_string(date))) {
			json_decref(root);
			return log_error_errno(EINVAL, "%s: vulnerabilities[%zu]: missing or invalid "
					       "cveID or dateAdded", path, i);
		}
	}
	k = db_begin(db);
	if (k >= 0)
		k = db_exec(db, "DELETE FROM kev");
	if (k >= 0)
		k = db_prepare(db, "INSERT OR REPLACE INTO kev(cve_id, date_added, due_date, ransomware,"
			       " name) VALUES (?, ?, ?, ?, ?)", &ins);
	json_array_foreach(vulns, i, v) {
		if (k < 0)
			break;
		sqlite3_bind_text(ins, 1, json_string_value(json_object_get(v, "cveID")), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, json_string_value(json_object_get(v, "dateAdded")), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, json_string_value(json_object_get(v, "dueDate")), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(ins, 4,
				  json_string_value(json_object_get(v, "knownRansomwareCampaignUse")),
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, json_string_value(json_object_get(v, "vulnerabilityName")),
				  -1, SQLITE_STATIC);
		k = db_step_done(db, ins);
	}
	k = db_end(db, k);
	if (k >= 0 && as_json)
		k = json_print(json_pack("{s:s, s:s, s:I}", "feed", "kev", "file", path, "imported",
					 (json_int_t)json_array_size(vulns)));
	else if (k >= 0)
		printf("kev: %zu entries imported from %s\n", json_array_size(vulns), path);
	json_decref(root);
	return k;
}

struct epss_row {
	char id[CVE_ID_MAX];
	double score, pct;
};

static int parse_prob(const char *s, size_t n, double *ret)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*ret = strtod(buf, &end);
	return *end || *ret < 0 || *ret > 1 ? -EINVAL : 0;
}

static int import_epss(struct db *db, const char *path, bool as_json)
{
	_cleanup_free_ char *text = NULL, *score_date = NULL;
	_cleanup_free_ struct epss_row *rows = NULL;
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *ins = NULL;
	size_t len, n = 0, cap = 0;
	unsigned lineno = 0;
	bool header = false;
	int k;

	k = read_file_bounded(path, FEED_MAX, &text, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", path);
	if (memchr(text, '\0', len))
		return log_error_errno(EINVAL, "%s: binary data (gunzip a .csv.gz first)", path);
	for (char *line = text, *next; line && *line; line = next) {
		char *f[3];
		size_t fl[3], nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (!*line)
			continue;
		if (line[0] == '#') {
			char *d = strstr(line, "score_date:");

			if (d && !score_date)
				score_date = strndup(d + 11, strcspn(d + 11, ","));
			continue;
		}
		for (char *p = line; nf < 3; nf++) {
			f[nf] = p;
			fl[nf] = strcspn(p, ",");
			if (!p[fl[nf]]) {
				nf++;
				break;
			}
			p += fl[nf] + 1;
		}
		if (!header) {
			if (nf < 3 || strncmp(f[0], "cve", 3) || strncmp(f[1], "epss", 4))
				return log_error_errno(EINVAL, "%s:%u: expected the header "
						       "'cve,epss,percentile'", path, lineno);
			header = true;
			continue;
		}
		if (nf != 3 || !record_id_valid(f[0], fl[0]))
			return log_error_errno(EINVAL, "%s:%u: expected CVE-ID,score,percentile", path,
					       lineno);
		if (n == cap) {
			struct epss_row *g = realloc(rows, (cap = cap ? cap * 2 : 4096) * sizeof(*g));

			if (!g)
				return log_error_errno(ENOMEM, "out of memory");
			rows = g;
		}
		snprintf(rows[n].id, sizeof(rows[n].id), "%.*s", (int)fl[0], f[0]);
		if (parse_prob(f[1], fl[1], &rows[n].score) < 0 ||
		    parse_prob(f[2], fl[2], &rows[n].pct) < 0)
			return log_error_errno(EINVAL, "%s:%u: score and percentile must be numbers "
					       "between 0 and 1", path, lineno);
		n++;
	}
	if (!header)
		return log_error_errno(EINVAL, "%s: empty, or not FIRST's EPSS CSV", path);
	k = db_begin(db);
	if (k >= 0)
		k = db_exec(db, "DELETE FROM epss");
	if (k >= 0)
		k = db_prepare(db, "INSERT OR REPLACE INTO epss(cve_id, score, percentile, score_date)"
			       " VALUES (?, ?, ?, ?)", &ins);
	for (size_t i = 0; k >= 0 && i < n; i++) {
		sqlite3_bind_text(ins, 1, rows[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 2, rows[i].score);
		sqlite3_bind_double(ins, 3, rows[i].pct);
		sqlite3_bind_text(ins, 4, score_date, -1, SQLITE_STATIC);
		k = db_step_done(db, ins);
	}
	k = db_end(db, k);
	if (k >= 0 && as_json)
		k = json_print(json_pack("{s:s, s:s, s:I}", "feed", "epss", "file", path, "imported",
					 (json_int_t)n));
	else if (k >= 0)
		printf("epss: %zu scores imported from %s\n", n, path);
	return k;
}

int cmd_feeds(int argc, char **argv)
{
	static const struct option longopts[] = { COMMON_LONG_OPTIONS, { 0 } };
	struct common_opts c = { 0 };
	struct db *db = NULL;
	int opt, ret = EXIT_FAIL, k;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		if (!common_opt(&c, opt, optarg)) {
			fprintf(stderr, "Try 'tuxtape-backend feeds --help'.\n");
			return EXIT_USAGE;
		}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (argc - optind != 2 || (!streq(argv[optind], "import-kev") &&
				   !streq(argv[optind], "import-epss"))) {
		fprintf(stderr, "tuxtape-backend feeds: expected import-kev FILE or import-epss FILE\n");
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0 || db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	k = streq(argv[optind], "import-kev") ? import_kev(db, argv[optind + 1], c.json)
					      : import_epss(db, argv[optind + 1], c.json);
	ret = k < 0 ? EXIT_FAIL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}
