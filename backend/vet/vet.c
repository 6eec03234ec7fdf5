/* SPDX-License-Identifier: GPL-2.0-only */
/* The vet of one livepatch, and the kallsyms boot: see vet.h for the contract. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "modinfo.h"
#include "util.h"
#include "vet/vet.h"

struct work {
	char dir[64];
	char *initrd, *console;
};

static void work_done(struct work *w)
{
	if (w->initrd)
		unlink(w->initrd);
	if (w->console) {
		_cleanup_free_ char *q = NULL;

		unlink(w->console);
		if (asprintf(&q, "%s.qemu", w->console) >= 0)
			unlink(q);
	}
	if (w->dir[0])
		rmdir(w->dir);
	free(w->initrd);
	free(w->console);
}

static int work_new(struct work *w)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(w->dir, sizeof(w->dir), "%s/tuxtape-vet.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(w->dir)) {
		w->dir[0] = '\0';
		return log_error_errno(errno, "cannot make a work directory: %m");
	}
	if (asprintf(&w->initrd, "%s/initramfs.gz", w->dir) < 0 ||
	    asprintf(&w->console, "%s/console", w->dir) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	return 0;
}

static int need_file(const char *what, const char *path)
{
	struct stat st;

	if (!path)
		return log_error_errno(ENOENT, "no %s", what);
	if (stat(path, &st) < 0)
		return log_error_errno(errno, "%s %s: %m", what, path);
	if (!S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s %s: not a regular file", what, path);
	return 0;
}

static void progress(const struct vet_opts *o, const char *what)
{
	if (o->progress)
		fprintf(stderr, "vet: %s\n", what);
}

/* Boots once; a KVM boot that never reached our /init (no VET-BOOT: QEMU gone at once, as in
 * nested setups whose CPUID lacks what the kernel needs, or silent) is tried again under TCG:
 * the probe proves a vCPU runs, not that this kernel boots on it. */
static int boot(const struct vet_opts *o, struct work *w, const char *cmdline, bool *kvm,
		char **console, size_t *len, char **stopped)
{
	for (;;) {
		enum vet_boot how;
		_cleanup_free_ char *why = NULL;
		int k;

		progress(o, *kvm ? "booting the kernel (KVM)" : "booting the kernel (TCG)");
		unlink(w->console);
		k = vet_boot(o, *kvm, w->initrd, cmdline, w->console, &how, &why);
		if (k < 0)
			return k;
		free(*console);
		*console = NULL;
		*len = 0;
		if (read_file_bounded(w->console, 256u << 20, console, len) < 0)
			*len = 0;
		if (*kvm && !(*len && memmem(*console, *len, "VET-BOOT", 8))) {
			*kvm = false;
			continue;
		}
		*stopped = TAKE_PTR(why);
		return 0;
	}
}

static json_t *report_new(const struct vet_opts *o, const char *accel, bool passed,
			  json_t *checks, json_t *problems, int64_t t0)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:f}", "vet", passed ? "passed" : "failed",
			 "kernel", strempty(o->kernel), "module", o->module, "accel", accel,
			 "checks", checks, "problems", problems, "seconds",
			 (double)(monotonic_usec() - t0) / 1e6);
}

/* A module built for another release is refused before a boot: insmod would only say
 * "Invalid module format", this names both releases. */
static int module_info(const struct vet_opts *o, struct modinfo *mi, char **mismatch)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int k = read_file_bounded(o->module, 256u << 20, &data, &len);

	if (k < 0)
		return log_error_errno(k, "module %s: %m", o->module);
	if (modinfo_parse(data, len, mi) < 0)
		return log_error_errno(ENOEXEC, "module %s: not a kernel module (no .modinfo; a "
				       "compressed module must be decompressed first)", o->module);
	if (!mi->livepatch)
		return log_error_errno(EINVAL, "module %s: not a livepatch (no livepatch=Y in its "
				       "modinfo)", o->module);
	if (!mi->name[0])
		return log_error_errno(EINVAL, "module %s: its .modinfo names no module", o->module);
	if (o->release && mi->vermagic[0] &&
	    (strncmp(mi->vermagic, o->release, strlen(o->release)) != 0 ||
	     mi->vermagic[strlen(o->release)] != ' ') &&
	    asprintf(mismatch, "the module was built for %.*s, kernel %s is %s (vermagic '%s')",
		     (int)strcspn(mi->vermagic, " "), mi->vermagic, strempty(o->kernel), o->release,
		     mi->vermagic) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	return 0;
}

