/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel crash and warning reports out of a stream of log lines: the assembler groups lines
 * into reports (start line, same caller id, end markers), the classifier gives each a type,
 * a title in syzkaller's style ("WARNING in func", "KASAN: slab-use-after-free Read in func"),
 * the RIP, the frames with their module and reliability, the taint, the modules linked in.
 * Layouts of kernels 3.x to 6.16+ are understood; nothing depends on a version number.
 *
 * Lines are fed one at a time, already unescaped and without their newline; the caller
 * decides what counts (the agent feeds only kernel-facility records). A finished report is
 * handed to the callback; it and every string in it live in the parser's memory until the
 * callback returns. The parser holds no global state and allocates only while assembling.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kreport_type {
	KREPORT_WARN,
	KREPORT_BUG,              /* kernel BUG at ..., BUG: <other> */
	KREPORT_OOPS,             /* Oops, invalid opcode, int3, Internal error, stack overflow */
	KREPORT_PAGE_FAULT,       /* NULL pointer dereference, unable to handle page fault */
	KREPORT_GPF,
	KREPORT_SOFT_LOCKUP,
	KREPORT_HARD_LOCKUP,
	KREPORT_RCU_STALL,
	KREPORT_HUNG_TASK,
	KREPORT_KASAN,            /* and KFENCE, KCSAN, KMSAN */
	KREPORT_UBSAN,
	KREPORT_LOCKDEP,
	KREPORT_LIST_CORRUPTION,
	KREPORT_REFCOUNT,
	KREPORT_ATOMIC,           /* sleeping function called from invalid context, ... */
	KREPORT_PANIC,
	KREPORT_LIVEPATCH,        /* a message of the livepatch core (see klp_event) */
	KREPORT_RUST_PANIC,       /* "rust_kernel: panicked at ...", the BUG it ends in */
	_KREPORT_TYPE_MAX,
};

enum klp_event {
	KLP_EVENT_NONE,
	KLP_EVENT_ENABLING,        /* enabling patch '%s' */
	KLP_EVENT_PATCHING,        /* '%s': starting patching transition */
	KLP_EVENT_PATCHED,         /* '%s': patching complete */
	KLP_EVENT_UNPATCHING,      /* '%s': starting unpatching transition */
	KLP_EVENT_UNPATCHED,       /* '%s': unpatching complete */
	KLP_EVENT_SIGNALING,       /* signaling remaining tasks */
	KLP_EVENT_FORCING,         /* forcing remaining tasks to the patched state */
	KLP_EVENT_FAILED,          /* failed to enable/apply/patch ..., not compatible, ... */
	KLP_EVENT_MODULE,          /* applying patch '%s' to loading module '%s' (and reverting) */
};

struct kframe {
	const char *function;     /* NULL for a bare address */
	const char *module;       /* NULL: built into the kernel */
	const char *file;         /* "path/file.c" of a symbolized frame, else NULL */
	uint64_t offset, size;
	bool reliable;            /* false for "? " frames */
};

struct kmodule {
	const char *name;
	const char *flags;        /* per-module taint and state letters, e.g. "OEK", "O+", "" */
};

struct kreport {
	enum kreport_type type;
	const char *title;          /* syzkaller style */
	const char *headline;       /* the line that started the report, as printed */
	const char *rip_function;   /* RIP / pc / the WARN or BUG site; NULL if none */
	const char *rip_module;     /* NULL: built in (or no RIP) */
	const char *site_file;      /* WARNING/BUG at FILE:LINE, or NULL */
	unsigned site_line;
	const struct kframe *frames;        /* call trace, innermost first */
	size_t n_frames;
	const struct kmodule *modules;      /* "Modules linked in" */
	size_t n_modules;
	const char *taint;          /* letters after "Tainted: " (spaces kept), "" for Not
				     * tainted, NULL when no CPU line was seen */
	int cpu, pid;               /* -1 when unknown */
	const char *comm;
	uint64_t seq, ts_usec;      /* of the first line */
	/* KREPORT_LIVEPATCH only */
	enum klp_event klp_event;
	const char *klp_patch, *klp_object;
};

struct kline {
	const char *text;           /* one line, unescaped, no newline; need not be NUL-ended */
	size_t len;
	uint64_t seq, ts_usec;
	const char *caller;         /* "T123", "C0" or NULL */
	bool bare;                  /* a saved log's line with no kernel prefix (no record
				     * header, level or timestamp): maybe another writer's */
};

struct kparser;
typedef void (*kreport_fn)(const struct kreport *r, void *userdata);

int kparser_new(kreport_fn fn, void *userdata, struct kparser **ret);
void kparser_free(struct kparser *p);
void kparser_line(struct kparser *p, const struct kline *l);
/* Ends the report being assembled: end of input, or the log went quiet. */
void kparser_flush(struct kparser *p);
/* Whether a report is being assembled (the agent flushes after a short quiet time). */
bool kparser_pending(const struct kparser *p);
/* Bytes the parser holds now (its state and the open report's lines): bounded whatever
 * the input, which the tests check. */
size_t kparser_footprint(const struct kparser *p);
/* A saved log: a /dev/kmsg dump ("6,12,345,-;text" records with " KEY=v" lines), a console
 * capture ("[   12.345678] text", optionally "[  T12] " or "[    C0] " after it), or bare
 * lines, mixed freely. Splits, strips the prefixes, unescapes, feeds. Bounded: lines over
 * 64 KiB are cut. Call kparser_flush() at the end. */
void kparser_feed_text(struct kparser *p, const char *buf, size_t len);
/* How many lines fed as text had a kernel log's form (a kmsg record, a "<N>" level, a
 * console timestamp, a journal or syslog line of the kernel): 0 for a file that is no
 * kernel log at all. */
uint64_t kparser_text_kernel_lines(const struct kparser *p);

const char *kreport_type_name(enum kreport_type t);    /* "warn", "gpf", "soft-lockup", ... */
const char *klp_event_name(enum klp_event e);
/* {type, title, headline, rip_function, rip_module, site, frames, modules, taint, cpu, pid,
 * comm, seq, ts_usec, culprit} — culprit may be NULL (JSON null). */
json_t *kreport_to_json(const struct kreport *r, const char *culprit);
