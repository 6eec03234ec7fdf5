/* SPDX-License-Identifier: GPL-2.0-only */
/* The generator's plumbing: the subprocesses (make, patch, tar) and their output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "log.h"
#include "util.h"

#define OUT_KEEP (4u << 20)

double gen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *gen_status_string(enum gen_status st)
{
	static const char *const names[] = { "ok", "failed", "refused", "skipped" };

	return names[st];
}

/* Shows the last line of a build on one terminal line, overwritten as lines come. */
static void show_progress(const char *buf, size_t len)
{
	const char *end = buf + len, *line = NULL;

	for (const char *p = end; p > buf; p--)
		if (p[-1] == '\n' && p < end) {
			line = p;
			break;
		}
	if (!line)
		return;
	fprintf(stderr, "\r\033[K  %.*s", (int)strcspn(line, "\n") > 76 ? 76 :
		(int)strcspn(line, "\n"), line);
}

int gen_run(const char *dir, char *const argv[], char *const env[], bool progress, char **out)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return log_error_errno(errno, "pipe: %m");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return log_error_errno(errno, "fork: %m");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		if (dir && chdir(dir) < 0) {
			fprintf(stderr, "cannot enter %s: %m\n", dir);
			_exit(127);
		}
		for (size_t i = 0; env && env[i]; i++)
			putenv(env[i]);
		/* make's own MAKEFLAGS from an outer make would leak jobserver descriptors */
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %m\n", argv[0]);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			if (len >= OUT_KEEP) {
				/* keep the end: that is where the errors are */
				memmove(buf, buf + len - OUT_KEEP / 2, OUT_KEEP / 2);
				len = OUT_KEEP / 2;
			} else {
				size_t ncap = cap ? cap * 2 : 131072;
				char *grown = realloc(buf, ncap);

				if (!grown)
					break;
				buf = grown;
				cap = ncap;
			}
		}
		n = read(fds[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (progress)
			show_progress(buf, len);
	}
	close(fds[0]);
	if (progress)
		fprintf(stderr, "\r\033[K");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_error_errno(errno, "waitpid: %m");
	if (buf)
		buf[len] = '\0';
	if (out)
		*out = buf ? TAKE_PTR(buf) : strdup("");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

char *gen_tail(const char *text, unsigned n)
{
	const char *p;
	size_t len;

	if (!text)
		return strdup("");
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	p = text + len;
	while (p > text && n) {
		p--;
		if (*p == '\n' && --n == 0) {
			p++;
			break;
		}
	}
	return strndup(p, (size_t)(text + len - p));
}

int gen_write_file(const char *path, const char *text)
{
	return write_file_atomic(path, text, strlen(text), 0644);
}

bool gen_which(const char *prog)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = strdup(path ? path : "/usr/bin:/bin");
	char *save = NULL;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/%s", d, prog) >= 0 && access(p, X_OK) == 0)
			return true;
	}
	return false;
}

int gen_list_append(char **list, const char *sep, const char *fmt, ...)
{
	_cleanup_free_ char *item = NULL;
	char *more = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&item, fmt, ap);
	va_end(ap);
	if (n < 0 || asprintf(&more, "%s%s%s", strempty(*list), *list ? sep : "", item) < 0)
		return -ENOMEM;
	free(*list);
	*list = more;
	return 0;
}

#define OBJECT_MAX (512u << 20)
#define KCFLAGS "KCFLAGS=-ffunction-sections -fdata-sections"

int gen_copy_file(const char *from, const char *to)
{
	_cleanup_free_ char *data = NULL, *dir = strdup(to);
	size_t len;
	int k;

	if (!dir)
		return -ENOMEM;
	*strrchr(dir, '/') = '\0';
	k = mkdir_p(dir, 0755);
	if (k >= 0)
		k = read_file_bounded(from, OBJECT_MAX, &data, &len);
	if (k >= 0)
		k = write_file_atomic(to, data, len, 0644);
	return k;
}

int gen_make(struct gen_ctx *c, char *const *targets, size_t n, char **tail, char **log)
{
	_cleanup_free_ char *ccarg = NULL, *jobs = NULL, *out = NULL, *kcflags = NULL;
	char **argv = calloc(n + 8, sizeof(char *));
	size_t a = 0;
	int k;

	if (!argv || asprintf(&ccarg, "CC=%s", c->cc) < 0 || asprintf(&jobs, "-j%u", c->req->jobs) < 0 ||
	    asprintf(&kcflags, "%s%s%s", KCFLAGS, c->key_test_h ? " -include " : "",
		     strempty(c->key_test_h)) < 0) {
		free(argv);
		return -ENOMEM;
	}
	argv[a++] = (char *)"make";
	argv[a++] = (char *)"-C";
	argv[a++] = c->tree;
	argv[a++] = ccarg;
	argv[a++] = jobs;
	argv[a++] = kcflags;
	for (size_t i = 0; i < n; i++)
		argv[a++] = targets[i];
	k = gen_run(NULL, argv, NULL, c->req->progress, &out);
	free(argv);
	if (k != 0) {
		*tail = gen_tail(out, 10);
		if (log)
			*log = TAKE_PTR(out);
	}
	return k == 0 ? 0 : -EIO;
}

char *gen_cmd_path(const struct gen_ctx *c, const char *target)
{
	const char *base = strrchr(target, '/');
	char *p = NULL;

	if (asprintf(&p, "%s/%.*s.%s.cmd", c->tree, base ? (int)(base - target + 1) : 0, target,
		     base ? base + 1 : target) < 0)
		return NULL;
	return p;
}

int gen_cmd_line(const struct gen_ctx *c, const char *target, char **ret)
{
	_cleanup_free_ char *path = gen_cmd_path(c, target);
	size_t len;
	int k;

	if (!path)
		return -ENOMEM;
	k = read_file_bounded(path, 16u << 20, ret, &len);
	if (k < 0)
		return k;
	(*ret)[strcspn(*ret, "\n")] = '\0'; /* the command line only */
	return 0;
}

void gen_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int gen_strv_add(char ***v, size_t *n, const char *s)
{
	char **g;

	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i], s))
			return 0;
	g = reallocarray(*v, *n + 2, sizeof(*g));
	if (!g)
		return -ENOMEM;
	*v = g;
	if (!(g[*n] = strdup(s)))
		return -ENOMEM;
	g[++*n] = NULL;
	return 1;
}
