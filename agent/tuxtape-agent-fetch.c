/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tuxtape-agent-fetch: the network half of the agent's refresh. tuxtape-agent runs it as a
 * short-lived child so the daemon itself maps neither libcurl nor OpenSSL: they cost ~10 MiB
 * of resident library pages for a few milliseconds of work an hour. Not meant to be run by
 * hand, though it is harmless to.
 *
 *   tuxtape-agent-fetch [--metadata-dir D --trusted-root F --url U --cache-dir C --release R
 *                        [--build-id B] [--channel C] [--skip ID[:VERSION]]...]
 *                       [--node ID --reports-dir D --report-url URL]
 *                       [--node ID --enroll-file F --enroll-url URL]
 *
 * The fleet (docs/FLEET.md), when asked: first the report queue D is delivered, oldest first
 * (each file "SIGNATURE\nBODY" POSTed as it is, with the node id and the signature in the
 * headers), stopping at the first report the server cannot take for now (network error,
 * 429, 5xx) so the order holds; or the enrolment body in F is POSTed. The daemon deletes
 * what was delivered, from this program's answer; nothing here deletes a file. Then the
 * archive, when --url is given.
 *
 * One TUF update cycle (common/tuf_client) against the agent's metadata directory, which is
 * first seeded with the trusted root when it does not exist; then the selection of this
 * node's targets (kernel release; build-id when both the target and the node have one;
 * channel: in the target's "channels" list, or its one "channel", "stable" when it names
 * none; when the archive delegates the node's channel C to a role "channel-C" of its own,
 * only that role's targets count for it), and the download into the module cache of
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
 * (nothing is changed then). With the queue the document also holds "reports": [{"seq",
 * "status" (HTTP; 0: not reached), "event", "time", "error" (the server's or the network's
 * reason), "corrupt" (true: the file is not a report)}], one per report tried; with the
 * enrolment "enroll": {"status", "error"}. Exit 2: usage. Anything on stderr is a crash's last words.
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

#include "fileio.h"
#include "report.h"
#include "tuf/tuf_client.h"
#include "util.h"

#define FETCH_MAX_TARGETS 4096
#define FETCH_MAX_SKIPS 65536
/* the most of a fleet server's answer kept: its reason is all the agent shows */
#define ANSWER_MAX 16384

struct skip {
	const char *id;
	size_t id_len;
	int64_t upto;           /* INT64_MAX: every version */
};

struct fetch {
	const char *metadata_dir, *trusted_root, *url, *cache_dir, *release, *build_id, *channel;
	const char *node, *reports_dir, *report_url, *enroll_file, *enroll_url;
	struct skip *skips;
	size_t n_skips;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tuxtape-agent-fetch [--metadata-dir D --trusted-root F --url U --cache-dir C\n"
		   "                            --release R [--build-id B] [--channel C]\n"
		   "                            [--skip ID[:VERSION]]...]\n"
		   "                           [--node ID --reports-dir D --report-url URL]\n"
		   "                           [--node ID --enroll-file F --enroll-url URL]\n\n"
		   "The network half of tuxtape-agent: delivers the node's queued fleet reports (or\n"
		   "its enrolment), brings the agent's TUF metadata up to date, downloads this\n"
		   "node's new targets into the module cache, and prints what it did as JSON.\n"
		   "Exit codes: 0 done, 1 archive failure, 2 usage.\n"
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
	/* the entry the node's search trusted, not necessarily the top-level search's */
	k = tuf_client_download_entry(c, path, entry, targets_url, f->cache_dir, &file);
	if (k < 0)
		json_object_set_new(t, "error", json_string(c->err.msg[0] ? c->err.msg : strerror(-k)));
	else
		json_object_set_new(t, "file", json_string(file));
	return t;
}

struct walk {
	const struct fetch *f;
	struct tuf_client *c;
	const char *targets_url;
	json_t *out;
	char *why;
	size_t size;
};

static int on_target(void *ud, const char *path, const json_t *entry)
{
	struct walk *w = ud;
	const json_t *custom = json_object_get(entry, "custom");
	json_t *t;

	if (!json_is_string(json_object_get(custom, "patch_id")) ||
	    !json_is_string(json_object_get(json_object_get(entry, "hashes"), "sha256")) ||
	    !for_node(w->f, custom))
		return 0;
	if (json_array_size(w->out) == FETCH_MAX_TARGETS) {
		snprintf(w->why, w->size, "the archive has more than %d targets for this node",
			 FETCH_MAX_TARGETS);
		return -E2BIG;
	}
	t = take_target(w->f, w->c, w->targets_url, path, entry);
	if (!t || json_array_append_new(w->out, t) < 0)
		return -ENOMEM;
	return 0;
}

static int ignore_target(void *ud, const char *path, const json_t *entry)
{
	return 0;
}

/* Whether the top-level targets delegates to role. */
static bool delegates(const struct tuf_client *c, const char *role)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(c->targets.env.signed_obj,
							   "delegations"), "roles"), i, v)
		if (streq_ptr(json_string_value(json_object_get(v, "name")), role))
			return true;
	return false;
}

