// SPDX-License-Identifier: GPL-2.0-only
/*
 * One pipeline run (pipeline.h): lock, scan, gauge, select, generate, cumulative, publish,
 * timestamp, record. The archive is the truth about what was published: each kernel's
 * cumulative target carries a digest of the fixes in it, so a run that died after
 * publishing is recognised as done by the next one instead of publishing again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <git2.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/tuf_archive.h"
#include "fileio.h"
#include "gauge/gauge.h"
#include "log.h"
#include "pipeline/pipeline_int.h"
#include "triage/triage.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

struct run {
	const struct pipeline_opts *o;
	struct db *db;
	long long id;
	double t0;
	json_t *report, *steps, *kernels;
	unsigned selected, vetted, refused, failed, deferred, published, promoted, revoked;
	char *published_list;
};

/* The fault tests' hook: the run kills itself at the named point (TUXTAPE_TEST_KILL_AT). */
static void kill_point(const char *name)
{
	const char *at = getenv("TUXTAPE_TEST_KILL_AT");

	if (at && streq(at, name))
		raise(SIGKILL);
}

static void step_done(struct run *r, const char *name, double t, json_t *counts)
{
	json_t *s = counts ? counts : json_object();

	json_object_set_new(s, "name", json_string(name));
	json_object_set_new(s, "seconds", json_real((double)(long)((gen_now() - t) * 100) / 100));
	json_array_append_new(r->steps, s);
}

static void progress(const struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->o->progress)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "run: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void hex_sha256(const char *text, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* --- kernels and their fix sources */

struct pl_kernel {
	char *name, *release, *source; /* source: the fix source in use (a mirror for a URL) */
	bool git;
	git_repository *repo;
	json_t *out;                   /* its part of the report */
};

static void kernels_free(struct pl_kernel *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name), free(v[i].release), free(v[i].source);
		git_repository_free(v[i].repo);
	}
	free(v);
}

static const char *fix_source_for(const struct pipeline_opts *o, const char *kernel)
{
	size_t n = strlen(kernel);

	for (size_t i = 0; o->fixes_for && o->fixes_for[i]; i++)
		if (!strncmp(o->fixes_for[i], kernel, n) && o->fixes_for[i][n] == '=')
			return o->fixes_for[i] + n + 1;
	return o->fixes;
}

/* A git repository (work tree or bare) is read with libgit2; anything else is a newer
 * source tree or tarball. A URL is mirrored first (fetched on every run). */
static int settle_source(struct run *r, struct pl_kernel *k, const char *src, char *why,
			 size_t len)
{
	if (scan_source_is_url(src)) {
		_cleanup_free_ char *mirror = NULL;
		git_repository *repo = NULL;
		int e;

		if (r->o->mirror)
			mirror = strdup(r->o->mirror);
		else if (asprintf(&mirror, "%s/linux.git", r->o->work) < 0)
			mirror = NULL;
		if (!mirror)
			return -ENOMEM;
		e = scan_mirror(src, mirror, &repo);
		if (e < 0) {
			snprintf(why, len, "cannot fetch the fix source %s into %s", src, mirror);
			return e;
		}
		k->repo = repo;
		k->git = true;
		k->source = TAKE_PTR(mirror);
		return 0;
	}
	k->source = realpath(src, NULL);
	if (!k->source) {
		snprintf(why, len, "fix source %s: %s", src, strerror(errno));
		return -errno;
	}
	k->git = git_repository_open_ext(&k->repo, k->source, GIT_REPOSITORY_OPEN_NO_SEARCH,
					 NULL) == 0;
	return 0;
}

