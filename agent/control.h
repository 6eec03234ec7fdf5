/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket protocol: one JSON request per connection, {"command": "...", ...},
 * ended by a newline (or by the client shutting down its side), answered by one JSON object
 * and a newline: {"ok": true, ...} or {"ok": false, "error": "..."}. Requests are at most
 * CONTROL_MAX_REQUEST bytes and must arrive within CONTROL_DEADLINE_S of the connection.
 * Reading commands (status, patches, events) are open to root and the configured group
 * (primary or supplementary); every change only to root.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONTROL_MAX_REQUEST 4096
#define CONTROL_DEADLINE_S 5
#define CONTROL_MAX_PATCH_ID 128

struct engine;

enum control_command {
	CONTROL_STATUS,
	CONTROL_PATCHES,
	CONTROL_EVENTS,
	CONTROL_REFRESH,
	CONTROL_HOLD,
	CONTROL_RESUME,
	CONTROL_REVERT,
	CONTROL_UNQUARANTINE,
	CONTROL_ENROLL,
};

#define CONTROL_MAX_URL 1024
#define CONTROL_MAX_TOKEN 256

struct control_request {
	enum control_command command;
	char patch[CONTROL_MAX_PATCH_ID + 1];   /* revert, unquarantine */
	int64_t after;                          /* events: the last sequence number seen */
	char url[CONTROL_MAX_URL + 1];          /* enroll: the fleet server */
	char token[CONTROL_MAX_TOKEN + 1];      /* enroll: the operator's single-use token */
};

struct control_peer {
	uid_t uid;
	bool in_group;     /* root, or a member of the agent's read group */
};

/* Parses one request, buf[0..len) (need not be NUL-ended; one trailing newline allowed).
 * Pure: no state, nothing kept. Returns 0, -EMSGSIZE when len > CONTROL_MAX_REQUEST, or
 * -EINVAL; on error err (errlen bytes, NUL-ended) says what was wrong, with the client's
 * bytes escaped. */
int control_request_parse(const char *buf, size_t len, struct control_request *ret, char *err,
			  size_t errlen);
/* Whether a command changes the node (root only). */
bool control_command_writes(enum control_command c);
/* Handles one request; returns the response document (never NULL unless OOM), or NULL with
 * *ret_refresh set for an allowed "refresh": a refresh runs while the daemon's loop goes on,
 * and the daemon answers with control_refresh_reply() once it has ended. NULL with
 * *ret_refresh false: an "enroll" was taken (engine_fleet_enroll_request()); the daemon
 * starts it and answers with control_enroll_reply() once it has ended. */
json_t *control_handle(struct engine *e, const struct control_peer *peer, const char *req,
		       size_t len, bool *ret_refresh);
/* An error answer, e.g. for a request that did not arrive in time. */
json_t *control_error_reply(const char *msg);
/* The answer to "enroll", from the engine's record of the enrolment that just ended. */
json_t *control_enroll_reply(const struct engine *e);
/* The answer to "refresh": r is what engine_refresh_end() (or _begin()) returned. */
json_t *control_refresh_reply(const struct engine *e, int r);
