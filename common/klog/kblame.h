/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which livepatch, if any, a kernel report convicts. Strong evidence: the RIP, or the first
 * reliable frame of the call trace, lies in the livepatch's module (a WARN or BUG site inside
 * it is its RIP). Frames marked "? " never count. Weak evidence: the report names a function
 * the livepatch replaced (it may be the old code or a caller), within a time after its
 * transition finished. The livepatch core's own messages convict nobody.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kreport.h"

enum kblame_strength {
	KBLAME_NONE,
	KBLAME_WEAK,
	KBLAME_STRONG,
};

struct kblame {
	enum kblame_strength strength;
	char module[64];           /* the livepatch module blamed */
	char why[256];             /* "RIP in livepatch_x", "first reliable frame ... in ..." */
};

/* Answers whether a module (name as printed, '-' and '_' alike) is a loaded livepatch. */
typedef bool (*kblame_is_livepatch_fn)(const char *module, void *userdata);
/* Answers whether function was replaced by a livepatch; fills that livepatch's module. */
typedef bool (*kblame_replaced_fn)(const char *function, char module[64], void *userdata);

/* Strong evidence first, then weak (replaced may be NULL: no weak evidence). */
void kblame_report(const struct kreport *r, kblame_is_livepatch_fn is_livepatch,
		   kblame_replaced_fn replaced, void *userdata, struct kblame *ret);
/* For a saved log: the names in extra (NULL-terminated, may be NULL: the admin's list), and
 * the modules the report itself shows as livepatches (flag K in "Modules linked in"). */
bool kblame_offline_is_livepatch(const struct kreport *r, const char *module,
				 const char *const *extra);
const char *kblame_strength_name(enum kblame_strength s);
