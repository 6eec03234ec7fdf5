/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enrolment tokens, enrolment and report ingest over the fleet tables (schema 5). A report
 * is stored in one transaction or not at all; every statement run per request is prepared
 * once (the server's rate depends on it).
 */
#include "fleet/fleet.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "tuf/tuf_meta.h"
#include "util.h"

enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_NODE_GET,
	S_NODE_UPDATE,
	S_NODE_INSERT,
	S_PATCH_DELETE,
	S_PATCH_INSERT,
	S_REPORT_INSERT,
	S_REPORT_PRUNE,
	S_TOKEN_GET,
	S_TOKEN_USE,
	S_MAX,
};

static const char *const statements[S_MAX] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_NODE_GET] = "SELECT public_key, revoked, last_seq FROM fleet_node WHERE id = ?",
	[S_NODE_UPDATE] =
		"UPDATE fleet_node SET last_seq = ?2, last_report = ?3, last_event = ?4,"
		" address = ?5, channel = ?6, interval = ?7, kernel_release = ?8, build_id = ?9,"
		" boot_id = ?10, uptime = ?11, taint = ?12, report = ?13, machine_id = ?14,"
		" hostname = ?15 WHERE id = ?1",
	[S_NODE_INSERT] =
		"INSERT INTO fleet_node(id, public_key, machine_id, hostname, enrolled)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
		" machine_id = excluded.machine_id, hostname = excluded.hostname",
	[S_PATCH_DELETE] = "DELETE FROM fleet_patch WHERE node = ?",
	[S_PATCH_INSERT] =
		"INSERT INTO fleet_patch(node, patch_id, version, state, reason, since, channel,"
		" evidence, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_REPORT_INSERT] = "INSERT INTO fleet_report(node, seq, received, event) VALUES (?, ?, ?, ?)",
	/* exact, and cheap until a node has sent more than FLEET_REPORTS_KEPT reports */
	[S_REPORT_PRUNE] =
		"DELETE FROM fleet_report WHERE node = ?1 AND seq <= (SELECT seq FROM fleet_report"
		" WHERE node = ?1 ORDER BY seq DESC LIMIT 1 OFFSET 1000)",
	[S_TOKEN_GET] = "SELECT expires, used, node FROM fleet_token WHERE hash = ?",
	[S_TOKEN_USE] = "UPDATE fleet_token SET used = ?2, node = ?3 WHERE hash = ?1",
};

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize);

_Static_assert(FLEET_REPORTS_KEPT == 1000, "S_REPORT_PRUNE's OFFSET");

struct fleet {
	struct db *db;
	struct fleet_limits lim;
	sqlite3_stmt *st[S_MAX];
};

struct db *fleet_db(struct fleet *f)
{
	return f->db;
}

long fleet_stale_intervals(struct fleet *f)
{
	return f->lim.stale_intervals;
}

int fleet_new(struct db *db, const struct fleet_limits *lim, struct fleet **ret)
{
	struct fleet *f = calloc(1, sizeof(*f));

	if (!f)
		return log_error_errno(ENOMEM, "out of memory");
	f->db = db;
	f->lim = *lim;
	if (f->lim.stale_intervals <= 0)
		f->lim.stale_intervals = 2;
	if (f->lim.token_expiry <= 0)
		f->lim.token_expiry = 24 * 3600;
	*ret = f;
	return 0;
}

void fleet_free(struct fleet *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < S_MAX; i++)
		sqlite3_finalize(f->st[i]);
	free(f);
}

static int stmt(struct fleet *f, unsigned s, sqlite3_stmt **ret)
{
	if (!f->st[s] && sqlite3_prepare_v3(f->db->sql, statements[s], -1,
					    SQLITE_PREPARE_PERSISTENT, &f->st[s], NULL) != SQLITE_OK)
		return log_error_errno(EIO, "%s: cannot prepare statement: %s", f->db->path,
				       sqlite3_errmsg(f->db->sql));
	sqlite3_reset(f->st[s]);
	sqlite3_clear_bindings(f->st[s]);
	*ret = f->st[s];
	return 0;
}

