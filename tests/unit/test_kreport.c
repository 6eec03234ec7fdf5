/* SPDX-License-Identifier: GPL-2.0-only */
/* kmsg records and the kernel report parser on synthetic reports of each layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog/kmsg.h"
#include "klog/kreport.h"

/* ---- kmsg records ---- */

static int parse(const char *rec, struct kmsg_record *r, char *buf, const char **where)
{
	size_t n = strlen(rec);

	memcpy(buf, rec, n + 1);
	return kmsg_parse(buf, n, r, where);
}

static void test_kmsg_header(void **state)
{
	char buf[256];
	struct kmsg_record r;
	const char *where = NULL;

	assert_int_equal(parse("4,1234,98765432,-,caller=T112;hello\n", &r, buf, &where), 0);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.level, 4);
	assert_int_equal(r.seq, 1234);
	assert_int_equal(r.ts_usec, 98765432);
	assert_false(r.cont);
	assert_string_equal(r.caller, "T112");
	assert_string_equal(r.text, "hello");
	assert_int_equal(r.len, 5);

	/* user facility (1<<3 | 6), continuation flag, no caller, unknown fields */
	assert_int_equal(parse("14,7,1,c,future=1,caller=C3,x;t\n", &r, buf, &where), 0);
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.level, 6);
	assert_true(r.cont);
	assert_string_equal(r.caller, "C3");
	assert_int_equal(parse("6,8,2,-;no caller\n", &r, buf, &where), 0);
	assert_string_equal(r.caller, "");
	/* dictionary lines after the text are not part of it */
	assert_int_equal(parse("6,9,3,-;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\n", &r, buf,
			       &where), 0);
	assert_string_equal(r.text, "usb 1-1: new device");
}

static void test_kmsg_escapes(void **state)
{
	char buf[256];
	struct kmsg_record r;
	const char *where;
	char s[] = "a\\x5cb\\x09c\\xzz\\x4";

	assert_int_equal(parse("4,1,1,-;one\\x0atwo\\x09tab \\x5c back\n", &r, buf, &where), 0);
	assert_string_equal(r.text, "one\ntwo\ttab \\ back");
	assert_int_equal(r.len, strlen("one\ntwo\ttab \\ back"));
	/* invalid escapes and a cut one at the end are kept as they are */
	assert_int_equal(kmsg_unescape(s, strlen(s)), strlen("a\\b\tc\\xzz\\x4"));
	assert_memory_equal(s, "a\\b\tc\\xzz\\x4", strlen("a\\b\tc\\xzz\\x4"));
}

static void test_kmsg_bad(void **state)
{
	static const struct {
		const char *rec, *where;
	} bad[] = {
		{ "4,1,1,-text\n", "no ';' ending the header" },
		{ "x,1,1,-;t\n", "priority" },
		{ "99999,1,1,-;t\n", "priority" },
		{ "4,,1,-;t\n", "sequence number" },
		{ "4,99999999999999999999999,1,-;t\n", "sequence number" },
		{ "4,1,z,-;t\n", "timestamp" },
		{ "4,1,1,x;t\n", "flag" },
		{ "4,1,1,-,caller=X1;t\n", "caller" },
		{ "4,1,1,-,caller=T;t\n", "caller" },
		{ "4,1,1,-,caller=T12345678901234567;t\n", "caller" },
		{ "4,1,1,-;no newline", "text not ended by a newline" },
	};
	char buf[256];
	struct kmsg_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *where = NULL;

		assert_int_equal(parse(bad[i].rec, &r, buf, &where), -EBADMSG);
		assert_non_null(where);
		assert_string_equal(where, bad[i].where);
	}
}

/* ---- reports ---- */

#define MAXR 8

struct got {
	size_t n;
	struct {
		enum kreport_type type;
		enum klp_event ev;
		char title[256], headline[256], rip[128], ripmod[64], site[128], taint[64], comm[32];
		char patch[64], object[64];
		unsigned line;
		int cpu, pid;
		size_t n_frames, n_modules;
		char frames[16][96];       /* "func[mod]" or "? func" */
		char mod_first[64], mod_last[64];
	} r[MAXR];
};

