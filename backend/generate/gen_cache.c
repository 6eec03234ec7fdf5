/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generator's work cache: one prepared kernel tree per (source, .config, compiler),
 * CACHE/KEY/tree, unpacked once, `make olddefconfig` and `make prepare modules_prepare` run
 * once (stamp CACHE/KEY/prepared), then reused. Patched builds happen in that same tree:
 * the patch is applied, the touched objects rebuilt and copied out, and the patch reversed.
 * Why in place rather than a copy: a copy of a prepared 6.1 tree is 1.3 GB and ~10 s of I/O
 * per run; a patch touches a few files. Safety comes from three rules: a lock
 * (CACHE/KEY.lock, flock) held for the whole run, so two generators never share the tree; the
 * patch is saved as CACHE/KEY/applied.patch before it is applied and removed only after it
 * was reversed, so a run killed half-way is repaired by the next one (or the tree is thrown
 * away and made again when reversing fails); and the reversal runs on every path out of the
 * build (cmd_generate.c calls gen_cache_revert() unconditionally).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "generate.h"
#include "log.h"
#include "util.h"

/* The value of a CONFIG_ string option, unquoted (malloc'd), or NULL. */
static char *config_string(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *v, *e;

		if (strncmp(l, key, klen) != 0 || l[klen] != '=')
			continue;
		v = l + klen + 1;
		e = v + strcspn(v, "\n");
		if (*v == '"' && e > v + 1 && e[-1] == '"')
			return strndup(v + 1, (size_t)(e - v - 2));
		return strndup(v, (size_t)(e - v));
	}
	return NULL;
}

int gen_compiler_check(struct gen_ctx *c)
{
	_cleanup_free_ char *want = NULL, *out = NULL, *prog = NULL;
	char *argv[3];
	size_t n;
	int k;

	want = config_string(c->k.config_text, "CONFIG_CC_VERSION_TEXT");
	if (!want)
		return gen_say(c, GEN_FAILED, "the kernel's .config has no "
			       "CONFIG_CC_VERSION_TEXT: cannot tell which compiler built it");
	/* Debian builds with CC=gcc-12, and the text starts with the program's name */
	prog = strndup(want, strcspn(want, " "));
	if (!prog)
		return -ENOMEM;
	c->cc = strdup(gen_which(prog) ? prog : "gcc");
	if (!c->cc)
		return -ENOMEM;
	argv[0] = c->cc, argv[1] = (char *)"--version", argv[2] = NULL;
	k = gen_run(NULL, argv, NULL, false, &out);
	if (k != 0)
		return gen_say(c, GEN_FAILED, "%s --version failed (exit %d): the compiler "
			       "that built the kernel is \"%s\"", c->cc, k, want);
	n = strcspn(out, "\n");
	out[n] = '\0';
	if (!streq(out, want))
		return gen_say(c, GEN_REFUSED, "compiler mismatch: the kernel was built with "
			       "\"%s\" but %s is \"%s\"", want, c->cc, out);
	return gen_say(c, GEN_OK, "%s", out);
}

/* The cache key: the source's identity (path, size, mtime: hashing 140 MB on every run
 * would cost more than it saves), the .config's bytes, the compiler. */
static int cache_key(struct gen_ctx *c, char key[17])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	char ident[4200];
	struct stat st;

	if (!md)
		return -ENOMEM;
	if (stat(c->k.source, &st) < 0) {
		EVP_MD_CTX_free(md);
		return log_error_errno(errno, "%s: %m", c->k.source);
	}
	snprintf(ident, sizeof(ident), "source=%s\nsize=%lld\nmtime=%lld\ncc=%s\n", c->k.source,
		 (long long)st.st_size, (long long)st.st_mtime, c->cc);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, ident, strlen(ident));
	EVP_DigestUpdate(md, c->k.config_text, c->k.config_len);
	EVP_DigestFinal_ex(md, h, &hl);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < 8; i++)
		snprintf(key + 2 * i, 3, "%02x", h[i]);
	return 0;
}

static int run_logged(struct gen_ctx *c, const char *dir, char *const argv[], char **tail)
{
	_cleanup_free_ char *out = NULL;
	int k = gen_run(dir, argv, NULL, c->req->progress, &out);

	if (k != 0 && tail)
		*tail = gen_tail(out, 12);
	return k;
}

static int rm_rf(const char *path)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", (char *)"--", (char *)path, NULL };

	return gen_run(NULL, argv, NULL, false, NULL) == 0 ? 0 : -EIO;
}

