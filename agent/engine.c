/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_int.h"
#include "fetch.h"
#include "fileio.h"
#include "klp.h"
#include "log.h"
#include "modfile.h"
#include "util.h"

static int sha256_file(const char *path, char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char buf[65536], md[crypto_hash_sha256_BYTES];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	crypto_hash_sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&h, buf, (size_t)n);
	if (n < 0)
		return -errno;
	crypto_hash_sha256_final(&h, md);
	sodium_bin2hex(out, 65, md, sizeof(md));
	return 0;
}

/* At start: applying records of an earlier boot mean the node went down with that patch just
 * in: quarantine it. Records of this boot (the agent itself was restarted) are resumed. */
static int crash_guard(struct engine *e)
{
	struct applying_rec *v = NULL;
	size_t n = 0;
	int r;

	r = state_applying_list(&e->st, &v, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char reason[512], when[32];
		time_t t = (time_t)v[i].started;
		struct tm tm;

		if (streq(v[i].boot_id, e->node.boot_id))
			continue;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		snprintf(reason, sizeof(reason),
			 "the node went down while or soon after this patch was applied (applied at %s "
			 "in boot %s, not yet healthy for %llds): not re-applied; "
			 "'agentctl unquarantine %s' allows it again", when, v[i].boot_id,
			 (long long)e->cfg->healthy_window, v[i].id);
		engine_set_state(e, v[i].id, "quarantined", "quarantined", reason);
		state_applying_close(&e->st, v[i].id);
	}
	applying_recs_free(v, n);
	return 0;
}

/* Patches applied in an earlier boot are re-applied (from the verified cache) in this one. */
static void requeue_after_reboot(struct engine *e)
{
	struct patch_rec *v = NULL;
	size_t n = 0;

	if (state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!streq(v[i].kernel_release, e->node.release))
			continue;
		if ((streq(v[i].state, "applied") || streq(v[i].state, "applying")) &&
		    !streq(v[i].boot_id, e->node.boot_id))
			engine_set_state(e, v[i].id, "pending", "reboot", "re-applying after a reboot");
	}
	patch_recs_free(v, n);
}

/* Resume watching a patch this boot loaded before the agent was restarted. */
static void resume_after_restart(struct engine *e)
{
	struct patch_rec *v = NULL;
	size_t n = 0;

	if (state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n && !e->busy_id; i++) {
		struct klp_state k;

		if (!streq(v[i].state, "applying"))
			continue;
		if (klp_get(e->cfg->root, v[i].module, &k) == 0) {
			engine_busy_set(e, v[i].id, v[i].module, false, NULL, NULL);
			state_event(&e->st, v[i].id, "resumed",
				    "agent restarted during the transition: watching it again");
		} else if (!modfile_loaded(e->kmod, v[i].module)) {
			/* killed between the record and the load: try again */
			state_applying_close(&e->st, v[i].id);
			engine_set_state(e, v[i].id, "pending", "resumed",
					 "agent restarted before the module was loaded: retrying");
		}
	}
	patch_recs_free(v, n);
}

int engine_start(struct engine *e, const struct agent_config *cfg)
{
	_cleanup_free_ char *db = NULL, *held = NULL;
	int r;

	*e = (struct engine){ .cfg = cfg, .fetch = { .out_fd = -1, .err_fd = -1 } };
	r = node_identity_read(cfg->root, &e->node);
	if (r < 0)
		return r;
	if (asprintf(&e->tuf_dir, "%s/metadata", cfg->state_dir) < 0 ||
	    asprintf(&e->cache_dir, "%s/modules", cfg->state_dir) < 0 ||
	    asprintf(&db, "%s/agent.db", cfg->state_dir) < 0 ||
	    !(e->helper = fetch_helper_path(cfg->fetch_helper)))
		return log_error_errno(-ENOMEM, "out of memory");
	r = mkdir_p(e->cache_dir, 0700);
	if (r < 0)
		return log_error_errno(r, "%s: %m", e->cache_dir);
	r = state_open(db, &e->st);
	if (r < 0)
		return r;
	r = modfile_ctx_new(&e->kmod);
	if (r < 0)
		return log_error_errno(r, "libkmod: %m");
	if (state_meta_get(&e->st, "held", &held) == 0)
		e->held = streq(held, "1");
	/* before the first state change, so the fleet hears of the crash guard's verdicts */
	engine_fleet_start(e);
	crash_guard(e);
	e->revert_due = true;   /* a revert interrupted by a restart is finished */
	requeue_after_reboot(e);
	resume_after_restart(e);
	state_event(&e->st, NULL, "started", "agent started on %s (boot %s)", e->node.release,
		    e->node.boot_id);
	return 0;
}

