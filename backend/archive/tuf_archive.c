/* SPDX-License-Identifier: GPL-2.0-only */
#include "tuf_archive.h"
#include "tuf_archive_internal.h"

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
#include "modinfo.h"
#include "tuf/tuf_meta.h"
#include "util.h"

#define SPEC_VERSION "1.0.31"

static const char *const top_roles[] = { "root", "targets", "snapshot", "timestamp" };


void archive_default_expiry(struct archive_expiry *e)
{
	e->root = 365 * 86400;
	e->targets = 30 * 86400;
	e->snapshot = 7 * 86400;
	e->timestamp = 86400;
}

char *archive_path_of(const struct archive_opts *o, const char *sub, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s%s", o->dir, sub, name ? "/" : "", name ? name : "") < 0)
		return NULL;
	return p;
}

static char *key_dir(const struct archive_opts *o)
{
	return o->keys ? strdup(o->keys) : archive_path_of(o, "keys", NULL);
}

bool archive_name_valid(const char *s)
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

int archive_key_generate(const struct archive_opts *o, const char *in, const char *role,
			 struct keyfile *kf)
{
	_cleanup_free_ char *dir = in ? strdup(in) : key_dir(o), *path = NULL, *text = NULL;
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

static void keys_in(const char *dir, const json_t *ids, struct keyfile *out, size_t max,
		    size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) && *n < max) {
		struct keyfile kf;
		_cleanup_free_ char *p = NULL;
		bool dup = false;
		size_t i;
		json_t *v;

		if (!strstr(de->d_name, ".key") || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (key_read(p, &kf) < 0)
			continue;
		for (i = 0; i < *n && !dup; i++)
			dup = streq(out[i].keyid, kf.keyid);
		json_array_foreach(ids, i, v)
			if (!dup && streq(json_string_value(v), kf.keyid))
				out[(*n)++] = kf;
		sodium_memzero(&kf, sizeof(kf));
	}
	if (d)
		closedir(d);
}

/* The private keys at hand for keyids: in --keys, and in DIR/keys (the online keys, when
 * --keys names where the offline ones are). */
int archive_keys_for_ids(const struct archive_opts *o, const json_t *ids, struct keyfile *out,
			 size_t max, size_t *n)
{
	_cleanup_free_ char *dir = key_dir(o), *own = archive_path_of(o, "keys", NULL);

	*n = 0;
	if (!dir || !own)
		return -ENOMEM;
	if (access(dir, F_OK) < 0)
		return log_error_errno(errno, "%s: cannot open key directory: %m", dir);
	keys_in(dir, ids, out, max, n);
	if (!streq(dir, own))
		keys_in(own, ids, out, max, n);
	if (o->offline_targets) /* init: the new offline key signs once before it leaves */
		keys_in(o->offline_targets, ids, out, max, n);
	return 0;
}

/* The private keys at hand for the keyids a role lists. */
static int keys_for(const struct archive_opts *o, const json_t *root, const char *role,
		    struct keyfile *out, size_t max, size_t *n)
{
	return archive_keys_for_ids(o, json_object_get(json_object_get(json_object_get(root,
				    "roles"), role), "keyids"), out, max, n);
}

/* ---- metadata files ---- */

json_t *archive_new_signed(const char *type, int64_t version, int64_t expires)
{
	char exp[21];

	if (tuf_format_expires(expires, exp) < 0)
		return NULL;
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version", SPEC_VERSION,
			 "version", (json_int_t)version, "expires", exp);
}

int archive_bump(json_t *signed_obj, int64_t expires)
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
	return archive_sign_write(o, json_object_get(json_object_get(json_object_get(root, "roles"),
				  role), "keyids"), role, signed_obj, name, ret_bytes, ret_len);
}

