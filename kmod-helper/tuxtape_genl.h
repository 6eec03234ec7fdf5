/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The kernel companion's generic netlink interface (family "tuxtape", version 1): shared
 * by the module (kmod-helper/) and the agent (agent/companion.c). docs/COMPANION.md is the
 * contract in prose. Attribute numbers and meanings never change; new ones are appended.
 *
 * Events go to the multicast group "events" (joining it needs CAP_NET_ADMIN), commands need
 * CAP_NET_ADMIN (GENL_ADMIN_PERM). Every event carries TT_A_SEQ (per module instance,
 * starting at 1, +1 per event) and TT_A_TIME_NS (ktime_get_mono_fast_ns(): CLOCK_MONOTONIC).
 */
#ifndef _UAPI_TUXTAPE_GENL_H
#define _UAPI_TUXTAPE_GENL_H

#define TT_GENL_NAME		"tuxtape"
#define TT_GENL_VERSION		1
#define TT_GENL_MCGRP_EVENTS	"events"

/* bounds every party enforces (strings include their NUL) */
#define TT_NAME_MAX		64	/* module and patch names */
#define TT_SYMBOL_MAX		128	/* "func+0x1c/0x40" */
#define TT_COMM_MAX		16
#define TT_BLOCKING_MAX		64	/* tasks in one TT_CMD_GET_BLOCKING reply */

enum tt_cmd {
	TT_CMD_UNSPEC,
	/* requests (user -> kernel), GENL_ADMIN_PERM */
	TT_CMD_GET_STATE,	/* reply TT_CMD_GET_STATE: TT_A_SEQ, TT_A_TAINT, and
				 * TT_A_PATCH/TT_A_TARGET/TT_A_TIME_NS when in a transition */
	TT_CMD_GET_BLOCKING,	/* reply TT_CMD_GET_BLOCKING: TT_A_PATCH, TT_A_TARGET,
				 * TT_A_TASK... (nested), TT_A_TRUNCATED when more existed */
	/* events (kernel -> group "events") */
	TT_EV_TRANSITION,	/* TT_A_PATCH, TT_A_TARGET, TT_A_PHASE */
	TT_EV_MODULE,		/* TT_A_MODULE, TT_A_MODSTATE, TT_A_LIVEPATCH (flag) */
	TT_EV_FAULT,		/* TT_A_FAULT, TT_A_ADDR, TT_A_SYMBOL, TT_A_MODULE (when the
				 * address is in a module), TT_A_PID, TT_A_COMM, TT_A_TAINT */
	TT_EV_TAINT,		/* TT_A_TAINT (the new mask), TT_A_TAINT_FLAG (bit set) */
	__TT_CMD_MAX,
};
#define TT_CMD_MAX (__TT_CMD_MAX - 1)

enum tt_attr {
	TT_A_UNSPEC,
	TT_A_SEQ,		/* u64 */
	TT_A_TIME_NS,		/* u64, CLOCK_MONOTONIC */
	TT_A_PATCH,		/* string: the livepatch module's name */
	TT_A_TARGET,		/* u8: enum tt_target */
	TT_A_PHASE,		/* u8: enum tt_phase */
	TT_A_MODULE,		/* string */
	TT_A_MODSTATE,		/* u8: enum tt_modstate */
	TT_A_LIVEPATCH,		/* flag: the module is a livepatch */
	TT_A_FAULT,		/* u8: enum tt_fault */
	TT_A_ADDR,		/* u64: the reporting or faulting address */
	TT_A_SYMBOL,		/* string: the address as %pS prints it, "[module]" stripped */
	TT_A_PID,		/* u32 */
	TT_A_COMM,		/* string */
	TT_A_TAINT,		/* u64: the kernel's taint mask */
	TT_A_TAINT_FLAG,	/* u8: TAINT_* bit number */
	TT_A_TASK,		/* nested, TT_A_TASK_* */
	TT_A_TRUNCATED,		/* u32: tasks left out of this reply */
	TT_A_PAD,
	__TT_A_MAX,
};
#define TT_A_MAX (__TT_A_MAX - 1)

/* inside TT_A_TASK */
enum tt_task_attr {
	TT_A_TASK_UNSPEC,
	TT_A_TASK_PID,		/* u32: the thread */
	TT_A_TASK_TGID,		/* u32 */
	TT_A_TASK_COMM,		/* string */
	TT_A_TASK_REASON,	/* u8: enum tt_block_reason */
	TT_A_TASK_FUNC,		/* string: for TT_BLOCK_SLEEPING_ON, the function */
	TT_A_TASK_TIME_NS,	/* u64: when the core last found it blocking */
	TT_A_TASK_TRIES,	/* u32: how many times the core found it blocking */
	__TT_A_TASK_MAX,
};
#define TT_A_TASK_MAX (__TT_A_TASK_MAX - 1)

enum tt_target { TT_TARGET_UNPATCHED = 0, TT_TARGET_PATCHED = 1 };

enum tt_phase {
	TT_PHASE_UNSPEC,
	TT_PHASE_STARTED,
	TT_PHASE_FINISHED,
	TT_PHASE_REVERSED,	/* the target flipped: the transition now goes back */
	TT_PHASE_CANCELLED,	/* a patch that failed to enable was taken back */
	__TT_PHASE_MAX,
};

enum tt_modstate {
	TT_MODSTATE_UNSPEC,
	TT_MODSTATE_COMING,
	TT_MODSTATE_LIVE,
	TT_MODSTATE_GOING,
	__TT_MODSTATE_MAX,
};

enum tt_fault {
	TT_FAULT_UNSPEC,
	TT_FAULT_WARN,
	TT_FAULT_BUG,
	TT_FAULT_OOPS,
	__TT_FAULT_MAX,
};

enum tt_block_reason {
	TT_BLOCK_UNSPEC,	/* not switched, no reason known yet */
	TT_BLOCK_RUNNING,	/* "is running" on another CPU */
	TT_BLOCK_UNRELIABLE,	/* "has an unreliable stack" */
	TT_BLOCK_SLEEPING_ON,	/* "is sleeping on function" TT_A_TASK_FUNC */
	__TT_BLOCK_MAX,
};

#endif /* _UAPI_TUXTAPE_GENL_H */
