/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vetting guest's serial console (backend/vet/vet_console.c): whatever a crashing or
 * hostile guest printed must give a verdict, never a crash, and a guest that printed no end
 * marker never passes. The same bytes feed the kallsyms reader and the placeholder test.
 */
#include "fuzz.h"
#include "vet/vet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_dup(data, size, 0), *syms = NULL;
	struct vet_console c;
	size_t n;

	if (vet_console_parse(copy, size, &c) == 0) {
		FUZZ_ASSERT(c.checks && c.problems);
		FUZZ_ASSERT(c.ended || c.failed);
		vet_console_done(&c);
	}
	if (vet_console_kallsyms(copy, size, &syms, &n) == 0) {
		FUZZ_ASSERT(n <= size && n > 0 && syms[n - 1] == '\n' && syms[n] == '\0');
		FUZZ_ASSERT(!symmap_text_is_placeholder(syms, n));
		free(syms);
	}
	(void)symmap_text_is_placeholder(copy, size);
	free(copy);
	return 0;
}
