// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event ring. Hooks fire in any context, NMI included, so they may not sleep,
 * allocate or take a lock an interrupted holder on the same CPU could own: they copy a
 * fixed-size record into a bounded ring, and an irq_work (safe to queue from NMI) starts a
 * work item that builds the netlink messages with GFP_KERNEL and multicasts them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "tt_helper.h"

#define TT_RING_SIZE	128

struct tt_ring {
	raw_spinlock_t lock;
	u64 seq;		/* the last sequence number handed out */
	u64 dropped;		/* records lost to a full ring, not yet reported */
	unsigned int head;	/* next slot to fill */
	unsigned int count;
	struct tt_record *slots;
	struct irq_work irq_work;
	struct work_struct work;
};

static struct tt_ring tt_ring;

static int tt_put_str(struct sk_buff *skb, int type, const char *s)
{
	return s[0] ? nla_put_string(skb, type, s) : 0;
}

static int tt_fill_event(struct sk_buff *skb, const struct tt_record *rec)
{
	if (nla_put_u64_64bit(skb, TT_A_SEQ, rec->seq, TT_A_PAD) ||
	    nla_put_u64_64bit(skb, TT_A_TIME_NS, rec->time_ns, TT_A_PAD))
		return -EMSGSIZE;

	switch (rec->type) {
	case TT_EV_TRANSITION:
		if (tt_put_str(skb, TT_A_PATCH, rec->name) ||
		    nla_put_u8(skb, TT_A_TARGET, rec->target) ||
		    nla_put_u8(skb, TT_A_PHASE, rec->phase))
			return -EMSGSIZE;
		break;
	case TT_EV_MODULE:
		if (tt_put_str(skb, TT_A_MODULE, rec->name) ||
		    nla_put_u8(skb, TT_A_MODSTATE, rec->modstate) ||
		    (rec->livepatch && nla_put_flag(skb, TT_A_LIVEPATCH)))
			return -EMSGSIZE;
		break;
	case TT_EV_FAULT:
		if (nla_put_u8(skb, TT_A_FAULT, rec->fault) ||
		    nla_put_u64_64bit(skb, TT_A_ADDR, rec->addr, TT_A_PAD) ||
		    tt_put_str(skb, TT_A_SYMBOL, rec->symbol) ||
		    tt_put_str(skb, TT_A_MODULE, rec->name) ||
		    nla_put_u32(skb, TT_A_PID, rec->pid) ||
		    tt_put_str(skb, TT_A_COMM, rec->comm) ||
		    nla_put_u64_64bit(skb, TT_A_TAINT, rec->taint, TT_A_PAD))
			return -EMSGSIZE;
		break;
	case TT_EV_TAINT:
		if (nla_put_u64_64bit(skb, TT_A_TAINT, rec->taint, TT_A_PAD) ||
		    nla_put_u8(skb, TT_A_TAINT_FLAG, rec->taint_flag))
			return -EMSGSIZE;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void tt_send(const struct tt_record *rec)
{
	struct sk_buff *skb;
	void *hdr;
	int ret;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tt_genl_family, 0, rec->type);
	if (!hdr || tt_fill_event(skb, rec)) {
		nlmsg_free(skb);
		pr_warn_ratelimited("event %llu (type %u) did not fit a message\n",
				    rec->seq, rec->type);
		return;
	}
	genlmsg_end(skb, hdr);
	/* -ESRCH only says nobody listens: the event is not owed to anyone */
	ret = genlmsg_multicast(&tt_genl_family, skb, 0, 0, GFP_KERNEL);
	if (ret && ret != -ESRCH)
		pr_warn_ratelimited("multicasting event %llu failed: %d\n", rec->seq, ret);
}

static bool tt_ring_pop(struct tt_record *rec, u64 *dropped)
{
	unsigned long flags;
	bool got = false;

	raw_spin_lock_irqsave(&tt_ring.lock, flags);
	*dropped = tt_ring.dropped;
	tt_ring.dropped = 0;
	if (tt_ring.count) {
		unsigned int tail = (tt_ring.head + TT_RING_SIZE - tt_ring.count) % TT_RING_SIZE;

		*rec = tt_ring.slots[tail];
		tt_ring.count--;
		got = true;
	}
	raw_spin_unlock_irqrestore(&tt_ring.lock, flags);
	return got;
}

static void tt_events_work(struct work_struct *work)
{
	struct tt_record rec;
	u64 dropped;

	while (tt_ring_pop(&rec, &dropped)) {
		if (dropped)
			pr_warn_ratelimited("event ring full: %llu events dropped\n", dropped);
		tt_send(&rec);
		cond_resched();
	}
	if (dropped)
		pr_warn_ratelimited("event ring full: %llu events dropped\n", dropped);
}

static void tt_events_irq_work(struct irq_work *iw)
{
	schedule_work(&tt_ring.work);
}

/*
 * Takes a sequence number for @rec and queues it. In NMI context, or while the kernel
 * dies, the lock is only tried: its holder may be the very code this CPU interrupted. A
 * record that cannot be queued still uses its sequence number, so the receiver sees the
 * gap.
 */
void tt_event_post(struct tt_record *rec)
{
	unsigned long flags;
	bool queued = false;

	if (in_nmi() || oops_in_progress) {
		if (!raw_spin_trylock_irqsave(&tt_ring.lock, flags))
			return;
	} else {
		raw_spin_lock_irqsave(&tt_ring.lock, flags);
	}
	rec->seq = ++tt_ring.seq;
	rec->time_ns = ktime_get_mono_fast_ns();
	if (tt_ring.count < TT_RING_SIZE) {
		tt_ring.slots[tt_ring.head] = *rec;
		tt_ring.head = (tt_ring.head + 1) % TT_RING_SIZE;
		tt_ring.count++;
		queued = true;
	} else {
		tt_ring.dropped++;
	}
	raw_spin_unlock_irqrestore(&tt_ring.lock, flags);
	if (queued)
		irq_work_queue(&tt_ring.irq_work);
}

u64 tt_events_last_seq(void)
{
	unsigned long flags;
	u64 seq;

	raw_spin_lock_irqsave(&tt_ring.lock, flags);
	seq = tt_ring.seq;
	raw_spin_unlock_irqrestore(&tt_ring.lock, flags);
	return seq;
}

int tt_events_init(void)
{
	raw_spin_lock_init(&tt_ring.lock);
	tt_ring.slots = vzalloc(array_size(TT_RING_SIZE, sizeof(*tt_ring.slots)));
	if (!tt_ring.slots)
		return -ENOMEM;
	init_irq_work(&tt_ring.irq_work, tt_events_irq_work);
	INIT_WORK(&tt_ring.work, tt_events_work);
	return 0;
}

/* after every hook is gone: nothing posts any more, so the ring drains for good */
void tt_events_exit(void)
{
	irq_work_sync(&tt_ring.irq_work);
	flush_work(&tt_ring.work);
	vfree(tt_ring.slots);
	tt_ring.slots = NULL;
}
