// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's use of the kernel companion (agent/engine.h): its events are triggers and
 * extra detail, never decisions; sysfs and /dev/kmsg stay the truth the engine acts on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "klp.h"
#include "log.h"
#include "util.h"

static void on_transition(struct engine *e, const struct companion_event *ev)
{
	snprintf(e->comp.last_patch, sizeof(e->comp.last_patch), "%s", ev->patch);
	e->comp.last_phase = ev->phase;
	log_debug("kernel companion: %s's transition to %s %s", ev->patch,
		  ev->target ? "patched" : "unpatched", companion_phase_name(ev->phase));
	if (ev->phase != TT_PHASE_FINISHED)
		return;
	{
		struct timespec ts;
		uint64_t now;

		/* the kernel stamped the event with CLOCK_MONOTONIC: how late it came */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		e->comp.last_latency_us = now >= ev->time_ns ? (int64_t)((now - ev->time_ns) / 1000) : -1;
	}
	if (e->busy_module && streq(e->busy_module, ev->patch) && !e->busy_reverting &&
	    ev->target == TT_TARGET_PATCHED) {
		e->busy_kernel_done_ns = ev->time_ns;
		return;
	}
	/* the engine saw it through before the event came: date it now */
	if (streq(e->last_done.module, ev->patch) && !e->last_done.kernel_ns &&
	    ev->target == TT_TARGET_PATCHED && e->last_done.noticed_ns >= ev->time_ns)
		e->last_done.kernel_ns = ev->time_ns;
}

enum engine_companion_action engine_companion_event(struct engine *e,
						    const struct companion_event *ev)
{
	switch (ev->cmd) {
	case TT_EV_TRANSITION:
		on_transition(e, ev);
		return ENGINE_COMPANION_TICK;
	case TT_EV_MODULE:
		/* a livepatch module coming or going changes what sysfs shows */
		return ev->livepatch ? ENGINE_COMPANION_TICK : ENGINE_COMPANION_NOTHING;
	case TT_EV_FAULT:
		snprintf(e->comp.last_fault, sizeof(e->comp.last_fault), "%s at %s%s%s%s",
			 companion_fault_name(ev->fault), ev->symbol[0] ? ev->symbol : "?",
			 ev->module[0] ? " [" : "", ev->module, ev->module[0] ? "]" : "");
		log_info("kernel companion: %s (pid %u, %s)", e->comp.last_fault, ev->pid,
			 ev->comm[0] ? ev->comm : "?");
		/* the kernel's own report in the log is the evidence: read it now */
		return ENGINE_COMPANION_READ_KMSG;
	case TT_EV_TAINT:
		log_info("kernel companion: taint flag %d set (taint now %llu)", ev->taint_flag,
			 (unsigned long long)ev->taint);
		return ENGINE_COMPANION_NOTHING;
	}
	return ENGINE_COMPANION_NOTHING;
}

int engine_companion_blocking(struct engine *e, unsigned max, char **ret)
{
	struct companion_task v[16];
	char patch[TT_NAME_MAX];
	uint32_t truncated = 0;
	size_t size = 4096, used = 0;
	char *out;
	int n;

	*ret = NULL;
	if (!e->companion || !e->comp.in_use)
		return -ENOENT;
	if (max > sizeof(v) / sizeof(v[0]))
		max = sizeof(v) / sizeof(v[0]);
	n = companion_blocking(e->companion, patch, sizeof(patch), v, max, &truncated);
	if (n <= 0)
		return n < 0 ? n : 0;
	out = calloc(1, size);
	if (!out)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		char stack[1024] = "";

		klp_task_stack(e->cfg->root, v[i].tgid, v[i].pid, 4, stack, sizeof(stack));
		used += snprintf(out + used, used < size ? size - used : 0, "%spid %u (%s) %s%s%s%s%s",
				 i ? "; " : "", v[i].pid, v[i].comm, companion_block_reason(v[i].reason),
				 v[i].reason == TT_BLOCK_SLEEPING_ON ? " " : "",
				 v[i].reason == TT_BLOCK_SLEEPING_ON ? v[i].func : "",
				 stack[0] ? ": " : "", stack);
	}
	if (truncated)
		used += snprintf(out + used, used < size ? size - used : 0, "; and %u more", truncated);
	if (used >= size)
		out[size - 1] = '\0';
	*ret = out;
	return n;
}

json_t *engine_companion_status(const struct engine *e)
{
	json_t *c = json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?}",
		"enabled", e->cfg->companion, "in_use", e->comp.in_use,
		"events", (json_int_t)e->comp.events, "ignored", (json_int_t)e->comp.ignored,
		"lost", (json_int_t)e->comp.lost, "appeared", (json_int_t)e->comp.appeared,
		"last_seq", (json_int_t)e->comp.last_seq,
		"last_event_latency_us", (json_int_t)e->comp.last_latency_us,
		"last_fault", e->comp.last_fault[0] ? e->comp.last_fault : NULL,
		"error", e->comp.last_error[0] ? e->comp.last_error : NULL);

	if (c && e->last_done.module[0]) {
		json_t *t = json_pack("{s:s, s:I, s:b}", "module", e->last_done.module,
				      "noticed_ns", (json_int_t)e->last_done.noticed_ns,
				      "through_companion", e->last_done.companion);

		if (t && e->last_done.kernel_ns) {
			json_object_set_new(t, "kernel_ns", json_integer((json_int_t)e->last_done.kernel_ns));
			json_object_set_new(t, "latency_us", json_integer((json_int_t)
				((e->last_done.noticed_ns - e->last_done.kernel_ns) / 1000)));
		}
		json_object_set_new(c, "last_transition", t);
	}
	return c;
}
