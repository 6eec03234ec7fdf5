/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agentctl: asks tuxtape-agent what it is doing, over its control socket, and tells it what
 * to do. Exit codes are for monitoring (see --help and the README).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "escape.h"
#include "fetch.h"
#include "klog/kblame.h"
#include "klog/kreport.h"
#include "util.h"

enum {
	EXIT_HEALTHY = 0,
	EXIT_PROBLEMS = 1,
	EXIT_STALE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_REFUSED = 4,
	EXIT_USAGE = 64,
};

/* the agent answers at once, but for refresh (see below) */
#define DEFAULT_TIMEOUT_S 10

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: agentctl [--socket PATH] [--timeout SECONDS] COMMAND [ARGS]\n"
		"       agentctl --version\n"
		"\n"
		"  status [--json]        node, kernel, archive freshness, fleet (node id, last\n"
		"                         report sent and its answer, reports waiting), patches,\n"
		"                         problems\n"
		"  patches [--json]       the patches for this kernel and their state\n"
		"  events [--follow] [--json]  what the agent did, and why\n"
		"  refresh                check the archive now and apply what is new\n"
		"  revert PATCH           disable and unload a patch\n"
		"  hold | resume          stop / allow changes to this node's patches\n"
		"  unquarantine PATCH     allow a quarantined patch to be applied again\n"
		"  enroll URL --token TOKEN | --token-file FILE\n"
		"                         register this node's key with the fleet server at URL\n"
		"                         (tuxtape-backend serve) with the operator's single-use\n"
		"                         token ('tuxtape-backend fleet token'); health reports go\n"
		"                         there from then on (docs/FLEET.md); --token-file reads\n"
		"                         it from FILE's first line (- for stdin), out of ps's view\n"
		"  analyze [FILE|-] [--json] [--livepatch MODULE]...\n"
		"                         find kernel crash and warning reports in a saved log\n"
		"                         (kmsg dump, console capture, journal); no agent needed\n"
		"\n"
		"--timeout: how long to wait for the agent's answer (default 10 s; refresh and\n"
		"enroll 330 s).\n"
		"\n"
		"Exit codes: 0 healthy (status) or done, or no report found (analyze); 1 problems\n"
		"(failed, stalled or quarantined patches, archive errors), or reports found (analyze);\n"
		"2 archive stale but nothing else wrong; 3 the agent cannot be reached or did not answer\n"
		"in time; 4 the agent refused the request; 64 usage error, or analyze's input cannot\n"
		"be read or holds no kernel log record.\n");
}

