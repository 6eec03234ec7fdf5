/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The patch generator: from a fix (a unified diff, or a CVE's files taken from a newer source
 * of the same stable branch) to a livepatch module for one registered kernel, or a precise
 * reason why not. The pipeline (gen_pipeline.c) is a table of named steps that one runner
 * walks; each ends ok, failed, refused or skipped, with its duration and a detail, and the
 * first one that does not end ok or skipped decides the outcome. Refused means the fix is understood but a livepatch
 * cannot carry it safely (a person must rewrite it); failed means something broke (tools,
 * inputs, the build). Both land in the "needs a person" queue (gen_queue.c).
 *
 * Inputs: the registered kernel (its profile, source, headers, System.map) from the
 * database, and the fix. Outputs: OUT/report.json, the module and its sources; the prepared
 * trees live in the work cache (CACHE/KEY, locked), failures in the gen_failure table.
 *
 * Modules: gen_pipeline.c (the step table and its runner), gen_util.c (subprocesses),
 * gen_cache.c (the prepared source tree per
 * source+config, its lock, applying and reverting a patch), gen_patch.c (parsing a diff,
 * dry run, source-level refusals, the CVE fix from a newer source), gen_module.c (objects
 * original and patched, klpdiff, the module's C file, kbuild link, klp_convert), gen_queue.c
 * (the queue table, notification command and webhook).
 *
 * All functions return 0 or a negative errno. A step (struct gen_step) returns its
 * gen_status, set with gen_say(), or a negative errno that fails it.
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
	const char *patch;      /* ... or a unified diff (-p1): patches[0] */
	const char *const *patches; /* several: applied in this order and made one diff */
	size_t n_patches;
	const char *cves;       /* the CVEs the module carries (comma-separated; default cve) */
	bool replace;           /* a cumulative livepatch: replaces every other (.replace) */
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
	char *modules;          /* its /lib/modules/RELEASE (modules.dep), or NULL */
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
	struct db *db;
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
	char *module_dir;    /* OUT/work/module: the module's kbuild directory */
	char *parts;         /* its extracted parts (" fix_0.o fix_1.o") */
	void *symdb;         /* struct klp_symdb *, from extract to module */
	char *ko;            /* OUT/<module>.ko once built */
	char *key_test_h;    /* when set, objects are built with it forced in (klpdiff.h) */
	json_t *steps;       /* [{name, status, seconds, detail}] */
	json_t *functions;   /* [{name, object, change, local, sympos}] */
	/* the outcome: the first step that failed or refused */
	enum gen_status status;
	char *failed_step;
	char *reason;
	char *detail;        /* the running step's, set by gen_say() */
};

/* A step is only its work; applies (NULL: always) leaves it out of a request it does not
 * concern. */
struct gen_step {
	const char *name;
	int (*run)(struct gen_ctx *c);
	bool (*applies)(const struct gen_ctx *c);
};

/* A file the patch touches, with its change points in the original's line numbers: 2*L
 * for a removed line L, 2*L+1 for lines inserted after line L. */
struct gen_file {
	char *path;
	bool created, deleted;
	unsigned *points;
	size_t n_points;
	size_t *hunks;          /* index in points of each hunk's first point */
	size_t n_hunks;
};

