/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel inputs from Debian's packages: see kpackage.h. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "profile/kpackage.h"
#include "util.h"
#include "vet/vet.h"

extern char **environ;

struct deb {
	struct archive *outer, *inner;
	char buf[65536];
};

static la_ssize_t member_read(struct archive *a, void *userdata, const void **buf)
{
	struct deb *d = userdata;
	la_ssize_t n = archive_read_data(d->outer, d->buf, sizeof(d->buf));

	*buf = d->buf;
	return n;
}

static void deb_close(struct deb *d)
{
	if (d->inner)
		archive_read_free(d->inner);
	if (d->outer)
		archive_read_free(d->outer);
	d->inner = d->outer = NULL;
}

/* Opens the member of the .deb whose name starts with prefix ("control.tar", "data.tar")
 * as a tar archive read straight out of the ar archive: nothing is staged on disk. */
static int deb_open(const char *path, const char *prefix, struct deb *d)
{
	struct archive_entry *e;
	int r;

	d->outer = archive_read_new();
	if (!d->outer)
		return log_error_errno(ENOMEM, "out of memory");
	archive_read_support_format_ar(d->outer);
	if (archive_read_open_filename(d->outer, path, 1 << 16) != ARCHIVE_OK)
		return log_error_errno(EINVAL, "%s: not a Debian package: %s", path,
				       archive_error_string(d->outer));
	while ((r = archive_read_next_header(d->outer, &e)) == ARCHIVE_OK) {
		if (!startswith(archive_entry_pathname(e), prefix))
			continue;
		d->inner = archive_read_new();
		if (!d->inner)
			return log_error_errno(ENOMEM, "out of memory");
		archive_read_support_filter_all(d->inner);
		archive_read_support_format_tar(d->inner);
		if (archive_read_open(d->inner, d, NULL, member_read, NULL) != ARCHIVE_OK)
			return log_error_errno(EINVAL, "%s: %s: %s", path, archive_entry_pathname(e),
					       archive_error_string(d->inner));
		return 0;
	}
	return log_error_errno(EINVAL, "%s: not a Debian package (no %s* member%s%s)", path, prefix,
			       r == ARCHIVE_OK || r == ARCHIVE_EOF ? "" : ": ",
			       r == ARCHIVE_OK || r == ARCHIVE_EOF ? "" : archive_error_string(d->outer));
}

/* "Package: linux-image-6.1.0-57-amd64[-unsigned]" -> "6.1.0-57-amd64" */
static int deb_release(const char *path, char **ret)
{
	struct deb d = { 0 };
	struct archive_entry *e;
	char ctl[16384];
	la_ssize_t n = -1;
	int k = deb_open(path, "control.tar", &d);

	while (k >= 0 && archive_read_next_header(d.inner, &e) == ARCHIVE_OK)
		if (streq(archive_entry_pathname(e), "./control") ||
		    streq(archive_entry_pathname(e), "control")) {
			n = archive_read_data(d.inner, ctl, sizeof(ctl) - 1);
			break;
		}
	deb_close(&d);
	if (k < 0)
		return k;
	if (n < 0)
		return log_error_errno(EINVAL, "%s: its control.tar holds no control file", path);
	ctl[n] = '\0';
	for (char *l = ctl; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len;

		if (!startswith(l, "Package: linux-image-"))
			continue;
		l += strlen("Package: linux-image-");
		len = strcspn(l, "\n");
		if (len > 9 && !strncmp(l + len - 9, "-unsigned", 9))
			len -= 9;
		if (len > 4 && !strncmp(l + len - 4, "-dbg", 4))
			len -= 4;
		*ret = strndup(l, len);
		return *ret ? 0 : log_error_errno(ENOMEM, "out of memory");
	}
	return log_error_errno(EINVAL, "%s: not a linux-image package (its control says no "
			       "'Package: linux-image-RELEASE')", path);
}

/* Unpacks data.tar into dir; with only (a basename prefix), just the entries it names, to
 * out. Paths are confined to dir (no .., no absolute paths, no symlinks followed). */
