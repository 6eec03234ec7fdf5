/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A Kbuild makefile through the make evaluator (backend/profile/makeval.h) as kbuild.c walks
 * one directory: a scope cloned from the .config's variables, src and obj set, the text
 * evaluated, obj-y/obj-m/lib-y/subdir-y/subdir-m read and each object's -objs and -y parts
 * looked up. Input: the makefile \0 the text every `include` reads (none when absent).
 */
#include "fuzz.h"
#include "profile/makeval.h"

struct host {
	const char *included; /* NUL-terminated, or NULL */
	unsigned unsupported;
};

static const char *read_included(void *userdata, const char *path)
{
	return ((struct host *)userdata)->included;
}

static bool exists(void *userdata, const char *path)
{
	size_t n = strlen(path);

	return n > 2 && strcmp(path + n - 2, ".c") == 0 && strstr(path, "present");
}

static void unsupported(void *userdata, const char *file, unsigned line, const char *what)
{
	FUZZ_ASSERT(file && what);
	((struct host *)userdata)->unsupported++;
}

struct walk {
	struct mk_vars *scope;
	const struct mk_host *h;
};

static int object(void *ud, const char *word, size_t len)
{
	struct walk *w = ud;
	static const char *const suffix[] = { "-objs", "-y", "-m" };
	char var[600];

	FUZZ_ASSERT(len > 0);
	if (len > 2 && memcmp(word + len - 2, ".o", 2) == 0)
		len -= 2;
	for (size_t i = 0; i < 3; i++) {
		char *v;

		snprintf(var, sizeof(var), "%.*s%s", (int)(len > 500 ? 500 : len), word, suffix[i]);
		v = mk_get(w->scope, w->h, var);
		FUZZ_ASSERT(v);
		free(v);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const lists[] = { "obj-y", "obj-m", "lib-y", "subdir-y", "subdir-m" };
	struct fuzz_part part[2];
	size_t n;
	char *text, *inc = NULL;
	struct host hs = { 0 };
	struct mk_host h = { read_included, exists, unsupported, &hs };
	struct mk_vars *global, *scope;
	struct walk w;

	if (size > 64 * 1024)
		return -1;
	n = fuzz_split(data, size, part, 2);
	text = fuzz_dup(part[0].p, part[0].len, 1);
	if (n > 1)
		hs.included = inc = fuzz_dup(part[1].p, part[1].len, 1);
	global = mk_vars_new();
	if (!global || mk_set(global, "CONFIG_FOO", "y") < 0 || mk_set(global, "CONFIG_BAR", "m") < 0 ||
	    mk_set(global, "CONFIG_64BIT", "y") < 0 || mk_set(global, "srctree", ".") < 0)
		abort();
	scope = mk_vars_clone(global);
	if (!scope || mk_set(scope, "src", "drivers/fuzz") < 0 || mk_set(scope, "obj", "drivers/fuzz") < 0)
		abort();
	w = (struct walk){ scope, &h };
	if (mk_eval(scope, &h, "drivers/fuzz/Makefile", text) == 0) {
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			char *v = mk_get(scope, &h, lists[i]);

			FUZZ_ASSERT(v);
			if (i < 3)
				mk_words(v, object, &w);
			free(v);
		}
	}
	mk_vars_free(scope);
	mk_vars_free(global);
	free(text);
	free(inc);
	return 0;
}
