/* SPDX-License-Identifier: GPL-2.0-only */
/* The archive with offline targets and bins (backend/archive/tuf_archive_delegate.c) driven
 * through its functions: every change made on the working view reaches the signed roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/tuf_archive.h"

struct fixture {
	char dir[64], archive[96], offline[96], module[96];
	struct archive_opts o;
};

static void setup_archive(struct fixture *f, unsigned bins)
{
	FILE *m;

	snprintf(f->dir, sizeof(f->dir), "/tmp/tuf-archive-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->archive, sizeof(f->archive), "%s/a", f->dir);
	snprintf(f->offline, sizeof(f->offline), "%s/off", f->dir);
	snprintf(f->module, sizeof(f->module), "%s/lp_one.ko", f->dir);
	m = fopen(f->module, "w");
	assert_non_null(m);
	fputs("\177ELF: a module", m);
	fclose(m);
	f->o = (struct archive_opts){ .dir = f->archive, .now = (int64_t)time(NULL),
				      .offline_targets = f->offline, .bins = bins };
	archive_default_expiry(&f->o.expiry);
	assert_int_equal(archive_init(&f->o, 1), 0);
	f->o.offline_targets = NULL; /* moved away: later steps run without it */
	f->o.bins = 0;
}

static void teardown_archive(struct fixture *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

static char *channels_of(const struct archive_opts *o, const char *patch_id)
{
	json_t *list = NULL;
	char *s;

	assert_int_equal(archive_patch_channels(o, patch_id, &list), 0);
	s = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return s;
}

/* promote changes a target's channels in place: the bin holding it must be signed again */
static void test_promote_reaches_the_bin(void **state)
{
	struct fixture f;
	struct publish_info p = { .kernel_release = "6.1.0-1-amd64", .channel = "canary",
				  .any_module = true };
	char *ch;

	for (unsigned bins = 0; bins <= 16; bins += 16) {
		setup_archive(&f, bins);
		f.o.offline_targets = bins ? NULL : f.offline;
		assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), 0);
		assert_int_equal(archive_promote(&f.o, "lp_one", "stable"), 0);
		ch = channels_of(&f.o, "lp_one");
		assert_string_equal(ch, "[\"canary\",\"stable\"]");
		free(ch);
		assert_int_equal(archive_promote(&f.o, "lp_one", "stable"), -EALREADY);
		{
			struct verify_report r;

			assert_int_equal(archive_verify(&f.o, &r), 0);
			assert_int_equal(r.targets, 1);
		}
		teardown_archive(&f);
	}
}

/* the second revocation changes the online role's list in place: it must be signed again */
static void test_second_revocation(void **state)
{
	struct fixture f;
	struct publish_info p = { .kernel_release = "6.1.0-1-amd64", .any_module = true };
	char path[160];
	json_t *doc;

	setup_archive(&f, 16);
	p.patch_id = "one";
	assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), 0);
	p.kernel_release = "6.1.0-2-amd64";
	p.patch_id = "two";
	assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), 0);
	assert_int_equal(archive_revoke(&f.o, "one"), 0);
	assert_int_equal(archive_revoke(&f.o, "two"), 0);
	assert_int_equal(archive_revoke(&f.o, "two"), -EALREADY);
	/* the latest online role lists both */
	for (int v = 9; v > 0; v--) {
		snprintf(path, sizeof(path), "%s/metadata/%d.online.json", f.archive, v);
		if (access(path, F_OK) == 0)
			break;
	}
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "signed"),
							 "x-tuxtape-revoked")), 2);
	json_decref(doc);
	teardown_archive(&f);
}

/* The "signed" part of metadata/NAME. */
static json_t *signed_of(const struct fixture *f, const char *name)
{
	char path[192];
	json_t *doc, *s;

	snprintf(path, sizeof(path), "%s/metadata/%s", f->archive, name);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	s = json_incref(json_object_get(doc, "signed"));
	json_decref(doc);
	return s;
}

/* The snapshot the timestamp names, and the online role that snapshot names. */
static void latest(const struct fixture *f, json_t **snapshot, json_t **online)
{
	json_t *ts = signed_of(f, "timestamp.json");
	char name[64];

	snprintf(name, sizeof(name), "%lld.snapshot.json", (long long)json_integer_value(
			 json_object_get(json_object_get(json_object_get(ts, "meta"), "snapshot.json"),
					 "version")));
	*snapshot = signed_of(f, name);
	snprintf(name, sizeof(name), "%lld.online.json", (long long)json_integer_value(
			 json_object_get(json_object_get(json_object_get(*snapshot, "meta"), "online.json"),
					 "version")));
	*online = signed_of(f, name);
	json_decref(ts);
}

/* 50 releases over 256 bins: each in a bin of its own (a fixed hash put two of these in one
 * bin, which doubled what their nodes download); the snapshot pins the bins by version alone
 * and the top-level targets by length and hash too. */
static void test_releases_spread_over_bins(void **state)
{
	struct fixture f;
	struct publish_info p = { .any_module = true };
	char release[32], patch[16];
	json_t *snapshot, *online, *v, *entry;
	const char *file;
	unsigned used = 0;
	size_t i;

	setup_archive(&f, 256);
	for (int r = 0; r < 50; r++) {
		snprintf(release, sizeof(release), "6.1.0-%d-amd64", r);
		snprintf(patch, sizeof(patch), "lp_%d", r);
		p.kernel_release = release;
		p.patch_id = patch;
		assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), 0);
	}
	latest(&f, &snapshot, &online);
	json_array_foreach(json_object_get(json_object_get(online, "delegations"), "roles"), i, v) {
		assert_true(json_array_size(json_object_get(v, "paths")) <= 1);
		used += json_array_size(json_object_get(v, "paths"));
	}
	assert_int_equal(used, 50);
	json_object_foreach(json_object_get(snapshot, "meta"), file, entry) {
		bool top = !strcmp(file, "targets.json");

		assert_true(json_is_integer(json_object_get(entry, "version")));
		assert_int_equal(json_object_size(entry), top ? 3 : 1);
	}
	{
		struct verify_report r;

		assert_int_equal(archive_verify(&f.o, &r), 0);
		assert_int_equal(r.targets, 50);
	}
	json_decref(snapshot);
	json_decref(online);
	teardown_archive(&f);
}

/* A release is written into its bin's path pattern: one holding a wildcard would claim other
 * releases' targets, and the release name check refuses it first. */
static void test_release_with_wildcard(void **state)
{
	static const char *const bad[] = { "6.1.0-*", "6.1.?", "6.1.[0-9]", "6.1\\x" };
	struct fixture f;
	struct publish_info p = { .any_module = true, .patch_id = "lp_w" };

	setup_archive(&f, 16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.kernel_release = bad[i];
		assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), -EINVAL);
	}
	p.kernel_release = "6.1.0-47-amd64";
	assert_int_equal(archive_publish(&f.o, f.module, &p, NULL), 0);
	teardown_archive(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_promote_reaches_the_bin),
		cmocka_unit_test(test_second_revocation),
		cmocka_unit_test(test_releases_spread_over_bins),
		cmocka_unit_test(test_release_with_wildcard),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