static int load_kernels(struct run *r, struct pl_kernel **ret, size_t *n)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	struct pl_kernel *v = NULL;
	size_t cnt = 0;
	int k = db_prepare(r->db, "SELECT name, release FROM kernel ORDER BY name", &st);

	if (k < 0)
		return k;
	for (size_t i = 0; r->o->kernels && r->o->kernels[i]; i++) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *one = NULL;

		if (db_prepare(r->db, "SELECT 1 FROM kernel WHERE name = ?", &one) < 0)
			return -EIO;
		sqlite3_bind_text(one, 1, r->o->kernels[i], -1, SQLITE_STATIC);
		if (sqlite3_step(one) != SQLITE_ROW)
			return log_error_errno(ENOENT, "kernel %s: not registered (see kernel list)",
					       r->o->kernels[i]);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *rel = (const char *)sqlite3_column_text(st, 1);
		bool wanted = !r->o->kernels;
		struct pl_kernel *g;

		for (size_t i = 0; r->o->kernels && r->o->kernels[i]; i++)
			wanted = wanted || streq(r->o->kernels[i], name);
		if (!wanted)
			continue;
		g = realloc(v, (cnt + 1) * sizeof(*g));
		if (!g) {
			kernels_free(v, cnt);
			return -ENOMEM;
		}
		v = g;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].name = strdup(name);
		v[cnt].release = rel ? strdup(rel) : NULL;
		v[cnt].out = json_pack("{s:s, s:s?}", "name", name, "release", rel);
		json_array_append_new(r->kernels, v[cnt].out);
		if (!v[cnt++].name) {
			kernels_free(v, cnt);
			return -ENOMEM;
		}
	}
	*ret = v;
	*n = cnt;
	return 0;
}

/* When the fix went into the kernel's branch (commit time), for the cumulative's order. */
static long long fix_order(const struct pl_kernel *k, const char *commit)
{
	git_oid oid;
	git_commit *c = NULL;
	long long t = 0;

	if (!k->repo || !commit || git_oid_fromstrn(&oid, commit, strlen(commit)) < 0)
		return 0;
	if (git_commit_lookup_prefix(&c, k->repo, &oid, strlen(commit)) == 0) {
		t = (long long)git_commit_time(c);
		git_commit_free(c);
	}
	return t;
}

/* --- select and generate */

struct gen_done_ctx {
	struct run *r;
};

static void attempt_done(struct pl_job *j, void *userdata)
{
	struct run *r = ((struct gen_done_ctx *)userdata)->r;
	_cleanup_free_ char *patch_path = NULL, *patch = NULL;
	struct pipeline_attempt a = { .kernel = j->kernel, .cve = j->cve, .fix_key = j->fix_key,
				      .outcome = j->outcome, .step = j->step, .reason = j->reason,
				      .fix_order = j->fix_order, .seconds = j->seconds };
	size_t len;

	if (streq(strempty(j->outcome), "vetted")) {
		if (asprintf(&patch_path, "%s/fix.patch", j->out) < 0 ||
		    read_file_bounded(patch_path, 64u << 20, &patch, &len) < 0) {
			a.outcome = "failed";
			a.step = "generate";
			a.reason = "vetted, but its fix.patch is missing";
		}
		a.patch = patch;
	}
	if (pipeline_attempt_put(r->db, r->id, &a) < 0) {
		log_error("%s on %s: the attempt could not be recorded", j->cve, j->kernel);
		return;
	}
	if (streq(a.outcome, "vetted"))
		r->vetted++;
	else if (streq(a.outcome, "refused"))
		r->refused++;
	else
		r->failed++;
	progress(r, "%s %s: %s%s%s (%.0f s)", j->kernel, j->cve, a.outcome,
		 a.step ? " at " : "", strempty(a.step), j->seconds);
	kill_point("attempt");
}

