/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The patch generator: from a fix (a unified diff, or a CVE's files taken from a newer source
 * of the same stable branch) to a livepatch module for one registered kernel, or a precise
 * reason why not. The pipeline (cmd_generate.c) runs named steps; each ends ok, failed,
 * refused or skipped, with its duration and a detail, and the first one that does not end
 * ok or skipped decides the outcome. Refused means the fix is understood but a livepatch
 * cannot carry it safely (a person must rewrite it); failed means something broke (tools,
 * inputs, the build). Both land in the "needs a person" queue (gen_queue.c).
 *
 * Modules: gen_util.c (subprocesses, steps), gen_cache.c (the prepared source tree per
 * source+config, its lock, applying and reverting a patch), gen_patch.c (parsing a diff,
 * dry run, source-level refusals, the CVE fix from a newer source), gen_module.c (objects
 * original and patched, klpdiff, the module's C file, kbuild link, klp_convert), gen_queue.c
 * (the queue table, notification command and webhook).
 *
 * All functions return 0 or a negative errno. Functions taking a gen_ctx record their own
 * step outcome (refusals included) and return -ECANCELED when the pipeline must stop; other
 * negative values are already logged.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

enum gen_status { GEN_OK, GEN_FAILED, GEN_REFUSED, GEN_SKIPPED };
enum gen_tool { GEN_BUILTIN, GEN_KPATCH_BUILD, GEN_KLP_BUILD };

/* What the command line (or the configuration) asked for. */
struct gen_request {
	const char *kernel;
	const char *cve;        /* either cve ... */
	const char *patch;      /* ... or a unified diff (-p1) */
	const char *fix_source; /* with cve: newer source of the same branch (dir or tarball) */
	const char *linux_git;  /* with cve: a Linux git repository holding the fix commit */
	const char *out;        /* output directory */
	const char *id;         /* patch id (default: from the CVE or the patch's name) */
	const char *cache;      /* work cache root */
	const char *headers;    /* kbuild directory, overrides the profile's */
	const char *system_map; /* overrides the profile's */
	const char *vet_command;
	const char *vet_check;  /* passed to the vet command after the module */
	enum gen_tool tool;
	bool progress;          /* stderr is a terminal */
	unsigned jobs;
};

/* The registered kernel, as the generator needs it. */
struct gen_kernel {
	char *name, *version, *release, *source, *kind, *headers, *system_map;
	char *config_text;
	size_t config_len;
};

/* One object file the patch changes: kbuild target, membership, both builds. */
struct gen_object {
	char *src;      /* fs/proc/cmdline.c */
	char *target;   /* fs/proc/cmdline.o */
	char *objname;  /* "vmlinux" or the module's name (klp_object.name) */
	char *orig_o;   /* copies kept under WORK/orig and WORK/patched */
	char *patched_o;
	void *diff;     /* struct klpdiff_result * */
};

struct gen_ctx {
	const struct gen_request *req;
	struct gen_kernel k;
	char *out;           /* absolute output directory */
	char *work;          /* OUT/work: objects and build directory */
	char *config_path;   /* the profile's .config written to OUT/work */
	char *cc;            /* the compiler the config names */
	char *cache_dir;     /* CACHE/KEY */
	char *tree;          /* CACHE/KEY/tree, prepared */
	int lock_fd;
	char *patch_path;    /* the unified diff in use: OUT/fix.patch */
	char *patch_id;
	char module[56];     /* livepatch_<id>, at most 55 characters */
	char *source_commit; /* the fix commit, when known */
	struct gen_file *files;
	size_t n_files;
	struct gen_object *objs;
	size_t n_objs;
	char *ko;            /* OUT/<module>.ko once built */
	json_t *steps;       /* [{name, status, seconds, detail}] */
	json_t *functions;   /* [{name, object, change, local, sympos}] */
	/* the outcome: the first step that failed or refused */
	enum gen_status status;
	char *failed_step;
	char *reason;
	/* the step being run */
	const char *step;
	double step_start;
};

/* A file the patch touches, with its change points in the original's line numbers: 2*L
 * for a removed line L, 2*L+1 for lines inserted after line L. */
struct gen_file {
	char *path;
	bool created, deleted;
	unsigned *points;
	size_t n_points;
};

/* gen_util.c */
double gen_now(void);
void gen_step_begin(struct gen_ctx *c, const char *name);
/* Ends the current step; returns 0 for ok/skipped, -ECANCELED otherwise. */
int gen_step_end(struct gen_ctx *c, enum gen_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *gen_status_string(enum gen_status st);
/* Runs argv in dir (NULL: here) with env additions (NAME=VALUE, NULL-terminated, may be
 * NULL); stdout and stderr together in *out (malloc'd, the last 4 MiB; may be NULL). With
 * progress, each line is also shown on one overwritten terminal line. Returns the exit
 * status (0-255, 128+signal) or a negative errno when it could not be run. */
int gen_run(const char *dir, char *const argv[], char *const env[], bool progress, char **out);
/* The last n lines of text, for a detail (malloc'd). */
char *gen_tail(const char *text, unsigned n);
int gen_write_file(const char *path, const char *text);
bool gen_which(const char *prog);

/* gen_cache.c */
int gen_compiler_check(struct gen_ctx *c);
int gen_cache_prepare(struct gen_ctx *c);
int gen_cache_apply(struct gen_ctx *c);
/* Reverts what gen_cache_apply() did; always safe to call. */
void gen_cache_revert(struct gen_ctx *c);
void gen_cache_release(struct gen_ctx *c);
/* A newer source (tarball) unpacked once in the cache; *tree is its top (malloc'd). */
int gen_cache_source(struct gen_ctx *c, const char *tarball, char **tree);

/* gen_patch.c */
int gen_patch_parse(const char *text, struct gen_file **ret, size_t *n, char *err, size_t len);
void gen_files_free(struct gen_file *f, size_t n);
/* Finds the struct/union bodies of a C file the points fall in: the first one's name. */
int gen_struct_at(const char *text, const unsigned *points, size_t n, char **name);
int gen_fix_from_source(struct gen_ctx *c, struct db *db);

/* gen_git.c: the commit against its first parent, as a -p1 unified diff (malloc'd). */
int gen_fix_from_git(struct gen_ctx *c, const char *commit_hex, char **patch, char *err,
		     size_t errlen);
int gen_patch_check(struct gen_ctx *c, struct db *db);

/* gen_module.c */
int gen_build_objects(struct gen_ctx *c);
int gen_diff_objects(struct gen_ctx *c);
int gen_make_module(struct gen_ctx *c);
int gen_external(struct gen_ctx *c);
void gen_objects_free(struct gen_ctx *c);

/* gen_queue.c */
int gen_queue_add(struct db *db, const struct gen_ctx *c, const char *report);
int gen_queue_list(struct db *db, bool as_json);
void gen_notify(const struct gen_ctx *c, const char *command, const char *webhook,
		const char *report);
