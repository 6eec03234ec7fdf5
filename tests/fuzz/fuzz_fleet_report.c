/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fleet server's parsers (fleet/fleet.h) on bodies as nodes, or anyone, send them: a
 * report, and the same bytes as an enrolment. What parses must hold within the protocol's
 * bounds (docs/FLEET.md); what does not must say why, naming a field. The signature check
 * runs on the same bytes with the input's first bytes as headers: it must never accept.
 */
#include <errno.h>

#include "fleet/fleet.h"
#include "fuzz.h"

static void check_string(const char *s, size_t max, int optional)
{
	FUZZ_ASSERT(s || optional);
	if (!s)
		return;
	FUZZ_ASSERT(strlen(s) <= max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
}

static void check_int(int64_t v)
{
	FUZZ_ASSERT(v >= 0 && v < (INT64_C(1) << 53));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet_report r;
	struct fleet_enroll e;
	char err[256], *body;
	int k;

	if (size > FLEET_BODY_MAX + 16)
		return -1;
	body = fuzz_dup(data, size, 0);
	memset(err, 0, sizeof(err));
	k = fleet_report_parse(body, size, &r, err, sizeof(err));
	FUZZ_ASSERT(k == 0 || k == -EINVAL);
	if (k < 0) {
		FUZZ_ASSERT(err[0] && memchr(err, '\0', sizeof(err)) && strchr(err, ':'));
	} else {
		FUZZ_ASSERT(strlen(r.node) == FLEET_NODE_ID_LEN);
		FUZZ_ASSERT(r.seq >= 1 && r.interval >= 1);
		check_int(r.seq), check_int(r.time), check_int(r.uptime), check_int(r.taint);
		check_string(r.hostname, FLEET_STRING_MAX, 0);
		check_string(r.channel, FLEET_ID_MAX, 0);
		FUZZ_ASSERT(r.channel[0] && !strchr(r.channel, '/'));
		check_string(r.kernel_release, FLEET_ID_MAX, 0);
		check_string(r.build_id, FLEET_ID_MAX, 1);
		FUZZ_ASSERT(r.n_patches <= FLEET_PATCHES_MAX && r.n_problems <= FLEET_PROBLEMS_MAX);
		for (size_t i = 0; i < r.n_patches; i++) {
			const struct fleet_report_patch *p = &r.patches[i];

			check_string(p->id, FLEET_ID_MAX, 0);
			check_string(p->state, FLEET_ID_MAX, 0);
			check_string(p->reason, FLEET_STRING_MAX, 1);
			check_int(p->version), check_int(p->since);
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(strcmp(p->id, r.patches[j].id) != 0);
			if (p->has_evidence) {
				check_string(p->evidence.title, FLEET_STRING_MAX, 0);
				FUZZ_ASSERT(!strcmp(p->evidence.strength, "strong") ||
					    !strcmp(p->evidence.strength, "weak"));
			}
		}
		fleet_report_free(&r);
	}

	k = fleet_enroll_parse(body, size, &e, err, sizeof(err));
	FUZZ_ASSERT(k == 0 || k == -EINVAL);
	if (k == 0) {
		check_string(e.token, FLEET_ID_MAX, 0);
		FUZZ_ASSERT(e.token[0] && strlen(e.node) == FLEET_NODE_ID_LEN);
		fleet_enroll_free(&e);
	}

	if (size >= 192) {
		char node[65], sig[129];

		memcpy(node, data, 64), node[64] = '\0';
		memcpy(sig, data + 64, 128), sig[128] = '\0';
		/* a forgery by chance is not a thing: accepting one is the bug */
		k = fleet_verify(node, sig, body + 192, size - 192, NULL, err, sizeof(err));
		FUZZ_ASSERT(k == -EINVAL || k == -EBADMSG);
	}
	free(body);
	return 0;
}