/* Applicable CVEs at or above the minimum priority with no attempt for their current fix. */
static int select_kernel(struct run *r, struct pl_kernel *k, struct pl_job **jobs, size_t *n)
{
	struct triage_row *rows = NULL;
	size_t nrows = 0;
	unsigned recomputed, picked = 0, known = 0;
	json_t *list = json_array();
	int e;

	e = triage_list(r->db, k->name, r->o->policy, r->o->min, false, &rows, &nrows, &recomputed);
	if (e < 0) {
		json_decref(list);
		return e;
	}
	for (size_t i = 0; e >= 0 && i < nrows; i++) {
		_cleanup_free_ char *key_text = NULL, *out = NULL;
		struct db_cve_stamp stamp;
		struct pl_job *g, *j;
		char key[65];

		if (r->o->limit && picked >= (unsigned)r->o->limit)
			break;
		e = db_cve_stamp(r->db, rows[i].id, &stamp);
		if (e < 0)
			break;
		/* the record (its files' blobs), the fix commit and where fixes come from */
		e = asprintf(&key_text, "%s\n%s\n%s", strempty(rows[i].fixed_commit),
			     strempty(stamp.blobs), k->source) < 0 ? -ENOMEM : 0;
		free(stamp.blobs);
		if (e < 0)
			break;
		hex_sha256(key_text, key);
		e = pipeline_attempted(r->db, k->name, rows[i].id, key);
		if (e != 0) {
			known += e > 0;
			continue;
		}
		if (asprintf(&out, "%s/%s/%s", r->o->work, k->name, rows[i].id) < 0) {
			e = -ENOMEM;
			break;
		}
		picked++;
		json_array_append_new(list, json_string(rows[i].id));
		if (r->o->dry_run)
			continue;
		g = realloc(*jobs, (*n + 1) * sizeof(*g));
		if (!g) {
			e = -ENOMEM;
			break;
		}
		*jobs = g;
		j = &g[(*n)++];
		e = pl_job_init(j, r->o, k->name, out);
		if (e >= 0)
			e = pl_job_arg(j, "--cve", rows[i].id);
		if (e >= 0)
			e = pl_job_arg(j, k->git ? "--linux-git" : "--fix-source", k->source);
		j->cve = strdup(rows[i].id);
		j->fix_key = strdup(key);
		j->fix_order = fix_order(k, rows[i].fixed_commit);
		if (e >= 0 && (!j->cve || !j->fix_key))
			e = -ENOMEM;
	}
	json_object_set_new(k->out, "applicable", json_integer((json_int_t)nrows));
	json_object_set_new(k->out, "attempted_before", json_integer(known));
	json_object_set_new(k->out, "selected", list);
	r->selected += picked;
	triage_rows_free(rows, nrows);
	return e < 0 ? e : 0;
}

/* --- the cumulative livepatch */

