/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "log.h"
#include "modfile.h"
#include "modinfo.h"
#include "util.h"

int modfile_ctx_new(struct kmod_ctx **ret)
{
	/* no module directory is needed: modules are loaded from their files */
	struct kmod_ctx *ctx = kmod_new("/nonexistent", NULL);

	if (!ctx)
		return -ENOMEM;
	*ret = ctx;
	return 0;
}

struct kmod_ctx *modfile_ctx_unref(struct kmod_ctx *ctx)
{
	return ctx ? kmod_unref(ctx) : NULL;
}

static void take_info(struct modfile_info *m, const char *k, const char *v)
{
	if (streq(k, "name"))   /* the file name may be anything (cache names) */
		snprintf(m->name, sizeof(m->name), "%s", v);
	else if (streq(k, "vermagic"))
		snprintf(m->vermagic, sizeof(m->vermagic), "%s", v);
	else if (streq(k, "livepatch"))
		m->livepatch = streq(v, "Y");
}

/* The .modinfo section of an uncompressed ELF64 module, read directly (common/modinfo.h):
 * libkmod's modinfo also parses the signature with OpenSSL, which would leave ~2 MiB of
 * libcrypto pages resident in the daemon for three strings. -ENOEXEC: not such a file
 * (libkmod decides). */
static int read_modinfo(const char *file, struct modfile_info *m)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct modinfo info;
	struct stat st;
	void *map;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size == 0)
		return -ENOEXEC;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	r = modinfo_parse(map, (size_t)st.st_size, &info);
	munmap(map, (size_t)st.st_size);
	if (r < 0)
		return r;
	if (info.name[0])       /* the file name may be anything (cache names) */
		snprintf(m->name, sizeof(m->name), "%s", info.name);
	snprintf(m->vermagic, sizeof(m->vermagic), "%s", info.vermagic);
	m->livepatch = info.livepatch;
	return 0;
}

int modfile_read(struct kmod_ctx *ctx, const char *file, struct modfile_info *ret)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	struct modfile_info m = { 0 };
	int r;

	r = kmod_module_new_from_path(ctx, file, &mod);
	if (r < 0)
		return r;
	snprintf(m.name, sizeof(m.name), "%s", kmod_module_get_name(mod));
	r = read_modinfo(file, &m);
	if (r == 0) {
		kmod_module_unref(mod);
		*ret = m;
		return 0;
	}
	if (r != -ENOEXEC) {
		kmod_module_unref(mod);
		return r;
	}
	/* compressed, say: libkmod knows how to read it */
	r = kmod_module_get_info(mod, &info);
	if (r < 0) {
		kmod_module_unref(mod);
		return r;
	}
	kmod_list_foreach(l, info) {
		const char *k = kmod_module_info_get_key(l), *v = kmod_module_info_get_value(l);

		if (k && v)
			take_info(&m, k, v);
	}
	kmod_module_info_free_list(info);
	kmod_module_unref(mod);
	*ret = m;
	return 0;
}

int modfile_check(const struct modfile_info *m, const char *release, char *why, size_t size)
{
	size_t rl = strlen(release);

	if (!klp_valid_name(m->name)) {
		snprintf(why, size, "module name '%s' is not valid", m->name);
		return -EPERM;
	}
	if (!m->livepatch) {
		snprintf(why, size, "%s is not a livepatch module (no livepatch=Y in its modinfo)",
			 m->name);
		return -EPERM;
	}
	/* the kernel ignores the release part when symbol versions are on: compare it here */
	if (strncmp(m->vermagic, release, rl) != 0 || m->vermagic[rl] != ' ') {
		snprintf(why, size, "%s was built for another kernel: vermagic '%s', running %s",
			 m->name, m->vermagic, release);
		return -EPERM;
	}
	return 0;
}

int modfile_load(struct kmod_ctx *ctx, const char *file, char *why, size_t size)
{
	struct kmod_module *mod = NULL;
	int r;

	r = kmod_module_new_from_path(ctx, file, &mod);
	if (r < 0) {
		snprintf(why, size, "cannot read %s: %s", file, strerror(-r));
		return r;
	}
	r = kmod_module_insert_module(mod, 0, NULL);
	switch (r) {
	case 0:
		break;
	case -EEXIST:
		snprintf(why, size, "a module named %s is already loaded", kmod_module_get_name(mod));
		break;
	case -ENOEXEC:
		snprintf(why, size, "the kernel refused the module format (vermagic or symbol "
			 "versions do not match this kernel)");
		break;
	case -EKEYREJECTED:
	case -EPERM:
		snprintf(why, size, "the kernel refused the module's signature (%s: lockdown or "
			 "module.sig_enforce needs a module signed with a trusted key)", strerror(-r));
		break;
	case -EINVAL:
		snprintf(why, size, "the kernel refused the module (EINVAL: a symbol or livepatch "
			 "target did not resolve, or the patch conflicts with a loaded one)");
		break;
	case -EBUSY:
		snprintf(why, size, "another livepatch transition is in progress");
		break;
	default:
		snprintf(why, size, "loading failed: %s", strerror(-r));
		break;
	}
	kmod_module_unref(mod);
	return r;
}

int modfile_unload(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;
	int r;

	r = kmod_module_new_from_name(ctx, name, &mod);
	if (r < 0)
		return r;
	r = kmod_module_remove_module(mod, 0);
	kmod_module_unref(mod);
	return r;
}

bool modfile_loaded(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;
	int state;

	if (kmod_module_new_from_name(ctx, name, &mod) < 0)
		return false;
	state = kmod_module_get_initstate(mod);
	kmod_module_unref(mod);
	return state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING || state == KMOD_MODULE_GOING;
}
