/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fix of a CVE from a Linux git repository (libgit2): the branch's fix commit, as the
 * scanner recorded it for the kernel's stable line, diffed against its first parent into a
 * unified diff (-p1), the same form as --patch. Used when `generate --cve` is given
 * --linux-git DIR (a clone of linux-stable, or any repository holding that commit).
 */
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "util.h"

int gen_fix_from_git(struct gen_ctx *c, const char *commit_hex, char **patch, char *err,
		     size_t errlen)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL, *parent = NULL;
	git_tree *new_tree = NULL, *old_tree = NULL;
	git_diff *diff = NULL;
	git_buf buf = { 0 };
	git_oid oid;
	const git_error *e;
	int k = 0;

	*patch = NULL;
	if (git_repository_open_ext(&repo, c->req->linux_git, 0, NULL) < 0) {
		k = -ENOENT;
		goto out;
	}
	if (git_oid_fromstrn(&oid, commit_hex, strlen(commit_hex)) < 0 ||
	    git_commit_lookup_prefix(&commit, repo, &oid, strlen(commit_hex)) < 0) {
		k = -ESRCH;
		goto out;
	}
	if (git_commit_parentcount(commit) < 1 || git_commit_parent(&parent, commit, 0) < 0 ||
	    git_commit_tree(&new_tree, commit) < 0 || git_commit_tree(&old_tree, parent) < 0 ||
	    git_diff_tree_to_tree(&diff, repo, old_tree, new_tree, NULL) < 0 ||
	    git_diff_to_buf(&buf, diff, GIT_DIFF_FORMAT_PATCH) < 0) {
		k = -EIO;
		goto out;
	}
	*patch = strndup(buf.ptr, buf.size);
	if (!*patch)
		k = -ENOMEM;
out:
	if (k < 0 && k != -ENOMEM) {
		e = git_error_last();
		snprintf(err, errlen, "%s: %s", c->req->linux_git,
			 k == -ESRCH ? "the fix commit is not in this repository" :
			 e && e->message ? e->message : "not a git repository");
	}
	git_buf_dispose(&buf);
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	git_commit_free(parent);
	git_commit_free(commit);
	git_repository_free(repo);
	return k;
}
