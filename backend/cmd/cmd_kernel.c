/* SPDX-License-Identifier: GPL-2.0-only */
/* tuxtape-backend kernel add|list|show|remove: the kernels the fleet runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "profile/kernel.h"
#include "profile/kpackage.h"
#include "kver.h"
#include "log.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

static void help(void)
{
	printf("Usage: tuxtape-backend kernel add NAME --kconfig FILE\n"
	       "           (--source DIR|TARBALL | --build-dir DIR | --files LIST)\n"
	       "           [--version X.Y.Z] [--release UNAME_R]\n"
	       "           [--headers DIR] [--system-map FILE] [--image FILE] [--modules DIR]\n"
	       "       tuxtape-backend kernel add NAME --package LINUX-IMAGE.deb [--dbg-package DEB]\n"
	       "           [--kernels-dir DIR] (--source ...|--build-dir ...|--files ...) [...]\n"
	       "       tuxtape-backend kernel list [--json]\n"
	       "       tuxtape-backend kernel show NAME [--list-files] [--json]\n"
	       "       tuxtape-backend kernel remove NAME\n\n"
	       "A kernel profile is what the applicability gauge needs: the upstream version and\n"
	       "every source file compiled into the kernel, built-in or as a module.\n"
	       "  --source     a kernel source tree or tarball (e.g. Debian's linux-source-6.1\n"
	       "               tarball, read without unpacking), evaluated against --kconfig\n"
	       "  --kconfig    the kernel's .config (CONFIG_NAME=value lines)\n"
	       "  --build-dir  an in-tree kernel build: its .o.cmd and .mod files say what was built\n"
	       "  --files      a list, one path per line, optionally followed by y or m\n"
	       "  --version    the upstream version (default: the source's top Makefile)\n"
	       "  --release    what uname -r says on the nodes running it\n"
	       "  --headers    the kernel's kbuild directory (linux-headers-RELEASE, with\n"
	       "               Module.symvers): the patch generator links modules against it\n"
	       "  --system-map the kernel's System.map (the generator resolves local symbols)\n"
	       "  --image      the kernel's bzImage/vmlinuz, booted by vet\n"
	       "  --modules    its /lib/modules/RELEASE (modules.dep is made if missing)\n"
	       "  --package    Debian's linux-image-RELEASE_*.deb: image, .config (so --kconfig is\n"
	       "               optional), modules and System.map, unpacked under --kernels-dir\n"
	       "  --dbg-package its linux-image-RELEASE-dbg_*.deb: the real System.map; without\n"
	       "               it, a placeholder map is replaced by /proc/kallsyms of one boot\n"
	       "  --kernels-dir where packages are unpacked (default %s)\n\n"
	       "Common options: --db PATH, --config PATH (the backend's configuration), --json,\n"
	       "--help.\n", DEFAULT_KERNELS_DIR);
}

/* What kbuild takes line by line would take any text: refuse what is not a kernel .config
 * (binary data, or text without a single CONFIG_ line) before it becomes an empty profile. */
static int check_kconfig(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int k = read_file_bounded(path, 16u << 20, &text, &len);

	if (k < 0)
		return log_error_errno(k, "--kconfig %s: cannot read it: %m", path);
	if (memchr(text, '\0', len))
		return log_error_errno(EINVAL, "--kconfig %s: binary data, not a kernel .config", path);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (startswith(line, "CONFIG_") || startswith(line, "# CONFIG_") ||
		    startswith(line, "# Automatically generated file"))
			return 0;
	return log_error_errno(EINVAL, "--kconfig %s: not a kernel .config (no CONFIG_NAME=value "
			       "line)", path);
}