int vet_run(const struct vet_opts *o, json_t **report)
{
	_cleanup_(work_done) struct work w = { 0 };
	_cleanup_free_ char *console = NULL, *stopped = NULL, *mismatch = NULL, *cmdline = NULL;
	char **objects = NULL, **mods = NULL;
	struct vet_console vc = { 0 };
	struct modinfo mi;
	int64_t t0 = monotonic_usec();
	bool kvm;
	size_t len = 0;
	int k;

	k = need_file("kernel image", o->image);
	if (k >= 0)
		k = need_file("module", o->module);
	if (k >= 0 && o->check)
		k = need_file("check script", o->check);
	if (k >= 0)
		k = module_info(o, &mi, &mismatch);
	if (k < 0)
		return k;
	if (mismatch) {
		json_t *problems = json_pack("[s]", mismatch);

		*report = report_new(o, "none", false, json_array(), problems, t0);
		return *report ? 0 : log_error_errno(ENOMEM, "out of memory");
	}
	k = vet_klp_objects(o->module, &objects);
	if (k >= 0 && o->check)
		k = vet_check_modules(o->check, &objects);
	if (k >= 0)
		k = vet_module_order(o->modules_dir, objects, &mods);
	vet_strv_free(objects);
	if (k >= 0)
		k = work_new(&w);
	if (k >= 0) {
		progress(o, "building the initramfs");
		k = vet_initramfs(o, VET_MODE_VET, mods, w.initrd);
	}
	vet_strv_free(mods);
	if (k < 0)
		return k;
	if (asprintf(&cmdline, "console=ttyS0 panic=-1 loglevel=4 vet.mode=vet vet.name=%s",
		     mi.name) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	kvm = vet_kvm_works();
	k = boot(o, &w, cmdline, &kvm, &console, &len, &stopped);
	if (k < 0)
		return k;
	progress(o, "reading the guest's console and kernel log");
	k = vet_console_parse(console ? console : "", len, &vc);
	if (k >= 0 && stopped && json_array_append_new(vc.problems, json_string(stopped)) >= 0)
		vc.failed = true;
	if (k < 0)
		return log_error_errno(k, "out of memory");
	*report = report_new(o, kvm ? "kvm" : "tcg", !vc.failed, vc.checks, vc.problems, t0);
	if (!*report)
		return log_error_errno(ENOMEM, "out of memory");
	return 0;
}

int vet_kallsyms(const struct vet_opts *o, const char *out)
{
	_cleanup_(work_done) struct work w = { 0 };
	_cleanup_free_ char *console = NULL, *stopped = NULL, *syms = NULL;
	size_t len = 0, n;
	bool kvm;
	int k = need_file("kernel image", o->image);

	if (k >= 0)
		k = work_new(&w);
	if (k >= 0)
		k = vet_initramfs(o, VET_MODE_KALLSYMS, NULL, w.initrd);
	if (k < 0)
		return k;
	kvm = vet_kvm_works();
	k = boot(o, &w, "console=ttyS0 panic=-1 loglevel=1 nokaslr vet.mode=kallsyms", &kvm, &console,
		 &len, &stopped);
	if (k < 0)
		return k;
	k = vet_console_kallsyms(console ? console : "", len, &syms, &n);
	if (k == -ENOENT)
		return log_error_errno(k, "%s: the guest printed no whole symbol table%s%s",
				       o->image, stopped ? ": " : "", strempty(stopped));
	if (k == -ENODATA)
		return log_error_errno(k, "%s: /proc/kallsyms in the guest held no text symbol "
				       "with an address", o->image);
	if (k < 0)
		return log_error_errno(k, "out of memory");
	k = write_file_atomic(out, syms, n, 0644);
	if (k < 0)
		return log_error_errno(k, "%s: %m", out);
	return 0;
}
