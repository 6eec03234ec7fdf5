/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One /dev/kmsg record, as a read() returns it: "PRIO,SEQ,USEC,FLAG[,caller=T12|C3][,...];"
 * text "\n", then optional dictionary lines " KEY=value\n". The text comes \xNN-escaped;
 * kmsg_parse() unescapes it in place (it only shrinks), so one record may hold several
 * lines. Unknown header fields are ignored (the ABI allows new ones). Only records of the
 * kernel facility (0) are evidence: user space can write to /dev/kmsg, never as facility 0.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSG_RECORD_MAX 8192   /* always enough for one record (CONSOLE_EXT_LOG_MAX) */

struct kmsg_record {
	unsigned facility, level;
	uint64_t seq, ts_usec;
	bool cont;              /* 'c': a LOG_CONT fragment */
	char caller[16];        /* "T123" (task) or "C1" (cpu), "" when not printed */
	char *text;             /* unescaped, NUL-terminated, inside the parsed buffer */
	size_t len;
};

/* buf holds one record of len bytes and is modified. -EBADMSG with *where set to a short
 * description of the bad part. */
int kmsg_parse(char *buf, size_t len, struct kmsg_record *ret, const char **where);
/* "\xNN" → byte, in place; returns the new length. Other backslashes are kept. */
size_t kmsg_unescape(char *s, size_t len);
