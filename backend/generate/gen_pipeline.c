/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generator's steps, as a table one runner walks. A step is only its work: it says how
 * it ended with gen_say() (or returns a negative errno, which fails it), and the runner
 * times it, shows progress, records it in the report and decides the outcome: the first step
 * that fails or refuses stops the pipeline, and every later step is reported "not reached".
 * Steps that do not apply to the request (the built-in differ's steps when an external
 * generator is used) are left out of the report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "generate.h"
#include "util.h"
#include "vet/vet.h"

#define PATCH_FILE_MAX (64u << 20)

int gen_say(struct gen_ctx *c, enum gen_status st, const char *fmt, ...)
{
	char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	free(c->detail);
	c->detail = detail;
	return (int)st;
}

static int step_inputs(struct gen_ctx *c)
{
	/* Debian's linux-image ships a one-line System.map: with it every local symbol would be
	 * "not found" at the module step, far from the cause */
	int k = symmap_is_placeholder(c->k.system_map);

	if (k < 0)
		return gen_say(c, GEN_FAILED, "System.map %s: %s", c->k.system_map, strerror(-k));
	if (k > 0)
		return gen_say(c, GEN_FAILED, "System.map %s is a placeholder (no symbols; Debian ships "
			       "the real one in linux-image-%s-dbg): register the kernel with kernel "
			       "add --package (and --dbg-package, or its symbols are read from one "
			       "boot) or give --system-map with the real map", c->k.system_map,
			       c->k.release ? c->k.release : "RELEASE");
	return gen_say(c, GEN_OK, "kernel %s %s (%s): source %s, headers %s, System.map %s",
		       c->k.name, c->k.version, c->k.release ? c->k.release : "no release",
		       c->k.source, c->k.headers, c->k.system_map);
}

/* The fix: a CVE's, taken from a newer source of its branch; or the given diff, copied
 * into the output directory so the report's run can be repeated. */
static int step_fix(struct gen_ctx *c)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int k;

	if (c->req->cve)
		return gen_fix_from_source(c);
	if (c->req->n_patches > 1)
		return gen_fix_combine(c);
	if (asprintf(&c->patch_path, "%s/fix.patch", c->out) < 0)
		return -ENOMEM;
	k = read_file_bounded(c->req->patch, PATCH_FILE_MAX, &text, &len);
	if (k >= 0)
		k = write_file_atomic(c->patch_path, text, len, 0644);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->req->patch, strerror(-k));
	return gen_say(c, GEN_SKIPPED, "a patch was given");
}

static int step_vet(struct gen_ctx *c)
{
	_cleanup_free_ char *cmd = NULL, *out = NULL, *tail = NULL;
	int k;

	if (!c->req->vet_command)
		return gen_say(c, GEN_SKIPPED, "no kernel image to boot (no --vet-command)");
	if (asprintf(&cmd, "%s \"$@\"", c->req->vet_command) < 0)
		return -ENOMEM;
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd, (char *)"sh", c->ko,
			 (char *)c->req->vet_check, NULL };
	k = gen_run(NULL, argv, NULL, false, &out);
	tail = gen_tail(out, 15);
	if (k != 0)
		return gen_say(c, GEN_FAILED, "%s exited %d: %s", c->req->vet_command, k, tail);
	return gen_say(c, GEN_OK, "%s", tail);
}

static bool builtin(const struct gen_ctx *c)
{
	return c->req->tool == GEN_BUILTIN;
}

static bool kpatch(const struct gen_ctx *c)
{
	return c->req->tool == GEN_KPATCH_BUILD;
}

static bool klp_build(const struct gen_ctx *c)
{
	return c->req->tool == GEN_KLP_BUILD;
}

static const struct gen_step generate_steps[] = {
	{ "inputs", step_inputs, NULL },
	{ "compiler", gen_compiler_check, NULL },
	{ "cache", gen_cache_prepare, NULL },
	{ "fix", step_fix, NULL },
	{ "apply", gen_apply, NULL },
	{ "source-check", gen_source_check, NULL },
	{ "build-original", gen_build_original, builtin },
	{ "build-patched", gen_build_patched, builtin },
	{ "diff", gen_diff_objects, builtin },
	{ "extract", gen_extract, builtin },
	{ "module", gen_make_module, builtin },
	{ "convert", gen_convert, builtin },
	{ "kpatch-build", gen_external, kpatch },
	{ "klp-build", gen_external, klp_build },
	{ "vet", step_vet, NULL },
};

static void record(struct gen_ctx *c, const char *name, enum gen_status st, double secs)
{
	const char *detail = strempty(c->detail);

	json_array_append_new(c->steps, json_pack("{s:s, s:s, s:f, s:s}", "name", name,
						  "status", gen_status_string(st), "seconds",
						  (double)(long)(secs * 100) / 100, "detail", detail));
	if (c->req->progress)
		fprintf(stderr, "generate: %s: %s (%.1f s)%s%s\n", name, gen_status_string(st),
			secs, *detail ? ": " : "", detail);
	if ((st == GEN_FAILED || st == GEN_REFUSED) && c->status == GEN_OK) {
		c->status = st;
		c->failed_step = strdup(name);
		c->reason = strdup(detail);
	}
}

int gen_steps_run(struct gen_ctx *c, const struct gen_step *steps, size_t n)
{
	bool stopped = false;

	for (size_t i = 0; i < n; i++) {
		const struct gen_step *s = &steps[i];
		double t0;
		int k;

		if (s->applies && !s->applies(c))
			continue;
		if (stopped) {
			gen_say(c, GEN_SKIPPED, "not reached");
			record(c, s->name, GEN_SKIPPED, 0);
			continue;
		}
		if (c->req->progress)
			fprintf(stderr, "generate: %s...\n", s->name);
		t0 = gen_now();
		free(c->detail);
		c->detail = NULL;
		k = s->run(c);
		if (k < 0)
			k = gen_say(c, GEN_FAILED, "%s", strerror(-k));
		record(c, s->name, (enum gen_status)k, gen_now() - t0);
		stopped = k == GEN_FAILED || k == GEN_REFUSED;
	}
	return stopped ? -ECANCELED : 0;
}

int gen_pipeline_run(struct gen_ctx *c)
{
	return gen_steps_run(c, generate_steps, ELEMENTSOF(generate_steps));
}
