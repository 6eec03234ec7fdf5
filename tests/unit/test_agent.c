/* SPDX-License-Identifier: GPL-2.0-only */
/* The agent's parsers and checks: build-id notes, module checks, configuration, the
 * blocking-task scan and the state store, against files in a temp root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_config.h"
#include "klp.h"
#include "modfile.h"
#include "node.h"
#include "state.h"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_build_id(void **unused)
{
	unsigned char notes[64] = { 0 };
	char out[129];
	/* a non-GNU note first, then the build-id */
	uint32_t h1[3] = { 4, 4, 1 }, h2[3] = { 4, 3, 3 };

	memcpy(notes, h1, 12);
	memcpy(notes + 12, "Xen", 4);
	memcpy(notes + 16, "\x01\x02\x03\x04", 4);
	memcpy(notes + 20, h2, 12);
	memcpy(notes + 32, "GNU", 4);
	memcpy(notes + 36, "\xde\xad\xbe", 3);
	assert_int_equal(node_parse_build_id(notes, 40, out, sizeof(out)), 0);
	assert_string_equal(out, "deadbe");
	/* a descriptor running past the end */
	assert_int_equal(node_parse_build_id(notes, 38, out, sizeof(out)), -EBADMSG);
	/* no build-id at all */
	assert_int_equal(node_parse_build_id(notes, 20, out, sizeof(out)), -ENOENT);
	/* an output buffer too small */
	assert_int_equal(node_parse_build_id(notes, 40, out, 4), -EBADMSG);
}

static void test_modfile_check(void **unused)
{
	struct modfile_info m = { .name = "livepatch_x", .vermagic = "6.1.0-56-amd64 SMP preempt "
				  "mod_unload modversions ", .livepatch = true };
	char why[256];

	assert_int_equal(modfile_check(&m, "6.1.0-56-amd64", why, sizeof(why)), 0);
	/* a release that is a prefix of the module's is still another kernel */
	assert_int_equal(modfile_check(&m, "6.1.0-5", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "built for another kernel"));
	strcpy(m.vermagic, "6.1.0-56-rt-amd64 SMP preempt_rt mod_unload modversions ");
	assert_int_equal(modfile_check(&m, "6.1.0-56-amd64", why, sizeof(why)), -EPERM);
	m.livepatch = false;
	assert_int_equal(modfile_check(&m, "6.1.0-56-rt-amd64", why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "not a livepatch module"));
	strcpy(m.name, "../evil");
	m.livepatch = true;
	assert_int_equal(modfile_check(&m, "6.1.0-56-rt-amd64", why, sizeof(why)), -EPERM);
}

static void test_config(void **unused)
{
	char dir[] = "/tmp/tuxtape-unit-agent.XXXXXX", path[128];
	struct agent_config c;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agent.conf", dir);
	write_text(path, "[archive]\nurl = https://a.example/x\n[agent]\nrefresh-interval = 2h\n"
		   "transition-timeout = 90s\nauto-revert = no\n[paths]\nroot = /tmp/r\n");
	assert_int_equal(agent_config_load(path, true, &c), 0);
	assert_string_equal(c.url, "https://a.example/x");
	assert_int_equal(c.refresh_interval, 7200);
	assert_int_equal(c.transition_timeout, 90);
	assert_false(c.auto_revert);
	assert_string_equal(c.channel, "stable");
	char *p = agent_path(&c, "/sys/kernel/livepatch");
	assert_string_equal(p, "/tmp/r/sys/kernel/livepatch");
	free(p);
	agent_config_free(&c);
	/* out of range, unknown section, a line that is not an entry */
	write_text(path, "[agent]\nrefresh-interval = 1s\n");
	assert_int_equal(agent_config_load(path, true, &c), -ERANGE);
	write_text(path, "[nope]\nx = 1\n");
	assert_int_equal(agent_config_load(path, true, &c), -EINVAL);
	write_text(path, "[agent]\njust words\n");
	assert_int_equal(agent_config_load(path, true, &c), -EINVAL);
	/* missing: defaults unless the file was asked for */
	unlink(path);
	assert_int_equal(agent_config_load(path, false, &c), 0);
	assert_int_equal(c.refresh_interval, 3600);
	agent_config_free(&c);
	assert_int_equal(agent_config_load(path, true, &c), -ENOENT);
	rmdir(dir);
}

static void mkdirs(const char *root, const char *rel)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

