// SPDX-License-Identifier: GPL-2.0-only
/*
 * The livepatch core has no notifier and no tracepoint on 6.1, so its transitions are
 * followed with kprobes on the functions that drive them (kernel/livepatch/transition.c),
 * all called under klp_mutex, one transition at a time:
 *
 *   klp_init_transition(patch, state)	the patch and its target (no event yet)
 *   klp_start_transition()		STARTED (not after a reversal: REVERSED says it)
 *   klp_try_complete_transition()	void on 6.1; on return, the calling task's patch_state
 *					is KLP_UNDEFINED only when klp_complete_transition()
 *					ran: FINISHED
 *   klp_reverse_transition()		REVERSED, the target flipped
 *   klp_cancel_transition()		CANCELLED, back to unpatched
 *
 * Why a task blocks: klp_check_and_switch_task(task, &oldname) is the core's own check
 * (its callback for task_call_func(), so never inlined); its return value is the reason
 * the core only prints with dynamic debug on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "tt_helper.h"

/* Linux 6.9 renamed the transition states (6.12 has only the new names). */
#ifndef KLP_UNDEFINED
#define KLP_UNDEFINED KLP_TRANSITION_IDLE
#define KLP_PATCHED KLP_TRANSITION_PATCHED
#endif

/* tasks remembered per transition: more than a reply carries, the rest is UNSPEC */
#define TT_BLOCK_TABLE	(2 * TT_BLOCKING_MAX)

struct tt_block {
	pid_t pid;
	u8 reason;
	u32 tries;
	u64 time_ns;
	char func[TT_SYMBOL_MAX];
};

struct tt_klp {
	raw_spinlock_t lock;
	struct tt_klp_state st;
	bool reversing;		/* the next start is the reversal's own */
	unsigned int nblocks;
	struct tt_block blocks[TT_BLOCK_TABLE];
};

static struct tt_klp tt_klp = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(tt_klp.lock),
};

static void tt_transition_event(u8 phase, const char *patch, u8 target)
{
	struct tt_record rec = {
		.type = TT_EV_TRANSITION,
		.phase = phase,
		.target = target,
	};

	strscpy(rec.name, patch, sizeof(rec.name));
	tt_event_post(&rec);
}

static int tt_init_transition(struct kprobe *p, struct pt_regs *regs)
{
	struct klp_patch *patch = (struct klp_patch *)regs_get_kernel_argument(regs, 0);
	int state = (int)regs_get_kernel_argument(regs, 1);
	unsigned long flags;

	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	tt_klp.st.active = true;
	tt_klp.st.target = state == KLP_PATCHED ? TT_TARGET_PATCHED : TT_TARGET_UNPATCHED;
	tt_klp.st.started_ns = ktime_get_mono_fast_ns();
	strscpy(tt_klp.st.patch, patch && patch->mod ? patch->mod->name : "",
		sizeof(tt_klp.st.patch));
	tt_klp.reversing = false;
	tt_klp.nblocks = 0;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	return 0;
}

static int tt_start_transition(struct kprobe *p, struct pt_regs *regs)
{
	struct tt_klp_state st;
	unsigned long flags;
	bool reversing;

	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	reversing = tt_klp.reversing;
	tt_klp.reversing = false;
	tt_klp.st.started_ns = ktime_get_mono_fast_ns();
	st = tt_klp.st;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	if (!reversing && st.active)
		tt_transition_event(TT_PHASE_STARTED, st.patch, st.target);
	return 0;
}

static int tt_reverse_transition(struct kprobe *p, struct pt_regs *regs)
{
	struct tt_klp_state st;
	unsigned long flags;

	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	tt_klp.st.target = !tt_klp.st.target;
	tt_klp.reversing = true;
	st = tt_klp.st;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	if (st.active)
		tt_transition_event(TT_PHASE_REVERSED, st.patch, st.target);
	return 0;
}

