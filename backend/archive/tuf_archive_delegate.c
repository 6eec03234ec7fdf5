/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An archive whose top-level targets key stays offline. The top-level targets role
 * delegates every RELEASE/NAME.ko path to the role "online", terminating, whose key the
 * pipeline holds: whoever takes the backend machine can sign modules until the operator
 * notices, and revoking that is one offline signature (archive sign after a rotation),
 * not a new root. With bins, "online" carries no targets itself and delegates each
 * kernel release to one of 16 or 256 bin roles by patterns "RELEASE/" and a star: a node
 * reads its release's bin and no other. (Bins by path_hash_prefixes would hash whole target
 * paths, which a node does not know before it has read the metadata, so it would need every
 * bin.) A release new to the archive goes to the bin holding the fewest releases, so two
 * releases share a bin only once every bin holds one, and stays there: its pattern in
 * online is what nodes follow. The snapshot pins the delegated roles by version alone (their
 * signatures authenticate them; length and hashes per role made up most of the snapshot).
 * Everything that changes targets works on a view that holds them all (struct state);
 * archive_delegated_write() puts each target back in its role and signs the roles whose
 * content changed, or that would expire before two more timestamps.
 */
#include "tuf_archive.h"
#include "tuf_archive_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define ONLINE "online"
#define CHANNEL_ROLE "channel-"

static bool is_channel_role(const char *name)
{
	return name && !strncmp(name, CHANNEL_ROLE, strlen(CHANNEL_ROLE));
}

/* custom's channels (taking list); "channel", read by older agents, names the first */
static void set_channel_list(json_t *custom, json_t *list)
{
	if (json_array_size(list))
		json_object_set_new(custom, "channel", json_string(json_string_value(
			json_array_get(list, 0))));
	else
		json_object_del(custom, "channel");
	json_object_set_new(custom, "channels", list);
}

static bool keys_at_hand(const struct archive_opts *o, const json_t *ids)
{
	struct keyfile kf[4];
	size_t n = 0;
	bool ok = archive_keys_for_ids(o, ids, kf, 4, &n) >= 0 && n > 0;

	sodium_memzero(kf, sizeof(kf));
	return ok;
}

/* The top-level targets' delegation to role, or NULL. */
static const json_t *top_delegation(const struct state *s, const char *role)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(s->top, "delegations"), "roles"), i, v)
		if (streq_ptr(json_string_value(json_object_get(v, "name")), role))
			return v;
	return NULL;
}

int archive_channel_writable(const struct archive_opts *o, const struct state *s,
			     const char *channel)
{
	_cleanup_free_ char *role = NULL;
	const json_t *d;

	if (!s->top)
		return 0;
	if (asprintf(&role, CHANNEL_ROLE "%s", channel) < 0)
		return -ENOMEM;
	d = top_delegation(s, role);
	if (d && !keys_at_hand(o, json_object_get(d, "keyids")))
		return log_error_errno(ENOKEY, "channel %s is delegated to a key of its own, not "
				       "on this machine: give its directory with --keys", channel);
	return 0;
}

static json_t *delegation(const char *name, const json_t *ids, const char *pattern,
			  bool terminating)
{
	return json_pack("{s:s, s:O, s:i, s:b, s:[s*]}", "name", name, "keyids", ids,
			 "threshold", 1, "terminating", terminating, "paths", pattern);
}

/* Where the targets go with bins: the bin of each release (its "RELEASE/" star pattern in
 * online's delegations, which only grow), and how loaded each bin is. */
struct bin_map {
	json_t *roles;   /* online's delegations to the bins, in the roles being written */
	json_t *where;   /* pattern -> the bin's index in roles */
	json_t *fresh;   /* the patterns this write added */
	size_t n;
	unsigned releases[256], targets[256];
};

static void bin_map_free(struct bin_map *m)
{
	json_decref(m->where);
	json_decref(m->fresh);
}

/* "RELEASE/" and a star for RELEASE/NAME, or NULL when path has no release. */
static char *release_pattern(const char *path)
{
	const char *slash = strchr(path, '/');
	char *p = NULL;

	if (!slash || slash == path || asprintf(&p, "%.*s/*", (int)(slash - path), path) < 0)
		return NULL;
	return p;
}

