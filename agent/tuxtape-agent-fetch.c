/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-agent-fetch: the network half of the agent's refresh. tuxtape-agent runs it as a
 * short-lived child so the daemon itself maps neither libcurl nor OpenSSL: they cost ~10 MiB
 * of resident library pages for a few milliseconds of work an hour. Not meant to be run by
 * hand, though it is harmless to.
 *
 *   tuxtape-agent-fetch --metadata-dir D --trusted-root F --url U --cache-dir C --release R
 *                       [--build-id B] [--channel C] [--skip ID[:VERSION]]...
 *
 * One TUF update cycle (common/tuf_client) against the agent's metadata directory, which is
 * first seeded with the trusted root when it does not exist; then the selection of this
 * node's targets (kernel release; build-id when both the target and the node have one;
 * channel: in the target's "channels" list, or its one "channel", "stable" when it names
 * none), and the download into the module cache of
 * every selected target not already there with the signed length and sha256, except those
 * the agent needs no more: --skip ID (any version) or ID:VERSION (that version and older).
 * Writes to the cache are atomic (tuf_client_download); the agent checks a file's sha256
 * again before it loads it.
 *
 * Output, one JSON document on stdout, at most FETCH_MAX_TARGETS targets:
 *   {"targets": [{"path", "patch_id", "version", "sha256", "cves", "published" (Unix time,
 *     0 when the metadata has none), "file" (in the cache) or "error" (why the download
 *     failed) or neither (skipped)}], "revoked": ["PATCH-ID", ...]}
 * exit 0; or {"error": "WHY"} and exit 1 when the archive could not be brought up to date
 * (nothing is changed then). Exit 2: usage. Anything on stderr is a crash's last words.
 * Every capability is dropped before the first byte comes off the network: the process runs
 * as root only to own the agent's files.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tuf/tuf_client.h"
#include "util.h"

#define FETCH_MAX_TARGETS 4096
#define FETCH_MAX_SKIPS 65536

struct skip {
	const char *id;
	size_t id_len;
	int64_t upto;           /* INT64_MAX: every version */
};

struct fetch {
	const char *metadata_dir, *trusted_root, *url, *cache_dir, *release, *build_id, *channel;
	struct skip *skips;
	size_t n_skips;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tuxtape-agent-fetch --metadata-dir D --trusted-root F --url U --cache-dir C\n"
		   "                           --release R [--build-id B] [--channel C]\n"
		   "                           [--skip ID[:VERSION]]...\n\n"
		   "The network half of tuxtape-agent's refresh: brings the agent's TUF metadata up\n"
		   "to date, downloads this node's new targets into the module cache, and prints\n"
		   "what it found as JSON. Exit codes: 0 done, 1 archive failure, 2 usage.\n"
		   "--help shows this text, --version the version.\n");
}

static int parse_skip(const char *arg, struct skip *ret)
{
	const char *colon = strrchr(arg, ':');
	char *end;
	long long v;

	*ret = (struct skip){ .id = arg, .id_len = strlen(arg), .upto = INT64_MAX };
	if (!colon)
		return 0;
	errno = 0;
	v = strtoll(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || v < 0)
		return -EINVAL;
	ret->id_len = (size_t)(colon - arg);
	ret->upto = v;
	return 0;
}

static bool skipped(const struct fetch *f, const char *id, int64_t version)
{
	for (size_t i = 0; i < f->n_skips; i++)
		if (strlen(id) == f->skips[i].id_len && !memcmp(id, f->skips[i].id, f->skips[i].id_len) &&
		    version <= f->skips[i].upto)
			return true;
	return false;
}

