/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * archive verify: the archive read back as a client would read it, from 1.root.json through
 * the root chain, timestamp, snapshot and targets to every target file, checking signatures,
 * versions, expiry, lengths and hashes, delegated roles included. Nothing here writes.
 */
#include "tuf_archive.h"
#include "tuf_archive_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "tuf/tuf_meta.h"
#include "util.h"

/* Reads metadata/NAME (bounded) and parses its envelope. */
static int read_meta(const struct archive_opts *o, const char *name, const char *type,
		     struct tuf_envelope *e, char **bytes, size_t *len)
{
	_cleanup_free_ char *path = archive_path_of(o, "metadata", name);
	struct tuf_error err;
	int k;

	if (!path)
		return -ENOMEM;
	k = read_file_bounded(path, META_MAX, bytes, len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", path);
	k = tuf_envelope_parse(*bytes, *len, type, e, &err);
	if (k < 0)
		return log_error_errno(k, "%s: %s", name, err.msg);
	return 0;
}

/* Checks e's signatures against ROLE as the given root ("signed") defines it. */
static int verify_role(const struct tuf_envelope *e, const json_t *root, const char *role,
		       const char *name)
{
	struct tuf_error err;
	int k = tuf_verify_role(e, root, role, &err);

	if (k < 0)
		return log_error_errno(k, "%s: %s role: %s", name, role, err.msg);
	return 0;
}

static int check_expiry(const struct archive_opts *o, const struct tuf_envelope *e,
			const char *name)
{
	if (e->expires <= o->now)
		return log_error_errno(ETIME, "%s: expired (%s)", name,
				       json_string_value(json_object_get(e->signed_obj, "expires")));
	return 0;
}

static int check_hashes(const char *what, const char *data, size_t len, const json_t *meta)
{
	json_t *length = json_object_get(meta, "length"), *hashes = json_object_get(meta, "hashes");
	char sha256[65], sha512[129];
	const char *want;

	if (length && (!json_is_integer(length) || (size_t)json_integer_value(length) != len))
		return log_error_errno(EBADMSG, "%s: length %zu, expected %lld", what, len,
				       (long long)json_integer_value(length));
	archive_hash(data, len, sha256, sha512);
	if ((want = json_string_value(json_object_get(hashes, "sha256"))) && !streq(want, sha256))
		return log_error_errno(EBADMSG, "%s: sha256 mismatch", what);
	if ((want = json_string_value(json_object_get(hashes, "sha512"))) && !streq(want, sha512))
		return log_error_errno(EBADMSG, "%s: sha512 mismatch", what);
	return 0;
}

static int64_t meta_version(const json_t *signed_obj, const char *file)
{
	return json_integer_value(json_object_get(
		json_object_get(json_object_get(signed_obj, "meta"), file), "version"));
}

static int verify_targets_files(const struct archive_opts *o, const json_t *targets,
				unsigned *count)
{
	const char *path;
	json_t *entry;

	json_object_foreach((json_t *)targets, path, entry) {
		const char *slash = strrchr(path, '/');
		const char *sha = json_string_value(json_object_get(json_object_get(entry, "hashes"),
								    "sha256"));
		json_int_t length = json_integer_value(json_object_get(entry, "length"));
		_cleanup_free_ char *file = NULL, *data = NULL;
		size_t len;
		int k;

		if (!sha || length < 0 || (uint64_t)length > MODULE_MAX ||
		    asprintf(&file, "%s/targets/%.*s%s%s.%s", o->dir,
			     slash ? (int)(slash - path) : 0, path, slash ? "/" : "", sha,
			     slash ? slash + 1 : path) < 0)
			return log_error_errno(EBADMSG, "target %s: bad entry", path);
		k = read_file_bounded(file, (size_t)length, &data, &len);
		if (k < 0)
			return log_error_errno(k, "target %s: %s: %m", path, file);
		k = check_hashes(path, data, len, entry);
		if (k < 0)
			return k;
		(*count)++;
	}
	return 0;
}

/* The root chain: 1.root.json signs itself; each next N.root.json is signed by the keys of
 * the one before and by its own. On return *root is the newest valid one (to be freed). */
static int verify_root_chain(const struct archive_opts *o, struct tuf_envelope *root)
{
	_cleanup_free_ char *bytes = NULL;
	char name[64];
	size_t len;
	int k;

	k = read_meta(o, "1.root.json", "root", root, &bytes, &len);
	if (k < 0)
		return k;
	k = verify_role(root, root->signed_obj, "root", "1.root.json");
	while (k >= 0) {
		_cleanup_free_ char *p = NULL, *next_bytes = NULL;
		struct tuf_envelope next;
		struct stat st;

		snprintf(name, sizeof(name), "%lld.root.json", (long long)root->version + 1);
		p = archive_path_of(o, "metadata", name);
		if (!p)
			return -ENOMEM;
		if (stat(p, &st) < 0)
			break;
		k = read_meta(o, name, "root", &next, &next_bytes, &len);
		if (k < 0)
			break;
		k = verify_role(&next, root->signed_obj, "root", name);
		if (k >= 0)
			k = verify_role(&next, next.signed_obj, "root", name);
		if (k >= 0 && next.version != root->version + 1)
			k = log_error_errno(EBADMSG, "%s: says version %lld", name,
					    (long long)next.version);
		tuf_envelope_free(root);
		*root = next;
	}
	return k;
}

/* NAME (a ROLE) as the referrer's meta pins it: bytes, signatures, version and expiry. */
static int verify_pinned(const struct archive_opts *o, const struct tuf_envelope *root,
			 const struct tuf_envelope *referrer, const char *role, struct tuf_envelope *e)
{
	_cleanup_free_ char *bytes = NULL;
	char name[128], file[96];
	int64_t want;
	size_t len;
	int k;

	snprintf(file, sizeof(file), "%s.json", role);
	want = meta_version(referrer->signed_obj, file);
	snprintf(name, sizeof(name), "%lld.%s", (long long)want, file);
	/* every role but the snapshot is a targets role, delegated ones too */
	k = read_meta(o, name, streq(role, "snapshot") ? "snapshot" : "targets", e, &bytes, &len);
	if (k < 0)
		return k;
	k = check_hashes(name, bytes, len,
			 json_object_get(json_object_get(referrer->signed_obj, "meta"), file));
	if (k >= 0)
		k = verify_role(e, root->signed_obj, role, name);
	if (k >= 0 && e->version != want)
		k = log_error_errno(EBADMSG, "%s: version %lld, %s says %lld", name,
				    (long long)e->version,
				    json_string_value(json_object_get(referrer->signed_obj, "_type")),
				    (long long)want);
	if (k >= 0)
		k = check_expiry(o, e, name);
	return k;
}

/* The roles delegator delegates, each as the snapshot pins it and signed by the keys the
 * delegator gives it, and their target files; depth bounds a loop. */
static int verify_delegated(const struct archive_opts *o, const struct tuf_envelope *sn,
			    const json_t *delegator, unsigned depth, unsigned *count)
{
	const json_t *d = json_object_get(delegator, "delegations"), *v;
	size_t i;
	int k = 0;

	if (d && depth > 8)
		return log_error_errno(ELOOP, "delegations deeper than 8 (a loop?)");
	json_array_foreach(json_object_get(d, "roles"), i, v) {
		const char *role = json_string_value(json_object_get(v, "name"));
		/* the delegator's keys and this role, in the shape a root gives them */
		json_t *as_root = json_pack("{s:O, s:{s:O}}", "keys", json_object_get(d, "keys"),
					    "roles", role ? role : "", v);
		struct tuf_envelope e = { 0 };

		if (!role || !as_root || !archive_name_valid(role)) {
			json_decref(as_root);
			return log_error_errno(EBADMSG, "delegations.roles[%zu]: not a role name of "
					       "the archive", i);
		}
		k = verify_pinned(o, &(struct tuf_envelope){ .signed_obj = as_root }, sn, role, &e);
		if (k >= 0)
			k = verify_targets_files(o, json_object_get(e.signed_obj, "targets"), count);
		if (k >= 0)
			k = verify_delegated(o, sn, e.signed_obj, depth + 1, count);
		tuf_envelope_free(&e);
		json_decref(as_root);
		if (k < 0)
			return k;
	}
	return 0;
}

int archive_verify(const struct archive_opts *o, struct verify_report *rep)
{
	struct tuf_envelope root = { 0 }, ts = { 0 }, sn = { 0 }, tg = { 0 };
	_cleanup_free_ char *ts_bytes = NULL;
	size_t len;
	int k;

	memset(rep, 0, sizeof(*rep));
	k = verify_root_chain(o, &root);
	if (k >= 0)
		k = check_expiry(o, &root, "root");
	rep->root_version = root.version;
	if (k >= 0)
		k = read_meta(o, "timestamp.json", "timestamp", &ts, &ts_bytes, &len);
	if (k >= 0)
		k = verify_role(&ts, root.signed_obj, "timestamp", "timestamp.json");
	if (k >= 0)
		k = check_expiry(o, &ts, "timestamp.json");
	if (k >= 0)
		k = verify_pinned(o, &root, &ts, "snapshot", &sn);
	if (k >= 0)
		k = verify_pinned(o, &root, &sn, "targets", &tg);
	if (k >= 0)
		k = verify_targets_files(o, json_object_get(tg.signed_obj, "targets"), &rep->targets);
	if (k >= 0)
		k = verify_delegated(o, &sn, tg.signed_obj, 1, &rep->targets);
	rep->timestamp_version = ts.version;
	rep->snapshot_version = sn.version;
	rep->targets_version = tg.version;
	rep->timestamp_expires = ts.expires;
	tuf_envelope_free(&root);
	tuf_envelope_free(&ts);
	tuf_envelope_free(&sn);
	tuf_envelope_free(&tg);
	return k;
}