static void cp(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static void collect(const struct kreport *r, void *userdata)
{
	struct got *g = userdata;
	json_t *j;

	/* every report must also serialize */
	j = kreport_to_json(r, NULL);
	assert_non_null(j);
	json_decref(j);
	if (g->n >= MAXR)
		return;
	g->r[g->n].type = r->type;
	g->r[g->n].ev = r->klp_event;
	cp(g->r[g->n].title, 256, r->title);
	cp(g->r[g->n].headline, 256, r->headline);
	cp(g->r[g->n].rip, 128, r->rip_function);
	cp(g->r[g->n].ripmod, 64, r->rip_module);
	cp(g->r[g->n].site, 128, r->site_file);
	cp(g->r[g->n].taint, 64, r->taint ? r->taint : "(none)");
	cp(g->r[g->n].comm, 32, r->comm);
	cp(g->r[g->n].patch, 64, r->klp_patch);
	cp(g->r[g->n].object, 64, r->klp_object);
	g->r[g->n].line = r->site_line;
	g->r[g->n].cpu = r->cpu;
	g->r[g->n].pid = r->pid;
	g->r[g->n].n_frames = r->n_frames;
	g->r[g->n].n_modules = r->n_modules;
	for (size_t i = 0; i < r->n_frames && i < 16; i++)
		snprintf(g->r[g->n].frames[i], 96, "%s%s%s%s%s", r->frames[i].reliable ? "" : "? ",
			 r->frames[i].function ? r->frames[i].function : "?", r->frames[i].module ? "[" : "",
			 r->frames[i].module ? r->frames[i].module : "", r->frames[i].module ? "]" : "");
	if (r->n_modules) {
		snprintf(g->r[g->n].mod_first, 64, "%s(%s)", r->modules[0].name, r->modules[0].flags);
		snprintf(g->r[g->n].mod_last, 64, "%s(%s)", r->modules[r->n_modules - 1].name,
			 r->modules[r->n_modules - 1].flags);
	}
	g->n++;
}

static void run(const char *log, struct got *g)
{
	struct kparser *p;

	memset(g, 0, sizeof(*g));
	assert_int_equal(kparser_new(collect, g, &p), 0);
	/* in two pieces, cut inside a line: the parser carries it */
	kparser_feed_text(p, log, strlen(log) / 2);
	kparser_feed_text(p, log + strlen(log) / 2, strlen(log) - strlen(log) / 2);
	kparser_flush(p);
	assert_false(kparser_pending(p));
	kparser_free(p);
}

static const char warn_515[] =
	"[   10.000001] ------------[ cut here ]------------\n"
	"[   10.000002] WARNING: CPU: 2 PID: 77 at drivers/foo/bar.c:123 foo_bar+0x1a/0x40 [foo]\n"
	"[   10.000003] Modules linked in: foo(OE) livepatch_x(OEK) xfs libcrc32c\n"
	"[   10.000004]  nvme(+) last_one\n"
	"[   10.000005] CPU: 2 PID: 77 Comm: kworker/2:1 Tainted: G           OE K   5.15.0 #1\n"
	"[   10.000006] Hardware name: QEMU\n"
	"[   10.000007] RIP: 0010:foo_bar+0x1a/0x40 [foo]\n"
	"[   10.000008] Code: 48 89 e5 <0f> 0b\n"
	"[   10.000009] RSP: 0018:ffffc90000003e38 EFLAGS: 00010246\n"
	"[   10.000010] Call Trace:\n"
	"[   10.000011]  ? __warn+0x81/0x130\n"
	"[   10.000012]  foo_caller+0x10/0x20 [foo 0123456789abcdef0123456789abcdef01234567]\n"
	"[   10.000013]  process_one_work+0x1e2/0x3b0\n"
	"[   10.000014]  kthread+0xe8/0x110\n"
	"[   10.000015] ---[ end trace 1234567890abcdef ]---\n";

static void test_warn_515(void **state)
{
	struct got g;

	run(warn_515, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].type, KREPORT_WARN);
	assert_string_equal(g.r[0].title, "WARNING in foo_bar");
	assert_string_equal(g.r[0].rip, "foo_bar");
	assert_string_equal(g.r[0].ripmod, "foo");
	assert_string_equal(g.r[0].site, "drivers/foo/bar.c");
	assert_int_equal(g.r[0].line, 123);
	assert_string_equal(g.r[0].taint, "G           OE K");
	assert_int_equal(g.r[0].cpu, 2);
	assert_int_equal(g.r[0].pid, 77);
	assert_string_equal(g.r[0].comm, "kworker/2:1");
	/* no <TASK> markers in this layout; "? " frames kept but unreliable */
	assert_int_equal(g.r[0].n_frames, 4);
	assert_string_equal(g.r[0].frames[0], "? __warn");
	assert_string_equal(g.r[0].frames[1], "foo_caller[foo]");
	assert_int_equal(g.r[0].n_modules, 6);
	assert_string_equal(g.r[0].mod_first, "foo(OE)");
	assert_string_equal(g.r[0].mod_last, "last_one()");
}

