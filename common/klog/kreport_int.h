/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals shared by the kernel report modules. Layers, each using only those below it:
 *   kreport.c          assembles reports from lines; reads saved logs through klogtext.c
 *   kreport_classify.c one pass over a report's lines: fields, frames, modules, then title
 *   kreport_title.c    the WARN/BUG site, lockdep's lines, the title
 *   kreport_guilty.c   which function to blame, title forms
 *   kreport_rules.c    the helper-skipping rules as data (used by kreport_guilty.c)
 *   kreport_names.c    Rust v0 paths, and a title's normalisation (what varies between runs)
 *   kreport_frames.c   symbols and call-trace lines
 *   klogtext.c         saved-log lines to kernel log lines (handed back by a callback),
 *                      and reports to JSON
 * Not for other users.
 */
#pragma once

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "arena.h"
#include "kreport.h"

#define KP_MAX_LINES 400        /* a report longer than this is cut */
#define KP_LINE_MAX 1024        /* the kernel never prints longer lines */
#define KP_MAX_FRAMES 128       /* exported: 4.x traces list many "? " frames besides the real ones */
#define KP_CLS_FRAMES KP_MAX_LINES  /* read for the title: a deep recursion's entry point is far down */
#define KP_MAX_MODULES 512
#define KP_TEXT_LINE_MAX (64 * 1024)  /* saved logs: longer lines are cut */

/* How a start line relates to a report already open (see kp_match_start). */
enum {
	KP_START_CONT = 1 << 0,    /* Oops:, invalid opcode, Internal error, panic: part of it */
	KP_START_PANIC = 1 << 1,   /* Kernel panic - not syncing */
	KP_START_PRELUDE = 1 << 2, /* refcount_t:, list_* corruption: a WARN/BUG follows */
	KP_START_WARN_OR_BUG = 1 << 3,
	KP_START_WEAK = 1 << 4,    /* a stackless message: starts a report, never ends one */
};

struct kp_line {
	const char *s;
	size_t len;
};

/* One report being classified: what the pass over its lines found. */
struct kp_cls {
	struct arena *a;
	const struct kp_line *lines;
	size_t n;
	size_t hdr;                     /* the line the type comes from */
	size_t scan_from;               /* the first line whose frames are the report's */
	size_t nf;
	size_t task_start;              /* first frame after an interrupt part (</IRQ>) */
	bool task_start_fixed;          /* set by the first timer interrupt entry: kept */
	struct kframe stall_rip;        /* the RIP printed inside the trace (interrupted code) */
	bool has_stall_rip;
	bool stall_rip_open;            /* the next RIP in the trace replaces stall_rip */
	struct kframe rip;
	bool has_rip;
	bool keep_lock_helpers;         /* sleeping in atomic context: the lock is the point */
	struct kmodule *mods;
	size_t nm;
	/* last, and not zeroed: only the first nf are set. An arm32 line's caller ("(f) from
	 * [<..>] (caller+0x..)") is a frame of its own for the title, never exported. */
	bool caller_only[KP_CLS_FRAMES];
	struct kframe frames[KP_CLS_FRAMES];
};

/* Whether a line (no prefixes) starts a report; *type and *flags say what kind. */
bool kp_match_start(const char *s, size_t len, enum kreport_type *type, unsigned *flags);
/* Fills r from the lines of one report; strings are allocated from a. */
void kp_classify(const struct kp_line *lines, size_t n, enum kreport_type type, struct arena *a,
		 struct kreport *r);

static inline bool kp_has_prefix(const char *s, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(s, prefix, plen) == 0;
}
#define KP_PREFIX(s, len, lit) kp_has_prefix((s), (len), lit, sizeof(lit) - 1)

