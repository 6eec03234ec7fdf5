/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel's inputs from its distribution package, without hand work: Debian's
 * linux-image-RELEASE .deb (an ar archive holding data.tar.*) is unpacked under
 * KERNELS_DIR/RELEASE and gives the image, the .config, the modules directory (depmod'ed)
 * and the System.map. Debian's map is a placeholder; the real symbols come from the -dbg
 * package when given, else from /proc/kallsyms of one boot in the vetting VM, cached as
 * KERNELS_DIR/RELEASE/kallsyms. The generator is never handed a placeholder.
 */
#pragma once

#include <stdbool.h>

#include "profile/kernel.h"

#define DEFAULT_KERNELS_DIR LOCALSTATEDIR "/lib/tuxtape/kernels"

struct kernel_package {
	const char *deb, *dbg_deb, *kernels_dir; /* given; all optional */
	char *dir, *release, *image, *config, *modules, *system_map; /* found */
};

/* Settles spec's image, modules, config, release and System.map from the package and the
 * options; errors are logged, naming the file and what to do. */
int kernel_inputs(struct kernel_spec *spec, struct kernel_package *pkg, bool progress);
void kernel_inputs_done(struct kernel_package *pkg);
