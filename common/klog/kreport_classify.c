/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Classifying one assembled report: its fields (RIP, site, CPU line, taint, modules, the
 * first call trace with markers and "? " frames) in one pass over its lines, then a title
 * in syzkaller's style from the type and the guilty function: the first function of the
 * RIP and the reliable frames that is not a generic helper (reporting, locking, allocation,
 * string and list primitives). Stalls and hangs look for the frame that identifies the work
 * (the one before an entry point such as do_syscall_64 or process_one_work) instead.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"




static void add_module(struct kp_cls *c, const char *name, size_t nlen, const char *flags, size_t flen)
{
	if (c->nm >= KP_MAX_MODULES)
		return;
	if (!c->mods) {
		c->mods = arena_alloc(c->a, KP_MAX_MODULES * sizeof(*c->mods));
		if (!c->mods)
			return;
	}
	c->mods[c->nm].name = kp_dup(c, name, nlen);
	c->mods[c->nm].flags = kp_dup(c, flags, flen);
	if (c->mods[c->nm].name && c->mods[c->nm].flags)
		c->nm++;
}

/* Module tokens "name" or "name(FLAGS)" up to "[last unloaded: ...]". With add false,
 * only checks that the whole text is such a list (a continuation line). */
static bool parse_modules(struct kp_cls *c, const char *p, const char *end, bool add, bool *ended)
{
	int count = 0;

	for (;;) {
		const char *n, *ne, *fl = NULL, *fe = NULL;

		p = skip_space(p, end);
		if (p >= end)
			return count > 0 || !add;
		if (*p == '[') {
			*ended = true;
			return true;
		}
		n = p;
		while (p < end && kp_is_modch(*p))
			p++;
		ne = p;
		if (ne == n)
			return false;
		if (p < end && *p == '(') {
			fl = ++p;
			while (p < end && (isupper((unsigned char)*p) || *p == '+' || *p == '-'))
				p++;
			if (p >= end || *p != ')')
				return false;
			fe = p++;
		}
		if (p < end && *p != ' ' && *p != '\t')
			return false;
		if (add)
			add_module(c, n, (size_t)(ne - n), fl ? fl : "", fl ? (size_t)(fe - fl) : 0);
		count++;
	}
}

static bool is_marker(const char *s, size_t len)
{
	const char *end = s + len, *p = skip_space(s, end);

	return p < end && *p == '<' && (end[-1] == '>');
}

/* Interrupt entry frames: what follows them is the interrupted code. */
static bool is_irq_entry(const char *fn)
{
	return strstr(fn, "apic_timer_interrupt") || strstr(fn, "irq_svc") || strstr(fn, "el1_irq") ||
	       strstr(fn, "el1h_64_irq") || strstr(fn, "el1_interrupt");
}

static bool is_irq_end(const char *s, size_t len)
{
	return find_in(s, len, "</IRQ>") || find_in(s, len, "<EOI>") || find_in(s, len, "</SOFTIRQ>") ||
	       find_in(s, len, "<<EOE>>");
}

/* Register and code lines that interleave with a trace (an exception frame inside it). */
static bool is_regs(const char *s, size_t len)
{
	const char *end = s + len, *p = skip_space(s, end), *q = p;

	while (q < end && q - p < 8 && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q == p)
		return false;
	q = skip_space(q, end);
	return q < end && *q == ':';
}

/* "RIP: 0010:func+...", "RIP: 0010:[<...>]  [<...>] func+...", "RIP  [<...>] func+...",
 * "IP: [<...>] func+...", "pc : func+...", "PC is at func+...", "NIP [...] func+...",
 * "Krnl PSW : ... (func+... [mod])", "EIP is at func+...". */
