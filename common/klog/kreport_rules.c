/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rules that decide which frame of a report is to blame, as data: function-name
 * patterns by family, source directories (for frames that carry file:line), the WARN sites
 * in shared infrastructure, and the entry points that end a stalled task's own work.
 * kreport_guilty.c walks the frames; everything it skips is decided here.
 *
 * A pattern is written for the name with its leading underscores removed, so "kmalloc*"
 * also covers "__kmalloc" and "___kmalloc": "x*" a prefix, "*x" a suffix, "*x*" anywhere
 * in the name (the raw name, underscores kept), "x" the whole name. Prefixes are the
 * cheap and precise kind; "*x*" is for families without a common start (".*_noprof").
 *
 * To add a rule: put the pattern in the family it belongs to (or start a family with a
 * comment saying why its members never identify a bug), with KP_SKIP_ALWAYS unless it only
 * holds for some report kinds; add a unit case in tests/unit/test_kreport_rules.c that names
 * the frame the rule now passes over.
 */
#include <string.h>

#include "kreport_int.h"
#include "util.h"

struct fn_rule {
	const char *pat;
	unsigned when;          /* KP_SKIP_*: in which reports the rule applies */
};

static const struct fn_rule fn_rules[] = {
	/* Reporting itself: the code that prints a report is never its cause. */
	{ "dump_stack*", KP_SKIP_ALWAYS }, { "show_stack*", KP_SKIP_ALWAYS },
	{ "*__warn*", KP_SKIP_ALWAYS }, { "warn_slowpath*", KP_SKIP_ALWAYS },
	{ "warn_alloc*", KP_SKIP_ALWAYS }, { "warn_bogus*", KP_SKIP_ALWAYS },
	{ "report_bug*", KP_SKIP_ALWAYS }, { "fixup_bug*", KP_SKIP_ALWAYS },
	{ "handle_bug*", KP_SKIP_ALWAYS }, { "*do_error_trap*", KP_SKIP_ALWAYS },
	{ "*do_trap*", KP_SKIP_ALWAYS }, { "die", KP_SKIP_ALWAYS }, { "die_*", KP_SKIP_ALWAYS },
	{ "*invalid_op*", KP_SKIP_ALWAYS }, { "*exc_*", KP_SKIP_ALWAYS }, { "*asm_*", KP_SKIP_ALWAYS },
	{ "*_trap*", KP_SKIP_ALWAYS }, { "*panic*", KP_SKIP_ALWAYS }, { "*printk*", KP_SKIP_ALWAYS },
	{ "vprintk*", KP_SKIP_ALWAYS }, { "console_flush*", KP_SKIP_ALWAYS },
	{ "*dump_backtrace*", KP_SKIP_ALWAYS }, { "*bad_stack*", KP_SKIP_ALWAYS },
	{ "nmi_cpu_backtrace*", KP_SKIP_ALWAYS }, { "nmi_trigger_cpumask_backtrace*", KP_SKIP_ALWAYS },
	{ "print_address_description*", KP_SKIP_ALWAYS }, { "*print_report*", KP_SKIP_ALWAYS },
	{ "print_usage_bug*", KP_SKIP_ALWAYS }, { "print_circular_bug*", KP_SKIP_ALWAYS },
	/* Stack walking and unwinding: they run because a report is printed. */
	{ "stack_trace_*", KP_SKIP_ALWAYS }, { "arch_stack_walk*", KP_SKIP_ALWAYS },
	{ "unwind_*", KP_SKIP_ALWAYS }, { "stack_depot_*", KP_SKIP_ALWAYS },
	{ "save_stack*", KP_SKIP_ALWAYS }, { "kernel_text_address*", KP_SKIP_ALWAYS },
	/* Sanitizer runtimes: they detect the bug in their caller. */
	{ "*sanitizer*", KP_SKIP_ALWAYS }, { "asan_*", KP_SKIP_ALWAYS }, { "*kasan*", KP_SKIP_ALWAYS },
	{ "msan_*", KP_SKIP_ALWAYS }, { "*kmsan*", KP_SKIP_ALWAYS }, { "*kfence*", KP_SKIP_ALWAYS },
	{ "kcsan_*", KP_SKIP_ALWAYS }, { "tsan_*", KP_SKIP_ALWAYS }, { "*ubsan*", KP_SKIP_ALWAYS },
	{ "*check_memory_region*", KP_SKIP_ALWAYS }, { "check_heap_object*", KP_SKIP_ALWAYS },
	{ "check_object*", KP_SKIP_ALWAYS }, { "read_word_at_a_time*", KP_SKIP_ALWAYS },
	{ "*should_fail*", KP_SKIP_ALWAYS }, { "*debug_object*", KP_SKIP_ALWAYS },
	/* Rust's panic machinery: the panic is in the Rust function that called it. */
	{ "rust_begin_unwind*", KP_SKIP_ALWAYS }, { "rust_helper_BUG*", KP_SKIP_ALWAYS },
	{ "rust_panic*", KP_SKIP_ALWAYS }, { "*core9panicking*", KP_SKIP_ALWAYS },
	{ "*4core6option*expect_failed*", KP_SKIP_ALWAYS },
	/* Locking primitives, lockdep and its annotations (kept where the lock is the point). */
	{ "*lockdep*", KP_SKIP_ALWAYS }, { "lock_acquire*", KP_SKIP_ALWAYS },
	{ "lock_release*", KP_SKIP_ALWAYS }, { "*lock_class*", KP_SKIP_ALWAYS },
	{ "reacquire_held_locks*", KP_SKIP_ALWAYS }, { "*spin_lock*", KP_SKIP_ALWAYS },
	{ "*spin_trylock*", KP_SKIP_ALWAYS }, { "*spin_unlock*", KP_SKIP_ALWAYS },
	{ "*_raw_*", KP_SKIP_ALWAYS }, { "*mutex*", KP_SKIP_ALWAYS }, { "*rwsem*", KP_SKIP_ALWAYS },
	{ "osq_lock*", KP_SKIP_ALWAYS }, { "*down_read*", KP_SKIP_ALWAYS },
	{ "*down_write*", KP_SKIP_ALWAYS }, { "*up_read*", KP_SKIP_ALWAYS },
	{ "*up_write*", KP_SKIP_ALWAYS }, { "rt_mutex*", KP_SKIP_ALWAYS },
	{ "queued_*lock*", KP_SKIP_ALWAYS }, { "native_queued_*", KP_SKIP_ALWAYS },
	{ "pv_queued_*", KP_SKIP_ALWAYS }, { "percpu_down_*", KP_SKIP_ALWAYS },
	{ "percpu_up_*", KP_SKIP_ALWAYS }, { "local_bh_*", KP_SKIP_ALWAYS },
	{ "seqcount_*", KP_SKIP_ALWAYS }, { "write_seq*", KP_SKIP_ALWAYS },
	{ "*_lock", KP_SKIP_LOCKS }, { "*_unlock", KP_SKIP_LOCKS }, { "*_trylock", KP_SKIP_LOCKS },
	{ "lock_*", KP_SKIP_LOCKS }, { "unlock_*", KP_SKIP_LOCKS }, { "*_lock_*", KP_SKIP_LOCKS },
	{ "*_unlock_*", KP_SKIP_LOCKS },
	/* Refcounts and object lifetimes: the caller holds the wrong count. */
	{ "*refcount_*", KP_SKIP_ALWAYS }, { "*ref_tracker*", KP_SKIP_ALWAYS },
	{ "kref_*", KP_SKIP_ALWAYS }, { "*kobject_del*", KP_SKIP_ALWAYS },
	{ "*kobject_put*", KP_SKIP_ALWAYS }, { "*kobject_uevent*", KP_SKIP_ALWAYS },
	{ "*kobject_cleanup*", KP_SKIP_ALWAYS }, { "*kobject_release*", KP_SKIP_ALWAYS },
	{ "*device_del*", KP_SKIP_ALWAYS }, { "*device_unregister*", KP_SKIP_ALWAYS },
	{ "*device_release*", KP_SKIP_ALWAYS }, { "*put_device*", KP_SKIP_ALWAYS },
	{ "*sysfs_remove*", KP_SKIP_ALWAYS },
	/* Allocation: the allocator is asked by the code at fault. */
	{ "*kmalloc*", KP_SKIP_ALWAYS }, { "*kzalloc*", KP_SKIP_ALWAYS }, { "*kcalloc*", KP_SKIP_ALWAYS },
	{ "*krealloc*", KP_SKIP_ALWAYS }, { "*kvmalloc*", KP_SKIP_ALWAYS }, { "*kvfree*", KP_SKIP_ALWAYS },
	{ "*kfree*", KP_SKIP_ALWAYS }, { "*vmalloc*", KP_SKIP_ALWAYS }, { "*vfree*", KP_SKIP_ALWAYS },
	{ "*kmem_cache*", KP_SKIP_ALWAYS }, { "*slab_*", KP_SKIP_ALWAYS }, { "*_noprof*", KP_SKIP_ALWAYS },
	{ "*alloc_pages*", KP_SKIP_ALWAYS }, { "kmemdup*", KP_SKIP_ALWAYS },
	{ "memdup_*", KP_SKIP_ALWAYS }, { "kstrdup*", KP_SKIP_ALWAYS },
	{ "free_pages*", KP_SKIP_ALWAYS }, { "folio_alloc*", KP_SKIP_ALWAYS },
	{ "page_frag_alloc*", KP_SKIP_ALWAYS },
	/* String and memory primitives, user copies. */
	{ "*memcpy*", KP_SKIP_ALWAYS }, { "*memcmp*", KP_SKIP_ALWAYS }, { "*memset*", KP_SKIP_ALWAYS },
	{ "*memmove*", KP_SKIP_ALWAYS }, { "*memchr*", KP_SKIP_ALWAYS }, { "*strcmp*", KP_SKIP_ALWAYS },
	{ "*strncmp*", KP_SKIP_ALWAYS }, { "*strcpy*", KP_SKIP_ALWAYS }, { "*strlcpy*", KP_SKIP_ALWAYS },
	{ "*strncpy*", KP_SKIP_ALWAYS }, { "*strscpy*", KP_SKIP_ALWAYS }, { "*strlen*", KP_SKIP_ALWAYS },
	{ "*strnlen*", KP_SKIP_ALWAYS }, { "*strchr*", KP_SKIP_ALWAYS }, { "strrchr*", KP_SKIP_ALWAYS },
	{ "strstr*", KP_SKIP_ALWAYS }, { "*copy_to_user*", KP_SKIP_ALWAYS },
	{ "*copy_from_user*", KP_SKIP_ALWAYS }, { "*put_user*", KP_SKIP_ALWAYS },
	{ "*get_user*", KP_SKIP_ALWAYS }, { "*might_fault*", KP_SKIP_ALWAYS },
	{ "*might_sleep*", KP_SKIP_ALWAYS }, { "copy_page*", KP_SKIP_ALWAYS },
	{ "*_indirect_thunk_*", KP_SKIP_ALWAYS }, { "xas_*", KP_SKIP_ALWAYS },
	/* Checksums: generic arithmetic over the caller's buffer. */
	{ "csum_*", KP_SKIP_ALWAYS }, { "do_csum*", KP_SKIP_ALWAYS }, { "ip_compute_csum*", KP_SKIP_ALWAYS },
	/* Lists, trees, hash tables, bitmaps: data structures walked for their owner. */
	{ "*list_add*", KP_SKIP_ALWAYS }, { "*list_del*", KP_SKIP_ALWAYS },
	{ "*list_replace*", KP_SKIP_ALWAYS }, { "*list_move*", KP_SKIP_ALWAYS },
	{ "*list_splice*", KP_SKIP_ALWAYS }, { "hlist_*", KP_SKIP_ALWAYS }, { "llist_*", KP_SKIP_ALWAYS },
	{ "klist_*", KP_SKIP_ALWAYS }, { "rb_*", KP_SKIP_ALWAYS },
	{ "rht_*", KP_SKIP_ALWAYS }, { "rhashtable_*", KP_SKIP_ALWAYS },
	{ "rhltable_*", KP_SKIP_ALWAYS }, { "radix_tree_*", KP_SKIP_ALWAYS },
	{ "idr_*", KP_SKIP_ALWAYS }, { "ida_*", KP_SKIP_ALWAYS }, { "xa_*", KP_SKIP_ALWAYS },
	{ "bitmap_*", KP_SKIP_ALWAYS }, { "find_next_bit*", KP_SKIP_ALWAYS },
	{ "sort_r*", KP_SKIP_ALWAYS }, { "bsearch*", KP_SKIP_ALWAYS },
	/* Timers, completions, wait queues, sleeping: how the work waits, not what it is. */
	{ "*mod_timer*", KP_SKIP_ALWAYS }, { "*del_timer*", KP_SKIP_ALWAYS },
	{ "*add_timer*", KP_SKIP_ALWAYS }, { "timer_delete*", KP_SKIP_ALWAYS },
	{ "timer_shutdown*", KP_SKIP_ALWAYS }, { "hrtimer_*", KP_SKIP_ALWAYS },
	{ "*__wake_up*", KP_SKIP_ALWAYS }, { "wake_up_*", KP_SKIP_ALWAYS },
	{ "complete", KP_SKIP_ALWAYS }, { "complete_all", KP_SKIP_ALWAYS },
	{ "wait_for_completion*", KP_SKIP_ALWAYS }, { "wait_on_bit*", KP_SKIP_ALWAYS },
	{ "out_of_line_wait_on_bit*", KP_SKIP_ALWAYS }, { "prepare_to_wait*", KP_SKIP_ALWAYS },
	{ "finish_wait*", KP_SKIP_ALWAYS }, { "autoremove_wake_function*", KP_SKIP_ALWAYS },
	{ "schedule", KP_SKIP_ALWAYS }, { "schedule_timeout*", KP_SKIP_ALWAYS },
	{ "schedule_preempt_disabled*", KP_SKIP_ALWAYS }, { "io_schedule*", KP_SKIP_ALWAYS },
	{ "msleep*", KP_SKIP_ALWAYS }, { "usleep_range*", KP_SKIP_ALWAYS },
	{ "bit_wait*", KP_SKIP_ALWAYS }, { "rcuwait_*", KP_SKIP_ALWAYS },
	/* Workqueues and kthread management: the queued work or the thread function is meant. */
	{ "*cancel_work*", KP_SKIP_ALWAYS }, { "*flush_work*", KP_SKIP_ALWAYS },
	{ "*cancel_delayed_work*", KP_SKIP_ALWAYS }, { "*flush_workqueue*", KP_SKIP_ALWAYS },
	{ "*drain_workqueue*", KP_SKIP_ALWAYS }, { "*destroy_workqueue*", KP_SKIP_ALWAYS },
	{ "*queue_work*", KP_SKIP_ALWAYS }, { "*queue_delayed_work*", KP_SKIP_ALWAYS },
	{ "kthread_*", KP_SKIP_ALWAYS },
	/* Port I/O and MMIO accessors. */
	{ "*logic_in*", KP_SKIP_ALWAYS }, { "*logic_out*", KP_SKIP_ALWAYS }, { "*readb*", KP_SKIP_ALWAYS },
	{ "*readw*", KP_SKIP_ALWAYS }, { "*readl*", KP_SKIP_ALWAYS }, { "*writeb*", KP_SKIP_ALWAYS },
	{ "*writew*", KP_SKIP_ALWAYS }, { "*writel*", KP_SKIP_ALWAYS }, { "*ioread*", KP_SKIP_ALWAYS },
	{ "*iowrite*", KP_SKIP_ALWAYS },

	/* Per report kind: helpers of the API the report is about. */
	{ "*refcount*", KP_SKIP_REFCOUNT },
	{ "*kobject_*", KP_SKIP_REFCOUNT | KP_SKIP_KOBJECT | KP_SKIP_ODEBUG },
	{ "*list_*", KP_SKIP_LIST },
	{ "*debug_*", KP_SKIP_ODEBUG }, { "*rcu*", KP_SKIP_ODEBUG | KP_SKIP_RCU_USAGE },
	{ "*hrtimer_*", KP_SKIP_ODEBUG }, { "*timer_*", KP_SKIP_ODEBUG }, { "*work_*", KP_SKIP_ODEBUG },
	{ "*percpu_*", KP_SKIP_ODEBUG }, { "*kmem_*", KP_SKIP_ODEBUG | KP_SKIP_FREE },
	{ "*kmem*", KP_SKIP_RCU_USAGE }, { "*slab*", KP_SKIP_RCU_USAGE },
	{ "*slab_*", KP_SKIP_ODEBUG | KP_SKIP_FREE }, { "*kfree*", KP_SKIP_ODEBUG | KP_SKIP_FREE },
	{ "*vunmap*", KP_SKIP_ODEBUG | KP_SKIP_FREE }, { "*vfree*", KP_SKIP_ODEBUG | KP_SKIP_FREE },
	{ "*__free_*", KP_SKIP_ODEBUG },
	{ "*usercopy*", KP_SKIP_USERCOPY }, { "*__check*", KP_SKIP_USERCOPY },
	{ "*lock_sock*", KP_SKIP_LOCKING_BUG }, { "*release_sock*", KP_SKIP_LOCKING_BUG },
	{ "*stack*", KP_SKIP_NONSTATIC_KEY }, { "*lock*", KP_SKIP_NONSTATIC_KEY },
	{ "*IRQ*", KP_SKIP_NONSTATIC_KEY },
	{ "*schedule*", KP_SKIP_ATOMIC }, { "*preempt*", KP_SKIP_ATOMIC }, { "*__might*", KP_SKIP_ATOMIC },
	{ "*might_*", KP_SKIP_ATOMIC },
	{ "*overflow*", KP_SKIP_UBSAN },
	{ "*sched*", KP_SKIP_HUNG }, { "*_lock*", KP_SKIP_HUNG }, { "*_slowlock*", KP_SKIP_HUNG },
	{ "*down*", KP_SKIP_HUNG }, { "*completion*", KP_SKIP_HUNG }, { "*kthread*", KP_SKIP_HUNG },
	{ "*wait*", KP_SKIP_HUNG }, { "*synchronize*", KP_SKIP_HUNG },
	{ "*context_switch*", KP_SKIP_HUNG }, { "*__switch_to*", KP_SKIP_HUNG },
	{ "*barrier*", KP_SKIP_HUNG },
	/* the stall detector and the timer interrupt that ran it */
	{ "*rcu*", KP_SKIP_STALL }, { "*apic_timer*", KP_SKIP_STALL },
};