static int run(struct fleet *f, unsigned s)
{
	sqlite3_stmt *st;
	int k = stmt(f, s, &st);

	return k < 0 ? k : db_step_done(f->db, st);
}

static void rollback(struct fleet *f)
{
	if (!sqlite3_get_autocommit(f->db->sql))
		(void)run(f, S_ROLLBACK);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? json_string(s) : json_null();
}

_printf_(3, 4) static int refuse(struct fleet_answer *a, int status, const char *fmt, ...)
{
	va_list ap;

	a->status = status;
	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
	return 0;
}

/* The signature check's answer: a malformed header is the request's fault (400), a
 * signature that does not verify is an authentication failure (401). */
static int verify(const char *node_hex, const char *sig_hex, const char *body, size_t len,
		  unsigned char pk[32], struct fleet_answer *a)
{
	int k = fleet_verify(node_hex, sig_hex, body, len, pk, a->error, sizeof(a->error));

	if (k == -EBADMSG)
		a->status = 401;
	else if (k < 0)
		a->status = 400;
	return k;
}

static void token_hash(const char *token, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	fleet_hex(h, sizeof(h), hex);
}

int fleet_token_create(struct fleet *f, long expires_in, const char *note, char hex[65])
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	unsigned char raw[32];
	char hash[65];
	int64_t now = time(NULL);
	int k;

	if (sodium_init_once() < 0)
		return log_error_errno(EIO, "libsodium failed to initialise");
	randombytes_buf(raw, sizeof(raw));
	fleet_hex(raw, sizeof(raw), hex);
	sodium_memzero(raw, sizeof(raw));
	token_hash(hex, hash);
	k = db_prepare(f->db, "INSERT INTO fleet_token(hash, created, expires, note)"
		       " VALUES (?, ?, ?, ?)", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now + (expires_in > 0 ? expires_in : f->lim.token_expiry));
	bind_text(st, 4, note);
	return db_step_done(f->db, st);
}

int fleet_tokens(struct fleet *f, json_t **ret)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int64_t now = time(NULL);
	int k;

	if (!list)
		return log_error_errno(ENOMEM, "out of memory");
	k = db_prepare(f->db, "SELECT substr(hash, 1, 12), created, expires, note, used, node"
		       " FROM fleet_token ORDER BY created, hash", &st);
	if (k < 0) {
		json_decref(list);
		return k;
	}
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		bool used = sqlite3_column_type(st, 4) != SQLITE_NULL;
		int64_t expires = sqlite3_column_int64(st, 2);
		json_t *t = json_pack("{ss sI sI so so so ss}",
			"hash", (const char *)sqlite3_column_text(st, 0),
			"created", (json_int_t)sqlite3_column_int64(st, 1),
			"expires", (json_int_t)expires,
			"note", text_or_null(st, 3),
			"used", used ? json_integer(sqlite3_column_int64(st, 4)) : json_null(),
			"node", text_or_null(st, 5),
			"state", used ? "used" : expires < now ? "expired" : "unused");

		if (!t || json_array_append_new(list, t) < 0) {
			json_decref(list);
			return log_error_errno(ENOMEM, "out of memory");
		}
	}
	if (k != SQLITE_DONE) {
		json_decref(list);
		return log_error_errno(EIO, "%s: %s", f->db->path, sqlite3_errmsg(f->db->sql));
	}
	*ret = list;
	return 0;
}

/* The node's row: -ENOENT when unknown; *revoked set when it was revoked. */
static int node_get(struct fleet *f, const char *id, const unsigned char pk[32], bool *revoked,
		    int64_t *last_seq)
{
	sqlite3_stmt *st;
	int k = stmt(f, S_NODE_GET, &st);

	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_DONE) {
		sqlite3_reset(st);
		return -ENOENT;
	}
	if (k != SQLITE_ROW) {
		sqlite3_reset(st);
		return log_error_errno(EIO, "%s: %s", f->db->path, sqlite3_errmsg(f->db->sql));
	}
	/* the id is the key's hex, so they differ only in a hand-edited row: trust neither */
	if (sqlite3_column_bytes(st, 0) != 32 || memcmp(sqlite3_column_blob(st, 0), pk, 32) != 0)
		k = -EKEYREJECTED;
	else
		k = 0;
	*revoked = sqlite3_column_type(st, 1) != SQLITE_NULL;
	*last_seq = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return k;
}

