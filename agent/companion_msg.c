// SPDX-License-Identifier: GPL-2.0-only
/* Parsing the companion's messages (agent/companion.h): bounded, every field checked. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "companion.h"

static struct nla_policy tt_policy[TT_A_MAX + 1] = {
	[TT_A_SEQ] = { .type = NLA_U64 },
	[TT_A_TIME_NS] = { .type = NLA_U64 },
	[TT_A_PATCH] = { .type = NLA_STRING, .maxlen = TT_NAME_MAX },
	[TT_A_TARGET] = { .type = NLA_U8 },
	[TT_A_PHASE] = { .type = NLA_U8 },
	[TT_A_MODULE] = { .type = NLA_STRING, .maxlen = TT_NAME_MAX },
	[TT_A_MODSTATE] = { .type = NLA_U8 },
	[TT_A_LIVEPATCH] = { .type = NLA_FLAG },
	[TT_A_FAULT] = { .type = NLA_U8 },
	[TT_A_ADDR] = { .type = NLA_U64 },
	[TT_A_SYMBOL] = { .type = NLA_STRING, .maxlen = TT_SYMBOL_MAX },
	[TT_A_PID] = { .type = NLA_U32 },
	[TT_A_COMM] = { .type = NLA_STRING, .maxlen = TT_COMM_MAX },
	[TT_A_TAINT] = { .type = NLA_U64 },
	[TT_A_TAINT_FLAG] = { .type = NLA_U8 },
	[TT_A_TASK] = { .type = NLA_NESTED },
	[TT_A_TRUNCATED] = { .type = NLA_U32 },
};

static struct nla_policy tt_task_policy[TT_A_TASK_MAX + 1] = {
	[TT_A_TASK_PID] = { .type = NLA_U32 },
	[TT_A_TASK_TGID] = { .type = NLA_U32 },
	[TT_A_TASK_COMM] = { .type = NLA_STRING, .maxlen = TT_COMM_MAX },
	[TT_A_TASK_REASON] = { .type = NLA_U8 },
	[TT_A_TASK_FUNC] = { .type = NLA_STRING, .maxlen = TT_SYMBOL_MAX },
	[TT_A_TASK_TIME_NS] = { .type = NLA_U64 },
	[TT_A_TASK_TRIES] = { .type = NLA_U32 },
};

static int bad(char *why, size_t whylen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return r;
}

/* The policy proved the string NUL-terminated within its bound; a name must be printable. */
static int copy_name(char *dst, size_t size, const struct nlattr *a)
{
	const unsigned char *s = nla_data(a);

	for (size_t i = 0; s[i]; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return -EBADMSG;
	snprintf(dst, size, "%s", (const char *)s);
	return dst[0] ? 0 : -EBADMSG;
}

static int parse_attrs(const struct nlmsghdr *nlh, size_t len, struct nlattr **tb,
		       char *why, size_t whylen)
{
	int r;

	if (len < NLMSG_HDRLEN || len > INT32_MAX || !nlmsg_ok(nlh, (int)len))
		return bad(why, whylen, -EBADMSG, "truncated netlink message");
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return bad(why, whylen, -EBADMSG, "no generic netlink header");
	r = genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, TT_A_MAX, tt_policy);
	if (r < 0)
		return bad(why, whylen, -EBADMSG, "attributes: %s", nl_geterror(r));
	return 0;
}

#define NEED(a, name) do { if (!tb[a]) \
	return bad(why, whylen, -EBADMSG, "%s without " name, what); } while (0)

