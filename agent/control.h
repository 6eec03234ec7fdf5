/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket protocol: one JSON request per connection, {"command": "...", ...},
 * answered by one JSON object and a newline: {"ok": true, ...} or {"ok": false, "error":
 * "..."}. Requests are at most CONTROL_MAX_REQUEST bytes. Reading commands (status, patches,
 * events) are open to root and the configured group; every change only to root.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define CONTROL_MAX_REQUEST 4096

struct engine;

struct control_peer {
	uid_t uid;
	bool in_group;     /* root, or a member of the agent's read group */
};

/* Handles one request; returns the response document (never NULL unless OOM), or NULL with
 * *ret_refresh set for an allowed "refresh": a refresh runs while the daemon's loop goes on,
 * and the daemon answers with control_refresh_reply() once it has ended. */
json_t *control_handle(struct engine *e, const struct control_peer *peer, const char *req,
		       size_t len, bool *ret_refresh);
/* The answer to "refresh": r is what engine_refresh_end() (or _begin()) returned. */
json_t *control_refresh_reply(const struct engine *e, int r);
