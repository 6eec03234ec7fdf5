/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the report queue: shared by the daemon and the fetch helper, libc only. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "util.h"

/* "SEQ.json" with SEQ decimal, no leading zero, within the protocol's integers. */
static bool parse_name(const char *name, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; name[i] >= '0' && name[i] <= '9'; i++) {
		if (i == 16 || (i == 0 && name[i] == '0'))
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (i == 0 || !streq(name + i, ".json") || v > REPORT_SEQ_MAX)
		return false;
	*ret = v;
	return true;
}

static int by_seq(const void *a, const void *b)
{
	const struct report_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int report_file_list(const char *dir, struct report_entry **ret, size_t *n)
{
	struct report_entry *v = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		if (errno != ENOENT)
			return -errno;
		*ret = NULL;
		*n = 0;
		return 0;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		uint64_t seq;

		if (!parse_name(de->d_name, &seq) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (count == cap) {
			struct report_entry *nv = reallocarray(v, cap ? cap * 2 : 64, sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[count++] = (struct report_entry){ .seq = seq, .size = (uint64_t)st.st_size };
	}
	if (errno) {
		int r = -errno;

		free(v);
		closedir(d);
		return r;
	}
	closedir(d);
	if (count)
		qsort(v, count, sizeof(*v), by_seq);
	*ret = v;
	*n = count;
	return 0;
}

char *report_file_path(const char *dir, uint64_t seq)
{
	char *p;

	return asprintf(&p, "%s/%llu.json", dir, (unsigned long long)seq) < 0 ? NULL : p;
}

static int bad(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -EBADMSG;
}

int report_file_parse(const char *buf, size_t len, const char **ret_sig, const char **ret_body,
		      size_t *ret_body_len, char *err, size_t errlen)
{
	size_t body_len;

	if (len > REPORT_FILE_MAX)
		return bad(err, errlen, "larger than a report can be (64 KiB and its signature)");
	if (len < REPORT_SIG_HEX + 1)
		return bad(err, errlen, "too short for a signature line");
	for (size_t i = 0; i < REPORT_SIG_HEX; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f')))
			return bad(err, errlen, "the first line is not a 128-digit lowercase hex "
				   "signature");
	if (buf[REPORT_SIG_HEX] != '\n')
		return bad(err, errlen, "the signature line is not 128 hex digits and a newline");
	body_len = len - REPORT_SIG_HEX - 1;
	if (body_len < 2 || buf[REPORT_SIG_HEX + 1] != '{')
		return bad(err, errlen, "the body is not a JSON object");
	if (body_len > REPORT_MAX_BODY)
		return bad(err, errlen, "the body is over 64 KiB");
	if (memchr(buf + REPORT_SIG_HEX + 1, '\0', body_len))
		return bad(err, errlen, "the body holds a NUL byte");
	*ret_sig = buf;
	*ret_body = buf + REPORT_SIG_HEX + 1;
	*ret_body_len = body_len;
	return 0;
}
