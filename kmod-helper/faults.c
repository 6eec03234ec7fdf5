// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module, fault and taint events. What 6.1 offers a module: the module notifier; the
 * error_report_end tracepoint, which __warn() fires for every WARN (on x86 a WARN never
 * reaches the die chain); the die notifier for BUG and Oops; and, since taint has no
 * notifier, a kprobe on add_taint() for the moment a bit is first set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kdebug.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/panic.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <trace/events/error_report.h>

#include "tt_helper.h"

u64 tt_taint_mask(void)
{
	u64 mask = 0;
	unsigned int i;

	/* get_taint() is not exported; test_taint() is */
	for (i = 0; i < TAINT_FLAGS_COUNT && i < 64; i++)
		if (test_taint(i))
			mask |= BIT_ULL(i);
	return mask;
}

/*
 * "func+0x1c/0x40 [mod]" (and, with build ids, "[mod buildid]"): the symbol without the
 * bracket, the module's name apart.
 */
static void tt_fill_symbol(struct tt_record *rec, unsigned long addr)
{
	char *open, *end;

	rec->addr = addr;
	snprintf(rec->symbol, sizeof(rec->symbol), "%pS", (void *)addr);
	open = strstr(rec->symbol, " [");
	if (!open)
		return;
	*open = '\0';
	open += 2;
	end = strpbrk(open, " ]");
	if (end)
		*end = '\0';
	strscpy(rec->name, open, sizeof(rec->name));
}

static void tt_fault_event(u8 kind, unsigned long addr)
{
	struct tt_record rec = {
		.type = TT_EV_FAULT,
		.fault = kind,
		.pid = task_pid_nr(current),
	};

	tt_fill_symbol(&rec, addr);
	/* get_task_comm() takes task_lock, which NMI context may not */
	memcpy(rec.comm, current->comm, min(sizeof(rec.comm), sizeof(current->comm)));
	rec.comm[sizeof(rec.comm) - 1] = '\0';
	rec.taint = tt_taint_mask();
	tt_event_post(&rec);
}

static void tt_error_report(void *data, enum error_detector detector, unsigned long id)
{
	/* KFENCE and KASAN reports are not faults the agent judges livepatches by */
	if (detector == ERROR_DETECTOR_WARN)
		tt_fault_event(TT_FAULT_WARN, id);
}

static int tt_die(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;

	if (val != DIE_OOPS || !args)
		return NOTIFY_DONE;
	/* a BUG() is ud2 on x86: the die is "invalid opcode" */
	tt_fault_event(args->str && strstr(args->str, "invalid opcode") ?
		       TT_FAULT_BUG : TT_FAULT_OOPS,
		       args->regs ? instruction_pointer(args->regs) : 0);
	return NOTIFY_DONE;
}

static int tt_module_event(struct notifier_block *nb, unsigned long val, void *data)
{
	struct module *mod = data;
	struct tt_record rec = { .type = TT_EV_MODULE };

	switch (val) {
	case MODULE_STATE_COMING:
		rec.modstate = TT_MODSTATE_COMING;
		break;
	case MODULE_STATE_LIVE:
		rec.modstate = TT_MODSTATE_LIVE;
		break;
	case MODULE_STATE_GOING:
		rec.modstate = TT_MODSTATE_GOING;
		break;
	default:
		return NOTIFY_DONE;
	}
	strscpy(rec.name, mod->name, sizeof(rec.name));
	rec.livepatch = is_livepatch_module(mod);
	tt_event_post(&rec);
	return NOTIFY_DONE;
}

/* add_taint(flag, lockdep_ok): an event only when the bit was clear */
static int tt_add_taint(struct kprobe *p, struct pt_regs *regs)
{
	unsigned int flag = (unsigned int)regs_get_kernel_argument(regs, 0);
	struct tt_record rec = { .type = TT_EV_TAINT };

	if (flag >= TAINT_FLAGS_COUNT || flag >= 64 || test_taint(flag))
		return 0;
	rec.taint_flag = flag;
	rec.taint = tt_taint_mask() | BIT_ULL(flag);
	tt_event_post(&rec);
	return 0;
}

static struct notifier_block tt_die_nb = {
	.notifier_call = tt_die,
};

static struct notifier_block tt_module_nb = {
	.notifier_call = tt_module_event,
};

static struct kprobe tt_taint_kp = {
	.symbol_name = "add_taint",
	.pre_handler = tt_add_taint,
};

static bool tt_tracepoint_on, tt_die_on, tt_module_on, tt_taint_on;

/* returns how many hooks are in place; one that fails is logged and skipped */
int tt_fault_hooks_init(void)
{
	int ret;

	ret = register_module_notifier(&tt_module_nb);
	if (ret)
		pr_warn("cannot register the module notifier (%d): no module events\n", ret);
	tt_module_on = !ret;

	ret = register_trace_error_report_end(tt_error_report, NULL);
	if (ret)
		pr_warn("cannot attach to error_report_end (%d): no WARN events\n", ret);
	tt_tracepoint_on = !ret;

	ret = register_die_notifier(&tt_die_nb);
	if (ret)
		pr_warn("cannot register the die notifier (%d): no BUG/Oops events\n", ret);
	tt_die_on = !ret;

	ret = register_kprobe(&tt_taint_kp);
	if (ret)
		pr_warn("cannot probe add_taint (%d): no taint events\n", ret);
	tt_taint_on = !ret;

	return tt_module_on + tt_tracepoint_on + tt_die_on + tt_taint_on;
}

void tt_fault_hooks_exit(void)
{
	if (tt_taint_on)
		unregister_kprobe(&tt_taint_kp);
	if (tt_die_on)
		unregister_die_notifier(&tt_die_nb);
	if (tt_tracepoint_on) {
		unregister_trace_error_report_end(tt_error_report, NULL);
		/* a probe still running on another CPU must finish before the ring goes */
		tracepoint_synchronize_unregister();
	}
	if (tt_module_on)
		unregister_module_notifier(&tt_module_nb);
}
