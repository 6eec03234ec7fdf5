// SPDX-License-Identifier: GPL-2.0
/*
 * tt_sleeper: companion of tt_lp_stalls (not a livepatch). A kernel thread that stays
 * asleep inside tt_sleeper_nap() for as long as the module is loaded, so a livepatch that
 * replaces that function can never switch this task: its transition stalls.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/err.h>

static struct task_struct *tt_sleeper_task;

/*
 * The livepatch signals stalled tasks: a kernel thread is woken up, so go back to sleep
 * here, without ever leaving this function, until the module goes away.
 */
static noinline void tt_sleeper_nap(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
}

static int tt_sleeper_thread(void *unused)
{
	pr_info("tt_sleeper: napping in tt_sleeper_nap\n");
	tt_sleeper_nap();
	return 0;
}

static int __init tt_sleeper_init(void)
{
	tt_sleeper_task = kthread_run(tt_sleeper_thread, NULL, "tt_sleeper");
	return PTR_ERR_OR_ZERO(tt_sleeper_task);
}

static void __exit tt_sleeper_exit(void)
{
	kthread_stop(tt_sleeper_task);
}

module_init(tt_sleeper_init);
module_exit(tt_sleeper_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a kernel thread asleep in a patchable function");
