/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The type and title of an assembled report (syzkaller's style: "WARNING in func",
 * "KASAN: slab-use-after-free Read in func", "INFO: task hung in func"), from its headline
 * and the fields kreport_classify.c collected. The refinements (a WARN in lib/refcount.c is
 * a refcount report, a BUG in lib/list_debug.c a list corruption) go by the site, never by
 * a kernel version.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kreport_int.h"
#include "util.h"

/* The WARN and BUG lines: file, line, function, and the 6.16 form's CPU and task. */
void kp_parse_site(struct kp_cls *c, struct kreport *r, const char *s, size_t len, struct kframe *wfn)
{
	const char *end = s + len, *at, *p, *colon;

	memset(wfn, 0, sizeof(*wfn));
	if (KP_PREFIX(s, len, "kernel BUG at ") || KP_PREFIX(s, len, "Kernel BUG at ")) {
		p = s + 14;
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon && colon + 1 < end && isdigit((unsigned char)colon[1])) {
			r->site_file = kp_dup(c, p, (size_t)(colon - p));
			r->site_line = (unsigned)atoi(colon + 1);
		}
		return;
	}
	if (!KP_PREFIX(s, len, "WARNING: "))
		return;
	p = s + 9;
	at = find_in(p, (size_t)(end - p), " at ");
	if (KP_PREFIX(p, (size_t)(end - p), "at "))
		at = p - 1;
	if (!at)
		return;
	/* "FILE:LINE at FUNC, CPU#0: comm/pid" (6.16+) */
	colon = memchr(p, ':', (size_t)(at - p));
	if (!KP_PREFIX(p, (size_t)(end - p), "CPU:") && at > p && colon && isdigit((unsigned char)colon[1])) {
		const char *cpu;

		r->site_file = kp_dup(c, p, (size_t)(colon - p));
		r->site_line = (unsigned)atoi(colon + 1);
		kp_parse_sym(c, at + 4, end, wfn);
		cpu = find_in(at, (size_t)(end - at), ", CPU#");
		if (cpu) {
			const char *slash, *q;

			r->cpu = atoi(cpu + 6);
			q = memchr(cpu, ':', (size_t)(end - cpu));
			slash = q ? memrchr(q, '/', (size_t)(end - q)) : NULL;
			if (q && slash && slash > q + 2) {
				r->comm = kp_dup(c, q + 2, (size_t)(slash - q - 2));
				r->pid = atoi(slash + 1);
			}
		}
		return;
	}
	/* "... at FILE:LINE FUNC+0x../0x.. [mod]" or "... at FUNC+0x../0x.." */
	p = at + 4;
	if (kp_parse_sym(c, p, end, wfn))
		return;
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon && colon + 1 < end && isdigit((unsigned char)colon[1])) {
		const char *sp = memchr(colon, ' ', (size_t)(end - colon));

		r->site_file = kp_dup(c, p, (size_t)(colon - p));
		r->site_line = (unsigned)atoi(colon + 1);
		if (sp)
			kp_parse_sym(c, sp + 1, end, wfn);
	}
}

/* "... at: func+0x" after the line containing key (lockdep's "is trying to acquire lock:").
 * With skip_helpers, the first of those lines that is not a generic helper (a lock taken
 * inside the allocator is the caller's lock), NULL when every one is. */
const char *kp_lockdep_fn(struct kp_cls *c, const char *key, bool skip_helpers, unsigned extra)
{
	bool seen = false, in_block = false;

	for (size_t i = c->hdr; i < c->n; i++) {
		const char *s = c->lines[i].s, *at;
		size_t len = c->lines[i].len;
		struct kframe f;

		if (!seen) {
			seen = find_in(s, len, key) != NULL;
			continue;
		}
		at = find_in(s, len, "at: ");
		if (!at) {
			if (in_block && skip_helpers)
				return NULL;
			continue;
		}
		in_block = true;
		{
			const char *p = skip_space(at + 4, s + len);

			if (KP_PREFIX(p, (size_t)(s + len - p), "[<")) {
				p = memchr(p, ']', (size_t)(s + len - p));
				p = p ? skip_space(p + 1, s + len) : s + len;
			}
			memset(&f, 0, sizeof(f));
			if (!kp_parse_sym(c, p, s + len, &f))
				continue;
			if (!skip_helpers || !kp_guilty_skips(c, &f, extra))
				return f.function;
		}
	}
	return NULL;
}

static const char *after_prfmt(const char *s, size_t *len)
{
	static const char *const prefixes[] = { "rcu: ", "watchdog: ", "NMI watchdog: ",
						"kernel: ", "Oops: " };

	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (*len >= n && memcmp(s, prefixes[i], n) == 0) {
			*len -= n;
			return s + n;
		}
	}
	return s;
}

