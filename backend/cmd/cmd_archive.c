/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend archive init|publish|revoke|timestamp|rotate|verify: the signed archive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/tuf_archive.h"
#include "cli.h"
#include "log.h"
#include "cve/record.h"
#include "fleet/rollout.h"
#include "tuf/tuf_meta.h"
#include "util.h"

static void help(void)
{
	printf("Usage: tuxtape-backend archive init DIR [--root-threshold N] [--keys DIR]\n"
	       "               [--offline-targets KEYDIR [--bins 16|256]]\n"
	       "       tuxtape-backend archive publish DIR MODULE.ko --kernel RELEASE\n"
	       "               [--build-id HEX] [--cve ID ...] [--channel NAME] [--patch-id ID]\n"
	       "               [--series NAME] [--any-module] [--rollout KERNEL]\n"
	       "       tuxtape-backend archive revoke DIR PATCH-ID\n"
	       "       tuxtape-backend archive timestamp DIR\n"
	       "       tuxtape-backend archive rotate DIR ROLE\n"
	       "       tuxtape-backend archive sign DIR --keys OFFLINE-KEYDIR\n"
	       "       tuxtape-backend archive delegate DIR [--bins 16|256] [--keys DIR]\n"
	       "       tuxtape-backend archive delegate DIR --channel NAME --keys OFFLINE-KEYDIR\n"
	       "       tuxtape-backend archive verify DIR [--at YYYY-MM-DDTHH:MM:SSZ] [--json]\n\n"
	       "A TUF 1.0 archive of livepatch modules in DIR: serve DIR/metadata/ and DIR/targets/\n"
	       "with any web server. Keys (Ed25519, mode 0600) are kept in --keys (default\n"
	       "DIR/keys, which must not be served); keep the root keys offline and give their\n"
	       "directory with --keys when rotating. Run 'archive timestamp' from cron well within\n"
	       "the timestamp expiry. publish takes livepatch modules only (livepatch=Y in\n"
	       "the .modinfo); --any-module skips that check, to test how nodes refuse one.\n"
	       "--series names a cumulative livepatch's series: the series' earlier modules for the\n"
	       "release are superseded in its channel. --rollout starts the fleet's rollout of the\n"
	       "patch (under the kernel name given) in the first of [fleet] channels, as the\n"
	       "pipeline does for what it publishes (see fleet --help); it needs --series.\n"
	       "revoke takes a patch id the archive carries. --json prints the result as JSON.\n"
	       "--offline-targets writes the top-level targets key to KEYDIR (move it off the\n"
	       "machine) and delegates every target to the role 'online', whose key stays in\n"
	       "DIR/keys for publish; --bins spreads that role over bins by kernel release (a new\n"
	       "release to the least-loaded bin), so a node reads only its release's bin. 'sign'\n"
	       "signs the top-level targets again (offline, before it expires: it gets the root\n"
	       "expiry; 'timestamp' warns 14 days ahead) and after 'rotate DIR targets';\n"
	       "'rotate DIR online --keys OFFLINE-KEYDIR' replaces the online key. 'delegate'\n"
	       "turns an archive made without --offline-targets into one with the online role\n"
	       "(its targets move there); then 'rotate DIR targets --keys OFFLINE-KEYDIR' takes\n"
	       "the targets key offline.\n"
	       "'delegate --channel NAME' gives a channel a key of its own (written to --keys):\n"
	       "its nodes trust only what that role lists, and publish or promote to it needs\n"
	       "the key (fleet promote --keys).\n\n"
	       "Expiry of each role's metadata when signed (suffix s, m, h or d):\n"
	       "  --root-expiry 365d  --targets-expiry 30d  --snapshot-expiry 7d\n"
	       "  --timestamp-expiry 1d\n");
}

static int parse_duration(const char *s, int64_t *ret)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t mult = 1;

	if (end == s || v <= 0 || v > 100000)
		return -EINVAL;
	if (streq(end, "s") || !*end)
		mult = 1;
	else if (streq(end, "m"))
		mult = 60;
	else if (streq(end, "h"))
		mult = 3600;
	else if (streq(end, "d"))
		mult = 86400;
	else
		return -EINVAL;
	*ret = v * mult;
	return 0;
}

static int rollout_start(struct common_opts *c, const struct archive_opts *o,
			 const struct publish_info *p, const char *kernel, const char *target)
{
	struct db *db = NULL;
	_cleanup_free_ char *patch_id = NULL;
	const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	int k;

	patch_id = p->patch_id ? strdup(p->patch_id) : strndup(base, strlen(base) - 3);
	if (!patch_id)
		return -ENOMEM;
	k = db_open(common_db_path(c), true, &db);
	if (k >= 0)
		k = rollout_register(db, o, patch_id, kernel, p->series, p->kernel_release, target,
				     p->channel, o->now);
	db_close(db);
	return k;
}