/* Waits until fd is ready for events, or the deadline (monotonic usec) has passed. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int64_t left = (deadline - monotonic_usec() + 999) / 1000;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Reads the answer up to end of file (at most 64 MiB) into *ret, NUL-ended. */
static int read_reply(int fd, int64_t deadline, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *big = NULL;
	size_t used = 0, cap = 0;
	ssize_t n;
	int r;

	for (;;) {
		if (cap - used < 65536) {
			char *nb;

			if (cap >= 64u << 20)
				return -EFBIG;
			cap = cap ? cap * 2 : 65536;
			nb = realloc(big, cap + 1);
			if (!nb)
				return -ENOMEM;
			big = nb;
		}
		n = recv(fd, big + used, cap - used, MSG_DONTWAIT);
		if (n > 0) {
			used += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			/* a reset after the answer (the agent closed with our request unread) */
			if (used)
				break;
			return -errno;
		}
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
	if (big)
		big[used] = '\0';
	*ret_len = used;
	*ret = TAKE_PTR(big);
	return 0;
}

/* One request, one answer, all within timeout_s: a stuck or slow agent gives -ETIMEDOUT. */
static int request(const char *path, json_t *req, unsigned timeout_s, json_t **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = monotonic_usec() + (int64_t)timeout_s * 1000000;
	struct timeval tv = { .tv_sec = timeout_s };
	_cleanup_free_ char *out = NULL, *reply = NULL;
	_cleanup_close_ int fd = -1;
	size_t len, done = 0, reply_len = 0;
	json_t *resp;
	int r, send_err = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* bounds connect() when the agent's accept queue is full */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	out = json_dumps(req, JSON_COMPACT);
	if (!out)
		return -ENOMEM;
	len = strlen(out);
	out[len++] = '\n';       /* json_dumps leaves room for the NUL we replace */
	while (done < len) {
		ssize_t n = send(fd, out + done, len - done, MSG_NOSIGNAL);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
		} else if (n < 0 && errno != EINTR) {
			/* the agent may have refused the request already: read why */
			send_err = -errno;
			break;
		}
	}
	r = read_reply(fd, deadline, &reply, &reply_len);
	if (r < 0)
		return send_err && r != -ETIMEDOUT ? send_err : r;
	resp = reply ? json_loadb(reply, reply_len, 0, NULL) : NULL;
	if (!resp || !json_is_object(resp)) {
		json_decref(resp);
		return send_err ? send_err : -EBADMSG;
	}
	*ret = resp;
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

/* printf for what the agent or a log gave us: control characters come out as \xNN, so a
 * crafted log line cannot drive the terminal; newlines stay. */
static _printf_(1, 2) void say(const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (char *line = s, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fputs_escaped(line, stdout);
		if (!nl)
			break;
		putchar('\n');
	}
}

static int status_exit(const json_t *st)
{
	const json_t *problems = json_object_get(st, "problems"), *p;
	size_t i;
	bool other = false;

	json_array_foreach(problems, i, p)
		if (strncmp(strempty(json_string_value(p)), "archive: stale", 14) != 0 &&
		    strncmp(strempty(json_string_value(p)), "archive: never", 14) != 0)
			other = true;
	if (other)
		return EXIT_PROBLEMS;
	if (json_is_true(json_object_get(json_object_get(st, "archive"), "stale")))
		return EXIT_STALE;
	return EXIT_HEALTHY;
}

static void print_patches(const json_t *st)
{
	const json_t *patches = json_object_get(st, "patches"), *p;
	size_t i;

	if (json_array_size(patches) == 0) {
		say("patches: none for this kernel\n");
		return;
	}
	say("%-20s %-12s %-20s %s\n", "PATCH", "STATE", "SINCE", "CVES / REASON");
	json_array_foreach(patches, i, p) {
		char *cves = json_dumps(json_object_get(p, "cves"), JSON_COMPACT);

		say("%-20s %-12s %-20s %s\n%-54s %s\n", str(p, "id"), str(p, "state"),
		       str(p, "since"), cves ? cves : "[]", "", str(p, "reason"));
		free(cves);
		const json_t *ev = json_object_get(p, "evidence");

		/* the kernel report that convicted the patch, or that it is suspected for */
		if (json_is_object(ev))
			say("%-54s evidence (%s): %s; %s\n", "", str(ev, "evidence"), str(ev, "title"),
			       str(ev, "why"));
	}
}

/* The kernel companion: whether the agent hears the kernel or polls it. */
static void print_companion(const json_t *c)
{
	const json_t *t = json_object_get(c, "last_transition");

	if (!json_is_true(json_object_get(c, "enabled")))
		say("companion: not used (configuration)\n");
	else if (json_is_true(json_object_get(c, "in_use")))
		say("companion: in use; %" JSON_INTEGER_FORMAT " events, %" JSON_INTEGER_FORMAT
		    " ignored, %" JSON_INTEGER_FORMAT " lost\n",
		    json_integer_value(json_object_get(c, "events")),
		    json_integer_value(json_object_get(c, "ignored")),
		    json_integer_value(json_object_get(c, "lost")));
	else
		say("companion: not loaded (polling sysfs)%s%s\n",
		    json_is_string(json_object_get(c, "error")) ? "; " : "",
		    json_is_string(json_object_get(c, "error")) ? str(c, "error") : "");
	if (json_is_integer(json_object_get(t, "latency_us")))
		say("           last transition (%s) known %.3f ms after the kernel finished it\n",
		    str(t, "module"), json_integer_value(json_object_get(t, "latency_us")) / 1000.0);
}

/* The fleet: who this node is to the server, and how its reports are getting there. */
static void print_fleet(const json_t *f)
{
	const json_t *last = json_object_get(f, "last_report");

	if (!json_is_object(f))
		return;
	say("node id:   %s\n", str(f, "node"));
	if (json_is_true(json_object_get(f, "enrolled")))
		say("fleet:     enrolled with %s\n", str(f, "url"));
	else
		say("fleet:     not enrolled%s\n", json_is_true(json_object_get(f, "enrolling")) ?
		    " (enrolment pending)" : "");
	if (json_is_object(last)) {
		time_t t = (time_t)json_integer_value(json_object_get(last, "time"));
		json_int_t status = json_integer_value(json_object_get(last, "status"));
		char when[32];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		say("           last report sent: seq %" JSON_INTEGER_FORMAT " (%s, %s): %s (HTTP %"
		    JSON_INTEGER_FORMAT ")\n", json_integer_value(json_object_get(last, "seq")),
		    str(last, "event"), when, status == 200 || status == 409 ? "accepted" : "REFUSED",
		    status);
	} else if (json_is_string(json_object_get(f, "node"))) {
		say("           no report sent yet\n");
	}
	say("           %" JSON_INTEGER_FORMAT " report(s) waiting\n",
	    json_integer_value(json_object_get(f, "queued")));
	if (json_is_string(json_object_get(f, "last_error")))
		say("           last delivery error: %s\n", str(f, "last_error"));
}

static void print_status(const json_t *st)
{
	const json_t *a = json_object_get(st, "archive"), *problems, *p, *live;
	size_t i;

	say("kernel:    %s (build-id %s)\n", str(st, "kernel_release"), str(st, "build_id"));
	say("machine:   %s  boot %s\n", str(st, "machine_id"), str(st, "boot_id"));
	say("archive:   %s\n", str(a, "url"));
	say("           last ok %s, last check %s%s\n", str(a, "last_ok"), str(a, "last_attempt"),
	       json_is_true(json_object_get(a, "stale")) ? " (STALE)" : "");
	if (json_is_true(json_object_get(st, "held")))
		say("changes:   HELD (agentctl resume allows them)\n");
	if (json_is_string(json_object_get(st, "in_transition")))
		say("transition: %s\n", str(st, "in_transition"));
	const json_t *k = json_object_get(st, "kernel_log");

	if (json_is_true(json_object_get(k, "watching")))
		say("kernel log: watched; %" JSON_INTEGER_FORMAT " records, %" JSON_INTEGER_FORMAT
		       " reports, %" JSON_INTEGER_FORMAT " lost, %" JSON_INTEGER_FORMAT
		       " not from the kernel\n",
		       json_integer_value(json_object_get(k, "records")),
		       json_integer_value(json_object_get(k, "reports")),
		       json_integer_value(json_object_get(k, "lost")),
		       json_integer_value(json_object_get(k, "not_kernel")));
	else
		say("kernel log: NOT watched\n");
	print_companion(json_object_get(st, "companion"));
	print_fleet(json_object_get(st, "fleet"));
	print_patches(st);
	live = json_object_get(st, "livepatch");
	json_array_foreach(live, i, p)
		if (!json_is_true(json_object_get(p, "managed")))
			say("livepatch not managed by the agent: %s (enabled %d)\n", str(p, "name"),
			       json_is_true(json_object_get(p, "enabled")));
	problems = json_object_get(st, "problems");
	json_array_foreach(problems, i, p)
		say("problem:   %s\n", json_string_value(p));
	if (json_array_size(problems) == 0)
		say("problems:  none\n");
}

static void print_events(const json_t *ev, bool json)
{
	const json_t *e;
	size_t i;

	json_array_foreach(ev, i, e) {
		if (json) {
			char *s = json_dumps(e, JSON_COMPACT);

			say("%s\n", s ? s : "{}");
			free(s);
		} else {
			time_t t = (time_t)json_integer_value(json_object_get(e, "time"));
			char when[32];
			struct tm tm;

			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
			say("%s %-14s %-16s %s\n", when, str(e, "kind"), str(e, "patch"),
			       str(e, "message"));
		}
	}
	fflush(stdout);
}

#define ANALYZE_MAX (256u << 20)     /* a saved kernel log larger than this is refused */

struct analyze {
	bool json;
	const char *const *livepatches;  /* NULL-terminated --livepatch names */
	unsigned crashes, reports;
};


struct offline {
	const struct kreport *r;
	const char *const *extra;
};

static bool offline_is_livepatch(const char *module, void *userdata)
{
	const struct offline *o = userdata;

	return kblame_offline_is_livepatch(o->r, module, o->extra);
}

static void print_report(const struct kreport *r, const struct kblame *b)
{
	size_t shown = 0;

	if (r->type == KREPORT_LIVEPATCH) {
		/* the title is the core's own line, "livepatch: ..." */
		say("%s\n", strempty(r->title));
		return;
	}
	say("%s: %s\n", kreport_type_name(r->type), strempty(r->title));
	if (r->rip_function)
		say("  rip:     %s%s%s%s\n", r->rip_function, r->rip_module ? " [" : "",
		       strempty(r->rip_module), r->rip_module ? "]" : "");
	say("  culprit: %s\n", b->strength == KBLAME_STRONG ? b->module :
	       b->strength == KBLAME_WEAK ? "none (weak evidence only)" : "none");
	if (b->strength != KBLAME_NONE)
		say("           %s: %s\n", kblame_strength_name(b->strength), b->why);
	say("  taint:   %s\n", r->taint ? (*r->taint ? r->taint : "not tainted") : "unknown");
	say("  modules: %zu\n", r->n_modules);
	for (size_t i = 0; i < r->n_frames && shown < 5; i++) {
		const struct kframe *f = &r->frames[i];

		if (!f->reliable || !f->function)
			continue;
		say("  %s %s%s%s%s\n", shown ? "     " : "trace:", f->function, f->module ? " [" : "",
		       strempty(f->module), f->module ? "]" : "");
		shown++;
	}
	say("\n");
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct analyze *a = userdata;
	struct offline o = { r, a->livepatches };
	struct kblame b;

	kblame_report(r, offline_is_livepatch, NULL, &o, &b);
	if (r->type != KREPORT_LIVEPATCH)
		a->crashes++;
	a->reports++;
	if (a->json) {
		json_t *j = kreport_to_json(r, b.strength == KBLAME_STRONG ? b.module : NULL);

		if (!j)
			return;
		json_object_set_new(j, "evidence", b.strength == KBLAME_NONE ? json_null() :
				    json_string(kblame_strength_name(b.strength)));
		json_object_set_new(j, "why", b.strength == KBLAME_NONE ? json_null() : json_string(b.why));
		/* printed as it is found: a log of millions of reports needs no more memory than one */
		fputs(a->reports > 1 ? ",\n" : "[\n", stdout);
		json_dumpf(j, stdout, JSON_INDENT(2));
		json_decref(j);
	} else {
		print_report(r, &b);
	}
}

/* Reads the log in chunks (the parser carries a line cut between two), never more than
 * ANALYZE_MAX bytes. */
static int analyze(const char *path, bool json, const char *const *livepatches)
{
	struct analyze a = { .json = json, .livepatches = livepatches };
	static char buf[1 << 20];
	struct kparser *p = NULL;
	uint64_t kernel_lines;
	size_t total = 0;
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = streq(path, "-") ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "agentctl: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > ANALYZE_MAX) {
		fprintf(stderr, "agentctl: %s: %lld bytes, more than the %u MiB analyze reads\n", path,
			(long long)st.st_size, ANALYZE_MAX >> 20);
		if (fd != STDIN_FILENO)
			close(fd);
		return EXIT_USAGE;
	}
	r = kparser_new(on_report, &a, &p);
	if (r < 0) {
		fprintf(stderr, "agentctl: %s\n", strerror(-r));
		if (fd != STDIN_FILENO)
			close(fd);
		return EXIT_USAGE;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "agentctl: cannot read %s: %s\n", path, strerror(errno));
			break;
		}
		total += (size_t)n;
		if (total > ANALYZE_MAX) {
			fprintf(stderr, "agentctl: %s: more than the %u MiB analyze reads\n", path,
				ANALYZE_MAX >> 20);
			n = -1;
			break;
		}
		kparser_feed_text(p, buf, (size_t)n);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n >= 0)
		kparser_flush(p);
	kernel_lines = kparser_text_kernel_lines(p);
	kparser_free(p);
	if (json)     /* closed even after an error: what was printed stays valid JSON */
		fputs(a.reports ? "\n]\n" : "[]\n", stdout);
	if (n < 0)
		return EXIT_USAGE;
	if (!a.reports && !kernel_lines) {
		fprintf(stderr, "agentctl: no kernel log records found in %s (%s)\n",
			streq(path, "-") ? "standard input" : path,
			total ? "not a kmsg dump, console capture, or journal or syslog lines of the kernel" :
			"empty input");
		return EXIT_USAGE;
	}
	if (!json && a.crashes == 0)
		printf("no kernel crash or warning report found\n");
	return a.crashes ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "livepatch", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "token", required_argument, NULL, 'k' },
		{ "token-file", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *sock = getenv("TUXTAPE_AGENT_SOCKET"), *cmd, *token = NULL, *token_file = NULL;
	char token_buf[CONTROL_MAX_TOKEN + 2];
	bool json = false, follow = false;
	const char *livepatches[65] = { NULL };
	size_t n_livepatches = 0;
	json_t *req, *resp = NULL;
	unsigned timeout_s = 0;
	char *end;
	int opt, r, rc;

	if (!sock)
		sock = "/run/tuxtape/agent.sock";
	while ((opt = getopt_long(argc, argv, "s:jfh", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'j': json = true; break;
		case 'f': follow = true; break;
		case 'l':
			if (n_livepatches + 1 >= ELEMENTSOF(livepatches)) {
				fprintf(stderr, "agentctl: at most %zu --livepatch names\n",
					ELEMENTSOF(livepatches) - 1);
				return EXIT_USAGE;
			}
			livepatches[n_livepatches++] = optarg;
			break;
		case 't':
			errno = 0;
			timeout_s = (unsigned)strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || timeout_s < 1 || timeout_s > 86400 ||
			    optarg[0] == '-') {
				fprintf(stderr, "agentctl: --timeout '%s' is not a number of seconds "
					"(1 to 86400)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'k': token = optarg; break;
		case 'K': token_file = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("agentctl %s\n", TUXTAPE_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (streq(cmd, "analyze")) {
		if (optind + 2 < argc) {
			fprintf(stderr, "agentctl: analyze takes one FILE (or - for stdin)\n");
			return EXIT_USAGE;
		}
		return analyze(optind + 1 < argc ? argv[optind + 1] : "-", json, livepatches);
	}
	if (n_livepatches) {
		fprintf(stderr, "agentctl: --livepatch is an option of analyze\n");
		return EXIT_USAGE;
	}
	if ((token || token_file) && !streq(cmd, "enroll")) {
		fprintf(stderr, "agentctl: --token and --token-file are options of enroll\n");
		return EXIT_USAGE;
	}
	if (token && token_file) {
		fprintf(stderr, "agentctl: enroll takes --token or --token-file, not both\n");
		return EXIT_USAGE;
	}
	if (token_file) {
		FILE *f = streq(token_file, "-") ? stdin : fopen(token_file, "re");

		if (!f) {
			fprintf(stderr, "agentctl: --token-file %s: %m\n", token_file);
			return EXIT_USAGE;
		}
		if (!fgets(token_buf, sizeof(token_buf), f))
			token_buf[0] = '\0';
		if (f != stdin)
			fclose(f);
		token_buf[strcspn(token_buf, "\r\n")] = '\0';
		token = token_buf;
	}
	if (streq(cmd, "enroll")) {
		const char *url = optind + 2 == argc ? argv[optind + 1] : NULL;

		if (!url || !token) {
			fprintf(stderr, "agentctl: enroll takes one URL and --token TOKEN (or "
				"--token-file FILE)\n");
			return EXIT_USAGE;
		}
		if ((!startswith(url, "http://") && !startswith(url, "https://")) ||
		    strlen(url) > CONTROL_MAX_URL) {
			fprintf(stderr, "agentctl: enroll: '%s' is not an http:// or https:// URL of at "
				"most %d bytes\n", url, CONTROL_MAX_URL);
			return EXIT_USAGE;
		}
		if (!*token || strlen(token) > CONTROL_MAX_TOKEN) {
			fprintf(stderr, "agentctl: enroll: a token is 1 to %d bytes\n",
				CONTROL_MAX_TOKEN);
			return EXIT_USAGE;
		}
		req = json_pack("{s:s, s:s, s:s}", "command", cmd, "url", url, "token", token);
	} else if (streq(cmd, "revert") || streq(cmd, "unquarantine")) {
		if (optind + 2 != argc) {
			fprintf(stderr, "agentctl: %s takes one PATCH id\n", cmd);
			return EXIT_USAGE;
		}
		req = json_pack("{s:s, s:s}", "command", cmd, "patch", argv[optind + 1]);
		if (!req || !*argv[optind + 1] || strlen(argv[optind + 1]) > CONTROL_MAX_PATCH_ID) {
			fprintf(stderr, "agentctl: a PATCH id is 1 to %d bytes of UTF-8\n",
				CONTROL_MAX_PATCH_ID);
			json_decref(req);
			return EXIT_USAGE;
		}
	} else if (streq(cmd, "status") || streq(cmd, "patches") || streq(cmd, "events") ||
		   streq(cmd, "refresh") || streq(cmd, "hold") || streq(cmd, "resume")) {
		if (optind + 1 != argc) {
			fprintf(stderr, "agentctl: %s takes no arguments\n", cmd);
			return EXIT_USAGE;
		}
		req = json_pack("{s:s}", "command", cmd);
	} else {
		fprintf(stderr, "agentctl: unknown command '%s' (agentctl --help)\n", cmd);
		return EXIT_USAGE;
	}
	json_int_t after = 0;

	/* a refresh waits for the agent's fetch, which it stops after FETCH_TIMEOUT_S */
	if (!timeout_s)
		timeout_s = streq(cmd, "refresh") || streq(cmd, "enroll") ? FETCH_TIMEOUT_S + 30 :
			    DEFAULT_TIMEOUT_S;

	for (;;) {
		if (streq(cmd, "events"))
			json_object_set_new(req, "after", json_integer(after));
		r = request(sock, req, timeout_s, &resp);
		if (r == -ETIMEDOUT) {
			fprintf(stderr, "agentctl: the agent at %s did not answer within %u s\n", sock,
				timeout_s);
			json_decref(req);
			return EXIT_UNREACHABLE;
		}
		if (r < 0) {
			fprintf(stderr, "agentctl: cannot talk to the agent at %s: %s\n", sock,
				strerror(-r));
			json_decref(req);
			return EXIT_UNREACHABLE;
		}
		if (!json_is_true(json_object_get(resp, "ok"))) {
			fputs("agentctl: ", stderr);
			fputs_escaped(str(resp, "error"), stderr);
			fputc('\n', stderr);
			json_decref(resp);
			json_decref(req);
			return EXIT_REFUSED;
		}
		if (!streq(cmd, "events") || !follow)
			break;
		json_t *ev = json_object_get(resp, "events");
		size_t n = json_array_size(ev);

		print_events(ev, json);
		if (n)
			after = json_integer_value(json_object_get(json_array_get(ev, n - 1), "seq"));
		json_decref(resp);
		resp = NULL;
		sleep(1);
	}
	json_decref(req);
	rc = EXIT_HEALTHY;
	if (streq(cmd, "status") || streq(cmd, "patches")) {
		json_t *st = json_object_get(resp, "status");

		if (json) {
			char *s = json_dumps(streq(cmd, "patches") ? json_object_get(st, "patches") : st,
					     JSON_INDENT(2));
			printf("%s\n", s ? s : "null");
			free(s);
		} else if (streq(cmd, "status")) {
			print_status(st);
		} else {
			print_patches(st);
		}
		if (streq(cmd, "status"))
			rc = status_exit(st);
	} else if (streq(cmd, "events")) {
		print_events(json_object_get(resp, "events"), json);
	} else if (streq(cmd, "enroll")) {
		say("enrolled with %s as node %s\n", str(resp, "url"), str(resp, "node"));
	} else {
		printf("%s: done\n", cmd);
	}
	json_decref(resp);
	return rc;
}
