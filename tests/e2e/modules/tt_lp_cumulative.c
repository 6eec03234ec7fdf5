// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_cumulative: an atomic-replace livepatch. Enabling it supersedes every livepatch
 * loaded before it (here tt_lp_good) in one transition; /proc/cmdline shows which won.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int tt_cumulative_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "tuxtape-e2e: cmdline patched by tt_lp_cumulative\n");
	return 0;
}

static struct klp_func tt_cumulative_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = tt_cumulative_cmdline_show,
	},
	{ }
};

static struct klp_object tt_cumulative_objs[] = {
	{
		.funcs = tt_cumulative_funcs,
	},
	{ }
};

static struct klp_patch tt_cumulative_patch = {
	.mod = THIS_MODULE,
	.objs = tt_cumulative_objs,
	.replace = true,
};

static int __init tt_cumulative_init(void)
{
	return klp_enable_patch(&tt_cumulative_patch);
}

static void __exit tt_cumulative_exit(void)
{
}

module_init(tt_cumulative_init);
module_exit(tt_cumulative_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a cumulative (atomic replace) livepatch");
MODULE_INFO(livepatch, "Y");
