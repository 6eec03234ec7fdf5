/* SPDX-License-Identifier: GPL-2.0-only */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "node.h"
#include "util.h"

static int read_line(const char *root, const char *abs, char *out, size_t size)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	int r;

	if (asprintf(&path, "%s%s", root, abs) < 0)
		return -ENOMEM;
	r = read_file_bounded(path, 4096, &buf, &len);
	if (r < 0)
		return r;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (len == 0 || len >= size || memchr(buf, '\n', len) || strnlen(buf, len) != len)
		return -EBADMSG;
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

int node_parse_build_id(const void *notes, size_t len, char *out, size_t out_size)
{
	const unsigned char *p = notes, *end = p + len;

	/* notes are 4-byte aligned Elf64_Nhdr/Elf32_Nhdr (same layout) records */
	while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr h;
		size_t name_sz, desc_sz;

		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		name_sz = (h.n_namesz + 3u) & ~3u;
		desc_sz = (h.n_descsz + 3u) & ~3u;
		if (name_sz > (size_t)(end - p) || desc_sz > (size_t)(end - p - name_sz))
			return -EBADMSG;
		if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 && !memcmp(p, "GNU", 4)) {
			const unsigned char *d = p + name_sz;

			if (h.n_descsz == 0 || h.n_descsz * 2 + 1 > out_size)
				return -EBADMSG;
			for (unsigned i = 0; i < h.n_descsz; i++)
				sprintf(out + 2 * i, "%02x", d[i]);
			return 0;
		}
		p += name_sz + desc_sz;
	}
	return -ENOENT;
}

int node_identity_read(const char *root, struct node_identity *ret)
{
	_cleanup_free_ char *notes_path = NULL, *notes = NULL;
	struct node_identity id = { 0 };
	size_t len;
	int r;

	r = read_line(root, "/proc/sys/kernel/osrelease", id.release, sizeof(id.release));
	if (r < 0)
		return log_error_errno(r, "%s/proc/sys/kernel/osrelease: %m", root);
	if (asprintf(&notes_path, "%s/sys/kernel/notes", root) < 0)
		return -ENOMEM;
	r = read_file_bounded(notes_path, 65536, &notes, &len);
	if (r >= 0)
		r = node_parse_build_id(notes, len, id.build_id, sizeof(id.build_id));
	if (r < 0 && r != -ENOENT)
		log_warning_errno(r, "%s: no kernel build-id: %m", notes_path);
	if (read_line(root, "/etc/machine-id", id.machine_id, sizeof(id.machine_id)) < 0)
		id.machine_id[0] = '\0';
	if (read_line(root, "/proc/sys/kernel/random/boot_id", id.boot_id, sizeof(id.boot_id)) < 0)
		return log_error_errno(-EBADMSG, "%s/proc/sys/kernel/random/boot_id: unreadable", root);
	*ret = id;
	return 0;
}