static const char *warn_title(struct kp_cls *c, struct kreport *r, const struct kframe *wfn)
{
	static const struct {
		const char *file, *prefix;
		enum kreport_type type;
		unsigned skip;          /* KP_SKIP_*: the API's own helpers */
	} special[] = {
		{ "lib/refcount.c", "WARNING: refcount bug", KREPORT_REFCOUNT, KP_SKIP_REFCOUNT },
		{ "lib/list_debug.c", "BUG: corrupted list", KREPORT_LIST_CORRUPTION, KP_SKIP_LIST },
		{ "lib/debugobjects.c", "WARNING: ODEBUG bug", KREPORT_WARN, KP_SKIP_ODEBUG },
		{ "mm/usercopy.c", "WARNING: bad usercopy", KREPORT_WARN, KP_SKIP_USERCOPY },
		{ "lib/kobject.c", "WARNING: kobject bug", KREPORT_WARN, KP_SKIP_KOBJECT },
		{ "kernel/locking/lockdep.c", "WARNING: locking bug", KREPORT_WARN, KP_SKIP_LOCKING_BUG },
	};
	/* WARNs in an API that checks its caller, known by the function that warned: the
	 * allocators' size checks, proc's registration checks. First match wins. */
	static const struct {
		const char *file, *fn, *prefix;
		unsigned skip;
	} by_site[] = {
		{ "mm/vmalloc.c", "__vmalloc_node", "WARNING: zero-size vmalloc", 0 },
		{ "mm/", "malloc", "WARNING: kmalloc bug", 0 },
		{ "fs/proc/generic.c", "", "WARNING: proc registration bug", KP_SKIP_PROC },
	};
	const char *first = c->has_rip ? NULL : wfn->function;
	const char *site_fn = wfn->function ? wfn->function : c->has_rip ? c->rip.function : NULL;
	const char *head = c->lines[c->hdr].s;
	size_t hl = c->lines[c->hdr].len;
	bool use_rip = !kp_infra_file(r->site_file);

	if (!use_rip)
		first = NULL;
	/* the unwinder's own complaints: no code of the report's to name. With the address
	 * hashed ("(ptrval)", 4.15+) the two forms are one report, titled as syzkaller does. */
	if ((KP_PREFIX(head, hl, "WARNING: kernel stack regs at ") ||
	     KP_PREFIX(head, hl, "WARNING: kernel stack frame pointer at ")) && find_in(head, hl, "(ptrval)"))
		return kp_dup(c, "WARNING: kernel stack regs has bad value", 40);
	if (KP_PREFIX(head, hl, "WARNING: kernel stack regs at ") && find_in(head, hl, " has bad '")) {
		const char *q = find_in(head, hl, " has bad '") + 10, *e = memchr(q, '\'', (size_t)(head + hl - q));
		char buf[96];

		if (e && e - q < 16) {
			snprintf(buf, sizeof(buf), "WARNING: kernel stack regs has bad '%.*s' value", (int)(e - q), q);
			return kp_dup(c, buf, strlen(buf));
		}
	}
	if (KP_PREFIX(head, hl, "WARNING: kernel stack regs at "))
		return kp_dup(c, "WARNING: kernel stack regs has bad value", 40);
	if (KP_PREFIX(head, hl, "WARNING: kernel stack frame pointer at "))
		return kp_dup(c, "WARNING: kernel stack frame pointer has bad value", 49);

	for (size_t i = 0; r->site_file && site_fn && i < ELEMENTSOF(by_site); i++) {
		const char *hit = strstr(site_fn, by_site[i].fn);

		/* an allocator's entry point (kmalloc_slab, vmalloc, kvmalloc_node), not a
		 * function merely about one (free_large_kmalloc) */
		if (!startswith(r->site_file, by_site[i].file) || !hit || hit - site_fn > 2)
			continue;
		if (hit - site_fn == 2 && site_fn[0] != 'k' && site_fn[0] != '_')
			continue;
		return kp_fmt_title(c, by_site[i].prefix, kp_guilty(c, NULL, false, by_site[i].skip));
	}
	/* a driver submitting a bad URB: named with the USB core's check, as syzkaller does */
	if (site_fn && streq(site_fn, "usb_submit_urb")) {
		const char *fn = kp_guilty(c, NULL, false, 0);
		char buf[300];

		if (fn && !streq(fn, site_fn)) {
			snprintf(buf, sizeof(buf), "%s/usb_submit_urb", kp_fmt_title(c, "WARNING", fn));
			return kp_dup(c, buf, strlen(buf));
		}
	}

	for (size_t i = 0; r->site_file && i < ELEMENTSOF(special); i++)
		if (strstr(r->site_file, special[i].file)) {
			r->type = special[i].type;
			return kp_fmt_title(c, special[i].prefix,
					    kp_guilty(c, first, use_rip, special[i].skip));
		}
	if (wfn->function && startswith(wfn->function, "refcount_")) {
		r->type = KREPORT_REFCOUNT;
		return kp_fmt_title(c, "WARNING: refcount bug", kp_guilty(c, first, true, 0));
	}
	return kp_fmt_title(c, "WARNING", kp_guilty(c, first, use_rip, 0));
}

