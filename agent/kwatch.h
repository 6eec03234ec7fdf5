/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's /dev/kmsg follower. Reads records without blocking (one record per read() on
 * the real device; a FIFO standing in for it in tests may carry several, split at newlines),
 * keeps only the kernel facility's (user space cannot write facility 0, so nothing it writes
 * is evidence), and feeds their lines to the report parser, whose finished reports go to the
 * callback. At open it reads the records already in the kernel's buffer, skipping those up
 * to `resume_after` (the last record handled by an earlier run in this boot), then follows.
 * Records the kernel overwrote before they were read (EPIPE) are counted, not fatal.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "klog/kmsg.h"
#include "klog/kreport.h"

struct kwatch_stats {
	bool watching;
	uint64_t records;        /* kernel records read */
	uint64_t not_kernel;     /* records of other facilities, ignored */
	uint64_t malformed;
	uint64_t lost;           /* overwritten before the agent read them */
	uint64_t reports;        /* reports assembled (livepatch core messages excluded) */
	uint64_t last_seq;       /* of the last record read */
};

struct kwatch {
	int fd;
	bool stream;             /* not the character device: records split at newlines */
	char *buf;               /* KMSG_RECORD_MAX + 1, plus a partial line in stream mode */
	size_t have;
	uint64_t resume_after;   /* skip records with seq <= this; UINT64_MAX: skip none */
	bool skipping;
	bool seen;               /* a record was read: seq gaps are losses */
	struct kparser *parser;
	struct kwatch_stats *stats;
};

/* stats is updated in place (the caller shows it). */
int kwatch_open(struct kwatch *w, const char *path, uint64_t resume_after, kreport_fn fn,
		void *userdata, struct kwatch_stats *stats);
void kwatch_close(struct kwatch *w);
/* Reads what is there. 0 when drained (EAGAIN), < 0 on a read error. */
int kwatch_read(struct kwatch *w);
/* A report is half assembled: flush it after a short quiet time. */
bool kwatch_pending(const struct kwatch *w);
void kwatch_flush(struct kwatch *w);
