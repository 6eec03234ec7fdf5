/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "needs a person" queue: every generation that was refused or failed is recorded (table
 * gen_failure: kernel, CVE or patch, step, reason, the whole report) and listed by
 * `generate --failures`. A person is told through an optional command (run with
 * TUXTAPE_KERNEL, TUXTAPE_CVE, TUXTAPE_PATCH, TUXTAPE_PATCH_ID, TUXTAPE_STEP, TUXTAPE_REASON,
 * TUXTAPE_OUTCOME and TUXTAPE_REPORT in its environment) and an optional webhook (the report
 * POSTed as JSON). Notification failures are logged and never change the outcome.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "generate.h"
#include "log.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

int gen_queue_add(struct db *db, const struct gen_ctx *c, const char *report)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "INSERT INTO gen_failure(kernel, cve_id, patch, patch_id, step,"
			   " outcome, reason, report, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, c->req->kernel, -1, SQLITE_STATIC);
	if (c->req->cve)
		sqlite3_bind_text(st, 2, c->req->cve, -1, SQLITE_STATIC);
	if (c->req->patch)
		sqlite3_bind_text(st, 3, c->req->patch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, strempty(c->patch_id), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->failed_step ? c->failed_step : "?", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, gen_status_string(c->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, strempty(c->reason), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, report, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	return db_step_done(db, st);
}

int gen_queue_list(struct db *db, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *arr = as_json ? json_array() : NULL;
	int k = db_prepare(db, "SELECT id, kernel, cve_id, patch, patch_id, step, outcome, reason,"
			   " at FROM gen_failure ORDER BY at, id", &st);

	if (k < 0) {
		json_decref(arr);
		return k;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		time_t at = (time_t)sqlite3_column_int64(st, 8);
		char when[32];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&at, &tm));
		if (arr) {
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:s, s:s, "
				"s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0), "kernel",
				sqlite3_column_text(st, 1), "cve", (const char *)sqlite3_column_text(st, 2),
				"patch", (const char *)sqlite3_column_text(st, 3), "patch_id",
				sqlite3_column_text(st, 4), "step", sqlite3_column_text(st, 5),
				"outcome", sqlite3_column_text(st, 6), "reason",
				sqlite3_column_text(st, 7), "at", when));
			continue;
		}
		printf("%s  %-16s %-20s %-8s %-14s %s\n", when, sqlite3_column_text(st, 1),
		       sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2)
						  : (const char *)sqlite3_column_text(st, 4),
		       sqlite3_column_text(st, 6), sqlite3_column_text(st, 5),
		       sqlite3_column_text(st, 7));
	}
	return arr ? json_print(arr) : 0;
}

static void run_command(const struct gen_ctx *c, const char *command, const char *report)
{
	char *env[9] = { NULL };
	size_t n = 0;
	int status;
	pid_t pid;

	if (asprintf(&env[n++], "TUXTAPE_KERNEL=%s", c->req->kernel) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_CVE=%s", strempty(c->req->cve)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_PATCH=%s", strempty(c->req->patch)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_PATCH_ID=%s", strempty(c->patch_id)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_STEP=%s", strempty(c->failed_step)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_REASON=%s", strempty(c->reason)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_OUTCOME=%s", gen_status_string(c->status)) < 0 ||
	    asprintf(&env[n++], "TUXTAPE_REPORT=%s", report) < 0) {
		log_error("notification: out of memory");
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < n; i++)
			putenv(env[i]);
		/* the notifier must not write into our JSON on stdout */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		log_error_errno(errno, "notification command: fork: %m");
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warning("notification command '%s' failed (status %d)", command, status);
out:
	for (size_t i = 0; i < n; i++)
		free(env[i]);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *user)
{
	return size * nmemb;
}

static void post_webhook(const char *url, const char *report)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *h = curl_easy_init();
	long code = 0;
	CURLcode r;

	if (!h || !hdr) {
		log_error("webhook: out of memory");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, report);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	r = curl_easy_perform(h);
	if (r == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (r != CURLE_OK || code >= 300)
		log_warning("webhook %s: %s", url, r != CURLE_OK ? curl_easy_strerror(r) :
			    "the server did not accept the report");
out:
	curl_slist_free_all(hdr);
	if (h)
		curl_easy_cleanup(h);
}

void gen_notify(const struct gen_ctx *c, const char *command, const char *webhook,
		const char *report)
{
	if (command)
		run_command(c, command, report);
	if (webhook)
		post_webhook(webhook, report);
}