static const char *kcsan_title(struct kp_cls *c, const char *s, size_t len)
{
	char buf[256];
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < sizeof(buf); i++) {
		/* "+0x12/0x34" after a function name */
		if (s[i] == '+' && i + 2 < len && s[i + 1] == '0' && s[i + 2] == 'x') {
			while (i + 1 < len && s[i + 1] != ' ')
				i++;
			continue;
		}
		buf[o++] = s[i];
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	return kp_dup(c, buf, o);
}

static const char *kasan_title(struct kp_cls *c, const char *s, size_t len)
{
	const char *end = s + len, *kind = s, *in, *access = NULL, *p;
	struct kframe f;
	char buf[256];

	/* "BUG: KASAN: TYPE in FUNC+0x..", "BUG: KFENCE: use-after-free read in FUNC+0x.." */
	p = memchr(s, ':', len);
	if (!p)
		return NULL;
	/* "KCSAN: data-race in f1 / f2": both sides of the race, offsets dropped */
	if (KP_PREFIX(s, len, "KCSAN: "))
		return kcsan_title(c, s, len);
	kind = s;                       /* "KASAN", "KFENCE", ... */
	in = memmem(p, (size_t)(end - p), " in ", 4);
	if (!in && (in = memmem(p, (size_t)(end - p), " on address ", 12)) != NULL) {
		/* 4.x: "KASAN: use-after-free on address ..." then "Read of size 8 by task" */
		const char *t = skip_space(p + 1, in);

		for (size_t i = c->hdr + 1; i < c->n && i < c->hdr + 4; i++)
			if (KP_PREFIX(c->lines[i].s, c->lines[i].len, "Read of size") ||
			    KP_PREFIX(c->lines[i].s, c->lines[i].len, "Write of size")) {
				snprintf(buf, sizeof(buf), "%.*s: %.*s %s", (int)(p - s), s, (int)(in - t), t,
					 c->lines[i].s[0] == 'R' ? "Read" : "Write");
				return kp_dup(c, buf, strlen(buf));
			}
		snprintf(buf, sizeof(buf), "%.*s: %.*s", (int)(p - s), s, (int)(in - t), t);
		return kp_dup(c, buf, strlen(buf));
	}
	if (!in)
		return kp_dup(c, s, len);
	memset(&f, 0, sizeof(f));
	kp_parse_sym(c, in + 4, end, &f);
	for (size_t i = c->hdr; i < c->n; i++) {
		const char *l = c->lines[i].s;
		size_t ll = c->lines[i].len;

		/* "Read at addr ..." in the tag-based modes */
		if (KP_PREFIX(l, ll, "Read of size") || KP_PREFIX(l, ll, "Write of size") ||
		    KP_PREFIX(l, ll, "Read at addr") || KP_PREFIX(l, ll, "Write at addr")) {
			access = l[0] == 'R' ? "Read" : "Write";
			break;
		}
	}
	{
		const char *t = skip_space(p + 1, in);
		size_t tl = (size_t)(in - t);
		/* older kernels said "double-free" for what is now "invalid-free" too */
		if ((tl == 27 && memcmp(t, "double-free or invalid-free", 27) == 0) ||
		    (tl == 11 && memcmp(t, "double-free", 11) == 0))
			return kp_fmt_title(c, "KASAN: invalid-free", kp_guilty(c, f.function, false, KP_SKIP_FREE));
		snprintf(buf, sizeof(buf), "%.*s: %.*s%s%s", (int)(p - kind), kind, (int)tl, t,
			 access ? " " : "", access ? access : "");
	}
	/* KMSAN prints the access's stack right after the headline, KFENCE after a line
	 * saying where the access was, both without a "Call Trace:" and before any other */
	for (size_t i = c->hdr + 1; i < c->n && i < c->hdr + 4; i++) {
		struct kframe fr;
		const char *fn;

		if (!kp_parse_frame(c, c->lines[i].s, c->lines[i].len, &fr))
			continue;
		fn = kp_stack_from(c, i, KP_PREFIX(s, len, "KMSAN:") ? KP_SKIP_KMSAN : 0);
		if (fn)
			return kp_fmt_title(c, buf, fn);
		break;
	}
	return kp_fmt_title(c, buf, kp_guilty(c, f.function, false, 0));
}

