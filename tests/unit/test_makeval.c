/* SPDX-License-Identifier: GPL-2.0-only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/makeval.h"

struct seen {
	char what[2048];
	unsigned count;
};

static void on_unsupported(void *ud, const char *file, unsigned line, const char *what)
{
	struct seen *s = ud;
	size_t off = strlen(s->what);

	snprintf(s->what + off, sizeof(s->what) - off, "%s:%u: %s\n", file, line, what);
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
	struct seen seen = { "", 0 };
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
	struct seen seen = { "", 0 };
	struct mk_host h = { NULL, NULL, on_unsupported, &seen };
	struct mk_vars *v = mk_vars_new();

	/* self-reference, unbalanced parens and conditionals must not hang or crash */
	assert_int_equal(mk_eval(v, &h, "M", "a = $(a)x\nb := $(a)\nc := $(oops\nifeq (x\n"
				 "endif\nendif\nelse\nifeq (1,1)\n"), 0);
	assert_true(seen.count >= 4);
	assert_non_null(strstr(seen.what, "nested too deeply"));
	assert_non_null(strstr(seen.what, "unbalanced"));
	assert_non_null(strstr(seen.what, "endif without if"));
	assert_non_null(strstr(seen.what, "if without endif"));
	mk_vars_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kbuild_makefile),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
