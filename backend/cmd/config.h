/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's configuration file (INI, read with libinih), default
 * /etc/tuxtape/backend.conf or $TUXTAPE_CONFIG. Unknown sections or keys and bad values are
 * errors naming the file and line. Command-line options override the file, which overrides
 * the built-in defaults; the database path may also come from $TUXTAPE_DB.
 */
#pragma once

#include <stdbool.h>

#define DEFAULT_CONFIG SYSCONFDIR "/tuxtape/backend.conf"
#define DEFAULT_STATE_DIR LOCALSTATEDIR "/lib/tuxtape"
#define DEFAULT_DB DEFAULT_STATE_DIR "/backend.db"
#define DEFAULT_VULNS_URL "https://git.kernel.org/pub/scm/linux/security/vulns.git"
#define DEFAULT_BRANCH "master"
#define DEFAULT_PIPELINE_WORK DEFAULT_STATE_DIR "/pipeline"
#define DEFAULT_ARCHIVE DEFAULT_STATE_DIR "/archive"

struct backend_config {
	char *db;     /* [backend] db */
	char *vulns;  /* [scan] vulns: URL or local path */
	char *branch; /* [scan] branch */
	char *mirror; /* [scan] mirror: where a URL source is cloned */
	char *policy; /* [triage] policy: the prioritizer's weights and thresholds */
	char *gen_cache;   /* [generate] cache: the generator's prepared kernel trees */
	char *gen_notify;  /* [generate] notify: command run when a fix needs a person */
	char *gen_webhook; /* [generate] webhook: URL the failure report is POSTed to */
	char *gen_vet;     /* [generate] vet: command run with the module to vet it */
	struct pipeline_config {
		char *kernels;     /* names, space-separated; NULL: every registered kernel */
		char *fixes;       /* where fixes come from: a Linux git repository (path or
				    * URL) or a newer source (directory or tarball) */
		char **fixes_for;  /* fixes.NAME = ...: "NAME=VALUE", NULL-terminated */
		char *min_priority;
		char *archive, *keys, *channel;
		char *work;        /* per-CVE and cumulative generator output */
		char *mirror;      /* where a URL fixes source is mirrored */
		long budget;       /* seconds; 0: no limit */
		long jobs;         /* generations at a time; 0: one */
		long limit;        /* new attempts per kernel and run; 0: no limit */
	} pipeline;        /* [pipeline] */
	struct fleet_config {
		char *channels;    /* ordered, space-separated; NULL: DEFAULT_CHANNELS */
		long promote_nodes;   /* healthy nodes a channel needs before the next one */
		long promote_after;   /* seconds each of them ran it */
		long revoke_failures; /* more nodes than this stalled or failed: revoked */
		long stale_intervals; /* a node silent this many of its intervals is stale */
		long token_expiry;    /* seconds an enrolment token lives */
	} fleet;           /* [fleet] */
	struct serve_config {
		char *listen;      /* ADDR:PORT; NULL: DEFAULT_LISTEN */
		char *tls_cert, *tls_key;
		char *archive;     /* a directory served as static files; NULL: none */
		long rate;         /* requests per second from one address */
		long burst;        /* requests one address may send at once */
		long connections;  /* at most this many at a time */
	} serve;           /* [serve] */
};

#define DEFAULT_CHANNELS "canary stable"
#define DEFAULT_LISTEN "127.0.0.1:8470"

/* The value parsers the file and the command line share (-EINVAL when out of range):
 * a duration (30, 90s, 45m, 2h, 1d; at most a year) in seconds, a count 0..max. */
int config_parse_duration(const char *s, long *ret);
int config_parse_count(const char *s, long max, long *ret);

/* The built-in defaults (config_load sets them first; a caller that loads no file calls it). */
void config_defaults(struct backend_config *cfg);
/* path NULL: the default file, which may be absent. A named file must exist. */
int config_load(const char *path, struct backend_config *cfg);
void config_free(struct backend_config *cfg);
