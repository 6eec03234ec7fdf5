/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel companion's messages as the agent parses them (agent/companion.h): every event
 * kind built the way the module builds it (libnl here, genlmsg in the kernel), and each
 * refusal: a missing or out-of-range field, a string without its NUL or over its bound, a
 * name that is not printable, an unknown command, a truncated message; the blocking reply
 * with its bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "companion.h"

#define FAMILY 0x20

static struct nl_msg *msg_new(int cmd, uint64_t seq)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 0, FAMILY, 0, 0, cmd, TT_GENL_VERSION));
	if (seq) {
		assert_int_equal(nla_put_u64(m, TT_A_SEQ, seq), 0);
		assert_int_equal(nla_put_u64(m, TT_A_TIME_NS, 123456789ull), 0);
	}
	return m;
}

static int parse(struct nl_msg *m, struct companion_event *ev, char *why)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int r = companion_parse(h, h->nlmsg_len, ev, why, 160);

	nlmsg_free(m);
	return r;
}

static void test_events(void **unused)
{
	struct companion_event ev;
	char why[160];
	struct nl_msg *m;

	m = msg_new(TT_EV_TRANSITION, 7);
	nla_put_string(m, TT_A_PATCH, "tt_lp_good");
	nla_put_u8(m, TT_A_TARGET, TT_TARGET_PATCHED);
	nla_put_u8(m, TT_A_PHASE, TT_PHASE_FINISHED);
	assert_int_equal(parse(m, &ev, why), 0);
	assert_int_equal(ev.cmd, TT_EV_TRANSITION);
	assert_int_equal(ev.seq, 7);
	assert_int_equal(ev.time_ns, 123456789ull);
	assert_string_equal(ev.patch, "tt_lp_good");
	assert_int_equal(ev.phase, TT_PHASE_FINISHED);
	assert_string_equal(companion_phase_name(ev.phase), "finished");

	m = msg_new(TT_EV_MODULE, 8);
	nla_put_string(m, TT_A_MODULE, "tt_lp_warns");
	nla_put_u8(m, TT_A_MODSTATE, TT_MODSTATE_LIVE);
	nla_put_flag(m, TT_A_LIVEPATCH);
	assert_int_equal(parse(m, &ev, why), 0);
	assert_true(ev.livepatch);
	assert_int_equal(ev.modstate, TT_MODSTATE_LIVE);

	m = msg_new(TT_EV_FAULT, 9);
	nla_put_u8(m, TT_A_FAULT, TT_FAULT_WARN);
	nla_put_u64(m, TT_A_ADDR, 0xffffffffc0001234ull);
	nla_put_string(m, TT_A_SYMBOL, "tt_warns_version_show+0x1c/0x40");
	nla_put_string(m, TT_A_MODULE, "tt_lp_warns");
	nla_put_u32(m, TT_A_PID, 42);
	nla_put_string(m, TT_A_COMM, "cat\x01");
	assert_int_equal(parse(m, &ev, why), 0);
	assert_string_equal(ev.symbol, "tt_warns_version_show+0x1c/0x40");
	assert_string_equal(ev.module, "tt_lp_warns");
	assert_string_equal(ev.comm, "cat?");    /* a task names itself: kept printable */
	assert_int_equal(ev.pid, 42);

	m = msg_new(TT_EV_TAINT, 10);
	nla_put_u64(m, TT_A_TAINT, 1ull << 9 | 1ull << 15);
	nla_put_u8(m, TT_A_TAINT_FLAG, 9);
	assert_int_equal(parse(m, &ev, why), 0);
	assert_int_equal(ev.taint_flag, 9);
}

