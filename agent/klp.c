/* SPDX-License-Identifier: GPL-2.0-only */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "klp.h"
#include "util.h"

bool klp_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 55)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* sysfs attributes claim a size of 4096 whatever they hold: read them without a stat */
static int read_int_file(const char *path, int *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[64], *end;
	ssize_t n;
	long v;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EBADMSG;
	*ret = (int)v;
	return 0;
}

int klp_get(const char *root, const char *name, struct klp_state *ret)
{
	_cleanup_free_ char *p = NULL;
	struct klp_state s = { 0 };
	int r;

	if (!klp_valid_name(name))
		return -EINVAL;
	snprintf(s.name, sizeof(s.name), "%s", name);
	if (asprintf(&p, "%s/sys/kernel/livepatch/%s/enabled", root, name) < 0)
		return -ENOMEM;
	r = read_int_file(p, &s.enabled);
	if (r < 0)
		return r;
	free(p);
	if (asprintf(&p, "%s/sys/kernel/livepatch/%s/transition", root, name) < 0) {
		p = NULL;
		return -ENOMEM;
	}
	r = read_int_file(p, &s.transition);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int klp_list(const char *root, struct klp_state **ret, size_t *n)
{
	_cleanup_free_ char *dir = NULL;
	struct klp_state *v = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *d;

	if (asprintf(&dir, "%s/sys/kernel/livepatch", root) < 0)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {   /* no patch was ever loaded, or no livepatch support */
			*ret = NULL;
			*n = 0;
			return 0;
		}
		return -errno;
	}
	while ((de = readdir(d))) {
		struct klp_state s, *nv;

		if (de->d_name[0] == '.' || !klp_valid_name(de->d_name))
			continue;
		if (klp_get(root, de->d_name, &s) < 0)
			continue;       /* going away while we look */
		nv = reallocarray(v, count + 1, sizeof(*v));
		if (!nv) {
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		v[count++] = s;
	}
	closedir(d);
	*ret = v;
	*n = count;
	return 0;
}

int klp_set_enabled(const char *root, const char *name, bool enabled)
{
	_cleanup_free_ char *p = NULL;
	_cleanup_close_ int fd = -1;

	if (!klp_valid_name(name))
		return -EINVAL;
	if (asprintf(&p, "%s/sys/kernel/livepatch/%s/enabled", root, name) < 0)
		return -ENOMEM;
	fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (write(fd, enabled ? "1" : "0", 1) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

/* the first frames of a task's kernel stack, "a+0x1/0x2 < b+0x3/0x4" */
static void append_stack(const char *path, char *out, size_t size, unsigned frames)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, used = strlen(out);
	char *line, *save = NULL;

	if (read_file_bounded(path, 16384, &buf, &len) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line && frames; line = strtok_r(NULL, "\n", &save)) {
		char *sym = strchr(line, ']');

		sym = sym ? sym + 1 : line;
		while (*sym == ' ')
			sym++;
		if (!*sym)
			continue;
		used += snprintf(out + used, used < size ? size - used : 0, "%s%s",
				 used && out[used - 1] != ' ' ? " < " : "", sym);
		frames--;
	}
}

void klp_task_stack(const char *root, unsigned tgid, unsigned tid, unsigned frames, char *out,
		    size_t size)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/proc/%u/task/%u/stack", root, tgid, tid);
	append_stack(p, out, size, frames);
}

int klp_blocking_tasks(const char *root, int from, unsigned max, char **ret)
{
	_cleanup_free_ char *procdir = NULL;
	char *out;
	size_t size = 4096, used = 0;
	unsigned found = 0;
	struct dirent *de;
	DIR *d;

	if (asprintf(&procdir, "%s/proc", root) < 0)
		return -ENOMEM;
	out = calloc(1, size);
	if (!out)
		return -ENOMEM;
	d = opendir(procdir);
	if (!d) {
		free(out);
		return -errno;
	}
	while ((de = readdir(d)) && found < max) {
		_cleanup_free_ char *tdir = NULL;
		struct dirent *te;
		DIR *td;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (asprintf(&tdir, "%s/%s/task", procdir, de->d_name) < 0)
			break;
		td = opendir(tdir);
		if (!td)
			continue;
		while ((te = readdir(td)) && found < max) {
			char p[512], comm[64] = "?", stack[1024] = "";
			_cleanup_free_ char *c = NULL;
			size_t clen;
			int state;

			if (!isdigit((unsigned char)te->d_name[0]))
				continue;
			snprintf(p, sizeof(p), "%s/%s/patch_state", tdir, te->d_name);
			if (read_int_file(p, &state) < 0 || state != from)
				continue;
			snprintf(p, sizeof(p), "%s/%s/comm", tdir, te->d_name);
			if (read_file_bounded(p, sizeof(comm) - 1, &c, &clen) >= 0) {
				clen = strcspn(c, "\n");
				snprintf(comm, sizeof(comm), "%.*s", (int)clen, c);
			}
			snprintf(p, sizeof(p), "%s/%s/stack", tdir, te->d_name);
			append_stack(p, stack, sizeof(stack), 4);
			used += snprintf(out + used, used < size ? size - used : 0,
					 "%spid %s (%s)%s%s", found ? "; " : "", te->d_name, comm,
					 stack[0] ? ": " : "", stack);
			found++;
		}
		closedir(td);
	}
	closedir(d);
	if (used >= size)
		out[size - 1] = '\0';
	*ret = out;
	return (int)found;
}