static int add(struct db *db, struct kernel_spec *spec, bool json)
{
	struct kbuild_result r;
	struct kver v;
	size_t y = 0, m = 0, other = 0;
	int k;

	if (spec->kind == PROFILE_SOURCE) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "reading %s and evaluating its Kbuild makefiles...\n",
				spec->from);
		k = kbuild_profile(spec->from, spec->config, &r);
	} else if (spec->kind == PROFILE_BUILD_DIR) {
		k = profile_from_build_dir(spec->from, &r);
	} else {
		k = profile_from_list(spec->from, &r);
	}
	if (k < 0)
		return k;
	if (!spec->version && !r.version[0]) {
		kbuild_result_free(&r);
		return log_error_errno(EINVAL, "%s: cannot tell the kernel's version from %s; give "
				       "it with --version X.Y.Z", spec->name, spec->from);
	}
	if (kver_parse(spec->version ? spec->version : r.version, &v) < 0 || v.nparts < 2) {
		kbuild_result_free(&r);
		return log_error_errno(EINVAL, "--version '%s': expected an upstream version such as "
				       "6.1.192", spec->version ? spec->version : r.version);
	}
	k = kernel_store(db, spec, &r);
	if (k >= 0) {
		for (size_t i = 0; i < r.n_files; i++)
			r.files[i].mode == 'y' ? y++ : r.files[i].mode == 'm' ? m++ : other++;
	}
	if (k >= 0 && json)
		k = json_print(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "kernel", spec->name,
					 "version", spec->version ? spec->version : r.version,
					 "built_in", (json_int_t)y, "modules", (json_int_t)m,
					 "units", (json_int_t)r.n_units, "issues",
					 (json_int_t)r.n_issues));
	else if (k >= 0) {
		printf("kernel %s: version %s, %zu files built in, %zu in modules, %zu build units, "
		       "%zu issues%s\n", spec->name, spec->version ? spec->version : r.version, y, m,
		       r.n_units, r.n_issues, r.n_issues ? " (see kernel show)" : "");
	}
	kbuild_result_free(&r);
	return k;
}

static int list(struct db *db, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *arr = as_json ? json_array() : NULL;
	int k = db_prepare(db,
			   "SELECT name, version, release, profile_kind,"
			   " (SELECT count(*) FROM kernel_file f WHERE f.kernel = k.name AND mode = 'y'),"
			   " (SELECT count(*) FROM kernel_file f WHERE f.kernel = k.name AND mode = 'm')"
			   " FROM kernel k ORDER BY name", &st);

	if (k < 0) {
		json_decref(arr);
		return k;
	}
	if (!arr)
		printf("%-20s %-10s %-24s %-9s %8s %8s\n", "NAME", "VERSION", "RELEASE", "PROFILE",
		       "BUILT-IN", "MODULES");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rel = (const char *)sqlite3_column_text(st, 2);

		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I}",
				"name", sqlite3_column_text(st, 0), "version", sqlite3_column_text(st, 1),
				"release", rel, "profile", sqlite3_column_text(st, 3),
				"files_builtin", (json_int_t)sqlite3_column_int64(st, 4),
				"files_module", (json_int_t)sqlite3_column_int64(st, 5)));
		else
			printf("%-20s %-10s %-24s %-9s %8lld %8lld\n", sqlite3_column_text(st, 0),
			       sqlite3_column_text(st, 1), rel ? rel : "-", sqlite3_column_text(st, 3),
			       sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5));
	}
	return arr ? json_print(arr) : 0;
}