/* Source files and directories of generic code, for frames that say where they are
 * (KASAN and debug-info kernels): a stronger signal than the name. */
static const char *const skip_dirs[] = {
	"lib/",                         /* generic library code */
	"kernel/locking/", "kernel/sched/", "kernel/time/", "kernel/printk/",
	"kernel/kcsan/", "kernel/stacktrace.c", "kernel/panic.c", "kernel/kthread.c",
	"mm/kasan/", "mm/kfence/", "mm/kmsan/", "mm/slub.c", "mm/slab.c", "mm/slab_common.c",
	"mm/page_alloc.c", "mm/vmalloc.c", "mm/util.c",
	"arch/x86/kernel/unwind_", "arch/x86/kernel/dumpstack", "arch/x86/kernel/traps.c",
	"arch/arm64/kernel/stacktrace.c", "arch/arm64/kernel/traps.c",
	"arch/x86/lib/", "arch/arm64/lib/",
	"rust/helpers/", "rust/kernel/",
	"include/linux/spinlock", "include/linux/list", "include/linux/rbtree",
	"include/linux/refcount.h", "include/linux/kref.h", "include/linux/slab.h",
	"include/linux/instrumented.h", "include/linux/kasan", "include/linux/fortify-string.h",
	"include/linux/uaccess.h", "include/linux/rhashtable.h", "include/linux/wait",
	"include/asm-generic/", "arch/x86/include/",
};

