/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A module's symbols for livepatch positions: a small module linked at test time (ld -r of
 * three objects, two of them keeping their own copy of a header's static inline, one with a
 * copy in init code), read plain and xz-compressed, and the generator's lookup of a module's
 * .ko through modules.dep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "generate/generate.h"
#include "generate/klpdiff/klpdiff.h"

/* as kbuild builds a distribution's modules: one .text per object, merged by the link */
#define CFLAGS "-c -O2 -fno-pie -fno-pic -mcmodel=kernel -fno-asynchronous-unwind-tables -w"

static const char header[] =
	"static inline __attribute__((noinline)) int twice(int x) { return x * 2 + 1; }\n";
static const char src_a[] =
	"#include \"common.h\"\n"
	"static __attribute__((noinline)) int a_helper(int x) { return x ^ 7; }\n"
	"int a_entry(int x) { return twice(x) + 3; }\n"
	"int a_second(int x) { return a_helper(x) + twice(x); }\n"
	"int a_count = 4;\n";
static const char src_b[] =
	"#include \"common.h\"\n"
	"int b_entry(int x) { return twice(x) - 5; }\n"
	"int b_other(int x) { return twice(x + 1) * 3; }\n";
/* its copy is init code: gone once the module is loaded, and not counted by the kernel */
static const char src_c[] =
	"static __attribute__((noinline, section(\".init.text\"))) int twice(int x) "
	"{ return x * 3; }\n"
	"__attribute__((section(\".init.text\"))) int c_init(int x) { return twice(x); }\n"
	"int c_entry(int x) { return x + 11; }\n";

/* what object_symbols() gives for each object: every name it defines, the copy included */
static const char *const anchors_a[] = { "a_count", "a_entry", "a_helper", "a_second", "twice",
					 NULL };
static const char *const anchors_b[] = { "b_entry", "b_other", "twice", NULL };
static const char *const anchors_none[] = { "twice", "nowhere", NULL };
/* a's variable alone: offsets in .data say nothing of where a's code is in .text */
static const char *const anchors_data[] = { "a_count", "twice", NULL };

static int setup(void **state)
{
	char *dir = strdup("/tmp/tuxtape-modsyms.XXXXXX");

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

static void write_in(void **state, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", (char *)*state, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void run_in(void **state, const char *cmd)
{
	char line[2048];

	snprintf(line, sizeof(line), "cd '%s' && %s", (char *)*state, cmd);
	assert_int_equal(system(line), 0);
}

/* my_mod.ko linked from b.o, c.o, a.o in that order */
static void build_module(void **state)
{
	write_in(state, "common.h", header);
	write_in(state, "a.c", src_a);
	write_in(state, "b.c", src_b);
	write_in(state, "c.c", src_c);
	run_in(state, "gcc " CFLAGS " -o a.o a.c && gcc " CFLAGS " -o b.o b.c && "
		      "gcc " CFLAGS " -o c.o c.c && ld -r -o my_mod.ko b.o c.o a.o");
}

static struct klp_symdb *load(void **state, const char *name)
{
	char path[512], err[256] = "";
	struct klp_symdb *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", (char *)*state, name);
	if (klp_symdb_load_module(path, &db, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return db;
}

static void check_positions(struct klp_symdb *db)
{
	unsigned long pos = 99;

	/* b's copy comes first in the link, c's is init code, a's is second */
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_b, &pos), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_a, &pos), 0);
	assert_int_equal(pos, 2);
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_none, &pos), -ENOTUNIQ);
	assert_int_equal(klp_symdb_sympos(db, "twice", NULL, &pos), -ENOTUNIQ);
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_data, &pos), -ENOTUNIQ);
	assert_int_equal(klp_symdb_sympos(db, "a_helper", anchors_a, &pos), 0);
	assert_int_equal(pos, 0);
	assert_int_equal(klp_symdb_sympos(db, "c_init", anchors_a, &pos), -ENOENT);
	assert_int_equal(klp_symdb_sympos(db, "missing", anchors_a, &pos), -ENOENT);
	assert_false(klp_symdb_exported(db, "a_entry"));
}

static void test_positions(void **state)
{
	struct klp_symdb *db;

	build_module(state);
	db = load(state, "my_mod.ko");
	check_positions(db);
	klp_symdb_free(db);
}

