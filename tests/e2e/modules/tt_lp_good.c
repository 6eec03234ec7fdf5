// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_good: a well-behaved livepatch. Replaces the handler of /proc/cmdline so user
 * space can see that the patch is in effect, and that disabling it restores the original.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int tt_good_cmdline_show(struct seq_file *m, void *v)
{
	seq_puts(m, "tuxtape-e2e: cmdline patched by tt_lp_good\n");
	return 0;
}

static struct klp_func tt_good_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = tt_good_cmdline_show,
	},
	{ }
};

static struct klp_object tt_good_objs[] = {
	{
		/* no name: the functions live in vmlinux */
		.funcs = tt_good_funcs,
	},
	{ }
};

static struct klp_patch tt_good_patch = {
	.mod = THIS_MODULE,
	.objs = tt_good_objs,
};

static int __init tt_good_init(void)
{
	return klp_enable_patch(&tt_good_patch);
}

static void __exit tt_good_exit(void)
{
}

module_init(tt_good_init);
module_exit(tt_good_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a good livepatch of /proc/cmdline");
MODULE_INFO(livepatch, "Y");
