/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fleet server on libmicrohttpd: one internal epoll thread runs every request (the
 * database handle is used from it alone; a report's cost is its signature check and its
 * commit, which a pool of threads would serialise on SQLite's write lock anyway).
 */
#include "serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>

#include "fileio.h"
#include "log.h"
#include "util.h"

#define KEY_FILE_MAX (1024 * 1024)

enum route { R_NONE, R_ENROLL, R_REPORTS, R_STATIC };

struct server {
	struct fleet *fleet;
	struct rate_table *rates;
	int archive_fd; /* O_PATH of the archive directory, or -1 */
};

struct request {
	enum route route;
	char address[INET6_ADDRSTRLEN];
	char *body;
	size_t len;
	bool answered;    /* a refusal was queued before the body was read */
	size_t discarded; /* bytes past the bound, read and dropped */
};

/* Past the body's bound the rest is read and dropped (up to this much) so that the 413
 * reaches the client: a connection closed on unread data is reset, and the reset loses
 * the answer. A client sending more than this is cut off. */
#define DISCARD_MAX (1024 * 1024)

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void peer_address(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, size, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, size);
}

static enum MHD_Result answer_json(struct MHD_Connection *c, unsigned status, json_t *doc,
				   long retry_after)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	struct MHD_Response *resp;
	enum MHD_Result r;
	char retry[24];

	json_decref(doc);
	if (!text) {
		static char oom[] = "{\"error\":\"out of memory\"}";

		resp = MHD_create_response_from_buffer(strlen(oom), oom, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	} else {
		resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	}
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (retry_after > 0) {
		snprintf(retry, sizeof(retry), "%ld", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Every refusal: one log line (address, node if any, reason) and {"error": ...}. */
static enum MHD_Result refuse(struct MHD_Connection *c, const struct request *rq,
			      unsigned status, const char *reason, long retry_after)
{
	const char *node = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "TuxTape-Node");
	char safe[80];

	/* the header is the client's: only a well-formed id is logged as it is */
	snprintf(safe, sizeof(safe), "%s", "");
	if (node) {
		size_t n = strspn(node, "0123456789abcdef");

		snprintf(safe, sizeof(safe), " node %.*s%s", (int)(n > 64 ? 64 : n), node,
			 n == strlen(node) ? "" : "(malformed)");
	}
	log_warning("%s%s: refused %u: %s", rq->address, safe, status, reason);
	return answer_json(c, status, json_pack("{ss}", "error", reason), retry_after);
}

static enum MHD_Result refuse_with(struct MHD_Connection *c, struct request *rq,
				   unsigned status, const char *reason)
{
	rq->answered = true;
	return refuse(c, rq, status, reason, 0);
}

/* A path under the archive: metadata/ or targets/, each component an ordinary name.
 * 0 with the open file, -ENOENT (404), -EPERM (403). The kernel holds the line too
 * (RESOLVE_BENEATH): no "..", absolute or symlink step leaves the directory. */
static int open_static(int dir, const char *url, int *ret)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	const char *p = url + 1;
	struct stat st;
	int fd;

	if (!startswith(url, "/metadata/") && !startswith(url, "/targets/"))
		return -ENOENT;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return -EPERM;
		s += n;
		if (*s == '/')
			s++;
	}
	if (p[strlen(p) - 1] == '/')
		return -ENOENT;
	fd = (int)syscall(SYS_openat2, dir, p, &how, sizeof(how));
	if (fd < 0)
		return errno == EXDEV || errno == ELOOP || errno == EACCES ? -EPERM : -ENOENT;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOENT;
	}
	*ret = fd;
	return 0;
}

static enum MHD_Result serve_static(struct server *s, struct MHD_Connection *c,
				    struct request *rq, const char *url)
{
	struct MHD_Response *resp;
	struct stat st;
	enum MHD_Result r;
	int fd = -1, k;
	size_t n = strlen(url);