int archive_sign_write(const struct archive_opts *o, const json_t *ids, const char *role,
		       json_t *signed_obj, const char *name, char **ret_bytes, size_t *ret_len)
{
	struct keyfile keys[16];
	size_t n = 0;
	json_t *sigs = json_array(), *env;
	_cleanup_free_ char *path = archive_path_of(o, "metadata", name);
	char *text;
	int k;

	k = archive_keys_for_ids(o, ids, keys, ELEMENTSOF(keys), &n);
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
	/* what nodes download over and over goes without indentation (a third of the bytes of
	 * a targets role); the root, read rarely and checked by people, stays indented */
	text = env ? json_dumps(env, JSON_SORT_KEYS | (streq(role, "root") ? JSON_INDENT(1)
									   : JSON_COMPACT)) : NULL;
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

int archive_read_signed(const struct archive_opts *o, const char *name, const char *type,
			json_t **ret)
{
	_cleanup_free_ char *path = archive_path_of(o, "metadata", name), *text = NULL;
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

void archive_state_free(struct state *s)
{
	json_decref(s->root);
	json_decref(s->targets);
	json_decref(s->snapshot);
	json_decref(s->timestamp);
	json_decref(s->top);
	json_decref(s->roles);
	memset(s, 0, sizeof(*s));
}

/* The current metadata: the newest N.root.json, timestamp.json and what it points at. */
int archive_state_load(const struct archive_opts *o, struct state *s)
{
	char name[64];
	int64_t v;
	int k;

	memset(s, 0, sizeof(*s));
	for (v = 1;; v++) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		snprintf(name, sizeof(name), "%lld.root.json", (long long)(v + 1));
		p = archive_path_of(o, "metadata", name);
		if (!p)
			return -ENOMEM;
		if (stat(p, &st) < 0)
			break;
	}
	s->root_version = v;
	snprintf(name, sizeof(name), "%lld.root.json", (long long)v);
	k = archive_read_signed(o, name, "root", &s->root);
	if (k >= 0)
		k = archive_read_signed(o, "timestamp.json", "timestamp", &s->timestamp);
	if (k >= 0) {
		v = json_integer_value(json_object_get(
			json_object_get(json_object_get(s->timestamp, "meta"), "snapshot.json"),
			"version"));
		snprintf(name, sizeof(name), "%lld.snapshot.json", (long long)v);
		k = archive_read_signed(o, name, "snapshot", &s->snapshot);
	}
	if (k >= 0) {
		v = json_integer_value(json_object_get(
			json_object_get(json_object_get(s->snapshot, "meta"), "targets.json"),
			"version"));
		snprintf(name, sizeof(name), "%lld.targets.json", (long long)v);
		k = archive_read_signed(o, name, "targets", &s->targets);
	}
	if (k >= 0)
		k = archive_delegated_load(o, s);
	if (k < 0) {
		archive_state_free(s);
		return log_error_errno(k, "%s: not a readable archive (run 'archive init' first?)",
				       o->dir);
	}
	return 0;
}

static int write_pinned(const struct archive_opts *o, const struct state *s, const char *role,
			json_t *signed_obj, json_t *referrer)
{
	return archive_write_pinned(o, json_object_get(json_object_get(json_object_get(s->root,
				    "roles"), role), "keyids"), role, signed_obj, referrer,
				    false);
}

/* Signs and writes VERSION.ROLE.json, and pins it in referrer's meta by version, and unless
 * by_version alone by length and sha256: the length bounds what a client downloads, the hash
 * names the exact file. */
int archive_write_pinned(const struct archive_opts *o, const json_t *ids, const char *role,
			 json_t *signed_obj, json_t *referrer, bool by_version)
{
	_cleanup_free_ char *bytes = NULL;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65], name[128], file[96];
	json_t *version = json_object_get(signed_obj, "version");
	size_t len;
	int k;

	snprintf(name, sizeof(name), "%lld.%s.json", (long long)json_integer_value(version), role);
	snprintf(file, sizeof(file), "%s.json", role);
	k = archive_sign_write(o, ids, role, signed_obj, name, &bytes, &len);
	if (k < 0)
		return k;
	if (by_version)
		return json_object_set_new(json_object_get(referrer, "meta"), file,
					   json_pack("{s:O}", "version", version)) < 0 ? -ENOMEM : 0;
	crypto_hash_sha256(digest, (unsigned char *)bytes, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (json_object_set_new(json_object_get(referrer, "meta"), file,
				json_pack("{s:O, s:I, s:{s:s}}", "version", version, "length",
					  (json_int_t)len, "hashes", "sha256", hex)) < 0)
		return -ENOMEM;
	return 0;
}

/* targets changed (or not): new snapshot, then timestamp.json, last. */
int archive_write_chain(const struct archive_opts *o, struct state *s, bool targets_changed,
		       bool snapshot_changed)
{
	int k;

	if (s->top) {
		/* the roles that changed (or would soon expire) are signed again */
		k = archive_delegated_write(o, s);
		if (k < 0)
			return k;
		snapshot_changed = snapshot_changed || k > 0;
		targets_changed = false;
	}
	if (targets_changed) {
		k = archive_bump(s->targets, o->now + o->expiry.targets);
		if (k >= 0)
			k = write_pinned(o, s, "targets", s->targets, s->snapshot);
		if (k < 0)
			return k;
	}
	if (targets_changed || snapshot_changed) {
		k = archive_bump(s->snapshot, o->now + o->expiry.snapshot);
		if (k < 0)
			return k;
	}
	k = write_pinned(o, s, "snapshot", s->snapshot, s->timestamp);
	if (k >= 0)
		k = archive_bump(s->timestamp, o->now + o->expiry.timestamp);
	if (k < 0)
		return k;
	return sign_write(o, s->root, "timestamp", s->timestamp, "timestamp.json", NULL, NULL);
}

int archive_init(const struct archive_opts *o, unsigned root_keys)
{
	_cleanup_free_ char *meta = archive_path_of(o, "metadata", NULL), *tgt = archive_path_of(o, "targets", NULL),
			     *first = archive_path_of(o, "metadata", "1.root.json");
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
	if (o->bins && !o->offline_targets)
		return log_error_errno(EINVAL, "--bins: needs --offline-targets (the bins are the "
				       "online role's)");
	if (o->bins && o->bins != 16 && o->bins != 256)
		return log_error_errno(EINVAL, "--bins: 16 or 256");
	for (size_t r = 0; r < ELEMENTSOF(top_roles) && k >= 0; r++) {
		unsigned n = r == 0 ? root_keys : 1;
		json_t *ids = json_array();

		for (unsigned i = 0; i < n && k >= 0; i++) {
			struct keyfile kf;

			k = archive_key_generate(o, r == 1 ? o->offline_targets : NULL,
						 top_roles[r], &kf);
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
	s.root = archive_new_signed("root", 1, o->now + o->expiry.root);
	s.targets = archive_new_signed("targets", 0, o->now);
	s.snapshot = archive_new_signed("snapshot", 0, o->now);
	s.timestamp = archive_new_signed("timestamp", 0, o->now);
	json_object_set_new(s.root, "consistent_snapshot", json_true());
	json_object_set_new(s.root, "keys", keys);
	json_object_set_new(s.root, "roles", roles);
	json_object_set_new(s.targets, "targets", json_object());
	json_object_set_new(s.snapshot, "meta", json_object());
	json_object_set_new(s.timestamp, "meta", json_object());
	k = sign_write(o, s.root, "root", s.root, "1.root.json", NULL, NULL);
	if (k >= 0 && o->offline_targets)
		k = archive_delegated_init(o, &s);
	if (k >= 0)
		k = archive_write_chain(o, &s, true, true);
	archive_state_free(&s);
	return k;
}

void archive_hash(const char *data, size_t len, char sha256[65], char sha512[129])
{
	unsigned char d256[crypto_hash_sha256_BYTES], d512[crypto_hash_sha512_BYTES];

	crypto_hash_sha256(d256, (const unsigned char *)data, len);
	crypto_hash_sha512(d512, (const unsigned char *)data, len);
	sodium_bin2hex(sha256, 65, d256, sizeof(d256));
	sodium_bin2hex(sha512, 129, d512, sizeof(d512));
}

/* What nodes load is a livepatch kernel module: a relocatable ELF with the module structure
 * (.gnu.linkonce.this_module) and "livepatch=Y" in its .modinfo. Checked here so that an
 * ordinary module (or any other ELF) never reaches the archive. */
static int check_livepatch_module(const char *module, const char *data, size_t len)
{
	struct modinfo m;
	const char *why = NULL;

	if (modinfo_parse(data, len, &m) < 0)
		why = "not a kernel module (not an ELF64 object with a .modinfo section)";
	else if (!m.relocatable || !m.this_module)
		why = "not a kernel module (not a relocatable object with "
		      ".gnu.linkonce.this_module)";
	else if (!m.livepatch)
		why = "a kernel module but not a livepatch (no livepatch=Y in its .modinfo)";
	if (why)
		return log_error_errno(EINVAL, "%s: %s", module, why);
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
	json_t *targets, *cves, *replaces, *entry, *custom;
	const char *path, *channel = p->channel ? p->channel : "stable";
	int64_t patch_version = 1, series_seq = 0;
	size_t len;
	int k;

	if (!archive_name_valid(p->kernel_release))
		return log_error_errno(EINVAL, "--kernel '%s': not a kernel release name",
				       p->kernel_release);
	if (!archive_name_valid(base) || strlen(base) < 4 || !streq(base + strlen(base) - 3, ".ko"))
		return log_error_errno(EINVAL, "%s: expected a NAME.ko module file", module);
	patch_id = p->patch_id ? strdup(p->patch_id) : strndup(base, strlen(base) - 3);
	if (!patch_id || !archive_name_valid(patch_id))
		return log_error_errno(EINVAL, "--patch-id '%s': letters, digits, '.', '_', '-', '+'",
				       strempty(patch_id));
	if (p->build_id && (strlen(p->build_id) > 128 || strspn(p->build_id, "0123456789abcdef") !=
							     strlen(p->build_id)))
		return log_error_errno(EINVAL, "--build-id: expected lowercase hex");
	if (p->series && !archive_name_valid(p->series))
		return log_error_errno(EINVAL, "--series '%s': not a series name", p->series);
	if (p->content && (strlen(p->content) > 128 ||
			   strspn(p->content, "0123456789abcdef") != strlen(p->content)))
		return log_error_errno(EINVAL, "content digest: expected lowercase hex");
	if (p->channel && !archive_name_valid(p->channel))
		return log_error_errno(EINVAL, "--channel '%s': not a channel name", p->channel);
	k = read_file_bounded(module, MODULE_MAX, &data, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m", module);
	if (len < 4 || memcmp(data, "\177ELF", 4) != 0)
		return log_error_errno(EINVAL, "%s: not an ELF file, so not a kernel module", module);
	if (!p->any_module) {
		k = check_livepatch_module(module, data, len);
		if (k < 0)
			return k;
	}
	archive_hash(data, len, sha256, sha512);

	k = archive_state_load(o, &s);
	if (k >= 0 && (k = archive_channel_writable(o, &s, channel)) < 0)
		archive_state_free(&s);
	if (k < 0)
		return k;
	/* consistent snapshots: the file is stored under its hash */
	dir = archive_path_of(o, "targets", p->kernel_release);
	if (!dir || asprintf(&file, "%s/%s.%s", dir, sha256, base) < 0 ||
	    asprintf(&tpath, "%s/%s", p->kernel_release, base) < 0) {
		archive_state_free(&s);
		return -ENOMEM;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		archive_state_free(&s);
		return log_error_errno(errno, "%s: %m", dir);
	}
	k = write_file_atomic(file, data, len, 0644);
	if (k < 0) {
		archive_state_free(&s);
		return log_error_errno(k, "%s: %m", file);
	}
	targets = json_object_get(s.targets, "targets");
	replaces = json_array(); /* here: every return above would leak it */
	if (p->series)
		series_seq = archive_series_take(targets, p->series, p->kernel_release, tpath,
						 channel, replaces);
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
	custom = json_pack("{s:s, s:s?, s:o, s:s, s:I, s:s, s:[s], s:o, s:s, s:s*, s:s*}",
			   "kernel_release", p->kernel_release, "build_id", p->build_id,
			   "cves", cves, "patch_id", patch_id, "patch_version",
			   (json_int_t)patch_version, "channel", channel, "channels", channel,
			   "replaces", replaces, "published", when, "series", p->series,
			   "content", p->content);
	if (custom && p->series)
		json_object_set_new(custom, "series_seq", json_integer(series_seq));
	json_object_set_new(targets, tpath,
		json_pack("{s:I, s:{s:s, s:s}, s:o}", "length", (json_int_t)len, "hashes",
			  "sha256", sha256, "sha512", sha512, "custom", custom));
	k = archive_write_chain(o, &s, true, true);
	archive_state_free(&s);
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

	if (!archive_name_valid(patch_id))
		return log_error_errno(EINVAL, "'%s' is not a patch id", patch_id);
	k = archive_state_load(o, &s);
	if (k < 0)
		return k;
	targets = json_object_get(s.targets, "targets");
	json_object_foreach_safe(targets, tmp, path, entry) {
		json_t *custom = json_object_get(entry, "custom");

		if (streq(strempty(json_string_value(json_object_get(custom, "patch_id"))),
			  patch_id)) {
			json_incref(custom);
			json_object_del(targets, path);
			/* the series' previous target serves the revoked one's channels again */
			archive_series_restore(targets, custom);
			json_decref(custom);
			removed++;
		}
	}
	revoked = json_object_get(s.targets, "x-tuxtape-revoked");
	if (removed == 0) {
		/* a typo must not become a revocation nodes act on */
		bool again = false;
		size_t i;
		json_t *r;

		json_array_foreach(revoked, i, r)
			again = again || streq_ptr(json_string_value(json_object_get(r, "patch_id")),
						   patch_id);
		archive_state_free(&s);
		return log_error_errno(again ? EALREADY : ENOENT, again ?
				       "%s: already revoked" : "no target has patch id '%s' "
				       "(nothing to revoke)", patch_id);
	}
	if (!revoked) {
		revoked = json_array();
		json_object_set_new(s.targets, "x-tuxtape-revoked", revoked);
	}
	tuf_format_expires(o->now, when);
	json_array_append_new(revoked, json_pack("{s:s, s:s}", "patch_id", patch_id, "revoked", when));
	k = archive_write_chain(o, &s, true, true);
	archive_state_free(&s);
	return k;
}

int archive_timestamp(const struct archive_opts *o)
{
	struct state s;
	int64_t snap_expires;
	bool resign_snapshot;
	int k = archive_state_load(o, &s);

	if (k < 0)
		return k;
	if (s.top) {
		int64_t top_expires = 0;
		char when[21] = "";

		tuf_parse_expires(json_string_value(json_object_get(s.top, "expires")),
				  &top_expires);
		tuf_format_expires(top_expires, when);
		/* its key is offline: all this can do is say so, early */
		if (top_expires < o->now + 14 * 86400)
			log_warning("%s: the top-level targets (signed offline) expires %s: sign it "
				    "again with 'archive sign %s --keys OFFLINE-DIR'", o->dir, when,
				    o->dir);
	}
	/* keep the snapshot alive: re-sign it when it would expire before the next timestamps */
	tuf_parse_expires(json_string_value(json_object_get(s.snapshot, "expires")), &snap_expires);
	resign_snapshot = snap_expires < o->now + 2 * o->expiry.timestamp;
	k = archive_write_chain(o, &s, false, resign_snapshot);
	archive_state_free(&s);
	return k;
}

int archive_rotate(const struct archive_opts *o, const char *role)
{
	struct state s;
	struct keyfile kf;
	json_t *roles, *r, *keys, *old_root;
	char name[64];
	int k;

	if (streq(role, "online"))
		return archive_rotate_online(o);
	if (!streq(role, "root") && !streq(role, "targets") && !streq(role, "snapshot") &&
	    !streq(role, "timestamp"))
		return log_error_errno(EINVAL, "'%s' is not a role (root, targets, snapshot, "
				       "timestamp, online)", role);
	k = archive_state_load(o, &s);
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
			k = archive_key_generate(o, NULL, role, &kf);
			if (k >= 0) {
				json_object_set_new(keys, kf.keyid, tuf_ed25519_key_json(kf.pk));
				json_array_append_new(ids, json_string(kf.keyid));
			}
			sodium_memzero(&kf, sizeof(kf));
		}
		json_object_set_new(r, "keyids", ids);
	}
	if (k >= 0)
		k = archive_bump(s.root, o->now + o->expiry.root);
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
		path = archive_path_of(o, "metadata", name);
		if (k >= 0 && text && path)
			k = write_file_atomic(path, text, strlen(text), 0644);
		free(text);
	}
	json_decref(old_root);
	/* the rotated role's metadata is re-signed with its new key, and what depends on it */
	s.top_changed = s.top && streq(role, "targets");
	if (k >= 0)
		k = archive_write_chain(o, &s, streq(role, "targets"), streq(role, "snapshot"));
	archive_state_free(&s);
	return k;
}