static int show(struct db *db, const char *name, bool files, bool as_json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL, *is = NULL, *fs = NULL;
	json_t *o, *issues, *flist = NULL;
	int k = db_prepare(db,
			   "SELECT version, release, profile_kind, profile_source, created, generation,"
			   " (SELECT count(*) FROM kernel_file f WHERE f.kernel = k.name AND mode = 'y'),"
			   " (SELECT count(*) FROM kernel_file f WHERE f.kernel = k.name AND mode = 'm'),"
			   " (SELECT count(*) FROM kernel_unit u WHERE u.kernel = k.name AND mode = 'y'),"
			   " (SELECT count(*) FROM kernel_unit u WHERE u.kernel = k.name AND mode = 'm'),"
			   " headers, system_map FROM kernel k WHERE name = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return log_error_errno(ENOENT, "kernel %s: not registered (see kernel list)", name);
	issues = json_array();
	k = db_prepare(db, "SELECT file, line, what FROM kernel_issue WHERE kernel = ? ORDER BY seq",
		       &is);
	if (k >= 0) {
		sqlite3_bind_text(is, 1, name, -1, SQLITE_STATIC);
		while (sqlite3_step(is) == SQLITE_ROW)
			json_array_append_new(issues, json_pack("{s:s, s:i, s:s}", "file",
				sqlite3_column_text(is, 0), "line", sqlite3_column_int(is, 1), "what",
				sqlite3_column_text(is, 2)));
	}
	if (k >= 0 && files) {
		flist = json_array();
		k = db_prepare(db, "SELECT path, mode FROM kernel_file WHERE kernel = ? ORDER BY path",
			       &fs);
		if (k >= 0) {
			sqlite3_bind_text(fs, 1, name, -1, SQLITE_STATIC);
			while (sqlite3_step(fs) == SQLITE_ROW)
				json_array_append_new(flist, json_pack("{s:s, s:s}", "path",
					sqlite3_column_text(fs, 0), "mode", sqlite3_column_text(fs, 1)));
		}
	}
	o = json_pack("{s:s, s:s, s:s?, s:{s:s, s:s}, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:s?, "
		      "s:o, s:o*}",
		      "name", name, "version", sqlite3_column_text(st, 0), "release",
		      (const char *)sqlite3_column_text(st, 1), "profile", "kind",
		      sqlite3_column_text(st, 2), "source", sqlite3_column_text(st, 3), "created",
		      (json_int_t)sqlite3_column_int64(st, 4), "generation",
		      (json_int_t)sqlite3_column_int64(st, 5), "files_builtin",
		      (json_int_t)sqlite3_column_int64(st, 6), "files_module",
		      (json_int_t)sqlite3_column_int64(st, 7), "units_builtin",
		      (json_int_t)sqlite3_column_int64(st, 8), "units_module",
		      (json_int_t)sqlite3_column_int64(st, 9), "headers",
		      (const char *)sqlite3_column_text(st, 10), "system_map",
		      (const char *)sqlite3_column_text(st, 11), "issues", issues, "files", flist);
	if (!o || k < 0) {
		json_decref(o);
		return k < 0 ? k : log_error_errno(ENOMEM, "out of memory");
	}
	if (as_json)
		return json_print(o);
	printf("kernel %s: version %s, release %s\nprofile: %s %s\n"
	       "built in: %lld files (%lld units); modules: %lld files (%lld units)\n",
	       name, sqlite3_column_text(st, 0),
	       sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "-",
	       sqlite3_column_text(st, 2), sqlite3_column_text(st, 3), sqlite3_column_int64(st, 6),
	       sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 9));
	if (sqlite3_column_text(st, 10) || sqlite3_column_text(st, 11))
		printf("headers: %s\nSystem.map: %s\n",
		       sqlite3_column_text(st, 10) ? (const char *)sqlite3_column_text(st, 10) : "-",
		       sqlite3_column_text(st, 11) ? (const char *)sqlite3_column_text(st, 11) : "-");
	printf("%zu issues (constructs not understood, objects without a source):\n",
	       json_array_size(issues));
	for (size_t i = 0; i < json_array_size(issues); i++) {
		json_t *e = json_array_get(issues, i);

		printf("  %s:%lld: %s\n", json_string_value(json_object_get(e, "file")),
		       (long long)json_integer_value(json_object_get(e, "line")),
		       json_string_value(json_object_get(e, "what")));
	}
	for (size_t i = 0; i < json_array_size(flist); i++) {
		json_t *e = json_array_get(flist, i);

		printf("%s %s\n", json_string_value(json_object_get(e, "mode")),
		       json_string_value(json_object_get(e, "path")));
	}
	json_decref(o);
	return 0;
}

static int remove_kernel(struct db *db, const char *name, bool json)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k = db_prepare(db, "DELETE FROM kernel WHERE name = ?", &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	k = db_step_done(db, st);
	if (k >= 0 && sqlite3_changes(db->sql) == 0)
		return log_error_errno(ENOENT, "kernel %s: not registered", name);
	if (k >= 0 && json)
		return json_print(json_pack("{s:s, s:b}", "kernel", name, "removed", 1));
	if (k >= 0)
		printf("kernel %s: removed\n", name);
	return k;
}

