/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * klpdiff on objects compiled at test time (user-space objects built the way kbuild builds
 * a livepatch's inputs: function and data sections, fentry calls recorded in __mcount_loc),
 * klp_convert on a relocatable linked from an extracted object, and the symbol database on
 * handmade System.map / Module.symvers files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generate/klpdiff/klpdiff.h"

#define CFLAGS "-c -O2 -fno-pie -fno-pic -mcmodel=kernel -ffunction-sections -fdata-sections " \
	       "-mfentry -pg -mrecord-mcount -fno-asynchronous-unwind-tables -w"

static int setup(void **state)
{
	char *dir = strdup("/tmp/tuxtape-klpdiff.XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *buf, size_t size, void **state, const char *name)
{
	assert_true((size_t)snprintf(buf, size, "%s/%s", (char *)*state, name) < size);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Compiles src as NAME.c into NAME.o in the test directory, with CFLAGS and extra. */
static void build_with(void **state, const char *name, const char *src, const char *extra)
{
	char c[512], o[512], cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s.c", name);
	path_in(c, sizeof(c), state, cmd);
	snprintf(cmd, sizeof(cmd), "%s.o", name);
	path_in(o, sizeof(o), state, cmd);
	write_text(c, src);
	snprintf(cmd, sizeof(cmd), "gcc " CFLAGS " %s -o '%s' '%s'", extra, o, c);
	assert_int_equal(system(cmd), 0);
}

static void build(void **state, const char *name, const char *src)
{
	build_with(state, name, src, "");
}

static void compare(void **state, const char *orig_src, const char *patched_src,
		    struct klpdiff_result *res)
{
	char a[512], b[512], err[512] = "";

	build(state, "orig", orig_src);
	build(state, "patched", patched_src);
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	if (klpdiff_compare(a, b, 0, res, err, sizeof(err)) != 0)
		fail_msg("compare: %s", err);
}

static const struct klpdiff_func *func(const struct klpdiff_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_funcs; i++)
		if (strcmp(r->funcs[i].name, name) == 0)
			return &r->funcs[i];
	return NULL;
}

static const struct klpdiff_refusal *refusal(const struct klpdiff_result *r, const char *sym)
{
	for (size_t i = 0; i < r->n_refusals; i++)
		if (strcmp(r->refusals[i].symbol, sym) == 0)
			return &r->refusals[i];
	return NULL;
}

#define BASE                                                                    \
	"extern int printf(const char *, ...);\n"                              \
	"static int count;\n"                                                  \
	"int limit = 10;\n"                                                    \
	"static inline int helper(int x) { return x * 3 + 1; }\n"              \
	"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n" \
	"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"   \
	"int other(int x) { printf(\"other\\n\"); return x + 7; }\n"

/* What the tests check in an object: a section's flags, a symbol's section and binding. */
static bool elf_section(const char *path, const char *name, GElf_Shdr *ret)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	size_t shstrndx;
	bool found = false;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn && !found; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;

		assert_non_null(gelf_getshdr(scn, &sh));
		if (strcmp(elf_strptr(e, shstrndx, sh.sh_name), name) == 0) {
			*ret = sh;
			found = true;
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

static bool elf_symbol(const char *path, const char *name, GElf_Sym *ret)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	bool found = false;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn && !found; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		Elf_Data *d;

		assert_non_null(gelf_getshdr(scn, &sh));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize && !found; i++) {
			GElf_Sym s;

			assert_non_null(gelf_getsym(d, (int)i, &s));
			if (strcmp(elf_strptr(e, sh.sh_link, s.st_name), name) == 0) {
				*ret = s;
				found = true;
			}
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

static bool has_symbol_prefix(const char *path, const char *prefix)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "readelf -sW '%s' | grep -q ' %s'", path, prefix);
	return system(cmd) == 0;
}

#define EXTRACT_ORIG                                                                         \
	"extern int printf(const char *, ...);\n"                                           \
	"static int count;\n"                                                               \
	"__attribute__((noinline)) static int bump(int x) { return x + count; }\n"          \
	"int show(int x) { count++; printf(\"show %d\\n\", bump(x)); return __func__[x & 3]; }\n" \
	"int untouched(int x) { printf(\"u\\n\"); return bump(x); }\n"
#define EXTRACT_PATCHED                                                                      \
	"extern int printf(const char *, ...);\n"                                           \
	"static int count;\n"                                                               \
	"__attribute__((noinline)) static int bump(int x) { return x + count; }\n"          \
	"int show(int x) { count++; printf(\"show! %d\\n\", bump(x)); return __func__[x & 3]; }\n" \
	"int untouched(int x) { printf(\"u\\n\"); return bump(x); }\n"

static struct klp_symdb *extract_symdb(void **state)
{
	char map[512], symvers[512], err[256] = "";
	struct klp_symdb *db;

	path_in(map, sizeof(map), state, "System.map");
	path_in(symvers, sizeof(symvers), state, "Module.symvers");
	write_text(map, "ffffffff81001000 t bump\n"
			"ffffffff81001100 T show\n"
			"ffffffff81001200 T untouched\n"
			"ffffffff81003000 T printf\n"
			"ffffffff81004000 T __fentry__\n"
			"ffffffff82000010 b count\n"
			"ffffffff82000800 b count\n"
			"ffffffff82000900 B other_global\n");
	write_text(symvers, "0x12345678\tprintf\tvmlinux\tEXPORT_SYMBOL\t\n"
			    "0x12345679\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n");
	if (klp_symdb_load(map, symvers, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return db;
}

static void extract(void **state, const char *out_name)
{
	struct klpdiff_result r;
	struct klp_symdb *db = extract_symdb(state);
	char a[512], b[512], out[512], err[512] = "";

	compare(state, EXTRACT_ORIG, EXTRACT_PATCHED, &r);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "show");
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	path_in(out, sizeof(out), state, out_name);
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
}

static void test_unchanged(void **state)
{
	struct klpdiff_result r;

	compare(state, BASE, BASE, &r);
	assert_int_equal(r.n_funcs, 0);
	assert_int_equal(r.n_refusals, 0);
	klpdiff_result_free(&r);
}

static void test_changed_body(void **state)
{
	struct klpdiff_result r;
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"int limit = 10;\n"
		"static inline int helper(int x) { return x * 3 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other!\\n\"); return x + 7; }\n";

	compare(state, BASE, patched, &r);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "other");
	assert_int_equal(r.funcs[0].change, KLPDIFF_CHANGED);
	assert_false(r.funcs[0].local);
	assert_int_equal(r.n_refusals, 0);
	klpdiff_result_free(&r);
}

static void test_inline_callers(void **state)
{
	struct klpdiff_result r;
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"int limit = 10;\n"
		"static inline int helper(int x) { return x * 5 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other\\n\"); return x + 7; }\n";

	compare(state, BASE, patched, &r);
	assert_int_equal(r.n_funcs, 2);
	assert_non_null(func(&r, "caller_a"));
	assert_non_null(func(&r, "caller_b"));
	assert_int_equal(func(&r, "caller_a")->change, KLPDIFF_CHANGED);
	assert_int_equal(r.n_refusals, 0);
	klpdiff_result_free(&r);
}

/* A caller of a changed static function is unchanged: the call names the same symbol. */
static void test_caller_of_changed_static(void **state)
{
	struct klpdiff_result r;
	const char *orig =
		"extern int printf(const char *, ...);\n"
		"__attribute__((noinline)) static int work(int x) { printf(\"w\\n\"); return x + 1; }\n"
		"int entry(int x) { return work(x) * 2; }\n"
		"int (*get(void))(int) { return work; }\n";
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"__attribute__((noinline)) static int work(int x) { printf(\"w!\\n\"); return x + 1; }\n"
		"int entry(int x) { return work(x) * 2; }\n"
		"int (*get(void))(int) { return work; }\n";

	compare(state, orig, patched, &r);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "work");
	assert_true(r.funcs[0].local);
	klpdiff_result_free(&r);
}

static void test_new_function(void **state)
{
	struct klpdiff_result r;
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"int limit = 10;\n"
		"static inline int helper(int x) { return x * 3 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other\\n\"); return x + 7; }\n"
		"int brand_new(int x) { printf(\"new\\n\"); return x - 7; }\n";

	compare(state, BASE, patched, &r);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "brand_new");
	assert_int_equal(r.funcs[0].change, KLPDIFF_NEW);
	assert_int_equal(r.n_refusals, 0);
	klpdiff_result_free(&r);
}

