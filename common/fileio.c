/* SPDX-License-Identifier: GPL-2.0-only */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/*
 * The temporary name keeps at most this much of the target's name, so that ".#", the
 * name and "XXXXXX" still fit in NAME_MAX (255) when the target's name is long.
 */
#define TMP_NAME_KEEP 200

int fsync_directory_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -1;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return negative_errno();
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return -EIO; /* write(2) promises progress or an error; do not spin */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_file_open(struct atomic_file *f, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	int dirlen = slash ? (int)(slash - path + 1) : 0;

	*f = (struct atomic_file){ .fd = -1, .path = path };
	if (asprintf(&f->tmp, "%.*s.#%.*sXXXXXX", dirlen, path, TMP_NAME_KEEP, name) < 0) {
		f->tmp = NULL;
		return -ENOMEM;
	}
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int k = negative_errno();

		free(f->tmp);
		f->tmp = NULL;
		return k;
	}
	return 0;
}

void atomic_file_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	*f = (struct atomic_file){ .fd = -1 };
}

int atomic_file_commit(struct atomic_file *f, mode_t mode)
{
	int k = 0;

	/* mkostemp creates 0600; fchmod (not open's mode) so the umask does not apply */
	if (fchmod(f->fd, mode) < 0 || fsync(f->fd) < 0)
		k = negative_errno();
	/* close can report a delayed write error on some filesystems (NFS) */
	if (k >= 0 && close(TAKE_FD(f->fd)) < 0)
		k = negative_errno();
	if (k >= 0 && rename(f->tmp, f->path) < 0)
		k = negative_errno();
	if (k < 0) {
		atomic_file_abort(f);
		return k;
	}
	free(f->tmp);
	f->tmp = NULL;
	return fsync_directory_of(f->path);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct atomic_file f;
	int k = atomic_file_open(&f, path);

	if (k < 0)
		return k;
	k = write_all(f.fd, data, len);
	if (k < 0) {
		atomic_file_abort(&f);
		return k;
	}
	return atomic_file_commit(&f, mode);
}

int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	/* room for max + 1 bytes, so that reading one byte too many is how "too big" shows */
	size_t limit = max < SIZE_MAX - 2 ? max + 2 : SIZE_MAX;
	size_t len = 0, cap = 0, want;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
		return -EFBIG;
	/* st_size is only a hint: the file may grow meanwhile, and /proc files report 0 */
	want = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *p;

			if (cap)
				want = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
			/* cannot fall to cap or below: len <= max, so cap < max + 2 <= limit */
			if (want > limit)
				want = limit;
			p = realloc(buf, want);
			if (!p)
				return -ENOMEM;
			buf = p;
			cap = want;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int mkdir_p(const char *dir, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(dir);

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return negative_errno();
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return negative_errno();
	return 0;
}

int remove_stale_temporaries(const char *dir, time_t older_than)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return negative_errno();
	while ((de = readdir(d))) {
		struct stat st;

		if (strncmp(de->d_name, ".#", 2) != 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= older_than)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
