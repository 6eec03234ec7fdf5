/* SPDX-License-Identifier: GPL-2.0-only */
#include "canonjson.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct buf {
	char *data;
	size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
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
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int put_string(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	int k = put(b, "\"", 1);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		k = put(b, s + start, i - start);
		if (k >= 0)
			k = put(b, s[i] == '"' ? "\\\"" : "\\\\", 2);
		start = i + 1;
	}
	if (k >= 0)
		k = put(b, s + start, n - start);
	if (k >= 0)
		k = put(b, "\"", 1);
	return k;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int encode(struct buf *b, const json_t *v, unsigned depth)
{
	char num[32];
	int k = 0;

	if (depth > CANONJSON_MAX_DEPTH)
		return -EINVAL;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return put(b, "null", 4);
	case JSON_TRUE:
		return put(b, "true", 4);
	case JSON_FALSE:
		return put(b, "false", 5);
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return put(b, num, strlen(num));
	case JSON_REAL:
		return -EINVAL; /* canonical JSON has no floating point */
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		k = put(b, "[", 1);
		for (size_t i = 0; k >= 0 && i < json_array_size(v); i++) {
			if (i)
				k = put(b, ",", 1);
			if (k >= 0)
				k = encode(b, json_array_get(v, i), depth + 1);
		}
		return k < 0 ? k : put(b, "]", 1);
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		_cleanup_free_ const char **keys = NULL;
		const char *key;
		json_t *val;

		if (n) {
			keys = malloc(n * sizeof(*keys));
			if (!keys)
				return -ENOMEM;
		}
		json_object_foreach((json_t *)v, key, val)
			keys[i++] = key;
		if (n)
			qsort(keys, n, sizeof(*keys), cmp_keys);
		k = put(b, "{", 1);
		for (i = 0; k >= 0 && i < n; i++) {
			if (i)
				k = put(b, ",", 1);
			if (k >= 0)
				k = put_string(b, keys[i], strlen(keys[i]));
			if (k >= 0)
				k = put(b, ":", 1);
			if (k >= 0)
				k = encode(b, json_object_get(v, keys[i]), depth + 1);
		}
		return k < 0 ? k : put(b, "}", 1);
	}
	}
	return -EINVAL;
}

int canonjson_dump(const json_t *v, char **ret, size_t *ret_len)
{
	struct buf b = { 0 };
	int k;

	if (!v)
		return -EINVAL;
	k = encode(&b, v, 0);
	if (k >= 0 && !b.data)
		k = put(&b, "", 0);
	if (k < 0) {
		free(b.data);
		return k;
	}
	*ret = b.data;
	*ret_len = b.len;
	return 0;
}
