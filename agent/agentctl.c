/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agentctl: asks tuxtape-agent what it is doing, over its control socket, and tells it what
 * to do. Exit codes are for monitoring (see --help and the README).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: agentctl [--socket PATH] COMMAND [ARGS]\n"
		"\n"
		"  status [--json]        node, kernel, archive freshness, patches, problems\n"
		"  patches [--json]       the patches for this kernel and their state\n"
		"  events [--follow] [--json]  what the agent did, and why\n"
		"  refresh                check the archive now and apply what is new\n"
		"  revert PATCH           disable and unload a patch\n"
		"  hold | resume          stop / allow changes to this node's patches\n"
		"  unquarantine PATCH     allow a quarantined patch to be applied again\n"
		"  analyze [FILE|-] [--json] [--livepatch MODULE]...\n"
		"                         find kernel crash and warning reports in a saved log\n"
		"                         (kmsg dump, console capture, journal); no agent needed\n"
		"\n"
		"Exit codes: 0 healthy (status) or done, or no report found (analyze); 1 problems\n"
		"(failed, stalled or quarantined patches, archive errors), or reports found (analyze);\n"
		"2 archive stale but nothing else wrong; 3 the agent cannot be reached; 4 the agent\n"
		"refused the request; 64 usage error or unreadable input.\n");
}

static int request(const char *path, json_t *req, json_t **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *out, buf[65536];
	size_t used = 0;
	json_t *resp;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	out = json_dumps(req, JSON_COMPACT);
	if (!out || send(fd, out, strlen(out), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		free(out);
		close(fd);
		return -EIO;
	}
	free(out);
	char *big = NULL;
	size_t cap = 0;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		char *nb;

		if (used + (size_t)n > 64u << 20) {
			free(big);
			close(fd);
			return -EFBIG;
		}
		if (used + (size_t)n > cap) {
			cap = (used + (size_t)n) * 2;
			nb = realloc(big, cap);
			if (!nb) {
				free(big);
				close(fd);
				return -ENOMEM;
			}
			big = nb;
		}
		memcpy(big + used, buf, (size_t)n);
		used += (size_t)n;
	}
	close(fd);
	resp = big ? json_loadb(big, used, 0, NULL) : NULL;
	free(big);
	if (!resp || !json_is_object(resp)) {
		json_decref(resp);
		return -EBADMSG;
	}
	*ret = resp;
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
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
		printf("patches: none for this kernel\n");
		return;
	}
	printf("%-20s %-12s %-20s %s\n", "PATCH", "STATE", "SINCE", "CVES / REASON");
	json_array_foreach(patches, i, p) {
		char *cves = json_dumps(json_object_get(p, "cves"), JSON_COMPACT);

		printf("%-20s %-12s %-20s %s\n%-54s %s\n", str(p, "id"), str(p, "state"),
		       str(p, "since"), cves ? cves : "[]", "", str(p, "reason"));
		free(cves);
		const json_t *ev = json_object_get(p, "evidence");

		/* the kernel report that convicted the patch, or that it is suspected for */
		if (json_is_object(ev))
			printf("%-54s evidence (%s): %s; %s\n", "", str(ev, "evidence"), str(ev, "title"),
			       str(ev, "why"));
	}
}

static void print_status(const json_t *st)
{
	const json_t *a = json_object_get(st, "archive"), *problems, *p, *live;
	size_t i;

	printf("kernel:    %s (build-id %s)\n", str(st, "kernel_release"), str(st, "build_id"));
	printf("machine:   %s  boot %s\n", str(st, "machine_id"), str(st, "boot_id"));
	printf("archive:   %s\n", str(a, "url"));
	printf("           last ok %s, last check %s%s\n", str(a, "last_ok"), str(a, "last_attempt"),
	       json_is_true(json_object_get(a, "stale")) ? " (STALE)" : "");
	if (json_is_true(json_object_get(st, "held")))
		printf("changes:   HELD (agentctl resume allows them)\n");
	if (json_is_string(json_object_get(st, "in_transition")))
		printf("transition: %s\n", str(st, "in_transition"));
	const json_t *k = json_object_get(st, "kernel_log");

	if (json_is_true(json_object_get(k, "watching")))
		printf("kernel log: watched; %" JSON_INTEGER_FORMAT " records, %" JSON_INTEGER_FORMAT
		       " reports, %" JSON_INTEGER_FORMAT " lost, %" JSON_INTEGER_FORMAT
		       " not from the kernel\n",
		       json_integer_value(json_object_get(k, "records")),
		       json_integer_value(json_object_get(k, "reports")),
		       json_integer_value(json_object_get(k, "lost")),
		       json_integer_value(json_object_get(k, "not_kernel")));
	else
		printf("kernel log: NOT watched\n");
	print_patches(st);
	live = json_object_get(st, "livepatch");
	json_array_foreach(live, i, p)
		if (!json_is_true(json_object_get(p, "managed")))
			printf("livepatch not managed by the agent: %s (enabled %d)\n", str(p, "name"),
			       json_is_true(json_object_get(p, "enabled")));
	problems = json_object_get(st, "problems");
	json_array_foreach(problems, i, p)
		printf("problem:   %s\n", json_string_value(p));
	if (json_array_size(problems) == 0)
		printf("problems:  none\n");
}

