/* SPDX-License-Identifier: GPL-2.0-only */
/* Report kinds with a title format or a stack of their own (issue 22, round 2): kmemleak,
 * lockdep's lock-state reports at the level the kernel printed them, BUG kinds named by an
 * operation or an allocation history, KMSAN's bare stacks, 4.x trace lines with markers,
 * stalls in cross-CPU calls. The logs follow the kernel's own formats; the functions in them
 * are made up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog/kreport.h"

struct first {
	size_t n;
	enum kreport_type type;
	char title[256];
};

static void keep_first(const struct kreport *r, void *userdata)
{
	struct first *f = userdata;

	if (f->n++ == 0) {
		f->type = r->type;
		snprintf(f->title, sizeof(f->title), "%s", r->title ? r->title : "");
	}
}

static void expect(const char *log, enum kreport_type type, const char *title)
{
	struct first f;
	struct kparser *p;

	memset(&f, 0, sizeof(f));
	assert_int_equal(kparser_new(keep_first, &f, &p), 0);
	kparser_feed_text(p, log, strlen(log));
	kparser_flush(p);
	kparser_free(p);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.title, title);
	assert_int_equal(f.type, type);
}

/* kmemleak: the allocation backtrace, past the allocator and its wrappers */
static void test_memory_leak(void **state)
{
	(void)state;
	expect("BUG: memory leak\n"
	       "unreferenced object 0xffff888012345600 (size 64):\n"
	       "  comm \"syz-executor\", pid 3100, jiffies 4294945000\n"
	       "  hex dump (first 32 bytes):\n"
	       "    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n"
	       "  backtrace (crc 5f1e2d3c):\n"
	       "    [<ffffffff81a00000>] kmemleak_alloc+0x4a/0x90\n"
	       "    [<ffffffff81a10000>] __kmalloc_cache_noprof+0x2b0/0x3a0\n"
	       "    [<ffffffff81a20000>] kstrdup+0x3c/0x70\n"
	       "    [<ffffffff81a30000>] idr_get_free+0x1c0/0x300\n"
	       "    [<ffffffff81a40000>] foo_attach_filter+0x90/0x200\n"
	       "    [<ffffffff81a50000>] __sys_setsockopt+0x1a0/0x2c0\n",
	       KREPORT_BUG, "memory leak in foo_attach_filter");
}

/* lockdep: the lock's own "at:" line names the code, and the level printed is kept */
static void test_lockdep_levels(void **state)
{
	(void)state;
	expect("=========================\n"
	       "WARNING: held lock freed!\n"
	       "6.1.0 #1 Not tainted\n"
	       "-------------------------\n"
	       "sh/1234 is freeing memory ffff888010000000-ffff8880100007ff, with a lock still held there!\n"
	       "ffff888010000130 (sk_lock-AF_FOO){+.+.}-{0:0}, at: foo_release+0x3a/0x200\n"
	       "1 lock held by sh/1234:\n"
	       " #0: ffff888010000130 (sk_lock-AF_FOO){+.+.}-{0:0}, at: foo_release+0x3a/0x200\n"
	       "\n"
	       "stack backtrace:\n"
	       "CPU: 0 PID: 1234 Comm: sh Not tainted 6.1.0 #1\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " dump_stack_lvl+0x48/0x70\n"
	       " debug_check_no_locks_freed+0x1c0/0x1d0\n"
	       " kfree+0xd0/0x2a0\n"
	       " foo_destroy+0x40/0x100\n"
	       " </TASK>\n", KREPORT_LOCKDEP, "WARNING: held lock freed in foo_release");
	/* 4.x: "[ BUG: ... ]" and the releasing site on the line after "at:" */
	expect("=====================================\n"
	       "[ BUG: bad unlock balance detected! ]\n"
	       "4.9.0 #1 Not tainted\n"
	       "-------------------------------------\n"
	       "sh/1081 is trying to release lock (foo_lock) at:\n"
	       "[<ffffffff834dea24>] foo_seq_stop+0xe4/0x140\n"
	       "but there are no more locks to release!\n"
	       "stack backtrace:\n"
	       "CPU: 1 PID: 1081 Comm: sh Not tainted 4.9.0 #1\n"
	       "Call Trace:\n"
	       " [<ffffffff81d90469>] dump_stack+0xc1/0x128\n"
	       " [<ffffffff81235524>] print_unlock_imbalance_bug+0x174/0x1a0\n"
	       " [<ffffffff81235600>] lock_release+0x2a0/0x400\n"
	       " [<ffffffff834dea24>] foo_seq_stop+0xe4/0x140\n"
	       " [<ffffffff815e4ded>] seq_read+0x3dd/0x1290\n",
	       KREPORT_LOCKDEP, "BUG: bad unlock balance in foo_seq_stop");
	expect("================================================\n"
	       "[ BUG: lock held when returning to user space! ]\n"
	       "4.9.0 #7 Not tainted\n"
	       "------------------------------------------------\n"
	       "sh/3814 is leaving the kernel with locks still held!\n"
	       "1 lock held by sh/3814:\n"
	       " #0:  (&fi->mutex){+.+.+.}, at: [<ffffffff81938722>] foo_lock_inode+0xa2/0xd0\n",
	       KREPORT_LOCKDEP, "BUG: lock held when returning to user space in foo_lock_inode");
	/* the task's name comes first: still a lockdep report */
	expect("====================================\n"
	       "WARNING: sh/4398 still has locks held!\n"
	       "5.9.0 #15 Not tainted\n"
	       "------------------------------------\n"
	       "1 lock held by sh/4398:\n"
	       " #0: ffffa00019769560 (rcu_read_lock){....}-{1:2}, at: foo_count_event+0x24/0x2f0\n"
	       "\n"
	       "stack backtrace:\n"
	       "CPU: 1 PID: 4398 Comm: sh Not tainted 5.9.0 #15\n"
	       "Call trace:\n"
	       " dump_backtrace+0x0/0x4d0\n"
	       " debug_check_no_locks_held+0x110/0x130\n"
	       " get_signal+0x1a94/0x2400\n", KREPORT_LOCKDEP,
	       "WARNING: still has locks held in foo_count_event");
	expect("===============================\n"
	       "[ INFO: suspicious RCU usage. ]\n"
	       "4.1.15 #4 Not tainted\n"
	       "-------------------------------\n"
	       "net/foo/foo.c:543 suspicious rcu_dereference_check() usage!\n"
	       "stack backtrace:\n"
	       "CPU: 1 PID: 9912 Comm: sh Not tainted 4.1.15 #4\n"
	       "Call Trace:\n"
	       " [<ffffffff818c5ac5>] dump_stack+0x4b/0x63\n"
	       " [<ffffffff818b777b>] lockdep_rcu_suspicious+0xc4/0xe4\n"
	       " [<ffffffff817dfb87>] foo_flowlabel_opt+0x497/0xe00\n",
	       KREPORT_LOCKDEP, "INFO: suspicious RCU usage in foo_flowlabel_opt");
}