static bool for_node(const struct fetch *f, const json_t *custom)
{
	const char *rel = json_string_value(json_object_get(custom, "kernel_release"));
	const char *bid = json_string_value(json_object_get(custom, "build_id"));
	const char *chan = json_string_value(json_object_get(custom, "channel"));
	const json_t *channels = json_object_get(custom, "channels"), *c;
	size_t i;

	if (!rel || !streq(rel, f->release))
		return false;
	if (bid && *bid && f->build_id[0] && strcasecmp(bid, f->build_id) != 0)
		return false;
	/* a list of the channels it is offered in; older archives name one */
	if (json_is_array(channels)) {
		json_array_foreach(channels, i, c)
			if (json_is_string(c) && streq(json_string_value(c), f->channel))
				return true;
		return false;
	}
	return streq(chan ? chan : "stable", f->channel);
}

/* A root process without capabilities still owns the agent's root-owned state files, and
 * cannot load modules, override permissions or raise its capabilities again by exec. */
static void drop_capabilities(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	(void)syscall(SYS_capset, &h, none);
}

/* The cached copy is good when it has the signed length and sha256. */
static bool cached(const char *file, json_int_t length, const char *sha256)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char hex[65];
	size_t len;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size != length)
		return false;
	return tuf_sha256_fd(fd, &len, hex) == 0 && len == (size_t)length && streq(hex, sha256);
}

/* One selected target: its metadata, and its file in the cache or why there is none. */
static json_t *take_target(const struct fetch *f, struct tuf_client *c, const char *targets_url,
			   const char *path, const json_t *entry)
{
	const json_t *custom = json_object_get(entry, "custom");
	const char *id = json_string_value(json_object_get(custom, "patch_id"));
	const char *sha = json_string_value(json_object_get(json_object_get(entry, "hashes"), "sha256"));
	json_int_t version = json_integer_value(json_object_get(custom, "patch_version"));
	const char *published = json_string_value(json_object_get(custom, "published"));
	const json_t *cves = json_object_get(custom, "cves");
	_cleanup_free_ char *file = NULL;
	int64_t when = 0;
	json_t *t;
	int k;

	if (!published || tuf_parse_expires(published, &when) < 0)
		when = 0;
	t = json_pack("{s:s, s:s, s:I, s:s, s:O, s:I}", "path", path, "patch_id", id,
		      "version", version, "sha256", sha, "cves", json_is_array(cves) ? cves : json_null(),
		      "published", (json_int_t)when);
	if (!t || skipped(f, id, version))
		return t;
	file = tuf_client_target_file(f->cache_dir, path);
	if (!file) {
		json_decref(t);
		return NULL;
	}
	if (cached(file, json_integer_value(json_object_get(entry, "length")), sha)) {
		json_object_set_new(t, "file", json_string(file));
		return t;
	}
	free(file);
	file = NULL;
	k = tuf_client_download(c, path, targets_url, f->cache_dir, &file);
	if (k < 0)
		json_object_set_new(t, "error", json_string(c->err.msg[0] ? c->err.msg : strerror(-k)));
	else
		json_object_set_new(t, "file", json_string(file));
	return t;
}

