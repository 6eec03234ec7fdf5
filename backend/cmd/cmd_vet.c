/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-backend vet --kernel NAME MODULE.ko [CHECK-SCRIPT]: boots the registered kernel's
 * image under QEMU with the livepatch and judges it (backend/vet/vet.h). Exit 0 passed,
 * 1 failed (the vet ran: the module misbehaved or the guest did not finish), 2 when the vet
 * could not be set up. The generator runs it as its --vet-command.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "util.h"
#include "vet/vet.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static void help(void)
{
	printf("Usage: tuxtape-backend vet --kernel NAME MODULE.ko [CHECK-SCRIPT]\n"
	       "           [--report FILE] [--stall SECONDS] [--timeout SECONDS] [--json]\n\n"
	       "Boots the kernel's own image (kernel add --image/--package) under QEMU, KVM when\n"
	       "/dev/kvm runs a guest and TCG otherwise, with a minimal initramfs; loads the\n"
	       "modules the livepatch targets (from the kernel's modules directory, with their\n"
	       "dependencies), loads the livepatch, requires its transition to finish, runs\n"
	       "CHECK-SCRIPT in the guest if given, disables and unloads it, and reads the\n"
	       "kernel log: any WARN, BUG, Oops, lockdep report or taint beyond the livepatch's\n"
	       "own (K, O, E) fails the vet.\n"
	       "  --kernel   the registered kernel (its image and modules directory)\n"
	       "  --report   also write the JSON report to FILE\n"
	       "  --stall    stop the guest when its console is silent this long (default 60)\n"
	       "  --timeout  stop the guest after this long in any case (default 900)\n"
	       "  --json     print the JSON report on stdout\n"
	       "Exit: 0 passed, 1 failed, 2 usage or setup (unknown kernel, no image, no module,\n"
	       "no qemu or static busybox).\n\n"
	       "Common options: --db PATH, --config PATH, --help.\n");
}

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static int seconds_arg(const char *opt, const char *arg, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v == 0 || v > 86400 || arg[0] == '-') {
		fprintf(stderr, "tuxtape-backend vet: %s '%s': expected whole seconds, 1 to 86400\n",
			opt, arg);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static void print_text(json_t *rep)
{
	json_t *e;
	size_t i;

	printf("vet %s: %s on %s (%s, %.1f s)\n",
	       json_string_value(json_object_get(rep, "vet")),
	       json_string_value(json_object_get(rep, "module")),
	       json_string_value(json_object_get(rep, "kernel")),
	       json_string_value(json_object_get(rep, "accel")),
	       json_real_value(json_object_get(rep, "seconds")));
	json_array_foreach(json_object_get(rep, "checks"), i, e) {
		const char *d = json_string_value(json_object_get(e, "detail"));

		printf("  %s %s%s%s\n", json_is_true(json_object_get(e, "ok")) ? "ok    " : "FAILED",
		       json_string_value(json_object_get(e, "name")), d && *d ? ": " : "", strempty(d));
	}
	json_array_foreach(json_object_get(rep, "problems"), i, e)
		printf("  problem: %s\n", json_string_value(e));
}

int cmd_vet(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "report", required_argument, NULL, 'R' },
		{ "stall", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 'T' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	_cleanup_free_ char *image = NULL, *modules = NULL, *release = NULL, *text = NULL;
	struct vet_opts o = { .stall_s = 60, .timeout_s = 900, .progress = isatty(STDERR_FILENO) };
	struct common_opts c = { 0 };
	const char *kernel = NULL, *report_path = NULL;
	struct db *db = NULL;
	json_t *rep = NULL;
	int opt, k, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'k':
			kernel = optarg;
			break;
		case 'R':
			report_path = optarg;
			break;
		case 'S':
			if (seconds_arg("--stall", optarg, &o.stall_s) < 0)
				return EXIT_USAGE;
			break;
		case 'T':
			if (seconds_arg("--timeout", optarg, &o.timeout_s) < 0)
				return EXIT_USAGE;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend vet --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (!kernel || optind >= argc || argc - optind > 2) {
		fprintf(stderr, "tuxtape-backend vet: expected --kernel NAME, a MODULE.ko and at most "
			"one CHECK-SCRIPT\n");
		return EXIT_USAGE;
	}
	o.kernel = kernel;
	o.module = argv[optind];
	o.check = argc - optind == 2 && *argv[optind + 1] ? argv[optind + 1] : NULL;
	if (common_setup(&c) < 0 || db_open(common_db_path(&c), false, &db) < 0)
		goto out;
	if (db_prepare(db, "SELECT image, modules, release FROM kernel WHERE name = ?", &st) < 0)
		goto out;
	sqlite3_bind_text(st, 1, kernel, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		log_error("kernel %s: not registered (see kernel list)", kernel);
		goto out;
	}
	image = col(st, 0), modules = col(st, 1), release = col(st, 2);
	if (!image) {
		log_error("kernel %s: no image registered to boot (kernel add %s --image FILE or "
			  "--package DEB)", kernel, kernel);
		goto out;
	}
	o.image = image, o.modules_dir = modules, o.release = release;
	k = vet_run(&o, &rep);
	if (k < 0)
		goto out;
	text = json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	/* the file is what --json prints, newline included */
	if (text) {
		char *nl = NULL;

		if (asprintf(&nl, "%s\n", text) < 0)
			nl = NULL;
		free(text);
		text = nl;
	}
	if (!text) {
		log_error("out of memory");
		goto out;
	}
	if (report_path && write_file_atomic(report_path, text, strlen(text), 0644) < 0) {
		log_error("--report %s: %m", report_path);
		ret = EXIT_FAIL;
		goto out;
	}
	if (c.json)
		fputs(text, stdout);
	else
		print_text(rep);
	ret = streq(json_string_value(json_object_get(rep, "vet")), "passed") ? EXIT_OK : EXIT_FAIL;
out:
	json_decref(rep);
	db_close(db);
	common_done(&c);
	return ret;
}
