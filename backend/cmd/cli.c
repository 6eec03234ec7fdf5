/* SPDX-License-Identifier: GPL-2.0-only */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "util.h"

bool common_opt(struct common_opts *c, int opt, const char *arg)
{
	switch (opt) {
	case 'D':
		c->db = arg;
		return true;
	case 'C':
		c->config = arg;
		return true;
	case 'j':
		c->json = true;
		return true;
	case 'h':
		c->help = true;
		return true;
	default:
		return false;
	}
}

int common_setup(struct common_opts *c)
{
	return config_load(c->config, &c->cfg);
}

void common_done(struct common_opts *c)
{
	config_free(&c->cfg);
}

int common_rollout_policy(const struct common_opts *c, struct rollout_policy *ret)
{
	const struct fleet_config *fc = &c->cfg.fleet;

	ret->promote_nodes = fc->promote_nodes;
	ret->promote_after = fc->promote_after;
	ret->revoke_failures = fc->revoke_failures;
	ret->stale_intervals = fc->stale_intervals;
	return rollout_policy_init(ret, fc->channels ? fc->channels : DEFAULT_CHANNELS);
}

const char *common_db_path(const struct common_opts *c)
{
	const char *env = getenv("TUXTAPE_DB");

	if (c->db)
		return c->db;
	if (env && *env)
		return env;
	if (c->cfg.db)
		return c->cfg.db;
	return DEFAULT_DB;
}

int json_print(json_t *v)
{
	int k;

	if (!v)
		return log_error_errno(ENOMEM, "out of memory");
	k = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(v);
	if (k < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
		return log_error_errno(EIO, "cannot write output: %m");
	return 0;
}
