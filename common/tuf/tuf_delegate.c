/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Delegated targets roles: which role a target's entry is trusted from (the specification's
 * pre-order depth-first search), the shape a "delegations" object must have, and the roles a
 * client holds. A role is loaded (tuf_client_load_role) only when a search reaches it, and
 * kept for the rest of the client's life; reached again through another delegator, it is
 * checked against that delegator's keys too, since trust is always the current path's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tuf_client_internal.h"
#include "util.h"

#define TUF_MAX_DELEGATIONS 4096 /* entries in one role's delegations.roles */

static bool top_level_name(const char *name)
{
	return streq(name, "root") || streq(name, "timestamp") || streq(name, "snapshot") ||
	       streq(name, "targets");
}

static int check_one(const json_t *d, size_t i, const json_t *roles, struct tuf_error *err)
{
	const json_t *name = json_object_get(d, "name"), *paths = json_object_get(d, "paths"),
		     *prefixes = json_object_get(d, "path_hash_prefixes"),
		     *term = json_object_get(d, "terminating"), *v;
	const char *n = json_string_value(name);
	struct tuf_role r;
	size_t j;
	int k;

	if (!json_is_object(d) || !n)
		return tuf_fail(err, EBADMSG, "delegations.roles[%zu]: not an object with a name", i);
	/* a name is a file name once quoted: no NUL inside, not a top-level role's file */
	if (!*n || strlen(n) != json_string_length(name) || strlen(n) > TUF_ROLE_NAME_MAX ||
	    top_level_name(n))
		return tuf_fail(err, EBADMSG, "delegations.roles[%zu]: name \"%.64s\" is empty, too "
				"long (%d bytes at most), holds a NUL or is a top-level role's", i, n,
				TUF_ROLE_NAME_MAX);
	for (j = 0; j < i; j++)
		if (streq_ptr(json_string_value(json_object_get(json_array_get(roles, j), "name")), n))
			return tuf_fail(err, EBADMSG, "delegations.roles: \"%.64s\" appears twice", n);
	k = tuf_role_load(d, n, &r, err);
	if (k < 0)
		return k;
	tuf_role_free(&r);
	if (term && !json_is_boolean(term))
		return tuf_fail(err, EBADMSG, "delegations.roles[%zu] (%.64s): terminating is not a "
				"boolean", i, n);
	if (!paths == !prefixes)
		return tuf_fail(err, EBADMSG, "delegations.roles[%zu] (%.64s): needs exactly one of "
				"paths and path_hash_prefixes", i, n);
	if (!json_is_array(paths ? paths : prefixes))
		return tuf_fail(err, EBADMSG, "delegations.roles[%zu] (%.64s): %s is not an array", i,
				n, paths ? "paths" : "path_hash_prefixes");
	json_array_foreach(paths ? paths : prefixes, j, v) {
		const char *s = json_string_value(v);

		if (!s || strlen(s) != json_string_length(v) ||
		    (prefixes && strspn(s, "0123456789abcdef") != strlen(s)))
			return tuf_fail(err, EBADMSG, "delegations.roles[%zu] (%.64s): %s[%zu] is not "
					"%s", i, n, paths ? "paths" : "path_hash_prefixes", j,
					paths ? "a string" : "lowercase hex");
	}
	return 0;
}

int tuf_delegations_check(const json_t *signed_obj, struct tuf_error *err)
{
	const json_t *d = json_object_get(signed_obj, "delegations"), *roles, *v;
	struct tuf_keyring ring;
	size_t i;
	int k;

	if (!d)
		return 0;
	roles = json_object_get(d, "roles");
	if (!json_is_object(d) || !json_is_array(roles))
		return tuf_fail(err, EBADMSG, "delegations: needs keys and a roles array");
	if (json_array_size(roles) > TUF_MAX_DELEGATIONS)
		return tuf_fail(err, EBADMSG, "delegations.roles: more than %d", TUF_MAX_DELEGATIONS);
	k = tuf_keyring_load(json_object_get(d, "keys"), &ring, err);
	if (k < 0)
		return k;
	tuf_keyring_free(&ring);
	json_array_foreach(roles, i, v) {
		k = check_one(v, i, roles, err);
		if (k < 0)
			return k;
	}
	return 0;
}

