/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which function a report is about: the rules that skip generic helpers (reporting,
 * sanitizers, locking, allocation, string and list primitives) on the way to the guilty
 * frame, the work a stalled or hung task was doing, and the title form of a function name.
 * Used by the titles (kreport_title.c); reads frames through kreport_frames.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"

/* Whether a function (and the file it is in, when the frame says) is a generic helper
 * under the rules of kreport_rules.c. */
static bool skipped_at(const struct kp_cls *c, const char *fn, const char *file, unsigned extra)
{
	unsigned when = KP_SKIP_ALWAYS | extra;

	if (!fn)
		return true;
	if (!c->keep_lock_helpers)
		when |= KP_SKIP_LOCKS;
	return kp_rule_skip_fn(fn, when) || kp_rule_skip_file(file);
}

static bool skipped(const struct kp_cls *c, const char *fn, unsigned extra)
{
	return skipped_at(c, fn, NULL, extra);
}

static bool frame_skipped(const struct kp_cls *c, const struct kframe *f, unsigned extra)
{
	return skipped_at(c, f->function, f->file, extra);
}

bool kp_guilty_skips(const struct kp_cls *c, const struct kframe *f, unsigned extra)
{
	return frame_skipped(c, f, extra);
}

/* The first candidate (first, the RIP when asked, then the reliable frames) that is not a
 * helper; the first candidate at all when every one is. */
const char *kp_guilty(struct kp_cls *c, const char *first, bool use_rip, unsigned extra)
{
	const char *fallback = first;

	if (first && !skipped(c, first, extra))
		return first;
	if (use_rip && c->has_rip) {
		if (!fallback)
			fallback = c->rip.function;
		if (!frame_skipped(c, &c->rip, extra))
			return c->rip.function;
	}
	for (size_t i = 0; i < c->nf; i++) {
		if (!c->frames[i].reliable || !c->frames[i].function)
			continue;
		if (!fallback)
			fallback = c->frames[i].function;
		if (!frame_skipped(c, &c->frames[i], extra))
			return c->frames[i].function;
	}
	return fallback;
}

const char *kp_stall_guilty(struct kp_cls *c, bool after_irq, unsigned extra)
{
	const char *prev = NULL;
	size_t i = after_irq ? c->task_start : 0;
	const struct kframe *rip = after_irq && c->has_stall_rip ? &c->stall_rip :
				   c->has_rip ? &c->rip : NULL;

	if (rip)
		prev = rip->function;
	/* stopped inside a cross-CPU call itself */
	if (prev && strstr(prev, "smp_call_function"))
		return "smp_call_function";
	for (; i < c->nf; i++) {
		const char *fn = c->frames[i].function;

		if (!c->frames[i].reliable || !fn)
			continue;
		if (kp_rule_anchor(fn)) {
			/* a cross-CPU call waits for the others: the call itself is the story */
			if (strstr(fn, "smp_call_function"))
				return "smp_call_function";
			return prev ? prev : fn;
		}
		if (!frame_skipped(c, &c->frames[i], extra))
			prev = fn;
	}
	return kp_guilty(c, NULL, true, 0);
}

const char *kp_hung_guilty(struct kp_cls *c)
{
	for (size_t i = 0; i < c->nf; i++) {
		const char *fn = c->frames[i].function, *wait;

		if (!c->frames[i].reliable || !fn)
			continue;
		wait = kp_rule_hung_wait(fn);
		if (wait)
			return wait;
	}
	return kp_guilty(c, NULL, false, KP_SKIP_HUNG);
}

/* Title form of a function: no ".cold"/".isra.0" suffix, no syscall wrapper prefix, a
 * plain C++ mangled name unmangled. */
