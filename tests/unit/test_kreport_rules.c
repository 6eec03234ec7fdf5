/* SPDX-License-Identifier: GPL-2.0-only */
/* The guilty-frame rules (common/klog/kreport_rules.c) and the report kinds with their own
 * rules for which stack to read, on reports in the layouts 6.x kernels print. */
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

static void run(const char *log, struct first *f)
{
	struct kparser *p;

	memset(f, 0, sizeof(*f));
	assert_int_equal(kparser_new(keep_first, f, &p), 0);
	kparser_feed_text(p, log, strlen(log));
	kparser_flush(p);
	kparser_free(p);
	assert_int_equal(f->n, 1);
}

static void expect(const char *log, enum kreport_type type, const char *title)
{
	struct first f;

	run(log, &f);
	assert_string_equal(f.title, title);
	assert_int_equal(f.type, type);
}

/* The stalled CPU's own NMI backtrace, after the grace-period kthread's stack; the work is
 * the last frame of ours before the entry point, past the rbtree and timer helpers. */
static const char rcu_starved[] =
	"[  300.100000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	"[  300.100001] rcu: \t(detected by 0, t=10502 jiffies, g=5, q=1 ncpus=2)\n"
	"[  300.100002] rcu: All QSes seen, last rcu_preempt kthread activity 10500 (4294947296-4294936796), jiffies_till_next_fqs=1, root ->qsmask 0x0\n"
	"[  300.100003] rcu: rcu_preempt kthread starved for 10500 jiffies! g5 f0x2 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1\n"
	"[  300.100004] rcu: \tUnless rcu_preempt kthread gets sufficient CPU time, OOM is now expected behavior.\n"
	"[  300.100005] rcu: RCU grace-period kthread stack dump:\n"
	"[  300.100006] task:rcu_preempt     state:R  running task     stack:28016 pid:17    ppid:2      flags:0x00004000\n"
	"[  300.100007] Call Trace:\n"
	"[  300.100008]  <TASK>\n"
	"[  300.100009]  __schedule+0x1123/0x5ad0\n"
	"[  300.100010]  schedule+0xe7/0x270\n"
	"[  300.100011]  schedule_timeout+0x158/0x2a0\n"
	"[  300.100012]  rcu_gp_fqs_loop+0x1ac/0xa40\n"
	"[  300.100013]  rcu_gp_kthread+0x26e/0x360\n"
	"[  300.100014]  kthread+0x2c6/0x3a0\n"
	"[  300.100015]  ret_from_fork+0x45/0x80\n"
	"[  300.100016]  </TASK>\n"
	"[  300.100017] rcu: Stack dump where RCU GP kthread last ran:\n"
	"[  300.100018] Sending NMI from CPU 0 to CPUs 1:\n"
	"[  300.100019] NMI backtrace for cpu 1\n"
	"[  300.100020] CPU: 1 PID: 5200 Comm: syz-executor.2 Not tainted 6.8.0-syzkaller #0\n"
	"[  300.100021] RIP: 0010:__rb_erase_color+0x20/0x300\n"
	"[  300.100022] Code: 48 89 e5\n"
	"[  300.100023] RSP: 0018:ffffc90003b7f9b8 EFLAGS: 00000246\n"
	"[  300.100024] Call Trace:\n"
	"[  300.100025]  <NMI>\n"
	"[  300.100026]  nmi_cpu_backtrace+0x1b0/0x200\n"
	"[  300.100027]  </NMI>\n"
	"[  300.100028]  <TASK>\n"
	"[  300.100029]  rb_erase+0x10/0x20\n"
	"[  300.100030]  timerqueue_del+0x83/0x150\n"
	"[  300.100031]  bfq_idle_slice_loop+0x55/0x80\n"
	"[  300.100032]  blk_mq_dispatch_rq_list+0x1b0/0x540\n"
	"[  300.100033]  process_one_work+0x13c/0x2c0\n"
	"[  300.100034]  worker_thread+0x38/0xb0\n"
	"[  300.100035]  kthread+0x2c6/0x3a0\n"
	"[  300.100036]  </TASK>\n";

