/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "report.h"
#include "util.h"

int node_key_load(const char *path, struct node_key *ret)
{
	_cleanup_free_ char *buf = NULL;
	struct node_key k;
	size_t len = 0;
	int r;

	r = read_file_bounded(path, sizeof(k.sk), &buf, &len);
	if (r == -ENOENT) {
		crypto_sign_keypair(k.pk, k.sk);
		r = write_file_atomic(path, k.sk, sizeof(k.sk), 0600);
		if (r < 0) {
			sodium_memzero(&k, sizeof(k));
			return r;
		}
	} else if (r == -EFBIG || (r == 0 && len != sizeof(k.sk))) {
		if (buf)
			sodium_memzero(buf, len);
		return -EBADMSG;
	} else if (r < 0) {
		return r;
	} else {
		memcpy(k.sk, buf, sizeof(k.sk));
		sodium_memzero(buf, len);
		crypto_sign_ed25519_sk_to_pk(k.pk, k.sk);
	}
	sodium_bin2hex(k.id, sizeof(k.id), k.pk, sizeof(k.pk));
	*ret = k;
	sodium_memzero(&k, sizeof(k));
	return 0;
}

void node_key_sign(const struct node_key *k, const void *body, size_t len,
		   char sig[REPORT_SIG_HEX + 1])
{
	unsigned char s[crypto_sign_BYTES];

	crypto_sign_detached(s, NULL, body, len, k->sk);
	sodium_bin2hex(sig, REPORT_SIG_HEX + 1, s, sizeof(s));
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* The words that may be cut shorter to fit a body; ids, states and names keep their bound. */
static bool free_text(const char *key)
{
	return key && (streq(key, "reason") || streq(key, "title") || streq(key, "problems") ||
		       streq(key, "function") || streq(key, "target") || streq(key, "hostname"));
}

/* key: the member's name; an array's elements take their array's. */
static int bound_strings(json_t *v, const char *key, size_t max)
{
	if (json_is_string(v)) {
		size_t limit = key && (streq(key, "id") || streq(key, "node")) ? REPORT_MAX_ID :
			       free_text(key) ? max : REPORT_MAX_STRING;
		size_t len = json_string_length(v), cut = utf8_cut(json_string_value(v), len, limit);

		if (cut < len && json_string_setn(v, json_string_value(v), cut) < 0)
			return -ENOMEM;
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach(v, k, x)
			if (bound_strings(x, k, max) < 0)
				return -ENOMEM;
	} else if (json_is_array(v)) {
		json_t *x;
		size_t i;

		json_array_foreach(v, i, x)
			if (bound_strings(x, key, max) < 0)
				return -ENOMEM;
	}
	return 0;
}

static void bound_array(json_t *doc, const char *key, size_t max)
{
	json_t *a = json_object_get(doc, key);

	while (json_is_array(a) && json_array_size(a) > max)
		json_array_remove(a, json_array_size(a) - 1);
}

int report_serialize(json_t *doc, char **ret, size_t *ret_len)
{
	static const size_t caps[] = { REPORT_MAX_STRING, 256, 64, 16 };
	char *s = NULL;

	bound_array(doc, "patches", REPORT_MAX_PATCHES);
	bound_array(doc, "problems", REPORT_MAX_PROBLEMS);
	/* a body over the bound keeps every patch's state first, its words second */
	for (size_t i = 0;; i++) {
		json_t *patches = json_object_get(doc, "patches");

		if (bound_strings(doc, NULL, caps[i < ELEMENTSOF(caps) ? i : ELEMENTSOF(caps) - 1]) < 0)
			return -ENOMEM;
		free(s);
		s = json_dumps(doc, JSON_COMPACT);
		if (!s)
			return -ENOMEM;
		if (strlen(s) <= REPORT_MAX_BODY)
			break;
		if (i + 1 >= ELEMENTSOF(caps)) {
			if (!json_array_size(patches)) {
				free(s);
				return -E2BIG;
			}
			json_array_remove(patches, json_array_size(patches) - 1);
		}
	}
	*ret_len = strlen(s);
	*ret = s;
	return 0;
}

int report_queue_remove(const char *dir, uint64_t seq)
{
	_cleanup_free_ char *path = report_file_path(dir, seq);

	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int report_queue_append(const char *dir, uint64_t seq, const char *sig, const char *body,
			size_t len, size_t max_files, uint64_t max_bytes, struct report_drop *drop)
{
	_cleanup_free_ struct report_entry *v = NULL;
	_cleanup_free_ char *path = NULL, *data = NULL;
	uint64_t total = 0, size = REPORT_SIG_HEX + 1 + len;
	size_t n = 0, first = 0;
	int r;

	*drop = (struct report_drop){ 0 };
	if (strlen(sig) != REPORT_SIG_HEX || len > REPORT_MAX_BODY || seq > REPORT_SEQ_MAX)
		return -EINVAL;
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	r = report_file_list(dir, &v, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		total += v[i].size;
	while (first < n && (n - first + 1 > max_files || total + size > max_bytes)) {
		r = report_queue_remove(dir, v[first].seq);
		if (r < 0)
			return r;
		if (!drop->n)
			drop->first = v[first].seq;
		drop->last = v[first].seq;
		drop->n++;
		total -= v[first].size;
		first++;
	}
	path = report_file_path(dir, seq);
	data = malloc(size);
	if (!path || !data)
		return -ENOMEM;
	memcpy(data, sig, REPORT_SIG_HEX);
	data[REPORT_SIG_HEX] = '\n';
	memcpy(data + REPORT_SIG_HEX + 1, body, len);
	return write_file_atomic(path, data, size, 0600);
}