int companion_parse(const struct nlmsghdr *nlh, size_t len, struct companion_event *ev,
		    char *why, size_t whylen)
{
	struct nlattr *tb[TT_A_MAX + 1];
	const char *what;
	int r = parse_attrs(nlh, len, tb, why, whylen);

	if (r < 0)
		return r;
	memset(ev, 0, sizeof(*ev));
	ev->cmd = ((const struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	switch (ev->cmd) {
	case TT_EV_TRANSITION: what = "transition event"; break;
	case TT_EV_MODULE: what = "module event"; break;
	case TT_EV_FAULT: what = "fault event"; break;
	case TT_EV_TAINT: what = "taint event"; break;
	default:
		return bad(why, whylen, -EOPNOTSUPP, "unknown command %d", ev->cmd);
	}
	NEED(TT_A_SEQ, "a sequence number");
	NEED(TT_A_TIME_NS, "a time");
	ev->seq = nla_get_u64(tb[TT_A_SEQ]);
	ev->time_ns = nla_get_u64(tb[TT_A_TIME_NS]);
	if (ev->seq == 0)
		return bad(why, whylen, -EBADMSG, "%s with sequence number 0", what);
	switch (ev->cmd) {
	case TT_EV_TRANSITION:
		NEED(TT_A_PATCH, "a patch");
		NEED(TT_A_TARGET, "a target");
		NEED(TT_A_PHASE, "a phase");
		if (copy_name(ev->patch, sizeof(ev->patch), tb[TT_A_PATCH]) < 0)
			return bad(why, whylen, -EBADMSG, "%s: bad patch name", what);
		ev->target = nla_get_u8(tb[TT_A_TARGET]);
		ev->phase = nla_get_u8(tb[TT_A_PHASE]);
		if (ev->target > TT_TARGET_PATCHED)
			return bad(why, whylen, -EBADMSG, "%s: target %d", what, ev->target);
		if (ev->phase <= TT_PHASE_UNSPEC || ev->phase >= __TT_PHASE_MAX)
			return bad(why, whylen, -EBADMSG, "%s: phase %d", what, ev->phase);
		break;
	case TT_EV_MODULE:
		NEED(TT_A_MODULE, "a module");
		NEED(TT_A_MODSTATE, "a module state");
		if (copy_name(ev->module, sizeof(ev->module), tb[TT_A_MODULE]) < 0)
			return bad(why, whylen, -EBADMSG, "%s: bad module name", what);
		ev->modstate = nla_get_u8(tb[TT_A_MODSTATE]);
		if (ev->modstate <= TT_MODSTATE_UNSPEC || ev->modstate >= __TT_MODSTATE_MAX)
			return bad(why, whylen, -EBADMSG, "%s: module state %d", what, ev->modstate);
		ev->livepatch = tb[TT_A_LIVEPATCH] != NULL;
		break;
	case TT_EV_FAULT:
		NEED(TT_A_FAULT, "a kind");
		NEED(TT_A_ADDR, "an address");
		ev->fault = nla_get_u8(tb[TT_A_FAULT]);
		if (ev->fault <= TT_FAULT_UNSPEC || ev->fault >= __TT_FAULT_MAX)
			return bad(why, whylen, -EBADMSG, "%s: kind %d", what, ev->fault);
		ev->addr = nla_get_u64(tb[TT_A_ADDR]);
		if (tb[TT_A_SYMBOL] && copy_name(ev->symbol, sizeof(ev->symbol), tb[TT_A_SYMBOL]) < 0)
			return bad(why, whylen, -EBADMSG, "%s: bad symbol", what);
		if (tb[TT_A_MODULE] && copy_name(ev->module, sizeof(ev->module), tb[TT_A_MODULE]) < 0)
			return bad(why, whylen, -EBADMSG, "%s: bad module name", what);
		/* a task's name is whatever it set: keep it, but printable */
		if (tb[TT_A_COMM]) {
			const char *s = nla_data(tb[TT_A_COMM]);

			for (size_t i = 0; s[i] && i + 1 < sizeof(ev->comm); i++)
				ev->comm[i] = (s[i] < 0x20 || s[i] >= 0x7f) ? '?' : s[i];
		}
		if (tb[TT_A_PID])
			ev->pid = nla_get_u32(tb[TT_A_PID]);
		if (tb[TT_A_TAINT])
			ev->taint = nla_get_u64(tb[TT_A_TAINT]);
		break;
	case TT_EV_TAINT:
		NEED(TT_A_TAINT, "a taint mask");
		NEED(TT_A_TAINT_FLAG, "a taint flag");
		ev->taint = nla_get_u64(tb[TT_A_TAINT]);
		ev->taint_flag = nla_get_u8(tb[TT_A_TAINT_FLAG]);
		if (ev->taint_flag >= 64)
			return bad(why, whylen, -EBADMSG, "%s: flag %d", what, ev->taint_flag);
		break;
	}
	return 0;
}

int companion_parse_blocking(const struct nlmsghdr *nlh, size_t len, char *patch, size_t patchlen,
			     struct companion_task *v, size_t max, uint32_t *truncated,
			     char *why, size_t whylen)
{
	struct nlattr *tb[TT_A_MAX + 1], *a;
	const char *what = "blocking reply";
	size_t n = 0;
	int r = parse_attrs(nlh, len, tb, why, whylen), rem;

	if (r < 0)
		return r;
	if (((const struct genlmsghdr *)nlmsg_data(nlh))->cmd != TT_CMD_GET_BLOCKING)
		return bad(why, whylen, -EBADMSG, "%s of command %d", what,
			   ((const struct genlmsghdr *)nlmsg_data(nlh))->cmd);
	NEED(TT_A_PATCH, "a patch");
	if (copy_name(patch, patchlen, tb[TT_A_PATCH]) < 0)
		return bad(why, whylen, -EBADMSG, "%s: bad patch name", what);
	*truncated = tb[TT_A_TRUNCATED] ? nla_get_u32(tb[TT_A_TRUNCATED]) : 0;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		struct nlattr *tt[TT_A_TASK_MAX + 1];
		struct companion_task *t;

		if (nla_type(a) != TT_A_TASK)
			continue;
		if (n == max) {
			(*truncated)++;
			continue;
		}
		r = nla_parse_nested(tt, TT_A_TASK_MAX, a, tt_task_policy);
		if (r < 0)
			return bad(why, whylen, -EBADMSG, "%s: task %zu: %s", what, n, nl_geterror(r));
		if (!tt[TT_A_TASK_PID] || !tt[TT_A_TASK_REASON])
			return bad(why, whylen, -EBADMSG, "%s: task %zu without pid or reason", what, n);
		t = &v[n];
		memset(t, 0, sizeof(*t));
		t->pid = nla_get_u32(tt[TT_A_TASK_PID]);
		t->tgid = tt[TT_A_TASK_TGID] ? nla_get_u32(tt[TT_A_TASK_TGID]) : t->pid;
		t->tries = tt[TT_A_TASK_TRIES] ? nla_get_u32(tt[TT_A_TASK_TRIES]) : 0;
		t->reason = nla_get_u8(tt[TT_A_TASK_REASON]);
		if (t->reason >= __TT_BLOCK_MAX || t->pid == 0)
			return bad(why, whylen, -EBADMSG, "%s: task %zu: reason %d, pid %u", what, n,
				   t->reason, t->pid);
		if (tt[TT_A_TASK_COMM]) {
			const char *s = nla_data(tt[TT_A_TASK_COMM]);

			for (size_t i = 0; s[i] && i + 1 < sizeof(t->comm); i++)
				t->comm[i] = (s[i] < 0x20 || s[i] >= 0x7f) ? '?' : s[i];
		}
		if (tt[TT_A_TASK_FUNC] && copy_name(t->func, sizeof(t->func), tt[TT_A_TASK_FUNC]) < 0)
			return bad(why, whylen, -EBADMSG, "%s: task %zu: bad function name", what, n);
		n++;
	}
	return (int)n;
}

const char *companion_phase_name(int phase)
{
	static const char *const names[] = { "?", "started", "finished", "reversed", "cancelled" };

	return phase > 0 && phase < __TT_PHASE_MAX ? names[phase] : "?";
}

const char *companion_fault_name(int fault)
{
	static const char *const names[] = { "?", "WARN", "BUG", "Oops" };

	return fault > 0 && fault < __TT_FAULT_MAX ? names[fault] : "?";
}

const char *companion_block_reason(int reason)
{
	static const char *const names[] = {
		"has not switched yet", "is running", "has an unreliable stack",
		"is sleeping on function",
	};

	return reason >= 0 && reason < __TT_BLOCK_MAX ? names[reason] : "?";
}