/* The function named on the line containing key after its "at:", or on the line after
 * when the key line ends there (lockdep's "is trying to release lock (x) at:"). */
static const char *lockdep_at(struct kp_cls *c, const char *key)
{
	for (size_t i = c->hdr; i < c->n; i++) {
		const char *s = c->lines[i].s, *end = s + c->lines[i].len, *at;
		struct kframe f;

		if (!find_in(s, c->lines[i].len, key))
			continue;
		at = find_in(s, c->lines[i].len, "at:");
		if (!at || skip_space(at + 3, end) == end)
			return i + 1 < c->n && kp_parse_frame(c, c->lines[i + 1].s, c->lines[i + 1].len, &f) ?
			       f.function : NULL;
		memset(&f, 0, sizeof(f));
		return kp_parse_sym(c, skip_space(at + 3, end), end, &f) ? f.function : NULL;
	}
	return NULL;
}

/* Lockdep reports keep the level the kernel printed them at ("BUG:", "WARNING:", "INFO:"):
 * older kernels said BUG or INFO where newer ones say WARNING, and the title follows. */
static const char *lockdep_title(struct kp_cls *c, const char *s, size_t len)
{
	static const char *const deadlock[] = { "possible circular locking", "possible recursive locking",
						"possible irq lock inversion", "SOFTIRQ-safe ->",
						"HARDIRQ-safe ->" };
	static const char *const stops[] = { " ]", "!", NULL };
	const char *level = "WARNING";
	char buf[128];

	if (KP_PREFIX(s, len, "[ "))
		s += 2, len -= 2;
	if (KP_PREFIX(s, len, "WARNING: "))
		s += 9, len -= 9;
	else if (KP_PREFIX(s, len, "INFO: "))
		s += 6, len -= 6, level = "INFO";
	else if (KP_PREFIX(s, len, "BUG: "))
		s += 5, len -= 5, level = "BUG";
	len = strnlen(s, len);
	for (size_t i = 0; i < ELEMENTSOF(deadlock); i++)
		if (strncmp(s, deadlock[i], strlen(deadlock[i])) == 0) {
			const char *fn = NULL;

			/* lock order reports: where the irq-safe lock was taken in irq context */
			if (strstr(deadlock[i], "-safe ->"))
				fn = kp_stack_after(c, "-irq-safe at:", 0);
			/* the first lock site outside the generic helpers (a workqueue flush, a
			 * trace event), else the first */
			if (!fn)
				fn = kp_lockdep_fn(c, "is trying to acquire", true, KP_SKIP_DEADLOCK);
			if (!fn)
				fn = kp_lockdep_fn(c, "is already holding lock", true, KP_SKIP_DEADLOCK);
			if (!fn)
				fn = kp_lockdep_fn(c, "is trying to acquire", false, 0);

			if (!fn)
				fn = kp_lockdep_fn(c, "just changed the state of lock", false, 0);
			return kp_fmt_title(c, "possible deadlock", fn);
		}
	/* the WARNING form is named by its call trace, the older INFO form by the "at:" of
	 * the lock the task takes (its trace often ends in the irq entry) */
	if (strncmp(s, "inconsistent lock state", 23) == 0) {
		const char *fn = streq(level, "INFO") ? kp_lockdep_fn(c, "takes", true, 0) : NULL;

		if (!fn)
			fn = kp_guilty(c, NULL, false, 0);
		return kp_fmt_title(c, "inconsistent lock state", fn ? fn : kp_lockdep_fn(c, "takes", true, 0));
	}
	if (strncmp(s, "suspicious RCU usage", 20) == 0) {
		snprintf(buf, sizeof(buf), "%s: suspicious RCU usage", level);
		return kp_fmt_title(c, buf, kp_guilty(c, NULL, false, KP_SKIP_RCU_USAGE));
	}
	if (strncmp(s, "bad unlock balance", 18) == 0) {
		const char *fn = lockdep_at(c, "is trying to release lock");
		struct kframe f = { .function = fn, .reliable = true };

		/* released inside a generic helper: its caller, from the stack */
		if (fn && kp_guilty_skips(c, &f, 0))
			fn = NULL;

		snprintf(buf, sizeof(buf), "%s: bad unlock balance", level);
		return kp_fmt_title(c, buf, fn ? fn : kp_guilty(c, NULL, false, 0));
	}
	/* the lock's own "at:" line names the code that took it */
	if (strncmp(s, "held lock freed", 15) == 0) {
		snprintf(buf, sizeof(buf), "%s: held lock freed", level);
		return kp_fmt_title(c, buf, kp_lockdep_fn(c, "with a lock still held", false, 0));
	}
	if (strncmp(s, "lock held when returning to user space", 38) == 0) {
		snprintf(buf, sizeof(buf), "%s: lock held when returning to user space", level);
		return kp_fmt_title(c, buf, kp_lockdep_fn(c, "leaving the kernel with locks", false, 0));
	}
	if (find_in(s, len, "still has locks held")) {
		snprintf(buf, sizeof(buf), "%s: still has locks held", level);
		return kp_fmt_title(c, buf, kp_lockdep_fn(c, "still has locks held", false, 0));
	}
	/* a sleeping lock taken where only spinning ones may be: a locking bug of the code
	 * taking it (titled as the x86 form of the same report is) */
	if (strncmp(s, "Invalid wait context", 20) == 0)
		return kp_fmt_title(c, "WARNING: locking bug",
				    kp_guilty(c, NULL, false, KP_SKIP_LOCKING_BUG));
	if (strncasecmp(s, "nested lock was not taken", 25) == 0) {
		snprintf(buf, sizeof(buf), "%s: nested lock was not taken", level);
		return kp_fmt_title(c, buf, kp_guilty(c, NULL, false, 0));
	}
	if (strncmp(s, "trying to register non-static key", 33) == 0)
		return kp_fmt_title(c, "INFO: trying to register non-static key",
				    kp_guilty(c, NULL, false, KP_SKIP_NONSTATIC_KEY));
	return kp_fmt_title(c, kp_cut(c, s, len, stops), kp_guilty(c, NULL, false, 0));
}

