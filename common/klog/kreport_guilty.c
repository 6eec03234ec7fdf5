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
		const char *q = find_in(s, (size_t)(end - s), *stops);

		if (q)
			end = q;
	}
	while (end > s && end[-1] == ' ')
		end--;
	return kp_dup(c, s, (size_t)(end - s));
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
			seen = find_in(s, len, key) != NULL;
			continue;
		}
		if (!kp_parse_frame(c, s, len, &f))
			return NULL;
		if (f.reliable && !skipped(c, f.function, NULL))
			return f.function;
	}
	return NULL;
}