/* Remote stall: the stalled CPU's frames after <NMI>...</NMI>, tree helpers passed over. */
static const char rcu_remote[] =
	"rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	"rcu: \t0-...!: (1 GPs behind) idle=8f4c/1/0x4000000000000000 softirq=15300/15301 fqs=0\n"
	"\t(detected by 1, t=10502 jiffies, g=13585, q=421 ncpus=2)\n"
	"Sending NMI from CPU 1 to CPUs 0:\n"
	"NMI backtrace for cpu 0\n"
	"CPU: 0 PID: 5123 Comm: syz-executor.0 Not tainted 6.1.0-syzkaller #0\n"
	"Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 01/01/2011\n"
	"RIP: 0010:__rb_insert_augmented+0x20/0x300\n"
	"Code: 48 89 e5 41 57 41 56 41 55 41 54 53 48 83 ec 10\n"
	"RSP: 0018:ffffc90003b7f9b8 EFLAGS: 00000246\n"
	"Call Trace:\n"
	" <NMI>\n"
	" nmi_cpu_backtrace+0x1b0/0x200\n"
	" nmi_handle+0x1a0/0x330\n"
	" default_do_nmi+0x62/0x150\n"
	" exc_nmi+0x12b/0x140\n"
	" end_repeat_nmi+0x16/0x67\n"
	" </NMI>\n"
	" <TASK>\n"
	" rb_insert_augmented+0x10/0x20\n"
	" vma_interval_tree_insert+0x1a/0x30\n"
	" hfsplus_readdir_loop+0x55/0x80\n"
	" iterate_dir+0x1b0/0x540\n"
	" __x64_sys_getdents64+0x13c/0x2c0\n"
	" do_syscall_64+0x38/0xb0\n"
	" entry_SYSCALL_64_after_hwframe+0x63/0xcd\n"
	" </TASK>\n";

/* Self-detected: the interrupted task after </IRQ>; klist and checksum helpers passed over. */
static const char rcu_self[] =
	"rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	"rcu: \t0-....: (10500 ticks this GP) idle=b2c4/1/0x4000000000000000 softirq=5466/5466 fqs=5197\n"
	"\t(t=10502 jiffies g=7489 q=1019 ncpus=2)\n"
	"NMI backtrace for cpu 0\n"
	"CPU: 0 PID: 5071 Comm: syz-executor.0 Not tainted 6.5.0-syzkaller #0\n"
	"Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 07/26/2023\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" dump_stack_lvl+0xd9/0x1b0\n"
	" nmi_cpu_backtrace+0x277/0x380\n"
	" nmi_trigger_cpumask_backtrace+0x299/0x300\n"
	" rcu_dump_cpu_stacks+0x2d6/0x3b0\n"
	" rcu_sched_clock_irq+0x2426/0x3270\n"
	" update_process_times+0x148/0x1d0\n"
	" tick_sched_timer+0x113/0x140\n"
	" __hrtimer_run_queues+0x1b8/0xab0\n"
	" hrtimer_interrupt+0x31b/0x800\n"
	" __sysvec_apic_timer_interrupt+0x105/0x3f0\n"
	" sysvec_apic_timer_interrupt+0x8e/0xc0\n"
	" </IRQ>\n"
	" <TASK>\n"
	" asm_sysvec_apic_timer_interrupt+0x1a/0x20\n"
	"RIP: 0010:csum_partial_copy_generic+0x10/0x200\n"
	"Code: 00 00 00 00 00\n"
	"RSP: 0018:ffffc90003b7f9b8 EFLAGS: 00000246\n"
	" klist_next+0x10/0x200\n"
	" tipc_sk_rcv_loop+0x20/0x100\n"
	" tipc_sendmsg+0x40/0x80\n"
	" sock_sendmsg+0xde/0x190\n"
	" __sys_sendto+0x255/0x340\n"
	" __x64_sys_sendto+0xe0/0x1b0\n"
	" do_syscall_64+0x38/0xb0\n"
	" entry_SYSCALL_64_after_hwframe+0x63/0xcd\n"
	" </TASK>\n";

static void test_rcu_stall(void **state)
{
	expect(rcu_starved, KREPORT_RCU_STALL, "INFO: rcu detected stall in blk_mq_dispatch_rq_list");
	/* the x86 entry wrapper keeps its "sys_", as syzkaller titles it */
	expect(rcu_remote, KREPORT_RCU_STALL, "INFO: rcu detected stall in sys_getdents64");
	expect(rcu_self, KREPORT_RCU_STALL, "INFO: rcu detected stall in tipc_sendmsg");
}

/* 6.1 with <TASK> and "Not tainted", 6.8 "Tainted:" with tgid, 4.19 without <TASK>. */
static const char hung_61[] =
	"[  984.123456] INFO: task kworker/0:1:12 blocked for more than 143 seconds.\n"
	"[  984.123457]       Not tainted 6.1.0-13-amd64 #1 Debian 6.1.55-1\n"
	"[  984.123458] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	"[  984.123459] task:kworker/0:1     state:D stack:0     pid:12    ppid:2      flags:0x00004000\n"
	"[  984.123460] Workqueue: events foo_work_fn [foo]\n"
	"[  984.123461] Call Trace:\n"
	"[  984.123462]  <TASK>\n"
	"[  984.123463]  __schedule+0x351/0xa20\n"
	"[  984.123464]  schedule+0x5d/0xe0\n"
	"[  984.123465]  schedule_preempt_disabled+0x14/0x30\n"
	"[  984.123466]  __mutex_lock.constprop.0+0x3b4/0x700\n"
	"[  984.123467]  foo_work_fn+0x3a/0x90 [foo]\n"
	"[  984.123468]  process_one_work+0x1c7/0x380\n"
	"[  984.123469]  worker_thread+0x4d/0x380\n"
	"[  984.123470]  kthread+0xda/0x100\n"
	"[  984.123471]  ret_from_fork+0x22/0x30\n"
	"[  984.123472]  </TASK>\n";
