// SPDX-License-Identifier: GPL-2.0-only
#include "kelf.h"

#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

void kelf_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool kelf_is_pcrel(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_GOTPCREL ||
	       type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX ||
	       type == R_X86_64_PC64;
}

void kelf_free(struct kelf *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_secs; i++) {
		free(k->secs[i].name);
		free(k->secs[i].data);
		free(k->secs[i].relas);
	}
	for (size_t i = 0; i < k->n_syms; i++)
		free(k->syms[i].name);
	free(k->secs);
	free(k->syms);
	free(k->path);
	free(k);
}

static int read_symtab(struct kelf *k, Elf_Data *d, size_t n, char *err, size_t errlen)
{
	const struct kelf_sec *str = &k->secs[k->strtab];

	k->syms = calloc(n ? n : 1, sizeof(*k->syms));
	if (!k->syms)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		struct kelf_sym *o = &k->syms[i];

		if (!gelf_getsym(d, (int)i, &s))
			goto bad;
		if (s.st_name >= str->size)
			goto bad;
		if (s.st_shndx == SHN_XINDEX) {
			kelf_seterr(err, errlen, "%s: extended section indices are not supported",
				    k->path);
			return -ENOTSUP;
		}
		o->name = strndup((const char *)str->data + s.st_name, str->size - s.st_name);
		if (!o->name)
			return -ENOMEM;
		o->bind = GELF_ST_BIND(s.st_info);
		o->type = GELF_ST_TYPE(s.st_info);
		o->other = s.st_other;
		o->shndx = s.st_shndx;
		o->value = s.st_value;
		o->size = s.st_size;
		k->n_syms = i + 1;
	}
	return 0;
bad:
	kelf_seterr(err, errlen, "%s: malformed symbol table", k->path);
	return -EBADMSG;
}

static int cmp_rela(const void *a, const void *b)
{
	const struct kelf_rela *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int read_relas(struct kelf *k, size_t idx, Elf_Data *d, char *err, size_t errlen)
{
	struct kelf_sec *s = &k->secs[idx];
	size_t n = s->sh.sh_entsize ? s->size / s->sh.sh_entsize : 0;

	if (s->sh.sh_entsize != sizeof(Elf64_Rela) || s->sh.sh_info >= k->n_secs ||
	    s->sh.sh_link != k->symtab) {
		kelf_seterr(err, errlen, "%s: relocation section %s is malformed", k->path,
			    s->name);
		return -EBADMSG;
	}
	s->relas = calloc(n ? n : 1, sizeof(*s->relas));
	if (!s->relas)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		GElf_Rela r;

		if (!gelf_getrela(d, (int)i, &r) || GELF_R_SYM(r.r_info) >= k->n_syms) {
			kelf_seterr(err, errlen, "%s: %s: bad relocation %zu", k->path, s->name, i);
			return -EBADMSG;
		}
		s->relas[i] = (struct kelf_rela){ r.r_offset, GELF_R_TYPE(r.r_info),
						  GELF_R_SYM(r.r_info), r.r_addend };
	}
	s->n_relas = n;
	/* the differ looks relocations up by offset range */
	for (size_t i = 1; i < n; i++)
		if (s->relas[i].offset < s->relas[i - 1].offset) {
			qsort(s->relas, n, sizeof(*s->relas), cmp_rela);
			break;
		}
	k->secs[s->sh.sh_info].rela = idx;
	free(s->data);
	s->data = NULL;
	return 0;
}

