/* SPDX-License-Identifier: GPL-2.0-only */
#include "tuf_archive.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "tuf/tuf_meta.h"
#include "util.h"

#define META_MAX (16u << 20)
#define MODULE_MAX (256u << 20)
#define SPEC_VERSION "1.0.31"

static const char *const top_roles[] = { "root", "targets", "snapshot", "timestamp" };

struct keyfile {
	char keyid[TUF_KEYID_LEN + 1];
	unsigned char pk[32], sk[64];
};

struct state {
	json_t *root, *targets, *snapshot, *timestamp; /* the "signed" parts */
	int64_t root_version;
};

void archive_default_expiry(struct archive_expiry *e)
{
	e->root = 365 * 86400;
	e->targets = 30 * 86400;
	e->snapshot = 7 * 86400;
	e->timestamp = 86400;
}

static char *path_of(const struct archive_opts *o, const char *sub, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s%s", o->dir, sub, name ? "/" : "", name ? name : "") < 0)
		return NULL;
	return p;
}

static char *key_dir(const struct archive_opts *o)
{
	return o->keys ? strdup(o->keys) : path_of(o, "keys", NULL);
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+-", s[i]))
			return false;
	return true;
}

/* ---- keys ---- */

static int key_generate(const struct archive_opts *o, const char *role, struct keyfile *kf)
{
	_cleanup_free_ char *dir = key_dir(o), *path = NULL, *text = NULL;
	char pkhex[65], skhex[129];
	json_t *pub = NULL, *obj;
	int k;

	crypto_sign_keypair(kf->pk, kf->sk);
	pub = tuf_ed25519_key_json(kf->pk);
	if (!pub || tuf_keyid(pub, kf->keyid) < 0) {
		json_decref(pub);
		return -ENOMEM;
	}
	json_decref(pub);
	sodium_bin2hex(pkhex, sizeof(pkhex), kf->pk, 32);
	sodium_bin2hex(skhex, sizeof(skhex), kf->sk, 64);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", role, "keyid", kf->keyid, "scheme",
			"ed25519", "public", pkhex, "private", skhex);
	sodium_memzero(skhex, sizeof(skhex));
	text = obj ? json_dumps(obj, JSON_INDENT(2)) : NULL;
	json_decref(obj);
	if (!dir || !text || asprintf(&path, "%s/%s-%.12s.key", dir, role, kf->keyid) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return log_error_errno(errno, "%s: cannot create key directory: %m", dir);
	k = write_file_atomic(path, text, strlen(text), 0600);
	sodium_memzero(text, strlen(text));
	if (k < 0)
		return log_error_errno(k, "%s: %m", path);
	return 0;
}

static int key_read(const char *path, struct keyfile *kf)
{
	_cleanup_free_ char *text = NULL;
	json_t *obj;
	const char *id, *sk;
	size_t len;
	int k = read_file_bounded(path, 4096, &text, &len);

	if (k < 0)
		return k;
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	sodium_memzero(text, len);
	id = json_string_value(json_object_get(obj, "keyid"));
	sk = json_string_value(json_object_get(obj, "private"));
	k = -EINVAL;
	if (id && sk && strlen(id) == TUF_KEYID_LEN &&
	    sodium_hex2bin(kf->sk, 64, sk, strlen(sk), NULL, NULL, NULL) == 0) {
		snprintf(kf->keyid, sizeof(kf->keyid), "%s", id);
		crypto_sign_ed25519_sk_to_pk(kf->pk, kf->sk);
		k = 0;
	}
	json_decref(obj);
	return k;
}

/* The private keys at hand for the keyids a role lists. */
static int keys_for(const struct archive_opts *o, const json_t *root, const char *role,
		    struct keyfile *out, size_t max, size_t *n)
{
	_cleanup_free_ char *dir = key_dir(o);
	const json_t *ids = json_object_get(json_object_get(json_object_get(root, "roles"), role),
					    "keyids");
	DIR *d;
	struct dirent *de;

