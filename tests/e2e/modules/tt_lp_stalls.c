// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_stalls: a livepatch whose transition cannot complete. It replaces tt_sleeper_nap()
 * in the tt_sleeper module, where that module's kernel thread sleeps forever, so the thread
 * is never found off the old function and stays unpatched: /sys/kernel/livepatch/
 * tt_lp_stalls/transition stays 1 until the patch is disabled (which reverses it).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/kthread.h>
#include <linux/sched.h>

static void tt_stalls_nap(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
}

static struct klp_func tt_stalls_funcs[] = {
	{
		.old_name = "tt_sleeper_nap",
		.new_func = tt_stalls_nap,
	},
	{ }
};

static struct klp_object tt_stalls_objs[] = {
	{
		.name = "tt_sleeper",
		.funcs = tt_stalls_funcs,
	},
	{ }
};

static struct klp_patch tt_stalls_patch = {
	.mod = THIS_MODULE,
	.objs = tt_stalls_objs,
};

static int __init tt_stalls_init(void)
{
	return klp_enable_patch(&tt_stalls_patch);
}

static void __exit tt_stalls_exit(void)
{
}

module_init(tt_stalls_init);
module_exit(tt_stalls_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a livepatch whose transition stalls");
MODULE_INFO(livepatch, "Y");