	k = open_static(s->archive_fd, url, &fd);
	if (k == -EPERM)
		return refuse(c, rq, MHD_HTTP_FORBIDDEN, "path: not allowed", 0);
	if (k < 0)
		return refuse(c, rq, MHD_HTTP_NOT_FOUND, "not found", 0);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return refuse(c, rq, MHD_HTTP_NOT_FOUND, "not found", 0);
	}
	resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				n > 5 && streq(url + n - 5, ".json") ? "application/json" :
				"application/octet-stream");
	r = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result handle_post(struct server *s, struct MHD_Connection *c,
				   struct request *rq)
{
	const char *node = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "TuxTape-Node");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "TuxTape-Signature");
	struct fleet_answer a;
	json_t *doc;
	int k;

	if (rq->route == R_ENROLL)
		k = fleet_enroll(s->fleet, node, sig, rq->body ? rq->body : "", rq->len, time(NULL),
				 &a);
	else
		k = fleet_report_ingest(s->fleet, node, sig, rq->body ? rq->body : "", rq->len,
					rq->address, time(NULL), &a);
	if (k < 0) {
		log_error("%s: %s failed: %s", rq->address,
			  rq->route == R_ENROLL ? "enrolment" : "report", strerror(-k));
		return answer_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   json_pack("{ss}", "error", "internal error"), 0);
	}
	if (a.status == 409) {
		log_warning("%s node %s: refused 409: replayed (last_seq %lld)", rq->address, node,
			    (long long)a.last_seq);
		return answer_json(c, 409, json_pack("{sssI}", "error", "replayed", "last_seq",
						     (json_int_t)a.last_seq), 0);
	}
	if (a.status >= 400)
		return refuse(c, rq, (unsigned)a.status, a.error, 0);
	if (rq->route == R_ENROLL)
		doc = json_pack("{ss}", "node", node);
	else
		doc = json_pack("{sI}", "accepted", (json_int_t)a.seq);
	return answer_json(c, (unsigned)a.status, doc, 0);
}

static enum MHD_Result first_call(struct server *s, struct MHD_Connection *c,
				  struct request *rq, const char *url, const char *method)
{
	const char *length;
	long retry = 0;
	bool post = streq(method, MHD_HTTP_METHOD_POST);
	bool get = streq(method, MHD_HTTP_METHOD_GET) || streq(method, MHD_HTTP_METHOD_HEAD);

	if (!rate_take(s->rates, rq->address, now_seconds(), &retry)) {
		rq->answered = true;
		return refuse(c, rq, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests", retry);
	}
	if (streq(url, "/v1/enroll"))
		rq->route = R_ENROLL;
	else if (streq(url, "/v1/reports"))
		rq->route = R_REPORTS;
	else if (s->archive_fd >= 0 && (startswith(url, "/metadata/") || startswith(url, "/targets/")))
		rq->route = R_STATIC;
	else
		return refuse_with(c, rq, MHD_HTTP_NOT_FOUND, "not found");
	if (rq->route == R_STATIC ? !get : !post)
		return refuse_with(c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed");
	if (rq->route == R_STATIC)
		return MHD_YES;
	/* refused before the body is read: a client sending "Expect: 100-continue" never
	 * sends it */
	length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length && strtoull(length, NULL, 10) > FLEET_BODY_MAX)
		return refuse_with(c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than 65536 bytes");
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct request *rq = *con_cls;

	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		peer_address(c, rq->address, sizeof(rq->address));
		return first_call(s, c, rq, url, method);
	}
	if (rq->answered) {
		*upload_data_size = 0; /* discarded: the answer is out */
		return MHD_YES;
	}
	if (rq->route == R_STATIC)
		return serve_static(s, c, rq, url);
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (rq->discarded || n > FLEET_BODY_MAX - rq->len) {
			free(rq->body);
			rq->body = NULL;
			rq->discarded += n;
			if (rq->discarded > DISCARD_MAX)
				return refuse_with(c, rq, MHD_HTTP_CONTENT_TOO_LARGE,
						   "body: larger than 65536 bytes");
			return MHD_YES;
		}
		if (!rq->body) {
			/* the whole bound at once: a report is one read, and never more is kept */
			rq->body = malloc(FLEET_BODY_MAX);
			if (!rq->body)
				return MHD_NO;
		}
		memcpy(rq->body + rq->len, upload_data, n);
		rq->len += n;
		return MHD_YES;
	}
	if (rq->discarded)
		return refuse_with(c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "body: larger than 65536 bytes");
	return handle_post(s, c, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_warning("libmicrohttpd: %s", buf);
}

int serve_parse_listen(const char *spec, struct sockaddr_storage *ss, unsigned *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon || colon == spec)
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
		return -EINVAL;
	hl = (size_t)(colon - spec);
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return 0;
	}
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return 0;
}