static const char *panic_title(struct kp_cls *c, const char *s, size_t len)
{
	static const char *const stops[] = { " exitcode=", NULL };
	const char *reason = s + 27, *end = s + len;
	char buf[300];

	if (len < 27)
		return kp_dup(c, s, len);
	reason = skip_space(reason, end);
	if (KP_PREFIX(reason, (size_t)(end - reason), "stack-protector: Kernel stack is corrupted in: ")) {
		struct kframe f;
		const char *p = reason + 47;

		memset(&f, 0, sizeof(f));
		kp_parse_sym(c, p, end, &f);
		return kp_fmt_title(c, "kernel panic: stack is corrupted", f.function ? f.function :
				    kp_guilty(c, NULL, false, 0));
	}
	/* the scheduler found the stack's end marker overwritten: like a stall, the work the
	 * task was doing names it, not the scheduler path that noticed */
	if (KP_PREFIX(reason, (size_t)(end - reason), "corrupted stack end"))
		return kp_fmt_title(c, "kernel panic: corrupted stack end",
				    kp_stall_guilty(c, true, KP_SKIP_SCHEDULE));
	if (KP_PREFIX(reason, (size_t)(end - reason), "kernel stack overflow"))
		return kp_fmt_title(c, "kernel stack overflow", kp_stall_guilty(c, false, 0));
	/* the tty and error number vary */
	if (KP_PREFIX(reason, (size_t)(end - reason), "Couldn't open N_TTY ldisc"))
		return kp_dup(c, "kernel panic: Couldn't open N_TTY ldisc", 39);
	/* panics that end another report, when that report's own lines are missing: the
	 * reason without its "in interrupt" or "..." tail */
	{
		static const char *const tails[] = { "Fatal exception", "panic_on_warn set",
						     "hung_task: blocked tasks" };

		for (size_t i = 0; i < ELEMENTSOF(tails); i++)
			if (kp_has_prefix(reason, (size_t)(end - reason), tails[i], strlen(tails[i]))) {
				snprintf(buf, sizeof(buf), "kernel panic: %s", tails[i]);
				return kp_dup(c, buf, strlen(buf));
			}
	}
	snprintf(buf, sizeof(buf), "kernel panic: %s",
		 kp_cut(c, reason, (size_t)(end - reason), stops));
	return kp_dup(c, buf, strlen(buf));
}

/* "BUG: Dentry ffff...{i=0,n=x}  still in use (1) [unmount of ext4 loop0]": the
 * operation names it; the dentry, filesystem and device vary from run to run. */
static const char *dentry_title(struct kp_cls *c, const char *s, size_t len)
{
	const char *end = s + len, *op = find_in(s, len, "still in use");
	size_t n;
	char buf[128];

	op = op ? memchr(op, '[', (size_t)(end - op)) : NULL;
	if (!op)
		return kp_fmt_title(c, "BUG: Dentry still in use", kp_guilty(c, NULL, false, 0));
	op++;
	for (n = 0; op + n < end && op[n] != ' ' && op[n] != ']'; n++)
		;
	snprintf(buf, sizeof(buf), "BUG: Dentry still in use in %.*s", (int)(n < 64 ? n : 64), op);
	return kp_dup(c, buf, strlen(buf));
}

