/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Health reports and enrolment (engine_fleet.h). The seq is taken from the state's meta and
 * the counter moved on before the file is written: a crash between the two leaves a gap,
 * which the server allows, never a seq used twice.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_int.h"
#include "fileio.h"
#include "log.h"
#include "util.h"

static const char *const reported_states[] = {
	"applied", "failed", "stalled", "quarantined", "reverted", "replaced", "revoked",
};

const char *engine_fleet_event_of(const char *state)
{
	for (size_t i = 0; i < ELEMENTSOF(reported_states); i++)
		if (streq(state, reported_states[i]))
			return reported_states[i];
	return NULL;
}

static bool fleet_known(const struct engine *e)
{
	return e->fleet.key_ok && (e->cfg->fleet_url || e->fleet.url);
}

static void count_queue(struct engine *e)
{
	struct report_entry *v = NULL;
	size_t n = 0;

	e->fleet.queued = 0;
	e->fleet.queued_bytes = 0;
	if (report_file_list(e->fleet.dir, &v, &n) < 0)
		return;
	e->fleet.queued = n;
	for (size_t i = 0; i < n; i++)
		e->fleet.queued_bytes += v[i].size;
	free(v);
}

void engine_fleet_start(struct engine *e)
{
	struct engine_fleet *f = &e->fleet;
	_cleanup_free_ char *keyfile = NULL, *url = NULL;
	int r;

	f->child = (struct fetch_child){ .out_fd = -1, .err_fd = -1 };
	if (asprintf(&keyfile, "%s/node.key", e->cfg->state_dir) < 0 ||
	    asprintf(&f->dir, "%s/reports", e->cfg->state_dir) < 0 ||
	    asprintf(&f->enroll_file, "%s/enroll.req", e->cfg->state_dir) < 0) {
		log_error("out of memory");
		return;
	}
	r = node_key_load(keyfile, &f->key);
	if (r == -EBADMSG)
		snprintf(f->last_error, sizeof(f->last_error), "%s is not a node key (64 bytes): "
			 "no reports; remove it to make this node a new one", keyfile);
	else if (r < 0)
		snprintf(f->last_error, sizeof(f->last_error), "%s: %s: no reports", keyfile,
			 strerror(-r));
	if (r < 0) {
		log_error("fleet: %s", f->last_error);
		return;
	}
	f->key_ok = true;
	if (state_meta_get(&e->st, "fleet-url", &url) == 0 && *url)
		f->url = TAKE_PTR(url);
	/* the enrolment file holds a token: none survives a crash */
	unlink(f->enroll_file);
	remove_stale_temporaries(f->dir, time(NULL));
	count_queue(e);
	if (e->cfg->fleet_url && e->cfg->fleet_token &&
	    !streq_ptr(e->cfg->fleet_url, f->url)) {
		f->enroll_url = strdup(e->cfg->fleet_url);
		f->enroll_token = strdup(e->cfg->fleet_token);
	}
	engine_fleet_report(e, "start");
}

void engine_fleet_stop(struct engine *e)
{
	struct engine_fleet *f = &e->fleet;

	fetch_child_close(&f->child);
	if (f->enroll_file)
		unlink(f->enroll_file);
	if (f->enroll_token)
		explicit_bzero(f->enroll_token, strlen(f->enroll_token));
	free(f->enroll_token);
	free(f->enroll_url);
	free(f->enroll_file);
	free(f->dir);
	free(f->url);
	sodium_memzero(&f->key, sizeof(f->key));
	*f = (struct engine_fleet){ .child = { .out_fd = -1, .err_fd = -1 } };
}

static json_t *evidence_of(struct engine *e, const char *id)
{
	_cleanup_free_ char *key = NULL, *text = NULL;
	json_t *kept, *ev;

	if (asprintf(&key, "evidence/%s", id) < 0 || state_meta_get(&e->st, key, &text) < 0)
		return NULL;
	kept = json_loads(text, 0, NULL);
	if (!kept)
		return NULL;
	ev = json_pack("{s:s, s:s, s:s, s:s, s:I}",
		       "type", strempty(json_string_value(json_object_get(kept, "type"))),
		       "title", strempty(json_string_value(json_object_get(kept, "title"))),
		       "strength", strempty(json_string_value(json_object_get(kept, "evidence"))),
		       "function", strempty(json_string_value(json_object_get(kept, "rip_function"))),
		       "time", json_integer_value(json_object_get(kept, "seen")));
	json_decref(kept);
	return ev;
}