/* The specification's rule: pattern and path have as many "/"-separated segments, and each
 * segment matches as a shell wildcard; a separator is never matched by one. */
static bool path_match(const char *pattern, const char *path)
{
	for (;;) {
		const char *ps = strchr(pattern, '/'), *ts = strchr(path, '/');
		size_t pn = ps ? (size_t)(ps - pattern) : strlen(pattern);
		size_t tn = ts ? (size_t)(ts - path) : strlen(path);
		char pseg[pn + 1], tseg[tn + 1];

		if (!ps != !ts)
			return false;
		memcpy(pseg, pattern, pn);
		pseg[pn] = '\0';
		memcpy(tseg, path, tn);
		tseg[tn] = '\0';
		if (fnmatch(pseg, tseg, 0) != 0)
			return false;
		if (!ps)
			return true;
		pattern = ps + 1;
		path = ts + 1;
	}
}

static bool delegated_for(const json_t *d, const char *path)
{
	const json_t *paths = json_object_get(d, "paths"), *v;
	size_t i;

	if (paths) {
		json_array_foreach(paths, i, v)
			if (path_match(json_string_value(v), path))
				return true;
		return false;
	}
	{
		unsigned char digest[crypto_hash_sha256_BYTES];
		char hex[65];

		crypto_hash_sha256(digest, (const unsigned char *)path, strlen(path));
		sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
		json_array_foreach(json_object_get(d, "path_hash_prefixes"), i, v)
			if (!strncmp(hex, json_string_value(v), json_string_length(v)))
				return true;
	}
	return false;
}

/* Whether some path under prefix (which ends with "/") could be delegated by d: every
 * segment of the prefix matches the pattern's, and the pattern has more. */
static bool delegated_under(const json_t *d, const char *prefix)
{
	const json_t *paths = json_object_get(d, "paths"), *v;
	size_t i, n = strlen(prefix);

	if (!paths || !n || prefix[n - 1] != '/')
		return true;
	json_array_foreach(paths, i, v) {
		const char *p = json_string_value(v), *q = prefix;
		bool ok = true;

		while (ok && *q) {
			const char *ps = strchr(p, '/'), *qs = strchr(q, '/');
			size_t pn = ps ? (size_t)(ps - p) : strlen(p), qn = (size_t)(qs - q);
			char pseg[pn + 1], qseg[qn + 1];

			memcpy(pseg, p, pn);
			pseg[pn] = '\0';
			memcpy(qseg, q, qn);
			qseg[qn] = '\0';
			ok = ps && fnmatch(pseg, qseg, 0) == 0;
			p = ps ? ps + 1 : p;
			q = qs + 1;
		}
		if (ok)
			return true;
	}
	return false;
}

void tuf_client_roles_free(struct tuf_client *c)
{
	for (size_t i = 0; i < c->n_roles; i++) {
		free(c->roles[i].name);
		free(c->roles[i].delegator);
		tuf_targets_free(&c->roles[i].t);
	}
	free(c->roles);
	c->roles = NULL;
	c->n_roles = c->cap_roles = 0;
}

/* One step of a search: a role to visit and who delegated it (NULL keys: top-level). */
struct frame {
	const char *name, *delegator;
	const json_t *keys, *delegation;
	unsigned depth;
};

/* The role's index, loading it the first time; verified against this delegator. */
static int get_role(struct tuf_client *c, const struct frame *f, const struct tuf_targets **ret)
{
	struct tuf_delegated *d;
	struct tuf_error err;
	int k;

	for (size_t i = 0; i < c->n_roles; i++) {
		d = &c->roles[i];
		if (!streq(d->name, f->name))
			continue;
		if (!streq(d->delegator, f->delegator) &&
		    tuf_targets_verify_keys(&d->t, f->keys, f->delegation, f->name, &err) < 0)
			return tuf_client_fail(c, EKEYREJECTED, "%s.json: not signed by the keys %s "
					       "delegates it with: %s", f->name, f->delegator,
					       err.msg);
		*ret = &d->t;
		return 0;
	}
	if (c->n_roles == TUF_MAX_LOADED_ROLES)
		return tuf_client_fail(c, E2BIG, "%s.json: more than %d delegated roles", f->name,
				       TUF_MAX_LOADED_ROLES);
	if (c->n_roles == c->cap_roles) {
		size_t cap = c->cap_roles ? 2 * c->cap_roles : 16;
		struct tuf_delegated *grown = reallocarray(c->roles, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		c->roles = grown;
		c->cap_roles = cap;
	}
	d = &c->roles[c->n_roles];
	*d = (struct tuf_delegated){ .name = strdup(f->name), .delegator = strdup(f->delegator) };
	if (!d->name || !d->delegator) {
		free(d->name);
		free(d->delegator);
		return -ENOMEM;
	}
	k = tuf_client_load_role(c, f->name, f->keys, f->delegation, &d->t);
	if (k < 0) {
		free(d->name);
		free(d->delegator);
		return k;
	}
	c->n_roles++;
	*ret = &d->t;
	return 0;
}

struct stack {
	struct frame *f;
	size_t n, cap;
};

static int push(struct stack *s, struct frame f)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		struct frame *grown = reallocarray(s->f, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->f = grown;
		s->cap = cap;
	}
	s->f[s->n++] = f;
	return 0;
}