static bool parse_rip(struct kp_cls *c, const char *s, size_t len, struct kframe *f)
{
	const char *end = s + len, *p = NULL;

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	if (KP_PREFIX(s, len, "RIP: ")) {
		p = s + 5;
		if (end - p >= 5 && memcmp(p, "0033:", 5) == 0)
			return false;           /* user space */
		if (end - p >= 5 && isxdigit((unsigned char)p[0]) && p[4] == ':')
			p += 5;
	} else if (KP_PREFIX(s, len, "RIP  ") || KP_PREFIX(s, len, "IP: ")) {
		p = s + 4;
	} else if (KP_PREFIX(s, len, "pc : ")) {
		p = s + 5;
	} else if (KP_PREFIX(s, len, "PC is at ") || KP_PREFIX(s, len, "EIP is at ")) {
		p = find_in(s, len, " at ") + 4;
	} else if (KP_PREFIX(s, len, "NIP ")) {
		p = s + 4;
	} else if (KP_PREFIX(s, len, "Krnl PSW ")) {
		p = memchr(s, '(', len);
		if (!p)
			return false;
		p++;
	} else {
		return false;
	}
	for (;;) {
		p = skip_space(p, end);
		if (end - p >= 2 && p[0] == '[' && p[1] == '<') {
			const char *q = memchr(p, ']', (size_t)(end - p));

			if (!q)
				return false;
			p = q + 1;
			continue;
		}
		if (end - p >= 1 && p[0] == '[') {  /* ppc "NIP [c0000000001234] func" */
			const char *q = memchr(p, ']', (size_t)(end - p));

			if (!q)
				return false;
			p = q + 1;
			continue;
		}
		break;
	}
	return kp_parse_sym(c, p, end, f) != NULL;
}

static void parse_cpu_line(struct kp_cls *c, struct kreport *r, const char *s, size_t len)
{
	const char *end = s + len, *p, *comm, *t;

	r->cpu = atoi(s + 5);
	p = find_in(s, len, " PID: ");
	if (p)
		r->pid = atoi(p + 6);
	comm = find_in(s, len, " Comm: ");
	if (comm) {
		comm += 7;
		t = find_in(comm, (size_t)(end - comm), " Not tainted");
		if (!t)
			t = find_in(comm, (size_t)(end - comm), " Tainted: ");
		if (!t) {
			t = comm;
			while (t < end && *t != ' ')
				t++;
		}
		if (t - comm > 14 && memcmp(t - 14, " Kdump: loaded", 14) == 0)
			t -= 14;
		r->comm = kp_dup(c, comm, (size_t)(t - comm));
	}
}

static void parse_taint(struct kp_cls *c, struct kreport *r, const char *s, size_t len)
{
	const char *end = s + len, *p, *q;

	if (r->taint)
		return;
	if (find_in(s, len, "Not tainted")) {
		r->taint = "";
		return;
	}
	p = find_in(s, len, "Tainted: ");
	if (!p)
		return;
	p += 9;
	q = p;
	/* Letters in bit order with spaces for clear bits; the release follows. RHEL appends
	 * dashes right after the flags, so stop at anything but a letter or a space. */
	while (q < end && (isupper((unsigned char)*q) || *q == ' '))
		q++;
	while (q > p && q[-1] == ' ')
		q--;
	/* the release may start with a capital: drop a last word longer than a letter run */
	r->taint = kp_dup(c, p, (size_t)(q - p));
}

/* ---- the pass over the lines ---- */

