// SPDX-License-Identifier: GPL-2.0-only
/*
 * tuxtape-backend fleet: enrolment tokens, the nodes and what they report of each patch
 * (fleet/fleet.h). The rollout's verbs (promote, hold, release, revoke) are cmd_rollout.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "fleet/fleet.h"
#include "log.h"
#include "util.h"

static void help(void)
{
	printf("Usage: tuxtape-backend fleet token [--expires DURATION] [--note TEXT] [--json]\n"
	       "       tuxtape-backend fleet tokens|nodes|patches [--json]\n"
	       "       tuxtape-backend fleet node ID [--json]\n"
	       "       tuxtape-backend fleet node-revoke ID --reason TEXT\n"
	       "       tuxtape-backend fleet promote|hold|release|revoke PATCH --reason TEXT\n\n"
	       "The fleet of nodes running tuxtape-agent (docs/FLEET.md).\n"
	       "  token        create a single-use enrolment token; it is printed once (the\n"
	       "               database keeps its SHA-256). --expires: its lifetime (default\n"
	       "               [fleet] token-expiry, 24h); --note: what it is for\n"
	       "  tokens       the tokens: created, expires, state (unused, used, expired), node\n"
	       "  nodes        each node: kernel, channel, last report, state (applied,\n"
	       "               apply-failed, stalled, quarantined, pending, stale, enrolled,\n"
	       "               no-patch-for-kernel, revoked) and its patches\n"
	       "  node ID      one node: everything known, its last report and recent reports\n"
	       "  patches      per patch and channel the nodes' states, its rollout and the\n"
	       "               convictions, grouped by the kernel-log report's title\n"
	       "  node-revoke  refuse the node's key from now on (403); --reason is logged\n"
	       "  promote, hold, release, revoke: the rollout by hand (see their --help)\n\n"
	       "Exit codes: 0 ok, 1 failed (unknown node), 2 usage.\n"
	       "Common options: --db PATH, --config PATH, --json, --help.\n");
}

static void fmt_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, size, "-");
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

static void print_patch_line(json_t *p, const char *indent)
{
	char since[32];

	fmt_time(json_integer_value(json_object_get(p, "since")), since, sizeof(since));
	printf("%s%-32s v%-4lld %-12s since %s", indent, str(p, "id"),
	       (long long)json_integer_value(json_object_get(p, "version")), str(p, "state"),
	       since);
	if (json_object_get(p, "evidence") && !json_is_null(json_object_get(p, "evidence"))) {
		printf("  evidence: ");
		fputs_escaped(str(json_object_get(p, "evidence"), "title"), stdout);
	}
	putchar('\n');
}

static void print_nodes(json_t *list)
{
	size_t i, j;
	json_t *n, *p;

	printf("%-16s %-20s %-24s %-10s %-17s %8s %s\n", "NODE", "HOSTNAME", "KERNEL", "CHANNEL",
	       "LAST REPORT", "SEQ", "STATE");
	json_array_foreach(list, i, n) {
		char last[32];

		fmt_time(json_integer_value(json_object_get(n, "last_report")), last, sizeof(last));
		printf("%-16.16s %-20.20s %-24.24s %-10.10s %-17s %8lld %s\n", str(n, "id"),
		       str(n, "hostname"), str(n, "kernel"), str(n, "channel"), last,
		       (long long)json_integer_value(json_object_get(n, "last_seq")),
		       str(n, "state"));
		json_array_foreach(json_object_get(n, "patches"), j, p)
			print_patch_line(p, "    ");
	}
}

static void print_node(json_t *n)
{
	static const char *const keys[] = { "id", "hostname", "machine_id", "kernel", "build_id",
					    "channel", "state", "last_event", "address",
					    "boot_id", "revoked_reason" };
	json_t *p, *r;
	size_t i;

	for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
		printf("%-15s ", keys[k]);
		fputs_escaped(str(n, keys[k]), stdout);
		putchar('\n');
	}
	for (const char *const *t = (const char *const[]){ "enrolled", "last_report", "revoked",
							    NULL }; *t; t++) {
		char when[32];

		fmt_time(json_integer_value(json_object_get(n, *t)), when, sizeof(when));
		printf("%-15s %s\n", *t, when);
	}
	printf("%-15s %lld\n%-15s %lld s\n%-15s %lld s\n%-15s %lld\n", "last_seq",
	       (long long)json_integer_value(json_object_get(n, "last_seq")), "interval",
	       (long long)json_integer_value(json_object_get(n, "interval")), "uptime",
	       (long long)json_integer_value(json_object_get(n, "uptime")), "taint",
	       (long long)json_integer_value(json_object_get(n, "taint")));
	printf("patches:\n");
	json_array_foreach(json_object_get(n, "patches"), i, p)
		print_patch_line(p, "  ");
	json_array_foreach(json_object_get(json_object_get(n, "report"), "problems"), i, p) {
		printf("problem:        ");
		fputs_escaped(json_string_value(p) ? json_string_value(p) : "", stdout);
		putchar('\n');
	}
	printf("recent reports:\n");
	json_array_foreach(json_object_get(n, "recent_reports"), i, r) {
		char when[32];

		fmt_time(json_integer_value(json_object_get(r, "received")), when, sizeof(when));
		printf("  %8lld  %s  %s\n", (long long)json_integer_value(json_object_get(r, "seq")),
		       when, str(r, "event"));
	}
}

static void print_patches(json_t *list)
{
	size_t i, j;
	json_t *e, *ch, *c;

	json_array_foreach(list, i, e) {
		json_t *ro = json_object_get(e, "rollout");

		printf("%s", str(e, "id"));
		if (json_is_object(ro))
			printf("  rollout: %s on %s%s%s", str(ro, "status"), str(ro, "channel"),
			       json_string_value(json_object_get(ro, "reason")) ? " - " : "",
			       json_string_value(json_object_get(ro, "reason")) ?
			       json_string_value(json_object_get(ro, "reason")) : "");
		putchar('\n');
		json_array_foreach(json_object_get(e, "channels"), j, ch) {
			const char *state;
			json_t *n;

			printf("  %-10s %4lld nodes:", str(ch, "channel"),
			       (long long)json_integer_value(json_object_get(ch, "nodes")));
			json_object_foreach(json_object_get(ch, "states"), state, n)
				printf(" %s %lld", state, (long long)json_integer_value(n));
			putchar('\n');
		}
		json_array_foreach(json_object_get(e, "convictions"), j, c) {
			printf("  convicted on %lld node(s), %s %s: ",
			       (long long)json_integer_value(json_object_get(c, "nodes")),
			       str(c, "strength"), str(c, "type"));
			fputs_escaped(str(c, "title"), stdout);
			putchar('\n');
		}
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("tuxtape-backend fleet: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'tuxtape-backend fleet --help'.\n", stderr);
	return EXIT_USAGE;
}

static int run_verb(struct fleet *f, const char *verb, const char *arg, long expires,
		    const char *note, const char *reason, bool json)
{
	json_t *doc = NULL;
	int k;

	if (streq(verb, "token")) {
		char hex[65];

		k = fleet_token_create(f, expires, note, hex);
		if (k < 0)
			return EXIT_FAIL;
		if (json)
			return json_print(json_pack("{ss}", "token", hex)) < 0 ? EXIT_FAIL : EXIT_OK;
		printf("%s\n", hex);
		return EXIT_OK;
	}
	if (streq(verb, "node-revoke")) {
		k = fleet_node_revoke(f, arg, reason, time(NULL));
		if (k == -ENOENT) {
			log_error("node %s: not enrolled", arg);
			return EXIT_FAIL;
		}
		if (k == -EALREADY) {
			log_error("node %s: already revoked", arg);
			return EXIT_FAIL;
		}
		if (k < 0)
			return EXIT_FAIL;
		if (json)
			return json_print(json_pack("{sssb}", "node", arg, "revoked", 1)) < 0 ?
				EXIT_FAIL : EXIT_OK;
		printf("node %s revoked\n", arg);
		return EXIT_OK;
	}
	if (streq(verb, "tokens"))
		k = fleet_tokens(f, &doc);
	else if (streq(verb, "nodes"))
		k = fleet_nodes(f, time(NULL), &doc);
	else if (streq(verb, "node"))
		k = fleet_node(f, arg, time(NULL), &doc);
	else
		k = fleet_patches(f, &doc);
	if (k == -ENOENT) {
		log_error("node %s: not enrolled", arg);
		return EXIT_FAIL;
	}
	if (k < 0)
		return EXIT_FAIL;
	if (json)
		return json_print(doc) < 0 ? EXIT_FAIL : EXIT_OK;
	if (streq(verb, "tokens")) {
		size_t i;
		json_t *t;

		printf("%-12s %-17s %-17s %-7s %-16s %s\n", "TOKEN", "CREATED", "EXPIRES", "STATE",
		       "NODE", "NOTE");
		json_array_foreach(doc, i, t) {
			char created[32], exp[32];

			fmt_time(json_integer_value(json_object_get(t, "created")), created,
				 sizeof(created));
			fmt_time(json_integer_value(json_object_get(t, "expires")), exp, sizeof(exp));
			printf("%-12s %-17s %-17s %-7s %-16.16s ", str(t, "hash"), created, exp,
			       str(t, "state"), str(t, "node"));
			fputs_escaped(str(t, "note"), stdout);
			putchar('\n');
		}
	} else if (streq(verb, "nodes")) {
		print_nodes(doc);
	} else if (streq(verb, "node")) {
		print_node(doc);
	} else {
		print_patches(doc);
	}
	json_decref(doc);
	return EXIT_OK;
}

int cmd_fleet(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "expires", required_argument, NULL, 'e' },
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	static const char *const verbs[] = { "token", "tokens", "nodes", "node", "patches",
					     "node-revoke" };
	struct common_opts c = { 0 };
	const char *verb, *note = NULL, *reason = NULL, *arg = NULL;
	long expires = 0;
	struct db *db = NULL;
	struct fleet *f = NULL;
	bool known = false;
	int opt, ret = EXIT_USAGE, want_args;

	if (argc >= 2 && (streq(argv[1], "promote") || streq(argv[1], "hold") ||
			  streq(argv[1], "release") || streq(argv[1], "revoke") ||
			  streq(argv[1], "rollouts")))
		return cmd_fleet_rollout(argc - 1, argv + 1);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'e':
			if (config_parse_duration(optarg, &expires) < 0 || expires == 0)
				return usage_error("--expires '%s': expected a duration like 24h or 7d",
						   optarg);
			break;
		case 'n': note = optarg; break;
		case 'r': reason = optarg; break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend fleet --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind == argc)
		return usage_error("%s", "a verb is needed (token, tokens, nodes, node, patches, "
				   "node-revoke, promote, hold, release, revoke)");
	verb = argv[optind++];
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		known = known || streq(verb, verbs[i]);
	if (!known)
		return usage_error("unknown verb '%s'", verb);
	want_args = streq(verb, "node") || streq(verb, "node-revoke") ? 1 : 0;
	if (argc - optind < want_args)
		return usage_error("%s needs a node id", verb);
	if (want_args)
		arg = argv[optind++];
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (streq(verb, "node-revoke") && (!reason || !*reason))
		return usage_error("%s needs --reason TEXT", verb);
	if ((expires || note) && !streq(verb, "token"))
		return usage_error("--expires and --note go with 'token', not '%s'", verb);
	if (reason && !streq(verb, "node-revoke"))
		return usage_error("--reason goes with node-revoke, not '%s'", verb);

	if (common_setup(&c) < 0)
		goto out;
	ret = EXIT_FAIL;
	if (db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	{
		struct fleet_limits lim = {
			.stale_intervals = c.cfg.fleet.stale_intervals,
			.token_expiry = c.cfg.fleet.token_expiry,
		};

		if (fleet_new(db, &lim, &f) < 0)
			goto out;
	}
	ret = run_verb(f, verb, arg, expires, note, reason, c.json);
out:
	fleet_free(f);
	db_close(db);
	common_done(&c);
	return ret;
}
