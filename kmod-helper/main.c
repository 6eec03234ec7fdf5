// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape_helper: the kernel companion of tuxtape-agent. It tells the agent at once, over
 * the generic netlink family "tuxtape", what the kernel does to livepatches, modules and
 * faults, and answers what no file says: which tasks hold a transition back, and why.
 * docs/COMPANION.md is the contract; tuxtape_genl.h the wire format.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <net/genetlink.h>

#include "tt_helper.h"

/*
 * Joining the events group must need CAP_NET_ADMIN, or every local user learns of every
 * fault. Kbuild reads include/net/genetlink.h: mainline's per-group flags, a stable
 * backport's bitfields, or neither (see Kbuild).
 */
#if defined(TT_MCAST_FLAGS)
#define TT_MCAST_RESTRICTED	1
#define TT_MCGRP_PERM		.flags = GENL_MCAST_CAP_NET_ADMIN,
#elif defined(TT_MCAST_CAP_NET_ADMIN_BIT)
#define TT_MCAST_RESTRICTED	1
#define TT_MCGRP_PERM		.cap_net_admin = 1,
#elif defined(TT_MCAST_CAP_SYS_ADMIN_BIT)
/* only CAP_SYS_ADMIN can be asked for: stricter than the contract, never looser */
#define TT_MCAST_RESTRICTED	1
#define TT_MCGRP_PERM		.cap_sys_admin = 1,
#else
#define TT_MCAST_RESTRICTED	0
#define TT_MCGRP_PERM
#endif

static const struct genl_multicast_group tt_mcgrps[] = {
	{ .name = TT_GENL_MCGRP_EVENTS, TT_MCGRP_PERM },
};

/* what the events carry; a request carries nothing (tt_no_attrs() says so) */
static const struct nla_policy tt_policy[TT_A_MAX + 1] = {
	[TT_A_SEQ]		= { .type = NLA_U64 },
	[TT_A_TIME_NS]		= { .type = NLA_U64 },
	[TT_A_PATCH]		= { .type = NLA_NUL_STRING, .len = TT_NAME_MAX - 1 },
	[TT_A_TARGET]		= NLA_POLICY_MAX(NLA_U8, TT_TARGET_PATCHED),
	[TT_A_PHASE]		= NLA_POLICY_MAX(NLA_U8, __TT_PHASE_MAX - 1),
	[TT_A_MODULE]		= { .type = NLA_NUL_STRING, .len = TT_NAME_MAX - 1 },
	[TT_A_MODSTATE]		= NLA_POLICY_MAX(NLA_U8, __TT_MODSTATE_MAX - 1),
	[TT_A_LIVEPATCH]	= { .type = NLA_FLAG },
	[TT_A_FAULT]		= NLA_POLICY_MAX(NLA_U8, __TT_FAULT_MAX - 1),
	[TT_A_ADDR]		= { .type = NLA_U64 },
	[TT_A_SYMBOL]		= { .type = NLA_NUL_STRING, .len = TT_SYMBOL_MAX - 1 },
	[TT_A_PID]		= { .type = NLA_U32 },
	[TT_A_COMM]		= { .type = NLA_NUL_STRING, .len = TT_COMM_MAX - 1 },
	[TT_A_TAINT]		= { .type = NLA_U64 },
	[TT_A_TAINT_FLAG]	= { .type = NLA_U8 },
	[TT_A_TASK]		= { .type = NLA_NESTED },
	[TT_A_TRUNCATED]	= { .type = NLA_U32 },
	[TT_A_PAD]		= { .type = NLA_UNSPEC },
};

static int tt_no_attrs(struct genl_info *info)
{
	int i;

	for (i = 1; i <= TT_A_MAX; i++) {
		if (info->attrs[i]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[i],
					    "this request takes no attributes");
			return -EINVAL;
		}
	}
	return 0;
}

