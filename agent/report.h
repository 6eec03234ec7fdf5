/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The node's side of the fleet protocol (docs/FLEET.md), without the engine: the node key
 * (STATE/node.key, Ed25519), the bounds a report must keep to be accepted, and the on-disk
 * queue STATE/reports/ (one file SEQ.json per report: "SIGNATURE\nBODY", written
 * atomically; at most REPORT_QUEUE_MAX files or REPORT_QUEUE_MAX_BYTES, the oldest dropped
 * first). The queue files are read back by the unprivileged fetch helper, so everything
 * about reading them (report_file_*) depends on libc alone: the helper links only that
 * object, not the daemon's libraries.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_MAX_BODY (64u << 10)
#define REPORT_MAX_PATCHES 256
#define REPORT_MAX_PROBLEMS 64
#define REPORT_MAX_STRING 1024
#define REPORT_MAX_ID 128
#define REPORT_SIG_HEX 128
/* a queue file: the signature, its newline, the body */
#define REPORT_FILE_MAX (REPORT_MAX_BODY + REPORT_SIG_HEX + 1)
#define REPORT_QUEUE_MAX 1000
#define REPORT_QUEUE_MAX_BYTES (4u << 20)
/* seqs stay below 2^53 (the protocol's integers): 16 digits at most */
#define REPORT_SEQ_MAX ((UINT64_C(1) << 53) - 1)

struct node_key {
	unsigned char pk[32];
	unsigned char sk[64];
	char id[65];             /* hex of pk: the node's id */
};

/* Loads path (exactly the 64-byte secret key), or creates it (mode 0600, atomic) when it
 * does not exist. -EBADMSG: the file is there but is not a key (never overwritten: a node
 * that lost its key is a new node, an operator's decision). Logs nothing. */
int node_key_load(const char *path, struct node_key *ret);
/* The detached signature of body, as 128 hex digits and a NUL. */
void node_key_sign(const struct node_key *k, const void *body, size_t len,
		   char sig[REPORT_SIG_HEX + 1]);

/* Serialises a report or an enrolment body within the protocol's bounds: strings cut to
 * REPORT_MAX_STRING bytes (REPORT_MAX_ID for "id" and "node"; cut on a UTF-8 boundary),
 * "patches" to REPORT_MAX_PATCHES, "problems" to REPORT_MAX_PROBLEMS; a body still over
 * REPORT_MAX_BODY has its strings cut shorter, then its last patches dropped. doc is
 * changed in place. *ret is malloc'd, NUL-ended. */
int report_serialize(json_t *doc, char **ret, size_t *ret_len);

struct report_entry {
	uint64_t seq;
	uint64_t size;
};

/* The queue's files, oldest (lowest seq) first; names other than SEQ.json (a crash's
 * temporaries) are left out. An absent directory is an empty queue. */
int report_file_list(const char *dir, struct report_entry **ret, size_t *n);
/* "DIR/SEQ.json"; NULL on OOM. */
char *report_file_path(const char *dir, uint64_t seq);
/* One queue file, buf[0..len): the signature (128 lowercase hex digits), a newline, then a
 * body of 2 to REPORT_MAX_BODY bytes that starts with '{' and holds no NUL. 0 with the
 * body's place in buf, or -EBADMSG and err says what is wrong (no byte of the file
 * quoted). */
int report_file_parse(const char *buf, size_t len, const char **ret_sig, const char **ret_body,
		      size_t *ret_body_len, char *err, size_t errlen);

struct report_drop {
	size_t n;                /* reports dropped to make room */
	uint64_t first, last;    /* their seqs */
};

/* Appends report seq (signature and body) to the queue in dir (created 0700), first
 * dropping the oldest files while the queue with it would hold more than max_files
 * files or max_bytes bytes. */
int report_queue_append(const char *dir, uint64_t seq, const char *sig, const char *body,
			size_t len, size_t max_files, uint64_t max_bytes, struct report_drop *drop);
/* Removes one report; an absent one is not an error. */
int report_queue_remove(const char *dir, uint64_t seq);
