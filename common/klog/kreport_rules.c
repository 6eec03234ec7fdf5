/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rules that decide which frame of a report is to blame, as data: function-name
 * patterns by family, source directories (for frames that carry file:line), the WARN sites
 * in shared infrastructure, and the entry points that end a stalled task's own work.
 * kreport_guilty.c walks the frames; everything it skips is decided here.
 *
 * A pattern applies to the name with its leading underscores removed, so PFX("kmalloc")
 * also covers "__kmalloc" and "___kmalloc": PFX a prefix, SFX a suffix, IS the whole name,
 * ANY anywhere in the raw name (underscores kept). Prefixes are the cheap and precise
 * kind; ANY is for families without a common start ("_noprof" variants).
 *
 * To add a rule: put the pattern in the family it belongs to (or start a family with a
 * comment saying why its members never identify a bug), with KP_SKIP_ALWAYS unless it only
 * holds for some report kinds; add a unit case in tests/unit/test_kreport_rules.c that names
 * the frame the rule now passes over.
 */
#include <stdint.h>
#include <string.h>

#include "kreport_int.h"
#include "util.h"

enum { MATCH_PREFIX, MATCH_SUFFIX, MATCH_ANYWHERE, MATCH_WHOLE };

struct fn_rule {
	unsigned char how;      /* MATCH_* */
	unsigned char len;      /* of pat */
	unsigned when;          /* KP_SKIP_*: in which reports the rule applies */
	const char *pat;
};

#define RULE(h, p, w) { (h), sizeof(p) - 1, (w), (p) }
#define PFX(p, w) RULE(MATCH_PREFIX, p, w)
#define SFX(p, w) RULE(MATCH_SUFFIX, p, w)
#define ANY(p, w) RULE(MATCH_ANYWHERE, p, w)
#define IS(p, w) RULE(MATCH_WHOLE, p, w)