/* BUG kinds: named by an operation, an allocation history, a work function, or nothing */
static void test_bug_kinds(void **state)
{
	(void)state;
	expect("BUG: Dentry ffff888119d8a000{i=0,n=.index}  still in use (1) [unmount of foofs loop0]\n"
	       "CPU: 0 PID: 5000 Comm: sh Not tainted 6.1.0 #1\n"
	       "Call Trace:\n"
	       " d_walk+0x1f0/0x800\n",
	       KREPORT_BUG, "BUG: Dentry still in use in unmount");
	expect("BUG: Bad page state in process sh  pfn:7071f\n"
	       "page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x7071f\n"
	       "page dumped because: page_pool leak\n"
	       "page last allocated via order 0, migratetype Unmovable, gfp_mask 0x102820(GFP_ATOMIC), pid 8978\n"
	       " post_alloc_hook+0x1f3/0x230\n"
	       " get_page_from_freelist+0x2e4c/0x2f10\n"
	       " __alloc_pages_noprof+0x256/0x6c0\n"
	       " page_pool_alloc_pages+0x1e/0x80\n"
	       " foo_xdp_run+0x30/0x90\n"
	       "page last free pid 1 tgid 1 stack trace:\n",
	       KREPORT_BUG, "BUG: Bad page state in foo_xdp_run");
	expect("BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 32s!\n"
	       "Showing busy workqueues and worker pools:\n",
	       KREPORT_BUG, "BUG: workqueue lockup");
	expect("BUG: MAX_STACK_TRACE_ENTRIES too low!\n"
	       "turning off the locking correctness validator.\n"
	       "CPU: 1 PID: 3266 Comm: kworker/1:1 Not tainted 5.2.0 #15\n"
	       "Call Trace:\n"
	       " dump_stack+0xca/0x13e\n"
	       " save_trace+0x11/0x19\n", KREPORT_BUG, "BUG: MAX_STACK_TRACE_ENTRIES too low!");
	expect("BUG: workqueue leaked lock or atomic: kworker/0:0/0x00000000/4\n"
	       "     last function: foo_dad_work\n"
	       "1 lock held by kworker/0:0/4:\n"
	       "CPU: 0 PID: 4 Comm: kworker/0:0 Not tainted 4.3.5 #124\n"
	       "Call Trace:\n"
	       " [<ffffffff81d90469>] dump_stack+0xc1/0x128\n"
	       " [<ffffffff81190000>] process_one_work+0x8a1/0x1500\n",
	       KREPORT_ATOMIC, "BUG: workqueue leaked lock or atomic in foo_dad_work");
	/* debug spinlocks: the CPU and task are not part of it; spin_dump and the lock path
	 * are passed over, and so is a runqueue lock helper */
	expect("BUG: spinlock recursion on CPU#0, sh/5032\n"
	       " lock: 0xffff88006c122d00, .magic: dead4ead, .owner: sh/5032, .owner_cpu: -1\n"
	       "CPU: 0 PID: 5032 Comm: sh Not tainted 4.9.0 #58\n"
	       "Call Trace:\n"
	       " [<ffffffff834c3ae9>] dump_stack+0x2ee/0x3f5\n"
	       " [<ffffffff81576cd2>] spin_dump+0x152/0x280\n"
	       " [<ffffffff81577284>] do_raw_spin_lock+0x3f4/0x5d0\n"
	       " [<ffffffff881a2750>] _raw_spin_lock+0x40/0x50\n"
	       " [<ffffffff814b7615>] __task_rq_lock+0xf5/0x330\n"
	       " [<ffffffff814c89b2>] wake_up_new_task+0x592/0x1000\n",
	       KREPORT_BUG, "BUG: spinlock recursion in wake_up_new_task");
	/* a stack overflow into the guard page: what was running, past its helpers */
	expect("BUG: TASK stack guard page was hit at ffffc900190cfff8 (stack is ffffc900190d0000..ffffc900190d7fff)\n"
	       "stack guard page: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 1 PID: 10931 Comm: sh Not tainted 6.1.0 #0\n"
	       "RIP: 0010:foo_get_stats+0x8/0xb0\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foo_get_stats+0xf5/0x4d0\n"
	       " dev_get_stats+0x8d/0x280\n"
	       " </TASK>\n", KREPORT_BUG, "BUG: stack guard page was hit in foo_get_stats");
}

/* KMSAN prints its first stack straight after the headline, with no "Call Trace:" */
static void test_kmsan_bare_stack(void **state)
{
	(void)state;
	expect("=====================================================\n"
	       "BUG: KMSAN: kernel-infoleak in _copy_to_user+0x1c9/0x270\n"
	       " instrument_copy_to_user include/linux/instrumented.h:114 [inline]\n"
	       " _copy_to_user+0x1c9/0x270 lib/usercopy.c:33\n"
	       " copy_to_iter+0x10/0x20\n"
	       " foo_read_nowarn+0x57b/0xb10\n"
	       " __x64_sys_getrandom+0x34a/0x460\n"
	       "\n"
	       "Uninit was stored to memory at:\n"
	       " bar_permute+0x12db/0x1400\n"
	       "=====================================================\n",
	       KREPORT_KASAN, "KMSAN: kernel-infoleak in foo_read_nowarn");
}

