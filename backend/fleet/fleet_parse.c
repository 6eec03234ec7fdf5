/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fleet protocol's bodies and signatures, without a database: what a node may send
 * (docs/FLEET.md, "Bounds") and the check that its key signed these exact bytes.
 */
#include "fleet/fleet.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tuf/tuf_meta.h"
#include "util.h"

#define INT_BOUND (INT64_C(1) << 53)

static const char *const report_events[] = {
	"start", "refresh", "applied", "failed", "stalled", "quarantined", "reverted",
	"replaced", "revoked", "enrolled",
};
static const char *const patch_states[] = {
	"applied", "applying", "stalled", "failed", "reverted", "replaced", "quarantined",
	"revoked", "pending",
};

_printf_(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void fleet_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fleet_unhex(const char *hex, unsigned char *out, size_t n)
{
	if (!hex || strlen(hex) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A node id is the canonical (lowercase) hex, so one key has one id. */
static bool is_node_id(const char *s)
{
	if (!s || strlen(s) != FLEET_NODE_ID_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int fleet_verify(const char *node_hex, const char *sig_hex, const void *body, size_t len,
		 unsigned char pk_out[32], char *err, size_t errlen)
{
	unsigned char pk[32], sig[64];

	if (!node_hex)
		return fail(err, errlen, "no TuxTape-Node header");
	if (!is_node_id(node_hex) || fleet_unhex(node_hex, pk, sizeof(pk)) < 0)
		return fail(err, errlen, "TuxTape-Node: not %d lowercase hex digits",
			    FLEET_NODE_ID_LEN);
	if (!sig_hex)
		return fail(err, errlen, "no TuxTape-Signature header");
	if (fleet_unhex(sig_hex, sig, sizeof(sig)) < 0)
		return fail(err, errlen, "TuxTape-Signature: not %d hex digits", FLEET_SIG_LEN);
	if (sodium_init_once() < 0)
		return fail(err, errlen, "libsodium failed to initialise");
	if (crypto_sign_verify_detached(sig, body, len, pk) != 0) {
		snprintf(err, errlen, "bad signature");
		return -EBADMSG;
	}
	if (pk_out)
		memcpy(pk_out, pk, sizeof(pk));
	return 0;
}

/* A string value: at most max bytes, no NUL or control characters (they would reach
 * operators' terminals through `fleet node`). */
static int check_text_value(json_t *v, size_t max, const char **ret, const char **why)
{
	const char *s;
	size_t len;

	if (!json_is_string(v)) {
		*why = "not a string";
		return -EINVAL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > max) {
		*why = "longer than";
		return -E2BIG;
	}
	if (strlen(s) != len) {
		*why = "holds a NUL character";
		return -EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			*why = "holds a control character";
			return -EINVAL;
		}
	*ret = s;
	return 0;
}

static int check_text(json_t *v, const char *array, size_t i, char *err, size_t errlen)
{
	const char *s, *why;

	int k = check_text_value(v, FLEET_STRING_MAX, &s, &why);

	if (k == -E2BIG)
		return fail(err, errlen, "%s[%zu]: longer than %d bytes", array, i,
			    FLEET_STRING_MAX);
	if (k < 0)
		return fail(err, errlen, "%s[%zu]: %s", array, i, why);
	return 0;
}

/* A string field: present unless optional, checked as check_text_value() does. */
static int get_string(json_t *obj, const char *prefix, const char *key, size_t max,
		      bool optional, const char **ret, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	const char *s, *why;
	int k;

	*ret = NULL;
	if (!v) {
		if (optional)
			return 0;
		return fail(err, errlen, "%s%s: missing", prefix, key);
	}
	k = check_text_value(v, max, &s, &why);
	if (k == -E2BIG)
		return fail(err, errlen, "%s%s: longer than %zu bytes", prefix, key, max);
	if (k < 0)
		return fail(err, errlen, "%s%s: %s", prefix, key, why);
	*ret = s;
	return 0;
}

static int get_int(json_t *obj, const char *prefix, const char *key, bool optional,
		   int64_t *ret, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	*ret = 0;
	if (!v) {
		if (optional)
			return 0;
		return fail(err, errlen, "%s%s: missing", prefix, key);
	}
	if (!json_is_integer(v))
		return fail(err, errlen, "%s%s: not an integer", prefix, key);
	n = json_integer_value(v);
	if (n < 0 || n >= INT_BOUND)
		return fail(err, errlen, "%s%s: %lld is out of range (0 to 2^53 - 1)", prefix, key,
			    (long long)n);
	*ret = n;
	return 0;
}

static int get_word(json_t *obj, const char *prefix, const char *key,
		    const char *const *words, size_t n_words, const char **ret, char *err,
		    size_t errlen)
{
	int k = get_string(obj, prefix, key, FLEET_ID_MAX, false, ret, err, errlen);

	if (k < 0)
		return k;
	for (size_t i = 0; i < n_words; i++)
		if (streq(*ret, words[i]))
			return 0;
	return fail(err, errlen, "%s%s: unknown value '%s'", prefix, key, *ret);
}

/* Names (patch ids, channels): no spaces or slashes, so they print and join as they are. */
static int get_name(json_t *obj, const char *prefix, const char *key, const char **ret,
		    char *err, size_t errlen)
{
	int k = get_string(obj, prefix, key, FLEET_ID_MAX, false, ret, err, errlen);

	if (k < 0)
		return k;
	if (!**ret)
		return fail(err, errlen, "%s%s: empty", prefix, key);
	for (const char *p = *ret; *p; p++)
		if (*p == ' ' || *p == '/' || *p == '\\')
			return fail(err, errlen, "%s%s: '%c' is not allowed in a name", prefix, key,
				    *p);
	return 0;
}

/* Empty, or exactly len characters of hex (and dashes where a UUID has them). */
static int get_hexish(json_t *obj, const char *key, size_t len, bool uuid, const char **ret,
		      char *err, size_t errlen)
{
	int k = get_string(obj, "", key, FLEET_ID_MAX, false, ret, err, errlen);
	const char *s = *ret;

	if (k < 0 || !*s)
		return k;
	if (strlen(s) != len)
		return fail(err, errlen, "%s: expected %zu characters, got %zu", key, len,
			    strlen(s));
	for (size_t i = 0; i < len; i++) {
		bool dash = uuid && (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? s[i] != '-' : hexval(s[i]) < 0)
			return fail(err, errlen, "%s: not a %s", key, uuid ? "UUID" : "hex string");
	}
	return 0;
}

static json_t *load_object(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;

	if (len > FLEET_BODY_MAX) {
		fail(err, errlen, "body: larger than %d bytes", FLEET_BODY_MAX);
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		fail(err, errlen, "body: not JSON: %s at offset %d", je.text, je.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		fail(err, errlen, "body: not a JSON object");
		return NULL;
	}
	return root;
}

static int check_version(json_t *root, char *err, size_t errlen)
{
	int64_t v;
	int k = get_int(root, "", "v", false, &v, err, errlen);

	if (k < 0)
		return k;
	if (v != 1)
		return fail(err, errlen, "v: version %lld is not supported (1 is)", (long long)v);
	return 0;
}

static int get_node(json_t *root, const char **ret, char *err, size_t errlen)
{
	int k = get_string(root, "", "node", FLEET_ID_MAX, false, ret, err, errlen);

	if (k < 0)
		return k;
	if (!is_node_id(*ret))
		return fail(err, errlen, "node: not %d lowercase hex digits", FLEET_NODE_ID_LEN);
	return 0;
}

static int parse_evidence(json_t *ev, const char *prefix, struct fleet_evidence *e, char *err,
			  size_t errlen)
{
	static const char *const strengths[] = { "strong", "weak" };
	int k;

	if (!json_is_object(ev))
		return fail(err, errlen, "%.*s: not an object", (int)strlen(prefix) - 1, prefix);
	if ((k = get_string(ev, prefix, "type", FLEET_ID_MAX, false, &e->type, err, errlen)) < 0 ||
	    (k = get_string(ev, prefix, "title", FLEET_STRING_MAX, false, &e->title, err,
			    errlen)) < 0 ||
	    (k = get_word(ev, prefix, "strength", strengths, ELEMENTSOF(strengths), &e->strength,
			  err, errlen)) < 0 ||
	    (k = get_string(ev, prefix, "function", FLEET_STRING_MAX, true, &e->function, err,
			    errlen)) < 0 ||
	    (k = get_int(ev, prefix, "time", true, &e->time, err, errlen)) < 0)
		return k;
	return 0;
}

static int parse_patch(json_t *p, size_t i, struct fleet_report_patch *out, char *err,
		       size_t errlen)
{
	char prefix[48];
	json_t *ev;
	int k;

	snprintf(prefix, sizeof(prefix), "patches[%zu].", i);
	if (!json_is_object(p))
		return fail(err, errlen, "patches[%zu]: not an object", i);
	if ((k = get_name(p, prefix, "id", &out->id, err, errlen)) < 0 ||
	    (k = get_int(p, prefix, "version", false, &out->version, err, errlen)) < 0 ||
	    (k = get_word(p, prefix, "state", patch_states, ELEMENTSOF(patch_states), &out->state,
			  err, errlen)) < 0 ||
	    (k = get_int(p, prefix, "since", true, &out->since, err, errlen)) < 0 ||
	    (k = get_string(p, prefix, "reason", FLEET_STRING_MAX, true, &out->reason, err,
			    errlen)) < 0 ||
	    (k = get_string(p, prefix, "target", FLEET_STRING_MAX, true, &out->target, err,
			    errlen)) < 0)
		return k;
	ev = json_object_get(p, "evidence");
	if (ev && !json_is_null(ev)) {
		snprintf(prefix, sizeof(prefix), "patches[%zu].evidence.", i);
		k = parse_evidence(ev, prefix, &out->evidence, err, errlen);
		if (k < 0)
			return k;
		out->has_evidence = true;
		out->evidence_json = ev;
	}
	return 0;
}

static int parse_report(json_t *root, struct fleet_report *r, char *err, size_t errlen)
{
	json_t *kernel, *kmsg, *patches, *problems;
	int k;

	if ((k = check_version(root, err, errlen)) < 0 ||
	    (k = get_node(root, &r->node, err, errlen)) < 0 ||
	    (k = get_int(root, "", "seq", false, &r->seq, err, errlen)) < 0 ||
	    (k = get_int(root, "", "time", false, &r->time, err, errlen)) < 0 ||
	    (k = get_word(root, "", "event", report_events, ELEMENTSOF(report_events), &r->event,
			  err, errlen)) < 0 ||
	    (k = get_hexish(root, "machine_id", 32, false, &r->machine_id, err, errlen)) < 0 ||
	    (k = get_hexish(root, "boot_id", 36, true, &r->boot_id, err, errlen)) < 0 ||
	    (k = get_string(root, "", "hostname", FLEET_STRING_MAX, false, &r->hostname, err,
			    errlen)) < 0 ||
	    (k = get_int(root, "", "uptime", false, &r->uptime, err, errlen)) < 0 ||
	    (k = get_name(root, "", "channel", &r->channel, err, errlen)) < 0 ||
	    (k = get_int(root, "", "interval", false, &r->interval, err, errlen)) < 0 ||
	    (k = get_int(root, "", "taint", false, &r->taint, err, errlen)) < 0)
		return k;
	if (r->seq == 0)
		return fail(err, errlen, "seq: starts at 1");
	if (r->interval == 0)
		return fail(err, errlen, "interval: must be at least 1 second");

	kernel = json_object_get(root, "kernel");
	if (!kernel)
		return fail(err, errlen, "kernel: missing");
	if (!json_is_object(kernel))
		return fail(err, errlen, "kernel: not an object");
	if ((k = get_string(kernel, "kernel.", "release", FLEET_ID_MAX, false, &r->kernel_release,
			    err, errlen)) < 0 ||
	    (k = get_string(kernel, "kernel.", "build_id", FLEET_ID_MAX, true, &r->build_id, err,
			    errlen)) < 0)
		return k;
	if (!*r->kernel_release)
		return fail(err, errlen, "kernel.release: empty");

	kmsg = json_object_get(root, "kmsg");
	if (kmsg && !json_is_object(kmsg))
		return fail(err, errlen, "kmsg: not an object");
	if (kmsg && ((k = get_int(kmsg, "kmsg.", "records", true, &r->kmsg_records, err,
				  errlen)) < 0 ||
		     (k = get_int(kmsg, "kmsg.", "reports", true, &r->kmsg_reports, err,
				  errlen)) < 0 ||
		     (k = get_int(kmsg, "kmsg.", "dropped", true, &r->kmsg_dropped, err,
				  errlen)) < 0))
		return k;

	problems = json_object_get(root, "problems");
	if (problems) {
		size_t i;
		json_t *v;

		if (!json_is_array(problems))
			return fail(err, errlen, "problems: not an array");
		if (json_array_size(problems) > FLEET_PROBLEMS_MAX)
			return fail(err, errlen, "problems: more than %d", FLEET_PROBLEMS_MAX);
		json_array_foreach(problems, i, v) {
			k = check_text(v, "problems", i, err, errlen);
			if (k < 0)
				return k;
		}
		r->n_problems = json_array_size(problems);
	}

	patches = json_object_get(root, "patches");
	if (!patches)
		return fail(err, errlen, "patches: missing");
	if (!json_is_array(patches))
		return fail(err, errlen, "patches: not an array");
	if (json_array_size(patches) > FLEET_PATCHES_MAX)
		return fail(err, errlen, "patches: more than %d", FLEET_PATCHES_MAX);
	r->n_patches = json_array_size(patches);
	if (r->n_patches) {
		r->patches = calloc(r->n_patches, sizeof(*r->patches));
		if (!r->patches)
			return fail(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < r->n_patches; i++) {
		k = parse_patch(json_array_get(patches, i), i, &r->patches[i], err, errlen);
		if (k < 0)
			return k;
		/* a snapshot holds each patch once: the store keys rows by (node, patch) */
		for (size_t j = 0; j < i; j++)
			if (streq(r->patches[j].id, r->patches[i].id))
				return fail(err, errlen, "patches[%zu].id: '%s' is listed twice", i,
					    r->patches[i].id);
	}
	return 0;
}

int fleet_report_parse(const char *body, size_t len, struct fleet_report *r, char *err,
		       size_t errlen)
{
	int k;

	memset(r, 0, sizeof(*r));
	r->root = load_object(body, len, err, errlen);
	if (!r->root)
		return -EINVAL;
	k = parse_report(r->root, r, err, errlen);
	if (k < 0)
		fleet_report_free(r);
	return k;
}

void fleet_report_free(struct fleet_report *r)
{
	free(r->patches);
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

int fleet_enroll_parse(const char *body, size_t len, struct fleet_enroll *e, char *err,
		       size_t errlen)
{
	int k;

	memset(e, 0, sizeof(*e));
	e->root = load_object(body, len, err, errlen);
	if (!e->root)
		return -EINVAL;
	if ((k = check_version(e->root, err, errlen)) < 0 ||
	    (k = get_string(e->root, "", "token", FLEET_ID_MAX, false, &e->token, err,
			    errlen)) < 0 ||
	    (k = get_node(e->root, &e->node, err, errlen)) < 0 ||
	    (k = get_hexish(e->root, "machine_id", 32, false, &e->machine_id, err, errlen)) < 0 ||
	    (k = get_string(e->root, "", "hostname", FLEET_STRING_MAX, false, &e->hostname, err,
			    errlen)) < 0 ||
	    (k = get_int(e->root, "", "time", false, &e->time, err, errlen)) < 0) {
		fleet_enroll_free(e);
		return k;
	}
	if (!*e->token) {
		fleet_enroll_free(e);
		return fail(err, errlen, "token: empty");
	}
	return 0;
}

void fleet_enroll_free(struct fleet_enroll *e)
{
	json_decref(e->root);
	memset(e, 0, sizeof(*e));
}