static const struct fn_rule fn_rules[] = {
	/* Reporting itself: the code that prints a report is never its cause. */
	PFX("dump_stack", KP_SKIP_ALWAYS), PFX("show_stack", KP_SKIP_ALWAYS),
	ANY("__warn", KP_SKIP_ALWAYS), PFX("warn_slowpath", KP_SKIP_ALWAYS),
	PFX("warn_alloc", KP_SKIP_ALWAYS), PFX("warn_bogus", KP_SKIP_ALWAYS),
	PFX("report_bug", KP_SKIP_ALWAYS), PFX("fixup_bug", KP_SKIP_ALWAYS),
	PFX("handle_bug", KP_SKIP_ALWAYS), ANY("do_error_trap", KP_SKIP_ALWAYS),
	ANY("do_trap", KP_SKIP_ALWAYS), IS("die", KP_SKIP_ALWAYS), PFX("die_", KP_SKIP_ALWAYS),
	ANY("invalid_op", KP_SKIP_ALWAYS), ANY("exc_", KP_SKIP_ALWAYS), ANY("asm_", KP_SKIP_ALWAYS),
	SFX("_trap", KP_SKIP_ALWAYS), ANY("panic", KP_SKIP_ALWAYS), ANY("printk", KP_SKIP_ALWAYS),
	PFX("vprintk", KP_SKIP_ALWAYS), PFX("console_flush", KP_SKIP_ALWAYS),
	ANY("dump_backtrace", KP_SKIP_ALWAYS), ANY("bad_stack", KP_SKIP_ALWAYS),
	PFX("nmi_cpu_backtrace", KP_SKIP_ALWAYS), PFX("nmi_trigger_cpumask_backtrace", KP_SKIP_ALWAYS),
	PFX("print_address_description", KP_SKIP_ALWAYS), ANY("print_report", KP_SKIP_ALWAYS),
	/* powerpc's trap path into the report */
	PFX("program_check_", KP_SKIP_ALWAYS),
	PFX("print_usage_bug", KP_SKIP_ALWAYS), PFX("print_circular_bug", KP_SKIP_ALWAYS),
	/* on arm32 the caller named after panic(), which never returns, is the next symbol */
	PFX("print_tainted", KP_SKIP_ALWAYS), IS("get_taint", KP_SKIP_ALWAYS),
	/* x86-64's return-from-interrupt path (4.x) */
	PFX("retint_", KP_SKIP_ALWAYS),
	/* Stack walking and unwinding: they run because a report is printed. */
	PFX("stack_trace_", KP_SKIP_ALWAYS), PFX("arch_stack_walk", KP_SKIP_ALWAYS),
	PFX("unwind_", KP_SKIP_ALWAYS), ANY("walk_stack", KP_SKIP_ALWAYS), PFX("stack_depot_", KP_SKIP_ALWAYS),
	PFX("save_stack", KP_SKIP_ALWAYS), PFX("kernel_text_address", KP_SKIP_ALWAYS),
	/* Sanitizer runtimes: they detect the bug in their caller. */
	ANY("sanitizer", KP_SKIP_ALWAYS), ANY("hwasan", KP_SKIP_ALWAYS), PFX("asan_", KP_SKIP_ALWAYS), ANY("kasan", KP_SKIP_ALWAYS),
	PFX("msan_", KP_SKIP_ALWAYS), ANY("kmsan", KP_SKIP_ALWAYS), ANY("kfence", KP_SKIP_ALWAYS),
	PFX("kcsan_", KP_SKIP_ALWAYS), PFX("tsan_", KP_SKIP_ALWAYS), ANY("ubsan", KP_SKIP_ALWAYS),
	ANY("check_memory_region", KP_SKIP_ALWAYS), PFX("check_heap_object", KP_SKIP_ALWAYS),
	PFX("check_object", KP_SKIP_ALWAYS), PFX("read_word_at_a_time", KP_SKIP_ALWAYS),
	/* the unwinder's reads that the sanitizers must not see */
	PFX("read_once_", KP_SKIP_ALWAYS), PFX("write_once_", KP_SKIP_ALWAYS),
	PFX("phys_addr", KP_SKIP_ALWAYS),
	ANY("should_fail", KP_SKIP_ALWAYS), ANY("debug_object", KP_SKIP_ALWAYS),
	/* Assertion helpers (filesystems' ASSERT): the assertion's caller failed it. */
	ANY("assertfail", KP_SKIP_ALWAYS), PFX("assfail", KP_SKIP_ALWAYS),
	/* Rust's panic machinery: the panic is in the Rust function that called it. */
	ANY("rust_begin_unwind", KP_SKIP_ALWAYS), PFX("rust_helper_BUG", KP_SKIP_ALWAYS),
	PFX("rust_panic", KP_SKIP_ALWAYS), ANY("core9panicking", KP_SKIP_ALWAYS),
	ANY("4core6option*expect_failed", KP_SKIP_ALWAYS),
	/* Locking primitives, lockdep and its annotations (kept where the lock is the point). */
	ANY("lockdep", KP_SKIP_ALWAYS), ANY("lock_acquire", KP_SKIP_ALWAYS),
	ANY("lock_release", KP_SKIP_ALWAYS), ANY("lock_class", KP_SKIP_ALWAYS),
	PFX("reacquire_held_locks", KP_SKIP_ALWAYS), PFX("mark_held_locks", KP_SKIP_ALWAYS),
	PFX("mark_lock", KP_SKIP_ALWAYS), PFX("print_unlock", KP_SKIP_ALWAYS),
	ANY("imbalance_bug", KP_SKIP_ALWAYS), PFX("owner_on_cpu", KP_SKIP_ALWAYS),
	PFX("raw_spin_rq", KP_SKIP_ALWAYS), PFX("seqprop_assert", KP_SKIP_ALWAYS),
	ANY("bh_enable", KP_SKIP_ALWAYS), ANY("bh_disable", KP_SKIP_ALWAYS),
	ANY("read_lock", KP_SKIP_ALWAYS), ANY("read_unlock", KP_SKIP_ALWAYS),
	ANY("read_trylock", KP_SKIP_ALWAYS), ANY("write_lock", KP_SKIP_ALWAYS),
	ANY("write_unlock", KP_SKIP_ALWAYS), ANY("write_trylock", KP_SKIP_ALWAYS),
	ANY("spin_lock", KP_SKIP_ALWAYS),
	ANY("spin_trylock", KP_SKIP_ALWAYS), ANY("spin_unlock", KP_SKIP_ALWAYS),
	ANY("_raw_", KP_SKIP_ALWAYS), PFX("mutex", KP_SKIP_ALWAYS), ANY("rwsem", KP_SKIP_ALWAYS),
	PFX("osq_", KP_SKIP_ALWAYS), IS("down", KP_SKIP_ALWAYS), PFX("down_trylock", KP_SKIP_ALWAYS), ANY("down_read", KP_SKIP_ALWAYS),
	ANY("down_write", KP_SKIP_ALWAYS), ANY("up_read", KP_SKIP_ALWAYS),
	ANY("up_write", KP_SKIP_ALWAYS), PFX("rt_mutex", KP_SKIP_ALWAYS),
	PFX("queued_*lock", KP_SKIP_ALWAYS), PFX("native_queued_", KP_SKIP_ALWAYS),
	PFX("pv_queued_", KP_SKIP_ALWAYS), PFX("percpu_down_", KP_SKIP_ALWAYS),
	PFX("percpu_up_", KP_SKIP_ALWAYS), PFX("local_bh_", KP_SKIP_ALWAYS),
	/* the page lock: a page-cache wait, even where locks are the point */
	PFX("lock_page", KP_SKIP_ALWAYS), PFX("unlock_page", KP_SKIP_ALWAYS),
	PFX("seqcount_", KP_SKIP_ALWAYS), PFX("write_seq", KP_SKIP_ALWAYS),
	SFX("_lock", KP_SKIP_LOCKS), SFX("_unlock", KP_SKIP_LOCKS), SFX("_trylock", KP_SKIP_LOCKS),
	PFX("lock_", KP_SKIP_LOCKS), PFX("unlock_", KP_SKIP_LOCKS), ANY("_lock_", KP_SKIP_LOCKS),
	ANY("_unlock_", KP_SKIP_LOCKS),
	/* Refcounts and object lifetimes: the caller holds the wrong count. */
	PFX("refcount_", KP_SKIP_ALWAYS), ANY("ref_tracker", KP_SKIP_ALWAYS),
	PFX("kref_", KP_SKIP_ALWAYS), ANY("kobject_", KP_SKIP_ALWAYS),
	ANY("device_del", KP_SKIP_ALWAYS), ANY("device_unregister", KP_SKIP_ALWAYS),
	ANY("device_release", KP_SKIP_ALWAYS), ANY("put_device", KP_SKIP_ALWAYS),
	ANY("sysfs_remove", KP_SKIP_ALWAYS),
	/* Allocation: the allocator is asked by the code at fault. */
	/* every k/v/kv/devm flavour of malloc, zalloc and calloc */
	ANY("malloc", KP_SKIP_ALWAYS), ANY("zalloc", KP_SKIP_ALWAYS), ANY("calloc", KP_SKIP_ALWAYS),
	ANY("krealloc", KP_SKIP_ALWAYS), ANY("kvmalloc", KP_SKIP_ALWAYS), ANY("kvfree", KP_SKIP_ALWAYS),
	ANY("kfree", KP_SKIP_ALWAYS), ANY("vmalloc", KP_SKIP_ALWAYS), ANY("vfree", KP_SKIP_ALWAYS),
	ANY("kmem_cache", KP_SKIP_ALWAYS), ANY("slab_", KP_SKIP_ALWAYS), ANY("_noprof", KP_SKIP_ALWAYS),
	ANY("alloc_page", KP_SKIP_ALWAYS), ANY("memdup", KP_SKIP_ALWAYS),
	ANY("strdup", KP_SKIP_ALWAYS), ANY("strndup", KP_SKIP_ALWAYS), PFX("allocate_slab", KP_SKIP_ALWAYS),
	PFX("free_pages", KP_SKIP_ALWAYS), ANY("folio_alloc", KP_SKIP_ALWAYS),
	ANY("folio_unlock", KP_SKIP_ALWAYS),
	PFX("page_frag_alloc", KP_SKIP_ALWAYS),
	/* String and memory primitives, user copies. */
	ANY("memcpy", KP_SKIP_ALWAYS), ANY("memcmp", KP_SKIP_ALWAYS), ANY("memset", KP_SKIP_ALWAYS),
	ANY("memmove", KP_SKIP_ALWAYS), ANY("memchr", KP_SKIP_ALWAYS), ANY("strcmp", KP_SKIP_ALWAYS),
	ANY("strncmp", KP_SKIP_ALWAYS), ANY("strcpy", KP_SKIP_ALWAYS), ANY("strlcpy", KP_SKIP_ALWAYS),
	ANY("strncpy", KP_SKIP_ALWAYS), ANY("strscpy", KP_SKIP_ALWAYS), ANY("strlen", KP_SKIP_ALWAYS),
	ANY("strnlen", KP_SKIP_ALWAYS), ANY("strchr", KP_SKIP_ALWAYS), ANY("strrchr", KP_SKIP_ALWAYS),
	ANY("strstr", KP_SKIP_ALWAYS), ANY("strnstr", KP_SKIP_ALWAYS), ANY("copy_to_user", KP_SKIP_ALWAYS),
	ANY("copy_from_user", KP_SKIP_ALWAYS), ANY("copy_to_iter", KP_SKIP_ALWAYS),
	ANY("copy_from_iter", KP_SKIP_ALWAYS), ANY("copy_page_to_iter", KP_SKIP_ALWAYS),
	ANY("copy_page_from_iter", KP_SKIP_ALWAYS), ANY("copy_folio_to_iter", KP_SKIP_ALWAYS), ANY("put_user", KP_SKIP_ALWAYS),
	ANY("get_user", KP_SKIP_ALWAYS), ANY("might_fault", KP_SKIP_ALWAYS), IS("copyin", KP_SKIP_ALWAYS),
	IS("copyout", KP_SKIP_ALWAYS), PFX("might_resched", KP_SKIP_ALWAYS),
	PFX("extract_user_to_sg", KP_SKIP_ALWAYS), PFX("extract_iter_to_sg", KP_SKIP_ALWAYS),
	ANY("might_sleep", KP_SKIP_ALWAYS), PFX("copy_page", KP_SKIP_ALWAYS),
	ANY("_indirect_thunk_", KP_SKIP_ALWAYS), PFX("xas_", KP_SKIP_ALWAYS),
	/* Checksums: generic arithmetic over the caller's buffer. */
	PFX("csum_", KP_SKIP_ALWAYS), PFX("do_csum", KP_SKIP_ALWAYS), PFX("ip_compute_csum", KP_SKIP_ALWAYS),
	/* Lists, trees, hash tables, bitmaps: data structures walked for their owner. */
	ANY("list_add", KP_SKIP_ALWAYS), ANY("list_del", KP_SKIP_ALWAYS),
	ANY("list_replace", KP_SKIP_ALWAYS), ANY("list_move", KP_SKIP_ALWAYS),
	ANY("list_splice", KP_SKIP_ALWAYS),
	ANY("list_add", KP_SKIP_ALWAYS), ANY("list_del", KP_SKIP_ALWAYS),
	ANY("list_replace", KP_SKIP_ALWAYS), ANY("list_move", KP_SKIP_ALWAYS),
	ANY("list_splice", KP_SKIP_ALWAYS), PFX("hlist_", KP_SKIP_ALWAYS), PFX("llist_", KP_SKIP_ALWAYS),
	PFX("klist_", KP_SKIP_ALWAYS), PFX("rb_", KP_SKIP_ALWAYS),
	PFX("rht_", KP_SKIP_ALWAYS), PFX("rhashtable_", KP_SKIP_ALWAYS),
	PFX("rhltable_", KP_SKIP_ALWAYS),
	PFX("idr_", KP_SKIP_ALWAYS), PFX("ida_", KP_SKIP_ALWAYS), PFX("xa_", KP_SKIP_ALWAYS),
	PFX("bitmap_", KP_SKIP_ALWAYS), PFX("find_next_bit", KP_SKIP_ALWAYS),
	PFX("sort_r", KP_SKIP_ALWAYS), PFX("bsearch", KP_SKIP_ALWAYS),
	/* Timers, completions, wait queues, sleeping: how the work waits, not what it is. */
	ANY("mod_timer", KP_SKIP_ALWAYS), ANY("del_timer", KP_SKIP_ALWAYS),
	ANY("add_timer", KP_SKIP_ALWAYS), PFX("timer_delete", KP_SKIP_ALWAYS),
	PFX("timer_shutdown", KP_SKIP_ALWAYS), PFX("lock_timer_base", KP_SKIP_ALWAYS),
	ANY("stop_timer_sync", KP_SKIP_ALWAYS), PFX("cleanup_srcu_struct", KP_SKIP_ALWAYS), PFX("hrtimer_", KP_SKIP_ALWAYS),
	ANY("__wake_up", KP_SKIP_ALWAYS), IS("wake_up_process", KP_SKIP_ALWAYS),
	PFX("wake_up_bit", KP_SKIP_ALWAYS), PFX("wake_up_var", KP_SKIP_ALWAYS),
	PFX("wake_up_q", KP_SKIP_ALWAYS), PFX("wake_up_state", KP_SKIP_ALWAYS),
	IS("complete", KP_SKIP_ALWAYS), IS("complete_all", KP_SKIP_ALWAYS),
	ANY("wait_for_completion", KP_SKIP_ALWAYS), PFX("wait_on_bit", KP_SKIP_ALWAYS),
	PFX("out_of_line_wait_on_bit", KP_SKIP_ALWAYS), PFX("prepare_to_wait", KP_SKIP_ALWAYS),
	ANY("finish_wait", KP_SKIP_ALWAYS), PFX("autoremove_wake_function", KP_SKIP_ALWAYS),
	IS("schedule", KP_SKIP_ALWAYS), PFX("schedule_timeout", KP_SKIP_ALWAYS),
	PFX("schedule_preempt_disabled", KP_SKIP_ALWAYS), PFX("io_schedule", KP_SKIP_ALWAYS),
	PFX("msleep", KP_SKIP_ALWAYS), PFX("usleep_range", KP_SKIP_ALWAYS),
	PFX("bit_wait", KP_SKIP_ALWAYS), PFX("rcuwait_", KP_SKIP_ALWAYS),
	/* Workqueues and kthread management: the queued work or the thread function is meant. */
	ANY("cancel_work", KP_SKIP_ALWAYS), ANY("flush_work", KP_SKIP_ALWAYS),
	ANY("cancel_delayed_work", KP_SKIP_ALWAYS), ANY("flush_workqueue", KP_SKIP_ALWAYS),
	ANY("drain_workqueue", KP_SKIP_ALWAYS), ANY("destroy_workqueue", KP_SKIP_ALWAYS),
	ANY("queue_work", KP_SKIP_ALWAYS), ANY("queue_delayed_work", KP_SKIP_ALWAYS),
	PFX("kthread_", KP_SKIP_ALWAYS), PFX("try_to_grab_pending", KP_SKIP_ALWAYS),
	PFX("insert_work", KP_SKIP_ALWAYS),
	/* The driver core and its buses registering and tearing down devices for a driver:
	 * the driver's probe or disconnect is what went wrong. */
	ANY("device_add", KP_SKIP_ALWAYS), ANY("device_destroy", KP_SKIP_ALWAYS),
	PFX("get_device_parent", KP_SKIP_ALWAYS), PFX("devres_release", KP_SKIP_ALWAYS),
	PFX("device_for_each_child", KP_SKIP_ALWAYS), PFX("device_remove_file", KP_SKIP_ALWAYS),
	PFX("add_uevent_var", KP_SKIP_ALWAYS), PFX("unregister_client", KP_SKIP_ALWAYS),
	PFX("i2c_del_adapter", KP_SKIP_ALWAYS), PFX("hwrng_unregister", KP_SKIP_ALWAYS),
	PFX("tty_unregister_device", KP_SKIP_ALWAYS), PFX("rollback_registered", KP_SKIP_ALWAYS),
	PFX("unregister_netdev", KP_SKIP_ALWAYS),
	PFX("usb_kill_", KP_SKIP_ALWAYS), PFX("usb_submit_urb", KP_SKIP_ALWAYS),
	PFX("usb_hcd_submit_urb", KP_SKIP_ALWAYS), PFX("usb_control_msg", KP_SKIP_ALWAYS),
	PFX("usb_start_wait_urb", KP_SKIP_ALWAYS), PFX("usb_bulk_msg", KP_SKIP_ALWAYS),
	PFX("usb_interrupt_msg", KP_SKIP_ALWAYS),
	ANY("urb_enqueue", KP_SKIP_ALWAYS),
	/* Bit operations and atomics on the caller's data. */
	PFX("test_and_", KP_SKIP_ALWAYS), ANY("set_bit", KP_SKIP_ALWAYS), ANY("clear_bit", KP_SKIP_ALWAYS),
	ANY("change_bit", KP_SKIP_ALWAYS), ANY("test_bit", KP_SKIP_ALWAYS), PFX("atomic_", KP_SKIP_ALWAYS),
	PFX("atomic64_", KP_SKIP_ALWAYS), PFX("arch_atomic", KP_SKIP_ALWAYS), PFX("raw_atomic", KP_SKIP_ALWAYS),
	/* Formatting and printing for the caller: vsprintf's walkers, dev_* printers, hex dumps. */
	ANY("string", KP_SKIP_ALWAYS), ANY("pointer", KP_SKIP_ALWAYS), ANY("snprintf", KP_SKIP_ALWAYS), ANY("scnprintf", KP_SKIP_ALWAYS),
	ANY("vsprintf", KP_SKIP_ALWAYS), ANY("va_format", KP_SKIP_ALWAYS), PFX("dev_printk", KP_SKIP_ALWAYS),
	/* every subsystem's flavour too (netdev_warn, ibdev_err) */
	ANY("dev_info", KP_SKIP_ALWAYS), ANY("dev_notice", KP_SKIP_ALWAYS), ANY("dev_warn", KP_SKIP_ALWAYS),
	ANY("dev_err", KP_SKIP_ALWAYS), ANY("dev_alert", KP_SKIP_ALWAYS), ANY("dev_crit", KP_SKIP_ALWAYS),
	ANY("dev_emerg", KP_SKIP_ALWAYS), ANY("hex_dump", KP_SKIP_ALWAYS), ANY("asprintf", KP_SKIP_ALWAYS),
	/* CRCs: arithmetic over the caller's buffer, like the checksums above. */
	PFX("crc", KP_SKIP_ALWAYS),
	/* Inode and dentry references, link counts and dirty marks: bookkeeping that warns
	 * about the filesystem calling it; the page cache's own walkers. */
	IS("iput", KP_SKIP_ALWAYS), IS("iput_final", KP_SKIP_ALWAYS), IS("ihold", KP_SKIP_ALWAYS),
	ANY("dput", KP_SKIP_ALWAYS), PFX("drop_nlink", KP_SKIP_ALWAYS),
	PFX("clear_nlink", KP_SKIP_ALWAYS), PFX("inc_nlink", KP_SKIP_ALWAYS),
	PFX("set_nlink", KP_SKIP_ALWAYS), PFX("mark_buffer_dirty", KP_SKIP_ALWAYS),
	PFX("find_lock_entries", KP_SKIP_ALWAYS), PFX("truncate_inode_pages", KP_SKIP_ALWAYS),
	/* page-cache lookups and fills: the reader asking for the page is the one named */
	PFX("do_read_cache_folio", KP_SKIP_ALWAYS), PFX("do_read_cache_page", KP_SKIP_ALWAYS),
	PFX("read_cache_page", KP_SKIP_ALWAYS), PFX("pagecache_get_page", KP_SKIP_ALWAYS),
	PFX("filemap_get_folio", KP_SKIP_ALWAYS), PFX("filemap_alloc_folio", KP_SKIP_ALWAYS),
	PFX("find_or_create_page", KP_SKIP_ALWAYS), PFX("grab_cache_page", KP_SKIP_ALWAYS),
	/* Instrumentation the kernel runs around the code: irq-state tracing, trace events,
	 * debug-object checks, the stack protector and fortify's reports. */
	ANY("trace_hardirqs", KP_SKIP_ALWAYS), ANY("trace_softirqs", KP_SKIP_ALWAYS),
	PFX("perf_trace", KP_SKIP_ALWAYS), ANY("is_static_object", KP_SKIP_ALWAYS),
	ANY("stack_chk", KP_SKIP_ALWAYS), ANY("fortify_", KP_SKIP_ALWAYS),
	/* arm64's translation-fault path into the report */
	PFX("do_kernel_fault", KP_SKIP_ALWAYS), PFX("do_translation_fault", KP_SKIP_ALWAYS),
	PFX("do_mem_abort", KP_SKIP_ALWAYS), PFX("el1_abort", KP_SKIP_ALWAYS),
	PFX("el1h_64_sync", KP_SKIP_ALWAYS), PFX("el1_sync", KP_SKIP_ALWAYS),
	PFX("do_tag_check_fault", KP_SKIP_ALWAYS), PFX("do_bad_area", KP_SKIP_ALWAYS),
	/* Port I/O and MMIO accessors. */
	/* (suffixes: "writeback" and "readlink" are not accessors) */
	PFX("logic_in", KP_SKIP_ALWAYS), PFX("logic_out", KP_SKIP_ALWAYS), SFX("readb", KP_SKIP_ALWAYS),
	SFX("readw", KP_SKIP_ALWAYS), SFX("readl", KP_SKIP_ALWAYS), SFX("readq", KP_SKIP_ALWAYS),
	SFX("writeb", KP_SKIP_ALWAYS), SFX("writew", KP_SKIP_ALWAYS), SFX("writel", KP_SKIP_ALWAYS),
	SFX("writeq", KP_SKIP_ALWAYS), PFX("ioread", KP_SKIP_ALWAYS), PFX("iowrite", KP_SKIP_ALWAYS),

	/* Per report kind: helpers of the API the report is about. */
	ANY("refcount", KP_SKIP_REFCOUNT),
	ANY("kobject_", KP_SKIP_REFCOUNT | KP_SKIP_KOBJECT | KP_SKIP_ODEBUG),
	ANY("list_", KP_SKIP_LIST),
	ANY("debug_", KP_SKIP_ODEBUG), ANY("rcu", KP_SKIP_ODEBUG | KP_SKIP_RCU_USAGE),
	ANY("hrtimer_", KP_SKIP_ODEBUG), ANY("timer_", KP_SKIP_ODEBUG), ANY("work_", KP_SKIP_ODEBUG),
	ANY("percpu_", KP_SKIP_ODEBUG), ANY("kmem_", KP_SKIP_ODEBUG | KP_SKIP_FREE),
	ANY("kmem", KP_SKIP_RCU_USAGE), ANY("slab", KP_SKIP_RCU_USAGE),
	ANY("slab_", KP_SKIP_ODEBUG | KP_SKIP_FREE), ANY("kfree", KP_SKIP_ODEBUG | KP_SKIP_FREE),
	ANY("vunmap", KP_SKIP_ODEBUG | KP_SKIP_FREE), ANY("vfree", KP_SKIP_ODEBUG | KP_SKIP_FREE),
	ANY("__free_", KP_SKIP_ODEBUG),
	ANY("usercopy", KP_SKIP_USERCOPY), ANY("__check", KP_SKIP_USERCOPY),
	ANY("lock_sock", KP_SKIP_LOCKING_BUG), ANY("release_sock", KP_SKIP_LOCKING_BUG),
	ANY("stack", KP_SKIP_NONSTATIC_KEY), ANY("lock", KP_SKIP_NONSTATIC_KEY),
	ANY("IRQ", KP_SKIP_NONSTATIC_KEY),
	ANY("schedule", KP_SKIP_ATOMIC | KP_SKIP_SCHEDULE), ANY("preempt", KP_SKIP_ATOMIC), ANY("__might", KP_SKIP_ATOMIC),
	ANY("might_", KP_SKIP_ATOMIC), ANY("smp_processor_id", KP_SKIP_ATOMIC),
	ANY("overflow", KP_SKIP_UBSAN),
	ANY("sched", KP_SKIP_HUNG), ANY("_lock", KP_SKIP_HUNG), ANY("_slowlock", KP_SKIP_HUNG),
	ANY("down", KP_SKIP_HUNG), ANY("completion", KP_SKIP_HUNG), ANY("kthread", KP_SKIP_HUNG),
	ANY("wait", KP_SKIP_HUNG), ANY("synchronize", KP_SKIP_HUNG),
	ANY("context_switch", KP_SKIP_HUNG), ANY("__switch_to", KP_SKIP_HUNG),
	ANY("barrier", KP_SKIP_HUNG),
	/* A leak's allocation stack: the allocator, its wrappers and the object trackers;
	 * the leaking code is the first caller outside them. */
	ANY("alloc", KP_SKIP_LEAK | KP_SKIP_PAGE), ANY("kmem", KP_SKIP_LEAK), ANY("slab", KP_SKIP_LEAK),
	PFX("create_object", KP_SKIP_LEAK), PFX("idr_get", KP_SKIP_LEAK), ANY("lru_init", KP_SKIP_LEAK),
	ANY("asprintf", KP_SKIP_LEAK), ANY("strdup", KP_SKIP_LEAK), ANY("strndup", KP_SKIP_LEAK),
	ANY("memdup", KP_SKIP_LEAK), PFX("pcpu_", KP_SKIP_LEAK), ANY("mmap", KP_SKIP_LEAK),
	/* A bad page's history: page and folio lifetime helpers around the owner. */
	ANY("_page", KP_SKIP_PAGE), ANY("folio", KP_SKIP_PAGE), ANY("free_unref", KP_SKIP_PAGE),
	PFX("truncate_inode_pages", KP_SKIP_PAGE), PFX("page_frag_free", KP_SKIP_PAGE),
	ANY("vmap", KP_SKIP_PAGE), PFX("page_owner", KP_SKIP_PAGE), PFX("page_pool", KP_SKIP_PAGE),
	PFX("post_alloc_hook", KP_SKIP_PAGE), PFX("prep_new_page", KP_SKIP_PAGE),
	/* Debug spinlocks report from their own slow path. */
	PFX("spin_", KP_SKIP_SPINLOCK), PFX("rwlock_", KP_SKIP_SPINLOCK), SFX("_lock", KP_SKIP_SPINLOCK),
	SFX("_unlock", KP_SKIP_SPINLOCK), ANY("_lock_", KP_SKIP_SPINLOCK), ANY("_unlock_", KP_SKIP_SPINLOCK),
	/* An uninitialised value is used where it reaches generic code: the skb allocator,
	 * netlink's replies, the crypto library; the protocol or driver feeding it is named. */
	ANY("alloc_skb", KP_SKIP_KMSAN), PFX("netlink_ack", KP_SKIP_KMSAN),
	PFX("netlink_rcv_skb", KP_SKIP_KMSAN), SFX("_encrypt", KP_SKIP_KMSAN),
	PFX("crypto_", KP_SKIP_KMSAN), PFX("cipher_", KP_SKIP_KMSAN), PFX("drbg_", KP_SKIP_KMSAN),
	PFX("rng_", KP_SKIP_KMSAN),
	/* A workqueue takes the lockdep map of the work it runs: a deadlock seen there is the
	 * work function's (the flushes and teardown are skipped everywhere) */
	IS("process_one_work", KP_SKIP_DEADLOCK),
	/* proc's registration helpers warn about the name their caller passed */
	PFX("proc_", KP_SKIP_PROC),
	/* sk_buff helpers that BUG on a bad length or headroom from their caller */
	PFX("skb_", KP_SKIP_SKB),
	/* the stall detector and the timer interrupt that ran it */
	ANY("rcu", KP_SKIP_STALL), ANY("apic_timer", KP_SKIP_STALL),
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
	"run_timer_softirq", "run_ksoftirqd", "smpboot_thread_fn", "start_secondary",
	"cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read", "vfs_iter_read",
	"vfs_iter_write", "do_iter_read", "do_iter_write", "vfs_ioctl", "blkdev_ioctl",
	"do_iter_readv_writev", "mmap_region", "do_mmap", "do_dentry_open", "vfs_open",
	"kernel_setsockopt", "sock_common_setsockopt", "sk_common_release", "__do_fault",
	"do_page_fault", "__fput", "task_work_run", "exit_to_usermode", "tasklet_action",
	"new_sync_read", "new_sync_write", "el0_svc_handler", "invoke_syscall", "ret_fast_syscall",
	"hrtimer_run", "ksys_ioctl", "compat_ioctl", "blkdev_driver_ioctl", "kernel_listen",
	"kernel_accept", "smp_call_function", "tasklet_hi_action",
};

