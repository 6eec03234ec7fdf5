/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend: the backend pipeline's command line (one subcommand per cmd_*.c). */
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "scan", cmd_scan, "read the kernel CNA's vulns repository into the database" },
	{ "cve", cmd_cve, "show, list and check CVEs (cve show|list|check)" },
	{ "kernel", cmd_kernel, "register the fleet's kernels (kernel add|list|show|remove)" },
	{ "gauge", cmd_gauge, "bring every kernel's applicability verdicts up to date" },
	{ "triage", cmd_triage, "the CVEs that apply to a kernel, by priority, with reasons" },
	{ "archive", cmd_archive, "the signed (TUF) patch archive (archive init|publish|...)" },
	{ "feeds", cmd_feeds, "import exploitation feeds (feeds import-kev|import-epss FILE)" },
	{ "generate", cmd_generate, "build a livepatch module from a fix, or say why not" },
	{ "run", cmd_run, "the cron pipeline: scan, select, generate, vet, publish cumulative" },
	{ "runs", cmd_runs, "what the last pipeline runs did" },
	{ "vet", cmd_vet, "boot the kernel under QEMU with a livepatch and judge it" },
	{ "serve", cmd_serve, "the fleet's server: enrolments, health reports, archive files" },
	{ "fleet", cmd_fleet, "enrolment tokens, nodes, patches' health and rollout" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tuxtape-backend COMMAND [OPTIONS]\n\n"
		   "TuxTape's backend: CVE scanner and livepatch pipeline.\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nEvery command takes --db PATH (or $TUXTAPE_DB; default %s),\n"
		   "--config PATH (or $TUXTAPE_CONFIG; default %s) and --help.\n"
		   "Exit codes: 0 ok, 1 failed, 2 usage, 3 scan skipped malformed records,\n"
		   "4 another scan or run holds the lock, 5 fleet: nothing to do.\n", DEFAULT_DB, DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	int r;

	log_setup("tuxtape-backend");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (streq(argv[1], "--version")) {
		printf("tuxtape-backend %s\n", TUXTAPE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (!streq(argv[1], commands[i].name))
			continue;
		git_libgit2_init();
		/* Each blob is read once per scan: caching them only costs memory. */
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)0);
		r = commands[i].run(argc - 1, argv + 1);
		git_libgit2_shutdown();
		return r;
	}
	fprintf(stderr, "tuxtape-backend: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
