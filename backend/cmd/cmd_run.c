// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape-backend run: the cron pipeline (pipeline/pipeline.h), configured in [pipeline] of
 * the backend's configuration, options overriding it; and tuxtape-backend runs: what the
 * last runs did. The run prints one summary line (cron mails it), or its record with --json.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "pipeline/pipeline.h"
#include "util.h"

static void help(void)
{
	printf("Usage: tuxtape-backend run [--kernel NAME]... [--dry-run] [--fixes SOURCE]\n"
	       "           [--archive DIR] [--keys DIR] [--channel NAME] [--min-priority LEVEL]\n"
	       "           [--budget DURATION] [--jobs N] [--limit N] [--work DIR] [--json]\n"
	       "       tuxtape-backend runs [--last N] [--json]\n\n"
	       "One pass of the pipeline, meant for cron or the tuxtape-backend.timer: scan the\n"
	       "vulns source ([scan] vulns), bring the gauge up to date, select each kernel's\n"
	       "applicable CVEs at or above the minimum priority that have no attempt for their\n"
	       "current fix, generate and vet a livepatch for each (in the kernel's own image\n"
	       "under QEMU), build and vet the kernel's cumulative livepatch from every fix vetted\n"
	       "so far (one module that atomically replaces the last), publish it to the archive\n"
	       "on the first channel, promote or revoke what the fleet's reports judge ([fleet]),\n"
	       "re-sign the timestamp and record the run. Refusals and failures\n"
	       "go to the \"needs a person\" queue (generate --failures, [generate] notify).\n"
	       "  --kernel       only these kernels (default [pipeline] kernels, else all)\n"
	       "  --fixes        where fixes come from: a Linux git repository of the stable\n"
	       "                 branch (path or URL, fetched each run) or a newer source tree or\n"
	       "                 tarball of the branch ([pipeline] fixes, fixes.NAME)\n"
	       "  --archive      the archive (default [pipeline] archive or %s)\n"
	       "  --channel      the channel new modules go to (default the first of [fleet]\n"
	       "                 channels, canary)\n"
	       "  --min-priority critical, high, medium or low (default high)\n"
	       "  --budget       no generation starts after this long (90m, 2h, 1d; default none)\n"
	       "  --jobs         generations at a time (default 1)\n"
	       "  --limit        new attempts per kernel and run (default no limit)\n"
	       "  --dry-run      say what would be attempted and built; change nothing\n"
	       "runs lists the last runs (default 10): start, end, status, summary.\n\n"
	       "Exit codes: 0 done, 1 failed, 2 usage or configuration, 4 another run is running.\n"
	       "Common options: --db PATH, --config PATH, --json, --help.\n", DEFAULT_ARCHIVE);
}

static int bad_value(const char *opt, const char *value, const char *expected)
{
	fprintf(stderr, "tuxtape-backend run: %s '%s': expected %s\n", opt, value, expected);
	return EXIT_USAGE;
}