/* A clean stop (SIGTERM, as at shutdown) is no evidence against a patch still in its healthy
 * window: a crash gives the agent no chance to get here. */
static void close_on_clean_stop(struct engine *e)
{
	struct applying_rec *v = NULL;
	size_t n = 0;

	if (!e->st.db || state_applying_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct patch_rec p;

		if (state_patch_get(&e->st, v[i].id, &p) < 0)
			continue;
		if (streq(p.state, "applied") && streq(v[i].boot_id, e->node.boot_id)) {
			state_applying_close(&e->st, v[i].id);
			state_event(&e->st, v[i].id, "healthy", "agent stopped cleanly within the "
				    "healthy window: not counted as a crash");
		}
		patch_rec_free(&p);
	}
	applying_recs_free(v, n);
}

void engine_stop(struct engine *e)
{
	close_on_clean_stop(e);
	engine_fleet_stop(e);
	engine_busy_clear(e);
	fetch_child_close(&e->fetch);
	json_decref(e->fetched);
	state_close(&e->st);
	modfile_ctx_unref(e->kmod);
	free(e->tuf_dir);
	free(e->cache_dir);
	free(e->helper);
}

/* The node's targets as the fetch helper reported them (it selected them for this node). */
static void note_targets(struct engine *e, const json_t *doc)
{
	json_t *t, *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "targets"), i, t) {
		const char *path = json_string_value(json_object_get(t, "path"));
		const char *id = json_string_value(json_object_get(t, "patch_id"));
		const char *sha = json_string_value(json_object_get(t, "sha256"));
		json_int_t version = json_integer_value(json_object_get(t, "version"));
		json_int_t published = json_integer_value(json_object_get(t, "published"));
		struct patch_rec old = { 0 }, p;
		_cleanup_free_ char *cves = NULL, *module = NULL;
		const char *base;
		int k;

		if (!path || !id || !sha)
			continue;
		k = state_patch_get(&e->st, id, &old);
		if (k == 0 && (old.version >= version || streq(old.state, "quarantined") ||
			       streq(old.state, "revoked"))) {
			patch_rec_free(&old);
			continue;
		}
		patch_rec_free(&old);
		base = strrchr(path, '/');
		module = strdup(base ? base + 1 : path);
		if (!module)
			return;
		module[strcspn(module, ".")] = '\0';
		cves = json_dumps(json_object_get(t, "cves"), JSON_COMPACT);
		p = (struct patch_rec){
			/* pending patches are applied in the order the archive published them */
			.since = published > 0 ? published : time(NULL),
			.id = (char *)id, .module = module, .target = (char *)path,
			.kernel_release = e->node.release, .cves = cves, .state = "pending",
			.reason = "new in the archive", .sha256 = (char *)sha,
			.version = version,
		};
		if (state_patch_put(&e->st, &p) == 0)
			state_event(&e->st, id, "new", "version %lld of %s for this kernel",
				    (long long)version, path);
	}
	json_array_foreach(json_object_get(doc, "revoked"), i, r) {
		const char *id = json_string_value(r);
		struct patch_rec old = { 0 };

		if (!id || state_patch_get(&e->st, id, &old) < 0)
			continue;
		if (streq(old.state, "pending") || streq(old.state, "failed"))
			engine_set_state(e, id, "revoked", "revoked", "revoked by the archive");
		else if ((streq(old.state, "applied") || streq(old.state, "applying")) &&
			 e->cfg->auto_revert && !e->held)
			engine_revert(e, id, "revoked", "revoked by the archive: reverted");
		patch_rec_free(&old);
	}
}

