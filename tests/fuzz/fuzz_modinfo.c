/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel module file's .modinfo (common/modinfo.h), as the archive reads a module it is
 * asked to publish and the agent one it is about to load: every header offset and size is
 * outside input. What it returns must be NUL-terminated strings within their fields.
 */
#include "fuzz.h"
#include "modinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_dup(data, size, 0);
	struct modinfo m;

	if (modinfo_parse(copy, size, &m) == 0) {
		FUZZ_ASSERT(memchr(m.name, '\0', sizeof(m.name)));
		FUZZ_ASSERT(memchr(m.vermagic, '\0', sizeof(m.vermagic)));
	}
	free(copy);
	return 0;
}
