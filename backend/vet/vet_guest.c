/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vetting guest: its /init, the modules the livepatch needs loaded first, and the
 * initramfs that carries them (newc cpio, gzip, written with libarchive: no cpio or gzip
 * program, no staging directory).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "util.h"
#include "vet/vet.h"

/* The guest's /init (busybox sh). Every result is a console line the host reads
 * (vet_console.c); a wait prints VET-WAIT now and then so that the host's stall limit
 * measures silence, not slowness. */
static const char init_script[] =
	"#!/bin/busybox sh\n"
	"export PATH=/bin:/sbin\n"
	"/bin/busybox --install -s /bin\n"
	"mount -t proc proc /proc\n"
	"mount -t sysfs sysfs /sys\n"
	"mount -t devtmpfs devtmpfs /dev\n"
	"mount -t tmpfs tmpfs /tmp\n"
	"mode= name=\n"
	"for a in $(cat /proc/cmdline); do\n"
	"\tcase \"$a\" in vet.mode=*) mode=${a#*=} ;; vet.name=*) name=${a#*=} ;; esac\n"
	"done\n"
	"LP=/sys/kernel/livepatch/$name\n"
	"check() {\n"
	"\td=$1; shift\n"
	"\tif \"$@\" >/tmp/out 2>&1; then echo \"VET-CHECK 1 $d\"\n"
	"\telse echo \"VET-CHECK 0 $d\"; head -n 20 /tmp/out | sed 's/^/VET-DETAIL /'; fi\n"
	"}\n"
	"wait_for() {\n"
	"\tn=$(($1 * 10)); shift; i=0\n"
	"\twhile [ $i -lt $n ]; do\n"
	"\t\t\"$@\" && return 0\n"
	"\t\tusleep 100000; i=$((i + 1))\n"
	"\t\t[ $((i % 50)) -eq 0 ] && echo \"VET-WAIT $i/$n: $*\"\n"
	"\tdone\n"
	"\techo \"still not true after $((n / 10)) s: $*\"; return 1\n"
	"}\n"
	"file_is() { [ \"$(cat \"$1\" 2>/dev/null)\" = \"$2\" ] || { echo \"$1: $(cat \"$1\" 2>&1)\"; false; }; }\n"
	"echo \"VET-BOOT $(uname -r)\"\n"
	"if [ \"$mode\" = kallsyms ]; then\n"
	"\techo VET-KALLSYMS-BEGIN\n"
	"\tgrep -v '\\[' /proc/kallsyms\n"
	"\techo VET-KALLSYMS-END\n"
	"else\n"
	"\tfor m in $(cat /vet/mods.list); do check \"load $(basename \"$m\")\" insmod \"/vet/$m\"; done\n"
	"\tcheck \"insmod $name\" insmod /vet/patch.ko\n"
	"\tcheck \"its transition completes\" wait_for 60 file_is \"$LP/transition\" 0\n"
	"\tcheck \"it is enabled\" file_is \"$LP/enabled\" 1\n"
	/* the patched code is exercised where a generic guest can reach it */
	"\tfor f in version cmdline meminfo stat uptime loadavg filesystems mounts modules "
	"interrupts self/status self/maps; do cat \"/proc/$f\" >/dev/null 2>&1; done\n"
	"\tls -R /sys/kernel /sys/module >/dev/null 2>&1\n"
	"\t[ -f /vet/check.sh ] && check \"the check script\" sh /vet/check.sh\n"
	"\tif [ -d \"$LP\" ]; then\n"
	"\t\techo 0 >\"$LP/enabled\"\n"
	"\t\tcheck \"it can be disabled\" wait_for 60 test ! -d \"$LP\"\n"
	"\t\tcheck \"rmmod $name\" rmmod \"$name\"\n"
	"\tfi\n"
	"\techo \"VET-TAINT $(cat /proc/sys/kernel/tainted)\"\n"
	"\techo VET-KLOG-BEGIN\n"
	"\tdmesg\n"
	"\techo VET-KLOG-END\n"
	"fi\n"
	"echo VET-END\n"
	"poweroff -f\n";

