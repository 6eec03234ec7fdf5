/* SPDX-License-Identifier: GPL-2.0-only */
#include "tuf_targets.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canonjson.h"
#include "util.h"

/* One value at a time: jansson stops after it and says how many bytes it took. */
#define DECODE_ONE (JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

struct walk {
	const char *buf;
	size_t len, pos;
	struct tuf_error *err;
	struct tuf_targets *t;
	size_t cap, released;
};

/*
 * A mapped file's pages stay in the page cache, but the ones already read need not stay in
 * this process: dropping them keeps the resident size at the index, not the file.
 */
#define RELEASE_STEP (256u << 10)

static void release(const struct tuf_targets *t, size_t upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (t->mapped && upto >= page)
		(void)madvise(t->buf, upto / page * page, MADV_DONTNEED);
}

/* JSON's four whitespace characters, nothing else */
static void skip_ws(struct walk *w)
{
	while (w->pos < w->len && (w->buf[w->pos] == ' ' || w->buf[w->pos] == '\t' ||
				   w->buf[w->pos] == '\n' || w->buf[w->pos] == '\r'))
		w->pos++;
}

static int expect(struct walk *w, char ch, const char *where)
{
	skip_ws(w);
	if (w->pos >= w->len || w->buf[w->pos] != ch)
		return tuf_fail(w->err, EBADMSG, "not JSON (byte %zu, in %s: expected '%c')", w->pos,
				where, ch);
	w->pos++;
	return 0;
}

static int decode(struct walk *w, json_t **ret, const char *where)
{
	json_error_t jerr;
	json_t *v;

	skip_ws(w);
	v = json_loadb(w->buf + w->pos, w->len - w->pos, DECODE_ONE, &jerr);
	if (!v)
		return tuf_fail(w->err, EBADMSG, "not JSON (byte %zu, in %s: %s)",
				w->pos + (size_t)(jerr.position > 0 ? jerr.position : 0), where, jerr.text);
	w->pos += (size_t)jerr.position;
	*ret = v;
	return 0;
}

typedef int (*member_fn)(struct walk *w, const char *key, size_t key_len, void *ud);

/* Walks an object's members; member() is called positioned at each value and must take it. */
static int walk_object(struct walk *w, const char *where, member_fn member, void *ud)
{
	int k = expect(w, '{', where);

	if (k < 0)
		return k;
	skip_ws(w);
	if (w->pos < w->len && w->buf[w->pos] == '}') {
		w->pos++;
		return 0;
	}
	for (;;) {
		json_t *key = NULL;

		skip_ws(w);
		if (w->pos >= w->len || w->buf[w->pos] != '"')
			return tuf_fail(w->err, EBADMSG, "not JSON (byte %zu, in %s: expected a key)",
					w->pos, where);
		k = decode(w, &key, where);
		if (k >= 0)
			k = expect(w, ':', where);
		if (k >= 0)
			k = member(w, json_string_value(key), json_string_length(key), ud);
		json_decref(key);
		if (k < 0)
			return k;
		skip_ws(w);
		if (w->pos < w->len && w->buf[w->pos] == ',') {
			w->pos++;
			continue;
		}
		return expect(w, '}', where);
	}
}

/* A member kept decoded in obj, refusing a key seen before. */
static int keep_member(struct walk *w, json_t *obj, const char *key, const char *where)
{
	json_t *v;
	int k;

	if (json_object_get(obj, key))
		return tuf_fail(w->err, EBADMSG, "%s: \"%.64s\" appears twice", where, key);
	k = decode(w, &v, where);
	if (k >= 0 && json_object_set_new(obj, key, v) < 0)
		k = -ENOMEM;
	return k;
}

