/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/makeval.h"

struct seen {
	char what[2048];
	char last[256]; /* the newest report, when what is full */
	unsigned count;
};

static void on_unsupported(void *ud, const char *file, unsigned line, const char *what)
{
	struct seen *s = ud;
	size_t off = strlen(s->what);

	snprintf(s->what + off, sizeof(s->what) - off, "%s:%u: %s\n", file, line, what);
	snprintf(s->last, sizeof(s->last), "%s:%u: %s", file, line, what);
	s->count++;
}

static bool exists(void *ud, const char *path)
{
	return strcmp(path, "./drivers/foo/present.c") == 0;
}

static const char *reader(void *ud, const char *path)
{
	return strcmp(path, "./drivers/foo/Makefile.inc") == 0 ? "obj-y += included.o\n" : NULL;
}

static void expect_var(struct mk_vars *v, const struct mk_host *h, const char *name,
		       const char *want)
{
	char *got = mk_get(v, h, name), *w = got, *r = got;

	assert_non_null(got);
	/* compare words: make keeps the blanks of empty expansions */
	while (*r) {
		if (*r == ' ' && (w == got || w[-1] == ' ')) {
			r++;
			continue;
		}
		*w++ = *r++;
	}
	if (w > got && w[-1] == ' ')
		w--;
	*w = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("%s = '%s', want '%s'", name, got, want);
	free(got);
}

static void test_kbuild_makefile(void **state)
{
	struct seen seen = { "", "", 0 };
	struct mk_host h = { reader, exists, on_unsupported, &seen };
	struct mk_vars *global = mk_vars_new(), *v;
	const char *text =
		"# comment\n"
		"obj-$(CONFIG_FOO) += foo.o\n"
		"obj-$(CONFIG_BAR) += bar.o   # trailing comment\n"
		"obj-$(CONFIG_NOPE) += nope.o\n"
		"foo-y := a.o b.o \\\n"
		"\tc.o\n"
		"foo-$(CONFIG_FOO_EXTRA) += extra.o\n"
		"ifeq ($(CONFIG_64BIT),y)\n"
		"foo-y += only64.o\n"
		"else\n"
		"foo-y += only32.o\n"
		"endif\n"
		"ifdef CONFIG_NOPE\n"
		"obj-y += never.o\n"
		"else ifneq ($(CONFIG_BAR),)\n"
		"obj-y += elseif.o\n"
		"endif\n"
		"obj-$(subst m,y,$(CONFIG_BAR)) += substed/\n"
		"lst = $(addprefix sub/,x.o y.o)\n"
		"obj-y += $(lst:.o=.o) $(patsubst %.c,%.o,k.c) $(filter-out z.o,z.o w.o)\n"
		"obj-y += $(if $(CONFIG_FOO),iffoo.o,ifnot.o) $(foreach d,p q,$(d).o)\n"
		"obj-y += $(wildcard $(srctree)/drivers/foo/present.c) $(wildcard drivers/foo/absent.c)\n"
		"rule: dep\n"
		"\tobj-y += recipe-not-var.o\n"
		"flags += $(shell echo x)\n"
		"define BLOCK\n"
		"obj-y += in-define.o\n"
		"endef\n"
		"include $(srctree)/drivers/foo/Makefile.inc\n"
		"v ?= first\n"
		"v ?= second\n"
		"fn = <$(1)|$(2)>\n"
		"called := $(call fn,one,two)\n"
		"obj-y += $(flags)\n";

	mk_set(global, "CONFIG_FOO", "y");
	mk_set(global, "CONFIG_BAR", "m");
	mk_set(global, "CONFIG_64BIT", "y");
	mk_set(global, "srctree", ".");
	v = mk_vars_clone(global);
	assert_int_equal(mk_eval(v, &h, "drivers/foo/Makefile", text), 0);
	expect_var(v, &h, "obj-y",
		   "foo.o elseif.o substed/ sub/x.o sub/y.o k.o w.o iffoo.o p.o q.o "
		   "./drivers/foo/present.c included.o");
	expect_var(v, &h, "obj-m", "bar.o");
	expect_var(v, &h, "foo-y", "a.o b.o c.o only64.o");
	expect_var(v, &h, "v", "first");
	expect_var(v, &h, "called", "<one|two>");
	expect_var(v, &h, "undefined-thing", "");
	if (seen.count != 1)
		fail_msg("unsupported: %s", seen.what);
	assert_non_null(strstr(seen.what, "drivers/foo/Makefile:25: $(shell ...) is not evaluated"));
	mk_vars_free(v);
	/* the global scope is untouched by the child's assignments */
	expect_var(global, &h, "obj-y", "");
	mk_vars_free(global);
}