static int listen_on(const char *address, char *bound, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned len;
	int fd, one = 1;
	char host[INET6_ADDRSTRLEN];

	if (serve_parse_listen(address, &ss, &len) < 0)
		return log_error_errno(EINVAL, "listen address '%s': expected ADDR:PORT or "
				       "[ADDR6]:PORT", address);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(errno, "socket: %m");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
		int e = errno;

		close(fd);
		return log_error_errno(e, "cannot listen on %s: %m", address);
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(bound, size, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(bound, size, "%s:%u", host, ntohs(a->sin_port));
	}
	return fd;
}

static int start(struct server *s, const struct serve_opts *o, int fd, const char *cert,
		 const char *key, struct MHD_Daemon **ret)
{
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct MHD_OptionItem tls[3] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert) {
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key };
	}
	*ret = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->connections,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_END);
	if (!*ret)
		return log_error_errno(EIO, "cannot start the HTTP server%s", cert ?
				       " (is the TLS certificate or key malformed?)" : "");
	return 0;
}

static int write_port_file(const char *path, const char *bound)
{
	const char *colon = strrchr(bound, ':');
	char line[80];
	int k;

	snprintf(line, sizeof(line), "%s\n", colon ? colon + 1 : bound);
	k = write_file_atomic(path, line, strlen(line), 0644);
	if (k < 0)
		return log_error_errno(k, "%s: cannot write the port file: %m", path);
	return 0;
}

int serve_run(struct fleet *f, const struct serve_opts *o)
{
	struct server s = { .fleet = f, .archive_fd = -1 };
	_cleanup_free_ char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d = NULL;
	char bound[INET6_ADDRSTRLEN + 16];
	sigset_t mask, old;
	int fd = -1, k, sig;
	size_t n;

	if (o->tls_cert) {
		k = read_file_bounded(o->tls_cert, KEY_FILE_MAX, &cert, &n);
		if (k < 0)
			return log_error_errno(k, "%s: cannot read the TLS certificate: %m",
					       o->tls_cert);
		k = read_file_bounded(o->tls_key, KEY_FILE_MAX, &key, &n);
		if (k < 0)
			return log_error_errno(k, "%s: cannot read the TLS key: %m", o->tls_key);
	}
	if (o->archive) {
		s.archive_fd = open(o->archive, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s.archive_fd < 0)
			return log_error_errno(errno, "%s: cannot open the archive directory: %m",
					       o->archive);
	}
	/* Each report is a full snapshot of its node: one acknowledged but lost to a power cut
	 * is superseded by the node's next report, so the commit need not wait for the disk
	 * (still durable across a crash of this process; docs/PERFORMANCE.md). The setting is
	 * this connection's: the cron pipeline's own commits stay synchronous. */
	k = db_exec(fleet_db(f), "PRAGMA synchronous = NORMAL");
	if (k < 0)
		goto out;
	k = rate_table_new((double)o->rate, (double)o->burst, &s.rates);
	if (k < 0)
		goto out;
	fd = listen_on(o->listen, bound, sizeof(bound));
	if (fd < 0) {
		k = fd;
		goto out;
	}
	/* the server's thread inherits the mask: the signals come to sigwait() here alone */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	signal(SIGPIPE, SIG_IGN);
	k = start(&s, o, fd, cert, key, &d);
	if (k < 0) {
		close(fd);
		goto unblock;
	}
	if (o->port_file) {
		k = write_port_file(o->port_file, bound);
		if (k < 0)
			goto stop;
	}
	log_info("listening on %s%s", bound, cert ? " (TLS)" : "");
	sd_notify(0, "READY=1");
	do {
		k = sigwait(&mask, &sig);
	} while (k == 0 && sig == SIGHUP);
	sd_notify(0, "STOPPING=1");
	log_info("stopping (%s)", strsignal(sig));
	k = 0;
stop:
	MHD_stop_daemon(d); /* closes the listening socket too */
unblock:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	rate_table_free(s.rates);
	if (s.archive_fd >= 0)
		close(s.archive_fd);
	return k;
}
