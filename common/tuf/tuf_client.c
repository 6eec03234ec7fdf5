/* SPDX-License-Identifier: GPL-2.0-only */
#include "tuf_client.h"
#include "tuf_client_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

/* The limits python-tuf and tuf-js use by default, when the referrer gives no length; but
 * targets.json goes to disk as it arrives and costs memory by its entries only, so it may
 * be larger than their 5 MB (about 12,000 entries). */
#define MAX_ROOT_ROTATIONS 256
#define ROOT_MAX 512000
#define TIMESTAMP_MAX 16384
#define SNAPSHOT_MAX 2000000
#define TARGETS_MAX (32u << 20)
#define TARGET_MAX (1u << 30)

int tuf_client_fail(struct tuf_client *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
	va_end(ap);
	return -code;
}

#define fail tuf_client_fail

static char *local_path(const struct tuf_client *c, const char *name)
{
	char *p = NULL;

	return asprintf(&p, "%s/%s", c->metadata_dir, name) < 0 ? NULL : p;
}

/* ---- checks ---- */

static int verify_with(struct tuf_client *c, const struct tuf_envelope *e, const json_t *root,
		       const char *role, const char *what)
{
	struct tuf_error err;

	if (tuf_verify_role(e, root, role, &err) < 0)
		return fail(c, EKEYREJECTED, "%s: %s", what, err.msg);
	return 0;
}

static int parse(struct tuf_client *c, const char *buf, size_t len, const char *type,
		 struct tuf_envelope *e, const char *what)
{
	struct tuf_error err;
	int k = tuf_envelope_parse(buf, len, type, e, &err);

	if (k < 0)
		return fail(c, EBADMSG, "%s: %s", what, err.msg);
	return 0;
}

/* The file of len bytes against the referrer's length and sha256: in buf, or else in the
 * file open at fd. */
static int check_meta_hashes(struct tuf_client *c, const json_t *meta, const char *buf, int fd,
			     size_t len, const char *what)
{
	json_t *length = json_object_get(meta, "length");
	const char *want = json_string_value(json_object_get(json_object_get(meta, "hashes"), "sha256"));
	unsigned char d[crypto_hash_sha256_BYTES];
	char hex[65];
	size_t read_back;
	int k;

	if (length && (size_t)json_integer_value(length) != len)
		return fail(c, EBADMSG, "%s: %zu bytes, the referrer says %lld", what, len,
			    (long long)json_integer_value(length));
	if (!want)
		return 0;
	if (buf) {
		crypto_hash_sha256(d, (const unsigned char *)buf, len);
		sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	} else if ((k = tuf_sha256_fd(fd, &read_back, hex)) < 0 || read_back != len) {
		return fail(c, EIO, "%s: cannot read it back: %s", what,
			    k < 0 ? strerror(-k) : "it changed size");
	}
	if (!streq(hex, want))
		return fail(c, EBADMSG, "%s: sha256 does not match the referrer's", what);
	return 0;
}

static int persist(struct tuf_client *c, const char *name, const char *buf, size_t len)
{
	_cleanup_free_ char *p = local_path(c, name);
	int k;

	if (!p)
		return -ENOMEM;
	k = write_file_atomic(p, buf, len, 0644);
	if (k < 0)
		return fail(c, -k, "%s: cannot store: %s", p, strerror(-k));
	return 0;
}

/* A trusted local file that still verifies against the current root, or -ENOENT. */
static int load_local(struct tuf_client *c, const char *name, const char *type, const char *role,
		      struct tuf_envelope *e, size_t max)
{
	_cleanup_free_ char *p = local_path(c, name), *buf = NULL;
	size_t len;
	int k;

	if (!p)
		return -ENOMEM;
	if (read_file_bounded(p, max, &buf, &len) < 0)
		return -ENOENT;
	k = parse(c, buf, len, type, e, name);
	if (k >= 0 && (k = verify_with(c, e, c->root.signed_obj, role, name)) < 0)
		tuf_envelope_free(e);
	return k < 0 ? -ENOENT : 0;
}

