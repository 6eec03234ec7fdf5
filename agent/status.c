/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's status document: the JSON contract of `agentctl status --json`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "klp.h"
#include "util.h"

static json_t *iso_time(int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	return json_string(buf);
}

static bool is_problem_state(const char *s)
{
	return streq(s, "failed") || streq(s, "stalled") || streq(s, "quarantined");
}

int engine_status_json(struct engine *e, json_t **ret)
{
	int64_t now = time(NULL);
	bool stale = !e->last_ok ||
		now - e->last_ok > 2 * e->cfg->refresh_interval + e->cfg->refresh_jitter;
	json_t *doc, *patches, *problems, *live, *cves;
	struct patch_rec *v = NULL;
	struct klp_state *k = NULL;
	size_t n = 0, nk = 0;
	int r;

	struct applying_rec *open_recs = NULL;
	size_t n_open = 0;

	r = state_patch_list(&e->st, &v, &n);
	if (r < 0)
		return r;
	if (state_applying_list(&e->st, &open_recs, &n_open) < 0)
		n_open = 0;
	patches = json_array();
	problems = json_array();
	live = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!streq(v[i].kernel_release, e->node.release))
			continue;
		bool watched = false;

		for (size_t j = 0; j < n_open; j++)
			watched |= streq(open_recs[j].id, v[i].id);
		cves = json_loads(v[i].cves, 0, NULL);
		_cleanup_free_ char *ev_key = NULL, *ev_text = NULL;
		json_t *evidence = NULL;

		/* the kernel report that convicted (or is suspected against) the patch */
		if (asprintf(&ev_key, "evidence/%s", v[i].id) >= 0 &&
		    state_meta_get(&e->st, ev_key, &ev_text) == 0)
			evidence = json_loads(ev_text, 0, NULL);
		if (evidence && streq(v[i].state, "applied")) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s suspected: %s (%s)", v[i].id,
				 strempty(json_string_value(json_object_get(evidence, "title"))),
				 strempty(json_string_value(json_object_get(evidence, "why"))));
			json_array_append_new(problems, json_string(msg));
		}
		/* healthy: applied and past the crash-loop guard's window */
		json_array_append_new(patches, json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:I, s:s, s:b}",
			"id", v[i].id, "module", v[i].module, "cves", cves ? cves : json_array(),
			"state", v[i].state, "reason", v[i].reason, "since", iso_time(v[i].since),
			"version", (json_int_t)v[i].version, "target", v[i].target,
			"healthy", streq(v[i].state, "applied") && !watched && !evidence));
		if (evidence)
			json_object_set_new(json_array_get(patches, json_array_size(patches) - 1),
					    "evidence", evidence);
		if (is_problem_state(v[i].state)) {
			char msg[1024];

			snprintf(msg, sizeof(msg), "%s %s: %s", v[i].id, v[i].state, v[i].reason);
			json_array_append_new(problems, json_string(msg));
		}
	}
	if (klp_list(e->cfg->root, &k, &nk) == 0) {
		for (size_t i = 0; i < nk; i++) {
			bool managed = false;

			for (size_t j = 0; j < n && !managed; j++)
				managed = streq(v[j].module, k[i].name) &&
					  (streq(v[j].state, "applied") || streq(v[j].state, "applying") ||
					   streq(v[j].state, "stalled"));
			for (size_t j = 0; j < n && k[i].enabled; j++)
				if (streq(v[j].module, k[i].name) && (streq(v[j].state, "quarantined") ||
				    streq(v[j].state, "revoked") || streq(v[j].state, "reverted"))) {
					char msg[512];

					/* a revert that failed or is still going: say so loudly */
					snprintf(msg, sizeof(msg), "%s is %s but still enabled in the kernel: "
						 "reverting", v[j].id, v[j].state);
					json_array_append_new(problems, json_string(msg));
				}
			json_array_append_new(live, json_pack("{s:s, s:b, s:b, s:b}", "name", k[i].name,
				"enabled", k[i].enabled, "transition", k[i].transition,
				"managed", managed));
		}
		free(k);
	}
	patch_recs_free(v, n);
	applying_recs_free(open_recs, n_open);
	if (e->last_error[0]) {
		char msg[600];

		snprintf(msg, sizeof(msg), "archive: %s", e->last_error);
		json_array_append_new(problems, json_string(msg));
	}
	if (stale && e->cfg->url)
		json_array_append_new(problems, json_string(e->last_ok ?
			"archive: stale (no successful refresh for over two intervals)" :
			"archive: never reached since the agent started"));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:{s:s?, s:o, s:o, s:b, s:s?}, s:b, s:s?, s:o, s:o, "
			"s:o, s:o}",
		"kernel_release", e->node.release, "build_id", e->node.build_id,
		"machine_id", e->node.machine_id, "boot_id", e->node.boot_id,
		"archive", "url", e->cfg->url, "last_ok", iso_time(e->last_ok),
		"last_attempt", iso_time(e->last_attempt), "stale", stale,
		"error", e->last_error[0] ? e->last_error : NULL,
		"held", e->held, "in_transition", e->busy_id,
		"patches", patches, "livepatch", live, "problems", problems,
		"last_check", iso_time(e->last_attempt));
	if (doc)
		json_object_set_new(doc, "kernel_log", json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}",
			"watching", e->kmsg.watching, "records", (json_int_t)e->kmsg.records,
			"reports", (json_int_t)e->kmsg.reports, "lost", (json_int_t)e->kmsg.lost,
			"not_kernel", (json_int_t)e->kmsg.not_kernel,
			"malformed", (json_int_t)e->kmsg.malformed));
	if (doc)
		json_object_set_new(doc, "fleet", engine_fleet_status(e));
	if (doc)
		json_object_set_new(doc, "companion", engine_companion_status(e));
	if (!doc)
		return -ENOMEM;
	*ret = doc;
	return 0;
}