static void test_refusals(void **unused)
{
	struct companion_event ev;
	char why[160];
	struct nl_msg *m;
	char longname[TT_NAME_MAX + 8];

	/* no sequence number */
	m = msg_new(TT_EV_TAINT, 0);
	nla_put_u64(m, TT_A_TAINT, 1);
	nla_put_u8(m, TT_A_TAINT_FLAG, 0);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);
	assert_non_null(strstr(why, "sequence number"));

	/* sequence number 0 */
	m = msg_new(TT_EV_TAINT, 0);
	nla_put_u64(m, TT_A_SEQ, 0);
	nla_put_u64(m, TT_A_TIME_NS, 1);
	nla_put_u64(m, TT_A_TAINT, 1);
	nla_put_u8(m, TT_A_TAINT_FLAG, 0);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* a phase the protocol does not have */
	m = msg_new(TT_EV_TRANSITION, 1);
	nla_put_string(m, TT_A_PATCH, "p");
	nla_put_u8(m, TT_A_TARGET, 1);
	nla_put_u8(m, TT_A_PHASE, __TT_PHASE_MAX);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);
	assert_non_null(strstr(why, "phase"));

	/* target 2 */
	m = msg_new(TT_EV_TRANSITION, 1);
	nla_put_string(m, TT_A_PATCH, "p");
	nla_put_u8(m, TT_A_TARGET, 2);
	nla_put_u8(m, TT_A_PHASE, TT_PHASE_STARTED);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* a name without its NUL */
	m = msg_new(TT_EV_MODULE, 1);
	nla_put(m, TT_A_MODULE, 4, "abcd");
	nla_put_u8(m, TT_A_MODSTATE, TT_MODSTATE_LIVE);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* a name over its bound */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	m = msg_new(TT_EV_MODULE, 1);
	nla_put_string(m, TT_A_MODULE, longname);
	nla_put_u8(m, TT_A_MODSTATE, TT_MODSTATE_LIVE);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* a name with a control character (it would forge lines in the log) */
	m = msg_new(TT_EV_MODULE, 1);
	nla_put_string(m, TT_A_MODULE, "evil\nline");
	nla_put_u8(m, TT_A_MODSTATE, TT_MODSTATE_LIVE);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* a u64 that is 4 bytes */
	m = msg_new(TT_EV_TAINT, 0);
	nla_put_u32(m, TT_A_SEQ, 5);
	nla_put_u64(m, TT_A_TIME_NS, 1);
	nla_put_u64(m, TT_A_TAINT, 1);
	nla_put_u8(m, TT_A_TAINT_FLAG, 0);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* an unknown command, and a request's command arriving as an event */
	m = msg_new(__TT_CMD_MAX, 1);
	assert_int_equal(parse(m, &ev, why), -EOPNOTSUPP);
	m = msg_new(TT_CMD_GET_STATE, 1);
	assert_int_equal(parse(m, &ev, why), -EOPNOTSUPP);

	/* the fault's kind out of range, a taint bit past 63 */
	m = msg_new(TT_EV_FAULT, 1);
	nla_put_u8(m, TT_A_FAULT, 0);
	nla_put_u64(m, TT_A_ADDR, 1);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);
	m = msg_new(TT_EV_TAINT, 1);
	nla_put_u64(m, TT_A_TAINT, 1);
	nla_put_u8(m, TT_A_TAINT_FLAG, 64);
	assert_int_equal(parse(m, &ev, why), -EBADMSG);

	/* truncated: the header claims more than the buffer holds */
	m = msg_new(TT_EV_TAINT, 1);
	nla_put_u64(m, TT_A_TAINT, 1);
	nla_put_u8(m, TT_A_TAINT_FLAG, 1);
	{
		struct nlmsghdr *h = nlmsg_hdr(m);

		assert_int_equal(companion_parse(h, h->nlmsg_len - 4, &ev, why, sizeof(why)), -EBADMSG);
		assert_int_equal(companion_parse(h, 8, &ev, why, sizeof(why)), -EBADMSG);
		assert_int_equal(companion_parse(h, h->nlmsg_len, &ev, why, sizeof(why)), 0);
	}
	nlmsg_free(m);
}

static void put_task(struct nl_msg *m, uint32_t pid, int reason, const char *func)
{
	struct nlattr *t = nla_nest_start(m, TT_A_TASK);

	nla_put_u32(m, TT_A_TASK_PID, pid);
	nla_put_u32(m, TT_A_TASK_TGID, pid);
	nla_put_string(m, TT_A_TASK_COMM, "tt_sleeper");
	nla_put_u8(m, TT_A_TASK_REASON, reason);
	if (func)
		nla_put_string(m, TT_A_TASK_FUNC, func);
	nla_put_u32(m, TT_A_TASK_TRIES, 3);
	nla_nest_end(m, t);
}

static void test_blocking(void **unused)
{
	struct companion_task v[2];
	char patch[TT_NAME_MAX], why[160];
	uint32_t truncated;
	struct nl_msg *m = msg_new(TT_CMD_GET_BLOCKING, 0);
	struct nlmsghdr *h;

	nla_put_string(m, TT_A_PATCH, "tt_lp_stalls");
	nla_put_u8(m, TT_A_TARGET, 1);
	put_task(m, 101, TT_BLOCK_SLEEPING_ON, "tt_sleeper_nap");
	put_task(m, 102, TT_BLOCK_RUNNING, NULL);
	put_task(m, 103, TT_BLOCK_UNRELIABLE, NULL);
	nla_put_u32(m, TT_A_TRUNCATED, 5);
	h = nlmsg_hdr(m);
	assert_int_equal(companion_parse_blocking(h, h->nlmsg_len, patch, sizeof(patch), v, 2,
						  &truncated, why, sizeof(why)), 2);
	assert_string_equal(patch, "tt_lp_stalls");
	assert_int_equal(v[0].pid, 101);
	assert_string_equal(v[0].func, "tt_sleeper_nap");
	assert_string_equal(companion_block_reason(v[0].reason), "is sleeping on function");
	assert_int_equal(v[1].reason, TT_BLOCK_RUNNING);
	assert_int_equal(truncated, 6);    /* the kernel's 5 and the one that did not fit */
	nlmsg_free(m);

	/* a task without a pid */
	m = msg_new(TT_CMD_GET_BLOCKING, 0);
	nla_put_string(m, TT_A_PATCH, "p");
	{
		struct nlattr *t = nla_nest_start(m, TT_A_TASK);

		nla_put_u8(m, TT_A_TASK_REASON, 1);
		nla_nest_end(m, t);
	}
	h = nlmsg_hdr(m);
	assert_int_equal(companion_parse_blocking(h, h->nlmsg_len, patch, sizeof(patch), v, 2,
						  &truncated, why, sizeof(why)), -EBADMSG);
	nlmsg_free(m);
	/* an event is not a reply */
	m = msg_new(TT_EV_TAINT, 1);
	h = nlmsg_hdr(m);
	assert_int_equal(companion_parse_blocking(h, h->nlmsg_len, patch, sizeof(patch), v, 2,
						  &truncated, why, sizeof(why)), -EBADMSG);
	nlmsg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_blocking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
