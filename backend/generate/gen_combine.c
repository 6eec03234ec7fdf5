// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several fixes as one diff, for a cumulative livepatch: each fix is applied, in the order
 * given (the order the stable branch took them), on top of the ones before it, to copies of
 * the files they touch taken from the prepared tree; the result is diffed against the
 * kernel's own files. Two fixes of the same function thus become one change of that
 * function, and a fix that only applies after an earlier one works as it did upstream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "generate/generate.h"
#include "log.h"
#include "strset.h"
#include "util.h"

#define PATCH_FILE_MAX (64u << 20)

/* Copies tree/path to dir/path when the tree has it (a fix may create the file). */
static int copy_in(const char *tree, const char *dir, const char *path)
{
	_cleanup_free_ char *src = NULL, *dst = NULL, *data = NULL;
	size_t len;
	int k;

	if (asprintf(&src, "%s/%s", tree, path) < 0 || asprintf(&dst, "%s/%s", dir, path) < 0)
		return -ENOMEM;
	if (access(dst, F_OK) == 0)
		return 0;
	k = read_file_bounded(src, PATCH_FILE_MAX, &data, &len);
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k;
	*strrchr(dst, '/') = '\0';
	k = mkdir_p(dst, 0755);
	if (k < 0)
		return k;
	dst[strlen(dst)] = '/';
	return write_file_atomic(dst, data, len, 0644);
}

/* The fixes' union of files, copied twice: a/ stays the kernel's, b/ takes the fixes. */
static int stage(struct gen_ctx *c, const char *a, const char *b, struct gen_file **files,
		 size_t *n_files)
{
	for (size_t i = 0; i < c->req->n_patches; i++) {
		_cleanup_free_ char *text = NULL;
		struct gen_file *f = NULL;
		size_t len, nf = 0;
		char err[256];
		int k;

		k = read_file_bounded(c->req->patches[i], PATCH_FILE_MAX, &text, &len);
		if (k < 0)
			return gen_say(c, GEN_FAILED, "%s: %s", c->req->patches[i], strerror(-k));
		k = gen_patch_parse(text, &f, &nf, err, sizeof(err));
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			return gen_say(c, GEN_FAILED, "%s: %s", c->req->patches[i], err);
		for (size_t j = 0; j < nf && k >= 0; j++) {
			bool seen = false;

			for (size_t q = 0; q < *n_files; q++)
				seen = seen || streq((*files)[q].path, f[j].path);
			k = copy_in(c->tree, a, f[j].path);
			if (k >= 0)
				k = copy_in(c->tree, b, f[j].path);
			if (k >= 0 && !seen) {
				struct gen_file *g = realloc(*files, (*n_files + 1) * sizeof(*g));

				if (!g) {
					k = -ENOMEM;
					break;
				}
				*files = g;
				memset(&g[*n_files], 0, sizeof(*g));
				g[*n_files].path = strdup(f[j].path);
				k = g[*n_files].path ? 0 : -ENOMEM;
				(*n_files)++;
			}
		}
		gen_files_free(f, nf);
		if (k < 0)
			return gen_say(c, GEN_FAILED, "copying the files of %s: %s",
				       c->req->patches[i], strerror(-k));
	}
	return GEN_OK;
}

static bool section_start(const char *l)
{
	const char *nl = strchr(l, '\n');

	return startswith(l, "--- ") && nl && startswith(nl + 1, "+++ ");
}

/*
 * The fix's per-file sections that no earlier fix carried word for word, as one diff in
 * *ret (malloc'd, "" when nothing is left). A fix taken from a newer source is the whole
 * difference of its files between the two versions, so two CVEs naming one file carry the
 * same section: applying it twice would fail as "previously applied".
 */
static int new_sections(const char *text, struct strset *seen, char **ret, size_t *skipped)
{
	const char *l = text;
	char *out = strdup("");

	while (l && *l && !section_start(l))
		l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL;
	while (out && l && *l) {
		const char *end = strchr(strchr(l, '\n') + 1, '\n');
		struct strset_entry *e;
		int k;

		end = end ? end + 1 : l + strlen(l);
		while (*end && !section_start(end))
			end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
		k = strset_put(seen, l, (size_t)(end - l), &e);
		if (k < 0) {
			free(out);
			return k;
		}
		if (k == 0)
			(*skipped)++;
		else if (gen_list_append(&out, "", "%.*s", (int)(end - l), l) < 0)
			out = NULL;
		l = end;
	}
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}