/* Entry points that must start the name: a protocol's own handler ("llcp_sock_sendmsg")
 * is the work, the generic socket or netlink dispatcher is the entry. */
static const char *const anchors_prefix[] = {
	"sock_sendmsg", "sock_recvmsg", "sock_release", "__sock_release", "sock_mmap",
	"sock_do_ioctl", "sock_ioctl", "compat_sock_ioctl", "nfnetlink_rcv_msg",
	"rtnetlink_rcv_msg", "netlink_dump", "call_read_iter", "call_write_iter", "call_mmap",
	"socketpair", "connect", "ioctl", "sys_socketpair", "sys_connect", "sys_ioctl",
	"__sys_setsockopt", "__sys_listen", "__sys_accept", "__sys_connect", "__do_sys_connect",
	"__x64_sys_ioctl", "__do_sys_ioctl", "__se_sys_ioctl",
};

/* A hung task stuck in one of these global waits is named by the wait itself: the caller
 * is rarely the one holding it up. Found anywhere in a frame's name; with a name, every
 * flavour of the wait is titled alike, without one the frame keeps its own name
 * ("rtnl_lock_killable"). */
static const struct {
	const char *part, *name;
} hung_waits[] = {
	{ "rtnl_lock", NULL }, { "synchronize_rcu", "synchronize_rcu" },
	{ "synchronize_srcu", "synchronize_rcu" }, { "synchronize_net", "synchronize_rcu" },
	{ "synchronize_sched", "synchronize_rcu" },
};