static void print_events(const json_t *ev, bool json)
{
	const json_t *e;
	size_t i;

	json_array_foreach(ev, i, e) {
		if (json) {
			char *s = json_dumps(e, JSON_COMPACT);

			printf("%s\n", s ? s : "{}");
			free(s);
		} else {
			time_t t = (time_t)json_integer_value(json_object_get(e, "time"));
			char when[32];
			struct tm tm;

			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
			printf("%s %-14s %-16s %s\n", when, str(e, "kind"), str(e, "patch"),
			       str(e, "message"));
		}
	}
	fflush(stdout);
}

#define ANALYZE_MAX (256u << 20)     /* a saved kernel log larger than this is refused */

struct analyze {
	bool json;
	const char *const *livepatches;  /* NULL-terminated --livepatch names */
	json_t *out;
	unsigned crashes;
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
		printf("%s\n", strempty(r->title));
		return;
	}
	printf("%s: %s\n", kreport_type_name(r->type), strempty(r->title));
	if (r->rip_function)
		printf("  rip:     %s%s%s%s\n", r->rip_function, r->rip_module ? " [" : "",
		       strempty(r->rip_module), r->rip_module ? "]" : "");
	printf("  culprit: %s\n", b->strength == KBLAME_STRONG ? b->module :
	       b->strength == KBLAME_WEAK ? "none (weak evidence only)" : "none");
	if (b->strength != KBLAME_NONE)
		printf("           %s: %s\n", kblame_strength_name(b->strength), b->why);
	printf("  taint:   %s\n", r->taint ? (*r->taint ? r->taint : "not tainted") : "unknown");
	printf("  modules: %zu\n", r->n_modules);
	for (size_t i = 0; i < r->n_frames && shown < 5; i++) {
		const struct kframe *f = &r->frames[i];

		if (!f->reliable || !f->function)
			continue;
		printf("  %s %s%s%s%s\n", shown ? "     " : "trace:", f->function, f->module ? " [" : "",
		       strempty(f->module), f->module ? "]" : "");
		shown++;
	}
	printf("\n");
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct analyze *a = userdata;
	struct offline o = { r, a->livepatches };
	struct kblame b;

	kblame_report(r, offline_is_livepatch, NULL, &o, &b);
	if (r->type != KREPORT_LIVEPATCH)
		a->crashes++;
	if (a->json) {
		json_t *j = kreport_to_json(r, b.strength == KBLAME_STRONG ? b.module : NULL);

		if (!j)
			return;
		json_object_set_new(j, "evidence", b.strength == KBLAME_NONE ? json_null() :
				    json_string(kblame_strength_name(b.strength)));
		json_object_set_new(j, "why", b.strength == KBLAME_NONE ? json_null() : json_string(b.why));
		json_array_append_new(a->out, j);
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
	a.out = json_array();
	r = a.out ? kparser_new(on_report, &a, &p) : -ENOMEM;
	if (r < 0) {
		fprintf(stderr, "agentctl: %s\n", strerror(-r));
		json_decref(a.out);
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
	if (n < 0) {
		kparser_free(p);
		json_decref(a.out);
		return EXIT_USAGE;
	}
	kparser_flush(p);
	kparser_free(p);
	if (json) {
		char *s = json_dumps(a.out, JSON_INDENT(2));

		printf("%s\n", s ? s : "[]");
		free(s);
	} else if (a.crashes == 0) {
		printf("no kernel crash or warning report found\n");
	}
	json_decref(a.out);
	return a.crashes ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "livepatch", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = getenv("TUXTAPE_AGENT_SOCKET"), *cmd;
	bool json = false, follow = false;
	const char *livepatches[65] = { NULL };
	size_t n_livepatches = 0;
	json_t *req, *resp = NULL;
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
		case 'h': usage(stdout); return 0;
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
	if (streq(cmd, "revert") || streq(cmd, "unquarantine")) {
		if (optind + 2 != argc) {
			fprintf(stderr, "agentctl: %s takes one PATCH id\n", cmd);
			return EXIT_USAGE;
		}
		req = json_pack("{s:s, s:s}", "command", cmd, "patch", argv[optind + 1]);
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

	for (;;) {
		if (streq(cmd, "events"))
			json_object_set_new(req, "after", json_integer(after));
		r = request(sock, req, &resp);
		if (r < 0) {
			fprintf(stderr, "agentctl: cannot talk to the agent at %s: %s\n", sock,
				strerror(-r));
			json_decref(req);
			return EXIT_UNREACHABLE;
		}
		if (!json_is_true(json_object_get(resp, "ok"))) {
			fprintf(stderr, "agentctl: %s\n", str(resp, "error"));
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
	} else {
		printf("%s: done\n", cmd);
	}
	json_decref(resp);
	return rc;
}