static void test_changed_initialiser(void **state)
{
	struct klpdiff_result r;
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"int limit = 11;\n"
		"static inline int helper(int x) { return x * 3 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other\\n\"); return x + 7; }\n";

	compare(state, BASE, patched, &r);
	assert_int_equal(r.n_funcs, 0);
	assert_int_equal(r.n_refusals, 1);
	assert_string_equal(r.refusals[0].symbol, "limit");
	assert_non_null(strstr(r.refusals[0].reason, "initialiser"));
	klpdiff_result_free(&r);
}

static void test_new_static_variable(void **state)
{
	struct klpdiff_result r;
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"static int seen;\n"
		"int limit = 10;\n"
		"static inline int helper(int x) { return x * 3 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other\\n\"); return x + 7 + seen++; }\n";

	const char *held =
		"extern int printf(const char *, ...);\n"
		"static int count;\n"
		"static int seen;\n"
		"int *const seen_at = &seen;\n"
		"int limit = 10;\n"
		"static inline int helper(int x) { return x * 3 + 1; }\n"
		"int caller_a(int x) { printf(\"a %d\\n\", x); return helper(x) + count++; }\n"
		"int caller_b(int x) { printf(\"b %d\\n\", x); return helper(x) - limit; }\n"
		"int other(int x) { printf(\"other\\n\"); return x + 7 + seen++; }\n";

	/* used by code alone: no state of the running kernel, the copy starts as the fixed
	 * kernel's would (a pr_*_ratelimited state, say) */
	compare(state, BASE, patched, &r);
	assert_non_null(func(&r, "other"));
	assert_null(refusal(&r, "seen"));
	assert_int_equal(r.n_copied_data, 1);
	assert_string_equal(r.copied_data[0], "seen");
	klpdiff_result_free(&r);
	/* its address held in data: refused */
	compare(state, BASE, held, &r);
	assert_non_null(refusal(&r, "seen"));
	assert_non_null(strstr(refusal(&r, "seen")->reason, "new static variable"));
	assert_non_null(strstr(refusal(&r, "seen")->reason, "refers to it"));
	klpdiff_result_free(&r);
}

/* Read-only data used by code alone (a netlink policy, a lookup table) changed: a copy
 * travels, and every function using it is patched to use the copy, unchanged ones too. */
#define RODATA_TMPL                                                                         \
	"struct pol { int type; const char *name; };\n"                                     \
	"static const struct pol policy[3] = { { 1, \"a\" }, { 2, \"b\" }, { %d, \"c\" } };\n" \
	"__attribute__((noinline)) int parse(int i) { return policy[i %% 3].type; }\n"     \
	"__attribute__((noinline)) const char *name(int i) { return policy[i %% 3].name; }\n" \
	"__attribute__((noinline)) int bystander(int x) { return x * 5; }\n"