/* WARN sites in shared infrastructure (an API that checks its caller): the caller is the
 * guilty one, not the function that warned. */
static const char *const infra_sites[] = {
	"kernel/rcu/", "kernel/workqueue.c", "kernel/locking/", "kernel/sched/", "lib/",
	"mm/slab", "mm/slub.c", "mm/page_alloc.c", "mm/vmalloc.c", "mm/percpu", "kernel/kthread.c",
	"kernel/time/timer.c", "kernel/softirq.c", "kernel/panic.c",
};

/* Entry points of work: the frame called just before one names what a stalled task ran. */
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

/* A hung task stuck in one of these global waits is named by the wait itself: the caller
 * is rarely the one holding it up. */
static const struct {
	const char *prefix, *name;
} hung_waits[] = {
	{ "rtnl_lock", "rtnl_lock" }, { "synchronize_rcu", "synchronize_rcu" },
	{ "synchronize_srcu", "synchronize_rcu" }, { "synchronize_net", "synchronize_rcu" },
	{ "synchronize_sched", "synchronize_rcu" },
};

static bool has_suffix(const char *s, size_t sl, const char *suf, size_t n)
{
	return sl >= n && memcmp(s + sl - n, suf, n) == 0;
}

static bool fn_match(const char *fn, const char *bare, size_t bl, const char *pat)
{
	size_t pl = strlen(pat);

	if (pat[0] == '*' && pat[pl - 1] == '*') {
		char needle[64];

		if (pl - 2 >= sizeof(needle))
			return false;
		memcpy(needle, pat + 1, pl - 2);
		needle[pl - 2] = '\0';
		return strstr(fn, needle) != NULL;
	}
	if (pat[0] == '*')
		return has_suffix(bare, bl, pat + 1, pl - 1);
	if (pat[pl - 1] == '*')
		return bl >= pl - 1 && memcmp(bare, pat, pl - 1) == 0;
	return bl == pl && memcmp(bare, pat, pl) == 0;
}