/* What the last refresh's helper did with a target of this node: {"file"} or {"error"}. */
static const json_t *fetched_target(const struct engine *e, const char *path)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(e->fetched, "targets"), i, t)
		if (streq(strempty(json_string_value(json_object_get(t, "path"))), path))
			return t;
	return NULL;
}

/* Take from the cache (the fetch helper downloads), check and load one pending patch.
 * 1: a transition started; 0: nothing started (refused or failed, recorded). */
static int apply_one(struct engine *e, struct patch_rec *p)
{
	_cleanup_free_ char *file = NULL;
	struct modfile_info mi;
	char why[512], sha[65];
	int r;

	if (p->file[0] && sha256_file(p->file, sha) == 0 && streq(sha, p->sha256)) {
		file = strdup(p->file);
	} else {
		const json_t *got = fetched_target(e, p->target);
		const char *cached = json_string_value(json_object_get(got, "file"));
		const char *error = json_string_value(json_object_get(got, "error"));

		if (error) {
			snprintf(why, sizeof(why), "download of %s failed: %s", p->target, error);
			engine_set_state(e, p->id, "failed", "failed", why);
			return 0;
		}
		if (!cached)
			return 0;       /* wait for the archive */
		/* the helper checked it; the file it left may have changed since */
		if (sha256_file(cached, sha) < 0 || !streq(sha, p->sha256)) {
			engine_set_state(e, p->id, "failed", "failed", "the downloaded module's "
					 "sha256 differs from the signed metadata");
			return 0;
		}
		file = strdup(cached);
	}
	if (!file)
		return -ENOMEM;
	r = modfile_read(e->kmod, file, &mi);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s is not a readable kernel module: %s", p->target,
			 strerror(-r));
		engine_set_state(e, p->id, "failed", "refused", why);
		return 0;
	}
	if (modfile_check(&mi, e->node.release, why, sizeof(why)) < 0) {
		engine_set_state(e, p->id, "failed", "refused", why);
		return 0;
	}
	free(p->file);
	p->file = strdup(file);
	free(p->module);
	p->module = strdup(mi.name);
	free(p->boot_id);
	p->boot_id = strdup(e->node.boot_id);
	free(p->state);
	p->state = strdup("applying");
	free(p->reason);
	p->reason = strdup("loading");
	p->since = time(NULL);
	if (!p->file || !p->module || !p->boot_id || !p->state || !p->reason)
		return -ENOMEM;
	/* the crash-loop guard: durable before the module goes in */
	r = state_patch_put(&e->st, p);
	if (r >= 0)
		r = state_applying_open(&e->st, p->id, e->node.boot_id);
	if (r < 0)
		return r;
	state_event(&e->st, p->id, "applying", "loading %s (version %lld)", mi.name,
		    (long long)p->version);
	r = modfile_load(e->kmod, file, why, sizeof(why));
	if (r < 0) {
		state_applying_close(&e->st, p->id);
		engine_set_state(e, p->id, "failed", "failed", why);
		return 0;
	}
	engine_busy_set(e, p->id, mi.name, false, NULL, NULL);
	return 1;
}

static void apply_next(struct engine *e)
{
	struct patch_rec *v = NULL;
	size_t n = 0;

	if (e->busy_id || e->held || state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n && !e->busy_id; i++)
		if (streq(v[i].state, "pending") && streq(v[i].kernel_release, e->node.release))
			apply_one(e, &v[i]);
	patch_recs_free(v, n);
}

static void refresh_failed(struct engine *e, const char *why)
{
	snprintf(e->last_error, sizeof(e->last_error), "%s", why);
	e->failures++;
	state_event(&e->st, NULL, "archive-failed", "%s", e->last_error);
	log_warning("archive: refresh failed: %s", e->last_error);
}

