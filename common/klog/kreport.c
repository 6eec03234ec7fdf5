/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report assembler: which lines start a report, which belong to the open one (same
 * caller id; an Oops/invalid opcode/panic line right after a BUG or WARN is the same
 * report), and where it ends (end-trace markers, the KASAN closing line, a new start, the
 * line limit). The livepatch core's messages are handed out one per line on the side.
 * Lines outside a report cost a first-byte dispatch and are not copied. One report is
 * assembled at a time: a headline from another caller while one is open is not followed
 * (its lines are not ours), which may lose a report racing another on a second CPU.
 */
#include "kreport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"

struct kparser {
	kreport_fn fn;
	void *userdata;
	struct arena arena;          /* the open report's lines, then its classification */
	size_t arena_bytes;
	bool open;
	enum kreport_type type;
	unsigned flags;              /* KP_START_* of the start line */
	bool has_trace;              /* a call trace was seen: a panic now ends the report */
	bool stamped;                /* its first line had a kernel prefix: bare lines are not ours */
	char caller[16];
	uint64_t seq, ts_usec;
	size_t n_lines;
	struct kp_line lines[KP_MAX_LINES];
	/* After a report: the panic that follows it (and its stack dump) belongs to it. */
	char tail_caller[16];
	unsigned tail_left;
	bool tail_swallow;
	/* kparser_feed_text: the line being read, which may span calls */
	char *linebuf;
	size_t carry_len;
	uint64_t text_kernel_lines;     /* lines fed as text in a kernel log's form */
};

#define TAIL_LINES 30

static bool same_caller(const char *a, const char *b)
{
	/* No caller ids (a console capture without them): every line may belong. */
	return !*a || !*b || strcmp(a, b) == 0;
}

/* Strips a pr_fmt prefix the kernel puts before some headlines ("rcu: ", "watchdog: "). */
static void strip_prfmt(const char **s, size_t *len)
{
	static const char *const prefixes[] = { "rcu: ", "watchdog: ", "NMI watchdog: ",
						"kernel: " };

	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (kp_has_prefix(*s, *len, prefixes[i], n)) {
			*s += n;
			*len -= n;
			return;
		}
	}
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static bool match_lockdep(const char *s, size_t len)
{
	static const char *const heads[] = {
		"possible circular locking dependency", "possible recursive locking",
		"inconsistent lock state", "possible irq lock inversion", "SOFTIRQ-safe ->",
		"HARDIRQ-safe ->", "suspicious RCU usage", "bad unlock balance", "held lock freed",
		"lock held when returning", "nested lock was not taken", "Nested lock was not taken",
		"trying to register non-static key", "circular locking dependency",
		"Invalid wait context",
	};

	for (size_t i = 0; i < ELEMENTSOF(heads); i++)
		if (kp_has_prefix(s, len, heads[i], strlen(heads[i])))
			return true;
	return false;
}

static bool match_bug(const char *s, size_t len, enum kreport_type *type)
{
	static const struct {
		const char *p;
		enum kreport_type t;
	} subs[] = {
		{ "KASAN:", KREPORT_KASAN }, { "KFENCE:", KREPORT_KASAN },
		{ "KCSAN:", KREPORT_KASAN }, { "KMSAN:", KREPORT_KASAN },
		{ "unable to handle", KREPORT_PAGE_FAULT }, { "Unable to handle", KREPORT_PAGE_FAULT },
		{ "kernel NULL pointer", KREPORT_PAGE_FAULT }, { "Kernel NULL pointer", KREPORT_PAGE_FAULT },
		{ "soft lockup", KREPORT_SOFT_LOCKUP },
		{ "sleeping function called", KREPORT_ATOMIC }, { "scheduling while atomic", KREPORT_ATOMIC },
		{ "using __this_cpu", KREPORT_ATOMIC }, { "using smp_processor_id", KREPORT_ATOMIC },
		{ "workqueue leaked lock", KREPORT_ATOMIC },
		{ "bad unlock balance", KREPORT_LOCKDEP }, { "held lock freed", KREPORT_LOCKDEP },
		{ "lock held when returning", KREPORT_LOCKDEP }, { "MAX_LOCKDEP", KREPORT_LOCKDEP },
	};

	if (KP_PREFIX(s, len, "no syscalls"))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(subs); i++)
		if (kp_has_prefix(s, len, subs[i].p, strlen(subs[i].p))) {
			*type = subs[i].t;
			return true;
		}
	if (contains(s, len, "still has locks held")) {
		*type = KREPORT_LOCKDEP;
		return true;
	}
	*type = KREPORT_BUG;
	return len > 0;
}

