/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attribution of kernel reports to livepatches, on real layouts: Debian 6.1's own WARN and
 * Oops from livepatches on the real-kernel bench (tests/unit/data, captured from the VM), and
 * distro reports from the shared klogs corpus when it is there. Which module counts as a
 * livepatch is the test's choice, so each layout is asked every question.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fileio.h"
#include "klog/kblame.h"
#include "klog/kmsg.h"
#include "klog/kreport.h"

struct seen {
	const char *const *livepatches;    /* NULL-terminated */
	const char *const *replaced;       /* pairs: function, module; NULL-terminated */
	struct kblame blame[8];
	char titles[8][256];
	enum kreport_type types[8];
	size_t n;
};

static bool is_lp(const char *module, void *userdata)
{
	struct seen *s = userdata;

	for (const char *const *p = s->livepatches; p && *p; p++)
		if (!strcmp(*p, module))
			return true;
	return false;
}

static bool replaced(const char *function, char module[64], void *userdata)
{
	struct seen *s = userdata;

	for (const char *const *p = s->replaced; p && *p; p += 2)
		if (!strcmp(p[0], function)) {
			snprintf(module, 64, "%s", p[1]);
			return true;
		}
	return false;
}

static void on_report(const struct kreport *r, void *userdata)
{
	struct seen *s = userdata;

	if (r->type == KREPORT_LIVEPATCH || s->n >= 8)
		return;
	kblame_report(r, is_lp, s->replaced ? replaced : NULL, s, &s->blame[s->n]);
	snprintf(s->titles[s->n], sizeof(s->titles[0]), "%s", r->title);
	s->types[s->n] = r->type;
	s->n++;
}

static char *top_path(const char *rel)
{
	static char buf[2 * PATH_MAX + 2];
	const char *top = getenv("TUXTAPE_TOP");
	char exe[PATH_MAX];
	ssize_t n;

	if (!top) {
		/* TOP/BUILD/tests/unit/test_kblame */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		assert_true(n > 0);
		exe[n] = '\0';
		for (int i = 0; i < 4; i++)
			*strrchr(exe, '/') = '\0';
		top = exe;
	}
	snprintf(buf, sizeof(buf), "%s/%s", top, rel);
	return buf;
}

/* Parses a log file (after an optional in-place edit) and fills s. */
static int analyze(const char *rel, const char *from, const char *to, struct seen *s)
{
	char *text = NULL, *edited = NULL;
	struct kparser *p;
	size_t len;
	int r;

	r = read_file_bounded(top_path(rel), 4 << 20, &text, &len);
	if (r < 0)
		return r;
	if (from) {
		char *at = strstr(text, from);

		assert_non_null(at);
		assert_true(asprintf(&edited, "%.*s%s%s", (int)(at - text), text, to,
				     at + strlen(from)) > 0);
		free(text);
		text = edited;
		len = strlen(text);
	}
	assert_int_equal(kparser_new(on_report, s, &p), 0);
	kparser_feed_text(p, text, len);
	kparser_flush(p);
	kparser_free(p);
	free(text);
	return 0;
}

#define DEB_WARN "tests/unit/data/deb61-warn-in-livepatch.log"
#define DEB_OOPS "tests/unit/data/deb61-oops-in-livepatch.log"

static void test_warn_site_in_livepatch(void **state)
{
	const char *lp[] = { "tt_lp_warns", NULL };
	struct seen s = { .livepatches = lp };

	assert_int_equal(analyze(DEB_WARN, NULL, NULL, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], KREPORT_WARN);
	assert_string_equal(s.titles[0], "WARNING in tt_warns_version_show");
	assert_int_equal(s.blame[0].strength, KBLAME_STRONG);
	assert_string_equal(s.blame[0].module, "tt_lp_warns");
	assert_non_null(strstr(s.blame[0].why, "tt_warns_version_show"));
}

