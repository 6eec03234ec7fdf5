/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Canonical JSON as TUF signs it (the OLPC dialect of securesystemslib's encode_canonical,
 * which tuf-js follows): no whitespace, object keys sorted by byte order, strings escaping
 * only '"' and '\' (control characters, '/', DEL and UTF-8 are written raw), integers only.
 * Strings and keys are written with their full length, embedded NUL bytes included, and
 * their bytes are not checked for valid UTF-8 (jansson checks unless told not to).
 * A real number, or more than CANONJSON_MAX_DEPTH nested arrays/objects (which also stops
 * a reference cycle), is refused with -EINVAL; nothing is returned then.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>

#define CANONJSON_MAX_DEPTH 64

/* On success *ret is a malloc'd, NUL-terminated buffer of *ret_len bytes (NUL excluded). */
int canonjson_dump(const json_t *v, char **ret, size_t *ret_len);

/*
 * The same bytes, streamed: the sink gets them in pieces (at most a few KiB buffered) and a
 * negative return from it stops the writing with that value. A writer also lets a caller
 * assemble a canonical object whose members it does not hold as one jansson value (TUF's
 * large "targets" map): punctuation raw, keys with canonjson_put_string() in the order of
 * canonjson_key_cmp(), values with canonjson_put_value(); flush at the end.
 */
typedef int (*canonjson_sink_fn)(void *ud, const char *data, size_t n);

struct canonjson_writer {
	canonjson_sink_fn sink;
	void *ud;
	size_t len;
	char buf[4096];
};

int canonjson_write(const json_t *v, canonjson_sink_fn sink, void *ud);
void canonjson_writer_init(struct canonjson_writer *w, canonjson_sink_fn sink, void *ud);
int canonjson_put_raw(struct canonjson_writer *w, const char *s, size_t n);
int canonjson_put_string(struct canonjson_writer *w, const char *s, size_t n);
int canonjson_put_value(struct canonjson_writer *w, const json_t *v);
int canonjson_writer_flush(struct canonjson_writer *w);
/* obj as canonjson_put_value() writes it, except that hook() is asked first for each member's
 * value: it returns 1 when it wrote the value itself, 0 to leave it to the writer, or < 0. */
typedef int (*canonjson_member_hook)(void *ud, const char *key, size_t key_len,
				     struct canonjson_writer *w);
int canonjson_put_object_with(struct canonjson_writer *w, const json_t *obj,
			      canonjson_member_hook hook, void *ud);
/* The order of keys in canonical JSON: bytes, a prefix first. */
int canonjson_key_cmp(const char *a, size_t alen, const char *b, size_t blen);