static int entry_member(struct walk *w, const char *path, size_t path_len, void *ud)
{
	struct tuf_targets *t = w->t;
	size_t start;
	json_t *v = NULL, *length, *hashes, *h;
	const char *alg;
	bool ok;
	int k;

	skip_ws(w);
	start = w->pos;
	k = decode(w, &v, "signed.targets");
	if (k < 0)
		return k;
	length = json_object_get(v, "length");
	hashes = json_object_get(v, "hashes");
	ok = json_is_object(v) && path_len > 0 && json_is_integer(length) &&
	     json_integer_value(length) >= 0 && json_is_object(hashes) && json_object_size(hashes);
	json_object_foreach(hashes, alg, h)
		ok = ok && json_is_string(h);
	json_decref(v);
	if (!ok)
		return tuf_fail(w->err, EBADMSG, "signed.targets[\"%.128s\"]: needs a length >= 0 and "
				"hashes", path);
	if (t->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct tuf_target_ref *grown = reallocarray(t->refs, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		t->refs = grown;
		w->cap = cap;
	}
	t->refs[t->n] = (struct tuf_target_ref){
		.path = arena_strndup(&t->paths, path, path_len),
		.path_len = path_len,
		.off = start,
		.len = w->pos - start,
	};
	if (!t->refs[t->n].path)
		return -ENOMEM;
	t->n++;
	if (w->pos - w->released >= RELEASE_STEP) {
		release(t, w->pos);
		w->released = w->pos;
	}
	return 0;
}

/* A member walked rather than decoded: an empty object stands in for it in parent. */
static int walk_member(struct walk *w, json_t *parent, const char *key, const char *parent_where,
		       const char *where, member_fn member)
{
	json_t *stand_in;

	if (json_object_get(parent, key))
		return tuf_fail(w->err, EBADMSG, "%s: \"%s\" appears twice", parent_where, key);
	stand_in = json_object();
	if (!stand_in || json_object_set_new(parent, key, stand_in) < 0)
		return -ENOMEM;
	skip_ws(w);
	if (w->pos < w->len && w->buf[w->pos] != '{')
		return tuf_fail(w->err, EBADMSG, "%s: not an object", where);
	return walk_object(w, where, member, stand_in);
}

static int signed_member(struct walk *w, const char *key, size_t key_len, void *ud)
{
	if (streq(key, "targets"))
		return walk_member(w, ud, key, "signed", "signed.targets", entry_member);
	return keep_member(w, ud, key, "signed");
}

static int top_member(struct walk *w, const char *key, size_t key_len, void *ud)
{
	if (streq(key, "signed"))
		return walk_member(w, ud, key, "the envelope", "signed", signed_member);
	return keep_member(w, ud, key, "the envelope");
}

static int cmp_refs(const void *a, const void *b)
{
	const struct tuf_target_ref *x = a, *y = b;

	return canonjson_key_cmp(x->path, x->path_len, y->path, y->path_len);
}

void tuf_targets_free(struct tuf_targets *t)
{
	if (t->mapped)
		munmap(t->buf, t->len);
	else
		free(t->buf);
	tuf_envelope_free(&t->env);
	free(t->refs);
	arena_free(&t->paths);
	memset(t, 0, sizeof(*t));
}

/* Takes t (its bytes set) in every case. */
static int parse(struct tuf_targets t, struct tuf_targets *ret, struct tuf_error *err)
{
	const char *buf = t.buf;
	size_t len = t.len;
	struct walk w = { .buf = buf, .len = len, .err = err, .t = &t };
	json_t *top = json_object();
	int k;

	if (!top) {
		tuf_targets_free(&t);
		return -ENOMEM;
	}
	if (len > INT_MAX) { /* jansson counts positions in an int */
		json_decref(top);
		tuf_targets_free(&t);
		return tuf_fail(err, EFBIG, "larger than %d bytes", INT_MAX);
	}
	skip_ws(&w);
	if (w.pos < len && buf[w.pos] != '{')
		k = tuf_fail(err, EBADMSG, "not a TUF envelope {signed: {}, signatures: []}");
	else
		k = walk_object(&w, "the envelope", top_member, top);
	skip_ws(&w);
	if (k >= 0 && w.pos != len)
		k = tuf_fail(err, EBADMSG, "not JSON (byte %zu: data after the document)", w.pos);
	if (k >= 0 && t.n) {
		qsort(t.refs, t.n, sizeof(*t.refs), cmp_refs);
		for (size_t i = 1; i < t.n && k >= 0; i++)
			if (cmp_refs(&t.refs[i - 1], &t.refs[i]) == 0)
				k = tuf_fail(err, EBADMSG, "signed.targets: \"%.128s\" appears twice",
					     t.refs[i].path);
	}
	if (k >= 0 && !json_object_get(json_object_get(top, "signed"), "targets"))
		k = tuf_fail(err, EBADMSG, "signed.targets: missing");
	if (k < 0) {
		json_decref(top);
		tuf_targets_free(&t);
		return k;
	}
	k = tuf_envelope_check(top, "targets", &t.env, err);
	if (k < 0) {
		tuf_targets_free(&t);
		return k;
	}
	release(&t, t.len);
	*ret = t;
	return 0;
}

int tuf_targets_parse(char *buf, size_t len, struct tuf_targets *ret, struct tuf_error *err)
{
	memset(ret, 0, sizeof(*ret));
	return parse((struct tuf_targets){ .buf = buf, .len = len }, ret, err);
}

int tuf_targets_map(int fd, size_t max, struct tuf_targets *ret, struct tuf_error *err)
{
	struct stat st;
	void *p;

	memset(ret, 0, sizeof(*ret));
	if (fstat(fd, &st) < 0)
		return tuf_fail(err, errno, "cannot stat it: %m");
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return tuf_fail(err, EBADMSG, "not JSON (empty, or not a regular file)");
	if ((uint64_t)st.st_size > max)
		return tuf_fail(err, EFBIG, "larger than %zu bytes", max);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return tuf_fail(err, errno, "cannot map it: %m");
	return parse((struct tuf_targets){ .buf = p, .len = (size_t)st.st_size, .mapped = true },
		     ret, err);
}

static json_t *entry_at(const struct tuf_targets *t, const struct tuf_target_ref *r)
{
	return json_loadb(t->buf + r->off, r->len, JSON_REJECT_DUPLICATES, NULL);
}

json_t *tuf_targets_entry(const struct tuf_targets *t, size_t i)
{
	return i < t->n ? entry_at(t, &t->refs[i]) : NULL;
}

json_t *tuf_targets_get(const struct tuf_targets *t, const char *path)
{
	struct tuf_target_ref key = { .path = path, .path_len = strlen(path) };
	const struct tuf_target_ref *r;

	if (!t->n)
		return NULL;
	r = bsearch(&key, t->refs, t->n, sizeof(*t->refs), cmp_refs);
	return r ? entry_at(t, r) : NULL;
}

static int write_map(const struct tuf_targets *t, struct canonjson_writer *w)
{
	int k = canonjson_put_raw(w, "{", 1);

	for (size_t i = 0; k >= 0 && i < t->n; i++) {
		json_t *v = entry_at(t, &t->refs[i]);

		if (i % 64 == 63)
			release(t, t->len);
		if (!v)
			return -ENOMEM; /* it decoded when the file was walked */
		if (i)
			k = canonjson_put_raw(w, ",", 1);
		if (k >= 0)
			k = canonjson_put_string(w, t->refs[i].path, t->refs[i].path_len);
		if (k >= 0)
			k = canonjson_put_raw(w, ":", 1);
		if (k >= 0)
			k = canonjson_put_value(w, v);
		json_decref(v);
	}
	return k < 0 ? k : canonjson_put_raw(w, "}", 1);
}

/* The map, written from the index where "signed" has its stand-in. */
static int targets_hook(void *ud, const char *key, size_t key_len, struct canonjson_writer *w)
{
	int k;

	if (!streq(key, "targets"))
		return 0;
	k = write_map(ud, w);
	return k < 0 ? k : 1;
}

static int write_signed(void *ud, struct canonjson_writer *w)
{
	const struct tuf_targets *t = ud;

	return canonjson_put_object_with(w, t->env.signed_obj, targets_hook, (void *)t);
}

int tuf_targets_verify(const struct tuf_targets *t, const json_t *root_signed, const char *role,
		       struct tuf_error *err)
{
	return tuf_verify_role_stream(t->env.signatures, write_signed, (void *)t, root_signed, role,
				      err);
}

int tuf_targets_verify_keys(const struct tuf_targets *t, const json_t *keys, const json_t *role_obj,
			    const char *role, struct tuf_error *err)
{
	return tuf_verify_keys_stream(t->env.signatures, write_signed, (void *)t, keys, role_obj,
				      role, err);
}
