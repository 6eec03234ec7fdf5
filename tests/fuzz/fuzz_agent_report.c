/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A file of the agent's report queue (agent/report.h): the fetch helper reads every file in
 * STATE/reports/ and must take a corrupt one for what it is, not crash. report_file_parse()
 * on the bytes as they are (not NUL-ended), then, for a file it accepts, the body as JSON
 * through report_serialize(), which must bring any document within the protocol's bounds.
 */
#include <errno.h>
#include <jansson.h>

#include "fuzz.h"
#include "report.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size, 0), err[256], *out = NULL;
	const char *sig = NULL, *body = NULL;
	size_t body_len = 0, out_len = 0;
	json_t *doc;
	int r;

	err[0] = '\0';
	r = report_file_parse(buf, size, &sig, &body, &body_len, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	if (r < 0) {
		FUZZ_ASSERT(err[0] && memchr(err, '\0', sizeof(err)));
		free(buf);
		return 0;
	}
	FUZZ_ASSERT(sig == buf && body == buf + REPORT_SIG_HEX + 1);
	FUZZ_ASSERT(body_len >= 2 && body_len <= REPORT_MAX_BODY && body[0] == '{');
	FUZZ_ASSERT(body_len + REPORT_SIG_HEX + 1 == size);
	doc = json_loadb(body, body_len, 0, NULL);
	if (doc && report_serialize(doc, &out, &out_len) == 0) {
		FUZZ_ASSERT(out_len <= REPORT_MAX_BODY && strlen(out) == out_len);
		FUZZ_ASSERT(json_array_size(json_object_get(doc, "patches")) <= REPORT_MAX_PATCHES);
		FUZZ_ASSERT(json_array_size(json_object_get(doc, "problems")) <= REPORT_MAX_PROBLEMS);
		free(out);
	}
	json_decref(doc);
	free(buf);
	return 0;
}
