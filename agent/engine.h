/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's logic, without its event loop: archive refresh (TUF) and patch selection for
 * this node, the checks and the load of one patch at a time, watching its transition (a
 * stall past the timeout is reversed and the blocking tasks recorded), the crash-loop guard
 * (an "applying" record from an earlier boot quarantines its patch), reverts, and
 * reconciliation of the records with /sys/kernel/livepatch. The daemon calls engine_tick()
 * while engine_busy() says something is moving, and runs a refresh (engine_refresh_begin(),
 * then engine_refresh_end() once the fetch helper has exited) on its timer.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <sys/types.h>

#include "agent_config.h"
#include "companion.h"
#include "engine_fleet.h"
#include "klog/kreport.h"
#include "kwatch.h"
#include "fetch.h"
#include "node.h"
#include "state.h"

struct kmod_ctx;

struct engine {
	const struct agent_config *cfg;
	struct node_identity node;
	struct agent_state st;
	struct kmod_ctx *kmod;
	char *tuf_dir, *cache_dir, *helper;
	/* the refresh in flight: its network half runs in the fetch helper */
	struct fetch_child fetch;
	int64_t refresh_started;
	/* this node's targets as the last refresh left them: {"targets": [{"path", "file" or
	 * "error"}, ...]}, a few entries; an idle agent keeps no archive metadata */
	json_t *fetched;
	/* the one patch whose transition is being watched */
	char *busy_id, *busy_module;
	int64_t busy_started;         /* monotonic ms */
	bool busy_reverting;
	char *busy_final_state, *busy_final_reason;
	/* the archive */
	int64_t last_ok, last_attempt;   /* wall clock, s */
	char last_error[512];
	unsigned failures;
	bool held;
	/* the kernel log watch */
	struct kwatch_stats kmsg;
	bool revert_due;              /* a quarantined patch may still be in sysfs */
	bool revert_failing;          /* said once; retried on every tick */
	/* the fleet: node key, report queue, enrolment (engine_fleet.h) */
	struct engine_fleet fleet;
	/* the kernel companion: the daemon's listener while it runs (NULL in one-shot use) */
	struct companion *companion;
	struct companion_stats comp;
	uint64_t busy_kernel_done_ns;   /* the companion said the kernel finished busy's
					 * transition then (CLOCK_MONOTONIC ns); 0: not yet */
	/* the last transition seen through: when the agent knew, and when the kernel finished
	 * it if the companion said (0: unknown) */
	struct {
		char module[64];
		uint64_t noticed_ns, kernel_ns;
		bool companion;
	} last_done;
};

int engine_start(struct engine *e, const struct agent_config *cfg);
void engine_stop(struct engine *e);
/* An archive refresh runs in two halves around the fetch helper (agent/fetch.h), so the
 * caller's loop goes on meanwhile. engine_refresh_begin() starts the helper (-EALREADY while
 * one runs; another < 0: the refresh already failed, last_error says why); the caller reaps
 * it without blocking, calls engine_refresh_kill() if it runs past FETCH_TIMEOUT_S, and hands
 * waitid()'s si_code and si_status to engine_refresh_end(), which records the outcome and
 * applies what is new. < 0: the archive failed (state kept, last_error says why). */
int engine_refresh_begin(struct engine *e, pid_t *ret_pid);
int engine_refresh_end(struct engine *e, int code, int status);
void engine_refresh_kill(struct engine *e);
bool engine_refreshing(const struct engine *e);
int engine_tick(struct engine *e);
bool engine_busy(struct engine *e);
bool engine_in_transition(const struct engine *e);
/* Disable, wait, unload; the record ends in final_state with reason. -EBUSY during another
 * transition, -ENOENT for an unknown patch. */
int engine_revert(struct engine *e, const char *id, const char *final_state, const char *reason);
int engine_set_hold(struct engine *e, bool held);
int engine_unquarantine(struct engine *e, const char *id);
int engine_status_json(struct engine *e, json_t **ret);
/* A report from the kernel log: attribute it, and revert and quarantine the livepatch that
 * strong evidence convicts (policy in [watch]); weak evidence raises a problem. */
void engine_on_report(struct engine *e, const struct kreport *r);
/* The one place a patch's state changes: recorded, and reported to the fleet when it moves
 * to a state FLEET.md reports. 0, or < 0 from the state. */
int engine_patch_state(struct engine *e, const char *id, const char *state, const char *reason);
/* A patch's transition finished: the kernel's taint then, the baseline of weak evidence. */
void engine_note_applied(struct engine *e, const char *id);
/* The kmsg seq to resume after (records up to it were handled in this boot), or UINT64_MAX. */
uint64_t engine_kmsg_resume(struct engine *e);
/* Disables quarantined patches still in sysfs (a revert that failed or was interrupted) and
 * unloads their modules. Called by engine_tick(). */
void engine_retry_reverts(struct engine *e);
/* What the daemon should do after the engine took a companion event. */
enum engine_companion_action {
	ENGINE_COMPANION_NOTHING,
	ENGINE_COMPANION_TICK,          /* re-read sysfs now */
	ENGINE_COMPANION_READ_KMSG,     /* the kernel just logged a report: read it now */
};
enum engine_companion_action engine_companion_event(struct engine *e,
						    const struct companion_event *ev);
/* The tasks blocking the transition in progress as the companion names them (reason, and
 * the stack from /proc), "pid N (comm) is sleeping on function F: a < b"; malloc'd. The
 * number of tasks; <= 0 when the companion is not in use or names none. */
int engine_companion_blocking(struct engine *e, unsigned max, char **ret);
json_t *engine_companion_status(const struct engine *e);
/* Seconds to the next refresh after a failure (backoff), or the interval. */
int64_t engine_next_refresh(const struct engine *e);
