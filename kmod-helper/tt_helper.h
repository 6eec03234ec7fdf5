/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape_helper: what the module's pieces share. main.c owns the generic netlink family
 * and the commands, events.c the ring and the sending, klp.c the livepatch hooks and
 * faults.c the module, WARN, Oops and taint hooks.
 */
#ifndef _TT_HELPER_H
#define _TT_HELPER_H

#include <linux/types.h>
#include <net/genetlink.h>
#include "tuxtape_genl.h"

/*
 * One event as a hook saw it: fixed size, so a hook in any context (NMI included) only
 * copies it into the ring; the message is built later, in process context.
 */
struct tt_record {
	u64 seq;
	u64 time_ns;
	u64 addr;
	u64 taint;
	u32 pid;
	u8 type;		/* TT_EV_* */
	u8 target;
	u8 phase;
	u8 modstate;
	u8 livepatch;
	u8 fault;
	u8 taint_flag;
	char name[TT_NAME_MAX];	/* the patch (transition) or module (module, fault) */
	char symbol[TT_SYMBOL_MAX];
	char comm[TT_COMM_MAX];
};

extern struct genl_family tt_genl_family;

int tt_events_init(void);
void tt_events_exit(void);
void tt_event_post(struct tt_record *rec);
u64 tt_events_last_seq(void);

/* the livepatch transition as the hooks last saw it */
struct tt_klp_state {
	bool active;
	u8 target;
	u64 started_ns;
	char patch[TT_NAME_MAX];
};

int tt_klp_hooks_init(void);
void tt_klp_hooks_exit(void);
void tt_klp_snapshot(struct tt_klp_state *st);
int tt_klp_put_blocking(struct sk_buff *skb, const struct tt_klp_state *st);

int tt_fault_hooks_init(void);
void tt_fault_hooks_exit(void);
u64 tt_taint_mask(void);

#endif /* _TT_HELPER_H */