/* [pipeline] kernels = "a b c" as a NULL-terminated vector (malloc'd, one block). */
static char **split_words(const char *s)
{
	size_t n = 0, len = strlen(s);
	char **v = calloc(len / 2 + 2, sizeof(*v)), *copy = malloc(len + 1), *save = NULL;

	if (!v || !copy) {
		free(v), free(copy);
		return NULL;
	}
	memcpy(copy, s, len + 1);
	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save))
		v[n++] = w;
	v[n] = NULL;
	return v;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "fixes", required_argument, NULL, 'F' },
		{ "archive", required_argument, NULL, 'a' },
		{ "keys", required_argument, NULL, 'K' },
		{ "channel", required_argument, NULL, 'c' },
		{ "min-priority", required_argument, NULL, 'p' },
		{ "budget", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "limit", required_argument, NULL, 'l' },
		{ "work", required_argument, NULL, 'w' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct rollout_policy rollout = { 0 };
	struct pipeline_opts o = { .budget = -1, .jobs = -1, .limit = -1 };
	const char *kernel_args[33] = { 0 }, *min = NULL;
	size_t n_kernel_args = 0;
	_cleanup_free_ char *self = NULL, *mirror = NULL, **config_kernels = NULL;
	_cleanup_free_ char *work_default = NULL;
	struct policy pol;
	struct db *db = NULL;
	json_t *report = NULL;
	int opt, k, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'k':
			if (n_kernel_args == ELEMENTSOF(kernel_args) - 1) {
				fprintf(stderr, "tuxtape-backend run: at most %zu --kernel\n",
					ELEMENTSOF(kernel_args) - 1);
				return EXIT_USAGE;
			}
			kernel_args[n_kernel_args++] = optarg;
			break;
		case 'n': o.dry_run = true; break;
		case 'F': o.fixes = optarg; break;
		case 'a': o.archive = optarg; break;
		case 'K': o.keys = optarg; break;
		case 'c': o.channel = optarg; break;
		case 'p': min = optarg; break;
		case 'b':
			if (config_parse_duration(optarg, &o.budget) < 0)
				return bad_value("--budget", optarg, "a duration like 90m or 2h");
			break;
		case 'J':
			if (config_parse_count(optarg, 64, &o.jobs) < 0 || o.jobs == 0)
				return bad_value("--jobs", optarg, "1 to 64");
			break;
		case 'l':
			if (config_parse_count(optarg, 100000, &o.limit) < 0)
				return bad_value("--limit", optarg, "a count (0: no limit)");
			break;
		case 'w': o.work = optarg; break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend run --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tuxtape-backend run: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	{
		const struct pipeline_config *pc = &c.cfg.pipeline;
		enum priority level = PRIO_HIGH;

		min = min ? min : pc->min_priority;
		if (min && priority_from_string(min, &level) < 0) {
			fprintf(stderr, "tuxtape-backend run: --min-priority '%s': expected critical, "
				"high, medium or low\n", min);
			goto out;
		}
		o.min = level;
		if (n_kernel_args)
			o.kernels = kernel_args;
		else if (pc->kernels) {
			config_kernels = split_words(pc->kernels);
			if (!config_kernels)
				goto out;
			o.kernels = (const char *const *)config_kernels;
		}
		o.fixes = o.fixes ? o.fixes : pc->fixes;
		o.fixes_for = pc->fixes_for;
		o.archive = o.archive ? o.archive : pc->archive ? pc->archive : DEFAULT_ARCHIVE;
		o.keys = o.keys ? o.keys : pc->keys;
		if (common_rollout_policy(&c, &rollout) < 0)
			goto out;
		o.rollout = &rollout;
		o.channel = o.channel ? o.channel : pc->channel ? pc->channel : rollout.channels[0];
		o.mirror = pc->mirror;
		if (!o.work && !pc->work) {
			const char *db_path = common_db_path(&c);
			const char *slash = strrchr(db_path, '/');

			if (asprintf(&work_default, "%.*s%spipeline", slash ? (int)(slash - db_path) : 0,
				     db_path, slash ? "/" : "") < 0)
				goto out;
		}
		o.work = o.work ? o.work : pc->work ? pc->work : work_default;
		o.budget = o.budget >= 0 ? o.budget : pc->budget;
		o.jobs = o.jobs >= 0 ? o.jobs : pc->jobs;
		o.limit = o.limit >= 0 ? o.limit : pc->limit;
	}
	o.cache = c.cfg.gen_cache;
	o.vet = c.cfg.gen_vet;
	o.notify = c.cfg.gen_notify;
	o.webhook = c.cfg.gen_webhook;
	o.config_path = c.config;
	o.db_path = common_db_path(&c);
	o.progress = !c.json && isatty(STDERR_FILENO);
	if (c.cfg.vulns) {
		o.scan = true;
		o.scan_opts.source = c.cfg.vulns;
		o.scan_opts.branch = c.cfg.branch ? c.cfg.branch : DEFAULT_BRANCH;
		o.scan_opts.mirror = c.cfg.mirror ? c.cfg.mirror :
			(mirror = scan_default_mirror(o.db_path));
		o.scan_opts.progress = o.progress;
		if (!o.scan_opts.mirror)
			goto out;
	}
	if (c.cfg.policy ? policy_load(c.cfg.policy, &pol) < 0 : (policy_defaults(&pol), false))
		goto out;
	o.policy = &pol;
	self = realpath("/proc/self/exe", NULL);
	if (!self) {
		log_error("cannot tell where this program is: %m");
		ret = EXIT_FAIL;
		goto out;
	}
	o.self = self;
	ret = EXIT_FAIL;
	if (db_open(o.db_path, true, &db) < 0)
		goto out;
	k = pipeline_run(db, &o, &report);
	if (k == -EBUSY)
		ret = EXIT_BUSY;
	else if (k == -ENOENT)
		ret = EXIT_USAGE;
	else if (k >= 0)
		ret = EXIT_OK;
	if (report && c.json)
		json_print(json_incref(report));
	else if (report)
		printf("%s\n", strempty(json_string_value(json_object_get(report, "summary"))));
out:
	json_decref(report);
	db_close(db);
	rollout_policy_free(&rollout);
	common_done(&c);
	return ret;
}

int cmd_runs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "last", required_argument, NULL, 'l' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct db *db = NULL;
	json_t *runs = NULL, *r;
	long last = 10;
	size_t i;
	int opt, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		if (opt == 'l' && config_parse_count(optarg, 10000, &last) == 0)
			continue;
		fprintf(stderr, "Try 'tuxtape-backend run --help'.\n");
		return EXIT_USAGE;
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tuxtape-backend runs: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	ret = EXIT_FAIL;
	if (db_open(common_db_path(&c), false, &db) < 0 || pipeline_runs(db, (unsigned)last, &runs) < 0)
		goto out;
	ret = EXIT_OK;
	if (c.json) {
		json_print(TAKE_PTR(runs));
		goto out;
	}
	json_array_foreach(runs, i, r) {
		time_t t = (time_t)json_integer_value(json_object_get(r, "started"));
		char when[32];

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("%-6lld %s  %-11s %s\n", (long long)json_integer_value(json_object_get(r, "id")),
		       when, json_string_value(json_object_get(r, "status")),
		       strempty(json_string_value(json_object_get(r, "summary"))));
	}
out:
	json_decref(runs);
	db_close(db);
	common_done(&c);
	return ret;
}