static void test_warn_61_task_markers(void **state)
{
	struct got g;

	run("WARNING: CPU: 0 PID: 1 at kernel/rcu/tree.c:10 rcu_check+0x1/0x2\n"
	    "Modules linked in:\n"
	    "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	    "RIP: 0010:rcu_check+0x1/0x2\n"
	    "Call Trace:\n"
	    " <TASK>\n"
	    " ? report_bug+0x1/0x2\n"
	    " my_driver_probe+0x10/0x20 [mydrv]\n"
	    " </TASK>\n"
	    "---[ end trace 0000000000000000 ]---\n", &g);
	assert_int_equal(g.n, 1);
	/* a WARN in shared infrastructure blames its caller */
	assert_string_equal(g.r[0].title, "WARNING in my_driver_probe");
	assert_string_equal(g.r[0].taint, "");
	assert_int_equal(g.r[0].n_frames, 2);
	assert_int_equal(g.r[0].n_modules, 0);
}

static void test_warn_616(void **state)
{
	struct got g;

	run("[  237.726449][  T112] WARNING: fs/jfs/jfs_dmap.c:2867 at dbAdjTree+0x454/0x4e0, CPU#0: jfsCommit/112\n"
	    "[  237.729558][   T43] usb 1-1: unrelated line from another task\n"
	    "[  237.736143][  T112] Modules linked in:\n"
	    "[  237.755269][  T112] CPU: 0 UID: 0 PID: 112 Comm: jfsCommit Not tainted 6.16.0-rc2 #0 PREEMPT(full) \n"
	    "[  237.919598][  T112] Call Trace:\n"
	    "[  237.929740][  T112]  ? __pfx_lock_metapage+0x10/0x10\n"
	    "[  237.929741][   T43] usb 1-1: WARNING: not a kernel warning line\n"
	    "[  237.935025][  T112]  dbJoin+0x238/0x300\n"
	    "[  237.935026][  T112] ---[ end trace 0000000000000000 ]---\n", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.r[0].title, "WARNING in dbAdjTree");
	assert_string_equal(g.r[0].site, "fs/jfs/jfs_dmap.c");
	assert_int_equal(g.r[0].line, 2867);
	assert_string_equal(g.r[0].rip, "dbAdjTree");
	assert_int_equal(g.r[0].cpu, 0);
	assert_int_equal(g.r[0].pid, 112);
	assert_string_equal(g.r[0].comm, "jfsCommit");
	assert_string_equal(g.r[0].taint, "");
	assert_int_equal(g.r[0].n_frames, 2);
}

static void test_oops_prefix_gpf_and_page_fault(void **state)
{
	struct got g;

	run("[   89.1][ T5827] Oops: general protection fault, probably for non-canonical address 0xdffffc0000000004: 0000 [#1] SMP KASAN PTI\n"
	    "[   89.2][ T5827] CPU: 1 UID: 0 PID: 5827 Comm: syz Not tainted 6.14.0 #0 PREEMPT(full) \n"
	    "[   89.3][ T5827] RIP: 0010:__se_sys_mremap+0x25fa/0x2c00\n"
	    "[   89.4][ T5827] Call Trace:\n"
	    "[   89.5][ T5827]  <TASK>\n"
	    "[   89.6][ T5827]  do_syscall_64+0xf3/0x230\n"
	    "[   89.7][ T5827]  </TASK>\n"
	    "[   89.8][ T5827] ---[ end trace 0000000000000000 ]---\n"
	    "[   89.9][ T5827] Kernel panic - not syncing: Fatal exception\n"
	    "[   90.0][ T5827] Kernel Offset: disabled\n"
	    "[  626.1][   T51] BUG: unable to handle page fault for address: ffffffff9175c704\n"
	    "[  626.2][   T51] #PF: supervisor read access in kernel mode\n"
	    "[  626.3][   T51] Oops: Oops: 0000 [#1] PREEMPT SMP KASAN PTI\n"
	    "[  626.4][   T51] CPU: 1 UID: 0 PID: 51 Comm: kworker/1:1 Tainted: G        W 6.13.0 #0\n"
	    "[  626.5][   T51] RIP: 0010:do_raw_spin_lock+0x8b/0x370\n"
	    "[  626.6][   T51] Call Trace:\n"
	    "[  626.7][   T51]  _raw_spin_lock_irqsave+0xe1/0x120\n"
	    "[  626.8][   T51]  process_srcu+0x542/0x12e0\n"
	    "[  626.9][   T51] ---[ end trace 0000000000000000 ]---\n", &g);
	/* the panic after the first report belongs to it */
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].type, KREPORT_GPF);
	assert_string_equal(g.r[0].title, "general protection fault in mremap");
	assert_int_equal(g.r[1].type, KREPORT_PAGE_FAULT);
	assert_string_equal(g.r[1].title, "BUG: unable to handle kernel paging request in process_srcu");
	assert_string_equal(g.r[1].taint, "G        W");
}