/* 4.x stall traces: "<EOI> [ ts ] [<...>] func" carries a frame after the marker, and a
 * cross-CPU call the stalled task waits in names the stall */
static void test_stall_markers(void **state)
{
	(void)state;
	expect("INFO: rcu_sched self-detected stall on CPU\n"
	       "\t0: (104999 ticks this GP) idle=769/140000000000001/0 softirq=28286/28286 fqs=34911\n"
	       "Task dump for CPU 0:\n"
	       "Call Trace:\n"
	       " <IRQ>  [<ffffffff816ecb37>] sched_show_task+0x31a/0x325\n"
	       " [<ffffffff816f75c1>] rcu_check_callbacks+0x61e/0xc77\n"
	       " [<ffffffff814f2c8f>] update_process_times+0x3f/0x70\n"
	       " [<ffffffff81011c72>] apic_timer_interrupt+0x20/0x2e\n"
	       " <EOI> [  287.228401]  [<ffffffff82a7a1ab>] ? foo_alloc_queues+0x97b/0xc50\n"
	       " [<ffffffff8139d8d8>] __kernel_text_address+0x88/0xc0\n"
	       " [<ffffffff82a96b01>] foo_register_queue+0x7d1/0xf60\n"
	       " [<ffffffff82ad02d5>] foo_newlink+0x1055/0x15c0\n"
	       " [<ffffffff82ad0300>] rtnetlink_rcv_msg+0x2a0/0x5c0\n"
	       " [<ffffffff82ad0400>] netlink_rcv_skb+0x10/0x300\n",
	       KREPORT_RCU_STALL, "INFO: rcu detected stall in foo_newlink");
	expect("watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/u4:2:32]\n"
	       "CPU: 1 PID: 32 Comm: kworker/u4:2 Not tainted 6.1.0 #1\n"
	       "RIP: 0010:csd_lock_wait+0x40/0x60\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " smp_call_function_many_cond+0x400/0x800\n"
	       " on_each_cpu_cond_mask+0x40/0x90\n"
	       " foo_flush_all+0x20/0x40\n"
	       " process_one_work+0x8a1/0x1500\n"
	       " </TASK>\n", KREPORT_SOFT_LOCKUP, "BUG: soft lockup in smp_call_function");
	/* an arch syscall wrapper keeps its "sys_" */
	expect("watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [sh:700]\n"
	       "CPU: 0 PID: 700 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:shrink_dcache_parent+0x10/0x200\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " vfs_rmdir+0x202/0x470\n"
	       " do_rmdir+0x30b/0x390\n"
	       " __x64_sys_rmdir+0x40/0x50\n"
	       " do_syscall_64+0x35/0x80\n"
	       " </TASK>\n", KREPORT_SOFT_LOCKUP, "BUG: soft lockup in sys_rmdir");
}

/* families: the driver core under a driver, the formatting walkers under a caller */
static void test_families(void **state)
{
	(void)state;
	expect("WARNING: CPU: 0 PID: 1 at lib/kobject.c:100 kobject_add_internal+0x10/0x20\n"
	       "CPU: 0 PID: 1 Comm: kworker/0:1 Not tainted 6.1.0 #1\n"
	       "RIP: 0010:kobject_add_internal+0x10/0x20\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " get_device_parent+0x2d0/0x410\n"
	       " device_add+0x2a5/0x1a10\n"
	       " foo_register_dev+0x2a0/0x5f0\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING: kobject bug in foo_register_dev");
	expect("BUG: KASAN: slab-out-of-bounds in string+0x1f0/0x200\n"
	       "Read of size 1 at addr ffff888010000000 by task kworker/0:1/12\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " string+0x1f0/0x200 lib/vsprintf.c:700\n"
	       " vsnprintf+0x7c0/0x1600\n"
	       " dev_printk_emit+0xa0/0xd0\n"
	       " dev_info+0x9f/0xc0\n"
	       " foo_probe+0x4a0/0x900\n"
	       " </TASK>\n", KREPORT_KASAN, "KASAN: slab-out-of-bounds Read in foo_probe");
}