static int cumulative(struct run *r, struct pl_kernel *k)
{
	struct archive_opts ao = { .dir = r->o->archive, .keys = r->o->keys, .now = time(NULL) };
	_cleanup_free_ char *series = NULL, *cur_id = NULL, *cur_content = NULL, *lines = NULL,
			     *cves = NULL, *out = NULL, *patch_id = NULL, *ko = NULL,
			     *target = NULL;
	struct pipeline_attempt *v = NULL;
	struct pl_job job = { .pid = -1 };
	char content[65];
	long long version = 0, in_archive = 0;
	size_t n = 0;
	json_t *c = json_object();
	int e;

	json_object_set_new(k->out, "cumulative", c);
	archive_default_expiry(&ao.expiry);
	e = pipeline_vetted(r->db, k->name, &v, &n);
	if (e < 0)
		return e;
	json_object_set_new(c, "fixes", json_integer((json_int_t)n));
	if (!n) {
		json_object_set_new(c, "status", json_string("no vetted fix yet"));
		return 0;
	}
	for (size_t i = 0; i < n && e >= 0; i++) {
		e = gen_list_append(&lines, "", "%s %s\n", v[i].cve, v[i].fix_key);
		if (e >= 0)
			e = gen_list_append(&cves, ",", "%s", v[i].cve);
	}
	if (e < 0)
		goto out;
	hex_sha256(lines, content);
	if (!k->release) {
		json_object_set_new(c, "status", json_string("not published: the kernel has no "
							     "release (kernel add --release)"));
		goto out;
	}
	if (asprintf(&series, "cumulative-%s", k->name) < 0) {
		e = -ENOMEM;
		goto out;
	}
	if (r->o->rollout) {
		_cleanup_free_ char *why = NULL;

		e = rollout_kernel_held(r->db, k->name, &why);
		if (e < 0)
			goto out;
		if (e > 0) {
			/* a revoked patch waits for a person (fleet release) */
			json_object_set_new(c, "status", json_string("held"));
			json_object_set_new(c, "reason", json_string(strempty(why)));
			e = 0;
			goto out;
		}
	}
	e = archive_series_current(&ao, series, k->release, &cur_id, &cur_content);
	if (e < 0)
		goto out;
	if (e > 0 && streq(cur_content, content)) {
		json_object_set_new(c, "status", json_string("up to date"));
		json_object_set_new(c, "patch_id", json_string(cur_id));
		e = 0;
		goto out;
	}
	if (e > 0 && startswith(cur_id, series) && cur_id[strlen(series)] == '-')
		in_archive = strtoll(cur_id + strlen(series) + 1, NULL, 10);
	e = pipeline_cumulative_last(r->db, k->name, &version);
	if (e < 0)
		goto out;
	version = (version > in_archive ? version : in_archive) + 1;
	if (asprintf(&patch_id, "%s-%lld", series, version) < 0 ||
	    asprintf(&out, "%s/%s/%s", r->o->work, k->name, patch_id) < 0) {
		e = -ENOMEM;
		goto out;
	}
	json_object_set_new(c, "version", json_integer(version));
	json_object_set_new(c, "patch_id", json_string(patch_id));
	json_object_set_new(c, "cves", json_string(cves));
	if (r->o->dry_run) {
		json_object_set_new(c, "status", json_string("would be built"));
		goto out;
	}
	kill_point("cumulative");
	progress(r, "%s: cumulative livepatch %s with %zu fix(es)", k->name, patch_id, n);
	e = pl_job_init(&job, r->o, k->name, out);
	for (size_t i = 0; i < n && e >= 0; i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/fixes/%03zu-%s.patch", out, i + 1, v[i].cve) < 0) {
			e = -ENOMEM;
			break;
		}
		*strrchr(p, '/') = '\0';
		e = mkdir_p(p, 0755);
		p[strlen(p)] = '/';
		if (e >= 0)
			e = write_file_atomic(p, v[i].patch, strlen(v[i].patch), 0644);
		if (e >= 0)
			e = pl_job_arg(&job, "--patch", p);
	}
	if (e >= 0)
		e = pl_job_arg(&job, "--replace", NULL);
	if (e >= 0)
		e = pl_job_arg(&job, "--cves", cves);
	if (e >= 0)
		e = pl_job_arg(&job, "--id", patch_id);
	if (e >= 0)
		e = pl_jobs_run(&job, 1, 1, 0, NULL, NULL);
	if (e < 0)
		goto out;
	json_object_set_new(c, "seconds", json_real((double)(long)(job.seconds * 100) / 100));
	if (!streq(strempty(job.outcome), "vetted")) {
		json_object_set_new(c, "status", json_string("not published"));
		json_object_set_new(c, "outcome", json_string(strempty(job.outcome)));
		json_object_set_new(c, "step", json_string(strempty(job.step)));
		json_object_set_new(c, "reason", json_string(strempty(job.reason)));
		r->failed++;
		goto out;
	}
	if (asprintf(&ko, "%s/%s.ko", out, strempty(job.module)) < 0) {
		e = -ENOMEM;
		goto out;
	}
	{
		const char **list = calloc(n, sizeof(*list));
		struct publish_info pi = { .kernel_release = k->release, .cves = list,
					   .n_cves = (unsigned)n, .channel = r->o->channel,
					   .patch_id = patch_id, .series = series,
					   .content = content };

		if (!list) {
			e = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			list[i] = v[i].cve;
		e = archive_publish(&ao, ko, &pi, &target);
		free(list);
	}
	if (e < 0) {
		json_object_set_new(c, "status", json_string("publishing failed"));
		goto out;
	}
	kill_point("publish");
	e = pipeline_cumulative_put(r->db, k->name, version, patch_id, cves, target, r->id);
	if (e >= 0 && r->o->rollout)
		e = rollout_register(r->db, &ao, patch_id, k->name, series, k->release, target,
				     r->o->channel, ao.now);
	if (e < 0)
		goto out;
	json_object_set_new(c, "status", json_string("published"));
	json_object_set_new(c, "target", json_string(target));
	r->published++;
	gen_list_append(&r->published_list, ", ", "%s v%lld (%zu CVE%s)", k->name, version, n,
			n == 1 ? "" : "s");
out:
	pl_job_free(&job);
	pipeline_attempts_free(v, n);
	return e;
}

/* --- the run */

static int lock_run(const char *db_path, int *fd)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s.run.lock", db_path) < 0)
		return -ENOMEM;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
		return log_error_errno(errno, "%s: %m", path);
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(*fd);
		*fd = -1;
		if (e == -EBUSY)
			log_error("another run holds %s", path);
		return e;
	}
	return 0;
}