static void test_preempt_model_and_kmsg_input(void **state)
{
	struct got g;

	/* 6.15 CPU line; /dev/kmsg records with a caller and an escaped tab; continuation
	 * record of the module list starting with a space */
	run("4,10,100,-,caller=T9;BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	    "4,11,101,-,caller=T9;Oops: Oops: 0002 [#1] SMP NOPTI\n"
	    "4,12,102,-,caller=T9;Modules linked in: a(O) b\n"
	    "4,13,103,c,caller=T9; c(OEK) d(-)\n"
	    "4,14,104,-,caller=T7;unrelated\\x09line\n"
	    "4,15,105,-,caller=T9;CPU: 3 UID: 1000 PID: 9 Comm: my prog Tainted: G   O  K   6.15.1 #1 PREEMPT(voluntary) \n"
	    "4,16,106,-,caller=T9;RIP: 0010:lp_func+0x1/0x2 [livepatch_a]\n"
	    "4,17,107,-,caller=T9;Call Trace:\\x0a <TASK>\\x0a lp_caller+0x1/0x2\\x0a </TASK>\n"
	    "4,18,108,-,caller=T9;---[ end trace 0000000000000000 ]---\n", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].type, KREPORT_PAGE_FAULT);
	assert_string_equal(g.r[0].title, "BUG: unable to handle kernel NULL pointer dereference in lp_func");
	assert_string_equal(g.r[0].ripmod, "livepatch_a");
	assert_string_equal(g.r[0].comm, "my prog");
	assert_int_equal(g.r[0].pid, 9);
	assert_string_equal(g.r[0].taint, "G   O  K");
	assert_int_equal(g.r[0].n_modules, 4);
	assert_string_equal(g.r[0].mod_last, "d(-)");
	assert_int_equal(g.r[0].n_frames, 1);
	assert_string_equal(g.r[0].frames[0], "lp_caller");
}

static void test_old_layouts(void **state)
{
	struct got g;

	run("<4>[   61.88] BUG: unable to handle kernel NULL pointer dereference at           (null)\n"
	    "<4>[   61.89] IP: [<ffffffff8175ec15>] inet_autobind+0x25/0x60\n"
	    "<4>[   61.89] Oops: 0010 [#1] SMP\n"
	    "<4>[   61.89] CPU: 1 PID: 7447 Comm: syz Not tainted 4.1.15+ #4\n"
	    "<4>[   61.89] Call Trace:\n"
	    "<4>[   61.89]  [<ffffffff8175ec15>] ? inet_autobind+0x25/0x60\n"
	    "<4>[   61.89]  [<ffffffff81760e50>] inet_sendmsg+0x190/0x1e0\n"
	    "<4>[   61.92] ---[ end trace e4754c7187702be5 ]---\n"
	    "Jan 1 00:00:00 host kernel: WARNING: at fs/x.c:3 xfunc+0x1/0x2()\n"
	    "Jan 1 00:00:00 host kernel: Call Trace:\n"
	    "Jan 1 00:00:00 host kernel:  [<ffffffff81234567>] xcaller+0x1/0x2\n", &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.r[0].rip, "inet_autobind");
	assert_string_equal(g.r[0].frames[0], "? inet_autobind");
	assert_string_equal(g.r[0].frames[1], "inet_sendmsg");
	assert_int_equal(g.r[1].type, KREPORT_WARN);
	assert_string_equal(g.r[1].title, "WARNING in xfunc");
	assert_string_equal(g.r[1].site, "fs/x.c");
}

