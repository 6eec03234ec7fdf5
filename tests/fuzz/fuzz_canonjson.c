/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Canonical JSON (common/tuf/canonjson.h) of any document jansson decodes, NUL bytes in
 * strings included: the one-buffer dump and the streamed writer must give the same bytes,
 * and so must the writer's object-with-hook form when the hook writes a member itself.
 */
#include "fuzz.h"
#include "tuf/canonjson.h"

struct sink {
	char *buf;
	size_t len, cap;
};

static int collect(void *ud, const char *data, size_t n)
{
	struct sink *s = ud;

	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			abort();
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return 0;
}

/* writes the first member's value itself, as TUF's targets map is written */
static int hook(void *ud, const char *key, size_t key_len, struct canonjson_writer *w)
{
	const json_t *obj = ud;
	const char *first = NULL;
	size_t first_len = 0;
	const char *k;
	json_t *v;

	json_object_keylen_foreach((json_t *)obj, k, first_len, v) {
		first = k;
		break;
	}
	if (!first || key_len != first_len || memcmp(key, first, key_len) != 0)
		return 0;
	return canonjson_put_value(w, json_object_getn(obj, key, key_len)) < 0 ? -1 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	struct sink s = { 0 };
	char *dump = NULL;
	size_t len = 0;
	int k;

	if (!doc)
		return 0;
	k = canonjson_dump(doc, &dump, &len);
	FUZZ_ASSERT((canonjson_write(doc, collect, &s) < 0) == (k < 0));
	if (k == 0) {
		FUZZ_ASSERT(s.len == len && memcmp(s.buf, dump, len) == 0 && dump[len] == '\0');
		if (json_is_object(doc)) {
			struct canonjson_writer w;
			struct sink s2 = { 0 };

			canonjson_writer_init(&w, collect, &s2);
			FUZZ_ASSERT(canonjson_put_object_with(&w, doc, hook, doc) == 0 &&
				    canonjson_writer_flush(&w) == 0);
			FUZZ_ASSERT(s2.len == len && memcmp(s2.buf, dump, len) == 0);
			free(s2.buf);
		}
	}
	free(s.buf);
	free(dump);
	json_decref(doc);
	return 0;
}