static int64_t read_uptime(struct engine *e)
{
	_cleanup_free_ char *path = agent_path(e->cfg, "/proc/uptime");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	double up;

	if (!f || fscanf(f, "%lf", &up) != 1 || up < 0 || up > 9e15)
		return 0;
	return (int64_t)up;
}

/* This kernel's patches: the fleet counts states per kernel. */
static json_t *patches_json(struct engine *e)
{
	struct patch_rec *v = NULL;
	json_t *a = json_array();
	size_t n = 0;

	if (!a || state_patch_list(&e->st, &v, &n) < 0)
		return a;
	for (size_t i = 0; i < n; i++) {
		json_t *p;

		if (!streq(v[i].kernel_release, e->node.release))
			continue;
		p = json_pack("{s:s, s:I, s:s, s:I, s:s, s:s}", "id", v[i].id,
			      "version", (json_int_t)(v[i].version < 0 ? 0 : v[i].version),
			      "state", v[i].state, "since", (json_int_t)(v[i].since < 0 ? 0 : v[i].since),
			      "reason", v[i].reason, "target", v[i].target);
		if (p && streq(v[i].state, "quarantined")) {
			json_t *ev = evidence_of(e, v[i].id);

			if (ev)
				json_object_set_new(p, "evidence", ev);
		}
		json_array_append_new(a, p);
	}
	patch_recs_free(v, n);
	return a;
}

static json_t *build_report(struct engine *e, uint64_t seq, const char *event)
{
	unsigned long long taint = 0;
	json_t *doc, *status = NULL, *problems;
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	engine_read_taint(e, &taint);
	/* the same problems agentctl status lists */
	if (engine_status_json(e, &status) == 0)
		problems = json_incref(json_object_get(status, "problems"));
	else
		problems = json_array();
	json_decref(status);
	doc = json_pack("{s:i, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:I, s:s, s:I, "
			"s:I, s:{s:I, s:I, s:I}, s:o, s:o}",
			"v", 1, "node", e->fleet.key.id, "seq", (json_int_t)seq,
			"time", (json_int_t)time(NULL), "event", event,
			"machine_id", e->node.machine_id, "boot_id", e->node.boot_id, "hostname", host,
			"kernel", "release", e->node.release, "build_id", e->node.build_id,
			"uptime", (json_int_t)read_uptime(e), "channel", e->cfg->channel,
			"interval", (json_int_t)e->cfg->refresh_interval,
			"taint", (json_int_t)(taint & ((1ull << 53) - 1)),
			"kmsg", "records", (json_int_t)(e->kmsg.records & ((1ull << 53) - 1)),
			"reports", (json_int_t)(e->kmsg.reports & ((1ull << 53) - 1)),
			"dropped", (json_int_t)(e->kmsg.lost & ((1ull << 53) - 1)),
			"patches", patches_json(e), "problems", problems ? problems : json_array());
	return doc;
}

/* The next seq, counted on in the state before anything is written under it. */
static int next_seq(struct engine *e, uint64_t *ret)
{
	_cleanup_free_ char *cur = NULL;
	unsigned long long v = 0;
	char buf[32];
	int r;

	if (state_meta_get(&e->st, "fleet-seq", &cur) == 0 && sscanf(cur, "%llu", &v) != 1)
		v = 0;
	if (v >= REPORT_SEQ_MAX)
		return -EOVERFLOW;
	snprintf(buf, sizeof(buf), "%llu", v + 1);
	r = state_meta_set(&e->st, "fleet-seq", buf);
	if (r < 0)
		return r;
	*ret = v + 1;
	return 0;
}