static const char hung_68[] =
	"INFO: task syz-executor.3:7001 blocked for more than 143 seconds.\n"
	"      Tainted: G        W          6.8.0-rc1-syzkaller #0\n"
	"\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	"task:syz-executor.3  state:D stack:26384 pid:7001  tgid:7000  ppid:5090   flags:0x00004006\n"
	"Call Trace:\n"
	" <TASK>\n"
	" __schedule+0x1123/0x5ad0\n"
	" schedule+0xe7/0x270\n"
	" schedule_timeout+0x258/0x2a0\n"
	" wait_for_completion+0x1b8/0x3e0\n"
	" __flush_work+0x4a0/0x8e0\n"
	" kthread_stop+0x1a0/0x600\n"
	" nbd_genl_disconnect+0x2b2/0x4c0\n"
	" genl_family_rcv_msg_doit+0x1fc/0x2e0\n"
	" genl_rcv_msg+0x561/0x800\n"
	" netlink_rcv_skb+0x16b/0x440\n"
	" genl_rcv+0x28/0x40\n"
	" netlink_unicast+0x53b/0x810\n"
	" netlink_sendmsg+0x8b7/0xd70\n"
	" __sys_sendmsg+0x117/0x1e0\n"
	" do_syscall_64+0xd3/0x250\n"
	" entry_SYSCALL_64_after_hwframe+0x6f/0x77\n"
	" </TASK>\n";
static const char hung_419[] =
	"INFO: task jbd2/sda1-8:245 blocked for more than 120 seconds.\n"
	"      Not tainted 4.19.0-6-amd64 #1 Debian 4.19.67-2\n"
	"\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	"jbd2/sda1-8     D    0   245      2 0x80000000\n"
	"Call Trace:\n"
	" ? __schedule+0x2a2/0x870\n"
	" schedule+0x28/0x80\n"
	" io_schedule+0x12/0x40\n"
	" bit_wait_io+0xd/0x50\n"
	" __wait_on_bit+0x73/0x90\n"
	" out_of_line_wait_on_bit+0x91/0xb0\n"
	" jbd2_journal_commit_transaction+0x16a1/0x1810 [jbd2]\n"
	" kjournald2+0xbd/0x270 [jbd2]\n"
	" kthread+0x112/0x130\n"
	" ret_from_fork+0x35/0x40\n";

static void test_hung_task(void **state)
{
	expect(hung_61, KREPORT_HUNG_TASK, "INFO: task hung in foo_work_fn");
	/* flush_work, kthread_stop and the completion are how it waits */
	expect(hung_68, KREPORT_HUNG_TASK, "INFO: task hung in nbd_genl_disconnect");
	expect(hung_419, KREPORT_HUNG_TASK, "INFO: task hung in jbd2_journal_commit_transaction");
}

static const char ubsan_shift[] =
	"------------[ cut here ]------------\n"
	"UBSAN: shift-out-of-bounds in net/sched/sch_foo.c:123:45\n"
	"shift exponent 32 is too large for 32-bit type 'int'\n"
	"CPU: 1 PID: 5100 Comm: syz-executor.1 Not tainted 6.6.0-syzkaller #0\n"
	"Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 10/09/2023\n"
	"Call Trace:\n"
	" <TASK>\n"
	" __dump_stack lib/dump_stack.c:88 [inline]\n"
	" dump_stack_lvl+0x125/0x1b0 lib/dump_stack.c:106\n"
	" ubsan_epilogue lib/ubsan.c:217 [inline]\n"
	" __ubsan_handle_shift_out_of_bounds+0x24b/0x430 lib/ubsan.c:387\n"
	" foo_calc_rate.cold+0x1d/0x60 net/sched/sch_foo.c:123\n"
	" foo_change+0x3c5/0x8a0 net/sched/sch_foo.c:400\n"
	" qdisc_change net/sched/sch_api.c:1400 [inline]\n"
	" tc_modify_qdisc+0x1d6/0x1c20 net/sched/sch_api.c:1700\n"
	" rtnetlink_rcv_msg+0x3c7/0xe10 net/core/rtnetlink.c:6558\n"
	" </TASK>\n"
	"---[ end trace ]---\n";

static void test_ubsan_function(void **state)
{
	/* lib/ubsan.c and lib/dump_stack.c frames by their file; ".cold" dropped */
	expect(ubsan_shift, KREPORT_UBSAN, "UBSAN: shift-out-of-bounds in foo_calc_rate");
}