static const char *bug_title(struct kp_cls *c, struct kreport *r, const char *s, size_t len)
{
	static const char *const stops[] = { " at ", ":", "!", " in process", " (", ", ", " on CPU#",
					     " - ", NULL };
	static const char *const bare[] = { "Bad page map", "Bad rss-counter state", "workqueue lockup",
					    "non-zero nr_ptes on freeing mm",
					    "non-zero nr_pmds on freeing mm" };
	const char *what = s + 5;
	size_t wl = len > 5 ? len - 5 : 0;
	char buf[300];

	/* lib/bug.c without CONFIG_DEBUG_BUGVERBOSE: "Kernel BUG at func+0x1/0x2 [verbose
	 * debug info unavailable]", named by what it says (its offset goes with the rest) */
	if (KP_PREFIX(s, len, "Kernel BUG ")) {
		snprintf(buf, sizeof(buf), "kernel BUG %.*s", (int)(len - 11 < 200 ? len - 11 : 200), s + 11);
		return kp_dup(c, buf, strlen(buf));
	}
	if (KP_PREFIX(s, len, "kernel BUG")) {
		if (r->site_file && strstr(r->site_file, "lib/list_debug.c")) {
			r->type = KREPORT_LIST_CORRUPTION;
			return kp_fmt_title(c, "BUG: corrupted list", kp_guilty(c, NULL, false, 0));
		}
		if (r->site_file && strstr(r->site_file, "mm/usercopy.c"))
			return kp_fmt_title(c, "BUG: bad usercopy", kp_guilty(c, NULL, false, KP_SKIP_USERCOPY));
		/* the skb helpers BUG on their caller's arguments */
		return kp_fmt_title(c, "kernel BUG", kp_guilty(c, NULL, true, KP_SKIP_SKB));
	}
	/* kmemleak: the allocation's backtrace, past the allocator, names the leaking code */
	if (KP_PREFIX(what, wl, "memory leak"))
		return kp_fmt_title(c, "memory leak", kp_stack_after(c, "backtrace", KP_SKIP_LEAK));
	/* the guard page below a task's or an IRQ stack: the RIP is the overflowing code */
	if (find_in(what, wl, "stack guard page was hit"))
		return kp_fmt_title(c, "BUG: stack guard page was hit", kp_stall_guilty(c, false, 0));
	if (KP_PREFIX(what, wl, "Dentry ") && find_in(what, wl, " still in use"))
		return dentry_title(c, what, wl);
	/* the page's allocation history names its owner; where it was found is generic */
	if (KP_PREFIX(what, wl, "Bad page state") || KP_PREFIX(what, wl, "Bad page cache")) {
		snprintf(buf, sizeof(buf), "BUG: Bad page %s", what[9] == 's' ? "state" : "cache");
		return kp_fmt_title(c, buf, kp_stack_after(c, "page last allocated", KP_SKIP_PAGE));
	}
	/* accounting and watchdog states with no code of their own to blame */
	for (size_t i = 0; i < ELEMENTSOF(bare); i++)
		if (kp_has_prefix(what, wl, bare[i], strlen(bare[i]))) {
			snprintf(buf, sizeof(buf), "BUG: %s", bare[i]);
			return kp_dup(c, buf, strlen(buf));
		}
	/* lockdep's table limits: the message is the whole story */
	if (KP_PREFIX(what, wl, "MAX_") && find_in(what, wl, " too low!"))
		return kp_dup(c, s, (size_t)(find_in(s, len, " too low!") + 9 - s));
	if (KP_PREFIX(what, wl, "spinlock ") || KP_PREFIX(what, wl, "rwlock ")) {
		snprintf(buf, sizeof(buf), "BUG: %s", kp_cut(c, what, wl, stops));
		return kp_fmt_title(c, buf, kp_guilty(c, NULL, false, KP_SKIP_SPINLOCK));
	}
	snprintf(buf, sizeof(buf), "BUG: %s", kp_cut(c, what, wl, stops));
	return kp_fmt_title(c, buf, c->nf ? kp_guilty(c, NULL, false, 0) : NULL);
}

