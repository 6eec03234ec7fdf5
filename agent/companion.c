// SPDX-License-Identifier: GPL-2.0-only
/* The companion's sockets (agent/companion.h): the listener and the one request. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "companion.h"
#include "log.h"
#include "util.h"

/* datagrams handled per wakeup: a flood cannot starve the rest of the loop */
#define READ_BURST 256

static void set_error(struct companion *c, const char *what, int nlerr)
{
	snprintf(c->stats->last_error, sizeof(c->stats->last_error), "%s: %s", what,
		 nl_geterror(nlerr));
}

static void go_out_of_use(struct companion *c, const char *why)
{
	bool was = c->stats->in_use;

	c->family = -1;
	c->group = -1;
	c->stats->in_use = false;
	if (was) {
		log_info("kernel companion: %s; watching sysfs and /dev/kmsg alone", why);
		if (c->change)
			c->change(false, c->userdata);
	}
}

/* Finds the family and joins its events (on a socket of its own: the listener never
 * blocks). Quietly out of use when the module is not loaded. */
static void resolve(struct companion *c)
{
	struct nl_sock *s = nl_socket_alloc();
	int family, group, r;

	if (!s)
		return;
	r = genl_connect(s);
	family = r < 0 ? r : genl_ctrl_resolve(s, TT_GENL_NAME);
	group = family < 0 ? family : genl_ctrl_resolve_grp(s, TT_GENL_NAME, TT_GENL_MCGRP_EVENTS);
	nl_socket_free(s);
	if (family < 0 || group < 0) {
		if (family != -NLE_OBJ_NOTFOUND)
			set_error(c, "resolving the tuxtape family", family < 0 ? family : group);
		go_out_of_use(c, "the module is gone");
		return;
	}
	if (c->stats->in_use && c->family == family && c->group == group)
		return;
	r = nl_socket_add_membership(c->sock, group);
	if (r < 0) {
		set_error(c, "joining the companion's events", r);
		log_error("kernel companion: cannot join its events: %s", nl_geterror(r));
		return;
	}
	c->family = family;
	c->group = group;
	/* a new instance of the module numbers its events from 1 again */
	c->stats->last_seq = 0;
	c->stats->in_use = true;
	c->stats->appeared++;
	c->stats->last_error[0] = '\0';
	log_info("kernel companion: in use (generic netlink family %d, events group %d)",
		 family, group);
	if (c->change)
		c->change(true, c->userdata);
}

static void ignore(struct companion *c, const char *why)
{
	c->stats->ignored++;
	/* at most one line per power of two: a hostile flood cannot fill the journal */
	if ((c->stats->ignored & (c->stats->ignored - 1)) == 0)
		log_warning("kernel companion: ignored a message (%llu so far): %s",
			    (unsigned long long)c->stats->ignored, why);
}

static void on_ctrl(struct companion *c, struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlh);
	const char *name;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 || !tb[CTRL_ATTR_FAMILY_NAME] ||
	    nla_len(tb[CTRL_ATTR_FAMILY_NAME]) < 1)
		return;
	name = nla_data(tb[CTRL_ATTR_FAMILY_NAME]);
	if (strnlen(name, nla_len(tb[CTRL_ATTR_FAMILY_NAME])) >= (size_t)nla_len(tb[CTRL_ATTR_FAMILY_NAME]) ||
	    !streq(name, TT_GENL_NAME))
		return;
	switch (g->cmd) {
	case CTRL_CMD_NEWFAMILY:
	case CTRL_CMD_NEWMCAST_GRP:
		resolve(c);
		break;
	case CTRL_CMD_DELFAMILY:
		go_out_of_use(c, "the module was unloaded");
		break;
	}
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct companion *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct companion_event ev;
	char why[160];

	/* only the kernel speaks for the family: port 0 */
	if (nlmsg_get_src(msg)->nl_pid != 0) {
		ignore(c, "not sent by the kernel");
		return NL_SKIP;
	}
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		on_ctrl(c, nlh);
		return NL_SKIP;
	}
	if (c->family < 0 || nlh->nlmsg_type != c->family) {
		ignore(c, "not of the tuxtape family");
		return NL_SKIP;
	}
	if (companion_parse(nlh, nlh->nlmsg_len, &ev, why, sizeof(why)) < 0) {
		ignore(c, why);
		return NL_SKIP;
	}
	if (ev.seq <= c->stats->last_seq) {
		snprintf(why, sizeof(why), "sequence number %llu after %llu",
			 (unsigned long long)ev.seq, (unsigned long long)c->stats->last_seq);
		ignore(c, why);
		return NL_SKIP;
	}
	if (c->stats->last_seq && ev.seq > c->stats->last_seq + 1)
		c->stats->lost += ev.seq - c->stats->last_seq - 1;
	c->stats->last_seq = ev.seq;
	c->stats->events++;
	if (c->fn)
		c->fn(&ev, c->userdata);
	return NL_SKIP;
}

