/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TUF role metadata as the client and the archive check it (common/tuf/tuf_meta.h): the
 * envelope and the common fields, for the type the document claims (so a claim that does not
 * hold is refused by the envelope check itself), then the signatures: a root against its own
 * keys and roles (a new root signs itself) and against the fixture's trusted root; any other
 * role against the trusted root.
 */
#include "fuzz.h"
#include "tuf_fixture.h"

static struct fixture fx;
static json_t *trusted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	trusted = fixture_trusted_root(&fx);
	return 0;
}

/* signed._type as jansson reads it; "root" when there is none. */
static void claimed_type(const uint8_t *data, size_t size, char type[16])
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	const char *t = json_string_value(json_object_get(json_object_get(doc, "signed"), "_type"));

	snprintf(type, 16, "%s", t && strlen(t) < 16 ? t : "root");
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tuf_envelope e;
	struct tuf_error err = { "" };
	char type[16], *buf;
	int k;

	if (size > (1u << 20))
		return -1;
	claimed_type(data, size, type);
	buf = fuzz_dup(data, size, 0);
	k = tuf_envelope_parse(buf, size, type, &e, &err);
	free(buf);
	if (k < 0) {
		FUZZ_ASSERT(err.msg[0]);
		return 0;
	}
	FUZZ_ASSERT(json_is_object(e.signed_obj) && json_is_array(e.signatures));
	FUZZ_ASSERT(e.version >= 1);
	if (strcmp(type, "root") == 0) {
		k = tuf_verify_role(&e, e.signed_obj, "root", &err);
		FUZZ_ASSERT(k == 0 || err.msg[0]);
	}
	k = tuf_verify_role(&e, trusted, type, &err);
	FUZZ_ASSERT(k == 0 || err.msg[0]);
	tuf_envelope_free(&e);
	return 0;
}
