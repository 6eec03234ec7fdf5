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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"



const char *kp_dup(struct kp_cls *c, const char *s, size_t n)
{
	return arena_strndup(c->a, s, n);
}

static const char *find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

static bool is_symch(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '$';
}

static bool is_modch(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || !isxdigit((unsigned char)*s))
		return false;
	while (s < end && isxdigit((unsigned char)*s)) {
		int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);

		x = x << 4 | (uint64_t)d;
		s++;
	}
	*p = s;
	*v = x;
	return true;
}

/* "func+0xOFF/0xSIZE" with an optional " [module]" or " [module buildid]" after it. */
const char *kp_parse_sym(struct kp_cls *c, const char *s, const char *end, struct kframe *f)
{
	const char *p = s, *name_end;

	while (p < end && is_symch(*p))
		p++;
	if (p == s || end - p < 3 || memcmp(p, "+0x", 3) != 0)
		return NULL;
	name_end = p;
	p += 3;
	if (!parse_hex(&p, end, &f->offset))
		return NULL;
	if (end - p >= 3 && memcmp(p, "/0x", 3) == 0) {
		p += 3;
		if (!parse_hex(&p, end, &f->size))
			return NULL;
	}
	f->function = kp_dup(c, s, (size_t)(name_end - s));
	f->module = NULL;
	if (end - p >= 2 && p[0] == ' ' && p[1] == '[') {
		const char *m = p + 2, *me = m;

		while (me < end && is_modch(*me))
			me++;
		if (me > m && me < end && (*me == ']' || *me == ' ') &&
		    !(me - m == 6 && memcmp(m, "inline", 6) == 0)) {
			f->module = kp_dup(c, m, (size_t)(me - m));
			p = memchr(me, ']', (size_t)(end - me));
			p = p ? p + 1 : end;
		}
	}
	return p;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* One call-trace line: " func+0x1/0x2 [mod]", " ? func...", " [<ffff...>] func...",
 * arm32 "[<c0...>] (func) from [<...>] (caller+0x...)", s390 "([<...>] func...)", and the
 * "func file.c:12 [inline]" lines of symbolized logs. */
static bool parse_frame(struct kp_cls *c, const char *s, size_t len, struct kframe *f)
{
	const char *end = s + len, *p = skip_ws(s, end);

	memset(f, 0, sizeof(*f));
	f->reliable = true;
	if (p < end && *p == '(')
		p++;
	for (int i = 0; i < 2 && end - p >= 2 && p[0] == '[' && p[1] == '<'; i++) {
		const char *q = memchr(p, ']', (size_t)(end - p));

		if (!q)
			return false;
		p = skip_ws(q + 1, end);
		if (p < end && *p == '(') {     /* arm32: the callee in parentheses */
			const char *n = ++p;

			while (p < end && is_symch(*p))
				p++;
			if (p == n)
				return false;
			f->function = kp_dup(c, n, (size_t)(p - n));
			return true;
		}
	}
	if (end - p >= 2 && p[0] == '?' && p[1] == ' ') {
		f->reliable = false;
		p = skip_ws(p + 2, end);
	}
	if (kp_parse_sym(c, p, end, f))
		return true;
	/* symbolized inline frame */
	if (len > 9 && memcmp(end - 8, "[inline]", 8) == 0) {
		const char *n = p;

		while (p < end && is_symch(*p))
			p++;
		if (p > n && p < end && *p == ' ') {
			f->function = kp_dup(c, n, (size_t)(p - n));
			return true;
		}
	}
	return false;
}

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

		p = skip_ws(p, end);
		if (p >= end)
			return count > 0 || !add;
		if (*p == '[') {
			*ended = true;
			return true;
		}
		n = p;
		while (p < end && is_modch(*p))
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
	const char *end = s + len, *p = skip_ws(s, end);

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
	return find(s, len, "</IRQ>") || find(s, len, "<EOI>") || find(s, len, "</SOFTIRQ>") ||
	       find(s, len, "<<EOE>>");
}