bool kp_rule_skip_fn(const char *fn, unsigned when)
{
	const char *bare = fn;
	size_t bl;

	while (*bare == '_')
		bare++;
	bl = strlen(bare);
	for (size_t i = 0; i < ELEMENTSOF(fn_rules); i++)
		if ((fn_rules[i].when & when) && fn_match(fn, bare, bl, fn_rules[i].pat))
			return true;
	return false;
}

bool kp_rule_skip_file(const char *file)
{
	if (!file)
		return false;
	if (startswith(file, "./"))
		file += 2;
	for (size_t i = 0; i < ELEMENTSOF(skip_dirs); i++)
		if (startswith(file, skip_dirs[i]))
			return true;
	return false;
}

bool kp_infra_file(const char *file)
{
	if (!file)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(infra_sites); i++)
		if (startswith(file, infra_sites[i]))
			return true;
	return false;
}

bool kp_rule_anchor(const char *fn)
{
	for (size_t i = 0; i < ELEMENTSOF(anchors); i++)
		if (strstr(fn, anchors[i]))
			return true;
	return false;
}

const char *kp_rule_hung_wait(const char *fn)
{
	for (size_t i = 0; i < ELEMENTSOF(hung_waits); i++)
		if (startswith(fn, hung_waits[i].prefix))
			return hung_waits[i].name;
	return NULL;
}