/* The delegations of t that path's search follows, pushed so the first is visited first;
 * a terminating one drops every candidate not yet visited. */
static int push_children(struct stack *s, const struct tuf_targets *t, const struct frame *f,
			 const char *path)
{
	const json_t *d = json_object_get(t->env.signed_obj, "delegations");
	const json_t *roles = json_object_get(d, "roles"), *v;
	size_t i, n = 0, base;
	int k;

	base = s->n;
	json_array_foreach(roles, i, v) {
		bool terminating;

		if (!delegated_for(v, path))
			continue;
		terminating = json_is_true(json_object_get(v, "terminating"));
		if (terminating) {
			/* the candidates below this role on the stack are dropped: move ours down */
			memmove(s->f, s->f + base, n * sizeof(*s->f));
			s->n = n;
			base = 0;
		}
		k = push(s, (struct frame){ .name = json_string_value(json_object_get(v, "name")),
					    .delegator = f->name,
					    .keys = json_object_get(d, "keys"),
					    .delegation = v,
					    .depth = f->depth + 1 });
		if (k < 0)
			return k;
		n++;
		if (terminating)
			break;
	}
	/* reversed, so that the first listed is popped first */
	for (size_t a = base, b = base + n; n && a < --b; a++) {
		struct frame tmp = s->f[a];

		s->f[a] = s->f[b];
		s->f[b] = tmp;
	}
	return 0;
}

/* Where a search starts: the top-level targets, or one role the top-level targets delegates
 * (by name: a node's policy may trust one such role only). */
static int start_frame(struct tuf_client *c, const char *role, struct frame *ret)
{
	const json_t *d = json_object_get(c->targets.env.signed_obj, "delegations"), *v;
	size_t i;

	*ret = (struct frame){ .name = "targets", .delegator = "root" };
	if (!role)
		return 0;
	json_array_foreach(json_object_get(d, "roles"), i, v)
		if (streq_ptr(json_string_value(json_object_get(v, "name")), role)) {
			*ret = (struct frame){ .name = json_string_value(json_object_get(v, "name")),
					       .delegator = "targets", .keys = json_object_get(d, "keys"),
					       .delegation = v, .depth = 1 };
			return 0;
		}
	return tuf_client_fail(c, ENOENT, "targets.json delegates no role named %.64s", role);
}

int tuf_client_find(struct tuf_client *c, const char *path, json_t **ret)
{
	return tuf_client_find_from(c, NULL, path, ret);
}