int companion_open(struct companion *c, companion_fn fn, companion_change_fn change,
		   void *userdata, struct companion_stats *stats)
{
	int ctrl_group, r;

	*c = (struct companion){ .family = -1, .group = -1, .fn = fn, .change = change,
				 .userdata = userdata, .stats = stats };
	stats->last_latency_us = -1;
	c->sock = nl_socket_alloc();
	if (!c->sock)
		return -ENOMEM;
	r = genl_connect(c->sock);
	ctrl_group = r < 0 ? r : genl_ctrl_resolve_grp(c->sock, "nlctrl", "notify");
	if (ctrl_group >= 0)
		r = nl_socket_add_membership(c->sock, ctrl_group);
	else
		r = ctrl_group;
	if (r >= 0)
		r = nl_socket_set_nonblocking(c->sock);
	if (r < 0) {
		set_error(c, "generic netlink", r);
		log_error("kernel companion: generic netlink unusable: %s", nl_geterror(r));
		nl_socket_free(c->sock);
		c->sock = NULL;
		return -EIO;
	}
	nl_socket_disable_seq_check(c->sock);
	nl_socket_modify_cb(c->sock, NL_CB_VALID, NL_CB_CUSTOM, on_msg, c);
	/* a busy kernel can outrun the loop for a moment: room for bursts */
	nl_socket_set_buffer_size(c->sock, 1 << 20, 0);
	resolve(c);
	if (!stats->in_use)
		log_info("kernel companion: not loaded; watching sysfs and /dev/kmsg alone");
	return 0;
}

void companion_close(struct companion *c)
{
	if (c->sock)
		nl_socket_free(c->sock);
	c->sock = NULL;
}

int companion_fd(const struct companion *c)
{
	return c->sock ? nl_socket_get_fd(c->sock) : -1;
}

int companion_read(struct companion *c)
{
	for (int i = 0; i < READ_BURST; i++) {
		int r = nl_recvmsgs_default(c->sock);

		if (r == -NLE_AGAIN)
			return 0;
		if (r == -NLE_NOMEM) {
			/* the socket overflowed (ENOBUFS): events were lost; resync from sysfs */
			c->stats->lost++;
			if (c->change && c->stats->in_use)
				c->change(true, c->userdata);
			continue;
		}
		if (r == -NLE_BAD_SOCK || r == -NLE_INVAL) {
			set_error(c, "reading events", r);
			return -EIO;
		}
		if (r < 0)
			ignore(c, nl_geterror(r));
	}
	return 0;
}

struct blocking_ctx {
	char *patch;
	size_t patchlen;
	struct companion_task *v;
	size_t max;
	uint32_t *truncated;
	int n;
	char why[160];
};

static int on_blocking(struct nl_msg *msg, void *arg)
{
	struct blocking_ctx *b = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (nlmsg_get_src(msg)->nl_pid != 0)
		return NL_SKIP;
	b->n = companion_parse_blocking(nlh, nlh->nlmsg_len, b->patch, b->patchlen, b->v, b->max,
					b->truncated, b->why, sizeof(b->why));
	return NL_STOP;
}

int companion_blocking(struct companion *c, char *patch, size_t patchlen,
		       struct companion_task *v, size_t max, uint32_t *truncated)
{
	struct blocking_ctx b = { .patch = patch, .patchlen = patchlen, .v = v, .max = max,
				  .truncated = truncated, .n = -ENOENT };
	struct timeval tv = { .tv_sec = 1 };
	struct nl_sock *s;
	struct nl_msg *msg;
	int r;

	if (!c->stats->in_use || c->family < 0)
		return -ENOENT;
	s = nl_socket_alloc();
	if (!s)
		return -ENOMEM;
	msg = nlmsg_alloc();
	r = msg ? genl_connect(s) : -NLE_NOMEM;
	if (r >= 0) {
		nl_socket_disable_auto_ack(s);
		setsockopt(nl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		nl_socket_modify_cb(s, NL_CB_VALID, NL_CB_CUSTOM, on_blocking, &b);
		if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, 0,
				 TT_CMD_GET_BLOCKING, TT_GENL_VERSION))
			r = -NLE_NOMEM;
	}
	if (r >= 0)
		r = nl_send_auto(s, msg);
	if (r >= 0)
		r = nl_recvmsgs_default(s);
	nlmsg_free(msg);
	nl_socket_free(s);
	if (r < 0) {
		/* the kernel's "no transition in progress" comes back as ENOENT */
		if (r != -NLE_OBJ_NOTFOUND) {
			set_error(c, "asking for the blocking tasks", r);
			log_warning("kernel companion: asking for the blocking tasks: %s",
				    nl_geterror(r));
		}
		return -ENOENT;
	}
	if (b.n < 0)
		log_warning("kernel companion: bad blocking reply: %s", b.why);
	return b.n;
}