/* The generator runs later, maybe from another directory: keep absolute paths, checked now. */
static int absolute(const char **path, char **buf, bool dir)
{
	struct stat st;

	if (!*path)
		return 0;
	*buf = realpath(*path, NULL);
	if (!*buf || stat(*buf, &st) < 0)
		return log_error_errno(errno, "%s: %m", *path);
	if (dir && !S_ISDIR(st.st_mode))
		return log_error_errno(ENOTDIR, "%s: not a directory", *path);
	if (!dir && !S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s: not a regular file", *path);
	*path = *buf;
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "build-dir", required_argument, NULL, 'b' },
		{ "files", required_argument, NULL, 'f' },
		{ "list-files", no_argument, NULL, 'L' },
		{ "version", required_argument, NULL, 'V' },
		{ "release", required_argument, NULL, 'r' },
		{ "kconfig", required_argument, NULL, 'K' },
		{ "headers", required_argument, NULL, 'H' },
		{ "system-map", required_argument, NULL, 'M' },
		{ "image", required_argument, NULL, 'I' },
		{ "modules", required_argument, NULL, 'm' },
		{ "package", required_argument, NULL, 'P' },
		{ "dbg-package", required_argument, NULL, 'G' },
		{ "kernels-dir", required_argument, NULL, 'k' },
		COMMON_LONG_OPTIONS,
		{ 0 },
	};
	struct common_opts c = { 0 };
	struct kernel_spec spec = { 0 };
	int sources = 0, opt, k, ret = EXIT_FAIL;
	bool show_files = false;
	const char *verb;
	struct db *db = NULL;
	_cleanup_free_ char *abs_headers = NULL, *abs_map = NULL, *abs_image = NULL,
		*abs_modules = NULL;
	_cleanup_(kernel_inputs_done) struct kernel_package pkg = { 0 };

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case 's':
			spec.kind = PROFILE_SOURCE, spec.from = optarg, sources++;
			break;
		case 'b':
			spec.kind = PROFILE_BUILD_DIR, spec.from = optarg, sources++;
			break;
		case 'f':
			spec.kind = PROFILE_FILES, spec.from = optarg, sources++;
			break;
		case 'L':
			show_files = true;
			break;
		case 'V':
			spec.version = optarg;
			break;
		case 'r':
			spec.release = optarg;
			break;
		case 'K':
			spec.config = optarg;
			break;
		case 'H':
			spec.headers = optarg;
			break;
		case 'M':
			spec.system_map = optarg;
			break;
		case 'I':
			spec.image = optarg;
			break;
		case 'm':
			spec.modules = optarg;
			break;
		case 'P':
			pkg.deb = optarg;
			break;
		case 'G':
			pkg.dbg_deb = optarg;
			break;
		case 'k':
			pkg.kernels_dir = optarg;
			break;
		default:
			fprintf(stderr, "Try 'tuxtape-backend kernel --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (c.help) {
		help();
		return EXIT_OK;
	}
	if (optind >= argc) {
		fprintf(stderr, "tuxtape-backend kernel: expected add, list, show or remove\n");
		return EXIT_USAGE;
	}
	verb = argv[optind++];
	if (streq(verb, "list") ? optind != argc : optind != argc - 1) {
		fprintf(stderr, "tuxtape-backend kernel %s: %s\n", verb,
			streq(verb, "list") ? "takes no argument" : "expected one NAME");
		return EXIT_USAGE;
	}
	if (!streq(verb, "list") && !kernel_name_valid(argv[optind])) {
		fprintf(stderr, "tuxtape-backend kernel %s: '%s' is not a valid name (letters, digits, "
			"'.', '_', '-', '+'; at most 64)\n", verb, argv[optind]);
		return EXIT_USAGE;
	}
	if (streq(verb, "add") && (sources != 1 || (!spec.config && !pkg.deb))) {
		fprintf(stderr, "tuxtape-backend kernel add: needs --kconfig FILE (or --package DEB) "
			"and exactly one of --source, --build-dir, --files\n");
		return EXIT_USAGE;
	}
	if (streq(verb, "add") && pkg.deb && (spec.image || spec.modules)) {
		fprintf(stderr, "tuxtape-backend kernel add: --package gives the image and modules; "
			"--image and --modules go without it\n");
		return EXIT_USAGE;
	}
	if (streq(verb, "add") && pkg.dbg_deb && !pkg.deb) {
		fprintf(stderr, "tuxtape-backend kernel add: --dbg-package goes with --package\n");
		return EXIT_USAGE;
	}
	if (!streq(verb, "add") && !streq(verb, "list") && !streq(verb, "show") &&
	    !streq(verb, "remove")) {
		fprintf(stderr, "tuxtape-backend kernel: unknown verb '%s'\n", verb);
		return EXIT_USAGE;
	}
	if (common_setup(&c) < 0)
		goto out;
	spec.name = argv[optind];
	if (streq(verb, "add") && kernel_inputs(&spec, &pkg, isatty(STDERR_FILENO)) < 0)
		goto out;
	if (streq(verb, "add") && check_kconfig(spec.config) < 0)
		goto out;
	if (db_open(common_db_path(&c), streq(verb, "add") || streq(verb, "remove"), &db) < 0)
		goto out;
	spec.name = argv[optind];
	if (streq(verb, "add") && (absolute(&spec.headers, &abs_headers, true) < 0 ||
				   absolute(&spec.system_map, &abs_map, false) < 0 ||
				   absolute(&spec.image, &abs_image, false) < 0 ||
				   absolute(&spec.modules, &abs_modules, true) < 0))
		goto out;
	if (streq(verb, "add"))
		k = add(db, &spec, c.json);
	else if (streq(verb, "list"))
		k = list(db, c.json);
	else if (streq(verb, "show"))
		k = show(db, spec.name, show_files, c.json);
	else
		k = remove_kernel(db, spec.name, c.json);
	ret = k < 0 ? EXIT_FAIL : EXIT_OK;
out:
	db_close(db);
	common_done(&c);
	return ret;
}