int tuf_client_find_from(struct tuf_client *c, const char *role, const char *path, json_t **ret)
{
	struct frame first;
	const char *visited[TUF_MAX_LOOKUP_ROLES];
	struct stack s = { 0 };
	size_t n_visited = 0;
	bool too_deep = false;
	int k;

	*ret = NULL;
	c->err.msg[0] = '\0';
	k = start_frame(c, role, &first);
	if (k >= 0)
		k = push(&s, first);
	while (k >= 0 && s.n) {
		struct frame f = s.f[--s.n];
		const struct tuf_targets *t = &c->targets;
		bool seen = false;

		for (size_t i = 0; i < n_visited && !seen; i++)
			seen = streq(visited[i], f.name);
		if (seen)
			continue;
		if (n_visited == TUF_MAX_LOOKUP_ROLES) {
			k = tuf_client_fail(c, ENOENT, "%s: not found in the %d roles a lookup may "
					    "visit (more are delegated: a loop, or too many roles)",
					    path, TUF_MAX_LOOKUP_ROLES);
			break;
		}
		if (f.keys && (k = get_role(c, &f, &t)) < 0)
			break;
		visited[n_visited++] = f.name;
		*ret = tuf_targets_get(t, path);
		if (*ret)
			break;
		if (f.depth == TUF_MAX_DEPTH) {
			too_deep = too_deep || json_object_get(t->env.signed_obj, "delegations");
			continue;
		}
		k = push_children(&s, t, &f, path);
	}
	free(s.f);
	if (k < 0 || *ret)
		return k;
	return tuf_client_fail(c, ENOENT, "%s: no such target in the trusted metadata%s", path,
			       too_deep ? " (delegations deeper than the limit were not followed)"
					: "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct paths {
	const char **p;
	size_t n, cap;
};

static int add_path(struct paths *ps, const char *p)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		const char **grown = reallocarray(ps->p, cap, sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		ps->p = grown;
		ps->cap = cap;
	}
	ps->p[ps->n++] = p;
	return 0;
}

static int collect(struct paths *ps, const struct tuf_targets *t, const char *prefix)
{
	size_t n = strlen(prefix);
	int k = 0;

	for (size_t i = 0; k >= 0 && i < t->n; i++)
		if (!strncmp(t->refs[i].path, prefix, n) &&
		    t->refs[i].path_len == strlen(t->refs[i].path))
			k = add_path(ps, t->refs[i].path);
	return k;
}

/* The paths under prefix listed by any role a delegation under prefix reaches. */
static int candidates(struct tuf_client *c, const char *role, const char *prefix,
		      struct paths *ps)
{
	struct stack s = { 0 };
	struct paths walked = { 0 }; /* role names, each role's paths taken once */
	struct frame first;
	int k = start_frame(c, role, &first);

	if (k >= 0)
		k = push(&s, first);

	while (k >= 0 && s.n) {
		struct frame f = s.f[--s.n];
		const struct tuf_targets *t = &c->targets;
		const json_t *d, *v;
		bool seen = false;
		size_t i;

		for (i = 0; i < walked.n && !seen; i++)
			seen = streq(walked.p[i], f.name);
		if (seen)
			continue;
		if (f.keys && (k = get_role(c, &f, &t)) < 0)
			break;
		k = collect(ps, t, prefix);
		if (k >= 0)
			k = add_path(&walked, f.name);
		if (k < 0 || f.depth == TUF_MAX_DEPTH)
			continue;
		d = json_object_get(t->env.signed_obj, "delegations");
		json_array_foreach(json_object_get(d, "roles"), i, v) {
			if (!delegated_under(v, prefix))
				continue;
			k = push(&s, (struct frame){ .name = json_string_value(json_object_get(v, "name")),
						     .delegator = f.name,
						     .keys = json_object_get(d, "keys"),
						     .delegation = v, .depth = f.depth + 1 });
			if (k < 0)
				break;
		}
	}
	free(s.f);
	free(walked.p);
	return k;
}

int tuf_client_foreach(struct tuf_client *c, const char *prefix, tuf_target_fn fn, void *ud)
{
	return tuf_client_foreach_from(c, NULL, prefix, fn, ud);
}

int tuf_client_foreach_from(struct tuf_client *c, const char *role, const char *prefix,
			    tuf_target_fn fn, void *ud)
{
	struct paths ps = { 0 };
	int k;

	c->err.msg[0] = '\0';
	k = candidates(c, role, prefix, &ps);
	if (k >= 0 && ps.n)
		qsort(ps.p, ps.n, sizeof(*ps.p), cmp_str);
	for (size_t i = 0; k >= 0 && i < ps.n; i++) {
		json_t *entry = NULL;

		if (i && streq(ps.p[i - 1], ps.p[i]))
			continue;
		/* listed somewhere is not trusted: the path's own search decides */
		k = tuf_client_find_from(c, role, ps.p[i], &entry);
		if (k == -ENOENT) {
			k = 0;
			continue;
		}
		if (k >= 0)
			k = fn(ud, ps.p[i], entry);
		json_decref(entry);
	}
	free(ps.p);
	return k;
}