static void test_livepatch_messages(void **state)
{
	static const struct {
		const char *line;
		enum klp_event ev;
		const char *patch, *object;
	} msgs[] = {
		{ "livepatch: enabling patch 'lp1'", KLP_EVENT_ENABLING, "lp1", "" },
		{ "livepatch: 'lp1': starting patching transition", KLP_EVENT_PATCHING, "lp1", "" },
		{ "livepatch: 'lp1': patching complete", KLP_EVENT_PATCHED, "lp1", "" },
		{ "livepatch: 'lp1': starting unpatching transition", KLP_EVENT_UNPATCHING, "lp1", "" },
		{ "livepatch: 'lp1': unpatching complete", KLP_EVENT_UNPATCHED, "lp1", "" },
		{ "livepatch: signaling remaining tasks", KLP_EVENT_SIGNALING, "", "" },
		{ "livepatch: forcing remaining tasks to the patched state", KLP_EVENT_FORCING, "", "" },
		{ "livepatch: failed to enable patch 'lp1'", KLP_EVENT_FAILED, "lp1", "" },
		{ "livepatch: pre-patch callback failed for object 'vmlinux'", KLP_EVENT_FAILED, "", "vmlinux" },
		{ "livepatch: failed to patch object 'xfs'", KLP_EVENT_FAILED, "", "xfs" },
		{ "livepatch: failed to apply patch 'lp1' to module 'xfs' (-22)", KLP_EVENT_FAILED, "lp1", "xfs" },
		{ "livepatch: patch 'lp1' failed for module 'xfs', refusing to load module 'xfs'",
		  KLP_EVENT_FAILED, "lp1", "xfs" },
		{ "livepatch: Livepatch patch (lp2) is not compatible with the already installed livepatches.",
		  KLP_EVENT_FAILED, "lp2", "" },
		{ "livepatch: This architecture doesn't have support for the livepatch consistency model.",
		  KLP_EVENT_FAILED, "", "" },
		{ "livepatch: applying patch 'lp1' to loading module 'xfs'", KLP_EVENT_MODULE, "lp1", "xfs" },
		{ "livepatch: reverting patch 'lp1' on unloading module 'xfs'", KLP_EVENT_MODULE, "lp1", "xfs" },
	};
	struct got g;
	char log[512];

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		snprintf(log, sizeof(log), "[ 1.0] %s\n", msgs[i].line);
		run(log, &g);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.r[0].type, KREPORT_LIVEPATCH);
		assert_int_equal(g.r[0].ev, msgs[i].ev);
		assert_string_equal(g.r[0].patch, msgs[i].patch);
		assert_string_equal(g.r[0].object, msgs[i].object);
	}
	/* a livepatch line inside a report is handed out alone and does not end the report */
	run("WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2\n"
	    "livepatch: 'lp1': patching complete\n"
	    "Call Trace:\n"
	    " g+0x1/0x2\n"
	    "---[ end trace 0 ]---\n", &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].type, KREPORT_LIVEPATCH);
	assert_int_equal(g.r[1].type, KREPORT_WARN);
	assert_int_equal(g.r[1].n_frames, 1);
	/* debug-only messages are no event */
	run("livepatch: 'lp1': initializing patching transition\n", &g);
	assert_int_equal(g.n, 0);
}

static void flood_fn(const struct kreport *r, void *userdata)
{
	size_t *n = userdata;

	assert_true(r->n_frames <= 128);
	(*n)++;
}

static void test_flood(void **state)
{
	struct kparser *p;
	size_t n = 0, peak = 0;
	char line[128];
	char *big = malloc(200000);

	assert_non_null(big);
	assert_int_equal(kparser_new(flood_fn, &n, &p), 0);
	kparser_feed_text(p, "WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2\nCall Trace:\n", 53);
	for (int i = 0; i < 100000; i++) {
		int len = snprintf(line, sizeof(line), " frame_%d+0x1/0x2 [mod]\n", i);

		kparser_feed_text(p, line, (size_t)len);
		if (kparser_footprint(p) > peak)
			peak = kparser_footprint(p);
	}
	/* one endless line: cut, never buffered whole */
	memset(big, 'x', 199999);
	big[199999] = '\n';
	kparser_feed_text(p, big, 200000);
	kparser_flush(p);
	assert_int_equal(n, 1);         /* cut at the line limit; the rest is no report */
	assert_true(peak < 2u << 20);
	kparser_free(p);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmsg_header),
		cmocka_unit_test(test_kmsg_escapes),
		cmocka_unit_test(test_kmsg_bad),
		cmocka_unit_test(test_warn_515),
		cmocka_unit_test(test_warn_61_task_markers),
		cmocka_unit_test(test_warn_616),
		cmocka_unit_test(test_oops_prefix_gpf_and_page_fault),
		cmocka_unit_test(test_preempt_model_and_kmsg_input),
		cmocka_unit_test(test_old_layouts),
		cmocka_unit_test(test_livepatch_messages),
		cmocka_unit_test(test_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