void vet_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static bool strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

/* OBJ out of ".klp.rela.OBJ.SEC" / ".klp.sym.OBJ.NAME,POS" */
static int note_object(const char *name, const char *prefix, char ***v, size_t *n)
{
	char obj[64];
	const char *p, *dot;

	if (!startswith(name, prefix))
		return 0;
	p = name + strlen(prefix);
	dot = strchr(p, '.');
	if (!dot || dot == p || (size_t)(dot - p) >= sizeof(obj))
		return 0;
	memcpy(obj, p, dot - p);
	obj[dot - p] = '\0';
	if (streq(obj, "vmlinux") || strv_has(*v, obj))
		return 0;
	return strv_push(v, n, obj);
}

int vet_klp_objects(const char *ko, char ***ret)
{
	_cleanup_close_ int fd = open(ko, O_RDONLY | O_CLOEXEC);
	char **v = NULL;
	size_t n = 0, shstrndx;
	Elf_Scn *scn = NULL;
	Elf *e;
	int k = 0;

	if (fd < 0)
		return log_error_errno(errno, "%s: %m", ko);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) < 0) {
		if (e)
			elf_end(e);
		return log_error_errno(ENOEXEC, "%s: not an ELF kernel module (a compressed module "
				       "must be decompressed first)", ko);
	}
	while (k >= 0 && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)))
			continue;
		k = note_object(name, ".klp.rela.", &v, &n);
		/* TuxTape's generator names every object it patches, also those it reaches
		 * through exported symbols only (no .klp sections then) */
		if (k >= 0 && streq(name, ".modinfo") && sh.sh_type == SHT_PROGBITS) {
			Elf_Data *d = elf_getdata(scn, NULL);
			const char *p = d ? d->d_buf : NULL, *end = p ? p + d->d_size : NULL;

			for (; p && k >= 0 && p < end; p += strnlen(p, (size_t)(end - p)) + 1) {
				size_t len = strnlen(p, (size_t)(end - p));
				_cleanup_free_ char *list = NULL;
				char *save = NULL;

				if (len == (size_t)(end - p) || !startswith(p, "tuxtape_objects="))
					continue;
				list = strdup(p + strlen("tuxtape_objects="));
				if (!list) {
					k = -ENOMEM;
					break;
				}
				for (char *w = strtok_r(list, " ", &save); w && k >= 0;
				     w = strtok_r(NULL, " ", &save)) {
					_cleanup_free_ char *key = NULL;

					if (asprintf(&key, ".klp.rela.%s.", w) < 0)
						k = -ENOMEM;
					else
						k = note_object(key, ".klp.rela.", &v, &n);
				}
			}
		}
		if (k >= 0 && sh.sh_type == SHT_SYMTAB && sh.sh_entsize) {
			Elf_Data *d = elf_getdata(scn, NULL);

			for (size_t i = 0; d && k >= 0 && i < sh.sh_size / sh.sh_entsize; i++) {
				GElf_Sym s;
				const char *sn;

				if (gelf_getsym(d, (int)i, &s) && (sn = elf_strptr(e, sh.sh_link, s.st_name)))
					k = note_object(sn, ".klp.sym.", &v, &n);
			}
		}
	}
	elf_end(e);
	if (k < 0) {
		vet_strv_free(v);
		return log_error_errno(k, "out of memory");
	}
	if (!v)
		v = calloc(1, sizeof(char *));
	if (!v)
		return log_error_errno(ENOMEM, "out of memory");
	*ret = v;
	return 0;
}

/* "kernel/fs/ext4/ext4.ko" -> "ext4"; names compare with '-' and '_' alike, as the kernel's */
static void module_name(const char *path, char *out, size_t size)
{
	const char *b = strrchr(path, '/');
	size_t i = 0;

	for (b = b ? b + 1 : path; *b && *b != '.' && i + 1 < size; b++)
		out[i++] = *b == '-' ? '_' : *b;
	out[i] = '\0';
}

