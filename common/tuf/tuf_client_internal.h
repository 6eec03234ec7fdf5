/* SPDX-License-Identifier: GPL-2.0-only */
/* Between tuf_client.c (the update cycle, role files) and tuf_delegate.c (the search). */
#pragma once

#include "tuf_client.h"

__attribute__((format(printf, 3, 4)))
int tuf_client_fail(struct tuf_client *c, int code, const char *fmt, ...);
/* The targets role NAME as the trusted snapshot lists it: the trusted local copy when it is
 * the listed version, else downloaded; verified with keys (a "keys" object) and role_obj
 * ({keyids, threshold}), fresh, its delegations well formed. */
int tuf_client_load_role(struct tuf_client *c, const char *name, const json_t *keys,
			 const json_t *role_obj, struct tuf_targets *ret);
/* A targets role's "delegations", when it has one: keys, and roles each with a valid name
 * (unique, not a top-level role's), keyids, threshold, and exactly one of paths and
 * path_hash_prefixes. */
int tuf_delegations_check(const json_t *signed_obj, struct tuf_error *err);
void tuf_client_roles_free(struct tuf_client *c);