static void test_rodata_carried(void **state)
{
	struct klpdiff_result r;
	struct klp_symdb *db = extract_symdb(state);
	char orig[1024], patched[1024], a[512], b[512], out[512], err[512] = "", cmd[1200];

	snprintf(orig, sizeof(orig), RODATA_TMPL, 3);
	snprintf(patched, sizeof(patched), RODATA_TMPL, 4);
	compare(state, orig, patched, &r);
	assert_int_equal(r.n_refusals, 0);
	assert_int_equal(r.n_copied_data, 1);
	assert_string_equal(r.copied_data[0], "policy");
	assert_int_equal(func(&r, "parse")->change, KLPDIFF_CHANGED);
	assert_int_equal(func(&r, "name")->change, KLPDIFF_CHANGED);
	assert_null(func(&r, "bystander"));
	/* the copy is in the extracted object, with its pointers */
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	path_in(out, sizeof(out), state, "out.o");
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	snprintf(cmd, sizeof(cmd), "readelf -SW '%s' | grep -q ' .rodata.policy '", out);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "readelf -sW '%s' | grep -q '__klp_ref.vmlinux.policy'", out);
	assert_int_not_equal(system(cmd), 0);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
}

/* ... but not when other data refers to it: what was registered keeps the old one. */
static void test_rodata_in_registered_data(void **state)
{
	struct klpdiff_result r;
	const char *tmpl =
		"static const int policy[2] = { 1, %d };\n"
		"struct ops { const int *policy; };\n"
		"const struct ops family = { policy };\n"
		"__attribute__((noinline)) int parse(int i) { return policy[i & 1]; }\n";
	char orig[512], patched[512];

	snprintf(orig, sizeof(orig), tmpl, 2);
	snprintf(patched, sizeof(patched), tmpl, 3);
	compare(state, orig, patched, &r);
	assert_non_null(refusal(&r, "policy"));
	assert_non_null(strstr(refusal(&r, "policy")->reason, ".rodata.family refers to it"));
	klpdiff_result_free(&r);
}

static void test_init_text(void **state)
{
	struct klpdiff_result r;
	const char *orig =
		"extern int printf(const char *, ...);\n"
		"__attribute__((section(\".init.text\"))) int setup_a(void) { printf(\"1\\n\"); return 0; }\n"
		"__attribute__((section(\".init.text\"))) int setup_b(void) { printf(\"2\\n\"); return 0; }\n";
	const char *patched =
		"extern int printf(const char *, ...);\n"
		"__attribute__((section(\".init.text\"))) int setup_a(void) { printf(\"1\\n\"); return 0; }\n"
		"__attribute__((section(\".init.text\"))) int setup_b(void) { printf(\"two\\n\"); return 1; }\n";

	compare(state, orig, patched, &r);
	assert_non_null(refusal(&r, "setup_b"));
	assert_non_null(strstr(refusal(&r, "setup_b")->reason, "__init code already ran"));
	assert_null(refusal(&r, "setup_a"));
	assert_null(func(&r, "setup_a"));
	klpdiff_result_free(&r);
}

static void test_notrace(void **state)
{
	struct klpdiff_result r;
	const char *orig =
		"__attribute__((no_instrument_function)) int quiet(int x) { return x + 1; }\n";
	const char *patched =
		"__attribute__((no_instrument_function)) int quiet(int x) { return x + 2; }\n";

	compare(state, orig, patched, &r);
	assert_non_null(refusal(&r, "quiet"));
	assert_non_null(strstr(refusal(&r, "quiet")->reason, "no __fentry__"));
	assert_non_null(strstr(refusal(&r, "quiet")->reason, "global"));
	klpdiff_result_free(&r);
}

#define NOTRACE "__attribute__((no_instrument_function, noinline)) "

/* A static function ftrace cannot redirect travels as a copy; its callers (traceable ones,
 * and through untraceable ones) are patched instead, unchanged as they are. */
static void test_notrace_static_carried(void **state)
{
	struct klpdiff_result r;
	const char *tmpl =
		NOTRACE "static int quiet(int x) { return x + %d; }\n"
		NOTRACE "static int relay(int x) { return quiet(x) * 3; }\n"
		"__attribute__((noinline)) int caller_a(int x) { return quiet(x) - 1; }\n"
		"__attribute__((noinline)) int caller_b(int x) { return relay(x) + 7; }\n"
		"__attribute__((noinline)) int bystander(int x) { return x * 5; }\n";
	char orig[1024], patched[1024];

	snprintf(orig, sizeof(orig), tmpl, 1);
	snprintf(patched, sizeof(patched), tmpl, 2);
	compare(state, orig, patched, &r);
	assert_int_equal(r.n_refusals, 0);
	assert_non_null(func(&r, "quiet"));
	assert_int_equal(func(&r, "quiet")->change, KLPDIFF_COPIED);
	assert_int_equal(func(&r, "relay")->change, KLPDIFF_COPIED);
	assert_int_equal(func(&r, "caller_a")->change, KLPDIFF_CHANGED);
	assert_int_equal(func(&r, "caller_b")->change, KLPDIFF_CHANGED);
	assert_null(func(&r, "bystander"));
	klpdiff_result_free(&r);
}

/* A module's global that cannot be traced (a global `inline`): carried, its callers here
 * patched, and the name left for the module's other objects; exported, it is refused. */
