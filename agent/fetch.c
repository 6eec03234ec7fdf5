/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "util.h"

extern char **environ;

char *fetch_helper_path(const char *configured)
{
	char self[4096], *p = NULL, *slash;
	ssize_t n;

	if (configured && *configured)
		return strdup(configured);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && asprintf(&p, "%.*s/%s", (int)(slash - self), self, FETCH_HELPER_NAME) >= 0) {
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return strdup(LIBEXECDIR "/tuxtape/" FETCH_HELPER_NAME);
}

void fetch_child_close(struct fetch_child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	*c = (struct fetch_child){ .out_fd = -1, .err_fd = -1 };
}

int fetch_spawn(char *const argv[], struct fetch_child *ret, char *why, size_t size)
{
	struct fetch_child c = { .out_fd = -1, .err_fd = -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int r;

	c.out_fd = memfd_create("tuxtape-fetch-out", MFD_CLOEXEC);
	c.err_fd = memfd_create("tuxtape-fetch-err", MFD_CLOEXEC);
	if (c.out_fd < 0 || c.err_fd < 0) {
		r = errno;
		fetch_child_close(&c);
		snprintf(why, size, "cannot run the fetch helper: memfd: %s", strerror(r));
		return -r;
	}
	/* the daemon blocks SIGCHLD, SIGTERM and SIGINT for sd-event: the child must not */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, c.out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, c.err_fd, 2);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&c.pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0) {
		fetch_child_close(&c);
		snprintf(why, size, "cannot run the fetch helper %s: %s", argv[0], strerror(r));
		return -r;
	}
	*ret = c;
	return 0;
}

/* The child wrote through its own descriptor: read from the start, never past max. */
static int read_memfd(int fd, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + len, (size_t)st.st_size - len, (off_t)len);

		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* The last non-empty line the child wrote on stderr, if any: its last words. */
static void last_line(int fd, char *out, size_t size)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	char *s;

	out[0] = '\0';
	if (read_memfd(fd, 1u << 20, &buf, &len) < 0)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	s = strrchr(buf, '\n');
	snprintf(out, size, "%s", s ? s + 1 : buf);
}

static bool document_complete(const json_t *doc, enum fetch_kind kind)
{
	const json_t *reports = json_object_get(doc, "reports");

	if (reports && !json_is_array(reports))
		return false;
	switch (kind) {
	case FETCH_KIND_ARCHIVE:
		return json_is_array(json_object_get(doc, "targets")) &&
		       json_is_array(json_object_get(doc, "revoked"));
	case FETCH_KIND_REPORTS:
		return reports != NULL;
	case FETCH_KIND_ENROLL:
		return json_is_integer(json_object_get(json_object_get(doc, "enroll"), "status"));
	}
	return false;
}

int fetch_collect(struct fetch_child *c, int code, int status, json_t **ret, char *why,
		  size_t size)
{
	_cleanup_free_ char *out = NULL;
	char words[512];
	json_error_t jerr;
	json_t *doc = NULL;
	size_t len = 0;
	int r;

	*ret = NULL;
	last_line(c->err_fd, words, sizeof(words));
	if (code == CLD_KILLED || code == CLD_DUMPED) {
		if (c->timed_out)
			snprintf(why, size, "the fetch helper took over %d s and was stopped",
				 FETCH_TIMEOUT_S);
		else
			snprintf(why, size, "the fetch helper died of signal %d (%s)%s%s", status,
				 strsignal(status), words[0] ? ": " : "", words);
		r = -EINTR;
		goto out;
	}
	/* exit 0 with the result, or 1 with the archive's reason; anything else is a crash */
	r = read_memfd(c->out_fd, FETCH_OUTPUT_MAX, &out, &len);
	if (r >= 0 && (status == 0 || status == 1))
		doc = json_loadb(out, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc && status == 1 && json_is_string(json_object_get(doc, "error"))) {
		snprintf(why, size, "%s", json_string_value(json_object_get(doc, "error")));
		if (json_is_array(json_object_get(doc, "reports")))
			*ret = TAKE_PTR(doc);
		r = -EIO;
	} else if (doc && status == 0 && document_complete(doc, c->kind)) {
		*ret = TAKE_PTR(doc);
		r = 0;
	} else {
		snprintf(why, size, "the fetch helper failed (exit status %d)%s%s", status,
			 words[0] ? ": " : (r == -EFBIG ? ": output too long" : ""), words);
		r = -EIO;
	}
out:
	json_decref(doc);
	fetch_child_close(c);
	return r;
}
