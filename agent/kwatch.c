/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kwatch.h"
#include "log.h"

#define STREAM_CAP (4 * KMSG_RECORD_MAX)

int kwatch_open(struct kwatch *w, const char *path, uint64_t resume_after, kreport_fn fn,
		void *userdata, struct kwatch_stats *stats)
{
	struct stat sb;
	int r;

	*w = (struct kwatch){ .fd = -1, .resume_after = resume_after, .stats = stats,
			      .skipping = resume_after != UINT64_MAX };
	w->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0)
		return log_error_errno(-errno, "%s: %m", path);
	if (fstat(w->fd, &sb) < 0) {
		r = -errno;
		goto fail;
	}
	w->stream = !S_ISCHR(sb.st_mode);
	if (S_ISFIFO(sb.st_mode)) {
		/* a FIFO stand-in (tests): hold a writer end so that no writer is not EOF */
		int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0) {
			r = -errno;
			goto fail;
		}
		close(w->fd);
		w->fd = fd;
	} else if (!S_ISCHR(sb.st_mode)) {
		r = log_error_errno(-EINVAL, "%s: neither the kmsg device nor a FIFO", path);
		goto fail;
	}
	w->buf = malloc(STREAM_CAP + 1);
	if (!w->buf) {
		r = -ENOMEM;
		goto fail;
	}
	r = kparser_new(fn, userdata, &w->parser);
	if (r < 0)
		goto fail;
	return 0;
fail:
	if (r != -EINVAL)
		log_error_errno(r, "%s: %m", path);
	kwatch_close(w);
	return r;
}

void kwatch_close(struct kwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	kparser_free(w->parser);
	free(w->buf);
	*w = (struct kwatch){ .fd = -1 };
}

static void record(struct kwatch *w, char *rec, size_t len)
{
	struct kmsg_record k;
	const char *where = NULL;
	char *line, *nl;

	if (kmsg_parse(rec, len, &k, &where) < 0) {
		if (w->stats->malformed++ == 0)
			log_warning("kmsg: a malformed record (%s); such records are skipped",
				    where ? where : "?");
		return;
	}
	if (w->seen && k.seq > w->stats->last_seq + 1)
		w->stats->lost += k.seq - w->stats->last_seq - 1;
	w->seen = true;
	w->stats->last_seq = k.seq;
	if (w->skipping) {
		if (k.seq <= w->resume_after)
			return;
		w->skipping = false;
	}
	if (k.facility != 0) {
		w->stats->not_kernel++;
		return;
	}
	w->stats->records++;
	for (line = k.text; line; line = nl ? nl + 1 : NULL) {
		struct kline l = { .text = line, .seq = k.seq, .ts_usec = k.ts_usec,
				   .caller = k.caller[0] ? k.caller : NULL };

		nl = memchr(line, '\n', k.len - (size_t)(line - k.text));
		l.len = nl ? (size_t)(nl - line) : k.len - (size_t)(line - k.text);
		if (l.len || nl)
			kparser_line(w->parser, &l);
	}
}

/* Several records (stream mode), or one record with its dictionary lines: each line that
 * does not start with a space begins a record; dictionary lines are not needed. */
static void split(struct kwatch *w, char *buf, size_t len)
{
	size_t start = 0;

	while (start < len) {
		char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (buf[start] != ' ')
			record(w, buf + start, end - start + (nl ? 1 : 0));
		start = end + 1;
	}
}

int kwatch_read(struct kwatch *w)
{
	for (;;) {
		size_t room = w->stream ? STREAM_CAP - w->have : KMSG_RECORD_MAX;
		ssize_t n = read(w->fd, w->buf + (w->stream ? w->have : 0), room);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == EPIPE) {
				/* counted from the gap in seq at the next record */
				continue;
			}
			return log_error_errno(-errno, "kmsg: read: %m");
		}
		if (n == 0)
			return 0;
		if (!w->stream) {
			split(w, w->buf, (size_t)n);
			continue;
		}
		w->have += (size_t)n;
		/* records end at a newline; keep a partial last one for the next read */
		char *last = memrchr(w->buf, '\n', w->have);

		if (!last) {
			if (w->have == STREAM_CAP)
				w->have = 0;    /* a line longer than any record: drop it */
			continue;
		}
		size_t done = (size_t)(last - w->buf) + 1;

		split(w, w->buf, done);
		memmove(w->buf, w->buf + done, w->have - done);
		w->have -= done;
	}
}

bool kwatch_pending(const struct kwatch *w)
{
	return w->parser && kparser_pending(w->parser);
}

void kwatch_flush(struct kwatch *w)
{
	if (w->parser)
		kparser_flush(w->parser);
}