static void scan(struct kp_cls *c, struct kreport *r)
{
	bool in_trace = false, trace_done = false, in_modules = false, cpu_seen = false;

	for (size_t i = c->scan_from; i < c->n; i++) {
		const char *s = c->lines[i].s, *end = s + c->lines[i].len;
		size_t len = c->lines[i].len;
		struct kframe f;

		if (in_modules) {
			bool ended = false;

			if (len > 0 && s[0] == ' ' && parse_modules(c, s, end, false, &ended)) {
				parse_modules(c, s, end, true, &ended);
				in_modules = !ended;
				continue;
			}
			in_modules = false;
		}
		if (KP_PREFIX(s, len, "Modules linked in:")) {
			bool ended = false;

			if (!c->mods || c->nm == 0) {
				parse_modules(c, s + 18, end, true, &ended);
				in_modules = !ended;
			}
			continue;
		}
		if (!cpu_seen && KP_PREFIX(s, len, "CPU: ") && isdigit((unsigned char)s[5])) {
			cpu_seen = true;
			parse_cpu_line(c, r, s, len);
			parse_taint(c, r, s, len);
			continue;
		}
		if (!r->taint && len > 0 && s[0] == ' ' &&
		    (find_in(s, len, " Tainted: ") || find_in(s, len, " Not tainted ")))
			parse_taint(c, r, s, len);
		if (parse_rip(c, s, len, &f)) {
			if (!c->has_rip) {
				c->rip = f;
				c->has_rip = true;
			}
			/* an exception frame inside the trace: the code it interrupted follows.
			 * The first one after the timer interrupt's entry is the stalled code;
			 * before it, a report raised inside the interrupt may have printed one. */
			if (in_trace && (!c->has_stall_rip || c->stall_rip_open)) {
				c->stall_rip_open = false;
				c->stall_rip = f;
				c->has_stall_rip = true;
				c->task_start = c->nf;
			}
			continue;
		}
		{
			const char *p = skip_space(s, end);
			size_t l = (size_t)(end - p);

			/* a line of stack words may run into "Call Trace:" when another CPU prints */
			if (KP_PREFIX(p, l, "Call Trace:") || KP_PREFIX(p, l, "Call trace:") ||
			    KP_PREFIX(p, l, "Backtrace:") ||
			    (l > 11 && memcmp(p + l - 11, "Call Trace:", 11) == 0)) {
				if (!trace_done)
					in_trace = true;
				continue;
			}
		}
		if (!in_trace)
			continue;
		/* "<IRQ>  [<...>] func" or "<EOI> [  420.50] [<...>] func" (4.x kernels): the
		 * marker, then the frame (after a timestamp another CPU's print left there) */
		{
			const char *p = skip_space(s, end), *gt;

			if (p < end && *p == '<' && (gt = memchr(p, '>', (size_t)(end - p))) != NULL &&
			    skip_space(gt + 1, end) < end && gt[-1] != ']') {
				if (is_irq_end(p, (size_t)(gt + 1 - p)) && !c->task_start_fixed)
					c->task_start = c->nf;
				p = skip_space(gt + 1, end);
				if (*p == '[' && p + 1 < end && p[1] != '<') {
					const char *rb = memchr(p, ']', (size_t)(end - p));

					if (rb)
						p = skip_space(rb + 1, end);
				}
				s = p;
				len = (size_t)(end - p);
			}
		}
		if (kp_parse_frame(c, s, len, &f)) {
			if (c->nf < KP_CLS_FRAMES) {
				c->caller_only[c->nf] = false;
				c->frames[c->nf++] = f;
				/* the timer interrupt's own frames end where the interrupted code
				 * starts; a later entry (a softirq run on the way out of it) is
				 * still the stalled CPU's work */
				if (f.function && is_irq_entry(f.function) && !c->task_start_fixed) {
					c->task_start = c->nf;
					c->task_start_fixed = true;
					c->stall_rip_open = true;
				}
			}
			/* arm32 names the caller on the callee's line: the only place the
			 * frame under a fault's handler is named */
			if (c->nf < KP_CLS_FRAMES && kp_parse_arm_caller(c, s, len, &f)) {
				c->caller_only[c->nf] = true;
				c->frames[c->nf++] = f;
			}
			continue;
		}
		if (is_marker(s, len)) {
			if (is_irq_end(s, len) && !c->task_start_fixed)
				c->task_start = c->nf;
			continue;
		}
		if (len == 0 || is_regs(s, len) || find_in(s, len, "Exception stack("))
			continue;
		/* another task's line printed into the trace: the trace goes on after it, and
		 * after up to three such lines unless the first starts a section of the
		 * report's own ("Allocated by task 1:") */
		if (i + 1 < c->n && kp_parse_frame(c, c->lines[i + 1].s, c->lines[i + 1].len, &f))
			continue;
		if (s[len - 1] != ':' && ((i + 2 < c->n && kp_parse_frame(c, c->lines[i + 2].s, c->lines[i + 2].len, &f)) ||
					  (i + 3 < c->n && kp_parse_frame(c, c->lines[i + 3].s, c->lines[i + 3].len, &f))))
			continue;
		in_trace = false;
		trace_done = c->nf > 0;
	}
}

/* An RCU stall report may first dump the grace-period kthread's stack or the detecting
 * CPU's; the stalled code is in the NMI backtrace of another CPU. The first line of that
 * backtrace, or 0 when the report has none. */