/* Revocations come from every targets role read: the top-level one and the delegated roles
 * the node's release led to. */
static void add_revoked(json_t *out, const json_t *signed_obj)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(signed_obj, "x-tuxtape-revoked"), i, r) {
		const char *id = json_string_value(json_object_get(r, "patch_id"));
		bool dup = false;
		size_t j;
		json_t *v;

		json_array_foreach(out, j, v)
			dup = dup || streq_ptr(json_string_value(v), id);
		if (id && !dup && json_array_size(out) < FETCH_MAX_TARGETS)
			json_array_append_new(out, json_string(id));
	}
}

static int fetch_run(const struct fetch *f, json_t **ret, char *why, size_t size)
{
	_cleanup_free_ char *metadata_url = NULL, *targets_url = NULL, *prefix = NULL,
			     *channel_role = NULL;
	struct tuf_client c = { .metadata_dir = f->metadata_dir,
				.fetch = tuf_curl_fetch,
				.fetch_file = tuf_curl_fetch_file };
	json_t *out_targets, *out_revoked, *doc;
	struct walk w = { .f = f, .c = &c, .why = why, .size = size };
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
	    asprintf(&targets_url, "%s/targets", f->url) < 0 ||
	    asprintf(&prefix, "%s/", f->release) < 0)
		return -ENOMEM;
	c.metadata_url = metadata_url;
	k = tuf_client_refresh(&c);
	if (k < 0) {
		snprintf(why, size, "%s", c.err.msg[0] ? c.err.msg : strerror(-k));
		tuf_client_free(&c);
		return k;
	}
	out_targets = json_array();
	out_revoked = json_array();
	doc = json_pack("{s:o, s:o}", "targets", out_targets, "revoked", out_revoked);
	if (!doc) {
		tuf_client_free(&c);
		return -ENOMEM;
	}
	/* the archive's targets are RELEASE/NAME.ko: delegations elsewhere are not fetched */
	w.targets_url = targets_url;
	w.out = out_targets;
	why[0] = '\0';
	if (asprintf(&channel_role, "channel-%s", f->channel) < 0) {
		json_decref(doc);
		tuf_client_free(&c);
		return -ENOMEM;
	}
	if (delegates(&c, channel_role)) {
		/* a channel the archive delegates to a key of its own: what it offers comes from
		 * that role alone, revocations still from the others (walked for them only) */
		k = tuf_client_foreach(&c, prefix, ignore_target, NULL);
		if (k >= 0)
			k = tuf_client_foreach_from(&c, channel_role, prefix, on_target, &w);
	} else {
		k = tuf_client_foreach(&c, prefix, on_target, &w);
	}
	if (k < 0) {
		if (!why[0])
			snprintf(why, size, "%s", c.err.msg[0] ? c.err.msg : strerror(-k));
		json_decref(doc);
		tuf_client_free(&c);
		return k;
	}
	add_revoked(out_revoked, c.targets.env.signed_obj);
	for (size_t i = 0; i < c.n_roles; i++)
		add_revoked(out_revoked, c.roles[i].t.env.signed_obj);
	tuf_client_free(&c);
	*ret = doc;
	return 0;
}

struct answer {
	char buf[ANSWER_MAX + 1];
	size_t len;
};