	*n = 0;
	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return log_error_errno(errno, "%s: cannot open key directory: %m", dir);
	while ((de = readdir(d)) && *n < max) {
		struct keyfile kf;
		_cleanup_free_ char *p = NULL;
		size_t i;
		json_t *v;

		if (!strstr(de->d_name, ".key") || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (key_read(p, &kf) < 0)
			continue;
		json_array_foreach(ids, i, v)
			if (streq(json_string_value(v), kf.keyid))
				out[(*n)++] = kf;
		sodium_memzero(&kf, sizeof(kf));
	}
	closedir(d);
	return 0;
}

/* ---- metadata files ---- */

static json_t *new_signed(const char *type, int64_t version, int64_t expires)
{
	char exp[21];

	if (tuf_format_expires(expires, exp) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version", SPEC_VERSION,
			 "version", (json_int_t)version, "expires", exp);
}

static int bump(json_t *signed_obj, int64_t expires)
{
	char exp[21];

	if (tuf_format_expires(expires, exp) < 0)
		return -EINVAL;
	json_object_set_new(signed_obj, "version",
			    json_integer(json_integer_value(json_object_get(signed_obj, "version")) + 1));
	json_object_set_new(signed_obj, "expires", json_string(exp));
	return 0;
}

/* Signs with the role's keys found in the key directory and writes metadata/NAME. */
static int sign_write(const struct archive_opts *o, const json_t *root, const char *role,
		      json_t *signed_obj, const char *name, char **ret_bytes, size_t *ret_len)
{
	struct keyfile keys[16];
	size_t n = 0;
	json_t *sigs = json_array(), *env;
	_cleanup_free_ char *path = path_of(o, "metadata", name);
	char *text;
	int k;

	k = keys_for(o, root, role, keys, ELEMENTSOF(keys), &n);
	if (k >= 0 && n == 0)
		k = log_error_errno(ENOKEY, "no %s key in the key directory (%s)", role,
				    o->keys ? o->keys : "DIR/keys");
	for (size_t i = 0; k >= 0 && i < n; i++) {
		json_t *sig;

		k = tuf_sign_ed25519(signed_obj, keys[i].sk, keys[i].keyid, &sig);
		if (k >= 0)
			json_array_append_new(sigs, sig);
	}
	sodium_memzero(keys, sizeof(keys));
	if (k < 0 || !path) {
		json_decref(sigs);
		return k < 0 ? k : -ENOMEM;
	}
	env = json_pack("{s:O, s:o}", "signed", signed_obj, "signatures", sigs);
	text = env ? json_dumps(env, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(env);
	if (!text)
		return -ENOMEM;
	k = write_file_atomic(path, text, strlen(text), 0644);
	if (k < 0) {
		free(text);
		return log_error_errno(k, "%s: %m", path);
	}
	if (ret_bytes) {
		*ret_bytes = text;
		*ret_len = strlen(text);
	} else {
		free(text);
	}
	return 0;
}

static int read_signed(const struct archive_opts *o, const char *name, const char *type,
		       json_t **ret)
{
	_cleanup_free_ char *path = path_of(o, "metadata", name), *text = NULL;
	struct tuf_envelope e;
	struct tuf_error err;
	size_t len;
	int k;

	if (!path)
		return -ENOMEM;
	k = read_file_bounded(path, META_MAX, &text, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", path);
	k = tuf_envelope_parse(text, len, type, &e, &err);
	if (k < 0)
		return log_error_errno(k, "%s: %s", path, err.msg);
	*ret = json_incref(e.signed_obj);
	tuf_envelope_free(&e);
	return 0;
}

static void state_free(struct state *s)
{
	json_decref(s->root);
	json_decref(s->targets);
	json_decref(s->snapshot);
	json_decref(s->timestamp);
	memset(s, 0, sizeof(*s));
}

/* The current metadata: the newest N.root.json, timestamp.json and what it points at. */
static int state_load(const struct archive_opts *o, struct state *s)
{
	char name[64];
	int64_t v;
	int k;

	memset(s, 0, sizeof(*s));
	for (v = 1;; v++) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		snprintf(name, sizeof(name), "%lld.root.json", (long long)(v + 1));
		p = path_of(o, "metadata", name);
		if (!p)
			return -ENOMEM;
		if (stat(p, &st) < 0)
			break;
	}
	s->root_version = v;
	snprintf(name, sizeof(name), "%lld.root.json", (long long)v);
	k = read_signed(o, name, "root", &s->root);
	if (k >= 0)
		k = read_signed(o, "timestamp.json", "timestamp", &s->timestamp);
	if (k >= 0) {
		v = json_integer_value(json_object_get(
			json_object_get(json_object_get(s->timestamp, "meta"), "snapshot.json"),
			"version"));
		snprintf(name, sizeof(name), "%lld.snapshot.json", (long long)v);
		k = read_signed(o, name, "snapshot", &s->snapshot);
	}
	if (k >= 0) {
		v = json_integer_value(json_object_get(
			json_object_get(json_object_get(s->snapshot, "meta"), "targets.json"),
			"version"));
		snprintf(name, sizeof(name), "%lld.targets.json", (long long)v);
		k = read_signed(o, name, "targets", &s->targets);
	}
	if (k < 0) {
		state_free(s);
		return log_error_errno(k, "%s: not a readable archive (run 'archive init' first?)",
				       o->dir);
	}
	return 0;
}

/* Signs and writes VERSION.ROLE.json, and pins it in referrer's meta by version, length and
 * sha256: the length bounds what a client downloads, the hash names the exact file. */
static int write_pinned(const struct archive_opts *o, const struct state *s, const char *role,
			json_t *signed_obj, json_t *referrer)
{
	_cleanup_free_ char *bytes = NULL;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65], name[64], file[32];
	json_t *version = json_object_get(signed_obj, "version");
	size_t len;
	int k;

	snprintf(name, sizeof(name), "%lld.%s.json", (long long)json_integer_value(version), role);
	snprintf(file, sizeof(file), "%s.json", role);
	k = sign_write(o, s->root, role, signed_obj, name, &bytes, &len);
	if (k < 0)
		return k;
	crypto_hash_sha256(digest, (unsigned char *)bytes, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (json_object_set_new(json_object_get(referrer, "meta"), file,
				json_pack("{s:O, s:I, s:{s:s}}", "version", version, "length",
					  (json_int_t)len, "hashes", "sha256", hex)) < 0)
		return -ENOMEM;
	return 0;
}

/* targets changed (or not): new snapshot, then timestamp.json, last. */
static int write_chain(const struct archive_opts *o, struct state *s, bool targets_changed,
		       bool snapshot_changed)
{
	int k;

	if (targets_changed) {
		k = bump(s->targets, o->now + o->expiry.targets);
		if (k >= 0)
			k = write_pinned(o, s, "targets", s->targets, s->snapshot);
		if (k < 0)
			return k;
	}
	if (targets_changed || snapshot_changed) {
		k = bump(s->snapshot, o->now + o->expiry.snapshot);
		if (k < 0)
			return k;
	}
	k = write_pinned(o, s, "snapshot", s->snapshot, s->timestamp);
	if (k >= 0)
		k = bump(s->timestamp, o->now + o->expiry.timestamp);
	if (k < 0)
		return k;
	return sign_write(o, s->root, "timestamp", s->timestamp, "timestamp.json", NULL, NULL);
}

int archive_init(const struct archive_opts *o, unsigned root_keys)
{
	_cleanup_free_ char *meta = path_of(o, "metadata", NULL), *tgt = path_of(o, "targets", NULL),
			     *first = path_of(o, "metadata", "1.root.json");
	struct state s = { 0 };
	json_t *keys = json_object(), *roles = json_object();
	struct stat st;
	int k = 0;

	if (!meta || !tgt || !first || !keys || !roles)
		return -ENOMEM;
	if (root_keys < 1 || root_keys > 8)
		return log_error_errno(EINVAL, "--root-threshold: between 1 and 8");
	if (stat(first, &st) == 0)
		return log_error_errno(EEXIST, "%s: an archive is already there", o->dir);
	if ((mkdir(o->dir, 0755) < 0 && errno != EEXIST) || (mkdir(meta, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(tgt, 0755) < 0 && errno != EEXIST))
		return log_error_errno(errno, "%s: cannot create the archive's directories: %m", o->dir);
	for (size_t r = 0; r < ELEMENTSOF(top_roles) && k >= 0; r++) {
		unsigned n = r == 0 ? root_keys : 1;
		json_t *ids = json_array();

		for (unsigned i = 0; i < n && k >= 0; i++) {
			struct keyfile kf;

			k = key_generate(o, top_roles[r], &kf);
			if (k >= 0) {
				json_object_set_new(keys, kf.keyid, tuf_ed25519_key_json(kf.pk));
				json_array_append_new(ids, json_string(kf.keyid));
			}
			sodium_memzero(&kf, sizeof(kf));
		}
		json_object_set_new(roles, top_roles[r],
				    json_pack("{s:o, s:i}", "keyids", ids, "threshold", (int)n));
	}
	if (k < 0) {
		json_decref(keys);
		json_decref(roles);
		return k;
	}
	s.root = new_signed("root", 1, o->now + o->expiry.root);
	s.targets = new_signed("targets", 0, o->now);
	s.snapshot = new_signed("snapshot", 0, o->now);
	s.timestamp = new_signed("timestamp", 0, o->now);
	json_object_set_new(s.root, "consistent_snapshot", json_true());
	json_object_set_new(s.root, "keys", keys);
	json_object_set_new(s.root, "roles", roles);
	json_object_set_new(s.targets, "targets", json_object());
	json_object_set_new(s.snapshot, "meta", json_object());
	json_object_set_new(s.timestamp, "meta", json_object());
	k = sign_write(o, s.root, "root", s.root, "1.root.json", NULL, NULL);
	if (k >= 0)
		k = write_chain(o, &s, true, true);
	state_free(&s);
	return k;
}

static int hash_file(const char *data, size_t len, char sha256[65], char sha512[129])
{
	unsigned char d256[crypto_hash_sha256_BYTES], d512[crypto_hash_sha512_BYTES];

	crypto_hash_sha256(d256, (const unsigned char *)data, len);
	crypto_hash_sha512(d512, (const unsigned char *)data, len);
	sodium_bin2hex(sha256, 65, d256, sizeof(d256));
	sodium_bin2hex(sha512, 129, d512, sizeof(d512));
	return 0;
}

int archive_publish(const struct archive_opts *o, const char *module, const struct publish_info *p,
		    char **ret_path)
{
	_cleanup_free_ char *data = NULL, *name = NULL, *dir = NULL, *file = NULL, *tpath = NULL,
			     *patch_id = NULL;
	char sha256[65], sha512[129], when[21];
	struct state s;
	const char *base = strrchr(module, '/') ? strrchr(module, '/') + 1 : module;
	json_t *targets, *cves, *replaces = json_array(), *entry;
	const char *path;
	int64_t patch_version = 1;
	size_t len;
	int k;

	if (!name_valid(p->kernel_release))
		return log_error_errno(EINVAL, "--kernel '%s': not a kernel release name",
				       p->kernel_release);
	if (!name_valid(base) || strlen(base) < 4 || !streq(base + strlen(base) - 3, ".ko"))
		return log_error_errno(EINVAL, "%s: expected a NAME.ko module file", module);
	patch_id = p->patch_id ? strdup(p->patch_id) : strndup(base, strlen(base) - 3);
	if (!patch_id || !name_valid(patch_id))
		return log_error_errno(EINVAL, "--patch-id '%s': letters, digits, '.', '_', '-', '+'",
				       strempty(patch_id));
	if (p->build_id && (strlen(p->build_id) > 128 || strspn(p->build_id, "0123456789abcdef") !=
							     strlen(p->build_id)))
		return log_error_errno(EINVAL, "--build-id: expected lowercase hex");
	if (p->channel && !name_valid(p->channel))
		return log_error_errno(EINVAL, "--channel '%s': not a channel name", p->channel);
	k = read_file_bounded(module, MODULE_MAX, &data, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", module);
	if (len < 4 || memcmp(data, "\177ELF", 4) != 0)
		return log_error_errno(EINVAL, "%s: not an ELF file, so not a kernel module", module);
	hash_file(data, len, sha256, sha512);

	k = state_load(o, &s);
	if (k < 0)
		return k;
	/* consistent snapshots: the file is stored under its hash */
	dir = path_of(o, "targets", p->kernel_release);
	if (!dir || asprintf(&file, "%s/%s.%s", dir, sha256, base) < 0 ||
	    asprintf(&tpath, "%s/%s", p->kernel_release, base) < 0) {
		state_free(&s);
		return -ENOMEM;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		state_free(&s);
		return log_error_errno(errno, "%s: %m", dir);
	}
	k = write_file_atomic(file, data, len, 0644);
	if (k < 0) {
		state_free(&s);
		return log_error_errno(k, "%s: %m", file);
	}
	targets = json_object_get(s.targets, "targets");
	json_object_foreach(targets, path, entry) {
		json_t *c = json_object_get(entry, "custom");

		if (streq(strempty(json_string_value(json_object_get(c, "patch_id"))), patch_id) &&
		    streq(strempty(json_string_value(json_object_get(c, "kernel_release"))),
			  p->kernel_release)) {
			int64_t pv = json_integer_value(json_object_get(c, "patch_version"));

			if (pv >= patch_version)
				patch_version = pv + 1;
			if (!streq(path, tpath))
				json_array_append_new(replaces, json_string(path));
		}
	}
	cves = json_array();
	for (unsigned i = 0; i < p->n_cves; i++)
		json_array_append_new(cves, json_string(p->cves[i]));
	tuf_format_expires(o->now, when);
	json_object_set_new(targets, tpath,
		json_pack("{s:I, s:{s:s, s:s}, s:{s:s, s:s?, s:o, s:s, s:I, s:s, s:o, s:s}}",
			  "length", (json_int_t)len, "hashes", "sha256", sha256, "sha512", sha512,
			  "custom", "kernel_release", p->kernel_release, "build_id", p->build_id,
			  "cves", cves, "patch_id", patch_id, "patch_version",
			  (json_int_t)patch_version, "channel", p->channel ? p->channel : "stable",
			  "replaces", replaces, "published", when));
	k = write_chain(o, &s, true, true);
	state_free(&s);
	if (k >= 0 && ret_path)
		*ret_path = TAKE_PTR(tpath);
	return k;
}

int archive_revoke(const struct archive_opts *o, const char *patch_id)
{
	struct state s;
	json_t *targets, *entry, *revoked, *tmp;
	const char *path;
	char when[21];
	unsigned removed = 0;
	int k;

	if (!name_valid(patch_id))
		return log_error_errno(EINVAL, "'%s' is not a patch id", patch_id);
	k = state_load(o, &s);
	if (k < 0)
		return k;
	targets = json_object_get(s.targets, "targets");
	json_object_foreach_safe(targets, tmp, path, entry) {
		if (streq(strempty(json_string_value(json_object_get(json_object_get(entry, "custom"),
								     "patch_id"))), patch_id)) {
			json_object_del(targets, path);
			removed++;
		}
	}
	revoked = json_object_get(s.targets, "x-tuxtape-revoked");
	if (!revoked) {
		revoked = json_array();
		json_object_set_new(s.targets, "x-tuxtape-revoked", revoked);
	}
	tuf_format_expires(o->now, when);
	json_array_append_new(revoked, json_pack("{s:s, s:s}", "patch_id", patch_id, "revoked", when));
	if (removed == 0)
		log_warning("no target has patch id %s; recording the revocation anyway", patch_id);
	k = write_chain(o, &s, true, true);
	state_free(&s);
	return k;
}

int archive_timestamp(const struct archive_opts *o)
{
	struct state s;
	int64_t snap_expires;
	bool resign_snapshot;
	int k = state_load(o, &s);

	if (k < 0)
		return k;
	/* keep the snapshot alive: re-sign it when it would expire before the next timestamps */
	tuf_parse_expires(json_string_value(json_object_get(s.snapshot, "expires")), &snap_expires);
	resign_snapshot = snap_expires < o->now + 2 * o->expiry.timestamp;
	k = write_chain(o, &s, false, resign_snapshot);
	state_free(&s);
	return k;
}

int archive_rotate(const struct archive_opts *o, const char *role)
{
	struct state s;
	struct keyfile kf;
	json_t *roles, *r, *keys, *old_root;
	char name[64];
	int k;

	if (!streq(role, "root") && !streq(role, "targets") && !streq(role, "snapshot") &&
	    !streq(role, "timestamp"))
		return log_error_errno(EINVAL, "'%s' is not a role (root, targets, snapshot, "
				       "timestamp)", role);
	k = state_load(o, &s);
	if (k < 0)
		return k;
	old_root = json_deep_copy(s.root);
	roles = json_object_get(s.root, "roles");
	r = json_object_get(roles, role);
	keys = json_object_get(s.root, "keys");
	{
		/* the new keys replace the old ones one for one, same threshold */
		size_t n = json_array_size(json_object_get(r, "keyids")), i;
		json_t *ids = json_array(), *v;

		json_array_foreach(json_object_get(r, "keyids"), i, v)
			json_object_del(keys, json_string_value(v));
		for (i = 0; i < n && k >= 0; i++) {
			k = key_generate(o, role, &kf);
			if (k >= 0) {
				json_object_set_new(keys, kf.keyid, tuf_ed25519_key_json(kf.pk));
				json_array_append_new(ids, json_string(kf.keyid));
			}
			sodium_memzero(&kf, sizeof(kf));
		}
		json_object_set_new(r, "keyids", ids);
	}
	if (k >= 0)
		k = bump(s.root, o->now + o->expiry.root);
	if (k >= 0) {
		/* signed by the old root keys and, for a root rotation, the new ones too */
		struct keyfile old[16], cur[16];
		size_t no = 0, nc = 0;
		json_t *sigs = json_array(), *env;
		char *text;
		_cleanup_free_ char *path = NULL;

		k = keys_for(o, old_root, "root", old, ELEMENTSOF(old), &no);
		if (k >= 0)
			k = keys_for(o, s.root, "root", cur, ELEMENTSOF(cur), &nc);
		if (k >= 0 && no < (size_t)json_integer_value(json_object_get(
					    json_object_get(json_object_get(old_root, "roles"), "root"),
					    "threshold")))
			k = log_error_errno(ENOKEY, "rotation needs the current root keys "
					    "(threshold) in the key directory");
		for (size_t i = 0; k >= 0 && i < no + nc; i++) {
			struct keyfile *kp = i < no ? &old[i] : &cur[i - no];
			json_t *sig;
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = streq((j < no ? &old[j] : &cur[j - no])->keyid, kp->keyid);
			if (seen)
				continue;
			k = tuf_sign_ed25519(s.root, kp->sk, kp->keyid, &sig);
			if (k >= 0)
				json_array_append_new(sigs, sig);
		}
		sodium_memzero(old, sizeof(old));
		sodium_memzero(cur, sizeof(cur));
		snprintf(name, sizeof(name), "%lld.root.json",
			 (long long)json_integer_value(json_object_get(s.root, "version")));
		env = json_pack("{s:O, s:o}", "signed", s.root, "signatures", sigs);
		text = env ? json_dumps(env, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
		json_decref(env);
		path = path_of(o, "metadata", name);
		if (k >= 0 && text && path)
			k = write_file_atomic(path, text, strlen(text), 0644);
		free(text);
	}
	json_decref(old_root);
	/* the rotated role's metadata is re-signed with its new key, and what depends on it */
	if (k >= 0)
		k = write_chain(o, &s, streq(role, "targets"), streq(role, "snapshot"));
	state_free(&s);
	return k;
}

/* Reads metadata/NAME (bounded) and parses its envelope. */
static int read_meta(const struct archive_opts *o, const char *name, const char *type,
		     struct tuf_envelope *e, char **bytes, size_t *len)
{
	_cleanup_free_ char *path = path_of(o, "metadata", name);
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
	hash_file(data, len, sha256, sha512);
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

int archive_verify(const struct archive_opts *o, struct verify_report *rep)
{
	struct tuf_envelope root, ts = { 0 }, sn = { 0 }, tg = { 0 };
	char *bytes = NULL, name[64];
	size_t len;
	int k;

	memset(rep, 0, sizeof(*rep));
	/* the root chain: 1.root.json signs itself; each next one is signed by both */
	k = read_meta(o, "1.root.json", "root", &root, &bytes, &len);
	free(bytes);
	if (k < 0)
		return k;
	k = verify_role(&root, root.signed_obj, "root", "1.root.json");
	while (k >= 0) {
		struct tuf_envelope next;
		_cleanup_free_ char *p = NULL;
		struct stat st;

		snprintf(name, sizeof(name), "%lld.root.json", (long long)root.version + 1);
		p = path_of(o, "metadata", name);
		if (!p || stat(p, &st) < 0)
			break;
		k = read_meta(o, name, "root", &next, &bytes, &len);
		free(bytes);
		if (k < 0)
			break;
		k = verify_role(&next, root.signed_obj, "root", name);
		if (k >= 0)
			k = verify_role(&next, next.signed_obj, "root", name);
		if (k >= 0 && next.version != root.version + 1)
			k = log_error_errno(EBADMSG, "%s: says version %lld", name,
					    (long long)next.version);
		tuf_envelope_free(&root);
		root = next;
	}
	if (k >= 0)
		k = check_expiry(o, &root, "root");
	rep->root_version = root.version;

	if (k >= 0)
		k = read_meta(o, "timestamp.json", "timestamp", &ts, &bytes, &len);
	free(bytes);
	bytes = NULL;
	if (k >= 0)
		k = verify_role(&ts, root.signed_obj, "timestamp", "timestamp.json");
	if (k >= 0)
		k = check_expiry(o, &ts, "timestamp.json");

	if (k >= 0) {
		snprintf(name, sizeof(name), "%lld.snapshot.json",
			 (long long)meta_version(ts.signed_obj, "snapshot.json"));
		k = read_meta(o, name, "snapshot", &sn, &bytes, &len);
	}
	if (k >= 0)
		k = check_hashes(name, bytes, len, json_object_get(json_object_get(ts.signed_obj,
								"meta"), "snapshot.json"));
	free(bytes);
	bytes = NULL;
	if (k >= 0)
		k = verify_role(&sn, root.signed_obj, "snapshot", name);
	if (k >= 0 && sn.version != meta_version(ts.signed_obj, "snapshot.json"))
		k = log_error_errno(EBADMSG, "%s: version %lld, timestamp says %lld", name,
				    (long long)sn.version,
				    (long long)meta_version(ts.signed_obj, "snapshot.json"));
	if (k >= 0)
		k = check_expiry(o, &sn, name);

	if (k >= 0) {
		snprintf(name, sizeof(name), "%lld.targets.json",
			 (long long)meta_version(sn.signed_obj, "targets.json"));
		k = read_meta(o, name, "targets", &tg, &bytes, &len);
	}
	if (k >= 0)
		k = check_hashes(name, bytes, len, json_object_get(json_object_get(sn.signed_obj,
								"meta"), "targets.json"));
	free(bytes);
	if (k >= 0)
		k = verify_role(&tg, root.signed_obj, "targets", name);
	if (k >= 0 && tg.version != meta_version(sn.signed_obj, "targets.json"))
		k = log_error_errno(EBADMSG, "%s: version %lld, snapshot says %lld", name,
				    (long long)tg.version,
				    (long long)meta_version(sn.signed_obj, "targets.json"));
	if (k >= 0)
		k = check_expiry(o, &tg, name);
	if (k >= 0)
		k = verify_targets_files(o, json_object_get(tg.signed_obj, "targets"), &rep->targets);
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
