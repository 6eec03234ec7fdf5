/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fleet's side of the backend database (docs/FLEET.md): enrolment tokens, node
 * enrolment, signed health reports and the queries `fleet nodes|node|patches` print.
 *
 * A request is judged in the protocol's order: its signature over the exact bytes first
 * (fleet_verify), then who sent it, then its body (fleet_report_parse, fleet_enroll_parse),
 * then its sequence number. The parse and verify functions touch no database, so a fuzz
 * target and unit tests call them alone. A refusal is an answer, not an error: the
 * functions fill a struct fleet_answer with the HTTP status and reason and return 0; a
 * negative errno means the server itself failed (500) and nothing was stored.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define FLEET_BODY_MAX (64 * 1024)
#define FLEET_PATCHES_MAX 256
#define FLEET_PROBLEMS_MAX 64
#define FLEET_STRING_MAX 1024
#define FLEET_ID_MAX 128
#define FLEET_NODE_ID_LEN 64   /* hex of the 32-byte Ed25519 public key */
#define FLEET_SIG_LEN 128      /* hex of the 64-byte detached signature */
#define FLEET_REPORTS_KEPT 1000 /* fleet_report rows kept per node */

struct fleet_answer {
	int status;        /* HTTP status: 200, 201, 400, 401, 403, 409 */
	char error[256];   /* the reason of a refusal, "" when accepted */
	int64_t last_seq;  /* 409: the last sequence number accepted from the node */
	int64_t seq;       /* 200 for a report: the one accepted */
};

struct fleet_evidence {
	const char *type, *title, *strength, *function;
	int64_t time;
};

struct fleet_report_patch {
	const char *id, *state, *reason, *target;
	int64_t version, since;
	bool has_evidence;
	struct fleet_evidence evidence;
	json_t *evidence_json; /* borrowed from the report's document */
};

/* A parsed report; the strings point into root (owned). */
struct fleet_report {
	json_t *root;
	const char *node, *event, *machine_id, *boot_id, *hostname, *channel;
	const char *kernel_release, *build_id;
	int64_t seq, time, uptime, interval, taint;
	int64_t kmsg_records, kmsg_reports, kmsg_dropped;
	size_t n_patches, n_problems;
	struct fleet_report_patch *patches;
};

struct fleet_enroll {
	json_t *root;
	const char *token, *node, *machine_id, *hostname;
	int64_t time;
};

/* Checks the TuxTape-Node and TuxTape-Signature headers (either may be NULL: missing) and
 * the detached Ed25519 signature of body. 0 when it verifies; -EINVAL when a header is
 * missing or malformed (400), -EBADMSG when the signature does not verify (401); the reason
 * is written to err. pk (may be NULL) receives the public key. */
int fleet_verify(const char *node_hex, const char *sig_hex, const void *body, size_t len,
		 unsigned char pk[32], char *err, size_t errlen);

/* Bounded, validated parses of a body (docs/FLEET.md's bounds): 0, or -EINVAL with the
 * reason naming the field in err ("patches[3].state: ..."). */
int fleet_report_parse(const char *body, size_t len, struct fleet_report *r, char *err,
		       size_t errlen);
void fleet_report_free(struct fleet_report *r);
int fleet_enroll_parse(const char *body, size_t len, struct fleet_enroll *e, char *err,
		       size_t errlen);
void fleet_enroll_free(struct fleet_enroll *e);

/* Lowercase hex of n bytes into out (2n + 1 bytes); parse of exactly 2n hex digits. */
void fleet_hex(const unsigned char *in, size_t n, char *out);
int fleet_unhex(const char *hex, unsigned char *out, size_t n);

/* The database side; statements are prepared once and kept here. */
struct fleet;

struct fleet_limits {
	long stale_intervals; /* [fleet] stale-intervals */
	long token_expiry;    /* [fleet] token-expiry, seconds */
};

int fleet_new(struct db *db, const struct fleet_limits *lim, struct fleet **ret);
void fleet_free(struct fleet *f);

/* A new token: 32 random bytes, returned as hex (65 bytes) once; the database keeps its
 * SHA-256. expires_in <= 0: the configured expiry. */
int fleet_token_create(struct fleet *f, long expires_in, const char *note, char hex[65]);
/* [{hash (first 12 hex), created, expires, note, used, node, state}] */
int fleet_tokens(struct fleet *f, json_t **ret);

/* POST /v1/enroll: body already read whole; node_hex/sig_hex the headers. */
int fleet_enroll(struct fleet *f, const char *node_hex, const char *sig_hex, const char *body,
		 size_t len, int64_t now, struct fleet_answer *a);
/* POST /v1/reports; address is the peer's, stored with the node. */
int fleet_report_ingest(struct fleet *f, const char *node_hex, const char *sig_hex,
			const char *body, size_t len, const char *address, int64_t now,
			struct fleet_answer *a);

/* -ENOENT for an unknown node, -EALREADY when it was revoked before. */
int fleet_node_revoke(struct fleet *f, const char *id, const char *reason, int64_t now);

/* The queries (fleet_query.c); now decides staleness. */
int fleet_nodes(struct fleet *f, int64_t now, json_t **ret);
int fleet_node(struct fleet *f, const char *id, int64_t now, json_t **ret); /* -ENOENT */
int fleet_patches(struct fleet *f, json_t **ret);

/* Internal to the fleet library's files. */
struct db *fleet_db(struct fleet *f);
long fleet_stale_intervals(struct fleet *f);