static const char kasan_invalid_free[] =
	"==================================================================\n"
	"BUG: KASAN: invalid-free in kfree+0x10e/0x2b0 mm/slub.c:4400\n"
	"Free of addr ffff888012345678 by task syz-executor.0/5000\n"
	"\n"
	"CPU: 0 PID: 5000 Comm: syz-executor.0 Not tainted 6.6.0-syzkaller #0\n"
	"Call Trace:\n"
	" <TASK>\n"
	" dump_stack_lvl+0x125/0x1b0 lib/dump_stack.c:106\n"
	" print_report+0xc4/0x620 mm/kasan/report.c:475\n"
	" kasan_report_invalid_free+0xab/0xd0 mm/kasan/report.c:550\n"
	" ____kasan_slab_free+0x1a2/0x1b0 mm/kasan/common.c:216\n"
	" slab_free_hook mm/slub.c:1800 [inline]\n"
	" __kmem_cache_free+0xcc/0x2d0 mm/slub.c:3809\n"
	" kfree+0x10e/0x2b0 mm/slub.c:4400\n"
	" bar_release+0x55/0x90 drivers/bar/bar.c:77\n"
	" __fput+0x27c/0xa90 fs/file_table.c:384\n"
	" </TASK>\n"
	"==================================================================\n";

static void test_kasan_free_wording(void **state)
{
	char buf[sizeof(kasan_invalid_free) + 64], *p;

	expect(kasan_invalid_free, KREPORT_KASAN, "KASAN: invalid-free in bar_release");
	/* older kernels' "double-free" is the same report kind: syzkaller titles it
	 * invalid-free too */
	snprintf(buf, sizeof(buf), "%s", kasan_invalid_free);
	p = strstr(buf, "invalid-free in");
	memcpy(p, "double-free in", 14);
	memmove(p + 14, p + 15, strlen(p + 15) + 1);
	expect(buf, KREPORT_KASAN, "KASAN: invalid-free in bar_release");
	snprintf(buf, sizeof(buf), "%s", kasan_invalid_free);
	p = strstr(buf, "invalid-free in");
	memmove(p + 15, p, strlen(p) + 1);
	memcpy(p, "double-free or ", 15);
	expect(buf, KREPORT_KASAN, "KASAN: invalid-free in bar_release");
}

/* The lock was taken inside the allocator (mm/slub.c): the caller is named. */
static const char lockdep_inconsistent[] =
	"================================\n"
	"WARNING: inconsistent lock state\n"
	"6.6.0-syzkaller #0 Not tainted\n"
	"--------------------------------\n"
	"inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.\n"
	"swapper/0/0 [HC0[0]:SC1[1]:HE1:SE0] takes:\n"
	"ffff88801d2a8a18 (&n->list_lock){+.?.}-{2:2}, at: spin_lock include/linux/spinlock.h:351 [inline]\n"
	"ffff88801d2a8a18 (&n->list_lock){+.?.}-{2:2}, at: get_partial_node+0x3b/0x4c0 mm/slub.c:2300\n"
	"{SOFTIRQ-ON-W} state was registered at:\n"
	"  lock_acquire+0x1ae/0x510 kernel/locking/lockdep.c:5753\n"
	"  _raw_spin_lock+0x2e/0x40 kernel/locking/spinlock.c:154\n"
	"  get_partial_node+0x3b/0x4c0 mm/slub.c:2300\n"
	"irq event stamp: 1234\n"
	"\n"
	"other info that might help us debug this:\n"
	" Possible unsafe locking scenario:\n"
	"\n"
	"stack backtrace:\n"
	"CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.6.0-syzkaller #0\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" dump_stack_lvl+0x125/0x1b0 lib/dump_stack.c:106\n"
	" print_usage_bug kernel/locking/lockdep.c:3970 [inline]\n"
	" mark_lock+0x9c0/0xd60 kernel/locking/lockdep.c:4630\n"
	" __lock_acquire+0x1186/0x3b30 kernel/locking/lockdep.c:5090\n"
	" lock_acquire+0x1ae/0x510 kernel/locking/lockdep.c:5753\n"
	" _raw_spin_lock+0x2e/0x40 kernel/locking/spinlock.c:154\n"
	" get_partial_node+0x3b/0x4c0 mm/slub.c:2300\n"
	" ___slab_alloc+0x8a2/0x1410 mm/slub.c:3200\n"
	" kmem_cache_alloc+0x2bc/0x360 mm/slub.c:3500\n"
	" foo_rx_handler+0x2d/0x90 net/foo/foo.c:210\n"
	" __netif_receive_skb_core+0x100/0x800 net/core/dev.c:5400\n"
	" </IRQ>\n";

static void test_lockdep_inconsistent(void **state)
{
	expect(lockdep_inconsistent, KREPORT_LOCKDEP, "inconsistent lock state in foo_rx_handler");
}

/* 6.12: the panic message, then the BUG of rust/helpers/bug.c. The title is the message and
 * the v0 symbol demangled to its path, as Rust prints it; numbers in the message vary. */
