/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files that must survive a crash at any point. write_file_atomic() writes a temporary
 * ".#<name>XXXXXX" in the target's directory, sets its mode (exactly, umask aside), fsyncs
 * it, renames it over the target and fsyncs the directory, so a reader sees the old content
 * or the new one, never a mix. On failure the temporary file is removed and the target is
 * untouched, except when only the final directory fsync fails: the new content is then in
 * place but may not survive a crash. read_file_bounded() refuses files larger than the
 * caller's limit (-EFBIG) whatever their reported size. All return 0 or a negative errno
 * and log nothing; the caller decides how bad a failure is.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* The same, for content written as it arrives: open creates the temporary, the caller
 * writes f->fd, commit sets the mode, fsyncs, renames and fsyncs the directory (closing
 * fd), abort (also after a failed commit: harmless) removes the temporary. */
struct atomic_file {
	int fd;
	char *tmp;
	const char *path;
};
int atomic_file_open(struct atomic_file *f, const char *path);
int atomic_file_commit(struct atomic_file *f, mode_t mode);
void atomic_file_abort(struct atomic_file *f);
/* Removes the temporaries a crash left in dir (regular files named ".#...") last modified
 * before older_than; a live writer's are newer. Returns how many, or a negative errno. */
int remove_stale_temporaries(const char *dir, time_t older_than);
/* write(2) until done, EINTR retried. */
int write_all(int fd, const void *data, size_t len);
/* On success *ret is malloc'd and NUL-terminated (the NUL is not counted in *ret_len). */
int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len);
/* fsyncs the directory holding path (".", for a bare name), e.g. after a rename or unlink */
int fsync_directory_of(const char *path);
/* mkdir -p: creates dir and its missing parents; an existing directory is fine. */
int mkdir_p(const char *dir, mode_t mode);