static int scan_and_gauge(struct run *r)
{
	struct scan_stats ss = { 0 };
	struct gauge_stats gs = { 0 };
	double t = gen_now();
	int e;

	if (r->o->scan) {
		kill_point("scan");
		progress(r, "scanning %s", r->o->scan_opts.source);
		e = scan_run(r->db, &r->o->scan_opts, &ss);
		if (e < 0)
			return e;
		step_done(r, "scan", t, json_pack("{s:s, s:b, s:I, s:I, s:I}", "commit", ss.commit,
			  "up_to_date", ss.up_to_date, "new", (json_int_t)ss.new_records,
			  "updated", (json_int_t)ss.updated, "errors", (json_int_t)ss.errors));
	} else {
		step_done(r, "scan", t, json_pack("{s:s}", "skipped", "no [scan] vulns source"));
	}
	t = gen_now();
	e = gauge_refresh(r->db, NULL, &gs);
	if (e < 0)
		return e;
	step_done(r, "gauge", t, json_pack("{s:I, s:I}", "kernels", (json_int_t)gs.kernels,
		  "recomputed", (json_int_t)gs.recomputed));
	return 0;
}

static char *summary(const struct run *r, size_t n_kernels)
{
	char *s = NULL;
	int e;

	if (!r->selected && !r->published && !r->failed)
		e = asprintf(&s, "run %lld: nothing new (%zu kernel%s up to date)%s", r->id,
			     n_kernels, n_kernels == 1 ? "" : "s", r->o->dry_run ? " [dry run]" : "");
	else
		e = asprintf(&s, "run %lld: %zu kernel%s, %u selected, %u vetted, %u refused, "
			     "%u failed, %u deferred; published: %s%s", r->id, n_kernels,
			     n_kernels == 1 ? "" : "s", r->selected, r->vetted, r->refused,
			     r->failed, r->deferred, r->published_list ? r->published_list : "nothing",
			     r->o->dry_run ? " [dry run]" : "");
	if (e >= 0 && (r->promoted || r->revoked)) {
		char *t = NULL;

		e = asprintf(&t, "%s; fleet: %u promoted, %u revoked", s, r->promoted, r->revoked);
		free(s);
		s = e < 0 ? NULL : t;
	}
	return e < 0 ? NULL : s;
}

static int run_steps(struct run *r, struct pl_kernel *ks, size_t nk)
{
	struct pl_job *jobs = NULL;
	struct gen_done_ctx ctx = { .r = r };
	size_t njobs = 0;
	double t = gen_now();
	int e = 0;

	kill_point("select");
	for (size_t i = 0; i < nk && e >= 0; i++) {
		const char *src = fix_source_for(r->o, ks[i].name);
		char why[512] = "";

		if (!src) {
			json_object_set_new(ks[i].out, "skipped", json_string(
				"no fix source ([pipeline] fixes or fixes.NAME)"));
			continue;
		}
		e = settle_source(r, &ks[i], src, why, sizeof(why));
		if (e < 0) {
			json_object_set_new(ks[i].out, "skipped", json_string(why));
			log_error("kernel %s: %s", ks[i].name, why);
			e = 0;
			continue;
		}
		json_object_set_new(ks[i].out, "fixes", json_pack("{s:s, s:s}", "source",
				    ks[i].source, "kind", ks[i].git ? "git" : "source"));
		e = select_kernel(r, &ks[i], &jobs, &njobs);
	}
	step_done(r, "select", t, json_pack("{s:I}", "selected", (json_int_t)r->selected));
	if (e >= 0 && !r->o->dry_run && njobs) {
		double deadline = r->o->budget ? r->t0 + (double)r->o->budget : 0;

		t = gen_now();
		progress(r, "%zu generation(s), %ld at a time", njobs, r->o->jobs ? r->o->jobs : 1);
		e = pl_jobs_run(jobs, njobs, r->o->jobs, deadline, attempt_done, &ctx);
		for (size_t i = 0; i < njobs; i++)
			r->deferred += jobs[i].deferred;
		step_done(r, "generate", t, json_pack("{s:I, s:I, s:I, s:I}", "vetted",
			  (json_int_t)r->vetted, "refused", (json_int_t)r->refused, "failed",
			  (json_int_t)r->failed, "deferred", (json_int_t)r->deferred));
	}
	for (size_t i = 0; i < njobs; i++)
		pl_job_free(&jobs[i]);
	free(jobs);
	t = gen_now();
	for (size_t i = 0; i < nk && e >= 0; i++)
		if (ks[i].source)
			e = cumulative(r, &ks[i]);
	step_done(r, "cumulative", t, json_pack("{s:I}", "published", (json_int_t)r->published));
	if (e >= 0 && !r->o->dry_run && r->o->rollout) {
		struct archive_opts ao = { .dir = r->o->archive, .keys = r->o->keys,
					   .now = time(NULL) };
		json_t *actions = json_array(), *a;
		size_t i;

		kill_point("rollout");
		t = gen_now();
		archive_default_expiry(&ao.expiry);
		/* the nodes' evidence is not the run's: a failed action is reported, not fatal */
		if (rollout_evaluate(r->db, &ao, r->o->rollout, ao.now, actions) < 0)
			json_object_set_new(r->report, "rollout_error", json_string(
				"some rollout actions failed (see the log)"));
		json_array_foreach(actions, i, a) {
			const char *what = json_string_value(json_object_get(a, "action"));

			r->promoted += streq_ptr(what, "promote");
			r->revoked += streq_ptr(what, "revoke");
		}
		step_done(r, "rollout", t, json_pack("{s:o}", "actions", actions));
	}
	if (e >= 0 && !r->o->dry_run) {
		struct archive_opts ao = { .dir = r->o->archive, .keys = r->o->keys,
					   .now = time(NULL) };

		kill_point("timestamp");
		t = gen_now();
		archive_default_expiry(&ao.expiry);
		e = archive_timestamp(&ao);
		step_done(r, "timestamp", t, NULL);
	}
	return e;
}