static const char rust_overflow[] =
	"rust_kernel: panicked at drivers/net/phy/ax88796b_rust.rs:60:17:\n"
	"attempt to add with overflow\n"
	"------------[ cut here ]------------\n"
	"kernel BUG at rust/helpers/bug.c:7!\n"
	"Oops: invalid opcode: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	"CPU: 0 UID: 0 PID: 5100 Comm: kworker/0:3 Not tainted 6.12.0 #1\n"
	"RIP: 0010:rust_helper_BUG+0x8/0x10 rust/helpers/bug.c:7\n"
	"Code: cc cc cc\n"
	"RSP: 0018:ffffc90003b7f9b8 EFLAGS: 00010246\n"
	"Call Trace:\n"
	" <TASK>\n"
	" rust_helper_BUG+0x8/0x10 rust/helpers/bug.c:7\n"
	" rust_begin_unwind+0x1ac/0x1b0 rust/kernel/lib.rs:200\n"
	" _RNvNtCs1234_4core9panicking9panic_fmt+0x86/0x90\n"
	" _RNvNtNtCs1234_4core9panicking11panic_const24panic_const_add_overflow+0x3d/0x40\n"
	" _RNvXs_NtCs5678_13ax88796b_rust8asix_phyNtB4_6PhyAX8NtNtNtCs9_6kernel3net3phy6Driver11read_status+0x1c8/0x200\n"
	" phy_check_link_status+0x10d/0x2e0 drivers/net/phy/phy.c:1010\n"
	" phy_state_machine+0xd3/0x840 drivers/net/phy/phy.c:1500\n"
	" process_one_work+0x8a4/0x15e0 kernel/workqueue.c:3229\n"
	" </TASK>\n"
	"---[ end trace 0000000000000000 ]---\n";

static void test_rust_panic(void **state)
{
	expect(rust_overflow, KREPORT_RUST_PANIC,
	       "attempt to add with overflow in <ax88796b_rust::asix_phy::PhyAX8 as kernel::net::phy::Driver>::read_status");
	/* before 6.8 the message was quoted on the same line */
	expect("rust_kernel: panicked at 'index out of bounds: the len is 4 but the index is 9', "
	       "rust/kernel/foo.rs:12:5\n"
	       "------------[ cut here ]------------\n"
	       "kernel BUG at rust/helpers.c:48!\n"
	       "invalid opcode: 0000 [#1] PREEMPT SMP\n"
	       "CPU: 0 PID: 1 Comm: insmod Not tainted 6.6.0 #1\n"
	       "RIP: 0010:rust_helper_BUG+0x5/0x10\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " rust_begin_unwind+0x5c/0x60\n"
	       " _RNvNtCs1_4core9panicking18panic_bounds_check+0x2f/0x40\n"
	       " _RNvMCs2_8rust_fooNtB2_3Foo9get_entry+0x20/0x30 [rust_foo]\n"
	       " do_one_initcall+0x41/0x200\n"
	       " </TASK>\n"
	       "---[ end trace 0000000000000000 ]---\n", KREPORT_RUST_PANIC,
	       "index out of bounds: the len is NUM but the index is NUM in <rust_foo::Foo>::get_entry");
}

/* Families, not names: tree, list, hash-table, checksum and wait helpers, and a helper in
 * lib/ known only by its file. */
static void test_families(void **state)
{
	expect("general protection fault, probably for non-canonical address 0xdffffc0000000003: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 1 PID: 4000 Comm: syz-executor Not tainted 6.6.0 #0\n"
	       "RIP: 0010:rb_next+0x10/0x60 lib/rbtree.c:500\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " klist_next+0x40/0x2a0 lib/klist.c:382\n"
	       " rhashtable_lookup_fast include/linux/rhashtable.h:650 [inline]\n"
	       " csum_partial+0x10/0x30 arch/x86/lib/csum-partial_64.c:40\n"
	       " __wait_for_common+0x10/0x30 kernel/sched/completion.c:95\n"
	       " seq_walk_helper+0x22/0x80 lib/seq_walk.c:10\n"
	       " bus_for_each_dev+0x120/0x1c0 drivers/base/bus.c:360\n"
	       " __x64_sys_ioctl+0x18f/0x210 fs/ioctl.c:871\n"
	       " </TASK>\n"
	       "---[ end trace 0000000000000000 ]---\n", KREPORT_GPF,
	       "general protection fault in bus_for_each_dev");
	/* the unwinder and stack-trace code fault while printing */
	expect("BUG: unable to handle page fault for address: ffffc90000a18000\n"
	       "CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1\n"
	       "RIP: 0010:unwind_next_frame+0x102/0x1c0\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " arch_stack_walk+0x88/0xf0\n"
	       " stack_trace_save+0x91/0xd0\n"
	       " kthread_flush_worker+0x10/0x20\n"
	       " mydrv_dump_state+0x30/0x40 [mydrv]\n"
	       " </TASK>\n", KREPORT_PAGE_FAULT,
	       "BUG: unable to handle kernel paging request in mydrv_dump_state");
}