bool kp_match_start(const char *s, size_t len, enum kreport_type *type, unsigned *flags)
{
	*flags = 0;
	if (len < 5)
		return false;
	strip_prfmt(&s, &len);
	if (KP_PREFIX(s, len, "Oops: ")) {
		s += 6;
		len -= 6;
		*flags = KP_START_CONT;
		*type = KP_PREFIX(s, len, "general protection fault") ||
				KP_PREFIX(s, len, "stack segment") ? KREPORT_GPF : KREPORT_OOPS;
		return true;
	}
	switch (s[0]) {
	case 'W':
		if (KP_PREFIX(s, len, "WARNING: ")) {
			if (match_lockdep(s + 9, len - 9) || contains(s, len, " still has locks held")) {
				*type = KREPORT_LOCKDEP;
				return true;
			}
			/* A WARN names where it is; other "WARNING:" text is not the kernel's. */
			if (!contains(s, len, " at ") && !contains(s, len, "CPU"))
				return false;
			*type = KREPORT_WARN;
			*flags = KP_START_WARN_OR_BUG;
			return true;
		}
		if (KP_PREFIX(s, len, "Watchdog detected hard LOCKUP")) {
			*type = KREPORT_HARD_LOCKUP;
			return true;
		}
		return false;
	case 'k':
		if (KP_PREFIX(s, len, "kernel BUG at ")) {
			*type = KREPORT_BUG;
			*flags = KP_START_WARN_OR_BUG;
			return true;
		}
		/* x86's die() line after "BUG: stack guard page was hit": part of it */
		if (KP_PREFIX(s, len, "kernel stack overflow (double-fault)")) {
			*type = KREPORT_OOPS;
			*flags = KP_START_CONT;
			return true;
		}
		if (KP_PREFIX(s, len, "kernel stack overflow")) {
			*type = KREPORT_OOPS;
			return true;
		}
		/* 4.x KASAN's hint lacked its newline: the GPF line is glued to it */
		if (KP_PREFIX(s, len, "kasan: GPF could be caused by") &&
		    contains(s, len, "general protection fault")) {
			*type = KREPORT_GPF;
			return true;
		}
		return false;
	case 'K':
		if (KP_PREFIX(s, len, "Kernel BUG at ")) {
			*type = KREPORT_BUG;
			*flags = KP_START_WARN_OR_BUG;
			return true;
		}
		if (KP_PREFIX(s, len, "Kernel panic - not syncing")) {
			*type = KREPORT_PANIC;
			*flags = KP_START_CONT | KP_START_PANIC;
			return true;
		}
		return false;
	case 'B':
		/* SLUB's consistency checks: "BUG kmalloc-64 (Not tainted): Object already free" */
		if (KP_PREFIX(s, len, "BUG kmalloc-") && contains(s, len, ": Object already free")) {
			*type = KREPORT_BUG;
			return true;
		}
		if (KP_PREFIX(s, len, "BUG: ") && match_bug(s + 5, len - 5, type)) {
			if (*type == KREPORT_BUG)
				*flags = KP_START_WARN_OR_BUG;
			return true;
		}
		return false;
	case 'g':
		if (KP_PREFIX(s, len, "general protection fault")) {
			*type = KREPORT_GPF;
			return true;
		}
		return false;
	case 'U':
		if (KP_PREFIX(s, len, "Unable to handle kernel ")) {
			*type = KREPORT_PAGE_FAULT;
			return true;
		}
		/* arm32's data abort: the Internal error line that follows is part of it, and
		 * it is part of an Alignment trap before it */
		if (KP_PREFIX(s, len, "Unhandled fault: ")) {
			*type = KREPORT_OOPS;
			*flags = KP_START_CONT;
			return true;
		}
		if (KP_PREFIX(s, len, "UBSAN: ")) {
			*type = KREPORT_UBSAN;
			return true;
		}
		return false;
	case 'I':
		if (KP_PREFIX(s, len, "Insufficient stack space to handle exception")) {
			*type = KREPORT_OOPS;   /* arm64's kernel stack overflow */
			return true;
		}
		if (KP_PREFIX(s, len, "Internal error: ")) {
			*type = KREPORT_OOPS;
			*flags = KP_START_CONT;
			return true;
		}
		if (KP_PREFIX(s, len, "INFO: task ") &&
		    (contains(s, len, " blocked for more than ") || contains(s, len, " blocked in I/O wait") ||
		     contains(s, len, " is blocked on ") || contains(s, len, " can't die for more than "))) {
			*type = KREPORT_HUNG_TASK;
			return true;
		}
		if (KP_PREFIX(s, len, "INFO: rcu") && contains(s, len, " stall")) {
			*type = KREPORT_RCU_STALL;
			return true;
		}
		if (KP_PREFIX(s, len, "INFO: ") && match_lockdep(s + 6, len - 6)) {
			*type = KREPORT_LOCKDEP;
			return true;
		}
		return false;
	case '[':
		if ((KP_PREFIX(s, len, "[ INFO: ") && match_lockdep(s + 8, len - 8)) ||
		    (KP_PREFIX(s, len, "[ BUG: ") && (match_lockdep(s + 7, len - 7) ||
						      contains(s, len, " still has locks held")))) {
			*type = KREPORT_LOCKDEP;
			return true;
		}
		return false;
	case 'i':
		if (KP_PREFIX(s, len, "invalid opcode: ") || KP_PREFIX(s, len, "int3: ")) {
			*type = KREPORT_OOPS;
			*flags = KP_START_CONT;
			return true;
		}
		return false;
	case 'l':
		if (KP_PREFIX(s, len, "list_add corruption") || KP_PREFIX(s, len, "list_del corruption") ||
		    KP_PREFIX(s, len, "list_add double add")) {
			*type = KREPORT_LIST_CORRUPTION;
			*flags = KP_START_PRELUDE;
			return true;
		}
		return false;
	case 'r':
		if (KP_PREFIX(s, len, "refcount_t: ")) {
			*type = KREPORT_REFCOUNT;
			*flags = KP_START_PRELUDE;
			return true;
		}
		/* the kernel crate's panic handler (its pr_fmt prefix); the BUG follows */
		if (KP_PREFIX(s, len, "rust_kernel: panicked at ")) {
			*type = KREPORT_RUST_PANIC;
			*flags = KP_START_PRELUDE;
			return true;
		}
		return false;
	case 'u':
		/* a device reference never dropped: the kernel waits for it forever */
		if (KP_PREFIX(s, len, "unregister_netdevice: waiting for ") &&
		    contains(s, len, " to become free")) {
			*type = KREPORT_BUG;
			*flags = KP_START_WEAK;
			return true;
		}
		return false;
	case 'V':
		/* inodes or a file used after the filesystem let them go (older kernels) */
		if (KP_PREFIX(s, len, "VFS: Busy inodes after unmount") ||
		    KP_PREFIX(s, len, "VFS: Close: file count is 0")) {
			*type = KREPORT_BUG;
			*flags = KP_START_WEAK;
			return true;
		}
		return false;
	case 'd':
		if (KP_PREFIX(s, len, "divide error: ") || KP_PREFIX(s, len, "divide_error: ")) {
			*type = KREPORT_OOPS;
			return true;
		}
		return false;
	case 's':
		/* a GPF the kernel could tie to a segment load (its die() string since 5.5) */
		if (KP_PREFIX(s, len, "segment-related general protection fault")) {
			*type = KREPORT_GPF;
			return true;
		}
		if (KP_PREFIX(s, len, "stack segment: ")) {
			*type = KREPORT_GPF;
			return true;
		}
		return false;
	case 'A':
		/* arm32: an unaligned access the kernel could not fix up */
		if (KP_PREFIX(s, len, "Alignment trap: ")) {
			*type = KREPORT_OOPS;
			return true;
		}
		return false;
	case 't':
		/* Android's trusty driver relays the secure OS's panic; a WARN may follow */
		if (KP_PREFIX(s, len, "trusty: panic")) {
			*type = KREPORT_PANIC;
			*flags = KP_START_PRELUDE;
			return true;
		}
		return false;
	case 'P':
		if (KP_PREFIX(s, len, "PANIC: double fault")) {
			*type = KREPORT_OOPS;
			*flags = KP_START_CONT;
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* ---- livepatch core messages ---- */

struct span {
	const char *s;
	size_t len;
};

/* Matches s against pat, where each "%s" (or "%d") takes the shortest text that lets the
 * next literal part match (the last one takes the rest). */
static bool klp_match(const char *pat, const char *s, size_t len, struct span caps[3], int *ncap)
{
	const char *end = s + len;

	*ncap = 0;
	while (*pat) {
		if (pat[0] == '%' && (pat[1] == 's' || pat[1] == 'd')) {
			const char *lit = pat + 2, *litend = strchr(lit, '%');
			size_t litlen = litend ? (size_t)(litend - lit) : strlen(lit);
			const char *hit;

			if (litlen == 0) {
				hit = end;
			} else {
				hit = memmem(s, (size_t)(end - s), lit, litlen);
				if (!hit)
					return false;
			}
			if (*ncap < 3)
				caps[(*ncap)++] = (struct span){ s, (size_t)(hit - s) };
			s = hit;
			pat += 2;
			continue;
		}
		if (s >= end || *s != *pat)
			return false;
		s++;
		pat++;
	}
	return s == end;
}

static const struct {
	const char *pat;
	enum klp_event ev;
	signed char patch, object;   /* which capture is the patch / the object, -1 none */
} klp_messages[] = {
	{ "enabling patch '%s'", KLP_EVENT_ENABLING, 0, -1 },
	{ "'%s': starting patching transition", KLP_EVENT_PATCHING, 0, -1 },
	{ "'%s': patching complete", KLP_EVENT_PATCHED, 0, -1 },
	{ "'%s': starting unpatching transition", KLP_EVENT_UNPATCHING, 0, -1 },
	{ "'%s': unpatching complete", KLP_EVENT_UNPATCHED, 0, -1 },
	{ "signaling remaining tasks", KLP_EVENT_SIGNALING, -1, -1 },
	{ "forcing remaining tasks to the patched state", KLP_EVENT_FORCING, -1, -1 },
	{ "failed to enable patch '%s'", KLP_EVENT_FAILED, 0, -1 },
	{ "pre-patch callback failed for object '%s'", KLP_EVENT_FAILED, -1, 0 },
	{ "failed to patch object '%s'", KLP_EVENT_FAILED, -1, 0 },
	{ "failed to apply patch '%s' to module '%s' (%d)", KLP_EVENT_FAILED, 0, 1 },
	{ "patch '%s' failed for module '%s', refusing to load module '%s'", KLP_EVENT_FAILED, 0, 1 },
	{ "Livepatch patch (%s) is not compatible with the already installed livepatches.",
	  KLP_EVENT_FAILED, 0, -1 },
	{ "This architecture doesn't have support for the livepatch consistency model.",
	  KLP_EVENT_FAILED, -1, -1 },
	{ "applying patch '%s' to loading module '%s'", KLP_EVENT_MODULE, 0, 1 },
	{ "reverting patch '%s' on unloading module '%s'", KLP_EVENT_MODULE, 0, 1 },
};

static bool livepatch_line(struct kparser *p, const struct kline *l, const char *s, size_t len)
{
	char patch[128], object[128], text[KP_LINE_MAX + 1];
	struct span caps[3];
	int ncap;

	for (size_t i = 0; i < ELEMENTSOF(klp_messages); i++) {
		struct kreport r = {
			.type = KREPORT_LIVEPATCH, .cpu = -1, .pid = -1, .seq = l->seq,
			.ts_usec = l->ts_usec, .klp_event = klp_messages[i].ev,
		};
		size_t n;

		if (!klp_match(klp_messages[i].pat, s, len, caps, &ncap))
			continue;
		if (klp_messages[i].patch >= 0 && klp_messages[i].patch < ncap) {
			n = caps[(int)klp_messages[i].patch].len;
			n = n < sizeof(patch) ? n : sizeof(patch) - 1;
			memcpy(patch, caps[(int)klp_messages[i].patch].s, n);
			patch[n] = '\0';
			r.klp_patch = patch;
		}
		if (klp_messages[i].object >= 0 && klp_messages[i].object < ncap) {
			n = caps[(int)klp_messages[i].object].len;
			n = n < sizeof(object) ? n : sizeof(object) - 1;
			memcpy(object, caps[(int)klp_messages[i].object].s, n);
			object[n] = '\0';
			r.klp_object = object;
		}
		n = l->len < KP_LINE_MAX ? l->len : KP_LINE_MAX;
		memcpy(text, l->text, n);
		text[n] = '\0';
		r.title = r.headline = text;
		p->fn(&r, p->userdata);
		return true;
	}
	return false;
}

/* ---- assembling ---- */

int kparser_new(kreport_fn fn, void *userdata, struct kparser **ret)
{
	struct kparser *p;

	if (!fn || !ret)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fn = fn;
	p->userdata = userdata;
	*ret = p;
	return 0;
}

void kparser_free(struct kparser *p)
{
	if (!p)
		return;
	arena_free(&p->arena);
	free(p->linebuf);
	free(p);
}

bool kparser_pending(const struct kparser *p)
{
	return p->open;
}

uint64_t kparser_text_kernel_lines(const struct kparser *p)
{
	return p->text_kernel_lines;
}

size_t kparser_footprint(const struct kparser *p)
{
	return sizeof(*p) + p->arena_bytes + (p->linebuf ? KP_TEXT_LINE_MAX + 2 : 0);
}

static void finish(struct kparser *p, bool swallow_panic)
{
	struct kreport r;

	if (!p->open)
		return;
	memset(&r, 0, sizeof(r));
	kp_classify(p->lines, p->n_lines, p->type, &p->arena, &r);
	r.seq = p->seq;
	r.ts_usec = p->ts_usec;
	if (r.title)
		p->fn(&r, p->userdata);
	p->open = false;
	p->n_lines = 0;
	arena_reset(&p->arena);
	p->arena_bytes = 0;
	memcpy(p->tail_caller, p->caller, sizeof(p->caller));
	p->tail_left = swallow_panic ? KP_MAX_LINES : TAIL_LINES;
	p->tail_swallow = swallow_panic;
}

/* kparser_line() is defined below */
static void emit_line(void *p, const struct kline *l);

void kparser_flush(struct kparser *p)
{
	if (p->carry_len > 0) {
		size_t n = p->carry_len;

		p->carry_len = 0;
		p->text_kernel_lines += kp_text_line(p->linebuf, n, emit_line, p);
	}
	finish(p, false);
	p->tail_left = 0;
}

static void add_line(struct kparser *p, const char *s, size_t len)
{
	char *copy;

	if (len > KP_LINE_MAX)
		len = KP_LINE_MAX;
	copy = arena_strndup(&p->arena, s, len);
	if (!copy)
		return;  /* out of memory: the report goes out with the lines it has */
	p->arena_bytes += len + 1;
	p->lines[p->n_lines++] = (struct kp_line){ copy, len };
	if (!p->has_trace && (memmem(s, len, "Call Trace", 10) || memmem(s, len, "Call trace", 10) ||
			      memmem(s, len, "Backtrace:", 10)))
		p->has_trace = true;
}

static void start(struct kparser *p, const struct kline *l, const char *s, size_t len,
		  const char *caller, enum kreport_type type, unsigned flags)
{
	p->open = true;
	p->type = type;
	p->flags = flags;
	p->has_trace = false;
	p->stamped = !l->bare;
	p->seq = l->seq;
	p->ts_usec = l->ts_usec;
	snprintf(p->caller, sizeof(p->caller), "%s", caller);
	p->tail_left = 0;
	add_line(p, s, len);
}

static bool all_equals(const char *s, size_t len)
{
	if (len < 20)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '=')
			return false;
	return true;
}

void kparser_line(struct kparser *p, const struct kline *l)
{
	const char *caller = l->caller ? l->caller : "", *s = l->text;
	size_t len = l->len;
	enum kreport_type type;
	unsigned flags;
	bool is_start;

	if (len >= 11 && memcmp(s, "livepatch: ", 11) == 0) {
		if (livepatch_line(p, l, s + 11, len - 11))
			return;
	}
	/* a headline printed with one leading space (KCSAN's first form): outside a report
	 * only, where an indented line is no trace's */
	if (!p->open && len > 6 && s[0] == ' ' && s[1] != ' ' &&
	    (KP_PREFIX(s + 1, len - 1, "BUG: ") || KP_PREFIX(s + 1, len - 1, "WARNING: "))) {
		s++;
		len--;
	}
	is_start = len >= 5 && kp_match_start(s, len, &type, &flags);

	if (!p->open) {
		if (p->tail_left > 0 && same_caller(p->tail_caller, caller)) {
			p->tail_left--;
			if (p->tail_swallow) {
				if (KP_PREFIX(s, len, "---[ end Kernel panic")) {
					p->tail_left = 0;
					return;
				}
				if (!is_start || (flags & KP_START_CONT))
					return;
				p->tail_left = 0;
			} else if (is_start && (flags & KP_START_PANIC)) {
				/* "Fatal exception", "panic_on_warn set": the end of the last report */
				p->tail_swallow = true;
				p->tail_left = KP_MAX_LINES;
				return;
			}
		}
		if (is_start)
			start(p, l, s, len, caller, type, flags);
		return;
	}

	if (!same_caller(p->caller, caller))
		return;  /* another task's line, or another report racing ours: not ours */
	/* a console capture with a program's output mixed in: a line without the kernel's
	 * prefix inside a report whose lines have it is the program's */
	if (p->stamped && l->bare && !is_start)
		return;
	if (KP_PREFIX(s, len, "---[ end trace") || KP_PREFIX(s, len, "---[ end Kernel panic")) {
		add_line(p, s, len);
		finish(p, false);
		return;
	}
	if (p->type == KREPORT_KASAN || p->type == KREPORT_UBSAN) {
		if (p->n_lines > 2 && all_equals(s, len)) {
			add_line(p, s, len);
			finish(p, false);
			return;
		}
	}
	if (is_start) {
		if (flags & KP_START_PANIC) {
			if (p->has_trace) {
				finish(p, true);
				return;
			}
		} else if (flags & (KP_START_CONT | KP_START_WEAK)) {
			/* the Oops line of a BUG, the Internal error of an arm fault; a stackless
			 * message printed into the report by another task */
		} else if (p->type == KREPORT_RCU_STALL && !p->has_trace && p->n_lines <= 4 &&
			   (flags & KP_START_WARN_OR_BUG)) {
			/* a WARN the stall detector hit in the timer interrupt before dumping
			 * the stalled CPU: its trace runs on into the interrupted task's */
		} else if ((p->flags & KP_START_PRELUDE) && (flags & KP_START_WARN_OR_BUG) && p->n_lines <= 4) {
			p->flags &= ~KP_START_PRELUDE;
		} else if ((p->flags & KP_START_WARN_OR_BUG) && (flags & KP_START_PRELUDE) && p->n_lines <= 3) {
			/* "refcount_t: underflow" printed as the WARN's message, after its line */
		} else {
			finish(p, false);
			start(p, l, s, len, caller, type, flags);
			return;
		}
	}
	add_line(p, s, len);
	if (p->n_lines >= KP_MAX_LINES)
		finish(p, false);
}

static void emit_line(void *p, const struct kline *l)
{
	kparser_line(p, l);
}

void kparser_feed_text(struct kparser *p, const char *buf, size_t len)
{
	if (!p->linebuf) {
		/* +2: kp_text_line may put a newline after the line */
		p->linebuf = malloc(KP_TEXT_LINE_MAX + 2);
		if (!p->linebuf)
			return;
	}
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len, take = KP_TEXT_LINE_MAX - p->carry_len;

		if (take > n)
			take = n;
		memcpy(p->linebuf + p->carry_len, buf, take);
		p->carry_len += take;
		if (!nl)
			break;          /* carried to the next call, or to kparser_flush() */
		p->text_kernel_lines += kp_text_line(p->linebuf, p->carry_len, emit_line, p);
		p->carry_len = 0;
		buf = nl + 1;
		len -= n + 1;
	}
}