static int bin_map_init(struct bin_map *m, json_t *online, const json_t *targets)
{
	const char *path;
	json_t *v, *pat;
	size_t i, j;

	memset(m, 0, sizeof(*m));
	m->roles = json_object_get(json_object_get(online, "delegations"), "roles");
	m->n = json_array_size(m->roles);
	m->where = json_object();
	m->fresh = json_object();
	if (!m->where || !m->fresh)
		return -ENOMEM;
	if (m->n > 256)
		return log_error_errno(EBADMSG, "online.json: %zu bins, at most 256", m->n);
	json_array_foreach(m->roles, i, v)
		json_array_foreach(json_object_get(v, "paths"), j, pat) {
			if (json_object_set_new(m->where, json_string_value(pat), json_integer(i)) < 0)
				return -ENOMEM;
			m->releases[i]++;
		}
	json_object_foreach((json_t *)targets, path, v) {
		_cleanup_free_ char *p = release_pattern(path);
		json_t *at = p ? json_object_get(m->where, p) : NULL;

		if (at)
			m->targets[json_integer_value(at)]++;
	}
	return 0;
}

/* The bin for path's release: the one listing it, else the one with the fewest releases,
 * then the fewest targets, looking from the bin its SHA-256 names on (the order holds no
 * meaning; it only spreads the ties as the fixed hash did). */
static int bin_map_place(struct bin_map *m, const char *path, size_t *ret)
{
	_cleanup_free_ char *p = release_pattern(path);
	unsigned char d[crypto_hash_sha256_BYTES];
	json_t *at, *paths;
	size_t start, best;

	if (!p)
		return log_error_errno(EBADMSG, "%s: not RELEASE/NAME, no bin holds it", path);
	at = json_object_get(m->where, p);
	if (at) {
		*ret = (size_t)json_integer_value(at);
		if (json_object_get(m->fresh, p))
			m->targets[*ret]++;
		return 0;
	}
	crypto_hash_sha256(d, (const unsigned char *)p, strlen(p) - 2);
	start = best = d[0] * m->n / 256;
	for (size_t j = 1; j < m->n; j++) {
		size_t i = (start + j) % m->n;

		if (m->releases[i] < m->releases[best] ||
		    (m->releases[i] == m->releases[best] && m->targets[i] < m->targets[best]))
			best = i;
	}
	paths = json_object_get(json_array_get(m->roles, best), "paths");
	if (!json_is_array(paths) || json_array_append_new(paths, json_string(p)) < 0 ||
	    json_object_set_new(m->where, p, json_integer((json_int_t)best)) < 0 ||
	    json_object_set_new(m->fresh, p, json_true()) < 0)
		return -ENOMEM;
	m->releases[best]++;
	m->targets[best]++;
	*ret = best;
	return 0;
}

int archive_delegated_init(const struct archive_opts *o, struct state *s)
{
	struct keyfile kf;
	json_t *online, *ids, *key;
	int k = archive_key_generate(o, NULL, ONLINE, &kf);

	if (k < 0)
		return k;
	key = tuf_ed25519_key_json(kf.pk);
	ids = json_pack("[s]", kf.keyid);
	/* what targets held moves to the view, to be put in the online role (or its bins) */
	s->top = s->targets;
	s->targets = json_pack("{s:O}", "targets", json_object_get(s->top, "targets"));
	if (json_object_get(s->top, "x-tuxtape-revoked"))
		json_object_set(s->targets, "x-tuxtape-revoked",
				json_object_get(s->top, "x-tuxtape-revoked"));
	json_object_set_new(s->top, "targets", json_object());
	json_object_del(s->top, "x-tuxtape-revoked");
	s->roles = json_object();
	online = archive_new_signed("targets", 0, o->now);
	json_object_set_new(online, "targets", json_object());
	json_object_set_new(s->top, "delegations",
			    json_pack("{s:{s:O}, s:[o]}", "keys", kf.keyid, key, "roles",
				      delegation(ONLINE, ids, "*/*", true)));
	if (o->bins) {
		json_t *bins = json_array();

		for (unsigned i = 0; i < o->bins; i++) {
			char name[16];
			json_t *bin = archive_new_signed("targets", 0, o->now);

			snprintf(name, sizeof(name), o->bins > 16 ? "bin-%02x" : "bin-%x", i);
			json_object_set_new(bin, "targets", json_object());
			json_object_set_new(s->roles, name, bin);
			json_array_append_new(bins, json_pack("{s:s, s:O, s:i, s:b, s:[]}", "name",
							      name, "keyids", ids, "threshold", 1,
							      "terminating", true, "paths"));
		}
		json_object_set_new(online, "delegations",
				    json_pack("{s:{s:O}, s:o}", "keys", kf.keyid, key, "roles", bins));
	}
	json_object_set_new(s->roles, ONLINE, online);
	json_decref(ids);
	json_decref(key);
	sodium_memzero(&kf, sizeof(kf));
	s->top_changed = true;
	return 0;
}