static int fetch_run(const struct fetch *f, json_t **ret, char *why, size_t size)
{
	_cleanup_free_ char *metadata_url = NULL, *targets_url = NULL;
	struct tuf_client c = { .metadata_dir = f->metadata_dir,
				.fetch = tuf_curl_fetch,
				.fetch_file = tuf_curl_fetch_file };
	const json_t *revoked, *r;
	json_t *out_targets, *out_revoked, *doc;
	size_t i;
	int k;

	if (access(f->metadata_dir, F_OK) < 0) {
		k = tuf_client_init(f->metadata_dir, f->trusted_root, &c.err);
		if (k < 0) {
			snprintf(why, size, "cannot take %s as the trusted root: %s", f->trusted_root,
				 c.err.msg[0] ? c.err.msg : strerror(-k));
			return k;
		}
	}
	if (asprintf(&metadata_url, "%s/metadata", f->url) < 0 ||
	    asprintf(&targets_url, "%s/targets", f->url) < 0)
		return -ENOMEM;
	c.metadata_url = metadata_url;
	k = tuf_client_refresh(&c);
	if (k < 0) {
		snprintf(why, size, "%s", c.err.msg[0] ? c.err.msg : strerror(-k));
		tuf_client_free(&c);
		return k;
	}
	revoked = json_object_get(c.targets.env.signed_obj, "x-tuxtape-revoked");
	out_targets = json_array();
	out_revoked = json_array();
	doc = json_pack("{s:o, s:o}", "targets", out_targets, "revoked", out_revoked);
	if (!doc) {
		tuf_client_free(&c);
		return -ENOMEM;
	}
	for (size_t n = 0; n < c.targets.n; n++) {
		const char *path = c.targets.refs[n].path;
		json_t *entry = tuf_targets_entry(&c.targets, n), *t;
		const json_t *custom = json_object_get(entry, "custom");

		if (!entry || !json_is_string(json_object_get(custom, "patch_id")) ||
		    !json_is_string(json_object_get(json_object_get(entry, "hashes"), "sha256")) ||
		    !for_node(f, custom)) {
			json_decref(entry);
			continue;
		}
		if (json_array_size(out_targets) == FETCH_MAX_TARGETS) {
			snprintf(why, size, "the archive has more than %d targets for this node",
				 FETCH_MAX_TARGETS);
			json_decref(entry);
			json_decref(doc);
			tuf_client_free(&c);
			return -E2BIG;
		}
		t = take_target(f, &c, targets_url, path, entry);
		json_decref(entry);
		if (!t || json_array_append_new(out_targets, t) < 0) {
			json_decref(doc);
			tuf_client_free(&c);
			return -ENOMEM;
		}
	}
	json_array_foreach(revoked, i, r) {
		const char *id = json_string_value(json_object_get(r, "patch_id"));

		if (id && json_array_size(out_revoked) < FETCH_MAX_TARGETS)
			json_array_append_new(out_revoked, json_string(id));
	}
	tuf_client_free(&c);
	*ret = doc;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metadata-dir", required_argument, NULL, 'd' },
		{ "trusted-root", required_argument, NULL, 'r' },
		{ "url", required_argument, NULL, 'u' },
		{ "cache-dir", required_argument, NULL, 'c' },
		{ "release", required_argument, NULL, 'R' },
		{ "build-id", required_argument, NULL, 'b' },
		{ "channel", required_argument, NULL, 'C' },
		{ "skip", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct fetch f = { .build_id = "", .channel = "stable" };
	_cleanup_free_ struct skip *skips = NULL;
	char why[1024] = "";
	json_t *doc = NULL;
	int opt, k;

	skips = calloc((size_t)argc, sizeof(*skips));
	if (!skips)
		return 1;
	f.skips = skips;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': f.metadata_dir = optarg; break;
		case 'r': f.trusted_root = optarg; break;
		case 'u': f.url = optarg; break;
		case 'c': f.cache_dir = optarg; break;
		case 'R': f.release = optarg; break;
		case 'b': f.build_id = optarg; break;
		case 'C': f.channel = optarg; break;
		case 's':
			if (f.n_skips == FETCH_MAX_SKIPS || parse_skip(optarg, &skips[f.n_skips]) < 0) {
				fprintf(stderr, "tuxtape-agent-fetch: bad --skip '%s'\n", optarg);
				return 2;
			}
			f.n_skips++;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tuxtape-agent-fetch %s\n", TUXTAPE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !f.metadata_dir || !f.trusted_root || !f.url || !f.cache_dir ||
	    !f.release) {
		usage(stderr);
		return 2;
	}
	drop_capabilities();
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "tuxtape-agent-fetch: cannot initialise libsodium/libcurl\n");
		return 1;
	}
	k = fetch_run(&f, &doc, why, sizeof(why));
	if (k < 0)
		doc = json_pack("{s:s}", "error", why[0] ? why : strerror(-k));
	if (!doc || json_dumpf(doc, stdout, JSON_COMPACT) < 0 || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "tuxtape-agent-fetch: cannot write the result: %s\n", strerror(errno));
		k = -EIO;
	}
	json_decref(doc);
	curl_global_cleanup();
	return k < 0 ? 1 : 0;
}
