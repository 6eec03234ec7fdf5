/* SPDX-License-Identifier: GPL-2.0-only */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(path), *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *base, *p = data;
	size_t done = 0;
	int k;

	if (!copy)
		return -ENOMEM;
	base = strrchr(path, '/');
	if (asprintf(&tmp, "%.*s.#%sXXXXXX", base ? (int)(base - path + 1) : 0, path,
		     base ? base + 1 : path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			k = n < 0 ? negative_errno() : -EIO;
			goto fail;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		k = negative_errno();
		goto fail;
	}
	if (close(TAKE_FD(fd)) < 0 || rename(tmp, path) < 0) {
		k = negative_errno();
		goto fail;
	}
	return fsync_directory_of(path);
fail:
	unlink(tmp);
	return k;
}

int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return negative_errno();
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			size_t want = cap ? cap * 2 : 8192;
			char *p;

			if (want > max + 2)
				want = max + 2; /* one byte past max tells us it is too big */
			if (want <= len + 1)
				return -EFBIG;
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
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}