static int tt_cancel_transition(struct kprobe *p, struct pt_regs *regs)
{
	struct tt_klp_state st;
	unsigned long flags;

	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	tt_klp.st.target = TT_TARGET_UNPATCHED;
	st = tt_klp.st;
	tt_klp.st.active = false;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	if (st.active)
		tt_transition_event(TT_PHASE_CANCELLED, st.patch, st.target);
	return 0;
}

static int tt_try_complete_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tt_klp_state st;
	unsigned long flags;

	if (READ_ONCE(current->patch_state) != KLP_UNDEFINED)
		return 0;
	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	st = tt_klp.st;
	tt_klp.st.active = false;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	if (st.active)
		tt_transition_event(TT_PHASE_FINISHED, st.patch, st.target);
	return 0;
}

struct tt_check_args {
	struct task_struct *task;
	const char **oldname;
};

static int tt_check_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tt_check_args *args = (struct tt_check_args *)ri->data;

	args->task = (struct task_struct *)regs_get_kernel_argument(regs, 0);
	args->oldname = (const char **)regs_get_kernel_argument(regs, 1);
	return 0;
}

static u8 tt_block_reason(int ret)
{
	switch (ret) {
	case -EBUSY:
		return TT_BLOCK_RUNNING;
	case -EINVAL:
		return TT_BLOCK_UNRELIABLE;
	case -EADDRINUSE:
		return TT_BLOCK_SLEEPING_ON;
	default:
		return TT_BLOCK_UNSPEC;
	}
}

/* runs under the task's pi_lock (task_call_func()): only the raw lock, no allocation */
static int tt_check_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct tt_check_args *args = (struct tt_check_args *)ri->data;
	/* an int return value: only the low 32 bits of the register are set */
	int ret = (int)regs_return_value(regs);
	struct tt_block *b = NULL;
	unsigned long flags;
	unsigned int i;

	if (!ret || !args->task)
		return 0;
	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	for (i = 0; i < tt_klp.nblocks; i++) {
		if (tt_klp.blocks[i].pid == args->task->pid) {
			b = &tt_klp.blocks[i];
			break;
		}
	}
	if (!b && tt_klp.nblocks < TT_BLOCK_TABLE) {
		b = &tt_klp.blocks[tt_klp.nblocks++];
		memset(b, 0, sizeof(*b));
		b->pid = args->task->pid;
	}
	if (b) {
		b->reason = tt_block_reason(ret);
		b->tries++;
		b->time_ns = ktime_get_mono_fast_ns();
		b->func[0] = '\0';
		/* the core sets *oldname to the klp_func's old_name, in the patch module */
		if (ret == -EADDRINUSE && args->oldname && *args->oldname)
			strscpy(b->func, *args->oldname, sizeof(b->func));
	}
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
	return 0;
}

void tt_klp_snapshot(struct tt_klp_state *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	*st = tt_klp.st;
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);
}

