/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agentctl: asks tuxtape-agent what it is doing, over its control socket, and tells it what
 * to do. Exit codes are for monitoring (see --help and the README).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

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
		"\n"
		"Exit codes: 0 healthy (status) or done; 1 problems (failed, stalled or quarantined\n"
		"patches, archive errors); 2 archive stale but nothing else wrong; 3 the agent cannot\n"
		"be reached; 4 the agent refused the request; 64 usage error.\n");
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = getenv("TUXTAPE_AGENT_SOCKET"), *cmd;
	bool json = false, follow = false;
	json_t *req, *resp = NULL;
	int opt, r, rc;

	if (!sock)
		sock = "/run/tuxtape/agent.sock";
	while ((opt = getopt_long(argc, argv, "s:jfh", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'j': json = true; break;
		case 'f': follow = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
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
