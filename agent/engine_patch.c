/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One patch's record and its transitions, the layer under the rest of the engine: the
 * transition being watched (busy), state changes with their events, reverts (and retrying
 * those of quarantined patches still in sysfs), the kernel's taint when a patch went in.
 * engine.c and engine_report.c call this file; it calls neither.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_int.h"
#include "klp.h"
#include "log.h"
#include "modfile.h"
#include "util.h"

int64_t engine_now_ms(void)
{
	return monotonic_usec() / 1000;
}

void engine_busy_clear(struct engine *e)
{
	free(e->busy_id);
	free(e->busy_module);
	free(e->busy_final_state);
	free(e->busy_final_reason);
	e->busy_id = e->busy_module = e->busy_final_state = e->busy_final_reason = NULL;
	e->busy_reverting = false;
	e->busy_kernel_done_ns = 0;
}

int engine_busy_set(struct engine *e, const char *id, const char *module, bool reverting,
		    const char *final_state, const char *final_reason)
{
	engine_busy_clear(e);
	e->busy_id = strdup(id);
	e->busy_module = strdup(module);
	e->busy_final_state = strdup(strempty(final_state));
	e->busy_final_reason = strdup(strempty(final_reason));
	e->busy_reverting = reverting;
	e->busy_started = engine_now_ms();
	if (!e->busy_id || !e->busy_module || !e->busy_final_state || !e->busy_final_reason) {
		engine_busy_clear(e);
		return -ENOMEM;
	}
	return 0;
}

int engine_patch_state(struct engine *e, const char *id, const char *state, const char *reason)
{
	struct patch_rec old = { 0 };
	bool changed;
	int r;

	changed = state_patch_get(&e->st, id, &old) < 0 || !streq(old.state, state);
	patch_rec_free(&old);
	r = state_patch_set(&e->st, id, state, reason);
	if (r < 0)
		return r;
	/* the event and the log line come from the caller; the fleet hears of the change */
	if (changed && engine_fleet_event_of(state))
		engine_fleet_report(e, engine_fleet_event_of(state));
	return 0;
}

void engine_set_state(struct engine *e, const char *id, const char *state, const char *kind,
		      const char *reason)
{
	engine_patch_state(e, id, state, reason);
	state_event(&e->st, id, kind, "%s", reason);
	if (streq(kind, "failed") || streq(kind, "stalled") || streq(kind, "quarantined") ||
	    streq(kind, "refused"))
		log_warning("%s: %s", id, reason);
	else
		log_info("%s: %s", id, reason);
}

void engine_unload_if_loaded(struct engine *e, const char *module)
{
	int r;

	if (!modfile_loaded(e->kmod, module))
		return;
	r = modfile_unload(e->kmod, module);
	if (r < 0)
		log_warning_errno(r, "rmmod %s: %m", module);
}

int engine_revert(struct engine *e, const char *id, const char *final_state, const char *reason)
{
	struct patch_rec p;
	int r;

	r = state_patch_get(&e->st, id, &p);
	if (r < 0)
		return r;
	if (e->busy_id && !streq(e->busy_id, id)) {
		patch_rec_free(&p);
		return -EBUSY;
	}
	r = klp_set_enabled(e->cfg->root, p.module, false);
	if (r == -ENOENT || (r < 0 && !klp_valid_name(p.module))) {
		engine_unload_if_loaded(e, p.module);
		state_applying_close(&e->st, id);
		engine_set_state(e, id, final_state, final_state, reason);
		patch_rec_free(&p);
		return 0;
	}
	if (r < 0) {
		state_event(&e->st, id, "problem", "cannot disable: %s", strerror(-r));
		patch_rec_free(&p);
		return r;
	}
	state_event(&e->st, id, "reverting", "%s", reason);
	r = engine_busy_set(e, id, p.module, true, final_state, reason);
	patch_rec_free(&p);
	return r;
}

int engine_read_taint(struct engine *e, unsigned long long *ret)
{
	_cleanup_free_ char *path = agent_path(e->cfg, "/proc/sys/kernel/tainted");
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	if (!f || fscanf(f, "%llu", ret) != 1)
		return -ENOENT;
	return 0;
}

void engine_note_applied(struct engine *e, const char *id)
{
	_cleanup_free_ char *key = NULL;
	unsigned long long taint;
	char value[32];

	if (engine_read_taint(e, &taint) < 0 || asprintf(&key, "taint/%s", id) < 0)
		return;
	snprintf(value, sizeof(value), "%llu", taint);
	state_meta_set(&e->st, key, value);
}

void engine_retry_reverts(struct engine *e)
{
	struct patch_rec *v = NULL;
	size_t n = 0;
	bool due = false;

	if (!e->revert_due || e->busy_id || state_patch_list(&e->st, &v, &n) < 0)
		return;
	for (size_t i = 0; i < n && !e->busy_id; i++) {
		struct klp_state k;
		int r;

		if (!streq(v[i].state, "quarantined") || !klp_valid_name(v[i].module))
			continue;
		if (klp_get(e->cfg->root, v[i].module, &k) < 0) {
			if (modfile_loaded(e->kmod, v[i].module) && modfile_unload(e->kmod, v[i].module) < 0)
				due = true;
			continue;
		}
		if (!k.enabled) {
			due = true;     /* unpatching: unloaded once it leaves sysfs */
			continue;
		}
		r = engine_revert(e, v[i].id, "quarantined", v[i].reason);
		if (r < 0) {
			due = true;
			if (!e->revert_failing)
				state_event(&e->st, v[i].id, "problem", "cannot disable the quarantined "
					    "patch: %s; retrying", strerror(-r));
			e->revert_failing = true;
		} else {
			e->revert_failing = false;
		}
	}
	patch_recs_free(v, n);
	e->revert_due = due || e->busy_id;
}
