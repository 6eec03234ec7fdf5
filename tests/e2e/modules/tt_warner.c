// SPDX-License-Identifier: GPL-2.0
/*
 * tt_warner: an ordinary module that warns once when loaded. A WARN in code that is not a
 * livepatch, while livepatches are loaded: the agent must not blame any of them.
 */
#include <linux/module.h>
#include <linux/kernel.h>

static noinline int tt_warner_fire(void)
{
	return WARN(1, "tt_warner: an unrelated warning\n");
}

static int __init tt_warner_init(void)
{
	tt_warner_fire();
	return 0;
}

static void __exit tt_warner_exit(void)
{
}

module_init(tt_warner_init);
module_exit(tt_warner_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: an ordinary module that warns when loaded");
