/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vetting VM: boots a registered kernel's own image under QEMU (KVM when /dev/kvm really
 * runs a guest, TCG otherwise) with an initramfs built here (static busybox, a generated
 * /init, the livepatch, its target modules with their dependencies, an optional check
 * script and the modules it names on "# vet-modules:" lines), and judges a livepatch from the guest's serial console alone.
 *
 * Contract of vet_run():
 *   - returns a negative errno (logged, naming what was wrong) when the vet could not be set
 *     up: no image or modules directory, no module file, no qemu or static busybox. Nothing
 *     was booted; the command maps this to exit 2.
 *   - returns 0 otherwise with *report set to
 *       {"vet":"passed"|"failed","kernel","module","accel","checks":[{name,ok,detail}],
 *        "problems":[...],"seconds"}
 *     "passed" only when every guest check passed, the guest reached its end marker, the
 *     kernel log (read with klog/kreport.h) holds no WARN, BUG, Oops, lockdep or other report
 *     and the taint holds no flag beyond K (livepatch), O and E (out-of-tree, unsigned).
 *   - the guest is stopped when its console makes no progress for stall_s seconds or at
 *     timeout_s: a slow machine is not a failure, a silent guest is.
 * vet_kallsyms() boots the same VM once to read /proc/kallsyms (vmlinux symbols only) into a
 * System.map-shaped file, for kernels whose package ships a placeholder map.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct vet_opts {
	const char *kernel;      /* the registered name, for the report */
	const char *image;       /* bzImage / vmlinuz */
	const char *modules_dir; /* /lib/modules/RELEASE (with modules.dep), or NULL */
	const char *release;     /* uname -r, or NULL when unknown */
	const char *module;      /* the livepatch .ko */
	const char *check;       /* optional shell script run in the guest once it is enabled */
	unsigned stall_s, timeout_s;
	bool progress;           /* one line per phase on stderr */
};

int vet_run(const struct vet_opts *o, json_t **report);
/* Writes the booted kernel's vmlinux symbols to out (atomically). */
int vet_kallsyms(const struct vet_opts *o, const char *out);

/* --- what the console says (vet_console.c; a parser of outside input, fuzzed) --- */

struct vet_console {
	json_t *checks;    /* [{name, ok, detail}] from the guest's VET-CHECK lines */
	json_t *problems;  /* strings: kernel reports, taint, a guest that did not finish */
	bool ended;        /* VET-END seen */
	bool booted;       /* VET-BOOT seen: the kernel ran our /init */
	bool failed;       /* a check failed or a problem was found */
};

/* Reads a whole console capture (CRs and stray bytes allowed). Never fails on content;
 * -ENOMEM only. Free with vet_console_done(). */
int vet_console_parse(const char *buf, size_t len, struct vet_console *ret);
void vet_console_done(struct vet_console *c);

/* The kallsyms section of a console (VET-KALLSYMS-BEGIN..END): the lines of the form
 * "ADDR TYPE NAME" without a [module] suffix, in order, as one malloc'd text. -ENOENT when
 * the section is missing or unfinished, -ENODATA when it holds no text symbol. */
int vet_console_kallsyms(const char *buf, size_t len, char **ret, size_t *ret_len);

/* Whether a System.map is Debian's placeholder (or otherwise useless to the generator):
 * its marker line, or no text symbol at all. 1 placeholder, 0 usable, negative errno when
 * it cannot be read. */
int symmap_is_placeholder(const char *path);
/* The same on a buffer. */
bool symmap_text_is_placeholder(const char *buf, size_t len);

/* --- the guest (vet_guest.c) --- */

/* The klp objects a livepatch targets other than vmlinux (from its .klp.rela.OBJ. sections
 * and .klp.sym.OBJ. symbols), as a NULL-ended array. */
int vet_klp_objects(const char *ko, char ***ret);
/* Adds the modules a check script asks for on lines "# vet-modules: NAME..." (what the check
 * itself needs loaded, a loop device say) to *objects. -EINVAL naming the line on a bad name. */
int vet_check_modules(const char *check, char ***objects);
/* Modules to load before the livepatch: every object's module and its dependencies, in load
 * order, as paths relative to modules_dir. -ENOENT naming the object when it has none. */
int vet_module_order(const char *modules_dir, char *const *objects, char ***ret);
void vet_strv_free(char **v);

enum vet_mode { VET_MODE_VET, VET_MODE_KALLSYMS };
/* Writes the initramfs (newc cpio, gzip) to path. */
int vet_initramfs(const struct vet_opts *o, enum vet_mode mode, char *const *mods,
		  const char *path);

/* --- QEMU (vet_qemu.c) --- */

/* Whether /dev/kvm runs a guest here (a real vCPU run, not just an open). */
bool vet_kvm_works(void);
enum vet_boot { VET_BOOT_EXITED, VET_BOOT_STALLED, VET_BOOT_CEILING };
/* Boots image + initrd with cmdline; the console goes to console_path. *why: on a stop, what
 * fired; on VET_BOOT_EXITED, QEMU's exit status. */
int vet_boot(const struct vet_opts *o, bool kvm, const char *initrd, const char *cmdline,
	     const char *console_path, enum vet_boot *how, char **why);