static void test_hostile(void **state)
{
	struct seen seen = { "", "", 0 };
	struct mk_host h = { NULL, NULL, on_unsupported, &seen };
	struct mk_vars *v = mk_vars_new();

	/* self-reference, unbalanced parens and conditionals must not hang or crash */
	assert_int_equal(mk_eval(v, &h, "M", "a = $(a)x\nb := $(a)\nc := $(oops\nifeq (x\n"
				 "endif\nendif\nelse\nifeq (1,1)\n"), 0);
	assert_true(seen.count >= 4);
	assert_non_null(strstr(seen.what, "M:1: recursive variable 'a' references itself"));
	assert_non_null(strstr(seen.what, "unbalanced"));
	assert_non_null(strstr(seen.what, "endif without if"));
	assert_non_null(strstr(seen.what, "if without endif"));
	mk_vars_free(v);
}

/* What GNU make stops at once ("Recursive variable 'a' references itself") doubled the work
 * at every level of nesting: minutes for one line. Now the line is refused at once. */
static void test_self_reference(void **state)
{
	struct seen seen = { "", "", 0 };
	struct mk_host h = { NULL, NULL, on_unsupported, &seen };
	struct mk_vars *v = mk_vars_new();

	assert_int_equal(mk_eval(v, &h, "M", "a = $(a)$(a)\n\nobj-y := $(a)\nb := ok\n"), 0);
	assert_non_null(strstr(seen.what, "M:1: recursive variable 'a' references itself"));
	/* the next line is evaluated afresh */
	expect_var(v, &h, "b", "ok");
	/* a function's argument and a substitution reference meet it too */
	seen.what[0] = '\0';
	assert_int_equal(mk_eval(v, &h, "N", "c = $(if $(c),x)\nd = $(d:.o=.c)\n"
				 "e := $(c)\nf := $(d)\n"), 0);
	assert_non_null(strstr(seen.what, "N:1: recursive variable 'c' references itself"));
	assert_non_null(strstr(seen.what, "N:2: recursive variable 'd' references itself"));
	mk_vars_free(v);
}

/* Exponential without any self-reference: each level expands the one below twice and keeps
 * little of it, so neither depth nor value size bounds it; nor does the include depth bound a
 * file that includes itself four times (4^8 evaluations). */
static const char *self_includer(void *ud, const char *path)
{
	return "include M\ninclude M\ninclude M\ninclude M\nx += 1\n";
}

static void test_work_bound(void **state)
{
	struct seen seen = { "", "", 0 };
	struct mk_host h = { self_includer, NULL, on_unsupported, &seen };
	struct mk_vars *v = mk_vars_new();
	char text[4096] = "l0 = y\n";
	char *got;

	for (int i = 1; i <= 22; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "l%d = $(if $(l%d)$(l%d),y)\n", i, i - 1, i - 1);
	strcat(text, "obj-y := $(l22)\nafter := not reached\n");
	assert_int_equal(mk_eval(v, &h, "E", text), 0);
	if (!strstr(seen.what, "E:2: evaluation stopped: more than"))
		fail_msg("%s", seen.what);
	expect_var(v, &h, "after", "");
	/* mk_get bounds its own work the same way */
	seen.what[0] = '\0';
	got = mk_get(v, &h, "l22");
	assert_non_null(got);
	free(got);
	assert_non_null(strstr(seen.what, "evaluation stopped: more than"));
	mk_vars_free(v);

	seen.what[0] = '\0';
	v = mk_vars_new();
	assert_int_equal(mk_eval(v, &h, "M", "include M\n"), 0);
	/* the last word: nothing is evaluated after the bound */
	assert_true(strncmp(seen.last, "M:", 2) == 0);
	assert_non_null(strstr(seen.last, ": evaluation stopped: more than 256 includes"));
	mk_vars_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kbuild_makefile),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_self_reference),
		cmocka_unit_test(test_work_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
