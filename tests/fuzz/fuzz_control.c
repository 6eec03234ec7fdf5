/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A request on the agent's control socket (agent/control.h): control_request_parse(), then
 * the whole handling for a client outside the agent's group, which must be refused before
 * anything of the engine is touched (there is none here: touching it crashes). Errors must
 * come back with the client's bytes escaped: no control byte, DEL or C1 control in them.
 */
#include <errno.h>
#include <jansson.h>

#include "control.h"
#include "fuzz.h"

static void assert_escaped(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
		FUZZ_ASSERT(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct control_peer stranger = { .uid = 1000, .in_group = false };
	char *buf = fuzz_dup(data, size, 0), err[256];
	struct control_request q;
	bool refresh = true;
	json_t *resp;
	int r;

	memset(err, 0, sizeof(err));
	r = control_request_parse(buf, size, &q, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EMSGSIZE);
	if (r < 0) {
		FUZZ_ASSERT(err[0] && memchr(err, '\0', sizeof(err)));
		assert_escaped(err);
	} else {
		size_t n = strnlen(q.patch, sizeof(q.patch));

		FUZZ_ASSERT(q.command <= CONTROL_ENROLL);
		FUZZ_ASSERT(n <= CONTROL_MAX_PATCH_ID);
		FUZZ_ASSERT((q.command == CONTROL_REVERT || q.command == CONTROL_UNQUARANTINE) == (n > 0));
	}

	resp = control_handle(NULL, &stranger, buf, size, &refresh);
	FUZZ_ASSERT(resp && !refresh);
	FUZZ_ASSERT(json_is_false(json_object_get(resp, "ok")));
	assert_escaped(json_string_value(json_object_get(resp, "error")));
	free(json_dumps(resp, JSON_COMPACT));
	json_decref(resp);
	free(buf);
	return 0;
}