/* A server's answer is read up to ANSWER_MAX: more stops the transfer. */
static size_t on_answer(char *p, size_t size, size_t n, void *userdata)
{
	struct answer *a = userdata;
	size_t len = size * n;

	if (len > ANSWER_MAX - a->len)
		return 0;
	memcpy(a->buf + a->len, p, len);
	a->len += len;
	a->buf[a->len] = '\0';
	return len;
}

/* POSTs one signed body. The HTTP status (0: no answer), and in why the reason: the
 * answer's "error" when it gave one, the network's otherwise. */
static long post(CURL *h, const char *url, const char *node, const char *sig, const char *body,
		 size_t len, char *why, size_t size)
{
	struct curl_slist *headers = NULL, *l;
	_cleanup_free_ char *node_h = NULL, *sig_h = NULL;
	struct answer *a = calloc(1, sizeof(*a));
	long status = 0;
	CURLcode rc;

	why[0] = '\0';
	if (!a || asprintf(&node_h, "TuxTape-Node: %s", node) < 0 ||
	    asprintf(&sig_h, "TuxTape-Signature: %.*s", REPORT_SIG_HEX, sig) < 0) {
		free(a);
		snprintf(why, size, "out of memory");
		return 0;
	}
	headers = curl_slist_append(headers, node_h);
	if (headers && (l = curl_slist_append(headers, sig_h)))
		headers = l;
	if (headers && (l = curl_slist_append(headers, "Content-Type: application/json")))
		headers = l;
	if (headers && (l = curl_slist_append(headers, "Expect:")))
		headers = l;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK || (status && rc == CURLE_WRITE_ERROR)) {
		json_t *doc = json_loadb(a->buf, a->len, 0, NULL);
		const char *e = json_string_value(json_object_get(doc, "error"));

		if (e)
			snprintf(why, size, "%s", e);
		else if (rc != CURLE_OK)
			snprintf(why, size, "the answer is longer than %d bytes", ANSWER_MAX);
		else if (status < 200 || status > 299)
			snprintf(why, size, "HTTP %ld", status);
		json_decref(doc);
	} else {
		status = 0;
		snprintf(why, size, "%s: %s", url, curl_easy_strerror(rc));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(a);
	return status;
}

static bool retry_later(long status)
{
	return status == 0 || status == 429 || status >= 500;
}

/* Reads one queue file; -ENOENT when the daemon dropped it meanwhile. */
static int read_report(const char *path, char **buf, size_t *len, const char **sig,
		       const char **body, size_t *body_len, char *why, size_t size)
{
	int r = read_file_bounded(path, REPORT_FILE_MAX, buf, len);

	if (r == -EFBIG) {
		snprintf(why, size, "larger than a report can be");
		return -EBADMSG;
	}
	if (r < 0) {
		snprintf(why, size, "%s", strerror(-r));
		return r;
	}
	return report_file_parse(*buf, *len, sig, body, body_len, why, size);
}

/* Delivers the queue oldest first; the answers go into out. */
static int send_reports(const struct fetch *f, CURL *h, json_t *out)
{
	struct report_entry *v = NULL;
	size_t n = 0;
	int r;

	r = report_file_list(f->reports_dir, &v, &n);
	if (r < 0) {
		json_array_append_new(out, json_pack("{s:I, s:i, s:s}", "seq", (json_int_t)0,
						     "status", 0, "error", strerror(-r)));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = report_file_path(f->reports_dir, v[i].seq), *buf = NULL;
		const char *sig, *body;
		size_t len = 0, body_len = 0;
		char why[512];
		json_t *res, *doc;
		long status;

		if (!path)
			break;
		r = read_report(path, &buf, &len, &sig, &body, &body_len, why, sizeof(why));
		if (r == -ENOENT)
			continue;
		res = json_pack("{s:I}", "seq", (json_int_t)v[i].seq);
		if (!res)
			break;
		if (r < 0) {
			json_object_set_new(res, "corrupt", json_true());
			json_object_set_new(res, "status", json_integer(0));
			json_object_set_new(res, "error", json_string(why));
			json_array_append_new(out, res);
			continue;
		}
		doc = json_loadb(body, body_len, 0, NULL);
		json_object_set_new(res, "event", json_string(strempty(json_string_value(
			json_object_get(doc, "event")))));
		json_object_set_new(res, "time", json_integer(json_integer_value(
			json_object_get(doc, "time"))));
		json_decref(doc);
		status = post(h, f->report_url, f->node, sig, body, body_len, why, sizeof(why));
		json_object_set_new(res, "status", json_integer(status));
		if (why[0] && (status < 200 || status > 299))
			json_object_set_new(res, "error", json_string(why));
		json_array_append_new(out, res);
		if (retry_later(status))
			break;
	}
	free(v);
	return 0;
}