/* NAME.json as the snapshot lists it, into s->roles. */
static int read_role(const struct archive_opts *o, struct state *s, const char *role)
{
	char file[96], name[128];
	json_t *v;
	int k;

	snprintf(file, sizeof(file), "%s.json", role);
	snprintf(name, sizeof(name), "%lld.%s", (long long)json_integer_value(json_object_get(
			 json_object_get(json_object_get(s->snapshot, "meta"), file), "version")),
		 file);
	k = archive_read_signed(o, name, "targets", &v);
	if (k >= 0 && json_object_set_new(s->roles, role, v) < 0)
		k = -ENOMEM;
	return k;
}

int archive_delegated_load(const struct archive_opts *o, struct state *s)
{
	const json_t *d, *bins, *v, *revoked;
	json_t *view, *all;
	const char *name;
	size_t i;
	int k;

	d = json_array_get(json_object_get(json_object_get(s->targets, "delegations"), "roles"), 0);
	if (!streq_ptr(json_string_value(json_object_get(d, "name")), ONLINE))
		return 0;
	s->top = s->targets;
	s->roles = json_object();
	view = json_object();
	all = json_object();
	s->targets = view;
	if (!s->roles || !view || !all || json_object_set_new(view, "targets", all) < 0)
		return -ENOMEM;
	k = read_role(o, s, ONLINE);
	if (k < 0)
		return k;
	bins = json_object_get(json_object_get(json_object_get(s->roles, ONLINE), "delegations"),
			       "roles");
	json_array_foreach(bins, i, v) {
		k = read_role(o, s, json_string_value(json_object_get(v, "name")));
		if (k < 0)
			return k;
	}
	json_array_foreach(json_object_get(json_object_get(s->top, "delegations"), "roles"), i, v)
		if (is_channel_role(json_string_value(json_object_get(v, "name"))) &&
		    (k = read_role(o, s, json_string_value(json_object_get(v, "name")))) < 0)
			return k;
	/* copies: the roles as read stay as they were, to tell what a change touched */
	json_object_foreach(s->roles, name, v) {
		json_t *copy;

		if (is_channel_role(name))
			continue;
		copy = json_deep_copy(json_object_get(v, "targets"));

		k = copy && json_object_update(all, copy) == 0 ? 0 : -ENOMEM;
		json_decref(copy);
		if (k < 0)
			return k;
	}
	revoked = json_object_get(json_object_get(s->roles, ONLINE), "x-tuxtape-revoked");
	if (revoked && json_object_set_new(view, "x-tuxtape-revoked", json_deep_copy(revoked)) < 0)
		return -ENOMEM;
	/* a delegated channel's members are the ones its role lists, whatever online says */
	json_object_foreach(s->roles, name, v) {
		const json_t *listed = json_object_get(v, "targets");
		const char *path;
		json_t *e;

		if (!is_channel_role(name))
			continue;
		json_object_foreach(all, path, e) {
			json_t *custom = json_object_get(e, "custom"), *list, *c;
			size_t j;

			if (!custom)
				continue;
			list = archive_target_channels(custom);
			json_array_foreach(list, j, c)
				if (streq_ptr(json_string_value(c), name + strlen(CHANNEL_ROLE))) {
					json_array_remove(list, j);
					break;
				}
			if (json_object_get(listed, path))
				json_array_append_new(list, json_string(name + strlen(CHANNEL_ROLE)));
			set_channel_list(custom, list);
		}
	}
	return 0;
}