/* WARNs known by the function that warned, and the unwinder's own complaints */
static void test_warn_kinds(void **state)
{
	(void)state;
	expect("WARNING: CPU: 1 PID: 3634 at mm/slab_common.c:903 kmalloc_slab+0x89/0xa0\n"
	       "Modules linked in:\n"
	       "CPU: 1 PID: 3634 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:kmalloc_slab+0x89/0xa0\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " __kmalloc_node+0x40/0x120\n"
	       " kvmalloc_node+0x6c/0x180\n"
	       " foo_set_table+0x90/0x1e0\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING: kmalloc bug in foo_set_table");
	/* a function about an allocation is not the allocator */
	expect("WARNING: CPU: 1 PID: 5931 at mm/slab_common.c:935 free_large_kmalloc+0x34/0x12c\n"
	       "CPU: 1 PID: 5931 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:free_large_kmalloc+0x34/0x12c\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " kfree+0x1c0/0x2a0\n"
	       " foo_expand_attrs+0x90/0x1e0\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING in foo_expand_attrs");
	expect("WARNING: CPU: 1 PID: 15973 at mm/vmalloc.c:3108 __vmalloc_node_range+0x1036/0x1300 mm/vmalloc.c:3108\n"
	       "CPU: 1 PID: 15973 Comm: sh Not tainted 6.2.0 #0\n"
	       "RIP: 0010:__vmalloc_node_range+0x1036/0x1300 mm/vmalloc.c:3108\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " __vmalloc_node mm/vmalloc.c:3246 [inline]\n"
	       " vzalloc+0x6b/0x80 mm/vmalloc.c:3319\n"
	       " foo_check+0x1b8/0xae50 kernel/bpf/foo.c:17253\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING: zero-size vmalloc in foo_check");
	expect("WARNING: CPU: 0 PID: 12 at drivers/usb/core/urb.c:477 usb_submit_urb+0x119a/0x13c0\n"
	       "CPU: 0 PID: 12 Comm: kworker/0:1 Not tainted 5.1.0 #8\n"
	       "RIP: 0010:usb_submit_urb+0x119a/0x13c0\n"
	       "Call Trace:\n"
	       " foo_submit_rx_urb+0x2a/0x90\n"
	       " foo_probe+0x4e0/0x900\n", KREPORT_WARN, "WARNING in foo_submit_rx_urb/usb_submit_urb");
	expect("WARNING: kernel stack regs at ffff8801d100fea8 in sh:16059 has bad 'bp' value ffff8801d100ff28\n"
	       "unwind stack type:0 next_sp:          (null) mask:0x2 graph_idx:0\n",
	       KREPORT_WARN, "WARNING: kernel stack regs has bad 'bp' value");
	expect("WARNING: kernel stack frame pointer at ffff8801d100fea8 in sh:4492 has bad value ffff8801d100ff28\n"
	       "unwind stack type:0 next_sp:          (null) mask:0x2 graph_idx:0\n",
	       KREPORT_WARN, "WARNING: kernel stack frame pointer has bad value");
	/* VFS bookkeeping that warns about the filesystem calling it */
	expect("WARNING: CPU: 1 PID: 5830 at fs/inode.c:336 drop_nlink+0xc4/0x110\n"
	       "CPU: 1 PID: 5830 Comm: sh Not tainted 6.12.0 #0\n"
	       "RIP: 0010:drop_nlink+0xc4/0x110\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foofs_rmdir+0x30/0x90\n"
	       " vfs_rmdir+0x202/0x470\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING in foofs_rmdir");
}

/* kernel BUG: the BUG_ON's own function (the RIP) unless it is an skb helper */
static void test_kernel_bug_rip(void **state)
{
	(void)state;
	expect("kernel BUG at net/core/dev.c:10648!\n"
	       "invalid opcode: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 14786 Comm: sh Not tainted 5.11.0 #0\n"
	       "RIP: 0010:free_netdev+0x4b3/0x5e0\n"
	       "Call Trace:\n"
	       " __rtnl_newlink+0x1484/0x16e0\n"
	       " rtnl_newlink+0x64/0xa0\n", KREPORT_BUG, "kernel BUG in free_netdev");
	expect("kernel BUG at net/core/skbuff.c:105!\n"
	       "invalid opcode: 0000 [#1] SMP KASAN\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 5.11.0 #0\n"
	       "RIP: 0010:skb_panic+0x16c/0x16e\n"
	       "Call Trace:\n"
	       " skb_push.cold+0x24/0x24\n"
	       " foo_header+0x30/0x1d0\n"
	       " dev_hard_header+0x10/0x20\n", KREPORT_BUG, "kernel BUG in foo_header");
}

/* panics named by the stack: the corrupted stack end by the work that was running */
static void test_panic_kinds(void **state)
{
	(void)state;
	expect("Kernel panic - not syncing: corrupted stack end detected inside scheduler\n"
	       "CPU: 0 PID: 11678 Comm: kworker/u12:6 Not tainted 4.20.0 #11\n"
	       "Workqueue: writeback foo_workfn (flush-8:0)\n"
	       "Call Trace:\n"
	       " dump_stack+0x1d3/0x2c6\n"
	       " panic+0x2ad/0x55f\n"
	       " __schedule+0x1ec6/0x1ed0\n"
	       " preempt_schedule_irq+0x87/0x110\n"
	       " retint_kernel+0x1b/0x2d\n"
	       "RIP: 0010:__sanitizer_cov_trace_pc+0x26/0x50\n"
	       "RSP: 0018:ffff888044289348 EFLAGS: 00000246 ORIG_RAX: ffffffffffffff02\n"
	       " rmap_walk+0x119/0x350\n"
	       " foo_writepages+0xdb9/0x2e50\n"
	       " foo_workfn+0x20e/0xdb0\n"
	       " process_one_work+0x7e1/0x1500\n"
	       " worker_thread+0xd6/0x10a0\n", KREPORT_PANIC, "kernel panic: corrupted stack end in foo_workfn");
}

/* KASAN's tag-based modes: "Read at addr", and the arm64 tag-check fault path */
static void test_kasan_tags(void **state)
{
	(void)state;
	expect("==================================================================\n"
	       "BUG: KASAN: invalid-access in _raw_spin_lock_bh+0x2c/0x70\n"
	       "Read at addr 07ff000030708888 by task kworker/0:3/9802\n"
	       "Pointer tag: [07], memory tag: [f4]\n"
	       "Call trace:\n"
	       " dump_backtrace+0x0/0x1a4\n"
	       " kasan_report+0x104/0x200\n"
	       " __do_kernel_fault+0x17c/0x1c0\n"
	       " do_tag_check_fault+0x6c/0x80\n"
	       " do_mem_abort+0x44/0xb4\n"
	       " el1_abort+0x40/0x6c\n"
	       " el1_sync_handler+0xb0/0xcc\n"
	       " el1_sync+0x70/0x100\n"
	       " _raw_spin_lock_bh+0x2c/0x70\n"
	       " foo_sock_teardown_cb+0x34/0x160\n"
	       "==================================================================\n",
	       KREPORT_KASAN, "KASAN: invalid-access Read in foo_sock_teardown_cb");
	expect("BUG: KCSAN: data-race in foo_clean_rx_irq+0x551/0xb10 / foo_xmit_frame+0x10/0x200\n"
	       "\n"
	       "write to 0xffff933db8a2ae6c of 1 bytes by task 1 on cpu 0:\n"
	       " foo_xmit_frame+0x10/0x200\n", KREPORT_KASAN,
	       "KCSAN: data-race in foo_clean_rx_irq / foo_xmit_frame");
}