static int tt_reply(struct genl_info *info, struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int tt_get_state(struct sk_buff *req, struct genl_info *info)
{
	struct tt_klp_state st;
	struct sk_buff *skb;
	void *hdr;
	int ret;

	ret = tt_no_attrs(info);
	if (ret)
		return ret;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &tt_genl_family, 0, TT_CMD_GET_STATE);
	if (!hdr)
		goto too_big;
	tt_klp_snapshot(&st);
	if (nla_put_u64_64bit(skb, TT_A_SEQ, tt_events_last_seq(), TT_A_PAD) ||
	    nla_put_u64_64bit(skb, TT_A_TAINT, tt_taint_mask(), TT_A_PAD))
		goto too_big;
	if (st.active &&
	    (nla_put_string(skb, TT_A_PATCH, st.patch) ||
	     nla_put_u8(skb, TT_A_TARGET, st.target) ||
	     nla_put_u64_64bit(skb, TT_A_TIME_NS, st.started_ns, TT_A_PAD)))
		goto too_big;
	return tt_reply(info, skb, hdr);
too_big:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

/* room for TT_BLOCKING_MAX tasks with the longest function names */
#define TT_BLOCKING_SIZE	(TT_BLOCKING_MAX * (TT_SYMBOL_MAX + TT_COMM_MAX + 96) + 256)

static int tt_get_blocking(struct sk_buff *req, struct genl_info *info)
{
	struct tt_klp_state st;
	struct sk_buff *skb;
	void *hdr;
	int ret;

	ret = tt_no_attrs(info);
	if (ret)
		return ret;
	tt_klp_snapshot(&st);
	if (!st.active) {
		NL_SET_ERR_MSG(info->extack, "no livepatch transition in progress");
		return -ENOENT;
	}
	skb = genlmsg_new(TT_BLOCKING_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &tt_genl_family, 0, TT_CMD_GET_BLOCKING);
	if (!hdr || nla_put_string(skb, TT_A_PATCH, st.patch) ||
	    nla_put_u8(skb, TT_A_TARGET, st.target)) {
		ret = -EMSGSIZE;
		goto fail;
	}
	ret = tt_klp_put_blocking(skb, &st);
	if (ret)
		goto fail;
	return tt_reply(info, skb, hdr);
fail:
	nlmsg_free(skb);
	return ret;
}

static const struct genl_small_ops tt_ops[] = {
	{
		.cmd = TT_CMD_GET_STATE,
		.flags = GENL_ADMIN_PERM,
		.doit = tt_get_state,
	},
	{
		.cmd = TT_CMD_GET_BLOCKING,
		.flags = GENL_ADMIN_PERM,
		.doit = tt_get_blocking,
	},
};

struct genl_family tt_genl_family __ro_after_init = {
	.name = TT_GENL_NAME,
	.version = TT_GENL_VERSION,
	.maxattr = TT_A_MAX,
	.policy = tt_policy,
	.module = THIS_MODULE,
	.small_ops = tt_ops,
	.n_small_ops = ARRAY_SIZE(tt_ops),
	/* every command is new: strict header and attribute checks for all of them */
	.resv_start_op = TT_CMD_GET_STATE,
	.mcgrps = tt_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tt_mcgrps),
	.netnsok = false,
};

static int __init tt_helper_init(void)
{
	int ret, hooks;

	if (!TT_MCAST_RESTRICTED) {
		pr_err("this kernel's generic netlink cannot restrict a multicast group to CAP_NET_ADMIN: refusing to tell every local user about faults\n");
		return -EPERM;
	}
	ret = tt_events_init();
	if (ret)
		return ret;
	ret = genl_register_family(&tt_genl_family);
	if (ret) {
		pr_err("cannot register the generic netlink family %s: %d\n", TT_GENL_NAME, ret);
		goto out_events;
	}
	hooks = tt_klp_hooks_init();
	hooks += tt_fault_hooks_init();
	if (!hooks) {
		pr_err("no hook could be placed: nothing to report\n");
		ret = -ENODEV;
		goto out_family;
	}
	pr_info("family %s registered, %d hooks in place\n", TT_GENL_NAME, hooks);
	return 0;

out_family:
	genl_unregister_family(&tt_genl_family);
out_events:
	tt_events_exit();
	return ret;
}

static void __exit tt_helper_exit(void)
{
	tt_fault_hooks_exit();
	tt_klp_hooks_exit();
	/* the last queued events go out before the family does */
	tt_events_exit();
	genl_unregister_family(&tt_genl_family);
}

module_init(tt_helper_init);
module_exit(tt_helper_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TuxTape kernel companion: livepatch, module and fault events over generic netlink");
MODULE_ALIAS_GENL_FAMILY(TT_GENL_NAME);