/* Round 4: the rest of syzkaller's general skip families, each a frame of its own. */
static void test_families_more(void **state)
{
	expect("general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "RIP: 0010:__hlist_del+0x10/0x40\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " mark_lock+0x9c/0xd60\n"
	       " __local_bh_enable_ip+0x10/0x20\n"
	       " _raw_read_lock_bh+0x30/0x40\n"
	       " kvzalloc_node+0x10/0x30\n"
	       " __vcalloc+0x10/0x30\n"
	       " kstrndup+0x10/0x30\n"
	       " arch_test_bit+0x1/0x2\n"
	       " __might_resched+0x10/0x30\n"
	       " copyin+0x10/0x20\n"
	       " usb_bulk_msg+0x10/0x30\n"
	       " foo_read_reg+0x40/0x90 [foo]\n"
	       " foo_probe+0x100/0x200 [foo]\n"
	       " </TASK>\n", KREPORT_GPF, "general protection fault in foo_read_reg");
	/* names holding the family's word anywhere: a filesystem's dput, the kobject core's
	 * internals, the driver core's registration wrappers, vsprintf's string walkers */
	expect("general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN\n"
	       "CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "RIP: 0010:ovl_dput+0x10/0x40\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " kobject_add_internal+0x10/0x40\n"
	       " device_add_disk+0x10/0x40\n"
	       " escaped_string+0x10/0x40\n"
	       " restricted_pointer+0x10/0x40\n"
	       " netdev_warn+0x10/0x40\n"
	       " osq_unlock+0x10/0x40\n"
	       " foo_probe+0x100/0x200 [foo]\n"
	       " </TASK>\n", KREPORT_GPF, "general protection fault in foo_probe");
	/* the page lock is a page-cache wait even where locks are the point */
	expect("BUG: sleeping function called from invalid context at include/linux/pagemap.h:1000\n"
	       "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 5000, name: syz-executor\n"
	       "CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " __might_resched+0x10/0x40\n"
	       " lock_page+0x10/0x40\n"
	       " foo_readpage+0x100/0x200\n"
	       " </TASK>\n", KREPORT_ATOMIC, "BUG: sleeping function called from invalid context in foo_readpage");
}

/* The syscall's own layers are titled as the call: "__sys_sendmsg" and "____sys_sendmsg"
 * are "sendmsg", "sys_ioctl" is "ioctl"; the arch entry keeps "sys_". */
static void test_syscall_layers(void **state)
{
	expect("WARNING: CPU: 1 PID: 6000 at net/socket.c:2500 ____sys_sendmsg+0x5a/0x900\n"
	       "Modules linked in:\n"
	       "CPU: 1 PID: 6000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "RIP: 0010:____sys_sendmsg+0x5a/0x900 net/socket.c:2500\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " ___sys_sendmsg+0x135/0x1d0 net/socket.c:2638\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING in sendmsg");
	expect("BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\n"
	       "IP: sys_ioctl+0x10/0x80\n"
	       "Call Trace:\n"
	       " [<ffffffff81000001>] entry_SYSCALL_64_fastpath+0x1f/0xbe\n", KREPORT_PAGE_FAULT,
	       "BUG: unable to handle kernel NULL pointer dereference in ioctl");
}

/* KMSAN: the value reaches the crypto library and the skb allocator; the protocol that fed
 * it is named. proc's registration helpers and the USB core's message helpers likewise. */
static void test_api_helpers(void **state)
{
	expect("BUG: KMSAN: uninit-value in crypto_xor+0x10/0x40\n"
	       " crypto_xor+0x10/0x40 crypto/algapi.c:1000\n"
	       " crypto_cbc_encrypt+0x80/0x200 crypto/cbc.c:50\n"
	       " aes_encrypt+0x30/0x60 lib/crypto/aes.c:300\n"
	       " __alloc_skb+0x30/0x60 net/core/skbuff.c:600\n"
	       " esp_output_tail+0x900/0x1200 net/ipv4/esp4.c:600\n"
	       " esp_output+0x500/0x700 net/ipv4/esp4.c:700\n"
	       "\n"
	       "Uninit was created at:\n"
	       " slab_post_alloc_hook mm/slub.c:3800\n", KREPORT_KASAN,
	       "KMSAN: uninit-value in esp_output_tail");
	expect("------------[ cut here ]------------\n"
	       "proc_dir_entry 'foo' already registered\n"
	       "WARNING: CPU: 0 PID: 7000 at fs/proc/generic.c:376 proc_register+0x34c/0x700 fs/proc/generic.c:376\n"
	       "Modules linked in:\n"
	       "CPU: 0 PID: 7000 Comm: syz-executor Not tainted 6.8.0 #0\n"
	       "RIP: 0010:proc_register+0x34c/0x700 fs/proc/generic.c:376\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " proc_create_data+0xf9/0x1a0 fs/proc/generic.c:585\n"
	       " foo_tg_check+0x3a0/0x600 net/ipv4/netfilter/foo.c:480\n"
	       " xt_check_target+0x26c/0x9e0 net/netfilter/x_tables.c:1019\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING: proc registration bug in foo_tg_check");
	expect("------------[ cut here ]------------\n"
	       "usb 1-1: BOGUS urb xfer, pipe 3 != type 1\n"
	       "WARNING: CPU: 0 PID: 8000 at drivers/usb/core/urb.c:503 usb_submit_urb+0xe4b/0x1730 drivers/usb/core/urb.c:503\n"
	       "Modules linked in:\n"
	       "CPU: 0 PID: 8000 Comm: kworker/0:2 Not tainted 6.8.0 #0\n"
	       "RIP: 0010:usb_submit_urb+0xe4b/0x1730 drivers/usb/core/urb.c:503\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " usb_start_wait_urb+0x103/0x4c0 drivers/usb/core/message.c:58\n"
	       " usb_bulk_msg+0x226/0x550 drivers/usb/core/message.c:387\n"
	       " foo_read_reg+0x80/0x120 drivers/net/usb/foo.c:120\n"
	       " foo_bind+0x200/0x400 drivers/net/usb/foo.c:400\n"
	       " </TASK>\n", KREPORT_WARN, "WARNING in foo_read_reg/usb_submit_urb");
}