static int enroll_store(struct fleet *f, const struct fleet_enroll *e, const unsigned char pk[32],
			const char *hash, int64_t now, struct fleet_answer *a)
{
	sqlite3_stmt *st;
	bool revoked = false;
	int64_t seq, expires;
	int k;

	k = node_get(f, e->node, pk, &revoked, &seq);
	if (k < 0 && k != -ENOENT && k != -EKEYREJECTED)
		return k;
	if (k == -EKEYREJECTED)
		return refuse(a, 403, "node %s: its stored key differs", e->node);
	if (revoked)
		return refuse(a, 403, "node %s is revoked", e->node);

	k = stmt(f, S_TOKEN_GET, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_DONE) {
		sqlite3_reset(st);
		return refuse(a, 403, "token: unknown");
	}
	if (k != SQLITE_ROW) {
		sqlite3_reset(st);
		return log_error_errno(EIO, "%s: %s", f->db->path, sqlite3_errmsg(f->db->sql));
	}
	expires = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		bool same = streq_ptr((const char *)sqlite3_column_text(st, 2), e->node);

		sqlite3_reset(st);
		/* a retry whose first answer was lost */
		if (same)
			return a->status = 200, 0;
		return refuse(a, 403, "token: already used by another node");
	}
	sqlite3_reset(st);
	if (expires < now)
		return refuse(a, 403, "token: expired");

	k = stmt(f, S_NODE_INSERT, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, e->node, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, pk, 32, SQLITE_STATIC);
	bind_text(st, 3, e->machine_id);
	bind_text(st, 4, e->hostname);
	sqlite3_bind_int64(st, 5, now);
	k = db_step_done(f->db, st);
	if (k < 0)
		return k;
	k = stmt(f, S_TOKEN_USE, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, e->node, -1, SQLITE_STATIC);
	k = db_step_done(f->db, st);
	if (k < 0)
		return k;
	a->status = 201;
	return 0;
}

int fleet_enroll(struct fleet *f, const char *node_hex, const char *sig_hex, const char *body,
		 size_t len, int64_t now, struct fleet_answer *a)
{
	struct fleet_enroll e;
	unsigned char pk[32];
	char hash[65];
	int k;

	memset(a, 0, sizeof(*a));
	if (verify(node_hex, sig_hex, body, len, pk, a) < 0)
		return 0;
	if (fleet_enroll_parse(body, len, &e, a->error, sizeof(a->error)) < 0)
		return a->status = 400, 0;
	if (!streq(e.node, node_hex)) {
		fleet_enroll_free(&e);
		return refuse(a, 403, "node: the body's node is not the TuxTape-Node header's");
	}
	token_hash(e.token, hash);
	k = run(f, S_BEGIN);
	if (k >= 0)
		k = enroll_store(f, &e, pk, hash, now, a);
	if (k >= 0 && a->status == 201)
		k = run(f, S_COMMIT);
	if (k < 0 || a->status != 201)
		rollback(f);
	fleet_enroll_free(&e);
	return k;
}