static json_t *enroll(const struct fetch *f, CURL *h)
{
	_cleanup_free_ char *buf = NULL;
	const char *sig, *body;
	size_t len = 0, body_len = 0;
	char why[512];
	long status = 0;
	int r;

	r = read_report(f->enroll_file, &buf, &len, &sig, &body, &body_len, why, sizeof(why));
	if (r >= 0)
		status = post(h, f->enroll_url, f->node, sig, body, body_len, why, sizeof(why));
	else
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (%s)", f->enroll_file);
	if (buf)
		explicit_bzero(buf, len);
	return json_pack("{s:i, s:s?}", "status", (int)status, "error",
			 status == 200 || status == 201 ? NULL : why);
}

static int fleet_run(const struct fetch *f, json_t *doc)
{
	CURL *h;
	int r = 0;

	if (!f->reports_dir && !f->enroll_file)
		return 0;
	h = curl_easy_init();
	if (!h)
		return -ENOMEM;
	if (f->enroll_file) {
		json_t *en = enroll(f, h);

		r = en ? json_object_set_new(doc, "enroll", en) : -ENOMEM;
	}
	if (r >= 0 && f->reports_dir) {
		json_t *out = json_array();

		r = out ? json_object_set_new(doc, "reports", out) : -ENOMEM;
		if (r >= 0)
			r = send_reports(f, h, out);
	}
	curl_easy_cleanup(h);
	return r < 0 ? -ENOMEM : 0;
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
		{ "node", required_argument, NULL, 'n' },
		{ "reports-dir", required_argument, NULL, 'D' },
		{ "report-url", required_argument, NULL, 'U' },
		{ "enroll-file", required_argument, NULL, 'E' },
		{ "enroll-url", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct fetch f = { .build_id = "", .channel = "stable" };
	_cleanup_free_ struct skip *skips = NULL;
	char why[1024] = "";
	json_t *doc = NULL, *fleet;
	bool archive;
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
		case 'n': f.node = optarg; break;
		case 'D': f.reports_dir = optarg; break;
		case 'U': f.report_url = optarg; break;
		case 'E': f.enroll_file = optarg; break;
		case 'N': f.enroll_url = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tuxtape-agent-fetch %s\n", TUXTAPE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	archive = f.metadata_dir || f.trusted_root || f.url || f.cache_dir || f.release;
	if (optind != argc || (archive && (!f.metadata_dir || !f.trusted_root || !f.url ||
					   !f.cache_dir || !f.release)) ||
	    (!archive && !f.reports_dir && !f.enroll_file) ||
	    (!f.reports_dir != !f.report_url) || (!f.enroll_file != !f.enroll_url) ||
	    ((f.reports_dir || f.enroll_file) && !f.node)) {
		usage(stderr);
		return 2;
	}
	drop_capabilities();
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "tuxtape-agent-fetch: cannot initialise libsodium/libcurl\n");
		return 1;
	}
	fleet = json_object();
	k = fleet ? fleet_run(&f, fleet) : -ENOMEM;
	if (k >= 0 && archive)
		k = fetch_run(&f, &doc, why, sizeof(why));
	else if (k >= 0)
		doc = json_object();
	if (k < 0)
		doc = json_pack("{s:s}", "error", why[0] ? why : strerror(-k));
	/* the fleet's answers go out whatever the archive did: the daemon deletes by them */
	if (doc && fleet)
		json_object_update_missing(doc, fleet);
	json_decref(fleet);
	if (!doc || json_dumpf(doc, stdout, JSON_COMPACT) < 0 || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "tuxtape-agent-fetch: cannot write the result: %s\n", strerror(errno));
		k = -EIO;
	}
	json_decref(doc);
	curl_global_cleanup();
	return k < 0 ? 1 : 0;
}
