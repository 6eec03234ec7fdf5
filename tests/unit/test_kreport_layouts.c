/* SPDX-License-Identifier: GPL-2.0-only */
/* Report layouts the titles must read through (issue 22, round 3): a program's output or a
 * harness's prefix in a console capture, another task's lines inside a trace, traces far
 * longer than the frames a report keeps, a WARN inside a stall report, arm32's "from"
 * lines. The logs follow the kernel's own formats; the functions in them are made up. */
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
	size_t n_frames, n_reliable;
};

static void keep_first(const struct kreport *r, void *userdata)
{
	struct first *f = userdata;

	if (f->n++ == 0) {
		f->type = r->type;
		snprintf(f->title, sizeof(f->title), "%s", r->title ? r->title : "");
		f->n_frames = r->n_frames;
		for (size_t i = 0; i < r->n_frames; i++)
			f->n_reliable += r->frames[i].reliable;
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

/* A fuzzer's program log written to the same console: its lines have no timestamp. */
static void test_program_output_in_trace(void **state)
{
	struct first f;

	(void)state;
	run("[  396.956335] ==================================================================\n"
	    "[  396.963769] BUG: KASAN: stack-out-of-bounds in memcmp+0xe3/0x160\n"
	    "[  396.969914] Read of size 1 at addr ffff8801c19175d0 by task syz-executor6/18562\n"
	    "[  396.979147] CPU: 0 PID: 18562 Comm: syz-executor6 Not tainted 4.15.0-rc5+ #172\n"
	    "[  396.995841] Call Trace:\n"
	    "[  396.998428]  dump_stack+0x194/0x257\n"
	    "2018/01/02 18:20:06 executing program 3:\n"
	    "mmap(&(0x7f0000000000/0xa000)=nil, 0xa000, 0x3, 0x32, 0xffffffffffffffff, 0x0)\n"
	    "r1 = socket(0x5, 0x0, 0x8001)\n"
	    "bpf$OBJ_PIN_PROG(0x6, &(0x7f0000008000)={&(0x7f0000008000)='./file0\\x00', r0}, 0xc)\n"
	    "\n"
	    "[  397.015282]  ? memcmp+0xe3/0x160\n"
	    "[  397.018669]  print_address_description+0x73/0x250\n"
	    "[  397.026901]  kasan_report+0x25b/0x340\n"
	    "[  397.030702]  __asan_report_load1_noabort+0x14/0x20\n"
	    "[  397.035630]  memcmp+0xe3/0x160\n"
	    "[  397.038832]  foo_selector_match+0x1bc/0xe00\n"
	    "[  397.043255]  foo_state_find+0x1595/0x3210\n"
	    "[  397.050000] ==================================================================\n", &f);
	assert_string_equal(f.title, "KASAN: stack-out-of-bounds Read in foo_selector_match");
	assert_int_equal(f.n_reliable, 7);
}

/* syz-manager's own "2018/01/09 14:28:48 " (Go's log format) before the kernel's line */
static void test_harness_date_prefix(void **state)
{
	(void)state;
	expect("2018/01/09 14:28:48 BUG: memory leak\n"
	       "unreferenced object 0xffff8800342540c0 (size 1864): \n"
	       "  comm \"a.out\", pid 24109, jiffies 4299060398 (age 27.984s) \n"
	       "  backtrace: \n"
	       "    [<ffffffff85c73a22>] kmemleak_alloc+0x72/0xc0 mm/kmemleak.c:915 \n"
	       "    [<ffffffff816cc14d>] kmem_cache_alloc+0x12d/0x2c0 mm/slub.c:2607 \n"
	       "    [<ffffffff84b642c9>] sk_prot_alloc+0x69/0x340 net/core/sock.c:1344 \n"
	       "    [<ffffffff850c6d57>] foo_create+0x2d7/0x1000 net/foo/af_foo.c:173 \n"
	       "    [<ffffffff84b5f47c>] __sock_create+0x37c/0x640 net/socket.c:1162 \n",
	       KREPORT_BUG, "memory leak in foo_create");
}

/* The OOM killer's lines printed into a trace: it goes on after them. */
static void test_lines_inside_trace(void **state)
{
	(void)state;
	expect("[  200.999653] Kernel panic - not syncing: corrupted stack end detected inside scheduler\n"
	       "[  201.007844] CPU: 1 PID: 7 Comm: kworker/u4:0 Not tainted 4.20.0+ #252\n"
	       "[  201.023901] Workqueue: writeback foo_workfn (flush-8:0)\n"
	       "[  201.029181] Call Trace:\n"
	       "[  201.031778]  dump_stack+0x1d3/0x2c6\n"
	       "[  201.040625]  panic+0x2ad/0x55f\n"
	       "[  201.076801]  __schedule+0x1ec6/0x1ed0\n"
	       "[  201.120555]  preempt_schedule_irq+0x87/0x110\n"
	       "[  201.124972]  retint_kernel+0x1b/0x2d\n"
	       "[  201.128689] RIP: 0010:__add_to_page_cache_locked+0x48c/0x1840\n"
	       "[  201.153480] RSP: 0018:ffff8880a9e14668 EFLAGS: 00000246 ORIG_RAX: ffffffffffffff13\n"
	       "[  201.261080]  add_to_page_cache_lru+0x355/0xdb0\n"
	       "[  201.264929] syz-executor642 invoked oom-killer: gfp_mask=0x6202c2(GFP_HIGHUSER|__GFP_NOWARN), order=0, oom_score_adj=1000\n"
	       "[  201.318813] syz-executor642 cpuset=syz4 mems_allowed=0-1\n"
	       "[  201.324288]  pagecache_get_page+0x53a/0xf00\n"
	       "[  201.382778]  foo_map_blocks+0x8f7/0x1b60\n"
	       "[  201.771231]  foo_writepages+0x2573/0x4180\n"
	       "[  202.092390]  foo_workfn+0xee9/0x1790\n"
	       "[  202.218262]  process_one_work+0xc90/0x1c40\n"
	       "[  202.322376]  worker_thread+0x17f/0x1390\n"
	       "[  202.396119]  kthread+0x35a/0x440\n"
	       "[  202.403283]  ret_from_fork+0x3a/0x50\n"
	       "[  202.408257] Kernel Offset: disabled\n",
	       KREPORT_PANIC, "kernel panic: corrupted stack end in foo_workfn");
}

/* A recursion deeper than the frames a report exports: the title still reads the frame
 * before the entry point; what is exported stays the first 128. */
static void test_deep_recursion(void **state)
{
	char log[32768];
	size_t o = 0;
	struct first f;

	(void)state;
	o += (size_t)snprintf(log + o, sizeof(log) - o,
			      "[  733.821133][    C1] BUG: stack guard page was hit at ffffc900190cfff8 (stack is ffffc900190d0000..ffffc900190d7fff)\n"
			      "[  733.821152][    C1] kernel stack overflow (double-fault): 0000 [#1] PREEMPT SMP KASAN\n"
			      "[  733.821164][    C1] CPU: 1 PID: 10931 Comm: syz-executor.2 Not tainted 5.13.0-syzkaller #0\n"
			      "[  733.821187][    C1] RIP: 0010:foo_next_lower_dev+0x8/0xb0\n"
			      "[  733.821341][    C1] Call Trace:\n");
	for (int i = 0; i < 60; i++)
		o += (size_t)snprintf(log + o, sizeof(log) - o,
				      "[  733.821347][    C1]  foo_get_stats+0xf5/0x4d0\n"
				      "[  733.821348][    C1]  ? foo_get_stats+0x10/0x4d0\n"
				      "[  733.821452][    C1]  dev_get_stats+0xa5/0x2b0\n");
	o += (size_t)snprintf(log + o, sizeof(log) - o,
			      "[  733.825864][    C1]  __foo_newlink+0xcff/0x1760\n"
			      "[  733.825999][    C1]  foo_newlink+0x64/0xa0\n"
			      "[  733.826029][    C1]  rtnetlink_rcv_msg+0x44e/0xb70\n"
			      "[  733.826084][    C1]  netlink_rcv_skb+0x153/0x420\n"
			      "[  733.826326][    C1]  do_syscall_64+0x35/0xb0\n"
			      "[  737.720017][    C1] ---[ end trace c7333c57bb52e2a5 ]---\n"
			      "[  737.720027][    C1] RIP: 0010:foo_next_lower_dev+0x8/0xb0\n"
			      "[  737.720030][    C1] Kernel panic - not syncing: Fatal exception in interrupt\n");
	assert_true(o < sizeof(log) - 1);
	run(log, &f);
	assert_string_equal(f.title, "BUG: stack guard page was hit in foo_newlink");
	assert_int_equal(f.n_frames, 128);
}

/* arm64's overflow prints the registers, then the panic, then the trace: named like the
 * panic's own form, by the work before the entry point past the repeating frames. */
static void test_arm64_overflow(void **state)
{
	char log[32768];
	size_t o = 0;
	struct first f;

	(void)state;
	o += (size_t)snprintf(log + o, sizeof(log) - o,
			      "[ 1349.302803][    C1] Insufficient stack space to handle exception!\n"
			      "[ 1349.302808][    C1] ESR: 0x0000000096000047 -- DABT (current EL)\n"
			      "[ 1349.302814][    C1] FAR: 0xffff800015fdffa0\n"
			      "[ 1349.302816][    C1] Task stack:     [0xffff800015fe0000..0xffff800015fe4000]\n"
			      "[ 1349.302828][    C1] CPU: 1 PID: 16874 Comm: syz-executor.3 Not tainted 6.0.0-rc7 #0\n"
			      "[ 1349.302849][    C1] pc : mark_lock+0x4/0x1b4\n"
			      "[ 1349.302859][    C1] lr : __lock_acquire+0x630/0x30a4\n"
			      "[ 1349.302950][    C1] Kernel panic - not syncing: kernel stack overflow\n"
			      "[ 1349.302963][    C1] Call trace:\n"
			      "[ 1349.302965][    C1]  dump_backtrace+0x1c4/0x1f0\n"
			      "[ 1349.302990][    C1]  panic+0x218/0x50c\n"
			      "[ 1349.303008][    C1]  handle_bad_stack+0x34/0x48\n"
			      "[ 1349.303013][    C1]  __bad_stack+0x78/0x7c\n"
			      "[ 1349.303018][    C1]  mark_lock+0x4/0x1b4\n"
			      "[ 1349.303030][    C1]  psi_group_change+0x128/0x3d0\n");
	for (int i = 0; i < 50; i++)
		o += (size_t)snprintf(log + o, sizeof(log) - o,
				      "[ 1349.303131][    C1]  foo_sync_lower_features+0x13c/0x21c\n"
				      "[ 1349.303137][    C1]  __foo_update_features+0x284/0xa88\n"
				      "[ 1349.304064][    C1]  foo_device_event+0x1a8/0x25c\n");
	o += (size_t)snprintf(log + o, sizeof(log) - o,
			      "[ 1349.304099][    C1]  do_setlink+0x5f8/0x17a4\n"
			      "[ 1349.304105][    C1]  foo_newlink+0x988/0xa04\n"
			      "[ 1349.304111][    C1]  rtnetlink_rcv_msg+0x484/0x82c\n"
			      "[ 1349.304166][    C1]  el0_svc_common+0x138/0x220\n"
			      "[ 1349.304199][    C1] SMP: stopping secondary CPUs\n"
			      "[ 1349.304214][    C1] Kernel Offset: disabled\n");
	assert_true(o < sizeof(log) - 1);
	run(log, &f);
	assert_string_equal(f.title, "kernel stack overflow in foo_newlink");
	assert_int_equal(f.type, KREPORT_OOPS);
}

/* The stall detector WARNs in the timer interrupt before it dumps the stalled CPU: one
 * report, named by the task the interrupt stopped. */
static void test_warn_inside_stall(void **state)
{
	(void)state;
	expect("[  611.778481][    C1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	       "[  611.785841][    C1] rcu: \tTasks blocked on level-0 rcu_node (CPUs 0-1):\n"
	       "[  611.785848][    C1] ------------[ cut here ]------------\n"
	       "[  611.798299][    C1] IRQs not enabled as expected\n"
	       "[  611.803253][    C1] WARNING: CPU: 1 PID: 4737 at kernel/sched/core.c:2698 try_invoke_on_locked_down_task+0x18b/0x320\n"
	       "[  611.815146][    C1] Kernel panic - not syncing: panic_on_warn set ...\n"
	       "[  611.822004][    C1] CPU: 1 PID: 4737 Comm: foo-daemon Not tainted 5.8.0-rc3-syzkaller #0\n"
	       "[  611.840748][    C1] Call Trace:\n"
	       "[  611.844041][    C1]  <IRQ>\n"
	       "[  611.847038][    C1]  dump_stack+0x1f0/0x31e\n"
	       "[  611.851537][    C1]  panic+0x264/0x7a0\n"
	       "[  611.872226][    C1]  __warn+0x227/0x250\n"
	       "[  611.882552][    C1]  report_bug+0x1b1/0x2e0\n"
	       "[  611.887028][    C1]  handle_bug+0x42/0x80\n"
	       "[  611.891294][    C1]  exc_invalid_op+0x16/0x40\n"
	       "[  611.895859][    C1]  asm_exc_invalid_op+0x12/0x20\n"
	       "[  611.900723][    C1] RIP: 0010:try_invoke_on_locked_down_task+0x18b/0x320\n"
	       "[  611.927186][    C1] RSP: 0018:ffffc90000da8c50 EFLAGS: 00010046\n"
	       "[  611.983534][    C1]  rcu_sched_clock_irq+0x12ec/0x1eb0\n"
	       "[  611.993836][    C1]  update_process_times+0x12c/0x180\n"
	       "[  612.014781][    C1]  __hrtimer_run_queues+0x42d/0x930\n"
	       "[  612.019801][    C1]  hrtimer_interrupt+0x373/0xd60\n"
	       "[  612.025733][    C1]  __sysvec_apic_timer_interrupt+0xf0/0x260\n"
	       "[  612.030407][    C1]  </IRQ>\n"
	       "[  612.033350][    C1]  sysvec_apic_timer_interrupt+0xb9/0x130\n"
	       "[  612.039081][    C1]  asm_sysvec_apic_timer_interrupt+0x12/0x20\n"
	       "[  612.045068][    C1] RIP: 0010:foo_wait_done+0x311/0x450\n"
	       "[  612.071000][    C1] RSP: 0018:ffffc90001c27be0 EFLAGS: 00000202\n"
	       "[  612.145958][    C1]  foo_do_cmd+0x4d/0x1f0\n"
	       "[  612.150298][    C1]  foo_ioctl+0x18/0x20\n"
	       "[  612.174200][    C1]  __x64_sys_ioctl+0x17e/0x210\n"
	       "[  612.185765][    C1]  do_syscall_64+0x73/0xe0\n"
	       "[  612.190187][    C1]  entry_SYSCALL_64_after_hwframe+0x44/0xa9\n"
	       "[  613.363983][    C1] Kernel Offset: disabled\n",
	       KREPORT_RCU_STALL, "INFO: rcu detected stall in foo_ioctl");
}

/* arm32 names a frame only as the caller on its callee's line: a fault taken in the
 * instrumentation under the exception entry is named by the entry, as the kernel has it.
 * The caller frames are read for the title, not exported (each line is one frame). */
static void test_arm32_caller(void **state)
{
	struct first f;

	(void)state;
	run("[ 9080.453689][T11783] 8<--- cut here ---\n"
	    "[ 9080.454760][T11783] Unhandled fault: page domain fault (0x01b) at 0x00000e30\n"
	    "[ 9080.455761][T11783] pgd = e852c1e3\n"
	    "[ 9080.459344][T11783] Internal error: : 1b [#1] PREEMPT SMP ARM\n"
	    "[ 9080.464375][T11783] CPU: 1 PID: 11783 Comm: syz-executor.0 Not tainted 5.10.0-rc1+ #18\n"
	    "[ 9080.467190][T11783] PC is at __sanitizer_cov_trace_pc+0x4c/0x78\n"
	    "[ 9080.468129][T11783] LR is at trace_hardirqs_off+0x6c/0x120\n"
	    "[ 9080.477621][T11783] Backtrace: \n"
	    "[ 9080.479068][T11783] [<802b3ffc>] (__sanitizer_cov_trace_pc) from [<802e1324>] (trace_hardirqs_off+0x6c/0x120)\n"
	    "[ 9080.480508][T11783] [<802e12b8>] (trace_hardirqs_off) from [<80100a74>] (__dabt_svc+0x54/0xa0)\n"
	    "[ 9080.481456][T11783] Exception stack(0x8bdfc048 to 0x8bdfc090)\n"
	    "[ 9080.490000][T11783] ---[ end trace 0000000000000002 ]---\n", &f);
	assert_string_equal(f.title, "Unhandled fault in __dabt_svc");
	assert_int_equal(f.n_frames, 2);
	/* panic() never returns: the frame arm32 names as its caller is whatever follows it */
	expect("[   86.958885][ T3004] ------------[ cut here ]------------\n"
	       "[   86.960044][ T3004] WARNING: CPU: 0 PID: 3004 at lib/string_helpers.c:1029 __fortify_report+0x6c/0x74\n"
	       "[   86.963321][ T3004] strnlen: detected buffer overflow: 17 byte read of buffer size 16\n"
	       "[   86.966106][ T3004] Kernel panic - not syncing: kernel: panic_on_warn set ...\n"
	       "[   86.967326][ T3004] Call trace: \n"
	       "[   86.968851][ T3004] [<818fce00>] (dump_stack) from [<818e021c>] (panic+0x120/0x358)\n"
	       "[   86.969123][ T3004] [<818e00fc>] (panic) from [<80243d54>] (print_tainted+0x0/0xa0)\n"
	       "[   86.969677][ T3004] [<80243ce0>] (check_panic_on_warn) from [<80243f48>] (__warn+0x7c/0x180)\n"
	       "[   86.969897][ T3004] [<80243ecc>] (__warn) from [<80244234>] (warn_slowpath_fmt+0x1e8/0x1f4)\n"
	       "[   86.970339][ T3004] [<80244050>] (warn_slowpath_fmt) from [<8080fe7c>] (__fortify_report+0x6c/0x74)\n"
	       "[   86.970961][ T3004] [<8080fe10>] (__fortify_report) from [<818e9a40>] (__fortify_panic+0x10/0x14)\n"
	       "[   86.971175][ T3004] [<818e9a30>] (__fortify_panic) from [<8062a3b0>] (foo_fileattr_get+0x0/0x78)\n"
	       "[   86.971403][ T3004] [<8062829c>] (__foo_ioctl) from [<8062aaac>] (foo_ioctl+0x10/0x14)\n"
	       "[   86.972140][ T3004] [<805187fc>] (sys_ioctl) from [<80200060>] (ret_fast_syscall+0x0/0x1c)\n"
	       "[   86.975662][ T3004] Rebooting in 86400 seconds..\n",
	       KREPORT_WARN, "WARNING in foo_fileattr_get");
}

/* KCSAN's first form indented its lines by one space, the headline too */
static void test_indented_headline(void **state)
{
	(void)state;
	expect("[   44.381409][    C4]  ==================================================================\n"
	       "[   44.381969][    C4]  BUG: KCSAN: data-race in foo_clean_rx_irq+0x551/0xb10\n"
	       "[   44.382748][    C4]  \n"
	       "[   44.383468][    C4]  race at unknown origin, with read to 0xffff933db8a2ae6c of 1 bytes by interrupt on cpu 0:\n"
	       "[   44.384066][    C4]   foo_clean_rx_irq+0x551/0xb10\n"
	       "[   44.384704][    C4]   foo_clean+0x533/0xda0\n"
	       "[   44.385296][    C4]   net_rx_action+0x329/0x900\n"
	       "[   44.394244][    C4]  Reported by Kernel Concurrency Sanitizer on:\n"
	       "[   44.394819][    C4]  CPU: 0 PID: 0 Comm: swapper/0 Not tainted 5.3.0-rc7+ #2\n",
	       KREPORT_KASAN, "KCSAN: data-race in foo_clean_rx_irq");
}

/* The unwinder's complaints with the address hashed (4.15+): one title for both forms */
static void test_hashed_unwinder_warning(void **state)
{
	(void)state;
	expect("[   29.027197] WARNING: kernel stack frame pointer at         (ptrval) in foo:4492 has bad value         (ptrval)\n"
	       "[   29.027200] unwind stack type:0 next_sp:          (null) mask:0x6 graph_idx:0\n",
	       KREPORT_WARN, "WARNING: kernel stack regs has bad value");
	expect("[   35.687228] WARNING: kernel stack regs at         (ptrval) in foo:4492 has bad 'bp' value         (ptrval)\n"
	       "[   35.687230] unwind stack type:0 next_sp:          (null) mask:0x6 graph_idx:0\n",
	       KREPORT_WARN, "WARNING: kernel stack regs has bad value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_output_in_trace),
		cmocka_unit_test(test_harness_date_prefix),
		cmocka_unit_test(test_lines_inside_trace),
		cmocka_unit_test(test_deep_recursion),
		cmocka_unit_test(test_arm64_overflow),
		cmocka_unit_test(test_warn_inside_stall),
		cmocka_unit_test(test_arm32_caller),
		cmocka_unit_test(test_indented_headline),
		cmocka_unit_test(test_hashed_unwinder_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
