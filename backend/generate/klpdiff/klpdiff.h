/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The binary half of the patch generator (libelf). An object file built twice from the same
 * kernel tree, from the original and from the patched source, both with -ffunction-sections
 * -fdata-sections, is compared function by function; what a livepatch cannot do safely is
 * refused with the reason (changed or new global/static data, __init code, initialisers,
 * functions ftrace cannot attach to). The changed and new functions are then extracted into
 * a new relocatable object that kbuild links into the livepatch module, together with the
 * sections they need (string literals, ORC unwind entries, bug table, exception table,
 * return/retpoline sites) and none of the others. References to symbols the module cannot
 * link against normally (file-local or non-exported symbols of the patched object: vmlinux
 * or a module) are left undefined under the name KLPDIFF_REF_PREFIX "OBJ.SYMBOL.SYMPOS";
 * klp_convert() turns them, in the linked .ko, into livepatch relocations
 * (.klp.rela.OBJ.SECTION, SHF_RELA_LIVEPATCH) against .klp.sym.OBJ.SYMBOL,SYMPOS symbols
 * (SHN_LIVEPATCH), which the kernel resolves when the patch is enabled.
 *
 * Errors: negative errno, with a message in err naming the object, section or symbol.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define KLPDIFF_REF_PREFIX "__klp_ref."

/* A header for `gcc -include`, after the kernel's own forced includes: every static branch
 * (static_branch_likely/unlikely, static_key_false/true) of the object becomes a plain read of
 * its key's count, as the kernel decides the jump itself (enabled XOR the entry's branch
 * bit), so no __jump_table entry is emitted. */
#define KLPDIFF_KEY_TEST_HEADER \
	"/* Written by tuxtape-backend generate: static branches read their key. */\n" \
	"#ifdef CONFIG_JUMP_LABEL\n" \
	"struct static_key;\nstruct jump_entry;\n" \
	"#include <asm/jump_label.h>\n" \
	"#define __tuxtape_key_test(key, branch) \\\n" \
	"\t((*(const volatile int *)&(key)->enabled > 0) != (branch))\n" \
	"#define arch_static_branch(key, branch) __tuxtape_key_test(key, branch)\n" \
	"#define arch_static_branch_jump(key, branch) __tuxtape_key_test(key, branch)\n" \
	"#endif\n"

/* Symbols of the running kernel: System.map (every symbol, local ones included, in address
 * order) and Module.symvers (what is exported, by vmlinux or which module; may be NULL).
 * A root-read copy of /proc/kallsyms does in place of System.map (its module symbols are
 * skipped): Debian's linux-image ships a placeholder System.map, the real one is in the
 * -dbg package. */
struct klp_symdb;

int klp_symdb_load(const char *system_map, const char *module_symvers, struct klp_symdb **ret,
		   char *err, size_t errlen);
void klp_symdb_free(struct klp_symdb *db);
/* A module's own symbols, from its .ko as installed (plain, .ko.xz, .ko.gz or .ko.zst), for
 * klp_symdb_sympos(): positions in symbol table order, as klp_find_object_symbol() counts a
 * module's kallsyms; an anchor tells copies apart only within its own section. Nothing is
 * exported by it. */
int klp_symdb_load_module(const char *ko, struct klp_symdb **ret, char *err, size_t errlen);
/* Keeps module objname's symbols (mod, owned from then on) with the kernel's, for
 * klpdiff_extract() to give its references into that module their positions. */
int klp_symdb_add_module(struct klp_symdb *db, const char *objname, struct klp_symdb *mod);
const struct klp_symdb *klp_symdb_module(const struct klp_symdb *db, const char *objname);
/* Whether vmlinux (or, for a module object, any module) exports name. */
bool klp_symdb_exported(const struct klp_symdb *db, const char *name);
/* Who exports name: "vmlinux" or a module's name ('_' for '-'); NULL when nobody does. */
const char *klp_symdb_exporter(const struct klp_symdb *db, const char *name);
/* The position of name among the kernel's symbols of that name (0 when unique), choosing the
 * copy closest in address to the anchors (symbols known to come from the same object);
 * -ENOENT when absent, -ENOTUNIQ when the anchors cannot tell the copies apart. */
