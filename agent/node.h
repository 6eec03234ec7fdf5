/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The node's identity as the agent reports it and selects patches by: kernel release
 * (ROOT/proc/sys/kernel/osrelease), the running kernel's GNU build-id (from the ELF notes
 * in ROOT/sys/kernel/notes), machine id (ROOT/etc/machine-id) and boot id.
 */
#pragma once

struct node_identity {
	char release[128];
	char build_id[129];   /* hex; "" when the kernel exports no notes */
	char machine_id[33];
	char boot_id[37];
};

int node_identity_read(const char *root, struct node_identity *ret);
/* The GNU build-id in an ELF note blob, as hex. -ENOENT when there is none. */
int node_parse_build_id(const void *notes, size_t len, char *out, size_t out_size);