/* hung tasks that can't die, divide_error, arm32's Unhandled fault, powerpc frames */
static void test_more_layouts(void **state)
{
	(void)state;
	expect("INFO: task sh:21128 can't die for more than 143 seconds.\n"
	       "sh              D27704 21128   7271 0x00004004\n"
	       "Call Trace:\n"
	       " __schedule+0x8b4/0x1e80\n"
	       " schedule+0xd0/0x2a0\n"
	       " foo_client_rpc+0x3b5/0x1220\n"
	       " foo_client_create+0xa8f/0x10c0\n", KREPORT_HUNG_TASK, "INFO: task can't die in foo_client_rpc");
	expect("divide_error: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 1 PID: 6855 Comm: sh Not tainted 5.9.0 #0\n"
	       "RIP: 0010:foo_tabledist.part.0+0x22a/0x2a0\n"
	       "Call Trace:\n"
	       " foo_enqueue+0x100/0x200\n", KREPORT_OOPS, "divide error in foo_tabledist");
	expect("Unhandled fault: page domain fault (0x01b) at 0x00000000\n"
	       "pgd = 2a6b4f5e\n"
	       "Internal error: : 1b [#1] PREEMPT SMP ARM\n"
	       "PC is at foo_write_data+0x1c/0x40\n"
	       "LR is at foo_ioctl+0x40/0x90\n", KREPORT_OOPS, "Unhandled fault in foo_write_data");
	expect("INFO: task sh:6660 blocked for more than 143 seconds.\n"
	       "      Not tainted 5.1.0 #7\n"
	       "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	       "sh              D12768  6660   2964 0x00040008\n"
	       "Call Trace:\n"
	       "[c000000001bb3530] [c000000001bb35a0] 0xc000000001bb35a0 (unreliable)\n"
	       "[c000000001bb3710] [c0000000000286fc] __switch_to+0x43c/0x6d0\n"
	       "[c000000001bb3780] [c00000000138678c] __schedule+0x3cc/0xed0\n"
	       "[c000000001bb3860] [c0000000013872e0] schedule+0x50/0xd0\n"
	       "[c000000001bb39a0] [c00000000138832c] wait_for_common+0xfc/0x220\n"
	       "[c000000001bb3a10] [c0000000005f8868] foo_exit_aio+0x188/0x2a0\n",
	       KREPORT_HUNG_TASK, "INFO: task hung in foo_exit_aio");
}

/* lockdep: a deadlock acquired inside a helper names the held lock's site; a sleeping
 * lock in atomic context is a locking bug of its taker */
static void test_lockdep_sites(void **state)
{
	(void)state;
	expect("======================================================\n"
	       "WARNING: possible circular locking dependency detected\n"
	       "5.5.0 #10 Not tainted\n"
	       "------------------------------------------------------\n"
	       "sh/3699 is trying to acquire lock:\n"
	       "ffff88803d3d5d28 ((wq_completion)foo-kex){+.+.}, at: flush_workqueue+0xe6/0x1520\n"
	       "\n"
	       "but task is already holding lock:\n"
	       "ffff88805ffdce80 (&foo->static_identity.lock){++++}, at: foo_set_device+0xfb7/0x1490\n"
	       "\n"
	       "which lock already depends on the new lock.\n", KREPORT_LOCKDEP,
	       "possible deadlock in foo_set_device");
	expect("=============================\n"
	       "[ BUG: Invalid wait context ]\n"
	       "5.9.0 #15 Not tainted\n"
	       "-----------------------------\n"
	       "sh/4448 is trying to lock:\n"
	       "ffff00004a747498 (&mm->mmap_lock){++++}-{3:3}, at: __might_fault+0x108/0x1b0\n"
	       "stack backtrace:\n"
	       "CPU: 0 PID: 4448 Comm: sh Not tainted 5.9.0 #15\n"
	       "Call trace:\n"
	       " dump_backtrace+0x0/0x4d0\n"
	       " __lock_acquire+0x1a04/0x4930\n"
	       " lock_acquire+0x278/0xb88\n"
	       " __might_fault+0x138/0x1b0\n"
	       " do_foo_setsockopt+0x100/0x300\n"
	       " foo_setsockopt+0x40/0x90\n", KREPORT_LOCKDEP, "WARNING: locking bug in do_foo_setsockopt");
}

/* stackless messages: their own title; printed into another report, they do not end it */
static void test_stackless(void **state)
{
	(void)state;
	expect("unregister_netdevice: waiting for lo to become free. Usage count = 6\n",
	       KREPORT_BUG, "unregister_netdevice: waiting for DEV to become free");
	expect("VFS: Busy inodes after unmount of loop0 (foofs). Self-destruct in 5 seconds.  Have a nice day...\n",
	       KREPORT_BUG, "VFS: Busy inodes after unmount (use-after-free)");
	expect("INFO: task sh:6102 blocked for more than 120 seconds.\n"
	       "Call Trace:\n"
	       " [<ffffffff829f5a8c>] schedule+0x9c/0x1b0\n"
	       "unregister_netdevice: waiting for lo to become free. Usage count = 6\n"
	       " [<ffffffff829f6315>] schedule_preempt_disabled+0x15/0x20\n"
	       " [<ffffffff829fb0c0>] mutex_lock_nested+0x3b0/0x1130\n"
	       " [<ffffffff8223552c>] foo_copy_ns+0xcc/0x220\n", KREPORT_HUNG_TASK,
	       "INFO: task hung in foo_copy_ns");
}

/* a stall whose interrupt itself raised a WARN: the stalled code is the RIP printed after
 * the timer interrupt's entry, here inside a cross-CPU call */