/* gen_pipeline.c */
/* How the running step ended, with its detail; returns st, for `return gen_say(...)`. */
int gen_say(struct gen_ctx *c, enum gen_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs the steps in order into c->steps and the outcome; -ECANCELED when one failed or
 * refused. gen_pipeline_run() runs the generator's own table. */
int gen_steps_run(struct gen_ctx *c, const struct gen_step *steps, size_t n);
int gen_pipeline_run(struct gen_ctx *c);

/* gen_util.c */
double gen_now(void);
const char *gen_status_string(enum gen_status st);
/* Runs argv in dir (NULL: here) with env additions (NAME=VALUE, NULL-terminated, may be
 * NULL); stdout and stderr together in *out (malloc'd, the last 4 MiB; may be NULL). With
 * progress, each line is also shown on one overwritten terminal line. Returns the exit
 * status (0-255, 128+signal) or a negative errno when it could not be run. */
int gen_run(const char *dir, char *const argv[], char *const env[], bool progress, char **out);
/* The last n lines of text, for a detail (malloc'd). */
char *gen_tail(const char *text, unsigned n);
int gen_write_file(const char *path, const char *text);
/* Appends an item (printf-style) to a list kept as one string, sep between items. */
int gen_list_append(char **list, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
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
/* Moves the points of each hunk that `patch` (its output: "Hunk #2 succeeded at 57 (offset
 * 3 lines).") applied elsewhere to where it applied. */
void gen_patch_offsets(const char *out, struct gen_file *files, size_t n);
/* Finds the struct/union bodies of a C file the points fall in: the first one's name. */
int gen_struct_at(const char *text, const unsigned *points, size_t n, char **name);
int gen_fix_from_source(struct gen_ctx *c);

/* gen_combine.c: step fix for several patches: one diff of them all, applied in order */
int gen_fix_combine(struct gen_ctx *c);

/* gen_git.c: the commit against its first parent, as a -p1 unified diff (malloc'd). */
int gen_fix_from_git(struct gen_ctx *c, const char *commit_hex, char **patch, char *err,
		     size_t errlen);
/* steps: the patch parsed and dry-run with patch -F0; source-level refusals */
int gen_apply(struct gen_ctx *c);
int gen_source_check(struct gen_ctx *c);

/* gen_module.c: the steps from objects to the module (and the external generators') */
int gen_build_original(struct gen_ctx *c);
int gen_build_patched(struct gen_ctx *c);
int gen_diff_objects(struct gen_ctx *c);
/* make -C TREE with the generator's compiler and flags, for targets; the output's tail in
 * *tail on failure (and all of it in *log when log is not NULL). */
int gen_make(struct gen_ctx *c, char *const *targets, size_t n, char **tail, char **log);
int gen_copy_file(const char *from, const char *to);
/* TREE/DIR/.BASE.cmd, kbuild's record of how it built object target (NULL: out of memory). */
char *gen_cmd_path(const struct gen_ctx *c, const char *target);
/* The command line of that record. */
int gen_cmd_line(const struct gen_ctx *c, const char *target, char **ret);
/* NULL-terminated string lists: add s unless there (1 added, 0 there, -ENOMEM); free. */
int gen_strv_add(char ***v, size_t *n, const char *s);
void gen_strv_free(char **v);
/* gen_modwide.c: a module's untraceable globals, carried: their callers in every object of
 * the module are patched (objects join c->objs). -ECANCELED with why: refused. */
int gen_module_wide(struct gen_ctx *c, char *why, size_t whylen);
int gen_extract(struct gen_ctx *c);
int gen_make_module(struct gen_ctx *c);
int gen_convert(struct gen_ctx *c);
int gen_external(struct gen_ctx *c);
void gen_objects_free(struct gen_ctx *c);

/* gen_modsyms.c: a changed static function of a module, among the module's symbols */
struct klp_symdb;
/* The module's symbols from its .ko in the registered modules directory. *db NULL and *why
 * set (malloc'd) when there is none to read; a negative errno (and *why) when it is broken. */
int gen_module_symdb(const struct gen_ctx *c, const char *objname, struct klp_symdb **db,
		     char **why);
/* Keeps the symbols of every patched module that has them with db (klp_symdb_add_module). */
int gen_module_attach(const struct gen_ctx *c, struct klp_symdb *db, char *why, size_t whylen);
/* old_sympos of function name of object obj (a module's): from mdb when there is one, else 0,
 * refused (-ECANCELED, why) when the objects built here show the name is ambiguous; missing
 * says why mdb is NULL. */
int gen_module_sympos(const struct gen_ctx *c, size_t obj, const char *name,
		      const struct klp_symdb *mdb, const char *missing,
		      const char *const *anchors, unsigned long *pos, char *why, size_t whylen);

/* gen_queue.c */
int gen_queue_add(struct db *db, const struct gen_ctx *c, const char *report);
int gen_queue_list(struct db *db, bool as_json);
void gen_notify(const struct gen_ctx *c, const char *command, const char *webhook,
		const char *report);