static int deb_extract(const char *path, const char *dir, const char *only, const char *out)
{
	struct deb d = { 0 };
	struct archive *w = archive_write_disk_new();
	struct archive_entry *e;
	int k = w ? deb_open(path, "data.tar", &d) : -ENOMEM, r;
	bool found = false;

	if (k >= 0)
		archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
					       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					       ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	while (k >= 0 && (r = archive_read_next_header(d.inner, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *base = strrchr(name, '/');
		_cleanup_free_ char *dst = NULL;

		base = base ? base + 1 : name;
		if (only && (!startswith(base, only) || archive_entry_filetype(e) != AE_IFREG))
			continue;
		if (startswith(name, "./"))
			name += 2;
		/* dst is absolute by design: the archive's own names must stay inside dir */
		if (name[0] == '/' || streq(name, "..") || startswith(name, "../") ||
		    strstr(name, "/../") ||
		    (strlen(name) >= 3 && streq(name + strlen(name) - 3, "/.."))) {
			k = log_error_errno(EINVAL, "%s: refusing the entry '%s' (outside the "
					    "package's tree)", path, name);
			break;
		}
		if (asprintf(&dst, "%s/%s", dir, only ? out : name) < 0) {
			k = log_error_errno(ENOMEM, "out of memory");
			break;
		}
		archive_entry_set_pathname(e, dst);
		if (archive_read_extract2(d.inner, e, w) != ARCHIVE_OK)
			k = log_error_errno(EIO, "%s: unpacking %s: %s", path, name,
					    archive_error_string(d.inner));
		found = true;
		if (only)
			break;
	}
	if (k >= 0 && !only && r != ARCHIVE_EOF)
		k = log_error_errno(EIO, "%s: %s", path, archive_error_string(d.inner));
	if (k >= 0 && only && !found)
		k = log_error_errno(ENOENT, "%s: holds no %s* file", path, only);
	deb_close(&d);
	if (w)
		archive_write_free(w);
	return k;
}

static int run(char *const argv[])
{
	pid_t pid;
	int status, r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);

	if (r)
		return log_error_errno(r, "cannot run %s: %m", argv[0]);
	if (waitpid(pid, &status, 0) < 0)
		return log_error_errno(errno, "%s: %m", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return log_error_errno(EIO, "%s %s failed", argv[0], argv[1]);
	return 0;
}

/* depmod -b BASE RELEASE needs BASE/lib/modules/RELEASE: the modules directory's own
 * layout when it has it. */
static int ensure_modules_dep(const char *modules)
{
	_cleanup_free_ char *dep = NULL, *base = NULL;
	const char *rel = strrchr(modules, '/');
	size_t n;

	if (asprintf(&dep, "%s/modules.dep", modules) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	if (access(dep, R_OK) == 0)
		return 0;
	n = rel ? (size_t)(rel - modules) : 0;
	if (!rel || n < 12 || strncmp(modules + n - 12, "/lib/modules", 12) != 0)
		return log_error_errno(ENOENT, "--modules %s: no modules.dep, and not laid out as "
				       "BASE/lib/modules/RELEASE for depmod -b; run depmod for it",
				       modules);
	base = strndup(modules, n - 12);
	if (!base)
		return log_error_errno(ENOMEM, "out of memory");
	char *argv[] = { (char *)"depmod", (char *)"-b", base[0] ? base : (char *)"/",
			 (char *)rel + 1, NULL };
	return run(argv);
}

static char *path_in(const char *dir, const char *fmt, const char *rel)
{
	char *p = NULL, *f = NULL;

	if (asprintf(&f, fmt, rel) < 0)
		return NULL;
	if (asprintf(&p, "%s/%s", dir, f) < 0)
		p = NULL;
	free(f);
	return p;
}

static int need(const char *deb, const char *what, const char *path)
{
	if (path && access(path, R_OK) == 0)
		return 0;
	return log_error_errno(ENOENT, "%s: holds no %s (%s)", deb, what, strempty(path));
}

static int unpack(struct kernel_package *pkg, bool progress)
{
	_cleanup_free_ char *stamp = NULL, *want = NULL, *have = NULL, *root = NULL, *kabs = NULL;
	const char *kdir = pkg->kernels_dir ? pkg->kernels_dir : DEFAULT_KERNELS_DIR;
	struct stat st;
	size_t len;
	int k;

	root = realpath(pkg->deb, NULL);
	if (!root || stat(root, &st) < 0)
		return log_error_errno(errno, "--package %s: %m", pkg->deb);
	k = deb_release(pkg->deb, &pkg->release);
	if (k < 0)
		return k;
	k = mkdir_p(kdir, 0755);
	if (k < 0)
		return log_error_errno(k, "--kernels-dir %s: %m", kdir);
	kabs = realpath(kdir, NULL);
	if (!kabs)
		return log_error_errno(errno, "--kernels-dir %s: %m", kdir);
	if (asprintf(&pkg->dir, "%s/%s", kabs, pkg->release) < 0 ||
	    asprintf(&stamp, "%s/.package", pkg->dir) < 0 ||
	    asprintf(&want, "%s %lld %lld\n", root, (long long)st.st_size,
		     (long long)st.st_mtime) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	/* unpacked already from this very file: a second add reuses it (and its kallsyms) */
	if (read_file_bounded(stamp, 4096, &have, &len) < 0 || !streq(have, want)) {
		_cleanup_free_ char *ks = path_in(pkg->dir, "%s", "kallsyms");

		k = mkdir_p(pkg->dir, 0755);
		if (k < 0)
			return log_error_errno(k, "--kernels-dir %s: %m", pkg->dir);
		if (ks)
			unlink(ks);
		if (progress)
			fprintf(stderr, "unpacking %s into %s...\n", pkg->deb, pkg->dir);
		k = deb_extract(pkg->deb, pkg->dir, NULL, NULL);
		if (k >= 0)
			k = write_file_atomic(stamp, want, strlen(want), 0644);
		if (k < 0)
			return k;
	}
	pkg->image = path_in(pkg->dir, "boot/vmlinuz-%s", pkg->release);
	pkg->config = path_in(pkg->dir, "boot/config-%s", pkg->release);
	pkg->system_map = path_in(pkg->dir, "boot/System.map-%s", pkg->release);
	pkg->modules = path_in(pkg->dir, "lib/modules/%s", pkg->release);
	if (!pkg->image || !pkg->config || !pkg->system_map || !pkg->modules)
		return log_error_errno(ENOMEM, "out of memory");
	if ((k = need(pkg->deb, "kernel image", pkg->image)) < 0 ||
	    (k = need(pkg->deb, ".config", pkg->config)) < 0 ||
	    (k = need(pkg->deb, "modules directory", pkg->modules)) < 0)
		return k;
	if (access(pkg->system_map, R_OK) < 0) {
		free(pkg->system_map);
		pkg->system_map = NULL;
	}
	return ensure_modules_dep(pkg->modules);
}

/* The real symbols for a placeholder map: the -dbg package's, else one boot's kallsyms. */
static int real_symbols(struct kernel_spec *spec, struct kernel_package *pkg, bool progress,
			char **ret)
{
	const char *kdir = pkg->kernels_dir ? pkg->kernels_dir : DEFAULT_KERNELS_DIR;
	_cleanup_free_ char *dir = NULL, *out = NULL;
	struct vet_opts o = { .kernel = spec->name, .image = spec->image, .stall_s = 60,
			      .timeout_s = 900, .progress = progress };
	int k;

	if (pkg->dir)
		dir = strdup(pkg->dir);
	else if (spec->release && asprintf(&dir, "%s/%s", kdir, spec->release) < 0)
		dir = NULL;
	if (!dir)
		return log_error_errno(EINVAL, "System.map %s is a placeholder and the release is "
				       "unknown: give --release, --dbg-package or a real --system-map",
				       strempty(spec->system_map));
	if (mkdir_p(dir, 0755) < 0)
		return log_error_errno(errno, "%s: %m", dir);
	if (pkg->dbg_deb) {
		if (asprintf(&out, "%s/System.map-dbg", dir) < 0)
			return log_error_errno(ENOMEM, "out of memory");
		k = deb_extract(pkg->dbg_deb, dir, "System.map-", "System.map-dbg");
		if (k < 0)
			return k;
		if (symmap_is_placeholder(out) != 0)
			return log_error_errno(EINVAL, "--dbg-package %s: its System.map is a "
					       "placeholder too", pkg->dbg_deb);
		fprintf(stderr, "kernel %s: System.map from %s\n", spec->name, pkg->dbg_deb);
		*ret = TAKE_PTR(out);
		return 0;
	}
	if (!spec->image)
		return log_error_errno(EINVAL, "System.map %s is a placeholder: give --dbg-package, "
				       "--image (its symbols are read from one boot) or a real "
				       "--system-map", spec->system_map);
	if (asprintf(&out, "%s/kallsyms", dir) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	if (symmap_is_placeholder(out) == 0) {
		fprintf(stderr, "kernel %s: System.map from the cached kallsyms %s\n", spec->name, out);
	} else {
		fprintf(stderr, "kernel %s: %s is a placeholder; reading /proc/kallsyms of one boot "
			"of %s (cached in %s)\n", spec->name, spec->system_map, spec->image, out);
		k = vet_kallsyms(&o, out);
		if (k < 0)
			return k;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int kernel_inputs(struct kernel_spec *spec, struct kernel_package *pkg, bool progress)
{
	char *map = NULL;
	int k;

	if (pkg->deb) {
		k = unpack(pkg, progress);
		if (k < 0)
			return k;
		spec->image = pkg->image;
		spec->modules = pkg->modules;
		spec->config = spec->config ? spec->config : pkg->config;
		spec->release = spec->release ? spec->release : pkg->release;
		spec->system_map = spec->system_map ? spec->system_map : pkg->system_map;
	} else if (spec->modules) {
		k = ensure_modules_dep(spec->modules);
		if (k < 0)
			return k;
	}
	if (!spec->system_map && !pkg->deb)
		return 0;
	k = spec->system_map ? symmap_is_placeholder(spec->system_map) : 1;
	if (k < 0)
		return log_error_errno(k, "--system-map %s: %m", spec->system_map);
	if (k == 0)
		return 0;
	k = real_symbols(spec, pkg, progress, &map);
	if (k < 0)
		return k;
	free(pkg->system_map);
	pkg->system_map = map;
	spec->system_map = map;
	return 0;
}

void kernel_inputs_done(struct kernel_package *pkg)
{
	free(pkg->dir);
	free(pkg->release);
	free(pkg->image);
	free(pkg->config);
	free(pkg->modules);
	free(pkg->system_map);
}