/* the other link order swaps the positions: they are the link's, not the names' */
static void test_link_order(void **state)
{
	struct klp_symdb *db;
	unsigned long pos = 99;

	build_module(state);
	run_in(state, "ld -r -o swapped.ko a.o c.o b.o");
	db = load(state, "swapped.ko");
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_a, &pos), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(klp_symdb_sympos(db, "twice", anchors_b, &pos), 0);
	assert_int_equal(pos, 2);
	klp_symdb_free(db);
}

static void test_compressed(void **state)
{
	struct klp_symdb *db;

	build_module(state);
	run_in(state, "xz -k my_mod.ko");
	db = load(state, "my_mod.ko.xz");
	check_positions(db);
	klp_symdb_free(db);
}

static void test_broken(void **state)
{
	char path[512], err[256] = "";
	struct klp_symdb *db = NULL;

	write_in(state, "bad.ko", "not an ELF file\n");
	snprintf(path, sizeof(path), "%s/bad.ko", (char *)*state);
	assert_int_equal(klp_symdb_load_module(path, &db, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "bad.ko"));
	assert_null(db);
	snprintf(path, sizeof(path), "%s/absent.ko.xz", (char *)*state);
	assert_true(klp_symdb_load_module(path, &db, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "absent.ko.xz"));
}

#define KLP_CFLAGS "-c -O2 -fno-pie -fno-pic -mcmodel=kernel -ffunction-sections " \
	"-fdata-sections -mfentry -pg -mrecord-mcount -fno-asynchronous-unwind-tables -w"

/* a_entry changed: the extracted copy calls a's own twice, by a livepatch relocation */
static int extract_ref(void **state, bool with_module, char *err, size_t errlen)
{
	char dir[256], path[512], map[512], symvers[512], ko[512], orig[512], patched[512],
	     out[512];
	struct klp_symdb *db = NULL, *mdb = NULL;
	struct klpdiff_result r;
	int k;

	snprintf(dir, sizeof(dir), "%s", (char *)*state);
	snprintf(map, sizeof(map), "%s/System.map", dir);
	snprintf(symvers, sizeof(symvers), "%s/Module.symvers", dir);
	snprintf(ko, sizeof(ko), "%s/my_mod.ko", dir);
	snprintf(orig, sizeof(orig), "%s/a_orig.o", dir);
	snprintf(patched, sizeof(patched), "%s/a_patched.o", dir);
	snprintf(out, sizeof(out), "%s/fix.o", dir);
	write_in(state, "System.map", "ffffffff81004000 T __fentry__\n");
	write_in(state, "Module.symvers", "0x12345679\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n");
	snprintf(path, sizeof(path), "%.*s", (int)(strstr(src_a, "+ 3;") - src_a), src_a);
	strcat(path, "+ 4; }\nint a_second(int x) { return a_helper(x) + twice(x); }\n"
		     "int a_count = 4;\n");
	write_in(state, "a2.c", path);
	run_in(state, "gcc " KLP_CFLAGS " -o a_orig.o a.c && gcc " KLP_CFLAGS " -o a_patched.o a2.c");
	if (klp_symdb_load(map, symvers, &db, err, errlen) != 0)
		fail_msg("%s", err);
	if (with_module) {
		if (klp_symdb_load_module(ko, &mdb, err, errlen) != 0)
			fail_msg("%s", err);
		assert_int_equal(klp_symdb_add_module(db, "my_mod", mdb), 0);
		assert_ptr_equal(klp_symdb_module(db, "my_mod"), mdb);
	}
	assert_int_equal(klpdiff_compare(orig, patched, KLPDIFF_IN_MODULE, &r, err, errlen), 0);
	assert_int_equal(r.n_funcs, 1);
	assert_string_equal(r.funcs[0].name, "a_entry");
	k = klpdiff_extract(patched, orig, &r, db, "my_mod", NULL, out, err, errlen);
	klpdiff_result_free(&r);
	klp_symdb_free(db);
	return k;
}

