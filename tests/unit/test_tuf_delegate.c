/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The client's delegation search against repositories built here in memory and served by a
 * fetcher that records what was asked: well-formed delegations, then hostile ones (loops,
 * roles claiming paths they were not given, too many roles, names that try to leave the
 * metadata directory, thresholds not met, terminating delegations, roles the snapshot does
 * not list, a role trusted through one delegator presented through another, a fast-forwarded
 * delegated role and its recovery by a snapshot key rotation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tuf/tuf_client.h"

#define BASE "http://repo/"

struct key {
	unsigned char pk[32], sk[64];
	char id[65];
};

struct role {
	char name[80];
	json_t *signed_obj;
	struct key *signers[4];
	size_t n_signers;
	bool unlisted;     /* left out of the snapshot */
	int64_t listed_as; /* the snapshot's version for it, when not its own */
};

struct repo {
	struct key root_k, ts_k, sn_k, tg_k;
	json_t *root;
	struct role roles[48]; /* [0] is "targets" */
	size_t n;
	int64_t version;       /* of snapshot and timestamp */
	json_t *files;         /* name -> bytes served */
	char fetched[4096];    /* "name " for each request */
	char dir[64];          /* the client's metadata directory */
	bool pin;              /* the snapshot gives length and sha256 too */
};

static void key_new(struct key *k)
{
	json_t *j;

	crypto_sign_keypair(k->pk, k->sk);
	j = tuf_ed25519_key_json(k->pk);
	assert_int_equal(tuf_keyid(j, k->id), 0);
	json_decref(j);
}

static json_t *signed_new(const char *type, int64_t version)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", type, "spec_version", "1.0.31",
			 "version", (json_int_t)version, "expires", "2099-01-01T00:00:00Z");
}