void engine_fleet_report(struct engine *e, const char *event)
{
	struct engine_fleet *f = &e->fleet;
	_cleanup_free_ char *body = NULL;
	char sig[REPORT_SIG_HEX + 1];
	struct report_drop drop;
	json_t *doc;
	uint64_t seq;
	size_t len = 0;
	int r;

	if (!fleet_known(e))
		return;
	r = next_seq(e, &seq);
	if (r < 0) {
		log_error_errno(r, "fleet: no seq for the %s report: %m", event);
		return;
	}
	doc = build_report(e, seq, event);
	r = doc ? report_serialize(doc, &body, &len) : -ENOMEM;
	json_decref(doc);
	if (r >= 0) {
		node_key_sign(&f->key, body, len, sig);
		r = report_queue_append(f->dir, seq, sig, body, len, REPORT_QUEUE_MAX,
					REPORT_QUEUE_MAX_BYTES, &drop);
	}
	if (r < 0) {
		log_error_errno(r, "fleet: cannot queue report %" PRIu64 " (%s) in %s: %m", seq,
				event, f->dir);
		state_event(&e->st, NULL, "report-lost", "report %" PRIu64 " (%s) not queued: %s",
			    seq, event, strerror(-r));
		return;
	}
	if (drop.n) {
		state_event(&e->st, NULL, "report-dropped", "the report queue is full (%d reports "
			    "or %u MiB): dropped %zu, seq %" PRIu64 " to %" PRIu64, REPORT_QUEUE_MAX,
			    REPORT_QUEUE_MAX_BYTES >> 20, drop.n, drop.first, drop.last);
		log_warning("fleet: queue full: dropped %zu oldest reports (seq %" PRIu64 "-%" PRIu64 ")",
			    drop.n, drop.first, drop.last);
	}
	count_queue(e);
}

bool engine_fleet_running(const struct engine *e)
{
	return e->fleet.running != FLEET_RUN_NONE;
}

int64_t engine_fleet_due(const struct engine *e, int64_t now)
{
	const struct engine_fleet *f = &e->fleet;

	if (!f->key_ok || f->running)
		return -1;
	if (f->enroll_url)
		return f->enroll_asked ? now : (f->next_try > now ? f->next_try : now);
	if (!f->url || !f->queued)
		return -1;
	return f->next_try > now ? f->next_try : now;
}

static void delivery_failed(struct engine *e, const char *fmt, ...) _printf_(2, 3);
static void delivery_failed(struct engine *e, const char *fmt, ...)
{
	struct engine_fleet *f = &e->fleet;
	unsigned shift = f->failures > 8 ? 8 : f->failures;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->last_error, sizeof(f->last_error), fmt, ap);
	va_end(ap);
	/* 15 s, doubled per failure, at most an hour: a server down is not hammered */
	f->failures++;
	f->next_try = monotonic_usec() + ((int64_t)15 << shift) * 1000000;
	if (f->failures == 1)
		state_event(&e->st, NULL, "report-failed", "%s", f->last_error);
	log_warning("fleet: %s", f->last_error);
}

static int spawn(struct engine *e, char **argv, enum fleet_run kind, pid_t *ret_pid)
{
	struct engine_fleet *f = &e->fleet;
	char why[512];
	int r;

	r = fetch_spawn(argv, &f->child, why, sizeof(why));
	if (r < 0) {
		delivery_failed(e, "%s", why);
		return r;
	}
	f->child.kind = kind == FLEET_RUN_SEND ? FETCH_KIND_REPORTS : FETCH_KIND_ENROLL;
	f->running = kind;
	*ret_pid = f->child.pid;
	return 0;
}

