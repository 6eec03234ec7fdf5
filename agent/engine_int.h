/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine's internals (engine_patch.c), for engine.c and engine_report.c only. Layers:
 * engine.c (start, refresh, apply, watch, reconcile) and engine_report.c (the kernel log
 * policy) both sit on engine_patch.c (one patch's record and transitions), which calls
 * neither of them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

int64_t engine_now_ms(void);
/* The one transition being watched: set (strings copied; -ENOMEM) and cleared. */
void engine_busy_clear(struct engine *e);
int engine_busy_set(struct engine *e, const char *id, const char *module, bool reverting,
		    const char *final_state, const char *final_reason);
/* A patch's state and an event of that kind with the reason (logged; warnings for bad news). */
void engine_set_state(struct engine *e, const char *id, const char *state, const char *kind,
		      const char *reason);
void engine_unload_if_loaded(struct engine *e, const char *module);
/* /proc/sys/kernel/tainted under the agent's root; -ENOENT when unreadable. */
int engine_read_taint(struct engine *e, unsigned long long *ret);
