/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-backend generate: a livepatch module for a registered kernel from a fix (a diff, or
 * a CVE and a newer source of its branch), or the reason it cannot be made; and the "needs a
 * person" queue (generate --failures). The pipeline's steps are in generate.h; this file
 * settles the inputs (exit 2 when they are wrong), runs the steps in order, writes the report
 * and queues what did not end well (exit 1).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "generate/generate.h"
#include "log.h"
#include "util.h"

#define DEFAULT_GEN_CACHE LOCALSTATEDIR "/cache/tuxtape/generator"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static void help(void)
{
	printf("Usage: tuxtape-backend generate --kernel NAME\n"
	       "           (--cve CVE-ID (--fix-source DIR|TARBALL | --linux-git DIR) |\n"
	       "            --patch FILE [--fix-source DIR|TARBALL])\n"
	       "           [--out DIR] [--id PATCH-ID]\n"
	       "           [--generator builtin|kpatch-build|klp-build] [--cache DIR]\n"
	       "           [--headers DIR] [--system-map FILE] [--vet-command CMD [--vet-check FILE]]\n"
	       "           [--notify CMD] [--webhook URL] [--replace] [--cves LIST] [--json]\n"
	       "       tuxtape-backend generate --failures [--json]\n\n"
	       "Builds a livepatch module (livepatch_<id>.ko) for a registered kernel from a fix,\n"
	       "or says precisely why it cannot, and queues the fix for a person.\n"
	       "  --patch       a unified diff (-p1) against the kernel's source; must apply\n"
	       "                without fuzz; given several times, the diffs are applied in that\n"
	       "                order, each on top of the ones before, and made one fix\n"
	       "  --replace     a cumulative livepatch: it atomically replaces every livepatch\n"
	       "                loaded before it (.replace = true)\n"
	       "  --cves        the CVEs the module carries, comma-separated (its modinfo)\n"
	       "  --cve         the fix is the difference of the CVE's files between the kernel's\n"
	       "                source and --fix-source, a newer source of the same stable branch,\n"
	       "                or, with --linux-git, the branch's fix commit (from the scanner's\n"
	       "                data) against its parent in that git repository\n"
	       "  --fix-source  also where a fix that does not compile on this kernel finds\n"
	       "                what it needs: a macro or static inline helper defined in its\n"
	       "                headers is carried into the patched file; anything else is named\n"
	       "                with the header that introduces it\n"
	       "  --out         output directory (default ./livepatch_<id>): the module, its\n"
	       "                sources, fix.patch and report.json\n"
	       "  --id          patch id (default: the CVE id or the patch's file name)\n"
	       "  --cache       prepared kernel trees (default [generate] cache or %s)\n"
	       "  --headers     the kernel's kbuild directory with Module.symvers (default: the\n"
	       "                profile's, else /usr/src/linux-headers-RELEASE)\n"
	       "  --system-map  default: the profile's, else /boot/System.map-RELEASE\n"
	       "  --vet-command run as CMD MODULE.ko [CHECK] once the module is built; exit 0 =\n"
	       "                vetted (`tuxtape-backend vet --kernel NAME` boots it in a VM)\n"
	       "  --vet-check   a script the vet command runs where the module is loaded\n"
	       "  --notify      run when the fix is refused or fails (TUXTAPE_KERNEL, TUXTAPE_CVE,\n"
	       "                TUXTAPE_STEP, TUXTAPE_REASON... in its environment)\n"
	       "  --webhook     URL the JSON report of a refusal or failure is POSTed to\n"
	       "  --failures    list the queue of fixes that need a person\n\n"
	       "Exit codes: 0 module built (and vetted when asked), 1 refused or failed (queued),\n"
	       "2 usage or configuration error (unknown kernel or CVE, missing inputs).\n"
	       "Common options: --db PATH, --config PATH, --json, --help.\n", DEFAULT_GEN_CACHE);
}

static void kernel_free(struct gen_kernel *k)
{
	free(k->name), free(k->version), free(k->release), free(k->source), free(k->kind);
	free(k->headers), free(k->system_map), free(k->config_text), free(k->modules);
}

static char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

