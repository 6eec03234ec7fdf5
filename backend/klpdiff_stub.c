/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands in for the binary differ (klpdiff.h) while it is not in the tree: every call fails
 * with "klpdiff not available", so the generator still builds and runs every step up to the
 * missing one. The Makefile defines HAVE_<function> for each function another backend
 * source defines, and that group of stand-ins drops out.
 */
#include <errno.h>
#include <stdio.h>

#include "klpdiff.h"

#define UNAVAILABLE "klpdiff not available (the binary differ is not built into this program)"

#ifndef HAVE_klp_symdb_load
int klp_symdb_load(const char *system_map, const char *module_symvers, struct klp_symdb **ret,
		   char *err, size_t errlen)
{
	snprintf(err, errlen, UNAVAILABLE);
	return -ENOSYS;
}

void klp_symdb_free(struct klp_symdb *db)
{
}

bool klp_symdb_exported(const struct klp_symdb *db, const char *name)
{
	return false;
}

int klp_symdb_sympos(const struct klp_symdb *db, const char *name, const char *const *anchors,
		     unsigned long *ret)
{
	return -ENOSYS;
}
#endif

#ifndef HAVE_klpdiff_compare
int klpdiff_compare(const char *orig_o, const char *patched_o, struct klpdiff_result *ret,
		    char *err, size_t errlen)
{
	snprintf(err, errlen, UNAVAILABLE);
	return -ENOSYS;
}

void klpdiff_result_free(struct klpdiff_result *r)
{
}
#endif

#ifndef HAVE_klpdiff_extract
int klpdiff_extract(const char *patched_o, const char *orig_o, const struct klpdiff_result *res,
		    const struct klp_symdb *db, const char *objname,
		    const char *const *module_objs, const char *out_o, char *err, size_t errlen)
{
	snprintf(err, errlen, UNAVAILABLE);
	return -ENOSYS;
}
#endif

#ifndef HAVE_klp_convert
int klp_convert(const char *ko_path, char *err, size_t errlen)
{
	snprintf(err, errlen, UNAVAILABLE);
	return -ENOSYS;
}
#endif
