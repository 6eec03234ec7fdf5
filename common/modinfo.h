/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a kernel module file says about itself, read from its bytes: an uncompressed ELF64
 * little-endian object, its .modinfo "key=value" strings (name, vermagic, livepatch=Y) and
 * whether it carries the module structure (.gnu.linkonce.this_module). Every offset and
 * size is checked against the buffer. Used by the archive (only livepatches are published)
 * and by the agent (only livepatches for this kernel are loaded); neither needs libelf for
 * three strings.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct modinfo {
	char name[64];          /* "" when .modinfo names none */
	char vermagic[256];
	bool livepatch;         /* livepatch=Y */
	bool relocatable;       /* ET_REL, as every module is */
	bool this_module;       /* has .gnu.linkonce.this_module */
};

/* 0 with *ret filled; -ENOEXEC: not an ELF64 little-endian object with a .modinfo section
 * (a compressed module, another file), or its headers point outside the buffer. */
int modinfo_parse(const void *data, size_t size, struct modinfo *ret);
