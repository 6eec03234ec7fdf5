/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The targets index (common/tuf/tuf_targets.h): parsed from a buffer as the archive does and
 * mapped from a file as the client does, verified against the fixture's trusted root, every
 * entry decoded again and looked up by its path, its delegations checked.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "tuf/tuf_client_internal.h"
#include "tuf/tuf_targets.h"
#include "tuf_fixture.h"

static struct fixture fx;
static json_t *trusted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	trusted = fixture_trusted_root(&fx);
	return 0;
}

static void walk(const struct tuf_targets *t)
{
	struct tuf_error err = { "" };
	json_t *j;

	if (tuf_targets_verify(t, trusted, "targets", &err) < 0)
		FUZZ_ASSERT(err.msg[0]);
	/* the delegations a client would follow: refused with a reason, or well formed */
	err.msg[0] = '\0';
	if (tuf_delegations_check(t->env.signed_obj, &err) < 0)
		FUZZ_ASSERT(err.msg[0]);
	for (size_t i = 0; i < t->n; i++) {
		char *path = fuzz_dup(t->refs[i].path, t->refs[i].path_len, 1);

		if (i > 0) /* sorted, no path twice */
			FUZZ_ASSERT(canonjson_key_cmp(t->refs[i - 1].path, t->refs[i - 1].path_len,
						      t->refs[i].path, t->refs[i].path_len) < 0);
		j = tuf_targets_entry(t, i);
		FUZZ_ASSERT(json_is_object(j));
		json_decref(j);
		/* a path with a NUL in it cannot be asked for by name */
		if (strlen(path) == t->refs[i].path_len) {
			j = tuf_targets_get(t, path);
			FUZZ_ASSERT(json_is_object(j));
			json_decref(j);
		}
		free(path);
	}
	j = tuf_targets_get(t, "tuxtape/no/such/target.ko");
	FUZZ_ASSERT(!j || t->n > 0);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tuf_targets t;
	struct tuf_error err = { "" };
	int fd;

	if (size > (1u << 20))
		return -1;
	if (tuf_targets_parse(fuzz_dup(data, size, 0), size, &t, &err) < 0) {
		FUZZ_ASSERT(err.msg[0]);
		return 0;
	}
	walk(&t);
	tuf_targets_free(&t);

	/* the same bytes from a file, as the client reads its copy */
	fd = memfd_create("targets.json", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	FUZZ_ASSERT(tuf_targets_map(fd, 1u << 20, &t, &err) == 0);
	close(fd);
	walk(&t);
	tuf_targets_free(&t);
	return 0;
}
