// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tests' client of the kernel companion (kmod-helper/, docs/COMPANION.md):
 *   tt-genl [--as-user UID] listen [--count N] [--timeout SEC]   one line per event
 *   tt-genl [--as-user UID] state                                 TT_CMD_GET_STATE
 *   tt-genl [--as-user UID] blocking                              TT_CMD_GET_BLOCKING
 * --as-user drops to UID (and the group of the same number, no supplementary groups)
 * before any socket is opened. Exit codes: 0 done, 1 other error, 2 usage, 3 permission
 * refused (EPERM), 4 the family is not registered (module not loaded), 5 --timeout passed
 * before --count events, 6 no transition in progress (blocking).
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tuxtape_genl.h"
#include "util.h"

enum {
	EXIT_USAGE = 2,
	EXIT_PERM = 3,
	EXIT_NOFAMILY = 4,
	EXIT_TIMEOUT = 5,
	EXIT_NOTRANSITION = 6,
};

struct ctx {
	long count;		/* events to wait for, 0: no limit */
	long seen;
	int kernel_err;		/* errno of the kernel's error reply */
};

static const char *const phases[] = { "unspec", "started", "finished", "reversed", "cancelled" };
static const char *const modstates[] = { "unspec", "coming", "live", "going" };
static const char *const faults[] = { "unspec", "warn", "bug", "oops" };

static const char *name_of(const char *const *names, size_t n, unsigned int v)
{
	return v < n ? names[v] : "?";
}

static struct nla_policy ev_policy[TT_A_MAX + 1] = {
	[TT_A_SEQ] = { .type = NLA_U64 },
	[TT_A_TIME_NS] = { .type = NLA_U64 },
	[TT_A_PATCH] = { .type = NLA_NUL_STRING, .maxlen = TT_NAME_MAX },
	[TT_A_TARGET] = { .type = NLA_U8 },
	[TT_A_PHASE] = { .type = NLA_U8 },
	[TT_A_MODULE] = { .type = NLA_NUL_STRING, .maxlen = TT_NAME_MAX },
	[TT_A_MODSTATE] = { .type = NLA_U8 },
	[TT_A_LIVEPATCH] = { .type = NLA_FLAG },
	[TT_A_FAULT] = { .type = NLA_U8 },
	[TT_A_ADDR] = { .type = NLA_U64 },
	[TT_A_SYMBOL] = { .type = NLA_NUL_STRING, .maxlen = TT_SYMBOL_MAX },
	[TT_A_PID] = { .type = NLA_U32 },
	[TT_A_COMM] = { .type = NLA_NUL_STRING, .maxlen = TT_COMM_MAX },
	[TT_A_TAINT] = { .type = NLA_U64 },
	[TT_A_TAINT_FLAG] = { .type = NLA_U8 },
	[TT_A_TASK] = { .type = NLA_NESTED },
	[TT_A_TRUNCATED] = { .type = NLA_U32 },
};

static struct nla_policy task_policy[TT_A_TASK_MAX + 1] = {
	[TT_A_TASK_PID] = { .type = NLA_U32 },
	[TT_A_TASK_TGID] = { .type = NLA_U32 },
	[TT_A_TASK_COMM] = { .type = NLA_NUL_STRING, .maxlen = TT_COMM_MAX },
	[TT_A_TASK_REASON] = { .type = NLA_U8 },
	[TT_A_TASK_FUNC] = { .type = NLA_NUL_STRING, .maxlen = TT_SYMBOL_MAX },
	[TT_A_TASK_TIME_NS] = { .type = NLA_U64 },
	[TT_A_TASK_TRIES] = { .type = NLA_U32 },
};

static const char *str_or(struct nlattr *a, const char *dflt)
{
	return a ? nla_get_string(a) : dflt;
}

static uint8_t u8_or(struct nlattr *a, uint8_t dflt)
{
	return a ? nla_get_u8(a) : dflt;
}