static void test_stall_second_rip(void **state)
{
	(void)state;
	expect("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	       "rcu: \tTasks blocked on level-0 rcu_node (CPUs 0-1):\n"
	       "Call Trace:\n"
	       " <IRQ>\n"
	       " dump_stack+0x1f0/0x31e\n"
	       " __warn+0x227/0x250\n"
	       " asm_exc_invalid_op+0x12/0x20\n"
	       "RIP: 0010:foo_try_invoke+0x18b/0x320\n"
	       " rcu_sched_clock_irq+0x12ec/0x1eb0\n"
	       " update_process_times+0x12c/0x180\n"
	       " __sysvec_apic_timer_interrupt+0xf0/0x260\n"
	       " </IRQ>\n"
	       " asm_sysvec_apic_timer_interrupt+0x12/0x20\n"
	       "RIP: 0010:smp_call_function_single+0x311/0x450\n"
	       " on_each_cpu+0x4d/0x1f0\n"
	       " foo_clock_was_set+0x18/0x20\n", KREPORT_RCU_STALL, "INFO: rcu detected stall in smp_call_function");
}

/* syzkaller's other fixed forms: SLUB's double free, 4.x KASAN "on address", arm64's
 * user-memory fault, panics for a stack overflow and a tty, lockdep's nested lock */
static void test_fixed_forms(void **state)
{
	(void)state;
	expect("BUG kmalloc-64 (Not tainted): Object already free\n"
	       "INFO: Slab 0xffffea0000c8e200 objects=21 used=19 fp=0xffff88003238a2c0\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 4.4.0 #1\n"
	       "Call Trace:\n"
	       " [<ffffffff81a00000>] dump_stack+0x4b/0x63\n"
	       " [<ffffffff81a10000>] foo_release+0x20/0x40\n", KREPORT_BUG, "BUG: Object already free");
	expect("==================================================================\n"
	       "BUG: KASAN: use-after-free on address ffff8801d3e5b1a0\n"
	       "Read of size 8 by task sh/2943\n"
	       "CPU: 1 PID: 2943 Comm: sh Not tainted 4.4.0 #1\n"
	       "==================================================================\n",
	       KREPORT_KASAN, "KASAN: use-after-free Read");
	expect("Unable to handle kernel access to user memory outside uaccess routines at virtual address 0000000020000000\n"
	       "Internal error: Oops: 96000004 [#1] PREEMPT SMP\n"
	       "pc : foo_copy_desc+0x30/0x90\n"
	       "Call trace:\n"
	       " foo_copy_desc+0x30/0x90\n"
	       " foo_ioctl+0x40/0x90\n", KREPORT_PAGE_FAULT,
	       "BUG: unable to handle kernel access to user memory in foo_copy_desc");
	expect("Kernel panic - not syncing: Couldn't open N_TTY ldisc for ptm2 --- error -12.\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 4.4.0 #1\n", KREPORT_PANIC,
	       "kernel panic: Couldn't open N_TTY ldisc");
	expect("Kernel panic - not syncing: kernel stack overflow\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 5.4.0 #1\n"
	       "Call Trace:\n"
	       " dump_stack+0x10/0x20\n"
	       " panic+0x10/0x20\n"
	       " handle_bad_stack+0x10/0x20\n"
	       " foo_recurse+0x10/0x20\n"
	       " foo_recurse+0x10/0x20\n"
	       " foo_walk+0x30/0x90\n"
	       " process_one_work+0x7e1/0x1500\n", KREPORT_PANIC, "kernel stack overflow in foo_walk");
	expect("==================================\n"
	       "WARNING: Nested lock was not taken\n"
	       "5.4.0 #1 Not tainted\n"
	       "----------------------------------\n"
	       "sh/1 is trying to lock:\n"
	       "stack backtrace:\n"
	       "Call Trace:\n"
	       " dump_stack+0x10/0x20\n"
	       " __lock_acquire+0x10/0x20\n"
	       " lock_acquire+0x10/0x20\n"
	       " foo_take_pair+0x10/0x20\n", KREPORT_LOCKDEP, "WARNING: nested lock was not taken in foo_take_pair");
}

/* console captures: a line another writer began ("login: [ ts ] BUG: ..."); a
 * self-detected stall whose GP kthread's stack is printed before the stalled CPU's */
static void test_console_layouts(void **state)
{
	(void)state;
	expect("syzkaller login: [   59.806466][ T6792] BUG: using smp_processor_id() in preemptible [00000000] code: sh/6792\n"
	       "[   59.815692][ T6792] caller is foo_new_blocks+0xa4d/0x3b70\n"
	       "[   59.840909][ T6792] Call Trace:\n"
	       "[   59.844178][ T6792]  dump_stack+0x18f/0x20d\n"
	       "[   59.848512][ T6792]  check_preemption_disabled+0x20d/0x220\n"
	       "[   59.854126][ T6792]  foo_new_blocks+0xa4d/0x3b70\n", KREPORT_ATOMIC,
	       "BUG: using smp_processor_id() in preemptible code in foo_new_blocks");
	expect("[  417.725670][    C1] rcu: INFO: rcu_sched self-detected stall on CPU\n"
	       "[  417.727544][    C1] rcu: \t1-...!: (10499 ticks this GP) idle=9f9/1/0x4000000000000002 softirq=2116/2117 fqs=0\n"
	       "[  417.737083][    C1] rcu: RCU grace-period kthread stack dump:\n"
	       "[  417.741712][    C1] Call trace:\n"
	       "[  417.742580][    C1]  __switch_to+0x123/0x123\n"
	       "[  417.743759][    C1]  schedule_timeout+0x123/0x123\n"
	       "[  417.748498][    C1]  rcu_gp_kthread+0x123/0x123\n"
	       "[  417.749712][    C1]  kthread+0x123/0x123\n"
	       "[  417.753610][    C1] Task dump for CPU 0:\n"
	       "[  417.757734][    C1] Call trace:\n"
	       "[  417.758593][    C1]  __switch_to+0x123/0x123\n"
	       "[  417.760503][    C1] Task dump for CPU 1:\n"
	       "[  417.764661][    C1] Call trace:\n"
	       "[  417.765509][    C1]  dump_backtrace+0x123/0x123\n"
	       "[  417.771650][    C1]  rcu_dump_cpu_stacks+0x123/0x123\n"
	       "[  417.775546][    C1]  update_process_times+0x123/0x123\n"
	       "[  417.783736][    C1]  gic_handle_irq+0x123/0x123\n"
	       "[  417.785016][    C1]  el1_irq+0x123/0x123\n"
	       "[  417.786016][    C1]  foo_recv_loop+0x123/0x123\n"
	       "[  417.787016][    C1]  __sys_recvmmsg+0x123/0x123\n"
	       "[  417.788016][    C1]  __arm64_sys_recvmmsg+0x123/0x123\n"
	       "[  417.789016][    C1]  invoke_syscall+0x123/0x123\n"
	       "[  417.790016][    C1]  el0_svc_common+0x123/0x123\n", KREPORT_RCU_STALL,
	       "INFO: rcu detected stall in sys_recvmmsg");
}

