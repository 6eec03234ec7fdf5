/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by tuf_archive.c (keys, signing, the operations that change the archive) and
 * tuf_archive_verify.c (reading it back as a client would). */
#pragma once

#include <stddef.h>

#include "tuf_archive.h"

#define META_MAX (16u << 20)
#define MODULE_MAX (256u << 20)

/* DIR/SUB or DIR/SUB/NAME, malloc'd; NULL on OOM. */
char *archive_path_of(const struct archive_opts *o, const char *sub, const char *name);
/* Lowercase hex SHA-256 and SHA-512 of data. */
void archive_hash(const char *data, size_t len, char sha256[65], char sha512[129]);
