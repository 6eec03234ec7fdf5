/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's configuration, /etc/tuxtape/agent.conf (INI, libinih). Every setting has a
 * default; an unknown section or key, or a value out of range, is an error naming the file,
 * line and key. All node paths hang off `root` so tests run the agent against a fake tree.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "klog/kreport.h"

struct agent_config {
	/* [archive] */
	char *url;              /* base URL: URL/metadata/ and URL/targets/ */
	char *trusted_root;     /* the archive's root.json shipped with the package */
	char *channel;
	/* [agent] */
	int64_t refresh_interval;    /* seconds */
	int64_t refresh_jitter;      /* up to this many seconds added at random */
	int64_t transition_timeout;  /* seconds before a stalled transition is reversed */
	int64_t healthy_window;      /* seconds a new patch must run before it counts as safe */
	bool auto_revert;            /* revert patches the archive revoked */
	char *group;                 /* may read status over the socket */
	bool companion;              /* listen to the kernel companion when it is loaded */
	/* [watch]: the kernel log */
	bool watch;                  /* read /dev/kmsg and act on reports */
	uint32_t revert_on;          /* report types (bits of enum kreport_type) that revert
				      * the livepatch strong evidence convicts */
	bool weak_revert;            /* weak evidence reverts too (default: a problem only) */
	int64_t weak_window;         /* seconds after a transition that weak evidence counts */
	/* [fleet]: docs/FLEET.md; enrolled at start when not yet with this url */
	char *fleet_url;        /* base URL of tuxtape-backend serve: URL/v1/... */
	char *fleet_token;      /* the operator's single-use token (token, or token-file's) */
	/* [paths] */
	char *root;             /* prefix of /sys, /proc, /etc (default "") */
	char *state_dir;        /* SQLite state, TUF metadata, module cache */
	char *socket;
	char *kmsg;             /* under root */
	char *fetch_helper;     /* the refresh's network half; NULL: found (agent/fetch.h) */
};

int agent_config_load(const char *path, bool must_exist, struct agent_config *ret);
void agent_config_free(struct agent_config *c);
/* "%s%s" of root and an absolute node path; never fails (aborts on OOM). */
/* The report types that revert by default: WARN, BUG, Oops, faults, sanitizers, lockups. */
uint32_t agent_default_revert_on(void);
char *agent_path(const struct agent_config *c, const char *abs);
