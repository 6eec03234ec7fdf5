/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's logic, without its event loop: archive refresh (TUF) and patch selection for
 * this node, the checks and the load of one patch at a time, watching its transition (a
 * stall past the timeout is reversed and the blocking tasks recorded), the crash-loop guard
 * (an "applying" record from an earlier boot quarantines its patch), reverts, and
 * reconciliation of the records with /sys/kernel/livepatch. The daemon calls engine_tick()
 * while engine_busy() says something is moving, and engine_refresh() on its timer.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent_config.h"
#include "kreport.h"
#include "kwatch.h"
#include "node.h"
#include "state.h"
#include "tuf_client.h"

struct kmod_ctx;

struct engine {
	const struct agent_config *cfg;
	struct node_identity node;
	struct agent_state st;
	struct kmod_ctx *kmod;
	char *tuf_dir, *cache_dir, *targets_url, *metadata_url;
	struct tuf_client tuf;
	bool tuf_valid;
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
};

int engine_start(struct engine *e, const struct agent_config *cfg);
void engine_stop(struct engine *e);
/* One archive update cycle; then applies what is new. < 0: the archive failed (kept state). */
int engine_refresh(struct engine *e);
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
/* The kmsg seq to resume after (records up to it were handled in this boot), or UINT64_MAX. */
uint64_t engine_kmsg_resume(struct engine *e);
/* Disables quarantined patches still in sysfs (a revert that failed or was interrupted) and
 * unloads their modules. Called by engine_tick(). */
void engine_retry_reverts(struct engine *e);
/* Seconds to the next refresh after a failure (backoff), or the interval. */
int64_t engine_next_refresh(const struct engine *e);