int klp_symdb_sympos(const struct klp_symdb *db, const char *name, const char *const *anchors,
		     unsigned long *ret);

enum klpdiff_change {
	KLPDIFF_CHANGED,        /* bytes or relocation targets differ */
	KLPDIFF_NEW,            /* only in the patched object */
	/* changed, but ftrace cannot redirect it (no __fentry__: notrace, or a file built
	 * without -pg): a copy travels in the patch and its callers are patched instead
	 * (they are CHANGED, even with the same bytes) */
	KLPDIFF_COPIED,
};

struct klpdiff_func {
	char *name;
	enum klpdiff_change change;
	bool local;             /* a static function (needs a sympos to be found) */
	size_t size;
};

struct klpdiff_refusal {
	char *symbol;           /* the function, variable or section at fault */
	char *reason;           /* "static data 'hits' changed its initialiser", ... */
};

struct klpdiff_result {
	struct klpdiff_func *funcs;
	size_t n_funcs;
	struct klpdiff_refusal *refusals;
	size_t n_refusals;
	/* read-only data that changed (or is new) and is used by code alone: a copy travels
	 * with the functions, and every function using it is in funcs */
	char **copied_data;
	size_t n_copied_data;
	/* global functions of a module, COPIED: their callers may be in any of the module's
	 * objects, which klpdiff_module_callers() patches (KLPDIFF_IN_MODULE) */
	char **module_wide;
	size_t n_module_wide;
	/* set by the caller before extracting: global names another object of this patch
	 * defines as a copy, referred to plainly so that the link binds them to the copy */
	char **provided;
	size_t n_provided;
	bool in_module;         /* compared with KLPDIFF_IN_MODULE */
};

/* The object is one of a module's: a changed global without __fentry__ that the object does
 * not export is carried (in module_wide) instead of refused, for the caller to patch the
 * module's other objects' calls to it. */
#define KLPDIFF_IN_MODULE 1u

/* Compares; a refusal is not an error (the result says why). flags: KLPDIFF_IN_MODULE. */
int klpdiff_compare(const char *orig_o, const char *patched_o, unsigned flags,
		    struct klpdiff_result *ret, char *err, size_t errlen);
/* Adds name to r->provided (once). */
int klpdiff_result_provide(struct klpdiff_result *r, const char *name);
/* Another object of the same module (orig_o and patched_o the same file when the fix does
 * not change it): its functions calling any of names (module_wide copies) are added to res,
 * CHANGED, or COPIED when they cannot be traced either (global ones in res->module_wide
 * again); refusals when code takes a name's address or data holds it. */
int klpdiff_module_callers(const char *orig_o, const char *patched_o, const char *const *names,
			   size_t n_names, struct klpdiff_result *res, char *err, size_t errlen);
void klpdiff_result_free(struct klpdiff_result *r);

/* Writes out_o: the result's functions from patched_o (global, keeping their names) and what
 * they need. objname is "vmlinux" or the module the object belongs to; module_objs (may be
 * NULL) are that module's other original objects, whose symbols are the module's own.
 * -EXDEV: a patched function has a jump label whose static key is a module's (the module
 * loader applies jump labels before a module's livepatch relocations can name the key);
 * built with KLPDIFF_KEY_TEST_HEADER forced in, the same function tests the key instead.
 * -ENOTSUP: something a livepatch cannot do (the message says what). */
int klpdiff_extract(const char *patched_o, const char *orig_o, const struct klpdiff_result *res,
		    const struct klp_symdb *db, const char *objname,
		    const char *const *module_objs, const char *out_o, char *err, size_t errlen);

/* Whether object obj defines function name: 1, 0, or a negative errno. */
int klpdiff_has_function(const char *obj, const char *name);

/* In place on the linked livepatch module. Returns the number of livepatch relocations. */
int klp_convert(const char *ko_path, char *err, size_t errlen);