int pipeline_run(struct db *db, const struct pipeline_opts *o, json_t **report)
{
	struct run r = { .o = o, .db = db, .t0 = gen_now() };
	struct pl_kernel *ks = NULL;
	_cleanup_free_ char *line = NULL, *meta = NULL;
	_cleanup_close_ int lock = -1;
	unsigned stale = 0;
	size_t nk = 0;
	int e;

	if (!o->dry_run) {
		if (asprintf(&meta, "%s/metadata/1.root.json", o->archive) < 0)
			return -ENOMEM;
		if (access(meta, F_OK) < 0)
			return log_error_errno(ENOENT, "archive %s: not initialised (tuxtape-backend "
					       "archive init %s)", o->archive, o->archive);
	}
	e = lock_run(o->db_path, &lock);
	if (e < 0)
		return e;
	r.steps = json_array();
	r.kernels = json_array();
	r.report = json_pack("{s:I, s:o, s:o, s:b}", "started", (json_int_t)time(NULL), "steps",
			     r.steps, "kernels", r.kernels, "dry_run", o->dry_run);
	if (!r.report)
		return -ENOMEM;
	e = pipeline_runs_interrupted(db, &stale);
	if (e >= 0 && stale)
		log_info("%u earlier run(s) died before they ended: marked interrupted", stale);
	/* an unknown kernel is the caller's mistake, not a run */
	if (e >= 0)
		e = load_kernels(&r, &ks, &nk);
	if (e < 0) {
		json_decref(r.report);
		return e;
	}
	if (!o->dry_run)
		e = pipeline_run_begin(db, &r.id);
	if (e >= 0) {
		json_object_set_new(r.report, "id", json_integer(r.id));
		e = scan_and_gauge(&r);
	}
	if (e >= 0)
		e = run_steps(&r, ks, nk);
	line = summary(&r, nk);
	json_object_set_new(r.report, "summary", json_string(strempty(line)));
	json_object_set_new(r.report, "status", json_string(e < 0 ? "failed" : "done"));
	json_object_set_new(r.report, "seconds",
			    json_real((double)(long)((gen_now() - r.t0) * 100) / 100));
	json_object_set_new(r.report, "counts", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
			    "selected", (json_int_t)r.selected, "vetted", (json_int_t)r.vetted,
			    "refused", (json_int_t)r.refused, "failed", (json_int_t)r.failed,
			    "deferred", (json_int_t)r.deferred, "published",
			    (json_int_t)r.published));
	kill_point("end");
	if (!o->dry_run && r.id &&
	    pipeline_run_end(db, r.id, e < 0 ? "failed" : "done", line, r.report) < 0)
		log_error("run %lld: its record could not be written", r.id);
	kernels_free(ks, nk);
	free(r.published_list);
	if (report)
		*report = r.report;
	else
		json_decref(r.report);
	return e;
}
