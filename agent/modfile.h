/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Livepatch module files, through libkmod: what a module file says about itself (name,
 * vermagic, livepatch=Y; read from the ELF .modinfo section directly, libkmod only for a
 * file that is not plain ELF, e.g. compressed), the checks made before loading one (a
 * livepatch, built for the running kernel's release), loading and unloading, with the
 * kernel's refusals turned into plain reasons.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct kmod_ctx;

struct modfile_info {
	char name[64];
	char vermagic[256];
	bool livepatch;
};

int modfile_ctx_new(struct kmod_ctx **ret);
struct kmod_ctx *modfile_ctx_unref(struct kmod_ctx *ctx);
int modfile_read(struct kmod_ctx *ctx, const char *file, struct modfile_info *ret);
/* 0 when the module may be loaded on `release`; else -EPERM with why[] filled. */
int modfile_check(const struct modfile_info *m, const char *release, char *why, size_t size);
/* init_module through libkmod. why[] gets a plain reason on failure. */
int modfile_load(struct kmod_ctx *ctx, const char *file, char *why, size_t size);
int modfile_unload(struct kmod_ctx *ctx, const char *name);
bool modfile_loaded(struct kmod_ctx *ctx, const char *name);
