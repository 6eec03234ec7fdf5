/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by tuf_archive.c (keys, signing, the operations that change the archive) and
 * tuf_archive_verify.c (reading it back as a client would). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "tuf/tuf_meta.h"
#include <stdint.h>

#include "tuf_archive.h"

#define META_MAX (16u << 20)
#define MODULE_MAX (256u << 20)

/* DIR/SUB or DIR/SUB/NAME, malloc'd; NULL on OOM. */
char *archive_path_of(const struct archive_opts *o, const char *sub, const char *name);
/* Lowercase hex SHA-256 and SHA-512 of data. */
void archive_hash(const char *data, size_t len, char sha256[65], char sha512[129]);

/* In a delegated archive (tuf_archive_delegate.c) targets is a working view: every target of
 * the online role and its bins in one "targets", the online role's "x-tuxtape-revoked";
 * top is the top-level targets role (signed offline) and roles the delegated roles as read,
 * by name. Writing distributes the view back and signs the roles that changed. */
struct state {
	json_t *root, *targets, *snapshot, *timestamp; /* the "signed" parts */
	int64_t root_version;
	json_t *top, *roles;
	bool top_changed;   /* the top-level targets must be signed again (offline key) */
	bool resign_all;    /* every delegated role too (its key changed) */
};

struct keyfile {
	char keyid[TUF_KEYID_LEN + 1];
	unsigned char pk[32], sk[64];
};

/* A new Ed25519 key for role, written to dir (NULL: the key directory). */
int archive_key_generate(const struct archive_opts *o, const char *dir, const char *role,
			 struct keyfile *kf);
/* The private keys at hand for keyids, in --keys and in DIR/keys. */
int archive_keys_for_ids(const struct archive_opts *o, const json_t *ids, struct keyfile *out,
			 size_t max, size_t *n);
/* metadata/NAME's "signed", its envelope checked (signatures are not). */
int archive_read_signed(const struct archive_opts *o, const char *name, const char *type,
			json_t **ret);
json_t *archive_new_signed(const char *type, int64_t version, int64_t expires);
/* version + 1, expires as given */
int archive_bump(json_t *signed_obj, int64_t expires);
/* Signed by the keys of ids at hand, written as metadata/NAME; the bytes when asked. */
int archive_sign_write(const struct archive_opts *o, const json_t *ids, const char *role,
		       json_t *signed_obj, const char *name, char **ret_bytes, size_t *ret_len);
/* VERSION.ROLE.json signed and written, pinned in referrer's meta (by_version: by its
 * version alone, without length and hashes). */
int archive_write_pinned(const struct archive_opts *o, const json_t *ids, const char *role,
			 json_t *signed_obj, json_t *referrer, bool by_version);
/* tuf_archive_delegate.c: the delegated roles read into s (nothing when targets delegates
 * nothing), and written back. */
int archive_delegated_load(const struct archive_opts *o, struct state *s);
int archive_delegated_write(const struct archive_opts *o, struct state *s);
/* 0, or -ENOKEY (said) when channel is delegated to a role whose key is not at hand: the
 * commands that add to a channel ask first. */
int archive_channel_writable(const struct archive_opts *o, const struct state *s,
			     const char *channel);
/* A new key for the online role (and its bins): needs the offline targets key (--keys). */
int archive_rotate_online(const struct archive_opts *o);
/* s's targets made to delegate everything to a new online role (and o->bins bins), its
 * targets and revocations moving there. */
int archive_delegated_init(const struct archive_opts *o, struct state *s);

/* Letters, digits, '.', '_', '-', '+'; not empty, not "." or "..". */
bool archive_name_valid(const char *s);
/* The current metadata: the newest N.root.json, timestamp.json and what it points at. */
int archive_state_load(const struct archive_opts *o, struct state *s);
void archive_state_free(struct state *s);
/* targets changed (or not): a new snapshot, then timestamp.json, last. */
int archive_write_chain(const struct archive_opts *o, struct state *s, bool targets_changed,
			bool snapshot_changed);
/* tuf_archive_channels.c. A target's channels: "channels", else ["channel"], else
 * ["stable"] (a new reference). */
json_t *archive_target_channels(const json_t *custom);
/* A new target (path) of series for release takes channel from the series' other targets;
 * those left in no channel are removed and their paths added to replaces. Returns the new
 * target's series_seq (one above the series' highest for the release). */
int64_t archive_series_take(json_t *targets, const char *series, const char *release,
			    const char *path, const char *channel, json_t *replaces);
/* A removed target's channels go back to the newest remaining target of its series and
 * release (nothing when it had no series or none remains). */
void archive_series_restore(json_t *targets, const json_t *removed_custom);