/* Whether the role must be signed again: its content changed, it is new, or it would expire
 * before two more timestamps. */
static int role_due(const struct archive_opts *o, const struct state *s, const json_t *signed_obj,
		    const json_t *old)
{
	int64_t expires = 0;
	json_t *a, *b;
	bool same;

	tuf_parse_expires(json_string_value(json_object_get(signed_obj, "expires")), &expires);
	a = json_deep_copy(signed_obj);
	b = json_deep_copy(old);
	if (!a || !b) {
		json_decref(a);
		json_decref(b);
		return -ENOMEM;
	}
	json_object_del(a, "version");
	json_object_del(a, "expires");
	json_object_del(b, "version");
	json_object_del(b, "expires");
	same = json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return !same || s->resign_all || json_integer_value(json_object_get(signed_obj, "version")) == 0 ||
	       expires < o->now + 2 * o->expiry.timestamp;
}

/* The role signed again when due, pinned in the snapshot. 1 when written. */
static int write_role(const struct archive_opts *o, struct state *s, const char *role,
		      json_t *signed_obj, const json_t *old, const json_t *ids, int64_t expiry)
{
	int k = role_due(o, s, signed_obj, old);

	if (k <= 0)
		return k;
	k = archive_bump(signed_obj, o->now + expiry);
	if (k >= 0)
		k = archive_write_pinned(o, ids, role, signed_obj, s->snapshot, true);
	return k < 0 ? k : 1;
}

/* Each delegated channel's role: the targets offered in the channel. Its key is the
 * operator's: when it is not at hand, the role stays as it is (the commands that would add
 * to the channel refused earlier); what waits is a removal or a series handing the channel
 * back, which 'archive sign' with the key completes. */
static int write_channels(const struct archive_opts *o, struct state *s, json_t *next)
{
	const char *name, *path;
	json_t *v, *e, *tmp;
	int k = 0, written = 0;

	json_object_foreach_safe(next, tmp, name, v) {
		const char *channel = name + strlen(CHANNEL_ROLE);
		const json_t *ids = json_object_get(top_delegation(s, name), "keyids");

		if (!is_channel_role(name))
			continue;
		json_object_foreach(json_object_get(s->targets, "targets"), path, e) {
			json_t *list = archive_target_channels(json_object_get(e, "custom")), *c;
			bool in = false;
			size_t i;

			json_array_foreach(list, i, c)
				in = in || streq_ptr(json_string_value(c), channel);
			json_decref(list);
			if (in)
				json_object_set(json_object_get(v, "targets"), path, e);
		}
		if (!keys_at_hand(o, ids)) {
			k = role_due(o, s, v, json_object_get(s->roles, name));
			if (k > 0)
				log_warning("channel %s: its role is not signed again (its key is not "
					    "here); run 'archive sign %s --keys DIR' with it", channel,
					    o->dir);
			json_object_del(next, name);
			if (k < 0)
				return k;
			continue;
		}
		k = write_role(o, s, name, v, json_object_get(s->roles, name), ids,
			       o->expiry.targets);
		if (k < 0)
			return k;
		written += k;
	}
	return written;
}