_printf_(3, 4) static int argv_add(char **argv, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&argv[*n], fmt, ap);
	va_end(ap);
	if (r < 0) {
		argv[*n] = NULL;
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

static void argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The helper's command line. --skip names the patches whose targets note_targets() would
 * pass over (a record of that version or later that is not pending, or one quarantined or
 * revoked): the helper reports them but downloads nothing for them. */
static int fetch_argv(struct engine *e, char ***ret)
{
	struct patch_rec *v = NULL;
	size_t n = 0, k = 0;
	char **argv;
	int r;

	r = state_patch_list(&e->st, &v, &n);
	if (r < 0)
		return r;
	argv = calloc(16 + 2 * n, sizeof(*argv));
	r = argv ? 0 : -ENOMEM;
	if (r >= 0)
		r = argv_add(argv, &k, "%s", e->helper);
	if (r >= 0)
		r = argv_add(argv, &k, "--metadata-dir=%s", e->tuf_dir);
	if (r >= 0)
		r = argv_add(argv, &k, "--trusted-root=%s", e->cfg->trusted_root);
	if (r >= 0)
		r = argv_add(argv, &k, "--url=%s", e->cfg->url);
	if (r >= 0)
		r = argv_add(argv, &k, "--cache-dir=%s", e->cache_dir);
	if (r >= 0)
		r = argv_add(argv, &k, "--release=%s", e->node.release);
	if (r >= 0)
		r = argv_add(argv, &k, "--build-id=%s", e->node.build_id);
	if (r >= 0)
		r = argv_add(argv, &k, "--channel=%s", e->cfg->channel);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (!streq(v[i].kernel_release, e->node.release) || streq(v[i].state, "pending"))
			continue;
		if (streq(v[i].state, "quarantined") || streq(v[i].state, "revoked"))
			r = argv_add(argv, &k, "--skip=%s", v[i].id);
		else
			r = argv_add(argv, &k, "--skip=%s:%lld", v[i].id, (long long)v[i].version);
	}
	patch_recs_free(v, n);
	if (r >= 0)
		r = engine_fleet_refresh_args(e, argv, &k, 16 + 2 * n - 1);
	if (r < 0) {
		argv_free(argv);
		return r;
	}
	*ret = argv;
	return 0;
}

int engine_refresh_begin(struct engine *e, pid_t *ret_pid)
{
	char why[sizeof(e->last_error)];
	char **argv = NULL;
	int r;

	if (e->fetch.pid > 0)
		return -EALREADY;
	e->refresh_started = time(NULL);
	if (!e->cfg->url) {
		e->last_attempt = e->refresh_started;
		snprintf(e->last_error, sizeof(e->last_error), "no [archive] url configured");
		/* the fleet still hears from the node at every interval */
		engine_fleet_report(e, "refresh");
		return -EINVAL;
	}
	r = fetch_argv(e, &argv);
	if (r >= 0)
		r = fetch_spawn(argv, &e->fetch, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "cannot run the fetch helper: %s", strerror(-r));
	argv_free(argv);
	if (r < 0) {
		e->last_attempt = e->refresh_started;
		refresh_failed(e, why);
		engine_fleet_report(e, "refresh");
		return r;
	}
	*ret_pid = e->fetch.pid;
	return 0;
}

bool engine_refreshing(const struct engine *e)
{
	return e->fetch.pid > 0;
}

void engine_refresh_kill(struct engine *e)
{
	if (e->fetch.pid <= 0)
		return;
	e->fetch.timed_out = true;
	/* not reaped until the caller's waitid(): the pid cannot have been reused */
	kill(e->fetch.pid, SIGKILL);
}

