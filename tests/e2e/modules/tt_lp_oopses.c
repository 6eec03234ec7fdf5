// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_oopses: a broken livepatch. Its replacement of the /proc/loadavg handler reads
 * through a NULL pointer, so reading that file oopses with this module in the RIP line.
 * The kernel keeps running (panic_on_oops=0); only the reading task dies.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static noinline int tt_oopses_loadavg_show(struct seq_file *m, void *v)
{
	unsigned long *p = NULL;

	/*
	 * Hidden from the optimiser so it emits a real load rather than a trap instruction:
	 * the report is then a NULL-pointer page fault, like a real bug's.
	 */
	OPTIMIZER_HIDE_VAR(p);
	seq_printf(m, "tuxtape-e2e: %lu\n", READ_ONCE(*p));
	return 0;
}

static struct klp_func tt_oopses_funcs[] = {
	{
		.old_name = "loadavg_proc_show",
		.new_func = tt_oopses_loadavg_show,
	},
	{ }
};

static struct klp_object tt_oopses_objs[] = {
	{
		.funcs = tt_oopses_funcs,
	},
	{ }
};

static struct klp_patch tt_oopses_patch = {
	.mod = THIS_MODULE,
	.objs = tt_oopses_objs,
};

static int __init tt_oopses_init(void)
{
	return klp_enable_patch(&tt_oopses_patch);
}

static void __exit tt_oopses_exit(void)
{
}

module_init(tt_oopses_init);
module_exit(tt_oopses_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a livepatch whose replacement oopses");
MODULE_INFO(livepatch, "Y");