static void print_task(struct nlattr *nest)
{
	struct nlattr *t[TT_A_TASK_MAX + 1];

	if (nla_parse_nested(t, TT_A_TASK_MAX, nest, task_policy) < 0) {
		printf("task (malformed)\n");
		return;
	}
	printf("task pid=%u tgid=%u comm=%s tries=%u: ",
	       t[TT_A_TASK_PID] ? nla_get_u32(t[TT_A_TASK_PID]) : 0,
	       t[TT_A_TASK_TGID] ? nla_get_u32(t[TT_A_TASK_TGID]) : 0,
	       str_or(t[TT_A_TASK_COMM], "?"),
	       t[TT_A_TASK_TRIES] ? nla_get_u32(t[TT_A_TASK_TRIES]) : 0);
	switch (u8_or(t[TT_A_TASK_REASON], TT_BLOCK_UNSPEC)) {
	case TT_BLOCK_RUNNING:
		printf("is running\n");
		break;
	case TT_BLOCK_UNRELIABLE:
		printf("has an unreliable stack\n");
		break;
	case TT_BLOCK_SLEEPING_ON:
		printf("sleeping on function %s\n", str_or(t[TT_A_TASK_FUNC], "?"));
		break;
	default:
		printf("no reason known yet\n");
		break;
	}
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *a[TT_A_MAX + 1];
	int rem;
	struct nlattr *pos;

	/* only the kernel (port 0) speaks for the companion */
	if (nlmsg_get_src(msg)->nl_pid != 0) {
		fprintf(stderr, "tt-genl: ignored a message from port %u\n", nlmsg_get_src(msg)->nl_pid);
		return NL_SKIP;
	}
	if (genlmsg_parse(nlh, 0, a, TT_A_MAX, ev_policy) < 0) {
		fprintf(stderr, "tt-genl: ignored a malformed message (command %u)\n", gh->cmd);
		return NL_SKIP;
	}
	if (a[TT_A_SEQ])
		printf("seq=%" PRIu64 " ", nla_get_u64(a[TT_A_SEQ]));
	switch (gh->cmd) {
	case TT_EV_TRANSITION:
		printf("transition patch=%s target=%u phase=%s", str_or(a[TT_A_PATCH], "?"),
		       u8_or(a[TT_A_TARGET], 0),
		       name_of(phases, ELEMENTSOF(phases), u8_or(a[TT_A_PHASE], 0)));
		break;
	case TT_EV_MODULE:
		printf("module name=%s state=%s livepatch=%d", str_or(a[TT_A_MODULE], "?"),
		       name_of(modstates, ELEMENTSOF(modstates), u8_or(a[TT_A_MODSTATE], 0)),
		       a[TT_A_LIVEPATCH] != NULL);
		break;
	case TT_EV_FAULT:
		printf("fault kind=%s symbol=%s module=%s addr=0x%" PRIx64 " pid=%u comm=%s taint=0x%" PRIx64,
		       name_of(faults, ELEMENTSOF(faults), u8_or(a[TT_A_FAULT], 0)),
		       str_or(a[TT_A_SYMBOL], "?"), str_or(a[TT_A_MODULE], "-"),
		       a[TT_A_ADDR] ? nla_get_u64(a[TT_A_ADDR]) : 0,
		       a[TT_A_PID] ? nla_get_u32(a[TT_A_PID]) : 0, str_or(a[TT_A_COMM], "?"),
		       a[TT_A_TAINT] ? nla_get_u64(a[TT_A_TAINT]) : 0);
		break;
	case TT_EV_TAINT:
		printf("taint flag=%u mask=0x%" PRIx64, u8_or(a[TT_A_TAINT_FLAG], 0),
		       a[TT_A_TAINT] ? nla_get_u64(a[TT_A_TAINT]) : 0);
		break;
	case TT_CMD_GET_STATE:
		printf("state taint=0x%" PRIx64, a[TT_A_TAINT] ? nla_get_u64(a[TT_A_TAINT]) : 0);
		if (a[TT_A_PATCH])
			printf(" patch=%s target=%u", nla_get_string(a[TT_A_PATCH]),
			       u8_or(a[TT_A_TARGET], 0));
		else
			printf(" transition=none");
		break;
	case TT_CMD_GET_BLOCKING:
		printf("blocking patch=%s target=%u", str_or(a[TT_A_PATCH], "?"),
		       u8_or(a[TT_A_TARGET], 0));
		if (a[TT_A_TRUNCATED])
			printf(" truncated=%u", nla_get_u32(a[TT_A_TRUNCATED]));
		printf("\n");
		nlmsg_for_each_attr(pos, nlh, GENL_HDRLEN, rem)
			if (nla_type(pos) == TT_A_TASK)
				print_task(pos);
		ctx->seen++;
		return NL_OK;
	default:
		printf("unknown command=%u", gh->cmd);
		break;
	}
	if (a[TT_A_TIME_NS])
		printf(" time_ns=%" PRIu64, nla_get_u64(a[TT_A_TIME_NS]));
	printf("\n");
	ctx->seen++;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct ctx *ctx = arg;

	(void)nla;
	ctx->kernel_err = -err->error;
	return NL_STOP;
}

static int exit_for_errno(int e)
{
	return e == EPERM || e == EACCES ? EXIT_PERM : e == ENOENT ? EXIT_NOTRANSITION : 1;
}

static int fail_errno(const char *what, int e)
{
	fprintf(stderr, "tt-genl: %s: %s (%s)\n", what,
		e == EPERM || e == EACCES ? "permission refused" : strerror(e),
		strerrorname_np(e) ? strerrorname_np(e) : "?");
	return exit_for_errno(e);
}

/* libnl reports errors as NLE_*; the ones a test tells apart go back to errno */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_PERM:
		return EPERM;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_NOMEM:
		return ENOMEM;
	default:
		return EIO;
	}
}

static int drop_to(const char *arg)
{
	char *end;
	unsigned long id;

	errno = 0;
	id = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || id >= UINT_MAX) {
		fprintf(stderr, "tt-genl: --as-user: '%s' is not a uid (a number below 4294967295)\n", arg);
		return EXIT_USAGE;
	}
	if (setgroups(0, NULL) < 0)
		return fail_errno("setgroups", errno);
	if (setresgid(id, id, id) < 0)
		return fail_errno("setresgid", errno);
	if (setresuid(id, id, id) < 0)
		return fail_errno("setresuid", errno);
	return 0;
}