int engine_refresh_end(struct engine *e, int code, int status)
{
	char why[sizeof(e->last_error)];
	json_t *doc = NULL;
	int r;

	if (e->fetch.pid <= 0)
		return -ECHILD;
	/* published only now: a status read during the refresh shows the previous one whole */
	e->last_attempt = e->refresh_started;
	r = fetch_collect(&e->fetch, code, status, &doc, why, sizeof(why));
	/* the queue went out before the archive was asked: its answers hold either way */
	engine_fleet_delivered(e, doc);
	if (r < 0) {
		json_decref(doc);
		refresh_failed(e, why);
		engine_fleet_report(e, "refresh");
		return r;
	}
	e->failures = 0;
	e->last_error[0] = '\0';
	e->last_ok = time(NULL);
	json_decref(e->fetched);
	e->fetched = doc;
	note_targets(e, doc);
	apply_next(e);
	engine_fleet_report(e, "refresh");
	malloc_trim(0);
	return 0;
}

int64_t engine_next_refresh(const struct engine *e)
{
	int64_t s = e->cfg->refresh_interval;

	if (e->failures) {
		unsigned shift = e->failures > 10 ? 10 : e->failures;
		int64_t backoff = (int64_t)15 << shift;

		if (backoff < s)
			s = backoff;
	}
	return s;
}

/* Patches recorded applied that are no longer in sysfs: replaced by an atomic-replace patch,
 * or disabled/removed behind the agent's back. */
static void reconcile(struct engine *e, const char *just_applied)
{
	struct patch_rec *v = NULL;
	size_t n = 0;

	if (state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct klp_state k;
		char why[256];

		if (!streq(v[i].state, "applied") || (e->busy_id && streq(v[i].id, e->busy_id)))
			continue;
		if (klp_get(e->cfg->root, v[i].module, &k) == 0)
			continue;
		if (just_applied) {
			snprintf(why, sizeof(why), "replaced by %s (atomic replace)", just_applied);
			engine_set_state(e, v[i].id, "replaced", "replaced", why);
		} else {
			engine_set_state(e, v[i].id, "reverted", "reverted",
					 "no longer in /sys/kernel/livepatch: disabled or removed outside the agent");
		}
		state_applying_close(&e->st, v[i].id);
		engine_unload_if_loaded(e, v[i].module);
	}
	patch_recs_free(v, n);
}

static void close_healthy(struct engine *e)
{
	struct applying_rec *v = NULL;
	size_t n = 0;

	if (state_applying_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct patch_rec p;

		if (state_patch_get(&e->st, v[i].id, &p) < 0)
			continue;
		if (streq(p.state, "applied") && time(NULL) - v[i].started >= e->cfg->healthy_window) {
			state_applying_close(&e->st, v[i].id);
			state_event(&e->st, v[i].id, "healthy", "ran %llds without trouble",
				    (long long)e->cfg->healthy_window);
		}
		patch_rec_free(&p);
	}
	applying_recs_free(v, n);
}