/* Unpacks a tarball's single top directory (or copies a directory) to DIR/tree. */
static int unpack_tree(struct gen_ctx *c, const char *source, const char *dir, const char *tree,
		       char **why)
{
	_cleanup_free_ char *tmp = NULL, *top = NULL, *cfg = NULL;
	struct stat st;
	int k;

	if (asprintf(&tmp, "%s/tree.tmp", dir) < 0)
		return -ENOMEM;
	rm_rf(tmp);
	rm_rf(tree);
	k = mkdir_p(tmp, 0755);
	if (k < 0)
		return log_error_errno(k, "%s: %m", tmp);
	if (stat(source, &st) == 0 && S_ISDIR(st.st_mode)) {
		_cleanup_free_ char *from = NULL;

		if (asprintf(&from, "%s/.", source) < 0)
			return -ENOMEM;
		char *argv[] = { (char *)"cp", (char *)"-a", (char *)"--reflink=auto", from, tmp,
				 NULL };
		k = run_logged(c, NULL, argv, why);
		if (asprintf(&top, "%s", tmp) < 0)
			return -ENOMEM;
	} else {
		char *argv[] = { (char *)"tar", (char *)"-xf", (char *)source, (char *)"-C", tmp, NULL };
		_cleanup_free_ char *out = NULL;

		k = run_logged(c, NULL, argv, why);
		if (k == 0) {
			/* the single directory the tarball holds (linux-source-6.1/) */
			char *ls[] = { (char *)"ls", tmp, NULL };

			k = gen_run(NULL, ls, NULL, false, &out);
			out[strcspn(out, "\n")] = '\0';
			if (k != 0 || !*out || asprintf(&top, "%s/%s", tmp, out) < 0)
				k = -EIO;
		}
	}
	if (k != 0)
		return k < 0 ? k : -EIO;
	if (asprintf(&cfg, "%s/Makefile", top) < 0)
		return -ENOMEM;
	if (access(cfg, F_OK) < 0) {
		*why = strdup("no top-level Makefile in the kernel source");
		return -ENOENT;
	}
	if (rename(top, (char *)tree) < 0)
		return log_error_errno(errno, "%s: %m", (char *)tree);
	rm_rf(tmp);
	return 0;
}

static int prepare_tree(struct gen_ctx *c, char **why)
{
	_cleanup_free_ char *cfg = NULL, *ccarg = NULL, *jobs = NULL;
	int k;

	if (asprintf(&cfg, "%s/.config", c->tree) < 0 || asprintf(&ccarg, "CC=%s", c->cc) < 0 ||
	    asprintf(&jobs, "-j%u", c->req->jobs) < 0)
		return -ENOMEM;
	k = write_file_atomic(cfg, c->k.config_text, c->k.config_len, 0644);
	if (k < 0)
		return log_error_errno(k, "%s: %m", cfg);
	char *olddef[] = { (char *)"make", (char *)"-s", (char *)"-C", c->tree, ccarg,
			   (char *)"olddefconfig", NULL };
	k = run_logged(c, NULL, olddef, why);
	if (k == 0) {
		char *prep[] = { (char *)"make", (char *)"-C", c->tree, ccarg, jobs,
				 (char *)"prepare", (char *)"modules_prepare", NULL };
		k = run_logged(c, NULL, prep, why);
	}
	return k == 0 ? 0 : k < 0 ? k : -EIO;
}

/* A run killed while the tree was patched left applied.patch: reverse it. */
static int repair(struct gen_ctx *c, bool *ok)
{
	_cleanup_free_ char *marker = NULL;

	*ok = true;
	if (asprintf(&marker, "%s/applied.patch", c->cache_dir) < 0)
		return -ENOMEM;
	if (access(marker, F_OK) < 0)
		return 0;
	char *argv[] = { (char *)"patch", (char *)"-p1", (char *)"-R", (char *)"-F0", (char *)"-s",
			 (char *)"-d", c->tree, (char *)"-i", marker, NULL };
	if (gen_run(NULL, argv, NULL, false, NULL) != 0) {
		log_warning("%s: a patch left applied by an interrupted run does not reverse; "
			    "making the tree again", c->tree);
		*ok = false;
	}
	unlink(marker);
	return 0;
}