static int begin_enroll(struct engine *e, pid_t *ret_pid)
{
	struct engine_fleet *f = &e->fleet;
	_cleanup_free_ char *body = NULL, *data = NULL, *arg_url = NULL, *arg_file = NULL,
			    *arg_node = NULL;
	char sig[REPORT_SIG_HEX + 1], host[256] = "";
	size_t len = 0;
	json_t *doc;
	int r;

	gethostname(host, sizeof(host) - 1);
	doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I}", "v", 1, "token", f->enroll_token,
			"node", f->key.id, "machine_id", e->node.machine_id, "hostname", host,
			"time", (json_int_t)time(NULL));
	r = doc ? report_serialize(doc, &body, &len) : -ENOMEM;
	json_decref(doc);
	if (r < 0)
		return r;
	node_key_sign(&f->key, body, len, sig);
	if (asprintf(&data, "%s\n%s", sig, body) < 0 ||
	    asprintf(&arg_url, "--enroll-url=%s/v1/enroll", f->enroll_url) < 0 ||
	    asprintf(&arg_file, "--enroll-file=%s", f->enroll_file) < 0 ||
	    asprintf(&arg_node, "--node=%s", f->key.id) < 0)
		return -ENOMEM;
	r = write_file_atomic(f->enroll_file, data, strlen(data), 0600);
	explicit_bzero(data, strlen(data));
	explicit_bzero(body, len);
	if (r < 0) {
		delivery_failed(e, "enrolment: cannot write %s: %s", f->enroll_file, strerror(-r));
		return r;
	}
	char *argv[] = { e->helper, arg_node, arg_file, arg_url, NULL };

	return spawn(e, argv, FLEET_RUN_ENROLL, ret_pid);
}

static void enroll_finished(struct engine *e, const json_t *doc, const char *why);

int engine_fleet_begin(struct engine *e, pid_t *ret_pid)
{
	struct engine_fleet *f = &e->fleet;
	_cleanup_free_ char *arg_dir = NULL, *arg_url = NULL, *arg_node = NULL;

	if (engine_fleet_due(e, monotonic_usec()) < 0)
		return -EAGAIN;
	if (f->enroll_url) {
		int r = begin_enroll(e, ret_pid);

		/* agentctl waits for an answer: this one */
		if (r < 0 && f->enroll_asked)
			enroll_finished(e, NULL, f->last_error[0] ? f->last_error : strerror(-r));
		return r;
	}
	if (asprintf(&arg_dir, "--reports-dir=%s", f->dir) < 0 ||
	    asprintf(&arg_url, "--report-url=%s/v1/reports", f->url) < 0 ||
	    asprintf(&arg_node, "--node=%s", f->key.id) < 0)
		return -ENOMEM;
	char *argv[] = { e->helper, arg_node, arg_dir, arg_url, NULL };

	return spawn(e, argv, FLEET_RUN_SEND, ret_pid);
}