static int load_kernel(struct db *db, const char *name, struct gen_kernel *k)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int r = db_prepare(db, "SELECT version, release, config, profile_kind, profile_source,"
			   " headers, system_map, modules FROM kernel WHERE name = ?", &st);

	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -ENOENT;
	k->name = strdup(name);
	k->version = col(st, 0);
	k->release = col(st, 1);
	k->config_text = col(st, 2);
	k->config_len = k->config_text ? strlen(k->config_text) : 0;
	k->kind = col(st, 3);
	k->source = col(st, 4);
	k->headers = col(st, 5);
	k->system_map = col(st, 6);
	k->modules = col(st, 7);
	return k->name && k->config_text && k->source ? 0 : -ENOMEM;
}

/* The option, else the profile's, else where a distribution installs it for the release. */
static int settle_path(char **dst, const char *opt, const char *release, const char *const *fmts)
{
	if (opt) {
		free(*dst);
		*dst = realpath(opt, NULL);
		return *dst ? 0 : -errno;
	}
	if (*dst)
		return 0;
	for (size_t i = 0; release && fmts[i]; i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, fmts[i], release) < 0)
			return -ENOMEM;
		if (access(p, F_OK) == 0) {
			*dst = realpath(p, NULL);
			return *dst ? 0 : -errno;
		}
	}
	return -ENOENT;
}

/* livepatch_<id>: [a-z0-9_] only, 55 characters at most (the kernel's module name limit). */
static void module_name(const char *id, char out[56])
{
	size_t n = strlen("livepatch_");

	memcpy(out, "livepatch_", n);
	for (const char *p = id; *p && n < 55; p++)
		out[n++] = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
	out[n] = '\0';
}

static char *default_id(const struct gen_request *r)
{
	const char *base;
	char *id;

	if (r->id)
		return strdup(r->id);
	if (r->cve)
		return strdup(r->cve);
	base = strrchr(r->patch, '/') ? strrchr(r->patch, '/') + 1 : r->patch;
	id = strdup(base);
	if (id && strrchr(id, '.') && strrchr(id, '.') != id)
		*strrchr(id, '.') = '\0';
	return id;
}

/* Every step of the pipeline appears in the report: those not reached as skipped. */
static json_t *report(struct gen_ctx *c, double secs)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:f, "
			 "s:O, s:O}",
		"kernel", c->k.name, "release", c->k.release, "cve", c->req->cve, "patch",
		c->req->patch, "patch_id", strempty(c->patch_id), "module", c->module,
		"generator", c->req->tool == GEN_BUILTIN ? "builtin" :
			     c->req->tool == GEN_KPATCH_BUILD ? "kpatch-build" : "klp-build",
		"source_commit", c->source_commit, "outcome", gen_status_string(c->status),
		"step", c->failed_step, "reason", c->reason, "seconds",
		(double)(long)(secs * 100) / 100, "functions", c->functions, "steps", c->steps);
}

