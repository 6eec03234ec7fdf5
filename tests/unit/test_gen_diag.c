/* SPDX-License-Identifier: GPL-2.0-only */
/* A patched build that does not compile: gcc's errors read, definitions found in a header,
 * carried definitions placed in a .c file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "generate/gen_diag.h"

/* gcc 12's words, in a UTF-8 locale (‘’) and in the C locale (''). */
static const char log_text[] =
	"  CC      fs/f2fs/super.o\n"
	"In file included from fs/f2fs/super.c:30:\n"
	"fs/f2fs/super.c:1622:9: error: too many arguments to function \xe2\x80\x98"
	"f2fs_issue_discard_timeout\xe2\x80\x99\n"
	" 1622 |         f2fs_issue_discard_timeout(sbi, true);\n"
	"fs/f2fs/f2fs.h:3639:6: note: declared here\n"
	"fs/f2fs/super.c:1700:2: error: implicit declaration of function 'skb_drop_reason_x'; "
	"did you mean 'skb_drop_reason'? [-Werror=implicit-function-declaration]\n"
	"fs/f2fs/super.c:1701:5: error: 'SB_NEW_FLAG' undeclared (first use in this function)\n"
	"fs/f2fs/super.c:1702:5: error: 'SB_NEW_FLAG' undeclared (first use in this function)\n"
	"fs/f2fs/super.c:1710:12: error: \xe2\x80\x98struct f2fs_sb_info\xe2\x80\x99 has no member "
	"named \xe2\x80\x98" "discard_gran\xe2\x80\x99\n"
	"fs/f2fs/super.c:1720:1: error: unknown type name 'blk_opf_t'\n"
	"fs/f2fs/super.c:1730:7: error: passing argument 2 of 'f2fs_foo' from incompatible "
	"pointer type [-Werror=incompatible-pointer-types]\n"
	"fs/f2fs/super.c:1740:1: error: expected ';' before '}' token\n"
	"make[3]: *** [scripts/Makefile.build:250: fs/f2fs/super.o] Error 1\n";

static void test_parse(void **state)
{
	struct gen_diag *d = NULL;
	size_t n = 0;

	assert_int_equal(gen_diag_parse(log_text, &d, &n), 0);
	/* the second SB_NEW_FLAG is the same need */
	assert_int_equal(n, 7);
	assert_int_equal(d[0].need, GEN_NEED_SIGNATURE);
	assert_string_equal(d[0].name, "f2fs_issue_discard_timeout");
	assert_string_equal(d[0].file, "fs/f2fs/super.c");
	assert_int_equal(d[0].line, 1622);
	assert_string_equal(d[0].note, "fs/f2fs/f2fs.h:3639");
	assert_int_equal(d[1].need, GEN_NEED_FUNCTION);
	assert_string_equal(d[1].name, "skb_drop_reason_x");
	assert_null(d[1].note);
	assert_int_equal(d[2].need, GEN_NEED_IDENT);
	assert_string_equal(d[2].name, "SB_NEW_FLAG");
	assert_int_equal(d[2].line, 1701);
	assert_int_equal(d[3].need, GEN_NEED_MEMBER);
	assert_string_equal(d[3].type, "struct f2fs_sb_info");
	assert_string_equal(d[3].name, "discard_gran");
	assert_int_equal(d[4].need, GEN_NEED_TYPE);
	assert_string_equal(d[4].name, "blk_opf_t");
	assert_int_equal(d[5].need, GEN_NEED_SIGNATURE);
	assert_string_equal(d[5].name, "f2fs_foo");
	assert_int_equal(d[6].need, GEN_NEED_OTHER);
	assert_string_equal(d[6].message, "expected ';' before '}' token");
	gen_diag_free(d, n);

	assert_int_equal(gen_diag_parse("make: *** No rule to make target 'x.o'.  Stop.\n", &d, &n), 0);
	assert_int_equal(n, 0);
	gen_diag_free(d, n);
}

static const char header[] =
	"/* SPDX-License-Identifier: GPL-2.0 */\n"            /* 1 */
	"#ifndef _LINUX_FOO_H\n"                             /* 2 */
	"#define _LINUX_FOO_H\n"                             /* 3 */
	"#include <linux/types.h>\n"                         /* 4 */
	"#define FOO_MAX(a, b) \\\n"                         /* 5 */
	"\t((a) > (b) ? (a) : (b))\n"                        /* 6 */
	"enum foo_state {\n"                                 /* 7 */
	"\tFOO_IDLE,\n"                                      /* 8 */
	"\tFOO_BUSY = 4,\n"                                  /* 9 */
	"};\n"                                               /* 10 */
	"struct foo {\n"                                     /* 11 */
	"\tint state;\n"                                     /* 12 */
	"\tunion {\n"                                        /* 13 */
	"\t\tlong gran;\n"                                   /* 14 */
	"\t};\n"                                             /* 15 */
	"};\n"                                               /* 16 */
	"typedef unsigned int foo_opf_t;\n"                  /* 17 */
	"int foo_register(struct foo *f);\n"                 /* 18 */
	"/* why: callers hold the lock */\n"                 /* 19 */
	"static inline bool\n"                               /* 20 */
	"foo_busy(const struct foo *f)\n"                    /* 21 */
	"{\n"                                                /* 22 */
	"\treturn f->state == FOO_BUSY && foo_register(NULL);\n" /* 23 */
	"}\n"                                                /* 24 */
	"#ifdef CONFIG_FOO\n"                                /* 25 */
	"static inline int foo_idle(struct foo *f) { return f->state == FOO_IDLE; }\n" /* 26 */
	"#endif\n"                                           /* 27 */
	"#endif\n";                                          /* 28 */