int engine_fleet_refresh_args(struct engine *e, char **argv, size_t *n, size_t cap)
{
	struct engine_fleet *f = &e->fleet;

	if (!f->key_ok || !f->url || f->running || !f->queued ||
	    f->next_try > monotonic_usec() || *n + 3 > cap)
		return 0;
	if (asprintf(&argv[*n], "--node=%s", f->key.id) < 0)
		return -ENOMEM;
	(*n)++;
	if (asprintf(&argv[*n], "--reports-dir=%s", f->dir) < 0)
		return -ENOMEM;
	(*n)++;
	if (asprintf(&argv[*n], "--report-url=%s/v1/reports", f->url) < 0)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void remember_sent(struct engine *e, const json_t *r, json_int_t status)
{
	json_t *last = json_pack("{s:I, s:I, s:s, s:I, s:I}", "seq",
				 json_integer_value(json_object_get(r, "seq")),
				 "time", json_integer_value(json_object_get(r, "time")),
				 "event", strempty(json_string_value(json_object_get(r, "event"))),
				 "status", status, "sent", (json_int_t)time(NULL));
	char *text = last ? json_dumps(last, JSON_COMPACT) : NULL;

	if (text)
		state_meta_set(&e->st, "fleet-last", text);
	free(text);
	json_decref(last);
}

void engine_fleet_delivered(struct engine *e, const json_t *doc)
{
	struct engine_fleet *f = &e->fleet;
	const json_t *reports = json_object_get(doc, "reports"), *r;
	bool stopped = false;
	size_t i;

	if (!json_is_array(reports))
		return;
	json_array_foreach(reports, i, r) {
		json_int_t seq = json_integer_value(json_object_get(r, "seq"));
		json_int_t status = json_integer_value(json_object_get(r, "status"));
		const char *error = strempty(json_string_value(json_object_get(r, "error")));

		if (seq <= 0)
			continue;
		if (json_is_true(json_object_get(r, "corrupt"))) {
			state_event(&e->st, NULL, "report-refused", "report %" JSON_INTEGER_FORMAT
				    " in the queue is corrupt (%s): dropped", seq, error);
			log_error("fleet: report %" JSON_INTEGER_FORMAT " in %s is corrupt: %s; "
				  "dropped", seq, f->dir, error);
		} else if (status == 200 || status == 409) {
			remember_sent(e, r, status);
		} else if (status == 400 || status == 401 || status == 403 || status == 413) {
			remember_sent(e, r, status);
			state_event(&e->st, NULL, "report-refused", "report %" JSON_INTEGER_FORMAT
				    " refused by the server for good (HTTP %" JSON_INTEGER_FORMAT
				    "): %s; dropped", seq, status, error);
			log_error("fleet: report %" JSON_INTEGER_FORMAT " refused (HTTP %"
				  JSON_INTEGER_FORMAT "): %s; dropped", seq, status, error);
		} else {
			if (status)
				delivery_failed(e, "report %" JSON_INTEGER_FORMAT ": HTTP %"
						JSON_INTEGER_FORMAT "%s%s", seq, status,
						*error ? ": " : "", error);
			else
				delivery_failed(e, "report %" JSON_INTEGER_FORMAT ": %s", seq,
						*error ? error : "not delivered");
			stopped = true;
			break;
		}
		report_queue_remove(f->dir, (uint64_t)seq);
	}
	if (!stopped && json_array_size(reports)) {
		if (f->failures)
			state_event(&e->st, NULL, "report-sent", "reports delivered again");
		f->failures = 0;
		f->next_try = 0;
		f->last_error[0] = '\0';
	}
	count_queue(e);
}

static void enroll_finished(struct engine *e, const json_t *doc, const char *why)
{
	struct engine_fleet *f = &e->fleet;
	const json_t *en = json_object_get(doc, "enroll");
	json_int_t status = json_integer_value(json_object_get(en, "status"));
	const char *error = json_string_value(json_object_get(en, "error"));
	bool asked = f->enroll_asked;

	unlink(f->enroll_file);
	f->enroll_status = (int)status;
	f->enroll_error[0] = '\0';
	if (status == 200 || status == 201) {
		char *url = f->enroll_url;

		if (state_meta_set(&e->st, "fleet-url", url) < 0) {
			snprintf(f->enroll_error, sizeof(f->enroll_error), "enrolled, but the state "
				 "cannot record it");
			return;
		}
		free(f->url);
		f->url = TAKE_PTR(f->enroll_url);
		state_event(&e->st, NULL, "enrolled", "enrolled with %s as node %s", f->url,
			    f->key.id);
		log_info("fleet: enrolled with %s as node %s", f->url, f->key.id);
		f->failures = 0;
		f->next_try = 0;
		f->last_error[0] = '\0';
	} else {
		if (why)
			snprintf(f->enroll_error, sizeof(f->enroll_error), "%s", why);
		else if (status)
			snprintf(f->enroll_error, sizeof(f->enroll_error), "the server refused the "
				 "enrolment (HTTP %" JSON_INTEGER_FORMAT ")%s%s", status,
				 error ? ": " : "", strempty(error));
		else
			snprintf(f->enroll_error, sizeof(f->enroll_error), "the server cannot be "
				 "reached: %s", error ? error : "no answer");
		state_event(&e->st, NULL, "enroll-failed", "enrolment with %s: %s", f->enroll_url,
			    f->enroll_error);
		/* a refusal is final for the token; a network failure is retried (config) */
		if (asked || (status >= 400 && status < 500 && status != 429)) {
			if (!asked)
				log_error("fleet: enrolment with %s: %s; not retried", f->enroll_url,
					  f->enroll_error);
			free(f->enroll_url);
			f->enroll_url = NULL;
			if (f->enroll_token)
				explicit_bzero(f->enroll_token, strlen(f->enroll_token));
			free(f->enroll_token);
			f->enroll_token = NULL;
		} else {
			delivery_failed(e, "enrolment with %s: %s", f->enroll_url, f->enroll_error);
		}
	}
	f->enroll_asked = false;
	if (status == 200 || status == 201) {
		if (f->enroll_token)
			explicit_bzero(f->enroll_token, strlen(f->enroll_token));
		free(f->enroll_token);
		f->enroll_token = NULL;
		engine_fleet_report(e, "enrolled");
	}
}

enum fleet_run engine_fleet_end(struct engine *e, int code, int status)
{
	struct engine_fleet *f = &e->fleet;
	enum fleet_run kind = f->running;
	char why[512];
	json_t *doc = NULL;
	int r;

	if (kind == FLEET_RUN_NONE)
		return kind;
	r = fetch_collect(&f->child, code, status, &doc, why, sizeof(why));
	f->running = FLEET_RUN_NONE;
	if (kind == FLEET_RUN_ENROLL) {
		enroll_finished(e, doc, r < 0 ? why : NULL);
	} else if (r < 0) {
		delivery_failed(e, "%s", why);
		count_queue(e);
	} else {
		engine_fleet_delivered(e, doc);
	}
	json_decref(doc);
	return kind;
}

void engine_fleet_kill(struct engine *e)
{
	if (e->fleet.child.pid <= 0)
		return;
	e->fleet.child.timed_out = true;
	kill(e->fleet.child.pid, SIGKILL);
}

int engine_fleet_enroll_request(struct engine *e, const char *url, const char *token,
				char *why, size_t size)
{
	struct engine_fleet *f = &e->fleet;
	size_t ulen = strlen(url), tlen = strlen(token);

	if (!f->key_ok) {
		snprintf(why, size, "%s", f->last_error);
		return -ENOKEY;
	}
	if (f->running == FLEET_RUN_ENROLL || f->enroll_asked) {
		snprintf(why, size, "an enrolment is already running");
		return -EBUSY;
	}
	if ((!startswith(url, "http://") && !startswith(url, "https://")) || ulen > FLEET_MAX_URL ||
	    strpbrk(url, " \t\r\n")) {
		snprintf(why, size, "the URL must be http:// or https://, at most %d bytes, without "
			 "spaces", FLEET_MAX_URL);
		return -EINVAL;
	}
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)token[i] <= 0x20 || (unsigned char)token[i] >= 0x7f)
			tlen = 0;
	if (tlen == 0 || tlen > FLEET_MAX_TOKEN) {
		snprintf(why, size, "the token must be 1 to %d printable bytes without spaces",
			 FLEET_MAX_TOKEN);
		return -EINVAL;
	}
	free(f->enroll_url);
	if (f->enroll_token)
		explicit_bzero(f->enroll_token, strlen(f->enroll_token));
	free(f->enroll_token);
	f->enroll_url = strdup(url);
	f->enroll_token = strdup(token);
	f->enroll_asked = true;
	f->enroll_status = 0;
	if (!f->enroll_url || !f->enroll_token) {
		snprintf(why, size, "out of memory");
		return -ENOMEM;
	}
	/* a trailing slash would make URL//v1/enroll */
	while (strlen(f->enroll_url) > 8 && f->enroll_url[strlen(f->enroll_url) - 1] == '/')
		f->enroll_url[strlen(f->enroll_url) - 1] = '\0';
	return 0;
}

json_t *engine_fleet_status(struct engine *e)
{
	struct engine_fleet *f = &e->fleet;
	_cleanup_free_ char *text = NULL;
	json_t *last = NULL;

	if (state_meta_get(&e->st, "fleet-last", &text) == 0)
		last = json_loads(text, 0, NULL);
	return json_pack("{s:s?, s:b, s:s?, s:I, s:I, s:o, s:s?, s:b}",
			 "node", f->key_ok ? f->key.id : NULL, "enrolled", f->url != NULL,
			 "url", f->url, "queued", (json_int_t)f->queued,
			 "queued_bytes", (json_int_t)f->queued_bytes,
			 "last_report", last ? last : json_null(),
			 "last_error", f->last_error[0] ? f->last_error : NULL,
			 "enrolling", f->enroll_url != NULL);
}