static void test_module_global_carried(void **state)
{
	char a[512], b[512], other[512], err[512] = "";
	const char *tmpl =
		"%s"
		NOTRACE "int quiet(int x) { return x + %d; }\n"
		"__attribute__((noinline)) int caller_a(int x) { return quiet(x) - 1; }\n";
	const char *names[] = { "quiet" };
	char orig[1024], patched[1024];
	struct klpdiff_result r = { 0 }, o = { 0 };

	snprintf(orig, sizeof(orig), tmpl, "", 1);
	snprintf(patched, sizeof(patched), tmpl, "", 2);
	build(state, "orig", orig);
	build(state, "patched", patched);
	build(state, "other", "extern int quiet(int);\n"
	      "__attribute__((noinline)) int caller_b(int x) { return quiet(x) * 2; }\n"
	      "__attribute__((noinline)) int bystander(int x) { return x * 5; }\n");
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	path_in(other, sizeof(other), state, "other.o");
	/* vmlinux: callers anywhere, refused */
	assert_int_equal(klpdiff_compare(a, b, 0, &r, err, sizeof(err)), 0);
	assert_non_null(refusal(&r, "quiet"));
	klpdiff_result_free(&r);
	/* a module's: carried, caller_a patched, quiet left for the other objects */
	assert_int_equal(klpdiff_compare(a, b, KLPDIFF_IN_MODULE, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_refusals, 0);
	assert_int_equal(func(&r, "quiet")->change, KLPDIFF_COPIED);
	assert_int_equal(func(&r, "caller_a")->change, KLPDIFF_CHANGED);
	assert_int_equal(r.n_module_wide, 1);
	assert_string_equal(r.module_wide[0], "quiet");
	klpdiff_result_free(&r);
	/* the module's other object: its caller is patched, nothing else */
	if (klpdiff_module_callers(other, other, names, 1, &o, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(o.n_refusals, 0);
	assert_int_equal(o.n_funcs, 1);
	assert_int_equal(func(&o, "caller_b")->change, KLPDIFF_CHANGED);
	klpdiff_result_free(&o);
	/* exported (EXPORT_SYMBOL's __ksymtab_ entry): other modules may call it */
	snprintf(orig, sizeof(orig), tmpl, "int __ksymtab_quiet;\n", 1);
	snprintf(patched, sizeof(patched), tmpl, "int __ksymtab_quiet;\n", 2);
	build(state, "orig", orig);
	build(state, "patched", patched);
	assert_int_equal(klpdiff_compare(a, b, KLPDIFF_IN_MODULE, &r, err, sizeof(err)), 0);
	assert_non_null(refusal(&r, "quiet"));
	assert_non_null(strstr(refusal(&r, "quiet")->reason, "exported"));
	klpdiff_result_free(&r);
	/* another object keeping its address: refused there */
	build(state, "other", "extern int quiet(int);\nextern void keep(int (*)(int));\n"
	      "__attribute__((noinline)) void setup(void) { keep(quiet); }\n");
	assert_int_equal(klpdiff_module_callers(other, other, names, 1, &o, err, sizeof(err)), 0);
	assert_non_null(refusal(&o, "quiet"));
	klpdiff_result_free(&o);
}

/* Code that takes the address of an untraceable function (to store it, as a socket keeps
 * its transmit function) is not a caller: a copy would leave the stored old one running. */
static void test_notrace_static_address_taken(void **state)
{
	struct klpdiff_result r;
	const char *tmpl =
		"extern void keep(int (*fn)(int));\n"
		NOTRACE "static int quiet(int x) { return x + %d; }\n"
		"__attribute__((noinline)) int caller_a(int x) { return quiet(x) - 1; }\n"
		"__attribute__((noinline)) void setup(void) { keep(quiet); }\n";
	char orig[1024], patched[1024];

	snprintf(orig, sizeof(orig), tmpl, 1);
	snprintf(patched, sizeof(patched), tmpl, 2);
	compare(state, orig, patched, &r);
	assert_non_null(refusal(&r, "quiet"));
	assert_non_null(strstr(refusal(&r, "quiet")->reason, "setup takes its address"));
	klpdiff_result_free(&r);
}

/* ... but not when its address sits in data: whoever reads it keeps the old one. */
static void test_notrace_static_in_table(void **state)
{
	struct klpdiff_result r;
	const char *tmpl =
		NOTRACE "static int quiet(int x) { return x + %d; }\n"
		"int (*const ops[])(int) = { quiet };\n"
		"__attribute__((noinline)) int caller(int x) { return quiet(x); }\n";
	char orig[512], patched[512];

	snprintf(orig, sizeof(orig), tmpl, 1);
	snprintf(patched, sizeof(patched), tmpl, 2);
	compare(state, orig, patched, &r);
	assert_non_null(refusal(&r, "quiet"));
	assert_non_null(strstr(refusal(&r, "quiet")->reason, "address is stored in .rodata.ops"));
	klpdiff_result_free(&r);
}

/* The x86 BUG()/WARN() layout: the line number lives in __bug_table, not in the code. */
#define BUGDEF                                                                              \
	"#define MYBUG() asm volatile(\"1: ud2\\n\\t.pushsection __bug_table,\\\"aw\\\"\\n\\t" \
	"2: .long 1b - 2b\\n\\t.long %c0 - 2b\\n\\t.word %c1\\n\\t.word 0\\n\\t.org 2b+12\\n\\t" \
	".popsection\" : : \"i\"(__FILE__), \"i\"(__LINE__))\n"

static void test_line_numbers_only(void **state)
{
	struct klpdiff_result r;
	const char *orig = BUGDEF
		"extern int printf(const char *, ...);\n"
		"int first(int x) { printf(\"first\\n\"); return x + 1; }\n"
		"int checked(int x) { if (x < 0) MYBUG(); return x * 2; }\n";
	const char *patched = BUGDEF
		"extern int printf(const char *, ...);\n"
		"int first(int x)\n{\n\tprintf(\"first\\n\");\n\treturn x + 1;\n}\n\n\n"
		"int checked(int x) { if (x < 0) MYBUG(); return x * 2; }\n";

	compare(state, orig, patched, &r);
	assert_int_equal(r.n_funcs, 0);
	assert_int_equal(r.n_refusals, 0);
	klpdiff_result_free(&r);
}

static void test_symdb(void **state)
{
	char map[512], symvers[512], err[256] = "";
	struct klp_symdb *db;
	unsigned long pos = 99;
	const char *anchors_a[] = { "file_a_global", "data_a", NULL };
	const char *anchors_b[] = { "file_b_global", NULL };
	const char *anchors_none[] = { "not_there", NULL };

	path_in(map, sizeof(map), state, "System.map");
	path_in(symvers, sizeof(symvers), state, "Module.symvers");
	write_text(map, "ffffffff81000000 T _stext\n"
			"ffffffff81001000 T file_a_global\n"
			"ffffffff81001100 t show\n"
			"ffffffff81001200 t unique_local\n"
			"ffffffff81005000 T file_b_global\n"
			"ffffffff81005100 t show\n"
			"ffffffff81006000 T printk\n"
			"ffffffff82000000 D data_a\n"
			"ffffffff82000010 d count\n"
			"ffffffff82000800 d count\n"
			"ffffffff82001000 D data_b\n"
			"0000000000000000 A abs_sym\n");
	write_text(symvers, "0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
			    "0x9abcdef0\text4_thing\tfs/ext4/ext4\tEXPORT_SYMBOL_GPL\t\n");
	if (klp_symdb_load(map, symvers, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(klp_symdb_exported(db, "printk"));
	assert_true(klp_symdb_exported(db, "ext4_thing"));
	assert_false(klp_symdb_exported(db, "show"));
	/* the exporter, by module name: a patch to ext4 reaches ext4_thing by relocation */
	assert_string_equal(klp_symdb_exporter(db, "printk"), "vmlinux");
	assert_string_equal(klp_symdb_exporter(db, "ext4_thing"), "ext4");
	assert_null(klp_symdb_exporter(db, "show"));
	assert_int_equal(klp_symdb_sympos(db, "unique_local", anchors_a, &pos), 0);
	assert_int_equal(pos, 0);
	assert_int_equal(klp_symdb_sympos(db, "show", anchors_a, &pos), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(klp_symdb_sympos(db, "show", anchors_b, &pos), 0);
	assert_int_equal(pos, 2);
	/* data: the same-class anchor (data_a) decides, not the nearer text anchors */
	assert_int_equal(klp_symdb_sympos(db, "count", anchors_a, &pos), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(klp_symdb_sympos(db, "show", anchors_none, &pos), -ENOTUNIQ);
	assert_int_equal(klp_symdb_sympos(db, "show", NULL, &pos), -ENOTUNIQ);
	assert_int_equal(klp_symdb_sympos(db, "missing", anchors_a, &pos), -ENOENT);
	assert_int_equal(klp_symdb_sympos(db, "abs_sym", anchors_a, &pos), -ENOENT);
	klp_symdb_free(db);

	write_text(map, "not a map\n");
	assert_int_equal(klp_symdb_load(map, NULL, &db, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "System.map:1"));
}

static void test_extract(void **state)
{
	char out[512], cmd[1200];
	GElf_Sym s;
	GElf_Shdr sh;

	extract(state, "out.o");
	path_in(out, sizeof(out), state, "out.o");
	snprintf(cmd, sizeof(cmd), "readelf -SsrW '%s' >/dev/null 2>&1", out);
	assert_int_equal(system(cmd), 0);
	assert_true(elf_symbol(out, "show", &s));
	assert_int_equal(GELF_ST_BIND(s.st_info), STB_GLOBAL);
	assert_int_equal(GELF_ST_TYPE(s.st_info), STT_FUNC);
	assert_int_not_equal(s.st_shndx, SHN_UNDEF);
	assert_false(elf_symbol(out, "untouched", &s));
	/* static data and functions of the kernel: livepatch references */
	assert_true(elf_symbol(out, "__klp_ref.vmlinux.bump.0", &s));
	assert_int_equal(s.st_shndx, SHN_UNDEF);
	assert_int_equal(GELF_ST_BIND(s.st_info), STB_GLOBAL);
	assert_true(elf_symbol(out, "__klp_ref.vmlinux.count.1", &s));
	assert_int_equal(s.st_shndx, SHN_UNDEF);
	/* exported: plain */
	assert_true(elf_symbol(out, "printf", &s));
	assert_int_equal(s.st_shndx, SHN_UNDEF);
	assert_true(elf_symbol(out, "__fentry__", &s));
	assert_true(elf_section(out, ".text.show", &sh));
	assert_true(sh.sh_flags & SHF_EXECINSTR);
	assert_true(elf_section(out, "__mcount_loc", &sh));
	assert_int_equal(sh.sh_size, 8);
	assert_true(elf_section(out, ".rodata.__func__.0", &sh));
	assert_false(elf_section(out, ".text.untouched", &sh));
	assert_false(elf_section(out, ".bss.count", &sh));
	/* the module links */
	snprintf(cmd, sizeof(cmd), "ld -r -o '%s.linked' '%s'", out, out);
	assert_int_equal(system(cmd), 0);
}

/* Three functions with one alternative each, struct alt_instr laid out with FLAGS between the
 * two offsets and the two lengths: ".word 0" is 6.1's u16 cpuid (12-byte entries), ".long 0"
 * 6.12's u32 ft_flags (14-byte entries). */
#define ALT_SRC(flags, text)                                                                 \
	"extern int printf(const char *, ...);\n"                                          \
	"#define ALT asm volatile(\"661:\\n\\tnop\\n\\tnop\\n662:\\n\" \\\n"                 \
	"\t\".pushsection .altinstructions,\\\"a\\\"\\n\\t.long 661b - .\\n\" \\\n"             \
	"\t\"\\t.long 6641f - .\\n\\t" flags "\\n\\t.byte 662b-661b\\n\" \\\n"                 \
	"\t\"\\t.byte 6642f-6641f\\n.popsection\\n\" \\\n"                                  \
	"\t\".pushsection .altinstr_replacement,\\\"ax\\\"\\n6641:\\n\\tpause\\n6642:\\n\" \\\n" \
	"\t\".popsection\\n\")\n"                                                        \
	"int first(int x) { ALT; return x + 1; }\n"                                       \
	"int show(int x) { ALT; printf(\"" text " %d\\n\", x); return x; }\n"               \
	"int last(int x) { ALT; return x - 1; }\n"

/* Extracts the changed middle function and checks its one alternative came along whole. */
static void alt_extract(void **state, const char *orig, const char *patched, size_t entsize)
{
	char a[512], b[512], out[512], map[512], cmd[1200], err[512] = "";
	struct klpdiff_result r;
	struct klp_symdb *db;
	GElf_Shdr sh;

	path_in(map, sizeof(map), state, "System.map");
	write_text(map, "ffffffff81001000 T first\nffffffff81001100 T show\n"
			"ffffffff81001200 T last\nffffffff81003000 T printf\n"
			"ffffffff81004000 T __fentry__\n");
	if (klp_symdb_load(map, NULL, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	compare(state, orig, patched, &r);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "show");
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	assert_true(elf_section(b, ".altinstructions", &sh));
	assert_int_equal(sh.sh_size, 3 * entsize);
	path_in(out, sizeof(out), state, "alt.o");
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
	/* show's entry alone, whole, with both its relocations and its replacement bytes */
	assert_true(elf_section(out, ".altinstructions", &sh));
	assert_int_equal(sh.sh_size, entsize);
	assert_true(elf_section(out, ".altinstr_replacement", &sh));
	snprintf(cmd, sizeof(cmd), "test \"$(readelf -rW '%s' | sed -n '/.rela.altinstructions/,/^$/p' "
		 "| grep -c -e '.text.show' -e '.altinstr_replacement')\" = 2", out);
	assert_int_equal(system(cmd), 0);
}

static void test_alternatives_6_1(void **state)
{
	alt_extract(state, ALT_SRC(".word 0", "show"), ALT_SRC(".word 0", "show!"), 12);
}

static void test_alternatives_6_12(void **state)
{
	alt_extract(state, ALT_SRC(".long 0", "show"), ALT_SRC(".long 0", "show!"), 14);
}

/* Code outside function symbols, reached from functions: each function's alternative has a
 * replacement that jumps back into it (so it names an offset of its function), and first()
 * has static_cpu_has()'s slow path in .altinstr_aux. ORPHAN is a byte nothing reaches. */
static const char orphan_body[] =
	"extern int printf(const char *, ...);\n"
	"extern unsigned char caps;\n"
	"asm(\".pushsection .altinstr_aux,\\\"ax\\\"\\n\\t.byte \" ORPHAN \"\\n.popsection\");\n"
	"#define ALT(r) asm volatile(\"661:\\n\\tnop\\n\\tnop\\n662:\\n\" \\\n"
	"\t\".pushsection .altinstructions,\\\"a\\\"\\n\\t.long 661b - .\\n\" \\\n"
	"\t\"\\t.long 6641f - .\\n\\t.word 0\\n\\t.byte 662b-661b\\n\" \\\n"
	"\t\"\\t.byte 6642f-6641f\\n.popsection\\n\" \\\n"
	"\t\".pushsection .altinstr_replacement,\\\"ax\\\"\\n6641:\\n\\t\" r \"\\n\\tjmp 662b\\n\" \\\n"
	"\t\"6642:\\n.popsection\\n\")\n"
	"#define AUX(bit) asm goto(\"jmp 6f\\n.pushsection .altinstr_aux,\\\"ax\\\"\\n6:\\n\" \\\n"
	"\t\"\\ttestb $\" bit \", caps(%%rip)\\n\\tjnz %l[yes]\\n\\tjmp %l[no]\\n.popsection\\n\" \\\n"
	"\t: : : : yes, no); no: return 0; yes:\n"
	"int first(int x) { AUX(BIT); return x + 1; }\n"
	"int show(int x) { printf(\"show %d\\n\", SHOWARG); ALT(\"pause\"); return x; }\n"
	"int last(int x) { ALT(REPL); return x - 1; }\n";

static void orphan_compare(void **state, const char *show_arg, const char *repl, const char *bit,
			   const char *orphan, struct klpdiff_result *r)
{
	char orig[4096], patched[4096];
	const char *head = "#define SHOWARG %s\n#define REPL \"%s\"\n#define BIT \"%s\"\n"
			   "#define ORPHAN \"%s\"\n%s";

	snprintf(orig, sizeof(orig), head, "x", "pause", "1", "0", orphan_body);
	snprintf(patched, sizeof(patched), head, show_arg, repl, bit, orphan, orphan_body);
	compare(state, orig, patched, r);
}

/* show changed before its alternative: its replacement's jump back moved, and so did
 * .altinstr_replacement; that piece travels with show, nothing else changes. */
static void test_orphan_piece_of_changed(void **state)
{
	struct klpdiff_result r;

	orphan_compare(state, "x + 1", "pause", "1", "0", &r);
	assert_int_equal(r.n_refusals, 0);
	assert_int_equal(r.n_funcs, 1);
	assert_non_null(func(&r, "show"));
	klpdiff_result_free(&r);
}

/* last's own code is the same but its replacement changed: last is patched. */
static void test_orphan_replacement_changed(void **state)
{
	struct klpdiff_result r;

	orphan_compare(state, "x", "lfence", "1", "0", &r);
	assert_int_equal(r.n_refusals, 0);
	assert_int_equal(r.n_funcs, 1);
	assert_non_null(func(&r, "last"));
	assert_int_equal(func(&r, "last")->change, KLPDIFF_CHANGED);
	klpdiff_result_free(&r);
}

/* first's slow path in .altinstr_aux tests another bit: first is patched. */
static void test_orphan_aux_changed(void **state)
{
	struct klpdiff_result r;

	orphan_compare(state, "x", "pause", "2", "0", &r);
	assert_int_equal(r.n_refusals, 0);
	assert_int_equal(r.n_funcs, 1);
	assert_non_null(func(&r, "first"));
	klpdiff_result_free(&r);
}

/* first's slow path travels with it, alone: the extract links, and its .altinstr_aux holds
 * first's piece, not the byte before it nothing reaches. */
static void test_orphan_extract(void **state)
{
	char a[512], b[512], out[512], map[512], cmd[1200], err[512] = "";
	struct klpdiff_result r;
	struct klp_symdb *db;
	GElf_Shdr sh, whole;

	orphan_compare(state, "x", "pause", "2", "0", &r);
	path_in(map, sizeof(map), state, "System.map");
	write_text(map, "ffffffff81001000 T first\nffffffff81001100 T show\n"
			"ffffffff81001200 T last\nffffffff81003000 T printf\n"
			"ffffffff81005000 D caps\nffffffff81004000 T __fentry__\n");
	if (klp_symdb_load(map, NULL, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	path_in(out, sizeof(out), state, "aux.o");
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
	assert_true(elf_section(b, ".altinstr_aux", &whole));
	assert_true(elf_section(out, ".altinstr_aux", &sh));
	assert_int_equal(sh.sh_size, whole.sh_size - 1);
	/* its jumps back land in first's copy */
	snprintf(cmd, sizeof(cmd), "test \"$(readelf -rW '%s' | sed -n '/.rela.altinstr_aux/,/^$/p' "
		 "| grep -c 'first')\" = 2", out);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "ld -r -o '%s.linked' '%s'", out, out);
	assert_int_equal(system(cmd), 0);
}

/* A changed byte no function reaches cannot be redirected. */
static void test_orphan_unreached(void **state)
{
	struct klpdiff_result r;

	orphan_compare(state, "x", "pause", "1", "1", &r);
	assert_int_equal(r.n_funcs, 0);
	assert_non_null(refusal(&r, ".altinstr_aux"));
	assert_non_null(strstr(refusal(&r, ".altinstr_aux")->reason, "no function"));
	klpdiff_result_free(&r);
}

/* IBT (6.12): a patched function that newly takes the address of a local function the
 * original object only calls. gcc gives such a function no ENDBR (nothing can call it
 * indirectly), so the running kernel's copy would fault when called through the pointer
 * on a CPU with IBT, and QEMU's TCG (the vet) has no IBT to show it. The ENDBR gcc adds
 * once the address is taken makes the function differ: it must travel with the patch. */
#define IBT_HEAD                                                                             \
	"extern int printf(const char *, ...);\n"                                          \
	"extern void run(int (*fn)(int));\n"                                               \
	"__attribute__((noipa)) static int cb(int x) { return printf(\"%d\", x); }\n"
#define IBT_ORIG IBT_HEAD "int show(int x) { return cb(x) + 1; }\n"
#define IBT_PATCHED IBT_HEAD "int show(int x) { run(cb); return 1; }\n"

/* Compares and extracts with objects built with extra flags; out.o in the test directory. */
static void ibt_extract(void **state, const char *extra, bool *cb_changed)
{
	char a[512], b[512], out[512], map[512], err[512] = "";
	struct klpdiff_result r;
	struct klp_symdb *db;

	path_in(map, sizeof(map), state, "System.map");
	write_text(map, "ffffffff81001000 t cb\nffffffff81001100 T show\n"
			"ffffffff81002000 T run\nffffffff81003000 T printf\n"
			"ffffffff81004000 T __fentry__\n");
	if (klp_symdb_load(map, NULL, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	build_with(state, "orig", IBT_ORIG, extra);
	build_with(state, "patched", IBT_PATCHED, extra);
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	if (klpdiff_compare(a, b, 0, &r, err, sizeof(err)) != 0)
		fail_msg("compare: %s", err);
	assert_non_null(func(&r, "show"));
	*cb_changed = func(&r, "cb") != NULL;
	path_in(out, sizeof(out), state, "out.o");
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
}

static void test_ibt_address_taken(void **state)
{
	char out[512];
	bool changed;
	GElf_Sym s;

	path_in(out, sizeof(out), state, "out.o");
	ibt_extract(state, "-fcf-protection=branch", &changed);
	assert_true(changed);
	assert_true(elf_symbol(out, "cb", &s));
	assert_int_not_equal(s.st_shndx, SHN_UNDEF);
	assert_false(has_symbol_prefix(out, "__klp_ref.vmlinux.cb."));
	/* without IBT (6.1) the function is the same: the patch refers to the kernel's */
	ibt_extract(state, "-fcf-protection=none", &changed);
	assert_false(changed);
	assert_true(has_symbol_prefix(out, "__klp_ref.vmlinux.cb."));
}

/* A fix adding a mutex_init() (6.12 fixes often do): a new lock class key, an empty object
 * without lockdep, holds no state and travels with the patch. */
#define KEY_HEAD                                                                             \
	"struct lock_class_key { };\n"                                                      \
	"extern void init(void *o, const char *n, struct lock_class_key *k);\n"             \
	"#define INIT(o) do { static struct lock_class_key __key; init(o, #o, &__key); } while (0)\n"

static void test_new_empty_key(void **state)
{
	char a[512], b[512], out[512], map[512], cmd[1200], err[512] = "";
	struct klpdiff_result r;
	struct klp_symdb *db;

	compare(state, KEY_HEAD "int show(void *a, void *b) { INIT(a); return 0; }\n",
		KEY_HEAD "int show(void *a, void *b) { INIT(a); INIT(b); return 0; }\n", &r);
	assert_int_equal(r.n_refusals, 0);
	assert_non_null(func(&r, "show"));
	path_in(map, sizeof(map), state, "System.map");
	write_text(map, "ffffffff81001100 T show\nffffffff81002000 T init\n"
			"ffffffff81004000 T __fentry__\nffffffff82000000 b __key.0\n");
	if (klp_symdb_load(map, NULL, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	path_in(a, sizeof(a), state, "orig.o");
	path_in(b, sizeof(b), state, "patched.o");
	path_in(out, sizeof(out), state, "out.o");
	if (klpdiff_extract(b, a, &r, db, "vmlinux", NULL, out, err, sizeof(err)) != 0)
		fail_msg("extract: %s", err);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
	/* the new key is the module's own (its section travels, show's code refers to it);
	 * the one the kernel has is a livepatch reference */
	snprintf(cmd, sizeof(cmd), "readelf -rW '%s' | grep -q ' R_X86_64_32S .* \\.bss\\.__key\\.'",
		 out);
	assert_int_equal(system(cmd), 0);
	assert_true(has_symbol_prefix(out, "__klp_ref.vmlinux.__key."));
	snprintf(cmd, sizeof(cmd), "ld -r -o '%s.linked' '%s'", out, out);
	assert_int_equal(system(cmd), 0);
}

static void test_convert(void **state)
{
	char out[512], linked[600], cmd[1500], err[512] = "";
	GElf_Sym s;
	GElf_Shdr sh;
	int n;

	extract(state, "out.o");
	path_in(out, sizeof(out), state, "out.o");
	snprintf(linked, sizeof(linked), "%s.ko", out);
	snprintf(cmd, sizeof(cmd), "ld -r -o '%s' '%s'", linked, out);
	assert_int_equal(system(cmd), 0);
	n = klp_convert(linked, err, sizeof(err));
	if (n < 0)
		fail_msg("convert: %s", err);
	/* count++ (one or two accesses), bump() */
	assert_true(n >= 2);
	assert_true(elf_section(linked, ".klp.rela.vmlinux..text.show", &sh));
	assert_int_equal(sh.sh_type, SHT_RELA);
	assert_true(sh.sh_flags & 0x00100000);
	assert_true(sh.sh_flags & SHF_ALLOC);
	assert_true(elf_symbol(linked, ".klp.sym.vmlinux.count,1", &s));
	assert_int_equal(s.st_shndx, 0xff20);
	assert_int_equal(GELF_ST_BIND(s.st_info), STB_GLOBAL);
	assert_true(elf_symbol(linked, ".klp.sym.vmlinux.bump,0", &s));
	assert_false(has_symbol_prefix(linked, "__klp_ref"));
	assert_true(elf_symbol(linked, "printf", &s));
	assert_int_equal(s.st_shndx, SHN_UNDEF);
	snprintf(cmd, sizeof(cmd), "readelf -SsrW '%s' | grep -q 'klp.sym.vmlinux.bump,0 - 4'",
		 linked);
	assert_int_equal(system(cmd), 0);
	/* idempotent: nothing left to convert */
	assert_int_equal(klp_convert(linked, err, sizeof(err)), 0);
}

/* A symbol of another module (OBJ:SYMOBJ): its relocation goes with the patched module's,
 * the symbol names the exporter; a malformed reference is refused. */
static void test_convert_cross_module(void **state)
{
	char o[512], ko[600], cmd[3000], err[512] = "";
	GElf_Sym s;
	GElf_Shdr sh;
	int n;

	/* the assembler takes no ':' in a name; the extractor writes ELF directly */
	build(state, "cross",
	      "extern int jbd2_thing(int) __asm__(\"cross_ref\");\n"
	      "extern int own(int) __asm__(\"__klp_ref.ext4.ext4_local.0\");\n"
	      "int f(int x) { return jbd2_thing(x) + own(x); }\n");
	path_in(o, sizeof(o), state, "cross.o");
	snprintf(ko, sizeof(ko), "%s.ko", o);
	snprintf(cmd, sizeof(cmd), "objcopy --redefine-sym 'cross_ref=__klp_ref.ext4:jbd2.jbd2_thing.0' "
		 "'%s' && ld -r -o '%s' '%s'", o, ko, o);
	assert_int_equal(system(cmd), 0);
	n = klp_convert(ko, err, sizeof(err));
	if (n < 0)
		fail_msg("convert: %s", err);
	assert_int_equal(n, 2);
	assert_true(elf_symbol(ko, ".klp.sym.jbd2.jbd2_thing,0", &s));
	assert_int_equal(s.st_shndx, 0xff20);
	assert_true(elf_symbol(ko, ".klp.sym.ext4.ext4_local,0", &s));
	/* one section, the patched module's: applied when ext4 is there, jbd2 with it */
	assert_true(elf_section(ko, ".klp.rela.ext4..text.f", &sh));
	assert_false(elf_section(ko, ".klp.rela.jbd2..text.f", &sh));
	snprintf(cmd, sizeof(cmd), "readelf -rW '%s' | grep -A3 'klp.rela.ext4..text.f' | "
		 "grep -q 'klp.sym.jbd2.jbd2_thing,0'", ko);
	assert_int_equal(system(cmd), 0);

	for (int i = 0; i < 3; i++) {
		static const char *const bad[] = { "__klp_ref.ext4:.x.0", "__klp_ref.:jbd2.x.0",
						   "__klp_ref.ext4:jbd2:mb.x.0" };
		char src[256];

		snprintf(src, sizeof(src), "extern int g(void) __asm__(\"bad_ref\");\n"
			 "int f(void) { return g(); }\n");
		build(state, "bad", src);
		path_in(o, sizeof(o), state, "bad.o");
		snprintf(ko, sizeof(ko), "%s.ko", o);
		snprintf(cmd, sizeof(cmd), "objcopy --redefine-sym 'bad_ref=%s' '%s' && "
			 "ld -r -o '%s' '%s'", bad[i], o, ko, o);
		assert_int_equal(system(cmd), 0);
		err[0] = '\0';
		assert_int_equal(klp_convert(ko, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, bad[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inline_callers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_of_changed_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_initialiser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_static_variable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rodata_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rodata_in_registered_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notrace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notrace_static_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notrace_static_in_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notrace_static_address_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_global_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_numbers_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symdb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alternatives_6_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alternatives_6_12, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_piece_of_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_replacement_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_aux_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_extract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_unreached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ibt_address_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_empty_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_convert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_convert_cross_module, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
