/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's livepatch state under ROOT/sys/kernel/livepatch (the live truth the agent
 * reconciles against), and the tasks that block a transition (ROOT/proc/PID/task/TID/
 * patch_state and stack). Names are module names (underscores).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct klp_state {
	char name[64];
	int enabled;     /* 0/1 */
	int transition;  /* 0/1 */
};

/* All patches present; *ret is malloc'd (NULL when none). */
int klp_list(const char *root, struct klp_state **ret, size_t *n);
/* -ENOENT when the patch is not in sysfs. */
int klp_get(const char *root, const char *name, struct klp_state *ret);
int klp_set_enabled(const char *root, const char *name, bool enabled);
/* A description of the tasks whose patch_state is still `from` (at most `max` tasks, each
 * with its comm and top stack frames), or "" when none is found. malloc'd. */
int klp_blocking_tasks(const char *root, int from, unsigned max, char **ret);
/* The first `frames` frames of a thread's kernel stack appended to out (" < " between). */
void klp_task_stack(const char *root, unsigned tgid, unsigned tid, unsigned frames, char *out,
		    size_t size);
/* Whether name is a plausible module name: [A-Za-z0-9_-], 1..55 chars. */
bool klp_valid_name(const char *name);
