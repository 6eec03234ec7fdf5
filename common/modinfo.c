/* SPDX-License-Identifier: GPL-2.0-only */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "modinfo.h"
#include "util.h"

static void take(struct modinfo *m, const char *kv, size_t n)
{
	const char *eq = memchr(kv, '=', n);
	size_t klen, vlen;

	if (!eq)
		return;
	klen = (size_t)(eq - kv);
	vlen = n - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(kv, k, klen) == 0)
	if (KEY("name"))
		snprintf(m->name, sizeof(m->name), "%.*s", (int)vlen, eq + 1);
	else if (KEY("vermagic"))
		snprintf(m->vermagic, sizeof(m->vermagic), "%.*s", (int)vlen, eq + 1);
	else if (KEY("livepatch"))
		m->livepatch = vlen == 1 && eq[1] == 'Y';
#undef KEY
}

/* Section i's name, if it is one within the string table. */
static bool section_named(const char *names, size_t names_size, uint32_t at, const char *want)
{
	size_t n = strlen(want);

	return at < names_size && names_size - at > n && memcmp(names + at, want, n + 1) == 0;
}

/* Section i's header: copied, since a crafted file may place the table at any offset. */
static Elf64_Shdr section(const char *base, const Elf64_Ehdr *eh, size_t i)
{
	Elf64_Shdr sh;

	memcpy(&sh, base + eh->e_shoff + i * sizeof(sh), sizeof(sh));
	return sh;
}

int modinfo_parse(const void *data, size_t size, struct modinfo *ret)
{
	const char *base = data, *names;
	struct modinfo m = { 0 };
	Elf64_Shdr strtab;
	Elf64_Ehdr eh;
	bool found = false;

	if (size < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, base, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shoff > size || eh.e_shnum > (size - eh.e_shoff) / sizeof(Elf64_Shdr) ||
	    eh.e_shstrndx >= eh.e_shnum)
		return -ENOEXEC;
	strtab = section(base, &eh, eh.e_shstrndx);
	if (strtab.sh_offset > size || strtab.sh_size > size - strtab.sh_offset)
		return -ENOEXEC;
	names = base + strtab.sh_offset;
	m.relocatable = eh.e_type == ET_REL;
	for (size_t i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh = section(base, &eh, i);
		const char *p, *end;

		if (section_named(names, strtab.sh_size, sh.sh_name, ".gnu.linkonce.this_module"))
			m.this_module = true;
		if (found || !section_named(names, strtab.sh_size, sh.sh_name, ".modinfo"))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > size ||
		    sh.sh_size > size - sh.sh_offset)
			return -ENOEXEC;
		/* "key=value" strings, NUL-terminated, with NUL padding between them; the last
		 * one need not be terminated */
		p = base + sh.sh_offset;
		end = p + sh.sh_size;
		while (p < end) {
			size_t n = strnlen(p, (size_t)(end - p));

			take(&m, p, n);
			p += n + 1;
		}
		found = true;
	}
	if (!found)
		return -ENOEXEC;
	*ret = m;
	return 0;
}