/* A 64-bit summary of the character pairs in a name: a pattern whose first pair is not in
 * it cannot be anywhere in it, which spares most of the ANY rules' searches. */
static unsigned pair_bit(char a, char b)
{
	return ((unsigned char)a * 7u + (unsigned char)b) & 63u;
}

static bool fn_match(const char *fn, const char *bare, size_t bl, uint64_t pairs,
		     const struct fn_rule *r)
{
	switch (r->how) {
	case MATCH_PREFIX:
		return bl >= r->len && bare[0] == r->pat[0] && memcmp(bare, r->pat, r->len) == 0;
	case MATCH_SUFFIX:
		return bl >= r->len && memcmp(bare + bl - r->len, r->pat, r->len) == 0;
	case MATCH_ANYWHERE:
		return ((pairs >> pair_bit(r->pat[0], r->pat[1])) & 1) && strstr(fn, r->pat) != NULL;
	default:
		return bl == r->len && memcmp(bare, r->pat, r->len) == 0;
	}
}

bool kp_rule_skip_fn(const char *fn, unsigned when)
{
	const char *bare = fn;
	uint64_t pairs = 0;
	size_t bl;

	for (const char *p = fn; p[0] && p[1]; p++)
		pairs |= 1ull << pair_bit(p[0], p[1]);
	while (*bare == '_')
		bare++;
	bl = strlen(bare);
	for (size_t i = 0; i < ELEMENTSOF(fn_rules); i++)
		if ((fn_rules[i].when & when) && fn_match(fn, bare, bl, pairs, &fn_rules[i]))
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

/* Entry points named in full: as a part of a name they would match helpers
 * ("kthread_should_park") */
static const char *const anchors_whole[] = { "kthread", "setsockopt", "listen", "accept",
					     "page_fault" };

bool kp_rule_anchor(const char *fn)
{
	for (size_t i = 0; i < ELEMENTSOF(anchors_whole); i++)
		if (streq(fn, anchors_whole[i]))
			return true;
	for (size_t i = 0; i < ELEMENTSOF(anchors_prefix); i++)
		if (startswith(fn, anchors_prefix[i]))
			return true;
	for (size_t i = 0; i < ELEMENTSOF(anchors); i++)
		if (strstr(fn, anchors[i]))
			return true;
	return false;
}

const char *kp_rule_hung_wait(const char *fn)
{
	for (size_t i = 0; i < ELEMENTSOF(hung_waits); i++)
		if (strstr(fn, hung_waits[i].part))
			return hung_waits[i].name ? hung_waits[i].name : fn;
	return NULL;
}
