/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A module file's symbol table, as the generator reads a registered kernel's module to tell
 * same-named statics apart (klp_symdb_load_module): the ELF headers, section and symbol
 * tables are the package's, read through a file. It either loads symbols or says why not.
 */
#include <unistd.h>

#include "fuzz.h"
#include "generate/klpdiff/klpdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/tuxtape-fuzz-ko.XXXXXX";
	char err[256] = "";
	struct klp_symdb *db = NULL;
	int fd = mkstemp(path);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	close(fd);
	if (klp_symdb_load_module(path, &db, err, sizeof(err)) < 0)
		FUZZ_ASSERT(err[0] && !db);
	klp_symdb_free(db);
	unlink(path);
	return 0;
}
