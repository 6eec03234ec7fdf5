/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The signed patch archive: a directory of static files (DIR/metadata/, DIR/targets/) that
 * follows TUF 1.0 with consistent snapshots and Ed25519 keys (libsodium). Keys live in a key
 * directory (default DIR/keys, never served), one file per key, mode 0600. Every change writes
 * the new targets, then snapshot, then timestamp.json last, each file atomically, so a reader
 * (or a crash) never sees a timestamp pointing at metadata that is not there.
 * Target paths are RELEASE/NAME.ko, one directory per kernel release; their "custom" carries
 * the kernel release and build id, CVEs, patch id and version, channel and what they replace.
 * Revoked patch ids are listed in targets' "x-tuxtape-revoked" so nodes learn to revert them;
 * only a patch id the targets carry can be revoked. A target lists the channels it is offered
 * in; within a series (a kernel's cumulative livepatches) and release one target holds a
 * channel (tuf_archive_channels.c). Publishing takes a livepatch kernel module only (ELF,
 * .modinfo with livepatch=Y). archive_verify is in tuf_archive_verify.c.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct archive_expiry {
	int64_t root, targets, snapshot, timestamp; /* seconds from signing */
};

struct archive_opts {
	const char *dir;
	const char *keys;       /* NULL: DIR/keys */
	struct archive_expiry expiry;
	int64_t now;            /* the signing time; tests move it */
	/* init: the top-level targets key goes to this directory (to be kept offline) and
	 * delegates to an online role; bins (0, 16 or 256) spread it over bins by kernel
	 * release */
	const char *offline_targets;
	unsigned bins;
};

struct publish_info {
	const char *kernel_release;
	const char *build_id;   /* may be NULL */
	const char **cves;
	unsigned n_cves;
	const char *channel;    /* default "stable" */
	const char *patch_id;   /* default: the module's name */
	bool any_module;        /* skip the livepatch module check (to test nodes' own) */
	/* a cumulative livepatch's series (e.g. "cumulative-KERNEL"): the series' earlier
	 * targets for the release are superseded (removed, listed in "replaces") */
	const char *series;
	const char *content;    /* a digest of what it carries, so a run can tell it is done */
};

struct verify_report {
	int64_t root_version, targets_version, snapshot_version, timestamp_version;
	unsigned targets;
	int64_t timestamp_expires;
};

void archive_default_expiry(struct archive_expiry *e);
int archive_init(const struct archive_opts *o, unsigned root_keys);
int archive_publish(const struct archive_opts *o, const char *module, const struct publish_info *p,
		    char **ret_path);
/* The series' current target for the release: 1 with its patch id and content digest
 * (malloc'd), 0 when the series has none there. */
int archive_series_current(const struct archive_opts *o, const char *series, const char *release,
			   char **ret_patch_id, char **ret_content);
/* Removes the patch's targets and lists it revoked; a series target's channels go back to
 * the series' newest remaining target. */
int archive_revoke(const struct archive_opts *o, const char *patch_id);
/* Offers the patch in channel too, taking the channel from its series' other targets
 * (tuf_archive_channels.c). -ENOENT: no such patch; -EALREADY: already there. */
int archive_promote(const struct archive_opts *o, const char *patch_id, const char *channel);
/* The channels the patch is offered in (a new JSON array), -ENOENT when it is not. */
int archive_patch_channels(const struct archive_opts *o, const char *patch_id, json_t **ret);
int archive_timestamp(const struct archive_opts *o);
int archive_rotate(const struct archive_opts *o, const char *role);
int archive_verify(const struct archive_opts *o, struct verify_report *r);
/* The offline step of a delegated archive: the top-level targets signed again (version + 1,
 * new expiry) with the offline key (--keys). */
int archive_sign_top(const struct archive_opts *o);
/* An archive made without --offline-targets turned into one with an online role (and
 * o->bins bins) holding its targets: signed with the targets key where it is (--keys or
 * DIR/keys); 'archive rotate DIR targets --keys OFFLINE' then takes that key offline. */
int archive_delegate(const struct archive_opts *o);
/* The channel delegated to a role of its own ("channel-NAME", key in --keys, kept by the
 * operator): the channel's nodes trust that role alone for what it offers, and adding to the
 * channel (publish, promote) needs that key. Needs the offline targets key. */
int archive_delegate_channel(const struct archive_opts *o, const char *channel);
/* When the top-level targets expires (0: the archive delegates nothing). */
int archive_top_expires(const struct archive_opts *o, int64_t *ret);
