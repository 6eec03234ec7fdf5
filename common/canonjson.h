/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Canonical JSON as TUF signs it (the OLPC dialect of securesystemslib's encode_canonical,
 * which tuf-js follows): no whitespace, object keys sorted by byte order, strings escaping
 * only '"' and '\' (control characters, '/', DEL and UTF-8 are written raw), integers only.
 * Strings and keys are written with their full length, embedded NUL bytes included, and
 * their bytes are not checked for valid UTF-8 (jansson checks unless told not to).
 * A real number, or more than CANONJSON_MAX_DEPTH nested arrays/objects (which also stops
 * a reference cycle), is refused with -EINVAL; nothing is returned then.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>

#define CANONJSON_MAX_DEPTH 64

/* On success *ret is a malloc'd, NUL-terminated buffer of *ret_len bytes (NUL excluded). */
int canonjson_dump(const json_t *v, char **ret, size_t *ret_len);
