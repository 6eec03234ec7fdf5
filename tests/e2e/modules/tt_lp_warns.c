// SPDX-License-Identifier: GPL-2.0
/*
 * tt_lp_warns: a misbehaving livepatch. Its replacement of the /proc/version handler hits
 * WARN_ON every time the file is read, so the WARNING and RIP lines name this module.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

/* a module parameter, so the compiler cannot fold the condition away */
static bool tt_warns_armed = true;
module_param_named(armed, tt_warns_armed, bool, 0644);

static noinline int tt_warns_version_show(struct seq_file *m, void *v)
{
	WARN_ON(tt_warns_armed);
	seq_puts(m, "tuxtape-e2e: version patched by tt_lp_warns\n");
	return 0;
}

static struct klp_func tt_warns_funcs[] = {
	{
		.old_name = "version_proc_show",
		.new_func = tt_warns_version_show,
	},
	{ }
};

static struct klp_object tt_warns_objs[] = {
	{
		.funcs = tt_warns_funcs,
	},
	{ }
};

static struct klp_patch tt_warns_patch = {
	.mod = THIS_MODULE,
	.objs = tt_warns_objs,
};

static int __init tt_warns_init(void)
{
	return klp_enable_patch(&tt_warns_patch);
}

static void __exit tt_warns_exit(void)
{
}

module_init(tt_warns_init);
module_exit(tt_warns_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: a livepatch whose replacement warns");
MODULE_INFO(livepatch, "Y");