/* KFENCE's access stack after its "at 0x... (in kfence-#N):" line; 4.x lockdep's bracketed
 * "still has locks held" with the task's name first */
static void test_kfence_and_bracketed(void **state)
{
	(void)state;
	expect("==================================================================\n"
	       "BUG: KFENCE: use-after-free read in memcmp+0x57/0x150\n"
	       "\n"
	       "Use-after-free read at 0xffff88823bc8cf68 (in kfence-#69):\n"
	       " memcmp+0x57/0x150\n"
	       " foo_find_probe+0x57/0x150\n"
	       " foo_apply+0x26/0x130\n"
	       "\n"
	       "kfence-#69: 0xffff88823bc8cf00-0xffff88823bc8cfff, size=256, cache=kmalloc-256\n"
	       "\n"
	       "CPU: 0 PID: 9991 Comm: sh Not tainted 5.12.0 #0\n"
	       "Call Trace:\n"
	       " dump_stack+0x10/0x20\n"
	       " kfence_report_error+0x10/0x20\n"
	       " foo_other_path+0x10/0x20\n"
	       "==================================================================\n",
	       KREPORT_KASAN, "KFENCE: use-after-free read in foo_find_probe");
	expect("=====================================\n"
	       "[ BUG: sh/31761 still has locks held! ]\n"
	       "4.8.0 #30 Not tainted\n"
	       "-------------------------------------\n"
	       "1 lock held by sh/31761:\n"
	       " #0:  (&pipe->mutex/1){+.+.+.}, at: [<ffffffff81844c6b>] foo_pipe_take+0x5b/0x70\n"
	       "\n"
	       "stack backtrace:\n"
	       "Call Trace:\n"
	       " [<ffffffff82d383a9>] dump_stack+0x12e/0x185\n"
	       " [<ffffffff81463cb5>] debug_check_no_locks_held+0x125/0x140\n",
	       KREPORT_LOCKDEP, "BUG: still has locks held in foo_pipe_take");
}

/* a short stack (a bad page's allocation history) with another writer's lines in it */
static void test_interleaved_short_stack(void **state)
{
	(void)state;
	expect("BUG: Bad page state in process sh  pfn:7071f\n"
	       "page dumped because: page_pool leak\n"
	       "page last allocated via order 0, migratetype Unmovable, gfp_mask 0x102820(GFP_ATOMIC), pid 8978\n"
	       " post_alloc_hook+0x1f3/0x230\n"
	       " get_page_from_freelist+0x2e4c/0x2f10\n"
	       "executor: failed to recv rpc\n"
	       "fd=3 want=4 recv=0 n=0 (errno 9: Bad file descriptor)\n"
	       " __alloc_pages_noprof+0x256/0x6c0\n"
	       " page_pool_alloc_pages+0xcb/0x150\n"
	       " foo_run_xdp_live+0x939/0x2110\n"
	       "page last free pid 8932 tgid 8930 stack trace:\n"
	       " free_unref_page+0xd22/0xea0\n", KREPORT_BUG, "BUG: Bad page state in foo_run_xdp_live");
}

/* a lone panic keeps only its reason; 4.x KASAN's GPF hint with the GPF line glued to it */
static void test_panic_reasons(void **state)
{
	(void)state;
	expect("Kernel panic - not syncing: Fatal exception in interrupt\n"
	       "Kernel Offset: disabled\n", KREPORT_PANIC, "kernel panic: Fatal exception");
	expect("Kernel panic - not syncing: panic_on_warn set ...\n"
	       "Kernel Offset: disabled\n", KREPORT_PANIC, "kernel panic: panic_on_warn set");
	expect("segment-related general protection fault: beec [#2] PREEMPT SMP KASAN PTI\n"
	       "CPU: 0 PID: 1858 Comm: sh Tainted: G      D           5.4.0 #567\n"
	       "RIP: 0010:foo_bad_address+0x1b/0x60\n", KREPORT_GPF,
	       "general protection fault in foo_bad_address");
	expect("kasan: CONFIG_KASAN_INLINE enabled\n"
	       "kasan: GPF could be caused by NULL-ptr deref or user memory accessgeneral protection fault: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 6879 Comm: sh Not tainted 4.4.118 #25\n"
	       "RIP: 0010:[<ffffffff81d64236>]  [<ffffffff81d64236>] __list_del_entry+0x86/0x1d0\n"
	       "Call Trace:\n"
	       " [<ffffffff81d64236>] list_del+0xd/0x70\n"
	       " [<ffffffff8353dbf5>] foo_walk_done+0x85/0x190\n", KREPORT_GPF,
	       "general protection fault in foo_walk_done");
}

/* MMIO accessors are matched as suffixes: "..._writeback" is not "writeb" */
static void test_mmio_suffix(void **state)
{
	(void)state;
	expect("=====================================================\n"
	       "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected\n"
	       "4.19.121 #0 Not tainted\n"
	       "-----------------------------------------------------\n"
	       "sh/1740 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:\n"
	       "0000000032662ab5 (foo_user_lock){+.+.}, at: foo_user_lock_take+0xb4/0x1a0\n"
	       "... which became HARDIRQ-irq-safe at:\n"
	       "  _raw_spin_lock_irqsave+0x47/0x60\n"
	       "  foo_clear_page_writeback+0x1a8/0xcfb\n"
	       "  foo_end_bio+0x496/0x6e0\n", KREPORT_LOCKDEP,
	       "possible deadlock in foo_clear_page_writeback");
}

