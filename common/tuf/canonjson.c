/* SPDX-License-Identifier: GPL-2.0-only */
#include "canonjson.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct buf {
	char *data;
	size_t len, cap;
};

/* The sink of canonjson_dump(): appends and keeps the buffer NUL-terminated. */
static int buf_append(void *ud, const char *s, size_t n)
{
	struct buf *b = ud;

	if (b->cap - b->len <= n) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void canonjson_writer_init(struct canonjson_writer *w, canonjson_sink_fn sink, void *ud)
{
	w->sink = sink;
	w->ud = ud;
	w->len = 0;
}

int canonjson_writer_flush(struct canonjson_writer *w)
{
	int k = w->len ? w->sink(w->ud, w->buf, w->len) : 0;

	w->len = 0;
	return k;
}

int canonjson_put_raw(struct canonjson_writer *w, const char *s, size_t n)
{
	int k;

	if (n > sizeof(w->buf) - w->len) {
		k = canonjson_writer_flush(w);
		if (k < 0)
			return k;
		if (n >= sizeof(w->buf))
			return w->sink(w->ud, s, n);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return 0;
}

static int put(struct canonjson_writer *w, const char *s, size_t n)
{
	return canonjson_put_raw(w, s, n);
}

static int put_str(struct canonjson_writer *b, const char *s)
{
	return put(b, s, strlen(s));
}

int canonjson_put_string(struct canonjson_writer *b, const char *s, size_t n)
{
	size_t start = 0;
	int k = put(b, "\"", 1);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		k = put(b, s + start, i - start);
		if (k >= 0)
			k = put_str(b, s[i] == '"' ? "\\\"" : "\\\\");
		start = i + 1;
	}
	if (k >= 0)
		k = put(b, s + start, n - start);
	if (k >= 0)
		k = put(b, "\"", 1);
	return k;
}

struct key {
	const char *s;
	size_t len;
	const json_t *value;
};

/*
 * securesystemslib sorts Python strings by code point; for UTF-8 that is byte order, and a
 * key that is a prefix of another sorts first, which memcmp alone would not decide.
 */
int canonjson_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_keys(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return canonjson_key_cmp(x->s, x->len, y->s, y->len);
}

static int encode(struct canonjson_writer *b, const json_t *v, unsigned depth);

static int encode_array(struct canonjson_writer *b, const json_t *v, unsigned depth)
{
	int k = put(b, "[", 1);

	for (size_t i = 0; k >= 0 && i < json_array_size(v); i++) {
		if (i)
			k = put(b, ",", 1);
		if (k >= 0)
			k = encode(b, json_array_get(v, i), depth);
	}
	return k < 0 ? k : put(b, "]", 1);
}

struct hook {
	canonjson_member_hook fn;
	void *ud;
};

static int encode_object(struct canonjson_writer *b, const json_t *v, unsigned depth,
			 const struct hook *hook)
{
	size_t n = json_object_size(v), i = 0;
	_cleanup_free_ struct key *keys = NULL;
	const char *key;
	size_t key_len;
	json_t *val;
	int k;

	if (n) {
		keys = calloc(n, sizeof(*keys));
		if (!keys)
			return -ENOMEM;
	}
	/* jansson's iteration API takes a non-const object but does not modify it. */
	json_object_keylen_foreach((json_t *)v, key, key_len, val) {
		if (i == n)
			return -EINVAL; /* cannot happen: the size is the number of keys */
		keys[i++] = (struct key){ key, key_len, val };
	}
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_keys);
	k = put(b, "{", 1);
	for (i = 0; k >= 0 && i < n; i++) {
		if (i)
			k = put(b, ",", 1);
		if (k >= 0)
			k = canonjson_put_string(b, keys[i].s, keys[i].len);
		if (k >= 0)
			k = put(b, ":", 1);
		if (k >= 0 && hook)
			k = hook->fn(hook->ud, keys[i].s, keys[i].len, b);
		if (k == 0)
			k = encode(b, keys[i].value, depth);
	}
	return k < 0 ? k : put(b, "}", 1);
}

/* depth counts the arrays and objects around v; the limit also ends a reference cycle. */
static int encode(struct canonjson_writer *b, const json_t *v, unsigned depth)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_NULL:
		return put_str(b, "null");
	case JSON_TRUE:
		return put_str(b, "true");
	case JSON_FALSE:
		return put_str(b, "false");
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return put_str(b, num);
	case JSON_REAL:
		return -EINVAL; /* the dialect has no floating point: 1.0 has no single spelling */
	case JSON_STRING:
		return canonjson_put_string(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		if (depth >= CANONJSON_MAX_DEPTH)
			return -EINVAL;
		return encode_array(b, v, depth + 1);
	case JSON_OBJECT:
		if (depth >= CANONJSON_MAX_DEPTH)
			return -EINVAL;
		return encode_object(b, v, depth + 1, NULL);
	}
	return -EINVAL;
}

int canonjson_put_value(struct canonjson_writer *w, const json_t *v)
{
	return v ? encode(w, v, 0) : -EINVAL;
}

int canonjson_put_object_with(struct canonjson_writer *w, const json_t *obj,
			      canonjson_member_hook hook, void *ud)
{
	struct hook h = { hook, ud };

	if (!json_is_object(obj))
		return -EINVAL;
	return encode_object(w, obj, 1, &h);
}

int canonjson_write(const json_t *v, canonjson_sink_fn sink, void *ud)
{
	struct canonjson_writer w;
	int k;

	canonjson_writer_init(&w, sink, ud);
	k = canonjson_put_value(&w, v);
	return k < 0 ? k : canonjson_writer_flush(&w);
}

int canonjson_dump(const json_t *v, char **ret, size_t *ret_len)
{
	struct buf b = { 0 };
	int k;

	if (!v || !ret || !ret_len)
		return -EINVAL;
	k = canonjson_write(v, buf_append, &b);
	if (k >= 0 && !b.data)
		k = buf_append(&b, "", 0);
	if (k < 0) {
		free(b.data);
		return k;
	}
	*ret = b.data;
	*ret_len = b.len;
	return 0;
}