static void test_klp_sysfs(void **unused)
{
	char root[] = "/tmp/tuxtape-unit-klp.XXXXXX", p[512], cmd[600];
	struct klp_state *v = NULL, s;
	char *tasks = NULL;
	size_t n;

	assert_non_null(mkdtemp(root));
	assert_int_equal(klp_list(root, &v, &n), 0);   /* no livepatch directory at all */
	assert_int_equal(n, 0);
	mkdirs(root, "/sys/kernel/livepatch/lp_a");
	snprintf(p, sizeof(p), "%s/sys/kernel/livepatch/lp_a/enabled", root);
	write_text(p, "1\n");
	snprintf(p, sizeof(p), "%s/sys/kernel/livepatch/lp_a/transition", root);
	write_text(p, "1\n");
	assert_int_equal(klp_get(root, "lp_a", &s), 0);
	assert_int_equal(s.enabled, 1);
	assert_int_equal(s.transition, 1);
	assert_int_equal(klp_get(root, "lp_b", &s), -ENOENT);
	assert_int_equal(klp_get(root, "../x", &s), -EINVAL);
	assert_int_equal(klp_set_enabled(root, "lp_a", false), 0);
	assert_int_equal(klp_get(root, "lp_a", &s), 0);
	assert_int_equal(s.enabled, 0);
	assert_int_equal(klp_list(root, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "lp_a");
	free(v);
	/* two tasks: one still unpatched (blocking), one switched */
	mkdirs(root, "/proc/117/task/117");
	mkdirs(root, "/proc/1/task/1");
	snprintf(p, sizeof(p), "%s/proc/117/task/117/patch_state", root);
	write_text(p, "0\n");
	snprintf(p, sizeof(p), "%s/proc/117/task/117/comm", root);
	write_text(p, "tt_sleeper\n");
	snprintf(p, sizeof(p), "%s/proc/117/task/117/stack", root);
	write_text(p, "[<0>] __schedule+0x2d2/0x8a0\n[<0>] schedule+0x5a/0xd0\n"
		   "[<0>] tt_sleeper_nap+0x3a/0x60 [tt_sleeper]\n");
	snprintf(p, sizeof(p), "%s/proc/1/task/1/patch_state", root);
	write_text(p, "1\n");
	assert_int_equal(klp_blocking_tasks(root, 0, 5, &tasks), 1);
	assert_non_null(strstr(tasks, "pid 117 (tt_sleeper): __schedule+0x2d2/0x8a0 < "));
	assert_non_null(strstr(tasks, "tt_sleeper_nap+0x3a/0x60 [tt_sleeper]"));
	free(tasks);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_state(void **unused)
{
	char dir[] = "/tmp/tuxtape-unit-state.XXXXXX", path[128];
	struct agent_state st;
	struct patch_rec p = { .id = "p1", .module = "lp_p1", .target = "r/lp_p1.ko",
			       .kernel_release = "r", .state = "pending", .version = 2 }, q;
	struct applying_rec *a;
	json_t *ev;
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agent.db", dir);
	assert_int_equal(state_open(path, &st), 0);
	assert_int_equal(state_patch_put(&st, &p), 0);
	assert_int_equal(state_patch_set(&st, "p1", "applied", "ok"), 0);
	assert_int_equal(state_patch_set(&st, "nope", "applied", "ok"), -ENOENT);
	assert_int_equal(state_applying_open(&st, "p1", "boot-a"), 0);
	assert_int_equal(state_event(&st, "p1", "applied", "in %d s", 1), 0);
	state_close(&st);
	/* what was committed is there after a reopen */
	assert_int_equal(state_open(path, &st), 0);
	assert_int_equal(state_patch_get(&st, "p1", &q), 0);
	assert_string_equal(q.state, "applied");
	assert_string_equal(q.cves, "[]");
	assert_int_equal(q.version, 2);
	patch_rec_free(&q);
	assert_int_equal(state_applying_list(&st, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].boot_id, "boot-a");
	applying_recs_free(a, n);
	assert_int_equal(state_applying_close(&st, "p1"), 0);
	assert_int_equal(state_applying_list(&st, &a, &n), 0);
	assert_int_equal(n, 0);
	free(a);
	assert_int_equal(state_events_json(&st, 0, 10, &ev), 0);
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "message")),
			    "in 1 s");
	json_decref(ev);
	state_close(&st);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_modfile_check),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_klp_sysfs),
		cmocka_unit_test(test_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