int archive_delegated_write(const struct archive_opts *o, struct state *s)
{
	json_t *online = json_object_get(s->roles, ONLINE), *next = json_object(), *revoked;
	const json_t *bins = json_object_get(json_object_get(online, "delegations"), "roles");
	const json_t *ids = json_object_get(json_array_get(json_object_get(json_object_get(
					    s->top, "delegations"), "roles"), 0), "keyids");
	const json_t *all = json_object_get(s->targets, "targets");
	struct bin_map map = { 0 };
	const char *path, *name;
	json_t *entry, *v;
	int k = 0, written = 0;
	size_t i = 0;

	if (!next)
		return -ENOMEM;
	/* each role's new content: its targets, and the online role's revocations */
	json_object_foreach(s->roles, name, v) {
		json_t *copy = json_deep_copy(v);

		if (!copy || json_object_set_new(copy, "targets", json_object()) < 0 ||
		    json_object_set_new(next, name, copy) < 0) {
			json_decref(next);
			return -ENOMEM;
		}
	}
	revoked = json_object_get(s->targets, "x-tuxtape-revoked");
	if (revoked)
		json_object_set(json_object_get(next, ONLINE), "x-tuxtape-revoked", revoked);
	if (json_array_size(bins))
		k = bin_map_init(&map, json_object_get(next, ONLINE), all);
	json_object_foreach((json_t *)all, path, entry) {
		json_t *dst = json_object_get(next, ONLINE);

		if (k < 0)
			break;
		if (map.n) {
			k = bin_map_place(&map, path, &i);
			if (k < 0)
				break;
			dst = json_object_get(next, json_string_value(json_object_get(
				json_array_get(map.roles, i), "name")));
		}
		if (!dst)
			k = log_error_errno(EBADMSG, "%s: no role of the archive holds it", path);
		else if (json_object_set(json_object_get(dst, "targets"), path, entry) < 0)
			k = -ENOMEM;
	}
	bin_map_free(&map);
	if (k < 0) {
		json_decref(next);
		return k;
	}
	json_array_foreach(bins, i, v) {
		name = json_string_value(json_object_get(v, "name"));
		k = write_role(o, s, name, json_object_get(next, name), json_object_get(s->roles, name),
			       ids, o->expiry.targets);
		if (k < 0)
			break;
		written += k;
	}
	if (k >= 0)
		k = write_role(o, s, ONLINE, json_object_get(next, ONLINE), online, ids,
			       o->expiry.targets);
	if (k >= 0) {
		written += k;
		k = write_channels(o, s, next);
	}
	if (k >= 0) {
		written += k;
		json_object_update(s->roles, next);
	}
	json_decref(next);
	if (k >= 0 && s->top_changed) {
		/* signed offline, as seldom as the root */
		k = archive_bump(s->top, o->now + o->expiry.root);
		if (k >= 0)
			k = archive_write_pinned(o, json_object_get(json_object_get(json_object_get(
						 s->root, "roles"), "targets"), "keyids"),
						 "targets", s->top, s->snapshot, false);
		written++;
	}
	return k < 0 ? k : written;
}

int archive_sign_top(const struct archive_opts *o)
{
	struct state s;
	int k = archive_state_load(o, &s);

	if (k < 0)
		return k;
	if (!s.top) {
		archive_state_free(&s);
		return log_error_errno(EINVAL, "%s: its targets key is online (made without "
				       "--offline-targets): nothing to sign offline", o->dir);
	}
	s.top_changed = true;
	k = archive_write_chain(o, &s, false, false);
	archive_state_free(&s);
	return k;
}

int archive_top_expires(const struct archive_opts *o, int64_t *ret)
{
	struct state s;
	int k = archive_state_load(o, &s);

	if (k < 0)
		return k;
	*ret = 0;
	if (s.top)
		tuf_parse_expires(json_string_value(json_object_get(s.top, "expires")), ret);
	archive_state_free(&s);
	return 0;
}

/* A delegations object's keys and every role's keyids: the one online key, replaced. */
static void replace_key(json_t *delegations, const char *keyid, json_t *key)
{
	json_t *v;
	size_t i;

	json_object_set_new(delegations, "keys", json_pack("{s:O}", keyid, key));
	json_array_foreach(json_object_get(delegations, "roles"), i, v)
		json_object_set_new(v, "keyids", json_pack("[s]", keyid));
}

/* Whether --keys holds the top-level targets key (what is refused without it says why). */
static int need_targets_key(const struct archive_opts *o, const struct state *s, const char *why)
{
	struct keyfile top[4];
	size_t n = 0;
	int k = archive_keys_for_ids(o, json_object_get(json_object_get(json_object_get(
					s->root, "roles"), "targets"), "keyids"), top, 4, &n);

	sodium_memzero(top, sizeof(top));
	if (k >= 0 && n == 0)
		k = log_error_errno(ENOKEY, "%s: give its directory with --keys", why);
	return k;
}