static void test_oops_rip_in_livepatch(void **state)
{
	const char *lp[] = { "tt_lp_good", "tt_lp_oopses", NULL };
	struct seen s = { .livepatches = lp };

	assert_int_equal(analyze(DEB_OOPS, NULL, NULL, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.types[0], KREPORT_PAGE_FAULT);
	assert_int_equal(s.blame[0].strength, KBLAME_STRONG);
	assert_string_equal(s.blame[0].module, "tt_lp_oopses");
	assert_non_null(strstr(s.blame[0].why, "RIP"));
}

/* The same WARN with another livepatch loaded and tt_lp_warns an ordinary module. */
static void test_unrelated_warn(void **state)
{
	const char *lp[] = { "tt_lp_good", NULL };
	struct seen s = { .livepatches = lp };

	assert_int_equal(analyze(DEB_WARN, NULL, NULL, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.blame[0].strength, KBLAME_NONE);
}

/* A livepatch only in a "? " frame (stale stack contents) is no evidence at all. */
static void test_unreliable_frame_only(void **state)
{
	const char *lp[] = { "tt_lp_good", NULL };
	struct seen s = { .livepatches = lp };

	assert_int_equal(analyze(DEB_WARN, "? aa_file_perm+0x11f/0x4e0",
				 "? tt_good_cmdline_show+0x11/0x40 [tt_lp_good]", &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.blame[0].strength, KBLAME_NONE);
}

/* The RIP in built-in code, a livepatch as the first reliable frame: strong. */
static void test_first_reliable_frame(void **state)
{
	const char *lp[] = { "tt_lp_good", NULL };
	struct seen s = { .livepatches = lp };

	assert_int_equal(analyze(DEB_OOPS, "[tt_lp_oopses]", "", &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.blame[0].strength, KBLAME_NONE);
	s.n = 0;
	assert_int_equal(analyze(DEB_WARN, " seq_read_iter+0x122/0x450",
				 " tt_good_cmdline_show+0x22/0x40 [tt_lp_good]", &s), 0);
	/* the RIP is tt_lp_warns (not a livepatch here); the first reliable frame is */
	assert_int_equal(s.blame[0].strength, KBLAME_STRONG);
	assert_string_equal(s.blame[0].module, "tt_lp_good");
	assert_non_null(strstr(s.blame[0].why, "first reliable frame"));
}

/* A livepatch deeper in a real trace: a suspect, not proof. */
static void test_later_frame_is_weak(void **state)
{
	const char *lp[] = { "drm", NULL };
	struct seen s = { .livepatches = lp };

	if (access(top_path("../shared/data/klogs/10_oopses.test"), R_OK) < 0 &&
	    !getenv("TUXTAPE_TOP"))
		fail_msg("the klogs corpus is missing: %s", top_path("../shared/data/klogs"));
	assert_int_equal(analyze("../shared/data/klogs/10_oopses.test", NULL, NULL, &s), 0);
	assert_true(s.n >= 1);
	assert_int_equal(s.types[0], KREPORT_WARN);
	assert_int_equal(s.blame[0].strength, KBLAME_WEAK);
	assert_string_equal(s.blame[0].module, "drm");
	/* the reporting site is radeon's: strong when radeon is the livepatch */
	const char *lp2[] = { "radeon", NULL };
	struct seen s2 = { .livepatches = lp2 };

	assert_int_equal(analyze("../shared/data/klogs/10_oopses.test", NULL, NULL, &s2), 0);
	assert_int_equal(s2.blame[0].strength, KBLAME_STRONG);
	assert_string_equal(s2.blame[0].module, "radeon");
}

/* A report naming a function a recent livepatch replaced: weak evidence against it. */
static void test_replaced_function_is_weak(void **state)
{
	const char *lp[] = { NULL };
	const char *rep[] = { "seq_read_iter", "tt_lp_good", NULL };
	struct seen s = { .livepatches = lp, .replaced = rep };

	assert_int_equal(analyze(DEB_WARN, NULL, NULL, &s), 0);
	assert_int_equal(s.blame[0].strength, KBLAME_WEAK);
	assert_string_equal(s.blame[0].module, "tt_lp_good");
}

/* User space can write to /dev/kmsg, but never as the kernel facility. */
static void test_user_record_is_not_kernel(void **state)
{
	char user[] = "12,901,7000000,-,caller=T55;RIP: 0010:tt_good_cmdline_show+0x10/0x40 [tt_lp_good]\n";
	char kern[] = "4,902,7000001,-,caller=T55;RIP: 0010:tt_good_cmdline_show+0x10/0x40 [tt_lp_good]\n";
	struct kmsg_record r;
	const char *where = NULL;

	assert_int_equal(kmsg_parse(user, strlen(user), &r, &where), 0);
	assert_int_equal(r.facility, 1);
	assert_int_equal(kmsg_parse(kern, strlen(kern), &r, &where), 0);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.level, 4);
}

static void test_offline_livepatch(void **state)
{
	struct kmodule mods[] = { { "tt_lp_warns", "OEK" }, { "ext4", "" } };
	struct kreport r = { .modules = mods, .n_modules = 2 };
	const char *extra[] = { "vendor-lp", NULL };

	assert_true(kblame_offline_is_livepatch(&r, "tt_lp_warns", NULL));
	assert_false(kblame_offline_is_livepatch(&r, "ext4", NULL));
	assert_true(kblame_offline_is_livepatch(&r, "ext4", (const char *[]){ "ext4", NULL }));
	assert_true(kblame_offline_is_livepatch(&r, "vendor_lp", extra));
	assert_false(kblame_offline_is_livepatch(&r, "other", extra));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warn_site_in_livepatch),
		cmocka_unit_test(test_oops_rip_in_livepatch),
		cmocka_unit_test(test_unrelated_warn),
		cmocka_unit_test(test_unreliable_frame_only),
		cmocka_unit_test(test_first_reliable_frame),
		cmocka_unit_test(test_later_frame_is_weak),
		cmocka_unit_test(test_replaced_function_is_weak),
		cmocka_unit_test(test_user_record_is_not_kernel),
		cmocka_unit_test(test_offline_livepatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