/* A hung task in any flavour of a global wait: synchronize_rcu's are one title, an rtnl
 * wait keeps its own name; a task that can't die is named past the scheduler alone. */
static void test_hung_waits(void **state)
{
	expect("INFO: task kworker/u4:1:12 blocked for more than 143 seconds.\n"
	       "      Not tainted 6.8.0 #0\n"
	       "task:kworker/u4:1    state:D stack:0     pid:12    tgid:12    ppid:2      flags:0x00004000\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " __schedule+0x10/0x20\n"
	       " schedule+0x10/0x20\n"
	       " synchronize_rcu_expedited+0x10/0x20\n"
	       " foo_net_exit+0x10/0x20\n"
	       " </TASK>\n", KREPORT_HUNG_TASK, "INFO: task hung in synchronize_rcu");
	expect("INFO: task syz-executor:5000 blocked for more than 143 seconds.\n"
	       "      Not tainted 6.8.0 #0\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " __schedule+0x10/0x20\n"
	       " __mutex_lock+0x10/0x20\n"
	       " rtnl_lock_killable+0x10/0x20\n"
	       " foo_ioctl+0x10/0x20\n"
	       " </TASK>\n", KREPORT_HUNG_TASK, "INFO: task hung in rtnl_lock_killable");
	expect("INFO: task foo:4000 can't die for more than 143 seconds.\n"
	       "foo             D27704  4000   7271 0x00004004\n"
	       "Call Trace:\n"
	       " __schedule+0x8b4/0x1e80\n"
	       " schedule+0xd0/0x2a0\n"
	       " foo_wait_for_reply+0x3b5/0x1220\n"
	       " foo_rpc+0xa8f/0x10c0\n", KREPORT_HUNG_TASK, "INFO: task can't die in foo_wait_for_reply");
}

/* The WARNING form of "inconsistent lock state" is named by its call trace, the old INFO
 * form by the "at:" of the lock the task takes. */
static void test_inconsistent_forms(void **state)
{
	static const char body[] =
		"inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.\n"
		"swapper/0/0 [HC0[0]:SC1[1]:HE1:SE0] takes:\n"
		"ffff88801d2a8a18 (&foo->lock){+.?.}, at: [<ffffffff81234567>] foo_queue_frame+0x3b/0x4c0\n"
		"{SOFTIRQ-ON-W} state was registered at:\n"
		"  [<ffffffff81000001>] lock_acquire+0x1ae/0x510\n"
		"  [<ffffffff81000002>] foo_queue_frame+0x3b/0x4c0\n"
		"irq event stamp: 1234\n"
		"\n"
		"stack backtrace:\n"
		"CPU: 0 PID: 0 Comm: swapper/0 Not tainted 4.14.0 #0\n"
		"Call Trace:\n"
		" <IRQ>\n"
		" [<ffffffff81000003>] dump_stack+0x10/0x20\n"
		" [<ffffffff81000004>] mark_lock+0x9c0/0xd60\n"
		" [<ffffffff81000005>] __lock_acquire+0x1186/0x3b30\n"
		" [<ffffffff81000006>] lock_acquire+0x1ae/0x510\n"
		" [<ffffffff81000007>] _raw_spin_lock+0x2e/0x40\n"
		" [<ffffffff81000008>] foo_timer_fn+0x2d/0x90\n"
		" [<ffffffff81000009>] call_timer_fn+0x100/0x800\n"
		" </IRQ>\n";
	char buf[2048];

	snprintf(buf, sizeof(buf), "=================================\n"
		 "[ INFO: inconsistent lock state ]\n4.9.0 #0 Not tainted\n---------------------------------\n%s", body);
	expect(buf, KREPORT_LOCKDEP, "inconsistent lock state in foo_queue_frame");
	snprintf(buf, sizeof(buf), "================================\n"
		 "WARNING: inconsistent lock state\n4.14.0 #0 Not tainted\n--------------------------------\n%s", body);
	expect(buf, KREPORT_LOCKDEP, "inconsistent lock state in foo_timer_fn");
}

