/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine's side of the fleet protocol (docs/FLEET.md): the node key, the health report
 * built from the engine's records and queued signed in STATE/reports/ with the next seq
 * (kept in the state's meta), and the fetch helper runs that deliver the queue or enrol the
 * node. The daemon owns the event loop: it asks engine_fleet_due() when a run is wanted,
 * starts it with engine_fleet_begin(), reaps it and hands the exit to engine_fleet_end().
 * A report is queued only once a fleet is known ([fleet] url, or an enrolment); the queue
 * is delivered only once the node is enrolled (an unknown node's reports would be refused
 * for good).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fetch.h"
#include "report.h"

#define FLEET_MAX_URL 1024
#define FLEET_MAX_TOKEN 256

struct engine;

enum fleet_run {
	FLEET_RUN_NONE,
	FLEET_RUN_SEND,
	FLEET_RUN_ENROLL,
};

struct engine_fleet {
	bool key_ok;
	struct node_key key;
	char *dir;                    /* STATE/reports */
	char *enroll_file;            /* STATE/enroll.req while an enrolment runs */
	char *url;                    /* the fleet enrolled to (meta fleet-url), or NULL */
	struct fetch_child child;     /* the fleet's own helper run */
	enum fleet_run running;
	/* an enrolment asked for (agentctl enroll, or [fleet] at start): URL and token */
	char *enroll_url, *enroll_token;
	bool enroll_asked;            /* by agentctl: answered, and tried once */
	int enroll_status;            /* HTTP status of the last enrolment, 0: none */
	char enroll_error[512];
	unsigned failures;            /* deliveries that failed in a row: the backoff */
	int64_t next_try;             /* monotonic usec */
	char last_error[512];
	size_t queued;
	uint64_t queued_bytes;
};

/* At engine start: the key, the enrolment, the queue's size; a "start" report. */
void engine_fleet_start(struct engine *e);
void engine_fleet_stop(struct engine *e);
/* Builds, signs and queues a report of what the engine knows now. event: FLEET.md's. */
void engine_fleet_report(struct engine *e, const char *event);
/* The patch states whose change is reported (FLEET.md's events), and the event name. */
const char *engine_fleet_event_of(const char *state);
/* Monotonic usec at which a helper run is wanted (now or later), or -1 for none. */
int64_t engine_fleet_due(const struct engine *e, int64_t now);
bool engine_fleet_running(const struct engine *e);
/* Starts the wanted run. -EAGAIN: nothing to do; another < 0: it could not start (recorded). */
int engine_fleet_begin(struct engine *e, pid_t *ret_pid);
/* The run ended (waitid()'s code and status). Returns what kind of run it was. */
enum fleet_run engine_fleet_end(struct engine *e, int code, int status);
void engine_fleet_kill(struct engine *e);
/* The refresh's helper carries the queue too, when a delivery is possible now. */
int engine_fleet_refresh_args(struct engine *e, char **argv, size_t *n, size_t cap);
/* The helper's "reports" answers, from a refresh or a send run. */
void engine_fleet_delivered(struct engine *e, const json_t *doc);
/* agentctl enroll: records the request (the daemon starts it). -EBUSY: one is running or
 * waiting; -EINVAL: bad url or token (why says which); -ENOKEY: no usable node key. */
int engine_fleet_enroll_request(struct engine *e, const char *url, const char *token,
				char *why, size_t size);
/* {"node", "enrolled", "url", "queued", "last_report", "last_error", ...} for status. */
json_t *engine_fleet_status(struct engine *e);