static int64_t meta_version(const json_t *signed_obj, const char *file)
{
	return json_integer_value(json_object_get(
		json_object_get(json_object_get(signed_obj, "meta"), file), "version"));
}

static char *url_join(const char *base, const char *name)
{
	char *u = NULL;
	size_t n = strlen(base);

	if (asprintf(&u, "%s%s%s", base, n && base[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return u;
}

/* A fetcher's result as the client reports it; -ENOENT is the caller's to word. */
static int fetch_error(struct tuf_client *c, const char *name, size_t max, int k)
{
	if (k == -EFBIG)
		return fail(c, EFBIG, "%s: larger than %zu bytes (endless data?)", name, max);
	if (k < 0 && k != -ENOENT)
		return fail(c, EIO, "%s: cannot fetch from %s", name, c->metadata_url);
	return k < 0 ? k : 0;
}

static int fetch(struct tuf_client *c, const char *name, size_t max, char **buf, size_t *len)
{
	_cleanup_free_ char *url = url_join(c->metadata_url, name);

	if (!url)
		return -ENOMEM;
	return fetch_error(c, name, max, c->fetch(c->fetch_userdata, url, max, buf, len));
}

static bool role_changed(const json_t *a, const json_t *b, const char *role)
{
	struct tuf_role ra, rb;
	struct tuf_error err;
	bool changed = true;

	if (tuf_role_load(json_object_get(json_object_get(a, "roles"), role), role, &ra, &err) < 0)
		return true;
	if (tuf_role_load(json_object_get(json_object_get(b, "roles"), role), role, &rb, &err) == 0) {
		changed = !tuf_role_equal(&ra, &rb);
		tuf_role_free(&rb);
	}
	tuf_role_free(&ra);
	return changed;
}

int tuf_client_init(const char *metadata_dir, const char *root_file, struct tuf_error *err)
{
	_cleanup_free_ char *buf = NULL, *dst = NULL;
	struct tuf_envelope e;
	size_t len;
	int k;

	k = read_file_bounded(root_file, ROOT_MAX, &buf, &len);
	if (k < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", root_file, strerror(-k));
		return k;
	}
	k = tuf_envelope_parse(buf, len, "root", &e, err);
	if (k < 0)
		return k;
	tuf_envelope_free(&e);
	k = mkdir_p(metadata_dir, 0755);
	if (k < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", metadata_dir, strerror(-k));
		return k;
	}
	if (asprintf(&dst, "%s/root.json", metadata_dir) < 0)
		return -ENOMEM;
	k = write_file_atomic(dst, buf, len, 0644);
	if (k < 0)
		snprintf(err->msg, sizeof(err->msg), "%s: %s", dst, strerror(-k));
	return k;
}

/* The clock must not read earlier than the last successful refresh. */
static int clock_guard(struct tuf_client *c, int64_t now, bool update)
{
	_cleanup_free_ char *p = local_path(c, ".last-refresh"), *buf = NULL;
	char text[32];
	size_t len;

	if (!p)
		return -ENOMEM;
	if (!update) {
		if (read_file_bounded(p, 31, &buf, &len) == 0 && now + 300 < strtoll(buf, NULL, 10))
			return fail(c, ETIME, "the clock reads earlier than the last successful "
				    "refresh: refusing to judge expiry with it");
		return 0;
	}
	snprintf(text, sizeof(text), "%lld\n", (long long)now);
	(void)write_file_atomic(p, text, strlen(text), 0644); /* best effort: a hint, not trust */
	return 0;
}

static int update_root(struct tuf_client *c, int64_t now)
{
	_cleanup_free_ char *buf = NULL;
	json_t *first = NULL;
	size_t len;
	int k;

	/* the trusted root must verify against itself before anything is fetched */
	k = load_local(c, "root.json", "root", "root", &c->root, ROOT_MAX);
	if (k < 0) {
		_cleanup_free_ char *p = local_path(c, "root.json");

		if (p && read_file_bounded(p, ROOT_MAX, &buf, &len) == 0 &&
		    parse(c, buf, len, "root", &c->root, "root.json") == 0) {
			k = verify_with(c, &c->root, c->root.signed_obj, "root", "trusted root.json");
			if (k < 0) {
				tuf_envelope_free(&c->root);
				return k;
			}
		} else {
			return c->err.msg[0] ? -EBADMSG
					     : fail(c, ENOENT, "no trusted root.json in %s",
						    c->metadata_dir);
		}
	}
	first = json_incref(c->root.signed_obj);
	for (int i = 0; i < MAX_ROOT_ROTATIONS; i++) {
		struct tuf_envelope next;
		char name[48];

		free(buf);
		buf = NULL;
		snprintf(name, sizeof(name), "%lld.root.json", (long long)c->root.version + 1);
		k = fetch(c, name, ROOT_MAX, &buf, &len);
		if (k == -ENOENT) {
			k = 0;
			break;
		}
		if (k < 0)
			break;
		k = parse(c, buf, len, "root", &next, name);
		if (k < 0)
			break;
		k = verify_with(c, &next, c->root.signed_obj, "root", name);
		if (k >= 0)
			k = verify_with(c, &next, next.signed_obj, "root", name);
		if (k >= 0 && next.version != c->root.version + 1)
			k = fail(c, EBADMSG, "%s: says version %lld", name, (long long)next.version);
		if (k >= 0)
			k = persist(c, "root.json", buf, len);
		if (k < 0) {
			tuf_envelope_free(&next);
			break;
		}
		tuf_envelope_free(&c->root);
		c->root = next;
	}
	if (k >= 0 && c->root.expires <= now)
		k = fail(c, ETIME, "root.json v%lld has expired (freeze attack?)",
			 (long long)c->root.version);
	/* fast-forward recovery: new timestamp or snapshot keys void the cached files */
	if (k >= 0 && (role_changed(first, c->root.signed_obj, "timestamp") ||
		       role_changed(first, c->root.signed_obj, "snapshot"))) {
		_cleanup_free_ char *ts = local_path(c, "timestamp.json"),
				     *sn = local_path(c, "snapshot.json");

		if (ts)
			unlink(ts);
		if (sn)
			unlink(sn);
	}
	json_decref(first);
	return k;
}

static int update_timestamp(struct tuf_client *c, int64_t now)
{
	struct tuf_envelope old = { 0 }, fresh;
	_cleanup_free_ char *buf = NULL;
	bool have_old;
	size_t len;
	int k;

	have_old = load_local(c, "timestamp.json", "timestamp", "timestamp", &old,
			      TIMESTAMP_MAX) == 0;
	k = fetch(c, "timestamp.json", TIMESTAMP_MAX, &buf, &len);
	if (k == -ENOENT)
		k = fail(c, ENOENT, "timestamp.json: not on the server");
	if (k >= 0)
		k = parse(c, buf, len, "timestamp", &fresh, "timestamp.json");
	if (k < 0) {
		tuf_envelope_free(&old);
		return k;
	}
	k = verify_with(c, &fresh, c->root.signed_obj, "timestamp", "timestamp.json");
	if (k >= 0 && have_old && fresh.version < old.version)
		k = fail(c, EBADMSG, "timestamp.json: version %lld is older than the trusted %lld "
			 "(rollback attack?)", (long long)fresh.version, (long long)old.version);
	if (k >= 0 && have_old && meta_version(fresh.signed_obj, "snapshot.json") <
					  meta_version(old.signed_obj, "snapshot.json"))
		k = fail(c, EBADMSG, "timestamp.json: snapshot version went back (rollback attack?)");
	if (k >= 0 && !json_is_integer(json_object_get(json_object_get(json_object_get(
				fresh.signed_obj, "meta"), "snapshot.json"), "version")))
		k = fail(c, EBADMSG, "timestamp.json: meta has no snapshot.json version");
	if (k >= 0 && fresh.expires <= now)
		k = fail(c, ETIME, "timestamp.json has expired (freeze attack?)");
	if (k >= 0 && have_old && fresh.version == old.version) {
		/* nothing new: keep what we trust, bytes and all */
		tuf_envelope_free(&fresh);
		c->timestamp = old;
		return 0;
	}
	if (k >= 0)
		k = persist(c, "timestamp.json", buf, len);
	tuf_envelope_free(&old);
	if (k < 0) {
		tuf_envelope_free(&fresh);
		return k;
	}
	c->timestamp = fresh;
	return 0;
}

/* VERSION.NAME.json as the referrer's meta entry names it (NAME quoted; NAME.json without
 * consistent snapshots), and how large it may be; role is the name for messages. */
static int role_file(struct tuf_client *c, const char *role, const char *quoted,
		     const json_t *meta, size_t default_max, char **name, size_t *max)
{
	int64_t want = json_integer_value(json_object_get(meta, "version"));
	json_t *length = json_object_get(meta, "length");

	if (!json_is_integer(json_object_get(meta, "version")) || want < 1)
		return fail(c, EBADMSG, "%s.json: no valid version for it in the referrer", role);
	if (length && (!json_is_integer(length) || json_integer_value(length) < 0))
		return fail(c, EBADMSG, "%s.json: bad length for it in the referrer", role);
	*max = length ? (size_t)json_integer_value(length) : default_max;
	/* without consistent snapshots the server has one copy, the latest: the version the
	 * referrer names is checked once it is here */
	if ((c->consistent ? asprintf(name, "%lld.%s.json", (long long)want, quoted)
			   : asprintf(name, "%s.json", quoted)) < 0)
		return -ENOMEM;
	return 0;
}

/* The role file into memory, its length and hashes checked. */
static int fetch_role(struct tuf_client *c, const char *role, const json_t *meta,
		      size_t default_max, char **name, char **buf, size_t *len)
{
	size_t max;
	int k = role_file(c, role, role, meta, default_max, name, &max);

	if (k >= 0)
		k = fetch(c, *name, max, buf, len);
	if (k == -ENOENT)
		return fail(c, ENOENT, "%s: not on the server", *name);
	if (k >= 0)
		k = check_meta_hashes(c, meta, *buf, -1, *len, *name);
	return k;
}

static int check_fresh(struct tuf_client *c, const char *name, const json_t *meta,
		       int64_t version, int64_t expires, int64_t now)
{
	if (version != json_integer_value(json_object_get(meta, "version")))
		return fail(c, EBADMSG, "%s: says version %lld (mix-and-match?)", name,
			    (long long)version);
	if (expires <= now)
		return fail(c, ETIME, "%s has expired (freeze attack?)", name);
	return 0;
}

static int update_snapshot(struct tuf_client *c, int64_t now, const json_t *meta,
			   const struct tuf_envelope *old, bool have_old, struct tuf_envelope *ret)
{
	_cleanup_free_ char *buf = NULL, *name = NULL;
	size_t len;
	int k;

	k = fetch_role(c, "snapshot", meta, SNAPSHOT_MAX, &name, &buf, &len);
	if (k < 0 && !name)
		return k;
	if (k >= 0)
		k = parse(c, buf, len, "snapshot", ret, name);
	if (k < 0)
		return k;
	k = verify_with(c, ret, c->root.signed_obj, "snapshot", name);
	if (k >= 0)
		k = check_fresh(c, name, meta, ret->version, ret->expires, now);
	if (k >= 0 && have_old) {
		/* every file the old snapshot listed stays, at the same version or newer */
		const char *file;
		json_t *entry;

		json_object_foreach(json_object_get(old->signed_obj, "meta"), file, entry) {
			json_t *now_entry = json_object_get(json_object_get(ret->signed_obj, "meta"),
							    file);

			if (!now_entry || json_integer_value(json_object_get(now_entry, "version")) <
						  json_integer_value(json_object_get(entry, "version"))) {
				k = fail(c, EBADMSG, "%s: %s went back or disappeared (rollback "
					 "attack?)", name, file);
				break;
			}
		}
	}
	if (k >= 0)
		k = persist(c, "snapshot.json", buf, len);
	if (k < 0)
		tuf_envelope_free(ret);
	return k;
}

/* Who may sign a targets role: a "keys" object and a {keyids, threshold} object. */
struct signers {
	const json_t *keys, *role;
};

/* Maps the targets role file open at fd, checks and verifies it with its signers. */
static int map_targets(struct tuf_client *c, int fd, size_t max, const char *role,
		       const struct signers *by, struct tuf_targets *t, const char *what)
{
	struct tuf_error err = { "" };
	int k = tuf_targets_map(fd, max, t, &err);

	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return fail(c, -k, "%s: %s", what, err.msg[0] ? err.msg : strerror(-k));
	k = tuf_targets_verify_keys(t, by->keys, by->role, role, &err);
	if (k >= 0 && (k = tuf_delegations_check(t->env.signed_obj, &err)) < 0)
		k = k == -ENOMEM ? k : -EBADMSG;
	if (k < 0) {
		tuf_targets_free(t);
		return k == -ENOMEM ? k : fail(c, -k, "%s: %s", what, err.msg);
	}
	return 0;
}

/* The trusted copy, if it still verifies with its signers, or -ENOENT. */
static int load_local_targets(struct tuf_client *c, const char *file, size_t max,
			      const json_t *meta, const char *role, const struct signers *by,
			      struct tuf_targets *t)
{
	_cleanup_free_ char *p = local_path(c, file);
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -ENOENT;
	/* the copy we hold must be the very file the snapshot pins, when it pins one: the same
	 * version signed twice (a key since rotated away) is not the same role file */
	if ((json_object_get(meta, "length") || json_object_get(meta, "hashes")) &&
	    check_meta_hashes(c, meta, NULL, fd, (size_t)st.st_size, file) < 0) {
		c->err.msg[0] = '\0';
		return -ENOENT;
	}
	return map_targets(c, fd, max, role, by, t, file) < 0 ? -ENOENT : 0;
}

/* Into the open temporary file, as it arrives. */
static int fetch_to_file(struct tuf_client *c, const char *name, size_t max, int fd, size_t *len)
{
	_cleanup_free_ char *url = url_join(c->metadata_url, name);

	if (!url)
		return -ENOMEM;
	return fetch_error(c, name, max, c->fetch_file(c->fetch_userdata, url, max, fd, len));
}

/* NAME (at most max bytes) downloaded straight into the temporary file that becomes FILE
 * once it checks out. */
static int update_targets(struct tuf_client *c, const json_t *meta, const char *name,
			  const char *file, size_t max, const char *role, const struct signers *by,
			  struct tuf_targets *ret)
{
	_cleanup_free_ char *dst = local_path(c, file);
	struct atomic_file f;
	size_t len = 0;
	int k;

	if (!dst)
		return -ENOMEM;
	k = atomic_file_open(&f, dst);
	if (k < 0)
		return fail(c, -k, "%s: cannot store: %s", dst, strerror(-k));
	k = fetch_to_file(c, name, max, f.fd, &len);
	if (k == -ENOENT)
		k = fail(c, ENOENT, "%s: not on the server", name);
	if (k >= 0)
		k = check_meta_hashes(c, meta, NULL, f.fd, len, name);
	if (k >= 0)
		k = map_targets(c, f.fd, max, role, by, ret, name);
	if (k >= 0 &&
	    (k = check_fresh(c, name, meta, ret->env.version, ret->env.expires, c->now)) < 0)
		tuf_targets_free(ret);
	if (k < 0) {
		atomic_file_abort(&f);
		return k;
	}
	k = atomic_file_commit(&f, 0644); /* removes the temporary itself when it fails */
	if (k < 0) {
		tuf_targets_free(ret);
		return fail(c, -k, "%s: cannot store: %s", dst, strerror(-k));
	}
	return 0;
}

int tuf_client_load_role(struct tuf_client *c, const char *role, const json_t *keys,
			 const json_t *role_obj, struct tuf_targets *ret)
{
	_cleanup_free_ char *quoted = tuf_quote(role), *listed = NULL, *file = NULL, *name = NULL;
	struct signers by = { keys, role_obj };
	struct tuf_targets old = { 0 };
	const json_t *meta;
	size_t max;
	int k;

	memset(ret, 0, sizeof(*ret));
	if (!quoted || asprintf(&listed, "%s.json", role) < 0 ||
	    asprintf(&file, "%s.json", quoted) < 0)
		return -ENOMEM;
	meta = json_object_get(json_object_get(c->snapshot.signed_obj, "meta"), listed);
	if (!meta)
		return fail(c, EBADMSG, "snapshot.json does not list %s", listed);
	k = role_file(c, role, quoted, meta, TARGETS_MAX, &name, &max);
	if (k < 0)
		return k;
	if (load_local_targets(c, file, max, meta, role, &by, &old) == 0 &&
	    old.env.version == json_integer_value(json_object_get(meta, "version")) &&
	    old.env.expires > c->now) {
		*ret = old;
		return 0;
	}
	tuf_targets_free(&old);
	return update_targets(c, meta, name, file, max, role, &by, ret);
}

int tuf_client_refresh(struct tuf_client *c)
{
	struct tuf_envelope old = { 0 };
	const json_t *meta;
	int64_t now = (int64_t)time(NULL);
	bool have_old;
	int k;

	c->err.msg[0] = '\0';
	c->now = now;
	/* a download cut short by a crash; a live one (at most 10 minutes) is newer than this */
	(void)remove_stale_temporaries(c->metadata_dir, (time_t)now - 3600);
	k = clock_guard(c, now, false);
	if (k >= 0)
		k = update_root(c, now);
	if (k >= 0)
		c->consistent = json_is_true(json_object_get(c->root.signed_obj,
							     "consistent_snapshot"));
	if (k >= 0)
		k = update_timestamp(c, now);
	if (k < 0)
		return k;

	/* snapshot: reuse the trusted one when it is the version the timestamp names */
	meta = json_object_get(json_object_get(c->timestamp.signed_obj, "meta"), "snapshot.json");
	have_old = load_local(c, "snapshot.json", "snapshot", "snapshot", &old, SNAPSHOT_MAX) == 0;
	if (have_old && old.version == json_integer_value(json_object_get(meta, "version")) &&
	    old.expires > now) {
		c->snapshot = old;
	} else {
		k = update_snapshot(c, now, meta, &old, have_old, &c->snapshot);
		tuf_envelope_free(&old);
		if (k < 0)
			return k;
	}
	if (c->snapshot.expires <= now)
		return fail(c, ETIME, "snapshot.json has expired (freeze attack?)");

	/* targets, likewise; delegated roles wait for a lookup that reaches them */
	k = tuf_client_load_role(c, "targets", json_object_get(c->root.signed_obj, "keys"),
				 json_object_get(json_object_get(c->root.signed_obj, "roles"),
						 "targets"), &c->targets);
	if (k < 0)
		return k;
	clock_guard(c, now, true);
	return 0;
}

char *tuf_quote(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~", ch))
			*o++ = (char)ch;
		else
			o += sprintf(o, "%%%02X", ch);
	}
	*o = '\0';
	return out;
}

char *tuf_client_target_file(const char *target_dir, const char *path)
{
	_cleanup_free_ char *q = tuf_quote(path);
	char *out = NULL;

	if (!q || asprintf(&out, "%s/%s", target_dir, q) < 0)
		return NULL;
	return out;
}

/* Whether the bytes are exactly what the metadata describes. */
static bool target_matches(const char *buf, size_t len, json_int_t length, const char *sha256,
			   const char *sha512)
{
	unsigned char d256[crypto_hash_sha256_BYTES], d512[crypto_hash_sha512_BYTES];
	char h256[65], h512[129];

	if (len != (size_t)length)
		return false;
	crypto_hash_sha256(d256, (const unsigned char *)buf, len);
	crypto_hash_sha512(d512, (const unsigned char *)buf, len);
	sodium_bin2hex(h256, sizeof(h256), d256, sizeof(d256));
	sodium_bin2hex(h512, sizeof(h512), d512, sizeof(d512));
	return (!sha256 || streq(sha256, h256)) && (!sha512 || streq(sha512, h512));
}

static int download(struct tuf_client *c, const char *path, const json_t *entry,
		    const char *target_base_url, const char *target_dir, char **ret_file)
{
	const json_t *hashes = json_object_get(entry, "hashes");
	const char *sha256 = json_string_value(json_object_get(hashes, "sha256"));
	const char *sha512 = json_string_value(json_object_get(hashes, "sha512"));
	json_int_t length = json_integer_value(json_object_get(entry, "length"));
	_cleanup_free_ char *url = NULL, *rel = NULL, *buf = NULL, *file = NULL;
	const char *slash = strrchr(path, '/');
	size_t len;
	int k;

	if (!json_is_integer(json_object_get(entry, "length")) || length < 0 || length > TARGET_MAX)
		return fail(c, EBADMSG, "%s: bad length in the metadata", path);
	if (!sha256 && !sha512)
		return fail(c, EBADMSG, "%s: no sha256 or sha512 hash to check it with", path);
	/* consistent snapshots: DIR/HASH.NAME, one copy per hash; else the path itself */
	if ((c->consistent ? asprintf(&rel, "%.*s%s%s.%s", slash ? (int)(slash - path) : 0, path,
				      slash ? "/" : "", sha256 ? sha256 : sha512,
				      slash ? slash + 1 : path)
			   : asprintf(&rel, "%s", path)) < 0 ||
	    !(url = url_join(target_base_url, rel)) ||
	    !(file = tuf_client_target_file(target_dir, path)))
		return -ENOMEM;
	/* already there and exactly what the metadata describes: not fetched again */
	if (read_file_bounded(file, (size_t)length + 1, &buf, &len) >= 0 &&
	    target_matches(buf, len, length, sha256, sha512)) {
		if (ret_file)
			*ret_file = TAKE_PTR(file);
		return 0;
	}
	free(buf);
	buf = NULL;
	k = c->fetch(c->fetch_userdata, url, (size_t)length, &buf, &len);
	if (k == -EFBIG)
		return fail(c, EFBIG, "%s: longer than its %lld bytes (endless data?)", path,
			    (long long)length);
	if (k < 0)
		return fail(c, EIO, "%s: cannot download %s", path, url);
	if (len != (size_t)length)
		return fail(c, EBADMSG, "%s: %zu bytes, the metadata says %lld", path, len,
			    (long long)length);
	if (!target_matches(buf, len, length, sha256, sha512))
		return fail(c, EBADMSG, "%s: hash mismatch: not the file the archive signed", path);
	k = mkdir_p(target_dir, 0755);
	if (k < 0)
		return fail(c, -k, "%s: %s", target_dir, strerror(-k));
	k = write_file_atomic(file, buf, len, 0644);
	if (k < 0)
		return fail(c, -k, "%s: %s", file, strerror(-k));
	if (ret_file)
		*ret_file = TAKE_PTR(file);
	return 0;
}

int tuf_client_download(struct tuf_client *c, const char *path, const char *target_base_url,
			const char *target_dir, char **ret_file)
{
	json_t *entry = NULL;
	int k = tuf_client_find(c, path, &entry);

	if (k >= 0)
		k = download(c, path, entry, target_base_url, target_dir, ret_file);
	json_decref(entry);
	return k;
}

int tuf_client_download_entry(struct tuf_client *c, const char *path, const json_t *entry,
			      const char *target_base_url, const char *target_dir, char **ret_file)
{
	c->err.msg[0] = '\0';
	return download(c, path, entry, target_base_url, target_dir, ret_file);
}

void tuf_client_free(struct tuf_client *c)
{
	tuf_envelope_free(&c->root);
	tuf_envelope_free(&c->timestamp);
	tuf_envelope_free(&c->snapshot);
	tuf_targets_free(&c->targets);
	tuf_client_roles_free(c);
}
