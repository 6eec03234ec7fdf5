/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rollout of each kernel's cumulative livepatch through the ordered channels
 * (docs/FLEET.md), on the evidence the nodes reported (fleet_patch, fleet_node). The pipeline
 * registers what it published to the first channel and calls rollout_evaluate() at the end
 * of every run; the fleet command's verbs act by hand. Every action changes the archive first
 * and then records itself (fleet_rollout, fleet_action, fleet_hold) in one transaction, and
 * each is idempotent, so an action a crash cut short is completed by the next evaluation.
 *
 * A revocation: the archive's revoke (nodes revert it; the series' previous target serves its
 * channels again), the kernel's publication held until `fleet release`, the fixes this
 * version added refused (they leave the next cumulative module) and queued for a person
 * with the nodes' evidence.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/tuf_archive.h"
#include "db/db.h"

#define ROLLOUT_MAX_CHANNELS 16

struct rollout_policy {
	char *channels[ROLLOUT_MAX_CHANNELS];   /* in order, the first is where new ones go */
	size_t n_channels;
	long promote_nodes, promote_after, revoke_failures, stale_intervals;
};

/* "canary stable" into the policy; -EINVAL (logged) on a bad or repeated name. */
int rollout_policy_init(struct rollout_policy *p, const char *channels);
void rollout_policy_free(struct rollout_policy *p);

/* The pipeline published patch_id (series, release, target) for kernel to channel. */
int rollout_register(struct db *db, const struct archive_opts *ao, const char *patch_id,
		     const char *kernel, const char *series, const char *release,
		     const char *target, const char *channel, int64_t now);
/* 1 with the reason (malloc'd) when the kernel's publication is held, else 0. */
int rollout_kernel_held(struct db *db, const char *kernel, char **ret_reason);

/* One pass over the patches rolling out: promotes or revokes each on the evidence; appends
 * {"patch_id", "action", "channel", "reason"} to actions for each thing done. */
int rollout_evaluate(struct db *db, const struct archive_opts *ao, const struct rollout_policy *p,
		     int64_t now, json_t *actions);

/* The manual controls, logged with the actor and reason. promote: to `to`, else the next
 * channel. hold: no promotion until release. release: a held patch rolls again; a kernel
 * name (or a revoked patch of it) lifts the kernel's hold. -ENOENT: unknown patch;
 * -EALREADY: nothing to do. */
int rollout_promote(struct db *db, const struct archive_opts *ao, const struct rollout_policy *p,
		    const char *patch_id, const char *to, const char *reason, const char *actor,
		    int64_t now);
int rollout_hold(struct db *db, const char *patch_id, const char *reason, const char *actor,
		 int64_t now);
int rollout_release(struct db *db, const char *what, const char *reason, const char *actor,
		    int64_t now);
int rollout_revoke(struct db *db, const struct archive_opts *ao, const char *patch_id,
		   const char *reason, const json_t *evidence, const char *actor, int64_t now);
/* The rollout rows (and the held kernels) as JSON: {"patches": [...], "held": [...]}. */
int rollout_list(struct db *db, json_t **ret);