/* modules.dep: "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko ..." with
 * the dependencies listed so that loading them last to first works. */
static int deps_of(const char *dep, const char *object, char ***order, size_t *n)
{
	const char *line = dep;
	char want[64], have[64];

	module_name(object, want, sizeof(want));
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *colon = strchr(line, ':'), *eol = strchrnul(line, '\n');
		_cleanup_free_ char *first = NULL, *rest = NULL;
		char *save = NULL, *tok, *toks[256];
		size_t nt = 0;
		int k;

		if (!colon || colon > eol)
			continue;
		first = strndup(line, colon - line);
		if (!first)
			return -ENOMEM;
		module_name(first, have, sizeof(have));
		if (!streq(have, want))
			continue;
		rest = strndup(colon + 1, eol - colon - 1);
		if (!rest)
			return -ENOMEM;
		for (tok = strtok_r(rest, " \t", &save); tok && nt < ELEMENTSOF(toks);
		     tok = strtok_r(NULL, " \t", &save))
			toks[nt++] = tok;
		while (nt--)
			if (!strv_has(*order, toks[nt]) && (k = strv_push(order, n, toks[nt])) < 0)
				return k;
		return strv_has(*order, first) ? 0 : strv_push(order, n, first);
	}
	return -ENOENT;
}

int vet_check_modules(const char *check, char ***objects)
{
	static const char tag[] = "# vet-modules:";
	_cleanup_free_ char *text = NULL;
	size_t len, n = 0;
	unsigned line = 0;
	int k = read_file_bounded(check, 1u << 20, &text, &len);

	if (k < 0)
		return log_error_errno(k, "check script %s: %m", check);
	while (*objects && (*objects)[n])
		n++;
	for (char *l = text, *next; l && *l; l = next, line++) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (!startswith(l, tag))
			continue;
		for (char *w = strtok(l + strlen(tag), " \t"); w; w = strtok(NULL, " \t")) {
			if (strlen(w) > 55 || strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
			    strlen(w))
				return log_error_errno(EINVAL, "check script %s, line %u: '%s' is not a "
						       "module name", check, line + 1, w);
			if (!strv_has(*objects, w) && strv_push(objects, &n, w) < 0)
				return log_error_errno(ENOMEM, "out of memory");
		}
	}
	return 0;
}

int vet_module_order(const char *modules_dir, char *const *objects, char ***ret)
{
	_cleanup_free_ char *path = NULL, *dep = NULL;
	char **order = NULL;
	size_t len, n = 0;
	int k;

	if (!objects || !objects[0]) {
		*ret = calloc(1, sizeof(char *));
		return *ret ? 0 : log_error_errno(ENOMEM, "out of memory");
	}
	if (!modules_dir)
		return log_error_errno(ENOENT, "the livepatch targets module %s, but the kernel has no "
				       "modules directory registered (kernel add --modules DIR)",
				       objects[0]);
	if (asprintf(&path, "%s/modules.dep", modules_dir) < 0)
		return log_error_errno(ENOMEM, "out of memory");
	k = read_file_bounded(path, 64u << 20, &dep, &len);
	if (k < 0)
		return log_error_errno(k, "%s: %m (run depmod, or kernel add --modules again)", path);
	for (size_t i = 0; objects[i]; i++) {
		k = deps_of(dep, objects[i], &order, &n);
		if (k == -ENOENT) {
			vet_strv_free(order);
			return log_error_errno(k, "the livepatch targets module %s, which %s does not "
					       "list", objects[i], path);
		}
		if (k < 0) {
			vet_strv_free(order);
			return log_error_errno(k, "out of memory");
		}
	}
	*ret = order;
	return 0;
}

static int add_entry(struct archive *a, const char *name, mode_t mode, const void *data,
		     size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int k = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, mode);
	archive_entry_set_size(e, S_ISREG(mode) ? (la_int64_t)len : 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len))
		k = log_error_errno(EIO, "initramfs: %s: %s", name, archive_error_string(a));
	archive_entry_free(e);
	return k;
}