int cmd_archive(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "root-threshold", required_argument, NULL, 'r' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "build-id", required_argument, NULL, 'b' },
		{ "cve", required_argument, NULL, 'c' },
		{ "channel", required_argument, NULL, 'n' },
		{ "series", required_argument, NULL, 'S' },
		{ "patch-id", required_argument, NULL, 'p' },
		{ "at", required_argument, NULL, 'a' },
		{ "root-expiry", required_argument, NULL, '1' },
		{ "targets-expiry", required_argument, NULL, '2' },
		{ "snapshot-expiry", required_argument, NULL, '3' },
		{ "timestamp-expiry", required_argument, NULL, '4' },
		{ "any-module", no_argument, NULL, 'A' },
		{ "rollout", required_argument, NULL, 'R' },
		{ "offline-targets", required_argument, NULL, 'O' },
		{ "bins", required_argument, NULL, 'B' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct archive_opts o = { 0 };
	struct publish_info p = { 0 };
	const char *cves[64], *verb, *rollout = NULL;
	struct rollout_policy pol = { 0 };
	unsigned root_keys = 1;
	int opt, k = 0;

	archive_default_expiry(&o.expiry);
	o.now = (int64_t)time(NULL);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int64_t *exp = NULL;

		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'k':
			o.keys = optarg;
			break;
		case 'r':
			root_keys = (unsigned)atoi(optarg);
			break;
		case 'K':
			p.kernel_release = optarg;
			break;
		case 'b':
			p.build_id = optarg;
			break;
		case 'c':
			if (p.n_cves == ELEMENTSOF(cves) || !record_id_valid(optarg, strlen(optarg))) {
				fprintf(stderr, "tuxtape-backend archive: --cve '%s': not a CVE id (or "
					"more than %zu)\n", optarg, ELEMENTSOF(cves));
				return EXIT_USAGE;
			}
			cves[p.n_cves++] = optarg;
			break;
		case 'n':
			p.channel = optarg;
			break;
		case 'S':
			p.series = optarg;
			break;
		case 'p':
			p.patch_id = optarg;
			break;
		case 'A':
			p.any_module = true;
			break;
		case 'R':
			rollout = optarg;
			break;
		case 'O':
			o.offline_targets = optarg;
			break;
		case 'B':
			if (!streq(optarg, "16") && !streq(optarg, "256")) {
				fprintf(stderr, "tuxtape-backend archive: --bins '%s': 16 or 256\n",
					optarg);
				return EXIT_USAGE;
			}
			o.bins = (unsigned)atoi(optarg);
			break;
		case 'a':
			if (tuf_parse_expires(optarg, &o.now) < 0) {
				fprintf(stderr, "tuxtape-backend archive: --at: YYYY-MM-DDTHH:MM:SSZ\n");
				return EXIT_USAGE;
			}
			break;
		case '1':
			exp = &o.expiry.root;
			break;
		case '2':
			exp = &o.expiry.targets;
			break;
		case '3':
			exp = &o.expiry.snapshot;
			break;
		case '4':
			exp = &o.expiry.timestamp;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend archive --help'.\n");
			return EXIT_USAGE;
		}
		if (exp && parse_duration(optarg, exp) < 0) {
			fprintf(stderr, "tuxtape-backend archive: '%s': expected a duration such as 6h "
				"or 30d\n", optarg);
			return EXIT_USAGE;
		}
	}
	p.cves = cves;
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "tuxtape-backend archive: expected a verb and the archive "
			"directory\n");
		return EXIT_USAGE;
	}
	verb = argv[optind];
	o.dir = argv[optind + 1];
	if ((streq(verb, "publish") || streq(verb, "revoke") || streq(verb, "rotate"))
		    ? argc - optind != 3 : argc - optind != 2) {
		fprintf(stderr, "tuxtape-backend archive %s: wrong number of arguments\n", verb);
		return EXIT_USAGE;
	}
	if ((o.offline_targets && !streq(verb, "init")) ||
	    (o.bins && !streq(verb, "init") && !streq(verb, "delegate"))) {
		fprintf(stderr, "tuxtape-backend archive %s: --offline-targets is for init, --bins "
			"for init and delegate\n", verb);
		return EXIT_USAGE;
	}
	if (o.bins && !o.offline_targets && streq(verb, "init")) {
		fprintf(stderr, "tuxtape-backend archive init: --bins needs --offline-targets\n");
		return EXIT_USAGE;
	}
	if (streq(verb, "sign") && !o.keys) {
		fprintf(stderr, "tuxtape-backend archive sign: --keys names the directory of the "
			"offline targets key\n");
		return EXIT_USAGE;
	}
	if (sodium_init_once() < 0)
		return EXIT_FAIL;
	if (streq(verb, "init")) {
		_cleanup_free_ char *keys = NULL;

		k = archive_init(&o, root_keys);
		if (k >= 0 && asprintf(&keys, "%s%s", o.keys ? o.keys : o.dir,
				       o.keys ? "" : "/keys") < 0)
			k = -ENOMEM;
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:i, s:s, s:s?, s:i}", "archive", o.dir,
						 "root_threshold", (int)root_keys, "keys", keys,
						 "offline_targets", o.offline_targets, "bins",
						 (int)o.bins));
		else if (k >= 0)
			printf("archive %s: initialised (root threshold %u); serve %s/metadata and "
			       "%s/targets; keys in %s (never serve them)\n", o.dir, root_keys,
			       o.dir, o.dir, keys);
		if (k >= 0 && o.offline_targets && !c.json)
			printf("the top-level targets key is in %s: move it off this machine; "
			       "publish signs with the online role's key%s\n", o.offline_targets,
			       o.bins ? " (and its bins)" : "");
	} else if (streq(verb, "publish")) {
		_cleanup_free_ char *path = NULL;

		if (!p.kernel_release) {
			fprintf(stderr, "tuxtape-backend archive publish: --kernel RELEASE is "
				"required\n");
			return EXIT_USAGE;
		}
		if (rollout && !p.series) {
			fprintf(stderr, "tuxtape-backend archive publish: --rollout needs --series (a "
				"channel holds one patch of a series)\n");
			return EXIT_USAGE;
		}
		if (rollout) {
			/* the rollout starts in the first channel */
			k = common_setup(&c);
			if (k >= 0)
				k = common_rollout_policy(&c, &pol);
			if (k >= 0 && p.channel && !streq(p.channel, pol.channels[0]))
				k = log_error_errno(EINVAL, "--rollout publishes to the first channel, "
						    "%s, not %s", pol.channels[0], p.channel);
			if (k < 0) {
				rollout_policy_free(&pol);
				common_done(&c);
				return EXIT_USAGE;
			}
			p.channel = pol.channels[0];
		}
		k = archive_publish(&o, argv[optind + 2], &p, &path);
		if (k >= 0 && rollout)
			k = rollout_start(&c, &o, &p, rollout, path);
		rollout_policy_free(&pol);
		common_done(&c);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s}", "archive", o.dir, "published", path));
		else if (k >= 0)
			printf("published %s\n", path);
	} else if (streq(verb, "revoke")) {
		k = archive_revoke(&o, argv[optind + 2]);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s}", "archive", o.dir, "revoked",
						 argv[optind + 2]));
		else if (k >= 0)
			printf("revoked %s\n", argv[optind + 2]);
	} else if (streq(verb, "timestamp")) {
		k = archive_timestamp(&o);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:b}", "archive", o.dir, "timestamped", 1));
		else if (k >= 0)
			printf("archive %s: timestamp.json signed anew\n", o.dir);
	} else if (streq(verb, "rotate")) {
		k = archive_rotate(&o, argv[optind + 2]);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s}", "archive", o.dir, "rotated",
						 argv[optind + 2]));
		else if (k >= 0)
			printf("rotated the %s key(s)\n", argv[optind + 2]);
	} else if (streq(verb, "delegate") && p.channel) {
		k = archive_delegate_channel(&o, p.channel);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s}", "archive", o.dir, "delegated_channel",
						 p.channel));
		else if (k >= 0)
			printf("archive %s: channel %s delegated to the role channel-%s, its key in "
			       "%s\n", o.dir, p.channel, p.channel, o.keys ? o.keys : "DIR/keys");
	} else if (streq(verb, "delegate")) {
		k = archive_delegate(&o);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s, s:i}", "archive", o.dir, "delegated_to",
						 "online", "bins", (int)o.bins));
		else if (k >= 0)
			printf("archive %s: targets now delegates to the online role%s; take the "
			       "targets key offline with 'archive rotate %s targets --keys "
			       "OFFLINE-KEYDIR'\n", o.dir, o.bins ? " and its bins" : "", o.dir);
	} else if (streq(verb, "sign")) {
		int64_t t = 0;
		char exp[21] = "";

		k = archive_sign_top(&o);
		if (k >= 0)
			k = archive_top_expires(&o, &t);
		tuf_format_expires(t, exp);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:s, s:s}", "archive", o.dir, "targets_expires",
						 exp));
		else if (k >= 0)
			printf("archive %s: top-level targets signed anew (expires %s)\n", o.dir, exp);
	} else if (streq(verb, "verify")) {
		struct verify_report r;
		char exp[21] = "";

		k = archive_verify(&o, &r);
		tuf_format_expires(r.timestamp_expires, exp);
		if (k >= 0 && c.json)
			k = json_print(json_pack("{s:I, s:I, s:I, s:I, s:i, s:s}", "root",
						 (json_int_t)r.root_version, "targets",
						 (json_int_t)r.targets_version, "snapshot",
						 (json_int_t)r.snapshot_version, "timestamp",
						 (json_int_t)r.timestamp_version, "target_files",
						 (int)r.targets, "timestamp_expires", exp));
		else if (k >= 0)
			printf("archive %s: valid; root v%lld, targets v%lld, snapshot v%lld, "
			       "timestamp v%lld (expires %s), %u target files\n", o.dir,
			       (long long)r.root_version, (long long)r.targets_version,
			       (long long)r.snapshot_version, (long long)r.timestamp_version, exp,
			       r.targets);
	} else {
		fprintf(stderr, "tuxtape-backend archive: unknown verb '%s'\n", verb);
		return EXIT_USAGE;
	}
	return k < 0 ? EXIT_FAIL : EXIT_OK;
}
