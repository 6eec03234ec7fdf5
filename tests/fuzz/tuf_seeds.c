/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes seed metadata for the TUF targets into DIR: root (two versions), timestamp,
 * snapshot and targets documents shaped as the archive writes them (backend/archive), signed
 * by the fixture's keys so that they pass every check, each compact and indented.
 * Usage: tuf_seeds DIR
 */
#include <errno.h>
#include <stdio.h>

#include "tuf_fixture.h"

static int write_doc(const char *dir, const char *name, const struct fixture *f, json_t *signed_obj)
{
	json_t *env = fixture_sign(f, signed_obj);
	static const size_t flags[] = { JSON_COMPACT, JSON_INDENT(1) | JSON_SORT_KEYS };

	for (size_t i = 0; i < 2; i++) {
		char path[4096];
		FILE *out;

		snprintf(path, sizeof(path), "%s/%s%s.json", dir, name, i ? "-indented" : "");
		out = fopen(path, "we");
		if (!out || json_dumpf(env, out, flags[i]) < 0 || fclose(out) != 0) {
			fprintf(stderr, "tuf_seeds: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	json_decref(env);
	json_decref(signed_obj);
	return 0;
}

static json_t *target(const char *release, const char *patch, int version)
{
	char sha256[65], sha512[129];

	memset(sha256, 'a' + version % 6, 64);
	sha256[64] = '\0';
	memset(sha512, '0' + version % 10, 128);
	sha512[128] = '\0';
	return json_pack("{s:I, s:{s:s, s:s}, s:{s:s, s:s, s:[s,s], s:s, s:I, s:s, s:[], s:s}}",
			 "length", (json_int_t)(1000 * version + 17), "hashes", "sha256", sha256,
			 "sha512", sha512, "custom", "kernel_release", release, "build_id",
			 "0123456789abcdef0123456789abcdef01234567", "cves", "CVE-2024-26581",
			 "CVE-2023-52340", "patch_id", patch, "patch_version", (json_int_t)version,
			 "channel", "stable", "replaces", "published", "2025-01-02T03:04:05Z");
}

static json_t *role_signed(const char *type, int version)
{
	return json_pack("{s:s, s:s, s:i, s:s}", "_type", type, "spec_version", "1.0.31", "version",
			 version, "expires", "2100-01-01T00:00:00Z");
}

int main(int argc, char **argv)
{
	struct fixture f;
	json_t *ts, *snap, *targets;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tuf_seeds DIR\n");
		return 2;
	}
	fixture_init(&f);
	ts = role_signed("timestamp", 7);
	json_object_set_new(ts, "meta", json_pack("{s:{s:i, s:i, s:{s:s}}}", "snapshot.json",
						  "version", 7, "length", 512, "hashes", "sha256",
						  "5f2b7e0c7f0e4b1f8e2a9d1c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382"));
	snap = role_signed("snapshot", 7);
	json_object_set_new(snap, "meta", json_pack("{s:{s:i}}", "targets.json", "version", 3));
	targets = role_signed("targets", 3);
	json_object_set_new(targets, "targets", json_pack("{s:o, s:o, s:o}",
		"tuxtape/6.1.0-13-amd64/livepatch-cve-2024-26581.ko",
		target("6.1.0-13-amd64", "lp-cve-2024-26581", 1),
		"tuxtape/6.1.0-13-amd64/livepatch-cve-2023-52340.ko",
		target("6.1.0-13-amd64", "lp-cve-2023-52340", 2),
		"tuxtape/6.1.0-18-amd64/livepatch-cve-2024-26581.ko",
		target("6.1.0-18-amd64", "lp-cve-2024-26581", 3)));
	if (!ts || !snap || !targets)
		fixture_die("the role documents");
	bad |= write_doc(argv[1], "root", &f, fixture_root_signed(&f, 1));
	bad |= write_doc(argv[1], "2.root", &f, fixture_root_signed(&f, 2));
	bad |= write_doc(argv[1], "timestamp", &f, ts);
	bad |= write_doc(argv[1], "snapshot", &f, snap);
	bad |= write_doc(argv[1], "targets", &f, targets);
	fixture_free(&f);
	return bad;
}
