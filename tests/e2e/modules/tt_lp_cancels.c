// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_cancels: a livepatch that cannot be enabled. Its pre-patch callback refuses, after
 * the core has initialised the transition and before it starts it, so the core cancels the
 * transition (klp_cancel_transition()) and loading the module fails with -ENODEV.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int tt_cancels_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "tuxtape-e2e: never shown, tt_lp_cancels is refused\n");
	return 0;
}

static int tt_cancels_pre_patch(struct klp_object *obj)
{
	pr_info("tt_lp_cancels: refusing to patch\n");
	return -ENODEV;
}

static struct klp_func tt_cancels_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = tt_cancels_cmdline_show,
	},
	{ }
};

static struct klp_object tt_cancels_objs[] = {
	{
		.funcs = tt_cancels_funcs,
		.callbacks.pre_patch = tt_cancels_pre_patch,
	},
	{ }
};

static struct klp_patch tt_cancels_patch = {
	.mod = THIS_MODULE,
	.objs = tt_cancels_objs,
};

static int __init tt_cancels_init(void)
{
	return klp_enable_patch(&tt_cancels_patch);
}

static void __exit tt_cancels_exit(void)
{
}

module_init(tt_cancels_init);
module_exit(tt_cancels_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a livepatch whose pre-patch callback refuses");
MODULE_INFO(livepatch, "Y");