static int add_file(struct archive *a, const char *name, const char *src, mode_t mode)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int k = read_file_bounded(src, 256u << 20, &data, &len);

	if (k < 0)
		return log_error_errno(k, "%s: %m", src);
	return add_entry(a, name, S_IFREG | mode, data, len);
}

/* A dynamic busybox would find no libc in the guest: the one ELF check that matters is a
 * program interpreter. */
static int static_busybox(char **ret)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = strdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;

	if (!dirs)
		return log_error_errno(ENOMEM, "out of memory");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;
		_cleanup_close_ int fd = -1;
		bool interp = false;
		size_t n = 0;
		Elf *e;

		if (asprintf(&p, "%s/busybox", d) < 0)
			return log_error_errno(ENOMEM, "out of memory");
		if (access(p, X_OK) < 0 || (fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		elf_version(EV_CURRENT);
		e = elf_begin(fd, ELF_C_READ, NULL);
		if (!e || elf_getphdrnum(e, &n) < 0)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
				interp = true;
		}
		if (e)
			elf_end(e);
		if (interp || !n)
			return log_error_errno(ENOEXEC, "%s is not a static busybox (the guest has no "
					       "libc): install busybox-static", p);
		*ret = TAKE_PTR(p);
		return 0;
	}
	return log_error_errno(ENOENT, "no busybox on PATH: install busybox-static");
}

int vet_initramfs(const struct vet_opts *o, enum vet_mode mode, char *const *mods,
		  const char *path)
{
	static const char *const dirs[] = { "bin", "sbin", "dev", "proc", "sys", "tmp", "vet" };
	_cleanup_free_ char *busybox = NULL, *list = NULL;
	size_t list_len = 0;
	struct archive *a;
	int k = static_busybox(&busybox);

	if (k < 0)
		return k;
	a = archive_write_new();
	if (!a)
		return log_error_errno(ENOMEM, "out of memory");
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		k = log_error_errno(EIO, "initramfs %s: %s", path, archive_error_string(a));
		archive_write_free(a);
		return k;
	}
	for (size_t i = 0; k >= 0 && i < ELEMENTSOF(dirs); i++)
		k = add_entry(a, dirs[i], S_IFDIR | 0755, NULL, 0);
	if (k >= 0)
		k = add_file(a, "bin/busybox", busybox, 0755);
	if (k >= 0)
		k = add_entry(a, "init", S_IFREG | 0755, init_script, sizeof(init_script) - 1);
	if (k >= 0 && mode == VET_MODE_VET) {
		k = add_file(a, "vet/patch.ko", o->module, 0644);
		if (k >= 0 && o->check)
			k = add_file(a, "vet/check.sh", o->check, 0755);
		for (size_t i = 0; k >= 0 && mods && mods[i]; i++) {
			_cleanup_free_ char *src = NULL, *dst = NULL, *nl = NULL;

			/* flat: insmod takes a path, and no two modules share a file name */
			const char *b = strrchr(mods[i], '/') ? strrchr(mods[i], '/') + 1 : mods[i];

			if (asprintf(&src, "%s/%s", o->modules_dir, mods[i]) < 0 ||
			    asprintf(&dst, "vet/%s", b) < 0 ||
			    asprintf(&nl, "%s%s\n", strempty(list), b) < 0) {
				k = log_error_errno(ENOMEM, "out of memory");
				break;
			}
			k = add_file(a, dst, src, 0644);
			free(list);
			list = TAKE_PTR(nl);
		}
		list_len = list ? strlen(list) : 0;
		if (k >= 0)
			k = add_entry(a, "vet/mods.list", S_IFREG | 0644, list, list_len);
	}
	if (archive_write_close(a) != ARCHIVE_OK && k >= 0)
		k = log_error_errno(EIO, "initramfs %s: %s", path, archive_error_string(a));
	archive_write_free(a);
	return k;
}