static int tt_put_task(struct sk_buff *skb, struct task_struct *t, const struct tt_block *b)
{
	char comm[TASK_COMM_LEN];
	struct nlattr *nest;

	nest = nla_nest_start(skb, TT_A_TASK);
	if (!nest)
		return -EMSGSIZE;
	get_task_comm(comm, t);
	if (nla_put_u32(skb, TT_A_TASK_PID, t->pid) ||
	    nla_put_u32(skb, TT_A_TASK_TGID, t->tgid) ||
	    nla_put_string(skb, TT_A_TASK_COMM, comm) ||
	    nla_put_u8(skb, TT_A_TASK_REASON, b ? b->reason : TT_BLOCK_UNSPEC))
		goto cancel;
	if (b && ((b->func[0] && nla_put_string(skb, TT_A_TASK_FUNC, b->func)) ||
		  nla_put_u64_64bit(skb, TT_A_TASK_TIME_NS, b->time_ns, TT_A_TASK_UNSPEC) ||
		  nla_put_u32(skb, TT_A_TASK_TRIES, b->tries)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/*
 * The tasks not yet in the target state: the core's own per-task patch_state, with the
 * reason the last check gave (a task not checked yet has none).
 */
int tt_klp_put_blocking(struct sk_buff *skb, const struct tt_klp_state *st)
{
	struct task_struct *g, *t;
	struct tt_block *table;
	unsigned int n, i, sent = 0, left = 0;
	unsigned long flags;

	table = kmalloc_array(TT_BLOCK_TABLE, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	raw_spin_lock_irqsave(&tt_klp.lock, flags);
	n = tt_klp.nblocks;
	memcpy(table, tt_klp.blocks, n * sizeof(*table));
	raw_spin_unlock_irqrestore(&tt_klp.lock, flags);

	rcu_read_lock();
	for_each_process_thread(g, t) {
		int ps = READ_ONCE(t->patch_state);
		const struct tt_block *b = NULL;

		if (ps == KLP_UNDEFINED || ps == st->target)
			continue;
		if (sent >= TT_BLOCKING_MAX) {
			left++;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (table[i].pid == t->pid) {
				b = &table[i];
				break;
			}
		}
		if (tt_put_task(skb, t, b))
			left++;
		else
			sent++;
	}
	rcu_read_unlock();
	kfree(table);
	if (left && nla_put_u32(skb, TT_A_TRUNCATED, left))
		return -EMSGSIZE;
	return 0;
}

static struct kprobe tt_kprobes[] = {
	{ .symbol_name = "klp_init_transition", .pre_handler = tt_init_transition },
	{ .symbol_name = "klp_start_transition", .pre_handler = tt_start_transition },
	{ .symbol_name = "klp_reverse_transition", .pre_handler = tt_reverse_transition },
	{ .symbol_name = "klp_cancel_transition", .pre_handler = tt_cancel_transition },
};
static bool tt_kprobe_on[ARRAY_SIZE(tt_kprobes)];

static struct kretprobe tt_kretprobes[] = {
	{
		.kp.symbol_name = "klp_try_complete_transition",
		.handler = tt_try_complete_ret,
		.maxactive = 4,
	},
	{
		.kp.symbol_name = "klp_check_and_switch_task",
		.entry_handler = tt_check_entry,
		.handler = tt_check_ret,
		.data_size = sizeof(struct tt_check_args),
		/* one caller at a time: klp_try_complete_transition() under klp_mutex */
		.maxactive = 4,
	},
};
static bool tt_kretprobe_on[ARRAY_SIZE(tt_kretprobes)];

/*
 * A hook that cannot be placed is logged and skipped: the agent polls sysfs for what the
 * events do not tell it. Returns how many hooks are in place.
 */
int tt_klp_hooks_init(void)
{
	unsigned int i;
	int ret, n = 0;

	for (i = 0; i < ARRAY_SIZE(tt_kprobes); i++) {
		ret = register_kprobe(&tt_kprobes[i]);
		if (ret)
			pr_warn("cannot probe %s (%d): its transition events are missing\n",
				tt_kprobes[i].symbol_name, ret);
		tt_kprobe_on[i] = !ret;
		n += !ret;
	}
	for (i = 0; i < ARRAY_SIZE(tt_kretprobes); i++) {
		ret = register_kretprobe(&tt_kretprobes[i]);
		if (ret)
			pr_warn("cannot probe the return of %s (%d): its events are missing\n",
				tt_kretprobes[i].kp.symbol_name, ret);
		tt_kretprobe_on[i] = !ret;
		n += !ret;
	}
	return n;
}

void tt_klp_hooks_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tt_kprobes); i++)
		if (tt_kprobe_on[i])
			unregister_kprobe(&tt_kprobes[i]);
	for (i = 0; i < ARRAY_SIZE(tt_kretprobes); i++)
		if (tt_kretprobe_on[i])
			unregister_kretprobe(&tt_kretprobes[i]);
}