static int store_report(struct fleet *f, const struct fleet_report *r, const char *body,
			size_t len, const char *address, int64_t now)
{
	sqlite3_stmt *st;
	int k;

	k = stmt(f, S_NODE_UPDATE, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, r->event, -1, SQLITE_STATIC);
	bind_text(st, 5, address);
	sqlite3_bind_text(st, 6, r->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->interval);
	sqlite3_bind_text(st, 8, r->kernel_release, -1, SQLITE_STATIC);
	bind_text(st, 9, r->build_id);
	bind_text(st, 10, r->boot_id);
	sqlite3_bind_int64(st, 11, r->uptime);
	sqlite3_bind_int64(st, 12, r->taint);
	sqlite3_bind_text(st, 13, body, (int)len, SQLITE_STATIC);
	bind_text(st, 14, r->machine_id);
	bind_text(st, 15, r->hostname);
	k = db_step_done(f->db, st);
	if (k < 0)
		return k;

	/* the report is the node's whole view: patches it no longer lists are gone */
	k = stmt(f, S_PATCH_DELETE, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	k = db_step_done(f->db, st);
	for (size_t i = 0; k >= 0 && i < r->n_patches; i++) {
		const struct fleet_report_patch *p = &r->patches[i];
		_cleanup_free_ char *evidence = NULL;

		if (p->evidence_json) {
			evidence = json_dumps(p->evidence_json, JSON_COMPACT | JSON_SORT_KEYS);
			if (!evidence)
				return log_error_errno(ENOMEM, "out of memory");
		}
		k = stmt(f, S_PATCH_INSERT, &st);
		if (k < 0)
			return k;
		sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, p->version);
		sqlite3_bind_text(st, 4, p->state, -1, SQLITE_STATIC);
		bind_text(st, 5, p->reason);
		sqlite3_bind_int64(st, 6, p->since);
		sqlite3_bind_text(st, 7, r->channel, -1, SQLITE_STATIC);
		bind_text(st, 8, evidence);
		sqlite3_bind_int64(st, 9, now);
		k = db_step_done(f->db, st);
	}
	if (k < 0)
		return k;

	k = stmt(f, S_REPORT_INSERT, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, r->event, -1, SQLITE_STATIC);
	k = db_step_done(f->db, st);
	if (k < 0)
		return k;
	k = stmt(f, S_REPORT_PRUNE, &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	return db_step_done(f->db, st);
}

int fleet_report_ingest(struct fleet *f, const char *node_hex, const char *sig_hex,
			const char *body, size_t len, const char *address, int64_t now,
			struct fleet_answer *a)
{
	struct fleet_report r = { 0 };
	unsigned char pk[32];
	bool revoked = false, stored = false;
	int64_t last_seq = 0;
	int k;

	memset(a, 0, sizeof(*a));
	if (verify(node_hex, sig_hex, body, len, pk, a) < 0)
		return 0;
	k = run(f, S_BEGIN);
	if (k < 0)
		return k;
	k = node_get(f, node_hex, pk, &revoked, &last_seq);
	if (k == -ENOENT || k == -EKEYREJECTED) {
		k = 0;
		refuse(a, 403, "node %s is not enrolled", node_hex);
	} else if (k >= 0 && revoked) {
		refuse(a, 403, "node %s is revoked", node_hex);
	} else if (k >= 0 && fleet_report_parse(body, len, &r, a->error, sizeof(a->error)) < 0) {
		a->status = 400;
	} else if (k >= 0 && !streq(r.node, node_hex)) {
		refuse(a, 403, "node: the body's node is not the TuxTape-Node header's");
	} else if (k >= 0 && r.seq <= last_seq) {
		refuse(a, 409, "replayed");
		a->last_seq = last_seq;
	} else if (k >= 0) {
		k = store_report(f, &r, body, len, address, now);
		if (k >= 0)
			k = run(f, S_COMMIT);
		stored = k >= 0;
	}
	if (!stored)
		rollback(f);
	if (stored) {
		a->status = 200;
		a->seq = r.seq;
	}
	fleet_report_free(&r);
	return k;
}

int fleet_node_revoke(struct fleet *f, const char *id, const char *reason, int64_t now)
{
	_cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
	int k;

	k = db_prepare(f->db, "UPDATE fleet_node SET revoked = ?2, revoked_reason = ?3"
		       " WHERE id = ?1 AND revoked IS NULL", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	k = db_step_done(f->db, st);
	if (k < 0)
		return k;
	if (sqlite3_changes(f->db->sql) == 1)
		return 0;
	sqlite3_finalize(TAKE_PTR(st));
	k = db_prepare(f->db, "SELECT 1 FROM fleet_node WHERE id = ?", &st);
	if (k < 0)
		return k;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	if (k == SQLITE_ROW)
		return -EALREADY;
	if (k == SQLITE_DONE)
		return -ENOENT;
	return log_error_errno(EIO, "%s: %s", f->db->path, sqlite3_errmsg(f->db->sql));
}
