/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files that must survive a crash at any point: write_file_atomic() writes a temporary file
 * in the target's directory, fsyncs it, renames it over the target and fsyncs the directory,
 * so a reader sees the old content or the new one, never a mix. read_file_bounded() refuses
 * files larger than the caller's limit (-EFBIG) instead of trusting their size.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len);
int fsync_directory_of(const char *path);
