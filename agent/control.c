/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "engine.h"
#include "klp.h"
#include "util.h"

static json_t *fail(const char *fmt, const char *arg)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, arg);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *done(json_t *extra)
{
	json_t *r = json_pack("{s:b}", "ok", 1);

	if (extra) {
		json_object_update(r, extra);
		json_decref(extra);
	}
	return r;
}

json_t *control_refresh_reply(const struct engine *e, int r)
{
	return r < 0 ? fail("refresh failed: %s", e->last_error) : done(NULL);
}

json_t *control_handle(struct engine *e, const struct control_peer *peer, const char *req,
		       size_t len, bool *ret_refresh)
{
	json_error_t jerr;
	json_t *doc, *resp;
	const char *cmd, *patch;
	bool write_cmd;
	int r;

	*ret_refresh = false;
	if (len > CONTROL_MAX_REQUEST)
		return fail("request longer than %s bytes", "4096");
	doc = json_loadb(req, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return fail("request is not a JSON object: %s", doc ? "" : jerr.text);
	}
	cmd = json_string_value(json_object_get(doc, "command"));
	patch = json_string_value(json_object_get(doc, "patch"));
	if (!cmd) {
		json_decref(doc);
		return fail("request has no \"command\"%s", "");
	}
	write_cmd = !streq(cmd, "status") && !streq(cmd, "patches") && !streq(cmd, "events");
	if (!peer->in_group && peer->uid != 0) {
		resp = fail("permission denied: '%s' needs root or the agent's group", cmd);
	} else if (write_cmd && peer->uid != 0) {
		resp = fail("permission denied: '%s' changes the node and needs root", cmd);
	} else if (streq(cmd, "status") || streq(cmd, "patches")) {
		json_t *st = NULL;

		r = engine_status_json(e, &st);
		resp = r < 0 ? fail("status: %s", strerror(-r)) : done(json_pack("{s:o}", "status", st));
	} else if (streq(cmd, "events")) {
		json_t *ev = NULL;
		json_int_t after = json_integer_value(json_object_get(doc, "after"));

		r = state_events_json(&e->st, after, 1000, &ev);
		resp = r < 0 ? fail("events: %s", strerror(-r)) : done(json_pack("{s:o}", "events", ev));
	} else if (streq(cmd, "refresh")) {
		*ret_refresh = true;
		resp = NULL;
	} else if (streq(cmd, "hold") || streq(cmd, "resume")) {
		r = engine_set_hold(e, streq(cmd, "hold"));
		resp = r < 0 ? fail("cannot record the setting: %s", strerror(-r)) : done(NULL);
	} else if (streq(cmd, "revert") || streq(cmd, "unquarantine")) {
		if (!patch || !*patch || strlen(patch) > 128) {
			resp = fail("'%s' needs a \"patch\" id", cmd);
		} else {
			r = streq(cmd, "revert") ?
				engine_revert(e, patch, "reverted", "reverted by the administrator") :
				engine_unquarantine(e, patch);
			if (r == -ENOENT)
				resp = fail("no patch '%s' on this node", patch);
			else if (r == -EBUSY)
				resp = fail("another patch is in transition; try again when '%s' can go",
					    patch);
			else if (r == -EINVAL)
				resp = fail("patch '%s' is not quarantined", patch);
			else if (r < 0)
				resp = fail("failed: %s", strerror(-r));
			else
				resp = done(NULL);
		}
	} else {
		resp = fail("unknown command '%s'", cmd);
	}
	json_decref(doc);
	return resp;
}