int archive_rotate_online(const struct archive_opts *o)
{
	_cleanup_free_ char *own = archive_path_of(o, "keys", NULL);
	struct state s;
	struct keyfile kf;
	json_t *key, *d;
	int k = archive_state_load(o, &s);

	if (k < 0)
		return k;
	if (!s.top) {
		archive_state_free(&s);
		return log_error_errno(EINVAL, "%s: no online role (made without "
				       "--offline-targets)", o->dir);
	}
	/* checked first: a refusal must leave no new key and no new file behind */
	k = need_targets_key(o, &s, "the offline targets key is needed");
	if (k < 0) {
		archive_state_free(&s);
		return k;
	}
	/* the online key stays with the archive, wherever --keys points */
	k = own ? archive_key_generate(o, own, ONLINE, &kf) : -ENOMEM;
	if (k < 0) {
		archive_state_free(&s);
		return k;
	}
	key = tuf_ed25519_key_json(kf.pk);
	replace_key(json_object_get(s.top, "delegations"), kf.keyid, key);
	d = json_object_get(json_object_get(s.roles, ONLINE), "delegations");
	if (d)
		replace_key(d, kf.keyid, key);
	json_decref(key);
	sodium_memzero(&kf, sizeof(kf));
	/* the top-level targets names the new key (the offline step); every role it signs is
	 * signed again with it */
	s.top_changed = true;
	s.resign_all = true;
	k = archive_write_chain(o, &s, false, false);
	archive_state_free(&s);
	return k;
}

int archive_delegate(const struct archive_opts *o)
{
	struct state s;
	int k;

	if (o->bins && o->bins != 16 && o->bins != 256)
		return log_error_errno(EINVAL, "--bins: 16 or 256");
	k = archive_state_load(o, &s);
	if (k < 0)
		return k;
	if (s.top) {
		archive_state_free(&s);
		return log_error_errno(EALREADY, "%s: its targets already delegate to the online "
				       "role", o->dir);
	}
	/* checked first: a refusal must leave no new key behind */
	k = need_targets_key(o, &s, "the targets key signs the delegation");
	if (k >= 0)
		k = archive_delegated_init(o, &s);
	if (k >= 0)
		k = archive_write_chain(o, &s, true, true);
	archive_state_free(&s);
	return k;
}

int archive_delegate_channel(const struct archive_opts *o, const char *channel)
{
	_cleanup_free_ char *role = NULL;
	struct state s;
	struct keyfile kf;
	json_t *d, *key, *signed_obj;
	int k;

	if (!archive_name_valid(channel) || asprintf(&role, CHANNEL_ROLE "%s", channel) < 0 ||
	    !archive_name_valid(role))
		return log_error_errno(EINVAL, "'%s': not a channel name", channel);
	k = archive_state_load(o, &s);
	if (k < 0)
		return k;
	if (!s.top)
		k = log_error_errno(EINVAL, "%s: channels are delegated by the top-level targets, "
				    "which delegates nothing yet: run 'archive delegate %s' first",
				    o->dir, o->dir);
	else if (top_delegation(&s, role))
		k = log_error_errno(EALREADY, "channel %s is already delegated", channel);
	else if (!keys_at_hand(o, json_object_get(json_object_get(json_object_get(s.root, "roles"),
						  "targets"), "keyids")))
		k = log_error_errno(ENOKEY, "the offline targets key signs the delegation: give "
				    "its directory with --keys");
	if (k >= 0)
		k = archive_key_generate(o, NULL, role, &kf); /* where --keys points: offline */
	if (k < 0) {
		archive_state_free(&s);
		return k;
	}
	/* after online, whose "*" and terminating flag keep a plain search from it: only the
	 * channel's nodes read it, by their policy */
	d = json_object_get(s.top, "delegations");
	key = tuf_ed25519_key_json(kf.pk);
	json_object_set_new(json_object_get(d, "keys"), kf.keyid, key);
	json_array_append_new(json_object_get(d, "roles"),
			      json_pack("{s:s, s:[s], s:i, s:b, s:[s]}", "name", role, "keyids",
					kf.keyid, "threshold", 1, "terminating", false, "paths", "*/*"));
	sodium_memzero(&kf, sizeof(kf));
	signed_obj = archive_new_signed("targets", 0, o->now);
	json_object_set_new(signed_obj, "targets", json_object());
	json_object_set_new(s.roles, role, signed_obj);
	s.top_changed = true;
	k = archive_write_chain(o, &s, true, true);
	archive_state_free(&s);
	return k;
}