int gen_cache_prepare(struct gen_ctx *c)
{
	_cleanup_free_ char *lock = NULL, *stamp = NULL, *why = NULL, *root = NULL;
	char key[17];
	bool ok;
	int k;

	k = cache_key(c, key);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", c->k.source, strerror(-k));
	k = mkdir_p(c->req->cache, 0755);
	root = k < 0 ? NULL : realpath(c->req->cache, NULL);
	if (!root)
		return gen_say(c, GEN_FAILED, "cannot create the cache %s: %s", c->req->cache,
			       strerror(k < 0 ? -k : errno));
	if (asprintf(&c->cache_dir, "%s/%s", root, key) < 0 ||
	    asprintf(&c->tree, "%s/tree", c->cache_dir) < 0 ||
	    asprintf(&lock, "%s.lock", c->cache_dir) < 0 ||
	    asprintf(&stamp, "%s/prepared", c->cache_dir) < 0)
		return -ENOMEM;
	k = mkdir_p(c->cache_dir, 0755);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "cannot create the cache %s: %s", c->cache_dir,
			       strerror(-k));
	c->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (c->lock_fd < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", lock, strerror(errno));
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (c->req->progress)
			fprintf(stderr, "generate: waiting for another generator (%s)\n", lock);
		if (flock(c->lock_fd, LOCK_EX) < 0)
			return gen_say(c, GEN_FAILED, "%s: %s", lock, strerror(errno));
	}
	if (access(stamp, F_OK) == 0) {
		repair(c, &ok);
		if (ok)
			return gen_say(c, GEN_OK, "warm: %s", c->tree);
		unlink(stamp);
	}
	k = unpack_tree(c, c->k.source, c->cache_dir, c->tree, &why);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "cannot unpack %s into the cache: %s",
			       c->k.source, why ? why : strerror(-k));
	k = prepare_tree(c, &why);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "make prepare in %s failed: %s", c->tree,
			       why ? why : strerror(-k));
	k = gen_write_file(stamp, c->k.source);
	if (k < 0)
		return gen_say(c, GEN_FAILED, "%s: %s", stamp, strerror(-k));
	return gen_say(c, GEN_OK, "cold: unpacked %s and prepared %s", c->k.source, c->tree);
}

int gen_cache_apply(struct gen_ctx *c)
{
	_cleanup_free_ char *marker = NULL, *text = NULL, *out = NULL;
	size_t len;
	int k;

	if (asprintf(&marker, "%s/applied.patch", c->cache_dir) < 0)
		return -ENOMEM;
	k = read_file_bounded(c->patch_path, 64u << 20, &text, &len);
	if (k >= 0)
		k = write_file_atomic(marker, text, len, 0644);
	if (k < 0)
		return log_error_errno(k, "%s: %m", marker);
	char *argv[] = { (char *)"patch", (char *)"-p1", (char *)"-N", (char *)"-F0", (char *)"-s",
			 (char *)"-d", c->tree, (char *)"-i", marker, NULL };
	k = gen_run(NULL, argv, NULL, false, &out);
	if (k != 0) {
		_cleanup_free_ char *tail = gen_tail(out, 4);

		/* whatever went in must come out: the marker makes the revert do it */
		return log_error_errno(EIO, "applying the patch to %s failed: %s", c->tree, tail);
	}
	return 0;
}

void gen_cache_revert(struct gen_ctx *c)
{
	_cleanup_free_ char *marker = NULL, *stamp = NULL;
	bool ok;

	if (!c->cache_dir || asprintf(&marker, "%s/applied.patch", c->cache_dir) < 0 ||
	    asprintf(&stamp, "%s/prepared", c->cache_dir) < 0)
		return;
	repair(c, &ok);
	if (!ok) {
		/* the next run makes a new tree rather than build from a corrupt one */
		unlink(stamp);
		log_error("%s: reversing the patch failed; the cached tree will be made again",
			  c->tree);
	}
}

void gen_cache_release(struct gen_ctx *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

int gen_cache_source(struct gen_ctx *c, const char *tarball, char **tree)
{
	_cleanup_free_ char *dir = NULL, *lock = NULL, *stamp = NULL, *why = NULL;
	_cleanup_close_ int fd = -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	char ident[4200], key[17];
	struct stat st;
	int k;

	/* a newer source is used for many CVEs: unpacked once (a member of a .tar.xz costs a
	 * whole decompression, 13 s for Debian's), under the lock, next to the kernel trees */
	if (!md)
		return -ENOMEM;
	if (stat(tarball, &st) < 0) {
		EVP_MD_CTX_free(md);
		return -errno;
	}
	snprintf(ident, sizeof(ident), "fix-source=%s\nsize=%lld\nmtime=%lld\n", tarball,
		 (long long)st.st_size, (long long)st.st_mtime);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, ident, strlen(ident));
	EVP_DigestFinal_ex(md, h, &hl);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < 8; i++)
		snprintf(key + 2 * i, 3, "%02x", h[i]);
	/* beside the kernel trees: CACHE/source-KEY */
	{
		_cleanup_free_ char *root = strdup(c->cache_dir);

		if (!root)
			return -ENOMEM;
		*strrchr(root, '/') = '\0';
		if (asprintf(&dir, "%s/source-%s", root, key) < 0)
			return -ENOMEM;
	}
	if (asprintf(&lock, "%s.lock", dir) < 0 || asprintf(&stamp, "%s/unpacked", dir) < 0 ||
	    asprintf(tree, "%s/tree", dir) < 0)
		return -ENOMEM;
	k = mkdir_p(dir, 0755);
	if (k < 0)
		return k;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return -errno;
	if (access(stamp, F_OK) == 0)
		return 0;
	k = unpack_tree(c, tarball, dir, *tree, &why);
	if (k < 0) {
		log_error("%s: cannot unpack: %s", tarball, why ? why : strerror(-k));
		return k;
	}
	return gen_write_file(stamp, tarball);
}