static int parse_long(const char *opt, const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = v ? strtol(v, &end, 10) : -1;
	if (!v || errno || *end || end == v || *out < 0) {
		fprintf(stderr, "tt-genl: %s needs a non-negative number, not '%s'\n", opt, v ? v : "");
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: tt-genl [--as-user UID] listen [--count N] [--timeout SEC]\n"
	      "       tt-genl [--as-user UID] state | blocking\n"
	      "exit: 0 done, 1 error, 2 usage, 3 permission refused, 4 family not registered,\n"
	      "      5 timeout before N events, 6 no transition in progress\n", f);
}

static int listen_events(struct nl_sock *sk, struct ctx *ctx, long timeout)
{
	struct timespec start, now;
	int grp, ret;

	grp = genl_ctrl_resolve_grp(sk, TT_GENL_NAME, TT_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return fail_errno("resolving group " TT_GENL_MCGRP_EVENTS, nle_errno(grp));
	ret = nl_socket_add_membership(sk, grp);
	if (ret < 0)
		return fail_errno("joining group " TT_GENL_MCGRP_EVENTS, nle_errno(ret));
	/* events are unsolicited: no sequence numbers to match */
	nl_socket_disable_seq_check(sk);
	printf("listening\n");
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!ctx->count || ctx->seen < ctx->count) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
		int wait_ms = -1;

		if (timeout) {
			long spent;

			clock_gettime(CLOCK_MONOTONIC, &now);
			spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
			if (spent >= timeout * 1000) {
				fprintf(stderr, "tt-genl: %ld of %ld events in %ld s\n", ctx->seen,
					ctx->count, timeout);
				return EXIT_TIMEOUT;
			}
			wait_ms = (int)(timeout * 1000 - spent);
		}
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno != EINTR)
			return fail_errno("poll", errno);
		if (ret > 0) {
			ret = nl_recvmsgs_default(sk);
			if (ret < 0)
				return fail_errno("receiving", nle_errno(ret));
		}
	}
	return 0;
}

static int request(struct nl_sock *sk, struct ctx *ctx, int family, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return fail_errno("nlmsg_alloc", ENOMEM);
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK, cmd,
			 TT_GENL_VERSION)) {
		nlmsg_free(msg);
		return fail_errno("genlmsg_put", ENOMEM);
	}
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return fail_errno("sending", nle_errno(ret));
	ret = nl_wait_for_ack(sk);
	if (ctx->kernel_err)
		return fail_errno(cmd == TT_CMD_GET_STATE ? "state" : "blocking", ctx->kernel_err);
	if (ret < 0)
		return fail_errno("receiving", nle_errno(ret));
	if (!ctx->seen) {
		fprintf(stderr, "tt-genl: the kernel acknowledged but sent no reply\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	struct nl_sock *sk;
	const char *verb;
	long timeout = 0;
	int i = 1, family, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("tt-genl %s\n", TUXTAPE_VERSION);
		return 0;
	}
	if (i + 1 < argc && !strcmp(argv[i], "--as-user")) {
		ret = drop_to(argv[i + 1]);
		if (ret)
			return ret;
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	verb = argv[i++];
	for (; i < argc; i++) {
		if (strcmp(verb, "listen")) {
			fprintf(stderr, "tt-genl: %s takes no option '%s'\n", verb, argv[i]);
			return EXIT_USAGE;
		}
		if (!strcmp(argv[i], "--count")) {
			if (parse_long("--count", argv[++i], &ctx.count) < 0)
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--timeout")) {
			if (parse_long("--timeout", argv[++i], &timeout) < 0)
				return EXIT_USAGE;
		} else {
			fprintf(stderr, "tt-genl: listen: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (strcmp(verb, "listen") && strcmp(verb, "state") && strcmp(verb, "blocking")) {
		fprintf(stderr, "tt-genl: unknown command '%s' (listen, state, blocking)\n", verb);
		return EXIT_USAGE;
	}

	sk = nl_socket_alloc();
	if (!sk)
		return fail_errno("nl_socket_alloc", ENOMEM);
	ret = genl_connect(sk);
	if (ret < 0) {
		ret = fail_errno("connecting to generic netlink", nle_errno(ret));
		goto out;
	}
	family = genl_ctrl_resolve(sk, TT_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "tt-genl: the family %s is not registered (is tuxtape_helper loaded?)\n",
			TT_GENL_NAME);
		ret = EXIT_NOFAMILY;
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, &ctx);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, &ctx);
	if (!strcmp(verb, "listen"))
		ret = listen_events(sk, &ctx, timeout);
	else
		ret = request(sk, &ctx, family,
			      !strcmp(verb, "state") ? TT_CMD_GET_STATE : TT_CMD_GET_BLOCKING);
out:
	nl_socket_free(sk);
	return ret;
}