static const char *title_fn(struct kp_cls *c, const char *fn)
{
	/* Syscall wrappers and the syscall's own layers: each prefix is tried on the whole
	 * name and the shortest result kept, so "__x64_sys_futex" is "sys_futex" while
	 * "__se_sys_futex", "sys_futex" and "__sys_sendmsg" are "futex" and "sendmsg", the
	 * names syzkaller's titles use. */
	static const char *const prefixes[] = { "SYSC_", "SyS_", "sys_", "__x64_", "__ia32_",
						"__arm64_", "____sys_", "___sys_", "__sys_", "__se_",
						"__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_",
						"ksys_" };
	const char *best = fn;
	size_t n;

	if (!fn)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);

		if (fn[0] == prefixes[i][0] && strncmp(fn, prefixes[i], pl) == 0 && fn[pl] &&
		    fn + pl > best)
			best = fn + pl;
	}
	fn = best;
	/* Rust v0 symbol: its path as Rust prints it ("<kernel::Foo as Bar>::baz"), else
	 * ("_RNv...<len><ident>") the last path component */
	if (fn[0] == '_' && fn[1] == 'R') {
		const char *path = kp_rust_demangle(c, fn);

		if (path)
			return path;
		size_t fl = strlen(fn);

		for (size_t i = 2; i < fl; i++) {
			size_t l = 0, j = i;

			if (!isdigit((unsigned char)fn[i]) || isdigit((unsigned char)fn[i - 1]))
				continue;
			while (j < fl && isdigit((unsigned char)fn[j]) && l < 4096)
				l = l * 10 + (size_t)(fn[j++] - '0');
			if (j < fl && fn[j] == '_')
				j++;
			if (l > 0 && j + l == fl)
				return kp_dup(c, fn + j, l);
		}
	}
	if (fn[0] == '_' && fn[1] == 'Z' && isdigit((unsigned char)fn[2])) {
		char *e;
		unsigned long l = strtoul(fn + 2, &e, 10);

		if (l > 0 && strlen(e) >= l)
			return kp_dup(c, e, l);
	}
	n = strcspn(fn, ".");
	return kp_dup(c, fn, n);
}

const char *kp_fmt_title(struct kp_cls *c, const char *prefix, const char *fn)
{
	char buf[512];

	fn = title_fn(c, fn);
	if (fn)
		snprintf(buf, sizeof(buf), "%s in %s", prefix, fn);
	else
		snprintf(buf, sizeof(buf), "%s", prefix);
	return arena_strdup(c->a, buf);
}

/* Text of s after prefix up to the first of the stop strings (or the end). */
const char *kp_cut(struct kp_cls *c, const char *s, size_t len, const char *const *stops)
{
	const char *end = s + len;

	for (; *stops; stops++) {
		const char *q = find_in(s, (size_t)(end - s), *stops);

		if (q)
			end = q;
	}
	while (end > s && end[-1] == ' ')
		end--;
	return kp_dup(c, s, (size_t)(end - s));
}

const char *kp_stack_from(struct kp_cls *c, size_t from, unsigned extra)
{
	for (size_t i = from; i < c->n; i++) {
		struct kframe f;

		if (!kp_parse_frame(c, c->lines[i].s, c->lines[i].len, &f)) {
			/* up to two lines of another writer inside the stack: it goes on after
			 * (a line ending in ':' starts the report's next section instead) */
			size_t l = c->lines[i].len;

			if (i > from && (l == 0 || c->lines[i].s[l - 1] != ':') && ((i + 1 < c->n && kp_parse_frame(c, c->lines[i + 1].s,
									 c->lines[i + 1].len, &f)) ||
					 (i + 2 < c->n && kp_parse_frame(c, c->lines[i + 2].s,
									 c->lines[i + 2].len, &f))))
				continue;
			return NULL;
		}
		if (f.reliable && !frame_skipped(c, &f, extra))
			return f.function;
	}
	return NULL;
}

const char *kp_stack_after(struct kp_cls *c, const char *key, unsigned extra)
{
	for (size_t i = c->hdr; i < c->n; i++)
		if (find_in(c->lines[i].s, c->lines[i].len, key))
			return kp_stack_from(c, i + 1, extra);
	return NULL;
}