/* Rust v0 paths: nested paths, inherent and trait impls, back-references, generic
 * arguments, closures; the path of a name that is not a v0 symbol is its last component. */
static void test_rust_paths(void **state)
{
	static const struct {
		const char *sym, *title;
	} cases[] = {
		{ "_RNvNtCs1234_6kernel4sync9lock_fast", "kernel::sync::lock_fast" },
		{ "_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref",
		  "<rust_binder::process::Process>::update_ref" },
		{ "_RINvNtCs9_4core3ptr13drop_in_placeNtCs1_8rust_foo3FooEB4_",
		  "core::ptr::drop_in_place::<rust_foo::Foo>" },
		{ "_RNCNvCs1_8rust_foo4main0B3_", "rust_foo::main::{closure#NUM}" },
		{ "_RINvCs1_8rust_foo3getRShEB2_", "rust_foo::get::<&[u8]>" },
	};
	char log[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(log, sizeof(log),
			 "BUG: unable to handle page fault for address: ffffc90000a18000\n"
			 "CPU: 0 PID: 1 Comm: sh Not tainted 6.12.0 #1\n"
			 "RIP: 0010:%s+0x10/0x20\n"
			 "Call Trace:\n"
			 " <TASK>\n"
			 " do_one_initcall+0x41/0x200\n"
			 " </TASK>\n", cases[i].sym);
		char want[256];

		snprintf(want, sizeof(want), "BUG: unable to handle kernel paging request in %s", cases[i].title);
		expect(log, KREPORT_PAGE_FAULT, want);
	}
}

/* What varies between runs of one bug is taken out of a title: addresses, file lines,
 * standalone numbers, long digit runs; digits inside names stay. */
static void test_title_normalised(void **state)
{
	expect("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"
	       "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.8.0 #1\n", KREPORT_PANIC,
	       "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)");
	expect("Kernel panic - not syncing: bad state at ffff888012345678 in rust/kernel/foo.rs:12:5 on 10.0.2.15\n"
	       "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.8.0 #1\n", KREPORT_PANIC,
	       "kernel panic: bad state at ADDR in rust/kernel/foo.rs:LINE on IP");
	expect("Kernel panic - not syncing: cfg80211 device 12345678 lost: nl80211_op\n"
	       "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.8.0 #1\n", KREPORT_PANIC,
	       "kernel panic: cfg80211 device ADDR lost: nl80211_op");
}

/* A deadlock through a work item's lockdep map: the lock "taken" by process_one_work is the
 * work's, and the work function holding the other lock is named. */
static void test_deadlock_in_work(void **state)
{
	expect("======================================================\n"
	       "WARNING: possible circular locking dependency detected\n"
	       "6.8.0-syzkaller #0 Not tainted\n"
	       "------------------------------------------------------\n"
	       "kworker/0:1/9 is trying to acquire lock:\n"
	       "ffff888012345678 ((work_completion)(&foo->reset_work)){+.+.}-{0:0}, at: process_one_work+0x7c/0x1600 kernel/workqueue.c:2608\n"
	       "\n"
	       "but task is already holding lock:\n"
	       "ffff888012345679 (&foo->reset_lock){+.+.}-{3:3}, at: foo_reset_work+0x40/0x200 drivers/net/foo.c:300\n"
	       "\n"
	       "which lock already depends on the new lock.\n"
	       "\n"
	       "stack backtrace:\n"
	       "Call Trace:\n"
	       " <TASK>\n"
	       " dump_stack_lvl+0x125/0x1b0 lib/dump_stack.c:106\n"
	       " process_one_work+0x889/0x1600 kernel/workqueue.c:2633\n"
	       " </TASK>\n", KREPORT_LOCKDEP, "possible deadlock in foo_reset_work");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcu_stall),
		cmocka_unit_test(test_hung_task),
		cmocka_unit_test(test_ubsan_function),
		cmocka_unit_test(test_kasan_free_wording),
		cmocka_unit_test(test_lockdep_inconsistent),
		cmocka_unit_test(test_rust_panic),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_families_more),
		cmocka_unit_test(test_syscall_layers),
		cmocka_unit_test(test_api_helpers),
		cmocka_unit_test(test_hung_waits),
		cmocka_unit_test(test_inconsistent_forms),
		cmocka_unit_test(test_rust_paths),
		cmocka_unit_test(test_title_normalised),
		cmocka_unit_test(test_deadlock_in_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
