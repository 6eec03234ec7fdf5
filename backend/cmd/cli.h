/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every tuxtape-backend subcommand shares: exit codes, the --db/--config/--json/--help
 * options, and JSON output. One subcommand per file (cmd_*.c), each an entry point
 * int cmd_NAME(int argc, char **argv) returning an exit code.
 */
#pragma once

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "db/db.h"
#include "fleet/rollout.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* the command failed; nothing was changed */
	EXIT_USAGE = 2,   /* bad arguments */
	EXIT_PARTIAL = 3, /* scan done, but some records were malformed and skipped */
	EXIT_BUSY = 4,    /* another scan holds the lock */
	EXIT_NOOP = 5,    /* nothing to do: the change asked for is already there */
};

/* Long options shared by every subcommand; their short letters are never reused. */
#define COMMON_LONG_OPTIONS                                   \
	{ "db", required_argument, NULL, 'D' },               \
	{ "config", required_argument, NULL, 'C' },           \
	{ "json", no_argument, NULL, 'j' },                   \
	{ "help", no_argument, NULL, 'h' }

struct common_opts {
	const char *db;
	const char *config;
	bool json;
	bool help;
	struct backend_config cfg;
};

/* Handles a shared option; returns true when opt was one of them. */
bool common_opt(struct common_opts *c, int opt, const char *arg);
/* Loads the configuration and settles the database path. */
int common_setup(struct common_opts *c);
void common_done(struct common_opts *c);
const char *common_db_path(const struct common_opts *c);
/* The rollout policy of [fleet] (after common_setup); -EINVAL logged on bad channels. */
int common_rollout_policy(const struct common_opts *c, struct rollout_policy *ret);

/* Prints v (consumed) to stdout, indented, with a trailing newline. */
int json_print(json_t *v);

/* Where scan mirrors a URL source by default: vulns.git next to the database (malloc'd). */
char *scan_default_mirror(const char *db_path);

int cmd_scan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_cve(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_gauge(int argc, char **argv);
int cmd_feeds(int argc, char **argv);
int cmd_archive(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_vet(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
/* fleet promote|hold|release|revoke (cmd_rollout.c); argv[0] is the verb */
int cmd_fleet_rollout(int argc, char **argv);