static void test_extract_ref(void **state)
{
	char err[512] = "";

	build_module(state);
	/* without the module's symbols: position 0, as before */
	if (extract_ref(state, false, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	run_in(state, "nm fix.o | grep -q ' U __klp_ref.my_mod.twice.0$'");
	/* with them: a's copy is the second in the link */
	if (extract_ref(state, true, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	run_in(state, "nm fix.o | grep -q ' U __klp_ref.my_mod.twice.2$'");
	/* a module where nothing of a's tells its copy apart: refused, not guessed */
	write_in(state, "d.c", "#include \"common.h\"\nint d_entry(int x) { return twice(x); }\n");
	run_in(state, "gcc " CFLAGS " -o d.o d.c && ld -r -o my_mod.ko b.o c.o d.o");
	assert_int_equal(extract_ref(state, true, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "'twice' has several copies in module my_mod"));
}

/* the generator: the .ko named in modules.dep, or why there is none */
static void test_gen_lookup(void **state)
{
	char dir[256], a_o[512], b_o[512], why[512] = "";
	struct gen_object objs[2] = { { .objname = (char *)"my_mod", .orig_o = a_o },
				      { .objname = (char *)"my_mod", .orig_o = b_o } };
	struct gen_ctx c = { .k = { .name = (char *)"t" }, .objs = objs, .n_objs = 1 };
	struct klp_symdb *db = NULL;
	unsigned long pos = 99;
	char *missing = NULL;

	build_module(state);
	snprintf(dir, sizeof(dir), "%s", (char *)*state);
	snprintf(a_o, sizeof(a_o), "%s/a.o", dir);
	snprintf(b_o, sizeof(b_o), "%s/b.o", dir);

	/* no modules directory: position 0 unless the objects built here show two copies */
	assert_int_equal(gen_module_symdb(&c, "my_mod", &db, &missing), 0);
	assert_null(db);
	assert_non_null(strstr(missing, "--modules"));
	assert_int_equal(gen_module_sympos(&c, 0, "twice", NULL, missing, NULL, &pos, why,
					   sizeof(why)), 0);
	assert_int_equal(pos, 0);
	c.n_objs = 2;
	assert_int_equal(gen_module_sympos(&c, 0, "twice", NULL, missing, NULL, &pos, why,
					   sizeof(why)), -ECANCELED);
	assert_non_null(strstr(why, "defined in 2 objects of module my_mod"));
	free(missing);
	missing = NULL;

	/* named with '-' and compressed, as depmod lists it */
	run_in(state, "mkdir -p kernel/drivers && xz -c my_mod.ko >kernel/drivers/my-mod.ko.xz && "
		      "printf 'kernel/other.ko:\\nkernel/drivers/my-mod.ko.xz: kernel/other.ko\\n' "
		      ">modules.dep");
	c.k.modules = dir;
	assert_int_equal(gen_module_symdb(&c, "my_mod", &db, &missing), 0);
	assert_null(missing);
	assert_non_null(db);
	assert_int_equal(gen_module_sympos(&c, 0, "twice", db, NULL, anchors_a, &pos, why,
					   sizeof(why)), 0);
	assert_int_equal(pos, 2);
	assert_int_equal(gen_module_sympos(&c, 1, "twice", db, NULL, anchors_b, &pos, why,
					   sizeof(why)), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(gen_module_sympos(&c, 0, "twice", db, NULL, anchors_none, &pos, why,
					   sizeof(why)), -ECANCELED);
	assert_non_null(strstr(why, "cannot tell which"));
	assert_int_equal(gen_module_sympos(&c, 0, "gone", db, NULL, anchors_a, &pos, why,
					   sizeof(why)), -ECANCELED);
	assert_non_null(strstr(why, "not among the symbols of module my_mod"));
	klp_symdb_free(db);

	/* a module modules.dep does not list (my_mo is a prefix of my-mod's name, not it) */
	assert_int_equal(gen_module_symdb(&c, "my_mo", &db, &missing), 0);
	assert_null(db);
	assert_non_null(strstr(missing, "does not list module my_mo"));
	free(missing);
	missing = NULL;

	/* a listed .ko that is not one fails */
	run_in(state, "echo junk >kernel/other.ko");
	assert_true(gen_module_symdb(&c, "other", &db, &missing) < 0);
	assert_null(db);
	assert_non_null(strstr(missing, "other.ko"));
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extract_ref, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