/* Register and code lines that interleave with a trace (an exception frame inside it). */
static bool is_regs(const char *s, size_t len)
{
	const char *end = s + len, *p = skip_ws(s, end), *q = p;

	while (q < end && q - p < 8 && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q == p)
		return false;
	q = skip_ws(q, end);
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
		p = find(s, len, " at ") + 4;
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
		p = skip_ws(p, end);
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
	p = find(s, len, " PID: ");
	if (p)
		r->pid = atoi(p + 6);
	comm = find(s, len, " Comm: ");
	if (comm) {
		comm += 7;
		t = find(comm, (size_t)(end - comm), " Not tainted");
		if (!t)
			t = find(comm, (size_t)(end - comm), " Tainted: ");
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
	if (find(s, len, "Not tainted")) {
		r->taint = "";
		return;
	}
	p = find(s, len, "Tainted: ");
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

/* ---- titles ---- */

/* Helpers that never identify a bug: reporting, sanitizers, locking, allocation, string,
 * list and refcount primitives, the exception entry. */
static const char *const skip_always[] = {
	"dump_stack", "show_stack", "__warn", "warn_slowpath", "warn_alloc", "report_bug",
	"fixup_bug", "handle_bug", "do_error_trap", "do_trap", "die", "invalid_op", "exc_",
	"asm_", "_trap", "__sanitizer", "__asan", "kasan", "__msan", "kmsan", "kfence",
	"ubsan", "check_memory_region", "print_address_description", "print_report",
	"panic", "lockdep", "lock_acquire", "lock_release", "lock_class", "reacquire_held_locks",
	"spin_lock", "spin_trylock", "spin_unlock", "_raw_", "mutex", "rwsem", "osq_lock",
	"down_read", "down_write", "up_read", "up_write", "refcount_", "ref_tracker",
	"kmalloc", "kzalloc", "kcalloc", "krealloc", "kvmalloc", "kvfree", "kfree", "vmalloc",
	"vfree", "kmem_cache", "slab_", "_noprof", "alloc_pages", "memcpy", "memcmp", "memset",
	"memmove", "memchr", "strcmp", "strncmp", "strcpy", "strlcpy", "strncpy", "strscpy",
	"strlen", "strnlen", "strchr", "copy_to_user", "copy_from_user", "put_user", "get_user",
	"might_fault", "might_sleep", "list_add", "list_del", "list_replace", "list_move",
	"list_splice", "_indirect_thunk_", "printk", "mod_timer", "del_timer", "add_timer",
	"__wake_up", "xas_", "debug_object", "should_fail", "dump_backtrace", "cancel_work",
	"flush_work", "cancel_delayed_work", "flush_workqueue", "drain_workqueue",
	"destroy_workqueue", "kobject_del", "kobject_put", "kobject_uevent", "device_del",
	"device_unregister", "sysfs_remove", "logic_in", "logic_out", "readb", "readw", "readl",
	"writeb", "writew", "writel", "ioread", "iowrite", "put_device", "kobject_cleanup",
	"kobject_release", "device_release", "queue_work", "queue_delayed_work", "bad_stack",
};

/* WARN sites in shared infrastructure (an API that checks its caller): the caller is the
 * guilty one, not the function that warned. */
static const char *const infra_files[] = {
	"kernel/rcu/", "kernel/workqueue.c", "kernel/locking/", "kernel/sched/", "lib/",
	"mm/slab", "mm/slub.c", "mm/page_alloc.c", "mm/vmalloc.c", "mm/percpu", "kernel/kthread.c",
	"kernel/time/timer.c", "kernel/softirq.c", "kernel/panic.c",
};

bool kp_infra_file(const char *file)
{
	if (!file)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(infra_files); i++)
		if (startswith(file, infra_files[i]))
			return true;
	return false;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && memcmp(s + a - b, suf, b) == 0;
}

/* Locking helpers by shape: foo_lock, lock_foo, foo_lock_irqsave, unlock_foo. */
static bool is_lock_helper(const char *fn)
{
	return has_suffix(fn, "_lock") || has_suffix(fn, "_unlock") || has_suffix(fn, "_trylock") ||
	       startswith(fn, "lock_") || startswith(fn, "unlock_") || strstr(fn, "_lock_") ||
	       strstr(fn, "_unlock_");
}

static bool skipped(const struct kp_cls *c, const char *fn, const char *const *extra)
{
	if (!fn)
		return true;
	for (size_t i = 0; i < ELEMENTSOF(skip_always); i++)
		if (strstr(fn, skip_always[i]))
			return true;
	if (!c->keep_lock_helpers && is_lock_helper(fn))
		return true;
	for (; extra && *extra; extra++)
		if (strstr(fn, *extra))
			return true;
	return false;
}

/* "do_foo" or "__foo" called from "foo": the implementation of an API, named by the API. */
static const char *api_name(const struct kp_cls *c, size_t i)
{
	const char *fn = c->frames[i].function, *base = fn;

	if (startswith(fn, "do_"))
		base = fn + 3;
	else
		while (*base == '_')
			base++;
	for (size_t j = i + 1; base != fn && j < c->nf; j++) {
		if (!c->frames[j].reliable || !c->frames[j].function)
			continue;
		return streq(c->frames[j].function, base) ? c->frames[j].function : fn;
	}
	return fn;
}

/* The first candidate (first, the RIP when asked, then the reliable frames) that is not a
 * helper; the first candidate at all when every one is. */
const char *kp_guilty(struct kp_cls *c, const char *first, bool use_rip, const char *const *extra)
{
	const char *fallback = first;

	if (first && !skipped(c, first, extra))
		return first;
	if (use_rip && c->has_rip) {
		if (!fallback)
			fallback = c->rip.function;
		if (!skipped(c, c->rip.function, extra))
			return c->rip.function;
	}
	for (size_t i = 0; i < c->nf; i++) {
		if (!c->frames[i].reliable || !c->frames[i].function)
			continue;
		if (!fallback)
			fallback = c->frames[i].function;
		if (!skipped(c, c->frames[i].function, extra))
			return api_name(c, i);
	}
	return fallback;
}

/* Entry points of work: the frame called just before one names what was running. */
static const char *const anchors[] = {
	"process_one_work", "do_syscall_", "do_fast_syscall_", "sysenter_dispatch",
	"tracesys_phase2", "netif_receive_skb", "do_softirq", "call_timer_fn", "_run_timers",
	"run_timer_softirq", "run_ksoftirqd", "smpboot_thread_fn", "kthread", "start_secondary",
	"cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read", "vfs_iter_read",
	"vfs_iter_write", "do_iter_read", "do_iter_write", "vfs_ioctl", "blkdev_ioctl",
	"call_read_iter", "call_write_iter", "do_iter_readv_writev", "call_mmap", "mmap_region",
	"do_mmap", "do_dentry_open", "vfs_open", "sock_sendmsg", "sock_recvmsg", "sock_release",
	"__sys_setsockopt", "kernel_setsockopt", "sock_common_setsockopt", "__sys_listen",
	"sk_common_release", "sock_mmap", "__sys_accept", "sock_do_ioctl", "sock_ioctl",
	"nfnetlink_rcv_msg", "__do_fault", "handle_mm_fault", "do_page_fault", "__fput",
	"task_work_run", "exit_to_usermode", "tasklet_action", "__do_sys_connect",
	"__sys_connect", "__x64_sys_ioctl", "__do_sys_ioctl", "__se_sys_ioctl", "new_sync_read",
	"new_sync_write",
};

static bool is_anchor(const char *fn)
{
	for (size_t i = 0; i < ELEMENTSOF(anchors); i++)
		if (strstr(fn, anchors[i]))
			return true;
	return false;
}

const char *kp_stall_guilty(struct kp_cls *c, bool after_irq)
{
	const char *prev = NULL;
	size_t i = after_irq ? c->task_start : 0;
	const struct kframe *rip = after_irq && c->has_stall_rip ? &c->stall_rip :
				   c->has_rip ? &c->rip : NULL;

	if (rip)
		prev = rip->function;
	for (; i < c->nf; i++) {
		const char *fn = c->frames[i].function;

		if (!c->frames[i].reliable || !fn)
			continue;
		if (is_anchor(fn))
			return prev ? prev : fn;
		if (!skipped(c, fn, NULL) && !strstr(fn, "rcu") && !strstr(fn, "apic_timer"))
			prev = fn;
	}
	return kp_guilty(c, NULL, true, NULL);
}

const char *kp_hung_guilty(struct kp_cls *c)
{
	static const char *const waits[] = {
		"sched", "_lock", "_slowlock", "down", "completion", "kthread", "wait", "synchronize",
		"context_switch", "__switch_to", "cancel_delayed_work", "barrier", NULL,
	};

	for (size_t i = 0; i < c->nf; i++) {
		const char *fn = c->frames[i].function;

		if (!c->frames[i].reliable || !fn)
			continue;
		if (startswith(fn, "rtnl_lock"))
			return "rtnl_lock";
		if (startswith(fn, "synchronize_rcu") || startswith(fn, "synchronize_srcu") ||
		    startswith(fn, "synchronize_net") || startswith(fn, "synchronize_sched"))
			return "synchronize_rcu";
	}
	return kp_guilty(c, NULL, false, waits);
}

/* Title form of a function: no ".cold"/".isra.0" suffix, no syscall wrapper prefix, a
 * plain C++ mangled name unmangled. */
static const char *title_fn(struct kp_cls *c, const char *fn)
{
	static const char *const prefixes[] = { "__se_sys_", "__do_sys_", "__x64_sys_",
						"__ia32_sys_", "__arm64_sys_", "SyS_", "SYSC_",
						"compat_SyS_", "__se_compat_sys_" };
	size_t n;

	if (!fn)
		return NULL;
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
		if (startswith(fn, prefixes[i]) && fn[strlen(prefixes[i])]) {
			fn += strlen(prefixes[i]);
			break;
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
		const char *q = find(s, (size_t)(end - s), *stops);

		if (q)
			end = q;
	}
	while (end > s && end[-1] == ' ')
		end--;
	return kp_dup(c, s, (size_t)(end - s));
}

/* ---- the pass over the lines ---- */

static void scan(struct kp_cls *c, struct kreport *r)
{
	bool in_trace = false, trace_done = false, in_modules = false, cpu_seen = false;

	for (size_t i = 0; i < c->n; i++) {
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
		    (find(s, len, " Tainted: ") || find(s, len, " Not tainted ")))
			parse_taint(c, r, s, len);
		if (parse_rip(c, s, len, &f)) {
			if (!c->has_rip) {
				c->rip = f;
				c->has_rip = true;
			}
			/* an exception frame inside the trace: the code it interrupted follows */
			if (in_trace) {
				c->stall_rip = f;
				c->has_stall_rip = true;
				c->task_start = c->nf;
			}
			continue;
		}
		{
			const char *p = skip_ws(s, end);
			size_t l = (size_t)(end - p);

			if (KP_PREFIX(p, l, "Call Trace:") || KP_PREFIX(p, l, "Call trace:") ||
			    KP_PREFIX(p, l, "Backtrace:")) {
				if (!trace_done)
					in_trace = true;
				continue;
			}
		}
		if (!in_trace)
			continue;
		if (parse_frame(c, s, len, &f)) {
			if (c->nf < KP_MAX_FRAMES) {
				c->frames[c->nf++] = f;
				/* the timer interrupt's own frames end where the interrupted code starts */
				if (f.function && is_irq_entry(f.function))
					c->task_start = c->nf;
			}
			continue;
		}
		if (is_marker(s, len)) {
			if (is_irq_end(s, len))
				c->task_start = c->nf;
			continue;
		}
		if (len == 0 || is_regs(s, len) || find(s, len, "Exception stack("))
			continue;
		in_trace = false;
		trace_done = c->nf > 0;
	}
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
	c = arena_zalloc(a, sizeof(*c));
	if (!c)
		return;
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
	scan(c, r);
	s = lines[c->hdr].s;
	len = lines[c->hdr].len;
	kp_parse_site(c, r, s, len, &wfn);
	if (!r->site_file && (s = find(s, len, " invalid context at ")) != NULL) {
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
	r->title = kp_title(c, r, &wfn);
	if (c->nf) {
		struct kframe *f = arena_alloc(a, c->nf * sizeof(*f));

		if (f) {
			memcpy(f, c->frames, c->nf * sizeof(*f));
			r->frames = f;
			r->n_frames = c->nf;
		}
	}
	r->modules = c->mods;
	r->n_modules = c->nm;
}

/* The first non-helper frame of the short stack printed after the line containing key
 * (lockdep's "... which became HARDIRQ-irq-safe at:"). */
const char *kp_lockdep_stack(struct kp_cls *c, const char *key)
{
	bool seen = false;

	for (size_t i = c->hdr; i < c->n; i++) {
		const char *s = c->lines[i].s;
		size_t len = c->lines[i].len;
		struct kframe f;

		if (!seen) {
			seen = find(s, len, key) != NULL;
			continue;
		}
		if (!parse_frame(c, s, len, &f))
			return NULL;
		if (f.reliable && !skipped(c, f.function, NULL))
			return f.function;
	}
	return NULL;
}