static inline const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* a character of a module name */
static inline bool kp_is_modch(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

static inline const char *find_in(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

/* kreport_frames.c: symbols and call-trace lines */
const char *kp_dup(struct kp_cls *c, const char *s, size_t n);
const char *kp_parse_sym(struct kp_cls *c, const char *s, const char *end, struct kframe *f);
/* One call-trace line: " func+0x1/0x2 [mod]", " ? func...", " [<ffff...>] func..." */
bool kp_parse_frame(struct kp_cls *c, const char *s, size_t len, struct kframe *f);
/* The caller an arm32 trace line names after " from ": false on other lines. */
bool kp_parse_arm_caller(struct kp_cls *c, const char *s, size_t len, struct kframe *f);
/* kreport_rules.c: the skip rules as data. KP_SKIP_ALWAYS rules hold in every report,
 * KP_SKIP_LOCKS unless the lock is the point (keep_lock_helpers), the others only where a
 * title asks for them. */
enum {
	KP_SKIP_ALWAYS = 1u << 0,
	KP_SKIP_LOCKS = 1u << 1,
	KP_SKIP_REFCOUNT = 1u << 2,
	KP_SKIP_LIST = 1u << 3,
	KP_SKIP_ODEBUG = 1u << 4,
	KP_SKIP_USERCOPY = 1u << 5,
	KP_SKIP_KOBJECT = 1u << 6,
	KP_SKIP_LOCKING_BUG = 1u << 7,
	KP_SKIP_FREE = 1u << 8,
	KP_SKIP_RCU_USAGE = 1u << 9,
	KP_SKIP_NONSTATIC_KEY = 1u << 10,
	KP_SKIP_ATOMIC = 1u << 11,
	KP_SKIP_UBSAN = 1u << 12,
	KP_SKIP_HUNG = 1u << 13,
	KP_SKIP_STALL = 1u << 14,
	KP_SKIP_LEAK = 1u << 15,
	KP_SKIP_PAGE = 1u << 16,
	KP_SKIP_SPINLOCK = 1u << 17,
	KP_SKIP_SKB = 1u << 18,
	KP_SKIP_KMSAN = 1u << 19,
	KP_SKIP_PROC = 1u << 20,
	KP_SKIP_SCHEDULE = 1u << 21,
	KP_SKIP_DEADLOCK = 1u << 22,
};
bool kp_rule_skip_fn(const char *fn, unsigned when);
bool kp_rule_skip_file(const char *file);
bool kp_rule_anchor(const char *fn);
const char *kp_rule_hung_wait(const char *fn);
bool kp_infra_file(const char *file);
/* kreport_guilty.c: the guilty frame, the stalled/hung task's work, title forms; extra is
 * a mask of KP_SKIP_* rules to apply besides the general ones */
const char *kp_guilty(struct kp_cls *c, const char *first, bool use_rip, unsigned extra);
/* Whether a frame is a generic helper under the general rules and extra. */
bool kp_guilty_skips(const struct kp_cls *c, const struct kframe *f, unsigned extra);
/* The work a stalled task was doing; extra: the report kind's own helpers (KP_SKIP_STALL
 * for RCU's detector, KP_SKIP_SCHEDULE for the scheduler that found a stack corrupted) */
const char *kp_stall_guilty(struct kp_cls *c, bool after_irq, unsigned extra);
const char *kp_hung_guilty(struct kp_cls *c);
const char *kp_fmt_title(struct kp_cls *c, const char *prefix, const char *fn);
const char *kp_cut(struct kp_cls *c, const char *s, size_t len, const char *const *stops);
/* The first frame not skipped (the general rules and extra) in the short stack printed
 * after the line containing key ("... became HARDIRQ-irq-safe at:", "backtrace:"). */
const char *kp_stack_after(struct kp_cls *c, const char *key, unsigned extra);
/* The same from line from on (a stack printed without a "Call Trace:" line). */
const char *kp_stack_from(struct kp_cls *c, size_t from, unsigned extra);
/* klogtext.c: one line of a saved log as kernel log lines, prefixes stripped, handed to
 * emit (several for a kmsg record whose text unescapes to several lines); s[len] may be
 * written. True when the line had a kernel log's form (a kmsg record, a "<N>" level, a
 * console timestamp, a journal or syslog line of the kernel), not a bare line. */
typedef void (*kp_emit_fn)(void *userdata, const struct kline *l);
bool kp_text_line(char *s, size_t len, kp_emit_fn emit, void *userdata);
/* kreport_names.c: a Rust v0 symbol as its path (NULL when it is none), and a title with
 * what varies between runs of one bug (addresses, lines, numbers, CPUs) taken out */
const char *kp_rust_demangle(struct kp_cls *c, const char *sym);
const char *kp_norm_title(struct kp_cls *c, const char *title);
/* kreport_title.c: the WARN/BUG line, lockdep's "at:" lines, the title */
void kp_parse_site(struct kp_cls *c, struct kreport *r, const char *s, size_t len,
		   struct kframe *wfn);
const char *kp_lockdep_fn(struct kp_cls *c, const char *key, bool skip_helpers, unsigned extra);
const char *kp_title(struct kp_cls *c, struct kreport *r, const struct kframe *wfn);