int gen_fix_combine(struct gen_ctx *c)
{
	_cleanup_free_ char *dir = NULL, *a = NULL, *b = NULL, *diff = NULL;
	struct gen_file *files = NULL;
	struct strset seen = { 0 };
	size_t n_files = 0, dlen = 0, repeated = 0;
	int k;

	if (asprintf(&dir, "%s/combine", c->work) < 0 || asprintf(&a, "%s/a", dir) < 0 ||
	    asprintf(&b, "%s/b", dir) < 0 || asprintf(&c->patch_path, "%s/fix.patch", c->out) < 0)
		return -ENOMEM;
	if (mkdir_p(a, 0755) < 0 || mkdir_p(b, 0755) < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", dir, strerror(errno));
	k = stage(c, a, b, &files, &n_files);
	for (size_t i = 0; k == GEN_OK && i < c->req->n_patches; i++) {
		_cleanup_free_ char *out = NULL, *tail = NULL, *text = NULL, *todo = NULL,
				    *part = NULL;
		char *argv[] = { (char *)"patch", (char *)"-p1", (char *)"-N", (char *)"-F0",
				 (char *)"-s", (char *)"-d", b, (char *)"-i", NULL, NULL };
		size_t len;

		k = read_file_bounded(c->req->patches[i], PATCH_FILE_MAX, &text, &len);
		if (k < 0) {
			k = gen_say(c, GEN_FAILED, "%s: %s", c->req->patches[i], strerror(-k));
			break;
		}
		k = new_sections(text, &seen, &todo, &repeated);
		if (k < 0)
			break;
		k = GEN_OK;
		if (!*todo)
			continue;
		/* written out: patch -d changes directory */
		if (asprintf(&part, "%s/%03zu.patch", dir, i + 1) < 0) {
			k = -ENOMEM;
			break;
		}
		k = gen_write_file(part, todo);
		if (k < 0)
			break;
		argv[8] = part;
		k = gen_run(NULL, argv, NULL, false, &out);
		if (k < 0)
			break;
		tail = gen_tail(out, 3);
		k = k == 0 ? GEN_OK :
			gen_say(c, GEN_FAILED, "fix %zu of %zu (%s) does not apply on top of the "
				"ones before it: %s", i + 1, c->req->n_patches,
				c->req->patches[i], tail);
	}
	strset_free(&seen);
	for (size_t i = 0; k == GEN_OK && i < n_files; i++) {
		_cleanup_free_ char *pa = NULL, *pb = NULL, *la = NULL, *lb = NULL, *out = NULL;

		if (asprintf(&pa, "%s/%s", a, files[i].path) < 0 ||
		    asprintf(&pb, "%s/%s", b, files[i].path) < 0 ||
		    asprintf(&la, "a/%s", files[i].path) < 0 ||
		    asprintf(&lb, "b/%s", files[i].path) < 0) {
			k = -ENOMEM;
			break;
		}
		char *argv[] = { (char *)"diff", (char *)"-uN", (char *)"--label", la,
				 (char *)"--label", lb, pa, pb, NULL };
		k = gen_run(NULL, argv, NULL, false, &out);
		if (k == 0) {
			k = GEN_OK;
			continue;
		}
		if (k != 1) {
			k = gen_say(c, GEN_FAILED, "diff of %s failed (exit %d)", files[i].path, k);
			break;
		}
		k = gen_list_append(&diff, "", "%s", out);
		if (k >= 0)
			k = GEN_OK;
		dlen += strlen(out);
	}
	gen_files_free(files, n_files);
	if (k != GEN_OK)
		return k;
	if (!dlen)
		return gen_say(c, GEN_REFUSED, "the %zu fixes together change nothing",
			       c->req->n_patches);
	k = gen_write_file(c->patch_path, diff);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->patch_path, strerror(-k));
	return gen_say(c, GEN_OK, "%zu fixes applied in order, one diff of %zu file(s)%s",
		       c->req->n_patches, n_files, repeated ? " (file changes an earlier fix "
		       "carried word for word were applied once)" : "");
}
