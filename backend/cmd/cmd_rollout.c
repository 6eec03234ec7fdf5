// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape-backend fleet promote|hold|release|revoke|rollouts: the rollout's manual controls
 * and its state (fleet/rollout.h); cmd_fleet.c hands these verbs here. Every change needs a
 * reason, which is logged with the user who gave it.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/tuf_archive.h"
#include "cli.h"
#include "fleet/rollout.h"
#include "log.h"
#include "util.h"

static void help(void)
{
	printf("Usage: tuxtape-backend fleet promote PATCH [--to CHANNEL] --reason TEXT\n"
	       "       tuxtape-backend fleet hold PATCH --reason TEXT\n"
	       "       tuxtape-backend fleet release PATCH|KERNEL --reason TEXT\n"
	       "       tuxtape-backend fleet revoke PATCH --reason TEXT\n"
	       "       tuxtape-backend fleet rollouts [--json]\n"
	       "           [--archive DIR] [--keys DIR]\n\n"
	       "The rollout of each kernel's cumulative livepatch through the channels\n"
	       "([fleet] channels), by hand; `tuxtape-backend run` does the same on the nodes'\n"
	       "reports ([fleet] promote-nodes, promote-after, revoke-failures).\n"
	       "  promote   offer the patch in the next channel (or --to CHANNEL) now\n"
	       "  hold      no automatic promotion until release (revocation still applies)\n"
	       "  release   a held patch rolls on again; a kernel (or its revoked patch) may\n"
	       "            publish again\n"
	       "  revoke    remove it from the archive and list it revoked (nodes revert it),\n"
	       "            hold the kernel's publication, refuse the fixes it added\n"
	       "  rollouts  each patch's channel and status, and the held kernels\n"
	       "  --archive, --keys  the archive (default [pipeline] archive and keys)\n\n"
	       "Exit codes: 0 done, 1 failed, 2 usage or unknown patch, 5 nothing to do\n"
	       "(already there).\n"
	       "Common options: --db PATH, --config PATH, --json, --help.\n");
}

/* Who acts: the user behind sudo when there is one. */
static void actor_name(char *buf, size_t size)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, size, "%s", sudo && *sudo ? sudo : pw ? pw->pw_name : "?");
}

static int print_rollouts(struct db *db, bool json)
{
	json_t *doc = NULL, *v;
	size_t i;
	int k = rollout_list(db, &doc);

	if (k < 0)
		return EXIT_FAIL;
	if (json)
		return json_print(doc) < 0 ? EXIT_FAIL : EXIT_OK;
	printf("%-32s %-16s %-10s %-10s %s\n", "PATCH", "KERNEL", "CHANNEL", "STATUS", "REASON");
	json_array_foreach(json_object_get(doc, "patches"), i, v)
		printf("%-32s %-16s %-10s %-10s %s\n",
		       json_string_value(json_object_get(v, "patch_id")),
		       strempty(json_string_value(json_object_get(v, "kernel"))),
		       json_string_value(json_object_get(v, "channel")),
		       json_string_value(json_object_get(v, "status")),
		       strempty(json_string_value(json_object_get(v, "reason"))));
	json_array_foreach(json_object_get(doc, "held"), i, v)
		printf("kernel %s held: %s\n", json_string_value(json_object_get(v, "kernel")),
		       json_string_value(json_object_get(v, "reason")));
	json_decref(doc);
	return EXIT_OK;
}

int cmd_fleet_rollout(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONG_OPTIONS,
		{ "reason", required_argument, NULL, 'r' },
		{ "to", required_argument, NULL, 't' },
		{ "archive", required_argument, NULL, 'a' },
		{ "keys", required_argument, NULL, 'K' },
		{},
	};
	const char *verb = argc > 0 ? argv[0] : "", *reason = NULL, *to = NULL, *archive = NULL,
		   *keys = NULL, *what;
	struct common_opts c = { 0 };
	struct rollout_policy pol = { 0 };
	struct db *db = NULL;
	char actor[64];
	int opt, k, rc = EXIT_OK;
	bool listing = streq(verb, "rollouts");

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'r': reason = optarg; break;
		case 't': to = optarg; break;
		case 'a': archive = optarg; break;
		case 'K': keys = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (!listing && !streq(verb, "promote") && !streq(verb, "hold") &&
	    !streq(verb, "release") && !streq(verb, "revoke")) {
		fprintf(stderr, "tuxtape-backend fleet: unknown verb '%s' (see --help)\n", verb);
		return EXIT_USAGE;
	}
	if (listing ? optind != argc : optind + 1 != argc) {
		fprintf(stderr, "tuxtape-backend fleet %s: %s\n", verb, listing ?
			"takes no argument" : "expected one PATCH (or KERNEL for release)");
		return EXIT_USAGE;
	}
	what = listing ? NULL : argv[optind];
	if (!listing && (!reason || !*reason || strlen(reason) > 1024)) {
		fprintf(stderr, "tuxtape-backend fleet %s: --reason TEXT is required (at most 1024 "
			"bytes): it is logged with the action\n", verb);
		return EXIT_USAGE;
	}
	if (to && !streq(verb, "promote")) {
		fprintf(stderr, "tuxtape-backend fleet %s: --to is for promote\n", verb);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		return EXIT_USAGE;
	if (common_rollout_policy(&c, &pol) < 0) {
		rollout_policy_free(&pol);
		common_done(&c);
		return EXIT_USAGE;
	}
	k = db_open(common_db_path(&c), !listing, &db);
	if (k < 0)
		rc = EXIT_FAIL;
	else if (listing)
		rc = print_rollouts(db, c.json);
	else {
		struct archive_opts ao = {
			.dir = archive ? archive : c.cfg.pipeline.archive ? c.cfg.pipeline.archive :
			       DEFAULT_ARCHIVE,
			.keys = keys ? keys : c.cfg.pipeline.keys, .now = time(NULL),
		};

		archive_default_expiry(&ao.expiry);
		actor_name(actor, sizeof(actor));
		if (streq(verb, "promote"))
			k = rollout_promote(db, &ao, &pol, what, to, reason, actor, ao.now);
		else if (streq(verb, "hold"))
			k = rollout_hold(db, what, reason, actor, ao.now);
		else if (streq(verb, "release"))
			k = rollout_release(db, what, reason, actor, ao.now);
		else
			k = rollout_revoke(db, &ao, what, reason, NULL, actor, ao.now);
		rc = k == -EALREADY ? EXIT_NOOP : k == -ENOENT || k == -EINVAL ? EXIT_USAGE :
		     k < 0 ? EXIT_FAIL : EXIT_OK;
		if (k >= 0 && c.json)
			json_print(json_pack("{s:s, s:s, s:s, s:s}", "action", verb, "patch", what,
					     "reason", reason, "actor", actor));
		else if (k >= 0)
			printf("%s %s: done (%s)\n", verb, what, reason);
	}
	db_close(db);
	rollout_policy_free(&pol);
	common_done(&c);
	return rc;
}
