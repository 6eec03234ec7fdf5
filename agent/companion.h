/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel companion (kmod-helper/, docs/COMPANION.md) from the agent's side. One netlink
 * socket listens to the "tuxtape" family's events while the family exists, and to nlctrl's
 * notifications, so the module being loaded or unloaded is noticed without a restart. The
 * companion is a trigger and a richer source, never the truth: callers confirm from sysfs and
 * /dev/kmsg. Messages not from the kernel, malformed, of an unknown command or replayed (a
 * sequence number at or below the last) are counted and dropped here. Parsing is pure
 * (companion_parse*), so it has a fuzz target.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tuxtape_genl.h"

struct nl_sock;
struct nlmsghdr;

struct companion_event {
	int cmd;                        /* TT_EV_* */
	uint64_t seq, time_ns;
	char patch[TT_NAME_MAX];        /* TT_EV_TRANSITION */
	int target, phase;
	char module[TT_NAME_MAX];       /* TT_EV_MODULE; TT_EV_FAULT when in a module */
	int modstate;
	bool livepatch;
	int fault;                      /* TT_EV_FAULT */
	uint64_t addr;
	char symbol[TT_SYMBOL_MAX];
	uint32_t pid;
	char comm[TT_COMM_MAX];
	uint64_t taint;                 /* TT_EV_FAULT, TT_EV_TAINT */
	int taint_flag;
};

struct companion_task {
	uint32_t pid, tgid, tries;
	int reason;                     /* TT_BLOCK_* */
	char comm[TT_COMM_MAX];
	char func[TT_SYMBOL_MAX];
};

struct companion_stats {
	bool in_use;
	uint64_t events, ignored, lost, appeared, last_seq;
	/* the last transition the kernel reported, and how late the agent heard of the last
	 * finished one (its event received; -1: none yet) */
	char last_patch[TT_NAME_MAX];
	int last_phase;
	int64_t last_latency_us;        /* -1: none yet */
	char last_fault[TT_SYMBOL_MAX + TT_NAME_MAX + 32];
	char last_error[256];
};

/* One message of the family (the nlctrl ones are the caller's). 0; -EBADMSG malformed and
 * -EOPNOTSUPP an unknown command, with why filled. */
int companion_parse(const struct nlmsghdr *nlh, size_t len, struct companion_event *ev,
		    char *why, size_t whylen);
/* A TT_CMD_GET_BLOCKING reply: up to max tasks into v; *truncated counts those left out.
 * Returns the number of tasks, or -EBADMSG with why. */
int companion_parse_blocking(const struct nlmsghdr *nlh, size_t len, char *patch, size_t patchlen,
			     struct companion_task *v, size_t max, uint32_t *truncated,
			     char *why, size_t whylen);
const char *companion_phase_name(int phase);
const char *companion_fault_name(int fault);
const char *companion_block_reason(int reason);

typedef void (*companion_fn)(const struct companion_event *ev, void *userdata);
/* In or out of use: the family appeared or went away (or events were lost: resync). */
typedef void (*companion_change_fn)(bool in_use, void *userdata);

struct companion {
	struct nl_sock *sock;
	int family;                     /* -1 while the family does not exist */
	int group;
	companion_fn fn;
	companion_change_fn change;
	void *userdata;
	struct companion_stats *stats;
};

/* Opens the listener (it works with the module absent: stats->in_use false until it
 * appears). < 0 when generic netlink itself is unusable. */
int companion_open(struct companion *c, companion_fn fn, companion_change_fn change,
		   void *userdata, struct companion_stats *stats);
void companion_close(struct companion *c);
int companion_fd(const struct companion *c);
/* Handles what the socket holds; never blocks. 0, or < 0 when the socket broke. */
int companion_read(struct companion *c);
/* Asks the module which tasks block the transition in progress (a request on its own
 * socket, answered at once by the kernel; bounded by a 1 s receive timeout). The number of
 * tasks, -ENOENT when no transition is in progress or the module is absent. */
int companion_blocking(struct companion *c, char *patch, size_t patchlen,
		       struct companion_task *v, size_t max, uint32_t *truncated);