static const char *atomic_title(struct kp_cls *c, const char *s, size_t len)
{
	const unsigned skip = KP_SKIP_ATOMIC;

	c->keep_lock_helpers = true;
	if (find_in(s, len, "sleeping function called"))
		return kp_fmt_title(c, "BUG: sleeping function called from invalid context",
				    kp_guilty(c, NULL, false, skip));
	if (find_in(s, len, "scheduling while atomic"))
		return kp_fmt_title(c, "BUG: scheduling while atomic", kp_guilty(c, NULL, false, skip));
	if (find_in(s, len, "using smp_processor_id"))
		return kp_fmt_title(c, "BUG: using smp_processor_id() in preemptible code",
				    kp_guilty(c, NULL, false, skip));
	if (find_in(s, len, "using __this_cpu_")) {
		const char *p = find_in(s, len, "__this_cpu_") + 11;
		char buf[128];
		size_t n = strcspn(p, "(");

		snprintf(buf, sizeof(buf), "BUG: using __this_cpu_%.*s() in preemptible code",
			 (int)(n < 32 ? n : 32), p);
		return kp_fmt_title(c, buf, kp_guilty(c, NULL, false, skip));
	}
	/* the work function that returned with it held is on the next line */
	for (size_t i = c->hdr + 1; i < c->n && i < c->hdr + 3; i++) {
		const char *p = skip_space(c->lines[i].s, c->lines[i].s + c->lines[i].len);
		size_t l = (size_t)(c->lines[i].s + c->lines[i].len - p);

		if (KP_PREFIX(p, l, "last function: "))
			return kp_fmt_title(c, "BUG: workqueue leaked lock or atomic",
					    kp_cut(c, p + 15, l - 15, (const char *const[]){ " ", NULL }));
	}
	return kp_fmt_title(c, "BUG: workqueue leaked lock or atomic", kp_guilty(c, NULL, false, 0));
}

/* "invalid opcode", "int3", "Internal error", "divide error", "kernel stack overflow". */
static const char *oops_title(struct kp_cls *c, const char *s, size_t len)
{
	static const char *const kinds[] = { "invalid opcode", "int3", "Internal error",
					     "divide error", "kernel stack overflow",
					     "PANIC: double fault", "stack segment", "Unhandled fault",
					     "Alignment trap" };

	if (strncmp(s, "divide_error", 12) == 0)
		return kp_fmt_title(c, "divide error", kp_guilty(c, NULL, true, 0));

	for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
		if (strncmp(s, kinds[i], strlen(kinds[i])) == 0)
			return kp_fmt_title(c, kinds[i], kp_guilty(c, NULL, true, 0));
	/* arm64's overflow: the recursion's frames repeat, the work before its entry point
	 * names it (as the panic that follows says, "kernel stack overflow") */
	if (strncmp(s, "Insufficient stack space", 24) == 0)
		return kp_fmt_title(c, "kernel stack overflow", kp_stall_guilty(c, false, 0));
	return kp_fmt_title(c, "Oops", kp_guilty(c, NULL, true, 0));
}

/* "trusty: panic (caller 0x..): [DEBUG ]ASSERT FAILED at (FILE:LINE): COND" or
 * "trusty: panic (caller 0x..): MESSAGE": the condition or message is the title. The caller
 * part may hold another line's timestamp; the first "): " after it ends it. */
static const char *trusty_title(struct kp_cls *c, const char *s, size_t len)
{
	const char *end = s + len, *p = find_in(s, len, "): "), *a;
	char buf[200];

	if (!p)
		return kp_dup(c, "trusty: panic", 13);
	p += 3;
	if (KP_PREFIX(p, (size_t)(end - p), "DEBUG "))
		p += 6;
	if (KP_PREFIX(p, (size_t)(end - p), "ASSERT FAILED")) {
		a = find_in(p, (size_t)(end - p), "): ");
		a = a ? a + 3 : end;
		snprintf(buf, sizeof(buf), "trusty: ASSERT FAILED: %.*s", (int)(end - a < 120 ? end - a : 120), a);
	} else {
		snprintf(buf, sizeof(buf), "trusty: panic: %.*s", (int)(end - p < 120 ? end - p : 120), p);
	}
	return kp_dup(c, buf, strlen(buf));
}

/* "rust_kernel: panicked at FILE:L:C:" with the message on the next line (6.8+), or
 * "rust_kernel: panicked at 'MESSAGE', FILE:L:C" before: the message names the kind. */
static const char *rust_title(struct kp_cls *c, const char *s, size_t len)
{
	const char *end = s + len, *msg = NULL, *p = s + 25;
	size_t mlen = 0;
	char buf[200];

	if (p < end && *p == '\'') {
		const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));

		msg = p + 1;
		mlen = q ? (size_t)(q - msg) : (size_t)(end - msg);
	} else if (c->n > 1) {
		msg = c->lines[1].s;
		mlen = c->lines[1].len;
		if (KP_PREFIX(msg, mlen, "------------[ cut here ]") || KP_PREFIX(msg, mlen, "kernel BUG"))
			msg = NULL;
	}
	/* the message is the kind ("attempt to add with overflow in <kernel::Foo>::bar") */
	if (msg && mlen)
		snprintf(buf, sizeof(buf), "%.*s", (int)(mlen < 120 ? mlen : 120), msg);
	else
		snprintf(buf, sizeof(buf), "Rust panic");
	return kp_fmt_title(c, buf, kp_guilty(c, NULL, true, 0));
}