static long cpu_number(const char *p, const char *end)
{
	long n = -1;

	for (; p < end && isdigit((unsigned char)*p) && n < 1000000; p++)
		n = (n < 0 ? 0 : n * 10) + (*p - '0');
	return n;
}

static size_t rcu_stalled_cpu_dump(const struct kp_cls *c)
{
	long detector = -1, self = -1;

	for (size_t i = 0; i < c->n; i++) {
		const char *s = c->lines[i].s, *p;
		size_t len = c->lines[i].len;

		/* "self-detected stall on CPU" then "\t1-...!: (10499 ticks ...)": the CPU
		 * whose "Task dump for CPU 1:" is the stalled code (after the GP kthread's) */
		if (self < 0 && i > 0 && find_in(c->lines[i - 1].s, c->lines[i - 1].len, "self-detected stall")) {
			p = s;
			if (KP_PREFIX(p, len, "rcu: "))
				p += 5;
			p = skip_space(p, s + len);
			self = cpu_number(p, s + len);
			if (self >= 0 && (p >= s + len || !memchr(p, '-', (size_t)(s + len - p))))
				self = -1;
			continue;
		}
		if (self >= 0 && KP_PREFIX(s, len, "Task dump for CPU ") && cpu_number(s + 18, s + len) == self)
			return i;

		p = find_in(s, len, "(detected by ");
		if (p && detector < 0) {
			detector = cpu_number(p + 13, s + len);
			continue;
		}
		if (KP_PREFIX(s, len, "NMI backtrace for cpu ") && i > 0 &&
		    cpu_number(s + 22, s + len) != detector)
			return i;
	}
	return 0;
}

void kp_classify(const struct kp_line *lines, size_t n, enum kreport_type type, struct arena *a,
		 struct kreport *r)
{
	struct kp_cls *c;
	struct kframe wfn;
	const char *s;
	size_t len;

	r->type = type;
	r->cpu = r->pid = -1;
	if (n == 0)
		return;
	/* the frame arrays are large and only their first nf entries are read */
	c = arena_alloc(a, sizeof(*c));
	if (!c)
		return;
	memset(c, 0, offsetof(struct kp_cls, caller_only));
	c->a = a;
	c->lines = lines;
	c->n = n;
	r->headline = kp_dup(c, lines[0].s, lines[0].len);
	/* "refcount_t: ..." and "list_del corruption ..." come before the WARN or BUG line */
	if (type == KREPORT_REFCOUNT || type == KREPORT_LIST_CORRUPTION)
		for (size_t i = 1; i < n && i < 5; i++)
			if (KP_PREFIX(lines[i].s, lines[i].len, "WARNING: ") ||
			    KP_PREFIX(lines[i].s, lines[i].len, "kernel BUG at ")) {
				c->hdr = i;
				break;
			}
	if (type == KREPORT_RCU_STALL)
		c->scan_from = rcu_stalled_cpu_dump(c);
	scan(c, r);
	s = lines[c->hdr].s;
	len = lines[c->hdr].len;
	kp_parse_site(c, r, s, len, &wfn);
	if (!r->site_file && (s = find_in(s, len, " invalid context at ")) != NULL) {
		const char *end = lines[c->hdr].s + len, *colon;

		s += 20;
		colon = memchr(s, ':', (size_t)(end - s));
		if (colon) {
			r->site_file = kp_dup(c, s, (size_t)(colon - s));
			r->site_line = (unsigned)atoi(colon + 1);
		}
	}
	if (c->has_rip) {
		r->rip_function = c->rip.function;
		r->rip_module = c->rip.module;
	} else if (wfn.function) {
		r->rip_function = wfn.function;
		r->rip_module = wfn.module;
	}
	r->title = kp_norm_title(c, kp_title(c, r, &wfn));
	if (c->nf) {
		struct kframe *f = arena_alloc(a, KP_MAX_FRAMES * sizeof(*f));
		size_t nx = 0;

		for (size_t i = 0; f && i < c->nf && nx < KP_MAX_FRAMES; i++)
			if (!c->caller_only[i])
				f[nx++] = c->frames[i];
		r->frames = f;
		r->n_frames = f ? nx : 0;
	}
	r->modules = c->mods;
	r->n_modules = c->nm;
}