static int generate(struct common_opts *co, struct gen_request *req, const char *notify,
		    const char *webhook)
{
	static const char *const hdr_fmts[] = { "/usr/src/linux-headers-%s",
						"/lib/modules/%s/build", NULL };
	static const char *const map_fmts[] = { "/boot/System.map-%s", NULL };
	struct gen_ctx c = { .req = req, .lock_fd = -1 };
	_cleanup_free_ char *out_default = NULL, *text = NULL;
	struct db *db = NULL;
	double t0 = gen_now();
	json_t *rep = NULL;
	int k, ret = EXIT_USAGE;

	c.steps = json_array();
	c.functions = json_array();
	if (!c.steps || !c.functions)
		goto out;
	if (db_open(common_db_path(co), true, &db) < 0) {
		ret = EXIT_FAIL;
		goto out;
	}
	k = load_kernel(db, req->kernel, &c.k);
	if (k == -ENOENT) {
		log_error("kernel %s: not registered (see kernel list)", req->kernel);
		goto out;
	}
	if (k < 0)
		goto out;
	if (streq(c.k.kind, "files")) {
		log_error("kernel %s: its profile is a list of files; the generator needs the "
			  "source (kernel add --source)", req->kernel);
		goto out;
	}
	if (settle_path(&c.k.headers, req->headers, c.k.release, hdr_fmts) < 0 ||
	    settle_path(&c.k.system_map, req->system_map, c.k.release, map_fmts) < 0) {
		log_error("kernel %s: %s not found: give --headers DIR (with Module.symvers) and "
			  "--system-map FILE, or register them with kernel add", req->kernel,
			  c.k.headers ? "System.map" : "the kernel's headers");
		goto out;
	}
	if (req->cve) {
		_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;

		if (db_prepare(db, "SELECT 1 FROM cve WHERE id = ?", &st) < 0)
			goto out;
		sqlite3_bind_text(st, 1, req->cve, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			log_error("%s: not in the database (run a scan)", req->cve);
			goto out;
		}
	}
	for (size_t i = 0; i < req->n_patches; i++)
		if (access(req->patches[i], R_OK) < 0) {
			log_error("%s: %m", req->patches[i]);
			goto out;
		}
	c.patch_id = default_id(req);
	if (!c.patch_id)
		goto out;
	module_name(c.patch_id, c.module);
	if (!req->out && asprintf(&out_default, "%s", c.module) < 0)
		goto out;
	k = mkdir_p(req->out ? req->out : out_default, 0755);
	c.out = k < 0 ? NULL : realpath(req->out ? req->out : out_default, NULL);
	if (!c.out) {
		log_error("%s: cannot create the output directory", req->out ? req->out : out_default);
		goto out;
	}
	if (asprintf(&c.work, "%s/work", c.out) < 0)
		goto out;
	{
		char *argv[] = { (char *)"rm", (char *)"-rf", c.work, NULL };

		gen_run(NULL, argv, NULL, false, NULL);
	}
	ret = EXIT_FAIL;
	if (mkdir_p(c.work, 0755) < 0)
		goto out;
	{
		_cleanup_free_ char *stale = NULL;

		/* a module left by an earlier run must not pass for this run's */
		if (asprintf(&stale, "%s/%s.ko", c.out, c.module) >= 0)
			unlink(stale);
	}

	c.db = db;
	gen_pipeline_run(&c);
	/* whatever happened, the cached tree goes back to the kernel's own source */
	gen_cache_revert(&c);
	gen_cache_release(&c);
	rep = report(&c, gen_now() - t0);
	text = rep ? json_dumps(rep, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/report.json", c.out) >= 0 && gen_write_file(path, text) < 0)
			log_error("%s: cannot write the report", path);
	}
	if (c.status != GEN_OK) {
		if (gen_queue_add(db, &c, strempty(text)) < 0)
			log_error("the failure could not be queued");
		gen_notify(&c, notify, webhook, strempty(text));
	}
	if (co->json) {
		json_print(json_incref(rep));
	} else if (c.status == GEN_OK) {
		printf("generate: %s: module %s (%zu function(s)) in %.1f s\n", c.module,
		       c.ko ? c.ko : "-", json_array_size(c.functions), gen_now() - t0);
	} else {
		printf("generate: %s: %s at step %s: %s\n", c.module, gen_status_string(c.status),
		       c.failed_step, c.reason);
	}
	ret = c.status == GEN_OK ? EXIT_OK : EXIT_FAIL;
out:
	json_decref(rep);
	json_decref(c.steps);
	json_decref(c.functions);
	gen_objects_free(&c);
	gen_files_free(c.files, c.n_files);
	kernel_free(&c.k);
	free(c.out), free(c.work), free(c.cc), free(c.cache_dir), free(c.tree);
	free(c.patch_path), free(c.patch_id), free(c.source_commit), free(c.ko);
	free(c.failed_step), free(c.reason), free(c.config_path), free(c.detail);
	db_close(db);
	return ret;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "cve", required_argument, NULL, 'c' },
		{ "patch", required_argument, NULL, 'p' },
		{ "fix-source", required_argument, NULL, 'F' },
		{ "linux-git", required_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },
		{ "generator", required_argument, NULL, 'g' },
		{ "cache", required_argument, NULL, 'a' },
		{ "headers", required_argument, NULL, 'H' },
		{ "system-map", required_argument, NULL, 'M' },
		{ "vet-command", required_argument, NULL, 'v' },
		{ "vet-check", required_argument, NULL, 'V' },
		{ "notify", required_argument, NULL, 'n' },
		{ "webhook", required_argument, NULL, 'w' },
		{ "failures", no_argument, NULL, 'f' },
		{ "replace", no_argument, NULL, 'R' },
		{ "cves", required_argument, NULL, 0x101 },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts co = { 0 };
	struct gen_request req = { .tool = GEN_BUILTIN };
	const char *notify = NULL, *webhook = NULL, *tool = "builtin";
	_cleanup_free_ const char **patches = NULL;
	size_t n_patches = 0;
	bool failures = false;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int opt, ret = EXIT_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&co, opt, optarg))
			continue;
		switch (opt) {
		case 'k': req.kernel = optarg; break;
		case 'c': req.cve = optarg; break;
		case 'p': {
			const char **g = realloc(patches, (n_patches + 1) * sizeof(*g));

			if (!g)
				return EXIT_FAIL;
			patches = g;
			patches[n_patches++] = optarg;
			break;
		}
		case 'R': req.replace = true; break;
		case 0x101: req.cves = optarg; break;
		case 'F': req.fix_source = optarg; break;
		case 'L': req.linux_git = optarg; break;
		case 'o': req.out = optarg; break;
		case 'i': req.id = optarg; break;
		case 'g': tool = optarg; break;
		case 'a': req.cache = optarg; break;
		case 'H': req.headers = optarg; break;
		case 'M': req.system_map = optarg; break;
		case 'v': req.vet_command = optarg; break;
		case 'V': req.vet_check = optarg; break;
		case 'n': notify = optarg; break;
		case 'w': webhook = optarg; break;
		case 'f': failures = true; break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend generate --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (co.help) {
		help();
		return EXIT_OK;
	}
	if (optind != argc) {
		fprintf(stderr, "tuxtape-backend generate: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (streq(tool, "kpatch-build"))
		req.tool = GEN_KPATCH_BUILD;
	else if (streq(tool, "klp-build"))
		req.tool = GEN_KLP_BUILD;
	else if (!streq(tool, "builtin")) {
		fprintf(stderr, "tuxtape-backend generate: --generator is builtin, kpatch-build or "
			"klp-build\n");
		return EXIT_USAGE;
	}
	req.patch = n_patches ? patches[0] : NULL;
	req.patches = patches;
	req.n_patches = n_patches;
	if (req.cves && (!*req.cves || strspn(req.cves, "CVE-0123456789,") != strlen(req.cves))) {
		fprintf(stderr, "tuxtape-backend generate: --cves '%s': CVE ids separated by commas\n",
			req.cves);
		return EXIT_USAGE;
	}
	if (n_patches > 1 && req.tool != GEN_BUILTIN) {
		fprintf(stderr, "tuxtape-backend generate: several --patch need the builtin "
			"generator\n");
		return EXIT_USAGE;
	}
	if (!failures && (!req.kernel || !!req.cve == !!req.patch)) {
		fprintf(stderr, "tuxtape-backend generate: needs --kernel NAME and one of --cve, "
			"--patch (or --failures)\n");
		return EXIT_USAGE;
	}
	if (req.cve && !!req.fix_source == !!req.linux_git) {
		fprintf(stderr, "tuxtape-backend generate: --cve needs one of --fix-source DIR|TARBALL "
			"(a newer source of the kernel's stable branch) and --linux-git DIR (a Linux "
			"git repository holding the branch's fix commit)\n");
		return EXIT_USAGE;
	}
	if (common_setup(&co) < 0)
		goto out;
	if (failures) {
		struct db *db = NULL;

		ret = EXIT_FAIL;
		if (db_open(common_db_path(&co), true, &db) >= 0 && gen_queue_list(db, co.json) >= 0)
			ret = EXIT_OK;
		db_close(db);
		goto out;
	}
	req.cache = req.cache ? req.cache : co.cfg.gen_cache ? co.cfg.gen_cache : DEFAULT_GEN_CACHE;
	req.vet_command = req.vet_command ? req.vet_command : co.cfg.gen_vet;
	notify = notify ? notify : co.cfg.gen_notify;
	webhook = webhook ? webhook : co.cfg.gen_webhook;
	req.progress = isatty(STDERR_FILENO);
	req.jobs = ncpu > 0 ? (unsigned)ncpu : 1;
	ret = generate(&co, &req, notify, webhook);
out:
	common_done(&co);
	return ret;
}