const char *kp_title(struct kp_cls *c, struct kreport *r, const struct kframe *wfn)
{
	const char *s = c->lines[c->hdr].s;
	size_t len = c->lines[c->hdr].len;

	s = after_prfmt(s, &len);
	/* messages without a stack: one title for every device, filesystem and count */
	if (KP_PREFIX(s, len, "unregister_netdevice: waiting for "))
		return kp_dup(c, "unregister_netdevice: waiting for DEV to become free", 52);
	if (KP_PREFIX(s, len, "VFS: Busy inodes after unmount"))
		return kp_dup(c, "VFS: Busy inodes after unmount (use-after-free)", 47);
	if (KP_PREFIX(s, len, "BUG kmalloc-"))
		return kp_dup(c, "BUG: Object already free", 24);
	if (KP_PREFIX(s, len, "VFS: Close: file count is 0"))
		return kp_dup(c, "VFS: Close: file count is zero (use-after-free)", 47);
	if (KP_PREFIX(s, len, "trusty: panic"))
		return trusty_title(c, s, len);
	switch (r->type) {
	case KREPORT_WARN:
	case KREPORT_REFCOUNT:
	case KREPORT_LIST_CORRUPTION:
		if (KP_PREFIX(s, len, "WARNING: "))
			return warn_title(c, r, wfn);
		if (KP_PREFIX(s, len, "kernel BUG") || KP_PREFIX(s, len, "Kernel BUG"))
			return bug_title(c, r, s, len);
		if (r->type == KREPORT_REFCOUNT)
			return kp_fmt_title(c, "WARNING: refcount bug", kp_guilty(c, NULL, true, 0));
		return kp_fmt_title(c, "BUG: corrupted list", kp_guilty(c, NULL, true, 0));
	case KREPORT_BUG:
		return bug_title(c, r, s, len);
	case KREPORT_PAGE_FAULT:
		return kp_fmt_title(c, find_in(s, len, "NULL pointer") ?
				    "BUG: unable to handle kernel NULL pointer dereference" :
				    find_in(s, len, "access to user memory") ?
				    "BUG: unable to handle kernel access to user memory" :
				    "BUG: unable to handle kernel paging request",
				    kp_guilty(c, NULL, true, 0));
	case KREPORT_GPF:
		return kp_fmt_title(c, find_in(s, len, "stack segment") ? "stack segment fault" :
				    "general protection fault", kp_guilty(c, NULL, true, 0));
	case KREPORT_OOPS:
		return oops_title(c, s, len);
	case KREPORT_SOFT_LOCKUP:
		return kp_fmt_title(c, "BUG: soft lockup", kp_stall_guilty(c, false, 0));
	case KREPORT_HARD_LOCKUP:
		return kp_fmt_title(c, "watchdog: hard LOCKUP", kp_stall_guilty(c, false, KP_SKIP_STALL));
	case KREPORT_RCU_STALL:
		return kp_fmt_title(c, "INFO: rcu detected stall", kp_stall_guilty(c, true, KP_SKIP_STALL));
	case KREPORT_HUNG_TASK:
		/* a task that can't die is named by where it sleeps, past the scheduler only */
		if (find_in(s, len, " can't die "))
			return kp_fmt_title(c, "INFO: task can't die",
					    kp_guilty(c, NULL, false, KP_SKIP_SCHEDULE));
		return kp_fmt_title(c, "INFO: task hung", kp_hung_guilty(c));
	case KREPORT_KASAN:
		return kasan_title(c, KP_PREFIX(s, len, "BUG: ") ? s + 5 : s, KP_PREFIX(s, len, "BUG: ") ? len - 5 : len);
	case KREPORT_UBSAN: {
		const unsigned skip = KP_SKIP_UBSAN;
		static const char *const stops[] = { " in ", NULL };
		char buf[200];

		if (KP_PREFIX(s, len, "UBSAN: Undefined behaviour"))
			return kp_fmt_title(c, "UBSAN: undefined-behaviour", kp_guilty(c, NULL, false, skip));
		snprintf(buf, sizeof(buf), "UBSAN: %s", kp_cut(c, s + 7, len - 7, stops));
		return kp_fmt_title(c, buf, kp_guilty(c, NULL, false, skip));
	}
	case KREPORT_LOCKDEP:
		return lockdep_title(c, s, len);
	case KREPORT_ATOMIC:
		return atomic_title(c, s, len);
	case KREPORT_PANIC:
		return panic_title(c, s, len);
	case KREPORT_RUST_PANIC:
		return rust_title(c, c->lines[c->hdr].s, c->lines[c->hdr].len);
	default:
		return kp_dup(c, s, len);
	}
}