static void watch_transition(struct engine *e)
{
	int64_t elapsed = engine_now_ms() - e->busy_started;
	struct klp_state k;
	char why[1024];
	int r;

	r = klp_get(e->cfg->root, e->busy_module, &k);
	if (e->busy_reverting) {
		if (r == -ENOENT) {
			engine_unload_if_loaded(e, e->busy_module);
			state_applying_close(&e->st, e->busy_id);
			engine_set_state(e, e->busy_id, e->busy_final_state, e->busy_final_state,
					 e->busy_final_reason);
			engine_busy_clear(e);
		} else if (elapsed > 1000 * e->cfg->transition_timeout &&
			   !strstr(e->busy_final_reason, "revert is stalled")) {
			/* never forced: that would make the module unremovable; keep waiting */
			char *nr = NULL;

			if (asprintf(&nr, "%s; the revert is stalled too, still waiting",
				     e->busy_final_reason) >= 0) {
				free(e->busy_final_reason);
				e->busy_final_reason = nr;
				state_event(&e->st, e->busy_id, "problem", "%s", nr);
				log_error("%s: %s", e->busy_id, nr);
			}
		}
		return;
	}
	if (r == -ENOENT) {
		state_applying_close(&e->st, e->busy_id);
		engine_set_state(e, e->busy_id, "failed", "failed",
				 "the patch left /sys/kernel/livepatch during its transition");
		engine_busy_clear(e);
		return;
	}
	if (r < 0)
		return;
	if (k.enabled && !k.transition) {
		_cleanup_free_ char *id = strdup(e->busy_id);

		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(e->last_done.module, sizeof(e->last_done.module), "%s", e->busy_module);
		e->last_done.noticed_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		e->last_done.kernel_ns = e->busy_kernel_done_ns;
		e->last_done.companion = e->comp.in_use;
		if (e->busy_kernel_done_ns && e->last_done.noticed_ns >= e->busy_kernel_done_ns)
			snprintf(why, sizeof(why), "transition completed in %.1fs (known %.3f ms after "
				 "the kernel finished it, through the companion)", elapsed / 1000.0,
				 (e->last_done.noticed_ns - e->busy_kernel_done_ns) / 1e6);
		else
			snprintf(why, sizeof(why), "transition completed in %.1fs", elapsed / 1000.0);
		engine_set_state(e, e->busy_id, "applied", "applied", why);
		engine_note_applied(e, e->busy_id);
		engine_busy_clear(e);
		if (id)
			reconcile(e, id);
		return;
	}
	if (elapsed > 1000 * e->cfg->transition_timeout) {
		_cleanup_free_ char *tasks = NULL;

		/* the companion knows why; /proc only which */
		if (engine_companion_blocking(e, 5, &tasks) <= 0) {
			free(tasks);
			tasks = NULL;
			klp_blocking_tasks(e->cfg->root, 0, 5, &tasks);
		}
		snprintf(why, sizeof(why), "transition did not complete within %llds and was reversed;"
			 " blocked by: %s", (long long)e->cfg->transition_timeout,
			 tasks && tasks[0] ? tasks : "(no task found)");
		state_event(&e->st, e->busy_id, "stalled", "%s", why);
		log_warning("%s: %s", e->busy_id, why);
		r = klp_set_enabled(e->cfg->root, e->busy_module, false);
		if (r < 0)
			log_error_errno(r, "%s: cannot reverse the transition: %m", e->busy_id);
		engine_patch_state(e, e->busy_id, "stalled", why);
		free(e->busy_final_state);
		free(e->busy_final_reason);
		e->busy_final_state = strdup("stalled");
		e->busy_final_reason = strdup(why);
		e->busy_reverting = true;
		e->busy_started = engine_now_ms();
	}
}

int engine_tick(struct engine *e)
{
	if (e->busy_id)
		watch_transition(e);
	engine_retry_reverts(e);
	if (!e->busy_id)
		reconcile(e, NULL);
	close_healthy(e);
	apply_next(e);
	return 0;
}

bool engine_in_transition(const struct engine *e)
{
	return e->busy_id != NULL;
}

bool engine_busy(struct engine *e)
{
	struct applying_rec *v = NULL;
	size_t n = 0;

	if (e->busy_id || e->revert_due)
		return true;
	if (state_applying_list(&e->st, &v, &n) == 0)
		applying_recs_free(v, n);
	return n > 0;
}

int engine_set_hold(struct engine *e, bool held)
{
	int r = state_meta_set(&e->st, "held", held ? "1" : "0");

	if (r < 0)
		return r;
	e->held = held;
	state_event(&e->st, NULL, held ? "held" : "resumed",
		    held ? "changes held by the administrator" : "changes allowed again");
	return 0;
}

int engine_unquarantine(struct engine *e, const char *id)
{
	struct patch_rec p;
	int r = state_patch_get(&e->st, id, &p);

	if (r < 0)
		return r;
	if (!streq(p.state, "quarantined")) {
		patch_rec_free(&p);
		return -EINVAL;
	}
	patch_rec_free(&p);
	engine_set_state(e, id, "pending", "unquarantined",
			 "released from quarantine by the administrator");
	return 0;
}
