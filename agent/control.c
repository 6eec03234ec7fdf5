/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <string.h>

#include "control.h"
#include "engine.h"
#include "escape.h"
#include "klp.h"
#include "util.h"

static const char *const command_names[] = {
	[CONTROL_STATUS] = "status",
	[CONTROL_PATCHES] = "patches",
	[CONTROL_EVENTS] = "events",
	[CONTROL_REFRESH] = "refresh",
	[CONTROL_HOLD] = "hold",
	[CONTROL_RESUME] = "resume",
	[CONTROL_REVERT] = "revert",
	[CONTROL_UNQUARANTINE] = "unquarantine",
	[CONTROL_ENROLL] = "enroll",
};

bool control_command_writes(enum control_command c)
{
	return c != CONTROL_STATUS && c != CONTROL_PATCHES && c != CONTROL_EVENTS;
}

static int parse_error(char *err, size_t errlen, int r, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return r;
}

int control_request_parse(const char *buf, size_t len, struct control_request *ret, char *err,
			  size_t errlen)
{
	json_error_t jerr;
	json_t *doc, *v;
	const char *cmd;
	char shown[80];
	int r = -EINVAL;

	*ret = (struct control_request){ 0 };
	if (len > CONTROL_MAX_REQUEST)
		return parse_error(err, errlen, -EMSGSIZE, "request too large: more than %s bytes",
				   "4096");
	if (len == 0)
		return parse_error(err, errlen, r, "empty request%s", "");
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return parse_error(err, errlen, r, "request is not JSON: %s",
				   escape_text(jerr.text, strlen(jerr.text), shown, sizeof(shown)));
	if (!json_is_object(doc)) {
		json_decref(doc);
		return parse_error(err, errlen, r, "request is not a JSON object%s", "");
	}
	cmd = json_string_value(json_object_get(doc, "command"));
	if (!cmd) {
		parse_error(err, errlen, r, "request has no \"command\" string%s", "");
		goto out;
	}
	for (size_t i = 0; i < ELEMENTSOF(command_names); i++)
		if (streq(cmd, command_names[i])) {
			ret->command = (enum control_command)i;
			r = 0;
		}
	if (r < 0) {
		parse_error(err, errlen, r, "unknown command '%s'",
			    escape_text(cmd, strlen(cmd), shown, 64));
		goto out;
	}
	v = json_object_get(doc, "after");
	if (v && !json_is_integer(v)) {
		r = parse_error(err, errlen, -EINVAL, "\"after\" must be an integer%s", "");
		goto out;
	}
	ret->after = json_integer_value(v);
	if (ret->command == CONTROL_REVERT || ret->command == CONTROL_UNQUARANTINE) {
		const char *patch = json_string_value(json_object_get(doc, "patch"));

		if (!patch || !*patch || strlen(patch) > CONTROL_MAX_PATCH_ID) {
			r = parse_error(err, errlen, -EINVAL, "'%s' needs a \"patch\" id (at most 128 bytes)",
					command_names[ret->command]);
			goto out;
		}
		strcpy(ret->patch, patch);
	}
	if (ret->command == CONTROL_ENROLL) {
		const char *url = json_string_value(json_object_get(doc, "url"));
		const char *token = json_string_value(json_object_get(doc, "token"));

		if (!url || !*url || strlen(url) > CONTROL_MAX_URL) {
			r = parse_error(err, errlen, -EINVAL, "'enroll' needs a \"url\" (at most %s "
					"bytes)", "1024");
			goto out;
		}
		if (!token || !*token || strlen(token) > CONTROL_MAX_TOKEN) {
			r = parse_error(err, errlen, -EINVAL, "'enroll' needs a \"token\" (at most %s "
					"bytes)", "256");
			goto out;
		}
		strcpy(ret->url, url);
		strcpy(ret->token, token);
	}
out:
	json_decref(doc);
	return r;
}

static json_t *fail(const char *fmt, const char *arg)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, arg);
	return control_error_reply(msg);
}

json_t *control_error_reply(const char *msg)
{
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

json_t *control_enroll_reply(const struct engine *e)
{
	const struct engine_fleet *f = &e->fleet;

	if (f->enroll_status == 200 || f->enroll_status == 201)
		return done(json_pack("{s:s, s:s?, s:i}", "node", f->key.id, "url", f->url,
				      "status", f->enroll_status));
	return fail("enrolment failed: %s", f->enroll_error[0] ? f->enroll_error : "unknown error");
}

json_t *control_refresh_reply(const struct engine *e, int r)
{
	return r < 0 ? fail("refresh failed: %s", e->last_error) : done(NULL);
}

static json_t *patch_command(struct engine *e, const struct control_request *q)
{
	char shown[4 * CONTROL_MAX_PATCH_ID + 8];
	int r;

	r = q->command == CONTROL_REVERT ?
		engine_revert(e, q->patch, "reverted", "reverted by the administrator") :
		engine_unquarantine(e, q->patch);
	escape_text(q->patch, strlen(q->patch), shown, sizeof(shown));
	if (r == -ENOENT)
		return fail("no patch '%s' on this node", shown);
	if (r == -EBUSY)
		return fail("another patch is in transition; try again when '%s' can go", shown);
	if (r == -EINVAL)
		return fail("patch '%s' is not quarantined", shown);
	if (r < 0)
		return fail(q->command == CONTROL_REVERT ? "revert failed: %s" : "unquarantine failed: %s",
			    strerror(-r));
	return done(NULL);
}

json_t *control_handle(struct engine *e, const struct control_peer *peer, const char *req,
		       size_t len, bool *ret_refresh)
{
	struct control_request q;
	char err[256];
	const char *cmd;
	int r;

	*ret_refresh = false;
	if (control_request_parse(req, len, &q, err, sizeof(err)) < 0)
		return control_error_reply(err);
	cmd = command_names[q.command];
	if (!peer->in_group && peer->uid != 0)
		return fail("permission denied: '%s' needs root or the agent's group", cmd);
	if (control_command_writes(q.command) && peer->uid != 0)
		return fail("permission denied: '%s' changes the node and needs root", cmd);
	switch (q.command) {
	case CONTROL_STATUS:
	case CONTROL_PATCHES: {
		json_t *st = NULL;

		r = engine_status_json(e, &st);
		return r < 0 ? fail("status: %s", strerror(-r)) : done(json_pack("{s:o}", "status", st));
	}
	case CONTROL_EVENTS: {
		json_t *ev = NULL;

		r = state_events_json(&e->st, q.after, 1000, &ev);
		return r < 0 ? fail("events: %s", strerror(-r)) : done(json_pack("{s:o}", "events", ev));
	}
	case CONTROL_REFRESH:
		*ret_refresh = true;
		return NULL;
	case CONTROL_HOLD:
	case CONTROL_RESUME:
		r = engine_set_hold(e, q.command == CONTROL_HOLD);
		return r < 0 ? fail("cannot record the setting: %s", strerror(-r)) : done(NULL);
	case CONTROL_REVERT:
	case CONTROL_UNQUARANTINE:
		return patch_command(e, &q);
	case CONTROL_ENROLL: {
		char why[512];

		r = engine_fleet_enroll_request(e, q.url, q.token, why, sizeof(why));
		explicit_bzero(q.token, sizeof(q.token));
		return r < 0 ? fail("enroll: %s", why) : NULL;
	}
	}
	return fail("unknown command '%s'", cmd);
}
