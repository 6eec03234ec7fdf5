/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend scan: the CVE scanner's command (cron-friendly). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "scan/scan.h"
#include "util.h"

static void help(void)
{
	printf("Usage: tuxtape-backend scan [--vulns PATH|URL] [--branch NAME] [--mirror DIR]\n"
	       "                            [--full] [--db PATH] [--config PATH] [--json]\n\n"
	       "Reads the kernel CNA's vulns repository into the database. The first scan reads\n"
	       "every record; later scans only what changed since the last scanned commit.\n"
	       "A URL is mirrored (bare clone, then fetch) into --mirror, by default next to the\n"
	       "database; a local repository is read as it is.\n\n"
	       "  --vulns PATH|URL  repository (default %s)\n"
	       "  --branch NAME     branch to read (default %s)\n"
	       "  --mirror DIR      where a URL is cloned (default DBDIR/vulns.git)\n"
	       "  --full            re-read every record, not only the changed ones\n"
	       "  --json            print {commit, new, updated, rejected, errors, seconds, ...}\n\n"
	       "Exit codes: 0 ok, 1 failed (database unchanged), 2 usage,\n"
	       "3 done but malformed records were skipped, 4 another scan is running.\n",
	       DEFAULT_VULNS_URL, DEFAULT_BRANCH);
}

/* Two scans never run at once: cron may start one while the last is still going. */
static int take_lock(const char *db_path, int *ret_fd)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (asprintf(&path, "%s.lock", db_path) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return log_error_errno(errno, "%s: cannot open lock file: %m", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return log_error_errno(EBUSY, "%s: another scan is running", path);
		return log_error_errno(errno, "%s: cannot lock: %m", path);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

char *scan_default_mirror(const char *db_path)
{
	const char *slash = strrchr(db_path, '/');
	char *m = NULL;

	if (!slash)
		return strdup("vulns.git");
	if (asprintf(&m, "%.*s/vulns.git", (int)(slash - db_path), db_path) < 0)
		return NULL;
	return m;
}

static int print_result(const struct common_opts *c, const struct scan_stats *st)
{
	if (c->json) {
		json_t *o = json_pack("{s:s, s:s?, s:b, s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:f}",
				      "commit", st->commit, "previous_commit",
				      st->from_commit[0] ? st->from_commit : NULL, "full", st->full,
				      "up_to_date", st->up_to_date, "new", st->new_records,
				      "updated", st->updated, "rejected", st->rejected, "unchanged",
				      st->unchanged, "errors", st->errors, "records", st->records,
				      "seconds", st->seconds);
		return json_print(o);
	}
	if (st->up_to_date)
		printf("scan: up to date at %.12s\n", st->commit);
	else
		printf("scan: %.12s%s%.12s: %u new, %u updated, %u rejected, %u skipped "
		       "(malformed), %u unchanged, in %.2f s\n",
		       st->from_commit[0] ? st->from_commit : "", st->from_commit[0] ? ".." : "",
		       st->commit, st->new_records, st->updated, st->rejected, st->errors,
		       st->unchanged, st->seconds);
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vulns", required_argument, NULL, 'v' },
		{ "branch", required_argument, NULL, 'b' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "full", no_argument, NULL, 'F' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct scan_options o = { 0 };
	struct scan_stats st;
	struct db *db = NULL;
	_cleanup_free_ char *mirror = NULL;
	_cleanup_close_ int lock_fd = -1;
	int opt, k, ret = EXIT_FAIL;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 'v':
			o.source = optarg;
			break;
		case 'b':
			o.branch = optarg;
			break;
		case 'm':
			o.mirror = optarg;
			break;
		case 'F':
			o.full = true;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend scan --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind < argc) {
		fprintf(stderr, "tuxtape-backend scan: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	if (!o.source)
		o.source = c.cfg.vulns ? c.cfg.vulns : DEFAULT_VULNS_URL;
	if (!o.branch)
		o.branch = c.cfg.branch ? c.cfg.branch : DEFAULT_BRANCH;
	if (!o.mirror)
		o.mirror = c.cfg.mirror ? c.cfg.mirror : (mirror = scan_default_mirror(common_db_path(&c)));
	if (!o.mirror) {
		log_error("out of memory");
		goto out;
	}
	o.progress = !c.json && isatty(STDERR_FILENO);

	if (db_open(common_db_path(&c), true, &db) < 0)
		goto out;
	k = take_lock(common_db_path(&c), &lock_fd);
	if (k < 0) {
		ret = k == -EBUSY ? EXIT_BUSY : EXIT_FAIL;
		goto out;
	}
	if (scan_run(db, &o, &st) < 0) {
		log_error("scan failed; the database is unchanged");
		goto out;
	}
	if (print_result(&c, &st) < 0)
		goto out;
	ret = st.errors ? EXIT_PARTIAL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}
