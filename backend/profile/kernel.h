/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel profiles: a registered kernel's upstream version, release, .config and build
 * profile (every source file compiled into it, built-in 'y' or module 'm'), from a source
 * tree or tarball evaluated against the .config (kbuild.h), a build tree's .cmd files, or a
 * plain list. Adding a profile under an existing name replaces it (and bumps its generation,
 * so the gauge recomputes its verdicts).
 */
#pragma once

#include "db/db.h"
#include "kbuild.h"

enum profile_kind { PROFILE_SOURCE, PROFILE_BUILD_DIR, PROFILE_FILES };

struct kernel_spec {
	const char *name;
	const char *version; /* NULL: from the source */
	const char *release;
	const char *config;
	enum profile_kind kind;
	const char *from;    /* the source, build directory or list */
	const char *headers; /* optional, for the generator: kbuild directory (Module.symvers) */
	const char *system_map; /* optional, for the generator */
	const char *image;      /* optional, for the vetting VM: bzImage / vmlinuz */
	const char *modules;    /* optional, for the vetting VM: /lib/modules/RELEASE */
};

bool kernel_name_valid(const char *name);
const char *profile_kind_to_string(enum profile_kind k);

/* Builds the profile (kbuild_result-shaped) for a build directory or a list of files. */
int profile_from_build_dir(const char *dir, struct kbuild_result *r);
int profile_from_list(const char *list, struct kbuild_result *r);

/* Stores a profile in one transaction. */
int kernel_store(struct db *db, const struct kernel_spec *spec, const struct kbuild_result *r);
