/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which source files a kernel configuration builds, from the Kbuild makefiles of its source
 * tree (a directory, or a tarball read in one pass without unpacking it). Starting at the
 * top-level Kbuild (with core-y/libs-y/drivers-y taken from arch/$(SRCARCH)/Makefile), every
 * directory reached through obj-y/obj-m/subdir-y is evaluated against the .config; objects,
 * composite objects (foo-y, foo-objs) and their sources (.c, .S, .rs) are resolved. Result:
 * each source file as built-in ('y') or module ('m'), and each build unit (the would-be module
 * path, e.g. drivers/net/ethernet/intel/e1000e/e1000e) with its mode. Constructs the make
 * evaluator does not understand and objects with no source are reported, never dropped
 * silently.
 */
#pragma once

#include <stddef.h>

struct kbuild_item {
	char *path;
	char mode; /* 'y' built in, 'm' module, 'n' in the source but not built */
};

struct kbuild_issue {
	char *file;
	unsigned line;
	char *what;
};

struct kbuild_result {
	char version[32]; /* from the top Makefile: VERSION.PATCHLEVEL.SUBLEVEL */
	struct kbuild_item *files;
	size_t n_files;
	struct kbuild_item *units;
	size_t n_units;
	struct kbuild_issue *issues; /* unsupported constructs and unresolved objects */
	size_t n_issues;
	size_t n_source_files;       /* files in the source; files[] lists those not built as 'n' */
	size_t n_makefiles;          /* makefiles evaluated */
};

/* source: a directory or a .tar(.xz|.gz|...) of a kernel tree; config: a .config file. */
int kbuild_profile(const char *source, const char *config, struct kbuild_result *ret);
void kbuild_result_free(struct kbuild_result *r);