static char *envelope(const json_t *signed_obj, struct key **keys, size_t n)
{
	json_t *sigs = json_array(), *doc;
	char *text;

	for (size_t i = 0; i < n; i++) {
		json_t *sig;

		assert_int_equal(tuf_sign_ed25519(signed_obj, keys[i]->sk, keys[i]->id, &sig), 0);
		json_array_append_new(sigs, sig);
	}
	doc = json_pack("{s:O, s:o}", "signed", signed_obj, "signatures", sigs);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

static void serve(struct repo *r, const char *name, char *text)
{
	json_object_set_new(r->files, name, json_string(text));
	free(text);
}

static void role_key(json_t *keys, const struct key *k)
{
	json_object_set_new(keys, k->id, tuf_ed25519_key_json(k->pk));
}

static void write_root(struct repo *r, int64_t version, struct key **signers, size_t n)
{
	char name[32];

	json_decref(r->root);
	r->root = signed_new("root", version);
	json_object_set_new(r->root, "consistent_snapshot", json_true());
	json_object_set_new(r->root, "keys", json_object());
	role_key(json_object_get(r->root, "keys"), &r->root_k);
	role_key(json_object_get(r->root, "keys"), &r->ts_k);
	role_key(json_object_get(r->root, "keys"), &r->sn_k);
	role_key(json_object_get(r->root, "keys"), &r->tg_k);
	json_object_set_new(r->root, "roles",
			    json_pack("{s:{s:[s],s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}}",
				      "root", "keyids", r->root_k.id, "threshold", 1,
				      "timestamp", "keyids", r->ts_k.id, "threshold", 1,
				      "snapshot", "keyids", r->sn_k.id, "threshold", 1,
				      "targets", "keyids", r->tg_k.id, "threshold", 1));
	snprintf(name, sizeof(name), "%lld.root.json", (long long)version);
	serve(r, name, envelope(r->root, signers, n));
}

static struct role *add_role(struct repo *r, const char *name)
{
	struct role *ro = &r->roles[r->n++];

	assert_true(r->n <= 48);
	snprintf(ro->name, sizeof(ro->name), "%s", name);
	ro->signed_obj = signed_new("targets", 1);
	json_object_set_new(ro->signed_obj, "targets", json_object());
	return ro;
}

static void add_target(struct role *ro, const char *path)
{
	json_object_set_new(json_object_get(ro->signed_obj, "targets"), path,
			    json_pack("{s:i, s:{s:s}}", "length", 3, "hashes", "sha256",
				      "00ff00ff"));
}

/* from delegates to to, signed by k; pattern: a paths pattern, or "#PREFIX" for a hash prefix */
static void delegate(struct role *from, struct role *to, struct key *k, const char *pattern,
		     bool terminating)
{
	json_t *d = json_object_get(from->signed_obj, "delegations");

	if (!d) {
		d = json_pack("{s:{}, s:[]}", "keys", "roles");
		json_object_set_new(from->signed_obj, "delegations", d);
	}
	role_key(json_object_get(d, "keys"), k);
	json_array_append_new(json_object_get(d, "roles"),
			      json_pack("{s:s, s:[s], s:i, s:b, s:[s]}", "name", to->name, "keyids",
					k->id, "threshold", 1, "terminating", terminating,
					pattern[0] == '#' ? "path_hash_prefixes" : "paths",
					pattern[0] == '#' ? pattern + 1 : pattern));
	if (!to->n_signers)
		to->signers[to->n_signers++] = k;
}

/* Signs every role, a snapshot listing them and a timestamp, as version r->version + 1. */
static void publish(struct repo *r)
{
	json_t *sn, *ts, *meta, *pinned;
	char name[300], *text, *q;
	struct key *k;

	r->version++;
	sn = signed_new("snapshot", r->version);
	meta = json_object();
	json_object_set_new(sn, "meta", meta);
	for (size_t i = 0; i < r->n; i++) {
		struct role *ro = &r->roles[i];
		int64_t v = json_integer_value(json_object_get(ro->signed_obj, "version"));

		if (i == 0) {
			ro->signers[0] = &r->tg_k;
			ro->n_signers = 1;
		}
		q = tuf_quote(ro->name);
		snprintf(name, sizeof(name), "%lld.%s.json", (long long)v, q);
		free(q);
		text = envelope(ro->signed_obj, ro->signers, ro->n_signers);
		if (r->pin) {
			unsigned char d[32];
			char hex[65];

			crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
			sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
			pinned = json_pack("{s:I, s:{s:s}}", "length", (json_int_t)strlen(text),
					   "hashes", "sha256", hex);
		} else {
			pinned = json_object();
		}
		serve(r, name, text);
		snprintf(name, sizeof(name), "%s.json", ro->name);
		json_object_set_new(pinned, "version",
				    json_integer(ro->listed_as ? ro->listed_as : v));
		if (!ro->unlisted)
			json_object_set(meta, name, pinned);
		json_decref(pinned);
	}
	k = &r->sn_k;
	text = envelope(sn, &k, 1);
	snprintf(name, sizeof(name), "%lld.snapshot.json", (long long)r->version);
	ts = signed_new("timestamp", r->version);
	json_object_set_new(ts, "meta", json_pack("{s:{s:I}}", "snapshot.json", "version",
						  (json_int_t)r->version));
	serve(r, name, text);
	k = &r->ts_k;
	serve(r, "timestamp.json", envelope(ts, &k, 1));
	json_decref(sn);
	json_decref(ts);
}

static int fake_fetch(void *ud, const char *url, size_t max, char **ret, size_t *len)
{
	struct repo *r = ud;
	const char *name = url + strlen(BASE "metadata/");
	const char *text = json_string_value(json_object_get(r->files, name));
	size_t n = strlen(r->fetched);

	snprintf(r->fetched + n, sizeof(r->fetched) - n, "%s ", name);
	if (!text)
		return -ENOENT;
	if (strlen(text) > max)
		return -EFBIG;
	*ret = strdup(text);
	*len = strlen(text);
	return 0;
}

static int fake_fetch_file(void *ud, const char *url, size_t max, int fd, size_t *len)
{
	char *buf = NULL;
	int k = fake_fetch(ud, url, max, &buf, len);

	if (k >= 0)
		k = write_all(fd, buf, *len);
	free(buf);
	return k;
}

static struct repo *repo_new(void)
{
	struct repo *r = calloc(1, sizeof(*r));
	struct key *k;

	assert_non_null(r);
	key_new(&r->root_k);
	key_new(&r->ts_k);
	key_new(&r->sn_k);
	key_new(&r->tg_k);
	r->files = json_object();
	k = &r->root_k;
	write_root(r, 1, &k, 1);
	add_role(r, "targets");
	snprintf(r->dir, sizeof(r->dir), "/tmp/tuf-delegate-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	return r;
}

static void repo_free(struct repo *r)
{
	char cmd[128];

	for (size_t i = 0; i < r->n; i++)
		json_decref(r->roles[i].signed_obj);
	json_decref(r->root);
	json_decref(r->files);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	assert_int_equal(system(cmd), 0);
	free(r);
}

/* A refreshed client over r (its first root trusted). */
static int client(struct repo *r, struct tuf_client *c)
{
	char root[128], text_file[128];
	FILE *f;

	snprintf(text_file, sizeof(text_file), "%s.root", r->dir);
	f = fopen(text_file, "w");
	assert_non_null(f);
	fputs(json_string_value(json_object_get(r->files, "1.root.json")), f);
	fclose(f);
	snprintf(root, sizeof(root), "%s/root.json", r->dir);
	if (access(root, F_OK) < 0)
		assert_int_equal(tuf_client_init(r->dir, text_file, &c->err), 0);
	unlink(text_file);
	*c = (struct tuf_client){ .metadata_dir = r->dir, .metadata_url = BASE "metadata",
				  .fetch = fake_fetch, .fetch_file = fake_fetch_file,
				  .fetch_userdata = r };
	r->fetched[0] = '\0';
	return tuf_client_refresh(c);
}

/* find(path) on a fresh client: its result, the message in msg. */
static int find(struct repo *r, const char *path, char msg[256])
{
	struct tuf_client c;
	json_t *e = NULL;
	int k = client(r, &c);

	if (k >= 0)
		k = tuf_client_find(&c, path, &e);
	snprintf(msg, 256, "%s", c.err.msg);
	if (k < 0)
		printf("# %s: %s\n", path, msg);
	json_decref(e);
	tuf_client_free(&c);
	return k;
}

static void test_found_and_stored(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *bins = add_role(r, "bin");
	struct key ka, kb;
	unsigned char d[32];
	char msg[256], hex[65], prefix[3], path[128];

	key_new(&ka);
	key_new(&kb);
	add_target(r->roles, "top/t.ko");
	add_target(a, "6.1/x.ko");
	delegate(r->roles, a, &ka, "6.1/*", false);
	crypto_hash_sha256(d, (const unsigned char *)"6.2/h.ko", 8);
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	snprintf(prefix, sizeof(prefix), "#%c", hex[0]);
	delegate(r->roles, bins, &kb, prefix, false);
	add_target(bins, "6.2/h.ko");
	publish(r);
	assert_int_equal(find(r, "top/t.ko", msg), 0);
	assert_null(strstr(r->fetched, "a.json")); /* found at the top: no delegation fetched */
	assert_int_equal(find(r, "6.1/x.ko", msg), 0);
	assert_non_null(strstr(r->fetched, "1.a.json"));
	snprintf(path, sizeof(path), "%s/a.json", r->dir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(find(r, "6.2/h.ko", msg), 0);
	/* separators are matched literally: 6.1/STAR does not reach a deeper path */
	add_target(a, "6.1/sub/y.ko");
	json_object_set_new(a->signed_obj, "version", json_integer(2));
	publish(r);
	assert_int_equal(find(r, "6.1/sub/y.ko", msg), -ENOENT);
	repo_free(r);
}

static int count(void *ud, const char *path, const json_t *entry)
{
	char *seen = ud;

	strcat(seen, path);
	strcat(seen, " ");
	return 0;
}

static void test_foreach(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *b = add_role(r, "b");
	struct key ka, kb;
	struct tuf_client c;

	key_new(&ka);
	key_new(&kb);
	delegate(r->roles, a, &ka, "6.1/*", false);
	delegate(r->roles, b, &kb, "6.2/*", false);
	add_target(a, "6.1/x.ko");
	add_target(a, "6.2/claimed.ko"); /* not delegated to a */
	add_target(b, "6.2/y.ko");
	publish(r);
	assert_int_equal(client(r, &c), 0);
	{
		char seen[256] = "";

		assert_int_equal(tuf_client_foreach(&c, "6.2/", count, seen), 0);
		assert_string_equal(seen, "6.2/y.ko ");
		/* the release's prefix pruned a's delegation: a was never fetched */
		assert_null(strstr(r->fetched, "a.json"));
		seen[0] = '\0';
		assert_int_equal(tuf_client_foreach(&c, "", count, seen), 0);
		assert_string_equal(seen, "6.1/x.ko 6.2/y.ko ");
	}
	tuf_client_free(&c);
	repo_free(r);
}

static void test_claims_and_loops(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *b = add_role(r, "b");
	struct key ka, kb;
	char msg[256];

	key_new(&ka);
	key_new(&kb);
	delegate(r->roles, a, &ka, "6.1/*", false);
	add_target(a, "6.2/claimed.ko");
	/* a loop: a delegates to b, b to a */
	delegate(a, b, &kb, "*/*", false);
	delegate(b, a, &ka, "*/*", false);
	add_target(b, "6.1/in-b.ko");
	publish(r);
	assert_int_equal(find(r, "6.2/claimed.ko", msg), -ENOENT);
	assert_int_equal(find(r, "6.1/in-b.ko", msg), 0);
	assert_int_equal(find(r, "6.1/nowhere.ko", msg), -ENOENT);
	assert_non_null(strstr(msg, "no such target"));
	repo_free(r);
}

static void test_too_many_roles(void **state)
{
	struct repo *r = repo_new();
	struct role *prev = r->roles, *ro = NULL;
	struct key k;
	char msg[256], name[16];

	key_new(&k);
	/* a chain 20 deep: the search stops at TUF_MAX_DEPTH */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		ro = add_role(r, name);
		delegate(prev, ro, &k, "*/*", false);
		prev = ro;
	}
	add_target(ro, "6.1/deep.ko");
	add_target(&r->roles[10], "6.1/mid.ko");
	/* 25 roles side by side, each one delegated from the top */
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		ro = add_role(r, name);
		delegate(r->roles, ro, &k, "w/*", false);
	}
	add_target(&r->roles[21 + 24], "w/last.ko");
	add_target(&r->roles[21 + 2], "w/third.ko");
	publish(r);
	assert_int_equal(find(r, "6.1/mid.ko", msg), 0);
	assert_int_equal(find(r, "6.1/deep.ko", msg), -ENOENT);
	assert_non_null(strstr(msg, "deeper than the limit"));
	assert_null(strstr(r->fetched, "r17.json"));
	/* the chain fills the lookup's 32 roles before the search gets to the wide ones */
	assert_int_equal(find(r, "w/third.ko", msg), 0);
	assert_int_equal(find(r, "w/last.ko", msg), -ENOENT);
	assert_non_null(strstr(msg, "roles a lookup may visit"));
	assert_null(strstr(r->fetched, "w24.json"));
	repo_free(r);
}

static void test_quoting(void **state)
{
	static const char *const names[] = { "../escape", "a/b", "q?x#y", "..", "%2e%2e" };
	struct repo *r = repo_new();
	struct key k;
	char msg[256], path[256], parent[128];

	key_new(&k);
	for (size_t i = 0; i < 5; i++) {
		struct role *ro = add_role(r, names[i]);
		char t[32];

		delegate(r->roles, ro, &k, "*/*", false);
		snprintf(t, sizeof(t), "n%zu/t.ko", i);
		add_target(ro, t);
	}
	publish(r);
	assert_int_equal(find(r, "n4/t.ko", msg), 0);
	assert_non_null(strstr(r->fetched, "1...%2Fescape.json "));
	assert_non_null(strstr(r->fetched, "1.a%2Fb.json "));
	assert_non_null(strstr(r->fetched, "1.q%3Fx%23y.json "));
	assert_non_null(strstr(r->fetched, "1.%252e%252e.json "));
	assert_non_null(strstr(r->fetched, "1....json "));
	snprintf(path, sizeof(path), "%s/..%%2Fescape.json", r->dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/...json", r->dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(parent, sizeof(parent), "%s", r->dir);
	*strrchr(parent, '/') = '\0';
	snprintf(path, sizeof(path), "%s/escape.json", parent);
	assert_int_not_equal(access(path, F_OK), 0);
	/* a delegated role may not take a top-level role's file */
	add_role(r, "x");
	{
		struct role *root_named = add_role(r, "root");

		delegate(&r->roles[1], root_named, &k, "*/*", false);
		json_object_set_new(r->roles[1].signed_obj, "version", json_integer(2));
	}
	publish(r);
	assert_int_equal(find(r, "n0/t.ko", msg), -EBADMSG);
	assert_non_null(strstr(msg, "top-level role"));
	repo_free(r);
}

static void test_threshold_terminating_unlisted(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *b = add_role(r, "b"), *c2 = add_role(r, "c");
	struct key ka, kb, kc, kc2;
	json_t *roles;
	char msg[256];

	key_new(&ka);
	key_new(&kb);
	key_new(&kc);
	key_new(&kc2);
	delegate(r->roles, a, &ka, "6.1/*", true); /* terminating: b is never asked */
	delegate(r->roles, b, &kb, "6.1/*", false);
	add_target(b, "6.1/hidden.ko");
	b->unlisted = true;
	delegate(r->roles, c2, &kc, "7/*", false);
	add_target(c2, "7/t.ko");
	/* c needs two of kc, kc2: only kc signs */
	roles = json_object_get(json_object_get(r->roles->signed_obj, "delegations"), "roles");
	json_object_set_new(json_array_get(roles, 2), "keyids", json_pack("[s,s]", kc.id, kc2.id));
	json_object_set_new(json_array_get(roles, 2), "threshold", json_integer(2));
	role_key(json_object_get(json_object_get(r->roles->signed_obj, "delegations"), "keys"), &kc2);
	publish(r);
	assert_int_equal(find(r, "6.1/hidden.ko", msg), -ENOENT);
	assert_null(strstr(r->fetched, ".b.json"));
	assert_int_equal(find(r, "7/t.ko", msg), -EKEYREJECTED);
	assert_non_null(strstr(msg, "1 valid signature of 2 needed"));
	/* not terminating: the search goes on to b */
	json_object_set_new(json_array_get(roles, 0), "terminating", json_false());
	json_object_set_new(r->roles->signed_obj, "version", json_integer(2));
	publish(r);
	assert_int_equal(find(r, "6.1/hidden.ko", msg), -EBADMSG);
	assert_non_null(strstr(msg, "snapshot.json does not list b.json"));
	b->unlisted = false;
	b->listed_as = 7; /* the snapshot names another version than the file says */
	publish(r);
	assert_int_equal(find(r, "6.1/hidden.ko", msg), -ENOENT);
	assert_non_null(strstr(msg, "7.b.json: not on the server"));
	b->listed_as = 0;
	json_object_set_new(b->signed_obj, "version", json_integer(8));
	publish(r);
	assert_int_equal(find(r, "6.1/hidden.ko", msg), 0);
	repo_free(r);
}

/* c is delegated by a (key ka2) and by b (key kb2); c carries only ka2's signature. Found
 * through a, it must still be refused through b. */
static void test_current_delegator(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *b = add_role(r, "b"), *c3 = add_role(r, "c");
	struct key ka, kb, ka2, kb2;
	struct tuf_client cl;
	json_t *e = NULL;

	key_new(&ka);
	key_new(&kb);
	key_new(&ka2);
	key_new(&kb2);
	delegate(r->roles, a, &ka, "x/*", false);
	delegate(r->roles, b, &kb, "y/*", false);
	delegate(a, c3, &ka2, "x/*", false);
	delegate(b, c3, &kb2, "y/*", false); /* c3 keeps ka2 as its signer */
	add_target(c3, "x/1.ko");
	add_target(c3, "y/2.ko");
	publish(r);
	assert_int_equal(client(r, &cl), 0);
	assert_int_equal(tuf_client_find(&cl, "x/1.ko", &e), 0);
	json_decref(e);
	e = NULL;
	assert_int_equal(tuf_client_find(&cl, "y/2.ko", &e), -EKEYREJECTED);
	assert_non_null(strstr(cl.err.msg, "not signed by the keys b delegates it with"));
	tuf_client_free(&cl);
	repo_free(r);
}

/* A compromised snapshot key listed a delegated role at version 99; rotating the snapshot
 * key in a new root lets the client come back to the real version. */
static void test_fast_forward_recovery(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a");
	struct key ka, *k = &r->root_k;
	struct tuf_client c;
	char msg[256];

	key_new(&ka);
	delegate(r->roles, a, &ka, "6.1/*", false);
	add_target(a, "6.1/x.ko");
	json_object_set_new(a->signed_obj, "version", json_integer(99));
	publish(r);
	assert_int_equal(find(r, "6.1/x.ko", msg), 0);
	json_object_set_new(a->signed_obj, "version", json_integer(1));
	publish(r);
	assert_int_equal(client(r, &c), -EBADMSG); /* the rollback check holds */
	assert_non_null(strstr(c.err.msg, "a.json went back"));
	tuf_client_free(&c);
	key_new(&r->sn_k);
	write_root(r, 2, &k, 1);
	publish(r);
	assert_int_equal(find(r, "6.1/x.ko", msg), 0);
	repo_free(r);
}

/* The same version of a role signed twice with different content: the snapshot's hash says
 * which one is meant, and the copy the client holds is not taken on its version alone. */
static void test_local_copy_pinned(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a");
	struct key ka;
	char msg[256];

	r->pin = true;
	key_new(&ka);
	delegate(r->roles, a, &ka, "6.1/*", false);
	add_target(a, "6.1/first.ko");
	publish(r);
	assert_int_equal(find(r, "6.1/first.ko", msg), 0);
	json_object_del(json_object_get(a->signed_obj, "targets"), "6.1/first.ko");
	add_target(a, "6.1/second.ko");
	publish(r);
	assert_int_equal(find(r, "6.1/second.ko", msg), 0);
	assert_non_null(strstr(r->fetched, "1.a.json"));
	assert_int_equal(find(r, "6.1/first.ko", msg), -ENOENT);
	repo_free(r);
}

/* A delegated role past its expiry is a freeze attack: refused, the target not found. */
static void test_expired_role(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a");
	struct key ka;
	char msg[256];

	key_new(&ka);
	delegate(r->roles, a, &ka, "6.1/*", false);
	add_target(a, "6.1/x.ko");
	json_object_set_new(a->signed_obj, "expires", json_string("2001-01-01T00:00:00Z"));
	publish(r);
	assert_int_equal(find(r, "6.1/x.ko", msg), -ETIME);
	assert_non_null(strstr(msg, "1.a.json has expired"));
	repo_free(r);
}

/* A search started at one delegated role sees only that role's subtree. */
static void test_from_role(void **state)
{
	struct repo *r = repo_new();
	struct role *a = add_role(r, "a"), *b = add_role(r, "channel-b");
	struct key ka, kb;
	struct tuf_client c;
	json_t *e = NULL;
	char seen[256] = "";

	key_new(&ka);
	key_new(&kb);
	delegate(r->roles, a, &ka, "*/*", true);
	delegate(r->roles, b, &kb, "*/*", false);
	add_target(a, "6.1/x.ko");
	add_target(a, "6.1/y.ko");
	add_target(b, "6.1/y.ko");
	publish(r);
	assert_int_equal(client(r, &c), 0);
	assert_int_equal(tuf_client_find_from(&c, "channel-b", "6.1/x.ko", &e), -ENOENT);
	assert_int_equal(tuf_client_find_from(&c, "channel-b", "6.1/y.ko", &e), 0);
	json_decref(e);
	assert_int_equal(tuf_client_find_from(&c, "nobody", "6.1/y.ko", &e), -ENOENT);
	assert_non_null(strstr(c.err.msg, "delegates no role named nobody"));
	assert_int_equal(tuf_client_foreach_from(&c, "channel-b", "6.1/", count, seen), 0);
	assert_string_equal(seen, "6.1/y.ko ");
	/* from the top, a's terminating delegation hides channel-b */
	seen[0] = '\0';
	assert_int_equal(tuf_client_foreach(&c, "6.1/", count, seen), 0);
	assert_string_equal(seen, "6.1/x.ko 6.1/y.ko ");
	tuf_client_free(&c);
	repo_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_and_stored),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_claims_and_loops),
		cmocka_unit_test(test_too_many_roles),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_threshold_terminating_unlisted),
		cmocka_unit_test(test_current_delegator),
		cmocka_unit_test(test_fast_forward_recovery),
		cmocka_unit_test(test_local_copy_pinned),
		cmocka_unit_test(test_expired_role),
		cmocka_unit_test(test_from_role),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