static void test_def_find(void **state)
{
	struct gen_def d;

	assert_int_equal(gen_def_find(header, "FOO_MAX", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_MACRO);
	assert_int_equal(d.line, 5);
	assert_false(d.conditional); /* the include guard is no condition */
	assert_string_equal(d.text, "#define FOO_MAX(a, b) \\\n\t((a) > (b) ? (a) : (b))");
	gen_def_clear(&d);

	assert_int_equal(gen_def_find(header, "foo_busy", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_INLINE);
	assert_int_equal(d.line, 20);
	assert_string_equal(d.text, "static inline bool\nfoo_busy(const struct foo *f)\n{\n"
			    "\treturn f->state == FOO_BUSY && foo_register(NULL);\n}");
	gen_def_clear(&d);

	assert_int_equal(gen_def_find(header, "foo_idle", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_INLINE);
	assert_true(d.conditional);
	gen_def_clear(&d);

	/* a call inside a body is not the declaration */
	assert_int_equal(gen_def_find(header, "foo_register", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_FUNCTION);
	assert_int_equal(d.line, 18);
	assert_null(d.text);
	gen_def_clear(&d);

	assert_int_equal(gen_def_find(header, "FOO_BUSY", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_ENUM);
	assert_int_equal(d.line, 9);
	gen_def_clear(&d);

	assert_int_equal(gen_def_find(header, "foo_opf_t", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_TYPE);
	gen_def_clear(&d);

	/* a tagged type, as "invalid use of undefined type" names it */
	assert_int_equal(gen_def_find(header, "struct foo", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_TYPE);
	assert_int_equal(d.line, 11);
	gen_def_clear(&d);

	assert_int_equal(gen_def_find(header, "gran", "struct foo", &d), 0);
	assert_int_equal(d.kind, GEN_DEF_MEMBER);
	assert_int_equal(d.line, 14);
	gen_def_clear(&d);
	assert_int_equal(gen_def_find(header, "gran", "struct bar", &d), 0);
	assert_int_equal(d.kind, GEN_DEF_NONE);

	assert_int_equal(gen_def_find(header, "nosuch", NULL, &d), 0);
	assert_int_equal(d.kind, GEN_DEF_NONE);
}

static const char source[] =
	"// SPDX-License-Identifier: GPL-2.0\n"  /* 1 */
	"#include <linux/a.h>\n"                 /* 2 */
	"#ifdef CONFIG_B\n"                      /* 3 */
	"#include <linux/b.h>\n"                 /* 4 */
	"#endif\n"                               /* 5 */
	"#include \"local.h\"\n"                 /* 6 */
	"static int f(void)\n"                   /* 7 */
	"{\n"                                    /* 8 */
	"\treturn FOO_MAX(1, 2);\n"              /* 9 */
	"}\n"                                    /* 10 */
	"#define CREATE_TRACE_POINTS\n"          /* 11 */
	"#include \"trace.h\"\n";                /* 12 */

static void test_carry_insert(void **state)
{
	char *out = NULL, *again = NULL;

	/* after the last unconditional #include before the first use, not in an #ifdef */
	assert_int_equal(gen_carry_insert(source, GEN_CARRY_MARK " */\nDEF1\n", 9, &out), 0);
	assert_non_null(strstr(out, "#include \"local.h\"\n" GEN_CARRY_MARK " */\nDEF1\n"
			       "#line 7\nstatic int f(void)\n"));
	/* a later round's definitions go before the earlier ones, which may use them */
	assert_int_equal(gen_carry_insert(out, GEN_CARRY_MARK " */\nDEF0\n", 11, &again), 0);
	assert_non_null(strstr(again, "#include \"local.h\"\n" GEN_CARRY_MARK " */\nDEF0\n"
				 GEN_CARRY_MARK " */\nDEF1\n#line 7\n"));
	assert_int_equal(strlen(again), strlen(source) + 2 * strlen(GEN_CARRY_MARK " */\nDEF0\n") +
			 strlen("#line 7\n"));
	free(out);
	/* a file without #include: at the top */
	assert_int_equal(gen_carry_insert("int x;\n", "B\n", 1, &out), 0);
	assert_string_equal(out, "B\n#line 1\nint x;\n");
	free(out);
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_def_find),
		cmocka_unit_test(test_carry_insert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
