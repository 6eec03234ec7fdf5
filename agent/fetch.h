/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's side of tuxtape-agent-fetch, the network half of a refresh run as a child
 * process so the daemon maps neither libcurl nor OpenSSL (see agent/tuxtape-agent-fetch.c
 * for its arguments and its output). fetch_spawn() starts it with stdin on /dev/null and
 * stdout and stderr in memory files: nothing to drain while it runs, so the caller only has
 * to reap it (without blocking its loop) and hand the result to fetch_collect(), which
 * turns the exit and the output into the parsed document or a one-line reason. Whoever
 * spawned the child reaps it; these functions never wait.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FETCH_HELPER_NAME "tuxtape-agent-fetch"
/* a refresh that takes longer is killed: a stuck server must not stop the next one */
#define FETCH_TIMEOUT_S 300
/* the most stdout read back; the helper bounds what it writes well below */
#define FETCH_OUTPUT_MAX (8u << 20)

/* What the helper was asked to do, so what its document must hold (set after spawning). */
enum fetch_kind {
	FETCH_KIND_ARCHIVE,     /* {"targets", "revoked"} and, with the queue, {"reports"} */
	FETCH_KIND_REPORTS,     /* {"reports"} alone: a send-only run */
	FETCH_KIND_ENROLL,      /* {"enroll": {"status", "error"?}} */
};

struct fetch_child {
	pid_t pid;              /* 0: none */
	int out_fd, err_fd;
	bool timed_out;         /* killed by the caller's timeout */
	enum fetch_kind kind;
};

/* The helper to run: `configured` when set; else FETCH_HELPER_NAME next to the running
 * program (a build tree, the test VMs), else in LIBEXECDIR/tuxtape. NULL on OOM. */
char *fetch_helper_path(const char *configured);
/* argv[0] is the helper's path. -errno and why[] when it could not be started. */
int fetch_spawn(char *const argv[], struct fetch_child *ret, char *why, size_t size);
/* code and status as waitid() reported them for the reaped child. 0: *ret is the helper's
 * document, checked for what c->kind asked; < 0: why[] says what went wrong (the archive's
 * own message when the helper gave one), and *ret is still the document when the helper
 * wrote one with its error (an archive that failed after the queue was delivered: the
 * caller frees it; it stays NULL otherwise). Closes the child's files either way. */
int fetch_collect(struct fetch_child *c, int code, int status, json_t **ret, char *why,
		  size_t size);
/* Closes the files of a child that will not be collected (it must be reaped elsewhere). */
void fetch_child_close(struct fetch_child *c);
