// SPDX-License-Identifier: GPL-2.0
/*
 * tt_plain: an ordinary module, not a livepatch (no livepatch=Y in its modinfo). The
 * kernel loads it like any module; a livepatch agent must refuse to treat it as a patch.
 */
#include <linux/module.h>
#include <linux/kernel.h>

static int __init tt_plain_init(void)
{
	pr_info("tt_plain: loaded\n");
	return 0;
}

static void __exit tt_plain_exit(void)
{
}

module_init(tt_plain_init);
module_exit(tt_plain_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape e2e bench: an ordinary module");