/* lock and refcount helpers by prefix: a driver function naming one is not one */
static void test_prefix_families(void **state)
{
	(void)state;
	expect("general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:mutex_lock_nested+0x10/0x20\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foo_mutex_owner_check+0x30/0x90\n"
	       " foo_ioctl+0x40/0x90\n"
	       " </TASK>\n", KREPORT_GPF, "general protection fault in foo_mutex_owner_check");
	expect("general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:refcount_inc+0x10/0x20\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foo_refcount_track+0x30/0x90\n"
	       " foo_ioctl+0x40/0x90\n"
	       " </TASK>\n", KREPORT_GPF, "general protection fault in foo_refcount_track");
}

/* arm32's Alignment trap (the Unhandled fault and Internal error after it are part of
 * it), and the trusty driver relaying the secure OS's panic before its WARN */
static void test_alignment_trusty(void **state)
{
	(void)state;
	expect("Alignment trap: not handling instruction e1932f9f at [<8058b3f0>]\n"
	       "8<--- cut here ---\n"
	       "Unhandled fault: alignment exception (0x001) at 0x8513c25f\n"
	       "[8513c25f] *pgd=8500041e(bad)\n"
	       "Internal error: : 1 [#1] SMP ARM\n"
	       "CPU: 1 PID: 3000 Comm: syz-executor Not tainted 6.1.0 #0\n"
	       "PC is at foo_parse_opt+0x30/0x80\n"
	       "LR is at foo_setsockopt+0x60/0x100\n"
	       "Backtrace:\n"
	       "[<8058b3c0>] (foo_parse_opt) from [<8058b5a0>] (foo_setsockopt+0x60/0x100)\n"
	       "[<8058b540>] (foo_setsockopt) from [<80b40c3c>] (__sys_setsockopt+0xa0/0x100)\n",
	       KREPORT_OOPS, "Alignment trap in foo_parse_opt");
	expect("trusty: panic (caller 0xffffffffe000fbd0): DEBUG ASSERT FAILED at (trusty/kernel/include/shared/lk/reflist.h:63): list_in_list(&ref->ref_node)\n"
	       "------------[ cut here ]------------\n"
	       "WARNING: CPU: 0 PID: 900 at drivers/trusty/trusty.c:300 trusty_std_call32+0x1a0/0x200\n"
	       "Call trace:\n"
	       " trusty_std_call32+0x1a0/0x200\n"
	       " trusty_ipc_send+0x30/0x60\n"
	       "---[ end trace 0000000000000000 ]---\n",
	       KREPORT_PANIC, "trusty: ASSERT FAILED: list_in_list(&ref->ref_node)");
	/* another line's timestamp inside the caller part; a panic without an assertion */
	expect("[ 1117.129650] trusty: panic (caller [ 1117.140866] trusty: 0xffffffffe000fbb8): ASSERT FAILED at (trusty/kernel/lib/trusty/ipc.c:472): !list_in_list(&chan->node)\n",
	       KREPORT_PANIC, "trusty: ASSERT FAILED: !list_in_list(&chan->node)");
	expect("trusty: panic (caller 0xffffffffe0002314): failed(-5) to start app 6\n",
	       KREPORT_PANIC, "trusty: panic: failed(-NUM) to start app NUM");
}

/* A soft lockup skips RCU's own frames no more than any report does (only an RCU stall's
 * detector is passed over); lib/bug.c without verbose BUGs names the site it printed. */
static void test_lockup_bug_forms(void **state)
{
	(void)state;
	expect("watchdog: BUG: soft lockup - CPU#0 stuck for 123s! [syz-executor:5000]\n"
	       "CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "RIP: 0010:foo_scan+0x10/0x40\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foo_rcu_cb_walk+0x50/0x90\n"
	       " __x64_sys_ioctl+0x18f/0x210\n"
	       " do_syscall_64+0x40/0x110\n"
	       " </TASK>\n", KREPORT_SOFT_LOCKUP, "BUG: soft lockup in foo_rcu_cb_walk");
	expect("Kernel BUG at foo_commit+0x1c/0x40 [verbose debug info unavailable]\n"
	       "Oops: invalid opcode: 0000 [#1] PREEMPT SMP\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 6.8.0 #1\n"
	       "RIP: 0010:foo_commit+0x1c/0x40\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " foo_write+0x20/0x40\n"
	       " </TASK>\n", KREPORT_BUG, "kernel BUG at foo_commit [verbose debug info unavailable]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_leak),
		cmocka_unit_test(test_lockdep_levels),
		cmocka_unit_test(test_bug_kinds),
		cmocka_unit_test(test_kmsan_bare_stack),
		cmocka_unit_test(test_stall_markers),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_warn_kinds),
		cmocka_unit_test(test_kernel_bug_rip),
		cmocka_unit_test(test_panic_kinds),
		cmocka_unit_test(test_kasan_tags),
		cmocka_unit_test(test_more_layouts),
		cmocka_unit_test(test_alignment_trusty),
		cmocka_unit_test(test_lockup_bug_forms),
		cmocka_unit_test(test_lockdep_sites),
		cmocka_unit_test(test_stackless),
		cmocka_unit_test(test_stall_second_rip),
		cmocka_unit_test(test_fixed_forms),
		cmocka_unit_test(test_console_layouts),
		cmocka_unit_test(test_kfence_and_bracketed),
		cmocka_unit_test(test_interleaved_short_stack),
		cmocka_unit_test(test_panic_reasons),
		cmocka_unit_test(test_mmio_suffix),
		cmocka_unit_test(test_prefix_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