static int load(struct kelf *k, Elf *e, char *err, size_t errlen)
{
	size_t n, shstrndx;
	Elf_Data *symdata = NULL;
	int r;

	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 || !gelf_getehdr(e, &k->eh) ||
	    k->eh.e_type != ET_REL || k->eh.e_machine != EM_X86_64 ||
	    k->eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		kelf_seterr(err, errlen, "%s: not an x86_64 ELF64 relocatable object", k->path);
		return -ENOEXEC;
	}
	if (elf_getshdrnum(e, &n) || elf_getshdrstrndx(e, &shstrndx) || n == 0 || shstrndx >= n) {
		kelf_seterr(err, errlen, "%s: %s", k->path, elf_errmsg(-1));
		return -EBADMSG;
	}
	k->secs = calloc(n, sizeof(*k->secs));
	if (!k->secs)
		return -ENOMEM;
	k->n_secs = n;
	k->shstrtab = shstrndx;
	for (size_t i = 1; i < n; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		struct kelf_sec *s = &k->secs[i];
		const char *name;

		if (!scn || !gelf_getshdr(scn, &s->sh) ||
		    !(name = elf_strptr(e, shstrndx, s->sh.sh_name))) {
			kelf_seterr(err, errlen, "%s: section %zu: %s", k->path, i, elf_errmsg(-1));
			return -EBADMSG;
		}
		s->name = strdup(name);
		if (!s->name)
			return -ENOMEM;
		s->size = s->sh.sh_size;
		if (s->sh.sh_type == SHT_SYMTAB) {
			if (k->symtab) {
				kelf_seterr(err, errlen, "%s: two symbol tables", k->path);
				return -EBADMSG;
			}
			k->symtab = i;
			k->strtab = s->sh.sh_link;
			symdata = elf_getdata(scn, NULL);
		}
		if (s->sh.sh_type != SHT_NOBITS && s->size) {
			Elf_Data *d = elf_rawdata(scn, NULL);

			if (!d || d->d_size != s->size) {
				kelf_seterr(err, errlen, "%s: %s: cannot read", k->path, s->name);
				return -EBADMSG;
			}
			s->data = malloc(s->size);
			if (!s->data)
				return -ENOMEM;
			memcpy(s->data, d->d_buf, s->size);
		}
	}
	if (!k->symtab || k->strtab >= n || k->strtab == 0 || !symdata) {
		kelf_seterr(err, errlen, "%s: no symbol table", k->path);
		return -EBADMSG;
	}
	if (k->strtab == k->shstrtab) {
		kelf_seterr(err, errlen, "%s: symbol and section names share a table", k->path);
		return -ENOTSUP;
	}
	r = read_symtab(k, symdata, k->secs[k->symtab].size / sizeof(Elf64_Sym), err, errlen);
	if (r < 0)
		return r;
	for (size_t i = 1; i < n; i++) {
		if (k->secs[i].sh.sh_type == SHT_REL) {
			kelf_seterr(err, errlen, "%s: SHT_REL section %s", k->path, k->secs[i].name);
			return -ENOTSUP;
		}
		if (k->secs[i].sh.sh_type != SHT_RELA)
			continue;
		r = read_relas(k, i, elf_getdata(elf_getscn(e, i), NULL), err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int kelf_open(const char *path, struct kelf **ret, char *err, size_t errlen)
{
	_cleanup_close_ int fd = -1;
	struct kelf *k;
	Elf *e;
	int r;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		kelf_seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	k = calloc(1, sizeof(*k));
	if (!k || !(k->path = strdup(path))) {
		kelf_free(k);
		return -ENOMEM;
	}
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		kelf_seterr(err, errlen, "%s: %s", path, elf_errmsg(-1));
		kelf_free(k);
		return -EBADMSG;
	}
	r = load(k, e, err, errlen);
	elf_end(e);
	if (r < 0) {
		if (r == -ENOMEM)
			kelf_seterr(err, errlen, "%s: out of memory", path);
		kelf_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

int kelf_new(struct kelf **ret)
{
	struct kelf *k = calloc(1, sizeof(*k));
	GElf_Shdr sh = { 0 };
	struct kelf_sym null = { .name = (char *)"" };

	if (!k)
		return -ENOMEM;
	k->eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	k->eh.e_type = ET_REL;
	k->eh.e_machine = EM_X86_64;
	k->eh.e_version = EV_CURRENT;
	if (!(k->path = strdup("(new)")) || kelf_add_sec(k, "", &sh, NULL, 0) < 0)
		goto oom;
	sh.sh_type = SHT_STRTAB;
	sh.sh_addralign = 1;
	if ((k->shstrtab = kelf_add_sec(k, ".shstrtab", &sh, NULL, 0)) == 0 ||
	    (k->strtab = kelf_add_sec(k, ".strtab", &sh, NULL, 0)) == 0)
		goto oom;
	sh.sh_type = SHT_SYMTAB;
	sh.sh_addralign = 8;
	sh.sh_entsize = sizeof(Elf64_Sym);
	sh.sh_link = k->strtab;
	if ((k->symtab = kelf_add_sec(k, ".symtab", &sh, NULL, 0)) == 0 || kelf_add_sym(k, &null) < 0)
		goto oom;
	*ret = k;
	return 0;
oom:
	kelf_free(k);
	return -ENOMEM;
}

long kelf_add_sec(struct kelf *k, const char *name, const GElf_Shdr *sh, const void *data,
		  size_t size)
{
	struct kelf_sec *n = reallocarray(k->secs, k->n_secs + 1, sizeof(*n));
	struct kelf_sec *s;

	if (!n)
		return -ENOMEM;
	k->secs = n;
	s = &n[k->n_secs];
	memset(s, 0, sizeof(*s));
	s->sh = *sh;
	s->size = size;
	if (!(s->name = strdup(name)))
		return -ENOMEM;
	if (data && size) {
		if (!(s->data = malloc(size))) {
			free(s->name);
			return -ENOMEM;
		}
		memcpy(s->data, data, size);
	}
	return (long)k->n_secs++;
}

long kelf_add_sym(struct kelf *k, const struct kelf_sym *sym)
{
	struct kelf_sym *n = reallocarray(k->syms, k->n_syms + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	k->syms = n;
	n[k->n_syms] = *sym;
	if (!(n[k->n_syms].name = strdup(sym->name)))
		return -ENOMEM;
	return (long)k->n_syms++;
}

int kelf_add_rela(struct kelf_sec *rela, const struct kelf_rela *r)
{
	struct kelf_rela *n = reallocarray(rela->relas, rela->n_relas + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	rela->relas = n;
	n[rela->n_relas++] = *r;
	return 0;
}

long kelf_find_sec(const struct kelf *k, const char *name)
{
	for (size_t i = 1; i < k->n_secs; i++)
		if (streq(k->secs[i].name, name))
			return (long)i;
	return -ENOENT;
}

size_t kelf_find_sym(const struct kelf *k, const char *name)
{
	size_t found = 0;

	for (size_t i = 1; i < k->n_syms; i++) {
		const struct kelf_sym *s = &k->syms[i];

		if (s->type == STT_SECTION || s->type == STT_FILE || s->shndx == SHN_UNDEF ||
		    !streq(s->name, name))
			continue;
		if (s->bind != STB_LOCAL)
			return i;
		if (!found)
			found = i;
	}
	return found;
}

size_t kelf_section_sym(const struct kelf *k, size_t idx)
{
	for (size_t i = 1; i < k->n_syms; i++)
		if (k->syms[i].type == STT_SECTION && k->syms[i].shndx == idx)
			return i;
	return 0;
}

size_t kelf_sym_at(const struct kelf *k, size_t idx, uint64_t off, bool at_end)
{
	for (size_t i = 1; i < k->n_syms; i++) {
		const struct kelf_sym *s = &k->syms[i];

		if (s->shndx != idx || (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		if (off >= s->value && off < s->value + s->size)
			return i;
		if (at_end && off == s->value + s->size)
			return i;
	}
	return 0;
}

/* A string table in the making: names appended, offsets returned. */
struct strtab_buf {
	char *buf;
	size_t len, cap;
};

static long strtab_add(struct strtab_buf *t, const char *s)
{
	size_t n = strlen(s) + 1;
	size_t off = t->len;

	if (!*s && t->len)
		return 0;
	if (t->len + n > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 256) + n;
		char *b = realloc(t->buf, cap);

		if (!b)
			return -ENOMEM;
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return (long)off;
}

static void strtab_free(struct strtab_buf *t)
{
	free(t->buf);
	t->buf = NULL;
}

/* The symbol table and the symbol names, with sh_info (first global) in *first_global. */
static int build_symtab(const struct kelf *k, Elf64_Sym **ret, struct strtab_buf *str,
			size_t *first_global, char *err, size_t errlen)
{
	Elf64_Sym *syms = calloc(k->n_syms ? k->n_syms : 1, sizeof(*syms));

	if (!syms)
		return -ENOMEM;
	*first_global = k->n_syms;
	for (size_t i = 0; i < k->n_syms; i++) {
		const struct kelf_sym *s = &k->syms[i];
		long off = strtab_add(str, s->name);

		if (off < 0) {
			free(syms);
			return -ENOMEM;
		}
		if (s->bind != STB_LOCAL && *first_global == k->n_syms)
			*first_global = i;
		if (s->bind == STB_LOCAL && *first_global != k->n_syms) {
			kelf_seterr(err, errlen, "%s: local symbol %s after a global one", k->path,
				    s->name);
			free(syms);
			return -EINVAL;
		}
		syms[i] = (Elf64_Sym){ (Elf64_Word)off,
				       (unsigned char)ELF64_ST_INFO(s->bind, s->type), s->other,
				       s->shndx, s->value, s->size };
	}
	*ret = syms;
	return 0;
}

static Elf64_Rela *build_relas(const struct kelf_sec *s)
{
	Elf64_Rela *rs = calloc(s->n_relas ? s->n_relas : 1, sizeof(*rs));

	if (!rs)
		return NULL;
	for (size_t j = 0; j < s->n_relas; j++)
		rs[j] = (Elf64_Rela){ s->relas[j].offset,
				      ELF64_R_INFO(s->relas[j].sym, s->relas[j].type),
				      s->relas[j].addend };
	return rs;
}

/* Serialises the model into e; every buffer it allocates goes into bufs (one per section)
 * for the caller to free after elf_update(). */
static int fill(const struct kelf *k, Elf *e, void **bufs, char *err, size_t errlen)
{
	struct strtab_buf shstr = { 0 }, str = { 0 };
	_cleanup_free_ long *names = NULL;
	Elf64_Sym *syms = NULL;
	size_t first_global;
	GElf_Ehdr eh;
	int r;

	names = calloc(k->n_secs, sizeof(*names));
	if (!names || strtab_add(&shstr, "") < 0 || strtab_add(&str, "") < 0)
		goto oom;
	for (size_t i = 1; i < k->n_secs; i++)
		if ((names[i] = strtab_add(&shstr, k->secs[i].name)) < 0)
			goto oom;
	r = build_symtab(k, &syms, &str, &first_global, err, errlen);
	if (r < 0) {
		strtab_free(&shstr);
		strtab_free(&str);
		return r == -ENOMEM ? (kelf_seterr(err, errlen, "out of memory"), r) : r;
	}
	bufs[k->symtab] = syms;
	bufs[k->strtab] = str.buf;
	bufs[k->shstrtab] = shstr.buf;

	if (!gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		goto libelf;
	memcpy(eh.e_ident, k->eh.e_ident, EI_NIDENT);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_flags = k->eh.e_flags;
	eh.e_shstrndx = k->shstrtab;
	for (size_t i = 1; i < k->n_secs; i++) {
		const struct kelf_sec *s = &k->secs[i];
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *d;
		GElf_Shdr sh = s->sh;
		void *buf = s->data;
		size_t size = s->size;

		if (!scn || !(d = elf_newdata(scn)))
			goto libelf;
		if (i == k->symtab) {
			buf = syms;
			size = k->n_syms * sizeof(Elf64_Sym);
			sh.sh_info = (Elf64_Word)first_global;
			sh.sh_link = k->strtab;
			sh.sh_entsize = sizeof(Elf64_Sym);
		} else if (i == k->strtab) {
			buf = str.buf;
			size = str.len;
		} else if (i == k->shstrtab) {
			buf = shstr.buf;
			size = shstr.len;
		} else if (s->sh.sh_type == SHT_RELA) {
			if (!(bufs[i] = buf = build_relas(s)))
				goto oom_bufs;
			size = s->n_relas * sizeof(Elf64_Rela);
			sh.sh_link = k->symtab;
			sh.sh_entsize = sizeof(Elf64_Rela);
		} else if (s->sh.sh_type == SHT_NOBITS) {
			buf = NULL;
		}
		sh.sh_name = (Elf64_Word)names[i];
		sh.sh_size = size;
		d->d_type = ELF_T_BYTE;
		d->d_version = EV_CURRENT;
		d->d_align = sh.sh_addralign ? sh.sh_addralign : 1;
		d->d_off = 0;
		d->d_buf = buf;
		d->d_size = size;
		if (!gelf_update_shdr(scn, &sh))
			goto libelf;
	}
	if (!gelf_update_ehdr(e, &eh))
		goto libelf;
	return 0;
libelf:
	kelf_seterr(err, errlen, "%s: %s", k->path, elf_errmsg(-1));
	return -EIO;
oom:
	strtab_free(&shstr);
	strtab_free(&str);
oom_bufs:
	kelf_seterr(err, errlen, "%s: out of memory", k->path);
	return -ENOMEM;
}

int kelf_write(const struct kelf *k, const char *path, char *err, size_t errlen)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	void **bufs;
	Elf *e;
	int r;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = negative_errno();
		kelf_seterr(err, errlen, "%s: %s", tmp, strerror(-r));
		return r;
	}
	bufs = calloc(k->n_secs, sizeof(*bufs));
	if (!bufs) {
		r = -ENOMEM;
		goto fail;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e) {
		kelf_seterr(err, errlen, "%s: %s", tmp, elf_errmsg(-1));
		r = -EIO;
	} else {
		r = fill(k, e, bufs, err, errlen);
		if (r == 0 && elf_update(e, ELF_C_WRITE) < 0) {
			kelf_seterr(err, errlen, "%s: %s", path, elf_errmsg(-1));
			r = -EIO;
		}
		elf_end(e);
	}
	for (size_t i = 0; i < k->n_secs; i++)
		free(bufs[i]);
	free(bufs);
	if (r < 0)
		goto fail;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
		r = negative_errno();
		kelf_seterr(err, errlen, "%s: %s", path, strerror(-r));
		goto fail;
	}
	(void)fsync_directory_of(path);
	return 0;
fail:
	unlink(tmp);
	return r;
}
