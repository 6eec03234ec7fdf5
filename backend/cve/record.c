/* SPDX-License-Identifier: GPL-2.0-only */
#include "record.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cvss.h"
#include "kver.h"
#include "util.h"


_printf_(2, 3) static int fail(struct record_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int oom(struct record_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -ENOMEM;
}

void record_init(struct cve_record *r)
{
	memset(r, 0, sizeof(*r));
	r->cvss_score = -1;
}

void record_reset(struct cve_record *r)
{
	struct arena a = r->arena;

	arena_reset(&a);
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->cvss_score = -1;
}

void record_free(struct cve_record *r)
{
	arena_free(&r->arena);
	memset(r, 0, sizeof(*r));
}

const char *range_status_to_string(enum range_status s)
{
	switch (s) {
	case RANGE_AFFECTED:
		return "affected";
	case RANGE_UNAFFECTED:
		return "unaffected";
	default:
		return "unknown";
	}
}

bool record_id_valid(const char *id, size_t len)
{
	size_t digits = 0;

	if (len < 13 || len >= CVE_ID_MAX || memcmp(id, "CVE-", 4) != 0)
		return false;
	for (size_t i = 4; i < 8; i++)
		if (!isdigit((unsigned char)id[i]))
			return false;
	if (id[8] != '-')
		return false;
	for (size_t i = 9; i < len; i++, digits++)
		if (!isdigit((unsigned char)id[i]))
			return false;
	return digits >= 4 && digits <= 19;
}

int record_id_from_name(const char *name, char *id, size_t idlen)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);

	if (!record_id_valid(name, n) || n >= idlen)
		return -EINVAL;
	memcpy(id, name, n);
	id[n] = '\0';
	return 0;
}

/* Abbreviated ids occur in older records (12 hex) and hand-written overrides. */
bool commit_id_valid(const char *s, size_t len)
{
	if (len < 7 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* Appends to a growing array kept in the arena (doubling, old copies are simply left). */
static int push_str(struct cve_record *r, const char ***arr, size_t *n, const char *s, size_t len)
{
	const char **grown;

	if (*n >= RECORD_LIST_MAX)
		return -E2BIG;
	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, 8...: grow to the next power of two */
		size_t cap = *n ? *n * 2 : 4;

		grown = arena_alloc(&r->arena, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		if (*n)
			memcpy(grown, *arr, *n * sizeof(*grown));
		*arr = grown;
	}
	(*arr)[*n] = arena_strndup(&r->arena, s, len);
	if (!(*arr)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static const char *dup_json_string(struct cve_record *r, json_t *v)
{
	return arena_strndup(&r->arena, json_string_value(v), json_string_length(v));
}

/* A version bound in a non-git entry: a kernel version, "0", "*" or "X.Y.*". */
static bool version_bound_valid(const char *s, bool allow_wildcard)
{
	struct kver v;
	size_t n = strlen(s);

	if (allow_wildcard) {
		if (streq(s, "*"))
			return true;
		if (n > 2 && streq(s + n - 2, ".*"))
			return kver_parse_n(s, n - 2, &v) == 0;
	}
	return kver_parse(s, &v) == 0;
}

static int parse_status(json_t *v, enum range_status *ret)
{
	const char *s = json_string_value(v);

	if (!s)
		return -EINVAL;
	if (streq(s, "affected"))
		*ret = RANGE_AFFECTED;
	else if (streq(s, "unaffected"))
		*ret = RANGE_UNAFFECTED;
	else if (streq(s, "unknown"))
		*ret = RANGE_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

static int parse_versions(struct cve_record *r, unsigned product, json_t *versions,
			  struct record_error *err)
{
	size_t i, n = json_array_size(versions);
	json_t *e;

	if (!json_is_array(versions))
		return fail(err, "affected[%u].versions: not an array", product);
	if (r->n_ranges + n > RECORD_LIST_MAX)
		return fail(err, "affected[%u].versions: more than %u entries", product,
			    RECORD_LIST_MAX);
	if (n) {
		struct cve_range *grown = arena_alloc(&r->arena, (r->n_ranges + n) * sizeof(*grown));

		if (!grown)
			return oom(err);
		if (r->n_ranges)
			memcpy(grown, r->ranges, r->n_ranges * sizeof(*grown));
		r->ranges = grown;
	}
	json_array_foreach(versions, i, e) {
		struct cve_range *rg = &r->ranges[r->n_ranges];
		json_t *ver = json_object_get(e, "version");
		json_t *lt = json_object_get(e, "lessThan");
		json_t *le = json_object_get(e, "lessThanOrEqual");
		json_t *vt = json_object_get(e, "versionType");
		bool git;

		memset(rg, 0, sizeof(*rg));
		rg->product = product;
		if (!json_is_object(e))
			return fail(err, "affected[%u].versions[%zu]: not an object", product, i);
		if (!json_is_string(ver))
			return fail(err, "affected[%u].versions[%zu].version: missing or not a string",
				    product, i);
		if (parse_status(json_object_get(e, "status"), &rg->status) < 0)
			return fail(err, "affected[%u].versions[%zu].status: missing or not one of "
				    "affected/unaffected/unknown", product, i);
		if (vt && !json_is_string(vt))
			return fail(err, "affected[%u].versions[%zu].versionType: not a string",
				    product, i);
		if ((lt && !json_is_string(lt)) || (le && !json_is_string(le)))
			return fail(err, "affected[%u].versions[%zu]: lessThan/lessThanOrEqual "
				    "not a string", product, i);
		if (lt && le)
			return fail(err, "affected[%u].versions[%zu]: both lessThan and "
				    "lessThanOrEqual", product, i);
		git = vt && streq(json_string_value(vt), "git");
		if (git) {
			const char *a = json_string_value(ver);

			if (!commit_id_valid(a, strlen(a)) ||
			    (lt && !commit_id_valid(json_string_value(lt), json_string_length(lt))))
				return fail(err, "affected[%u].versions[%zu]: git range with a value "
					    "that is not a commit id", product, i);
			r->products[product].is_git = true;
		} else {
			if (!version_bound_valid(json_string_value(ver), false))
				return fail(err, "affected[%u].versions[%zu].version: not a kernel "
					    "version: '%.40s'", product, i, json_string_value(ver));
			if (lt && !version_bound_valid(json_string_value(lt), false))
				return fail(err, "affected[%u].versions[%zu].lessThan: not a kernel "
					    "version: '%.40s'", product, i, json_string_value(lt));
			if (le && !version_bound_valid(json_string_value(le), true))
				return fail(err, "affected[%u].versions[%zu].lessThanOrEqual: not a "
					    "version bound: '%.40s'", product, i,
					    json_string_value(le));
		}
		rg->version = dup_json_string(r, ver);
		rg->less_than = lt ? dup_json_string(r, lt) : NULL;
		rg->less_than_or_equal = le ? dup_json_string(r, le) : NULL;
		rg->version_type = vt ? dup_json_string(r, vt) : NULL;
		if (!rg->version || (lt && !rg->less_than) || (le && !rg->less_than_or_equal) ||
		    (vt && !rg->version_type))
			return oom(err);
		r->n_ranges++;
	}
	return 0;
}

static int add_file(struct cve_record *r, const char *path, size_t len, struct record_error *err)
{
	int k;

	if (len == 0 || len > 4096 || path[0] == '/' || memchr(path, '\n', len))
		return fail(err, "programFiles: invalid path '%.80s'", path);
	for (size_t i = 0; i < r->n_files; i++)
		if (streq(r->files[i], path))
			return 0;
	k = push_str(r, &r->files, &r->n_files, path, len);
	if (k == -E2BIG)
		return fail(err, "programFiles: more than %u files", RECORD_LIST_MAX);
	return k < 0 ? oom(err) : 0;
}

static int parse_affected(struct cve_record *r, json_t *affected, struct record_error *err)
{
	size_t i;
	json_t *p;

	if (!affected)
		return 0; /* hand-made and rejected records may have none */
	if (!json_is_array(affected))
		return fail(err, "containers.cna.affected: not an array");
	if (json_array_size(affected) > CVE_MAX_PRODUCTS)
		return fail(err, "containers.cna.affected: more than %d entries", CVE_MAX_PRODUCTS);
	json_array_foreach(affected, i, p) {
		json_t *ds = json_object_get(p, "defaultStatus");
		json_t *pf = json_object_get(p, "programFiles");
		json_t *versions = json_object_get(p, "versions");
		size_t j;
		json_t *f;
		int k;

		if (!json_is_object(p))
			return fail(err, "affected[%zu]: not an object", i);
		r->products[i].default_status = RANGE_UNKNOWN;
		if (ds && parse_status(ds, &r->products[i].default_status) < 0)
			return fail(err, "affected[%zu].defaultStatus: not one of "
				    "affected/unaffected/unknown", i);
		if (pf) {
			if (!json_is_array(pf))
				return fail(err, "affected[%zu].programFiles: not an array", i);
			json_array_foreach(pf, j, f) {
				if (!json_is_string(f))
					return fail(err, "affected[%zu].programFiles[%zu]: not a "
						    "string", i, j);
				k = add_file(r, json_string_value(f), json_string_length(f), err);
				if (k < 0)
					return k;
			}
		}
		r->n_products = (unsigned)i + 1;
		if (versions) {
			k = parse_versions(r, (unsigned)i, versions, err);
			if (k < 0)
				return k;
		}
	}
	return 0;
}

static int parse_metrics(struct cve_record *r, json_t *metrics, struct record_error *err)
{
	size_t i;
	json_t *m;

	if (!metrics)
		return 0;
	if (!json_is_array(metrics))
		return fail(err, "containers.cna.metrics: not an array");
	json_array_foreach(metrics, i, m) {
		json_t *c = json_object_get(m, "cvssV3_1");
		json_t *vec, *score;

		if (!c)
			c = json_object_get(m, "cvssV3_0");
		if (!c)
			continue;
		vec = json_object_get(c, "vectorString");
		score = json_object_get(c, "baseScore");
		if (!json_is_string(vec) || !json_is_number(score))
			return fail(err, "metrics[%zu]: cvss without vectorString or baseScore", i);
		if (json_number_value(score) < 0 || json_number_value(score) > 10)
			return fail(err, "metrics[%zu].baseScore: out of range 0-10", i);
		r->cvss_vector = dup_json_string(r, vec);
		r->cvss_score = json_number_value(score);
		r->cvss_severity = cvss3_severity(r->cvss_score);
		if (!r->cvss_vector)
			return oom(err);
		return 0;
	}
	return 0;
}

int record_parse_json(struct cve_record *r, const char *buf, size_t len, struct record_error *err)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	json_error_t jerr;
	json_t *meta, *cna, *id, *v, *d, *refs;
	size_t i;
	int k;

	if (len > RECORD_FILE_MAX)
		return fail(err, "larger than %u bytes", RECORD_FILE_MAX);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		return fail(err, "top level is not an object");

	meta = json_object_get(root, "cveMetadata");
	if (!json_is_object(meta))
		return fail(err, "cveMetadata: missing");
	id = json_object_get(meta, "cveId");
	if (!id)
		id = json_object_get(meta, "cveID"); /* dataVersion 5.0 records */
	if (!json_is_string(id))
		return fail(err, "cveMetadata.cveId: missing");
	if (!streq(json_string_value(id), r->id))
		return fail(err, "cveMetadata.cveId is %.40s, the file name says %s",
			    json_string_value(id), r->id);

	v = json_object_get(root, "dataVersion");
	if (v && json_is_string(v))
		r->data_version = dup_json_string(r, v);

	cna = json_object_get(json_object_get(root, "containers"), "cna");
	if (!json_is_object(cna))
		return fail(err, "containers.cna: missing");

	v = json_object_get(cna, "title");
	if (v) {
		if (!json_is_string(v))
			return fail(err, "containers.cna.title: not a string");
		r->title = dup_json_string(r, v);
	}
	d = json_object_get(cna, "descriptions");
	if (d && !json_is_array(d))
		return fail(err, "containers.cna.descriptions: not an array");
	json_array_foreach(d, i, v) {
		json_t *lang = json_object_get(v, "lang");
		json_t *val = json_object_get(v, "value");

		if (!json_is_string(val))
			return fail(err, "containers.cna.descriptions[%zu].value: not a string", i);
		if (!r->description || (json_is_string(lang) &&
					startswith(json_string_value(lang), "en")))
			r->description = dup_json_string(r, val);
	}

	k = parse_affected(r, json_object_get(cna, "affected"), err);
	if (k < 0)
		return k;
	k = parse_metrics(r, json_object_get(cna, "metrics"), err);
	if (k < 0)
		return k;

	refs = json_object_get(cna, "references");
	if (refs && !json_is_array(refs))
		return fail(err, "containers.cna.references: not an array");
	json_array_foreach(refs, i, v) {
		json_t *url = json_object_get(v, "url");

		if (!json_is_string(url))
			return fail(err, "containers.cna.references[%zu].url: not a string", i);
		k = push_str(r, &r->references, &r->n_references, json_string_value(url),
			     json_string_length(url));
		if (k == -E2BIG)
			return fail(err, "references: more than %u", RECORD_LIST_MAX);
		if (k < 0)
			return oom(err);
	}
	return 0;
}

/* Calls fn for each line without its newline; stops at the first error. */
static int for_each_line(const char *buf, size_t len,
			 int (*fn)(struct cve_record *, const char *, size_t, unsigned,
				   struct record_error *),
			 struct cve_record *r, struct record_error *err)
{
	unsigned lineno = 0;
	size_t pos = 0;

	if (len > RECORD_FILE_MAX)
		return fail(err, "larger than %u bytes", RECORD_FILE_MAX);
	if (memchr(buf, '\0', len))
		return fail(err, "contains a NUL byte");
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t full = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		size_t n = full;
		int k;

		lineno++;
		if (n && buf[pos + n - 1] == '\r')
			n--;
		k = fn(r, buf + pos, n, lineno, err);
		if (k < 0)
			return k;
		pos += full + (nl ? 1 : 0);
	}
	return 0;
}

static int dyad_field_version(struct cve_record *r, const char *s, size_t n, const char **ret)
{
	struct kver v;

	if (n == 1 && s[0] == '0') {
		*ret = NULL;
		return 0;
	}
	if (kver_parse_n(s, n, &v) < 0)
		return -EINVAL;
	*ret = arena_strndup(&r->arena, s, n);
	return *ret ? 0 : -ENOMEM;
}

static int dyad_field_commit(struct cve_record *r, const char *s, size_t n, const char **ret)
{
	if (n == 1 && s[0] == '0') {
		*ret = NULL;
		return 0;
	}
	if (!commit_id_valid(s, n))
		return -EINVAL;
	*ret = arena_strndup(&r->arena, s, n);
	return *ret ? 0 : -ENOMEM;
}

static int dyad_line(struct cve_record *r, const char *s, size_t n, unsigned lineno,
		     struct record_error *err)
{
	const char *f[4];
	size_t flen[4];
	unsigned nf = 0;
	size_t start = 0;
	struct cve_dyad *d;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || s[0] == '#')
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == ':') {
			if (nf == 4)
				return fail(err, "line %u: more than 4 ':'-separated fields", lineno);
			f[nf] = s + start;
			flen[nf++] = i - start;
			start = i + 1;
		}
	}
	if (nf != 4)
		return fail(err, "line %u: expected VULN_VERSION:VULN_SHA:FIX_VERSION:FIX_SHA",
			    lineno);
	if (r->n_dyads >= RECORD_LIST_MAX)
		return fail(err, "more than %u lines", RECORD_LIST_MAX);
	if ((r->n_dyads & (r->n_dyads - 1)) == 0) {
		size_t cap = r->n_dyads ? r->n_dyads * 2 : 8;
		struct cve_dyad *grown = arena_alloc(&r->arena, cap * sizeof(*grown));

		if (!grown)
			return oom(err);
		if (r->n_dyads)
			memcpy(grown, r->dyads, r->n_dyads * sizeof(*grown));
		r->dyads = grown;
	}
	d = &r->dyads[r->n_dyads];
	if (dyad_field_version(r, f[0], flen[0], &d->vuln_version) < 0)
		return fail(err, "line %u: vulnerable version '%.*s' is not a kernel version",
			    lineno, (int)(flen[0] > 40 ? 40 : flen[0]), f[0]);
	if (dyad_field_commit(r, f[1], flen[1], &d->vuln_commit) < 0)
		return fail(err, "line %u: vulnerable commit is not a commit id", lineno);
	if (dyad_field_version(r, f[2], flen[2], &d->fixed_version) < 0)
		return fail(err, "line %u: fixed version '%.*s' is not a kernel version", lineno,
			    (int)(flen[2] > 40 ? 40 : flen[2]), f[2]);
	if (dyad_field_commit(r, f[3], flen[3], &d->fixed_commit) < 0)
		return fail(err, "line %u: fixed commit is not a commit id", lineno);
	if (!d->vuln_version != !d->vuln_commit || !d->fixed_version != !d->fixed_commit)
		return fail(err, "line %u: a version without its commit (or the reverse)", lineno);
	r->n_dyads++;
	return 0;
}

int record_parse_dyad(struct cve_record *r, const char *buf, size_t len, struct record_error *err)
{
	return for_each_line(buf, len, dyad_line, r, err);
}

/* Whitespace-separated commit ids (.sha1, .vulnerable); blank lines are tolerated. */
static int parse_commit_list(struct cve_record *r, const char *buf, size_t len,
			     const char ***arr, size_t *n, struct record_error *err)
{
	size_t i = 0;

	if (len > RECORD_FILE_MAX)
		return fail(err, "larger than %u bytes", RECORD_FILE_MAX);
	while (i < len) {
		size_t start;
		int k;

		while (i < len && isspace((unsigned char)buf[i]))
			i++;
		start = i;
		while (i < len && !isspace((unsigned char)buf[i]))
			i++;
		if (i == start)
			break;
		if (!commit_id_valid(buf + start, i - start))
			return fail(err, "'%.*s' is not a commit id",
				    (int)(i - start > 48 ? 48 : i - start), buf + start);
		k = push_str(r, arr, n, buf + start, i - start);
		if (k == -E2BIG)
			return fail(err, "more than %u commit ids", RECORD_LIST_MAX);
		if (k < 0)
			return oom(err);
	}
	return 0;
}

int record_parse_sha1(struct cve_record *r, const char *buf, size_t len, struct record_error *err)
{
	return parse_commit_list(r, buf, len, &r->mainline_fixes, &r->n_mainline_fixes, err);
}

int record_parse_vulnerable(struct cve_record *r, const char *buf, size_t len,
			    struct record_error *err)
{
	return parse_commit_list(r, buf, len, &r->vulnerable, &r->n_vulnerable, err);
}

/* Line 1: "ORGID CVSS:3.1/..."; the rest is the rationale, shown in the JSON already. */
int record_parse_cvss(struct cve_record *r, const char *buf, size_t len, struct record_error *err)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;
	const char *sp = memchr(buf, ' ', n);
	struct cvss3 c;
	char vec[300], cerr[160];
	size_t vlen;

	if (len > RECORD_FILE_MAX)
		return fail(err, "larger than %u bytes", RECORD_FILE_MAX);
	if (!sp)
		return fail(err, "line 1: expected 'ORGID CVSS:3.x/...'");
	vlen = n - (size_t)(sp + 1 - buf);
	while (vlen && isspace((unsigned char)sp[vlen]))
		vlen--;
	if (vlen == 0 || vlen >= sizeof(vec))
		return fail(err, "line 1: missing or overlong vector");
	memcpy(vec, sp + 1, vlen);
	vec[vlen] = '\0';
	if (cvss3_parse(vec, &c, cerr, sizeof(cerr)) < 0)
		return fail(err, "line 1: %s", cerr);
	/* The .cvss file is the CNA's source; the JSON metrics are generated from it. */
	r->cvss_vector = arena_strdup(&r->arena, vec);
	if (!r->cvss_vector)
		return oom(err);
	r->cvss_score = cvss3_base_score(&c);
	r->cvss_severity = cvss3_severity(r->cvss_score);
	return 0;
}

static int reference_line(struct cve_record *r, const char *s, size_t n, unsigned lineno,
			  struct record_error *err)
{
	int k;

	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s))
		s++, n--;
	if (n == 0)
		return 0;
	/* the line is not NUL-ended: compare within its n bytes */
	if (n > 2048 || !((n >= 8 && memcmp(s, "https://", 8) == 0) ||
			  (n >= 7 && memcmp(s, "http://", 7) == 0)))
		return fail(err, "line %u: not an http(s) URL", lineno);
	for (size_t i = 0; i < r->n_references; i++)
		if (strlen(r->references[i]) == n && memcmp(r->references[i], s, n) == 0)
			return 0;
	k = push_str(r, &r->references, &r->n_references, s, n);
	if (k == -E2BIG)
		return fail(err, "more than %u references", RECORD_LIST_MAX);
	return k < 0 ? oom(err) : 0;
}

int record_parse_reference(struct cve_record *r, const char *buf, size_t len,
			   struct record_error *err)
{
	return for_each_line(buf, len, reference_line, r, err);
}

int record_parse_notes(struct cve_record *r, const char *buf, size_t len, struct record_error *err)
{
	if (len > 64 * 1024)
		return fail(err, "notes file larger than 64 KiB");
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	if (len == 0)
		return 0;
	r->notes = arena_strndup(&r->arena, buf, len);
	return r->notes ? 0 : oom(err);
}

int record_validate(const struct cve_record *r, struct record_error *err)
{
	if (r->state == CVE_REJECTED)
		return 0; /* frozen at rejection time, in whatever shape it had */
	if (!r->title)
		return fail(err, "%s.json: containers.cna.title: missing", r->id);
	if (r->n_products == 0)
		return fail(err, "%s.json: containers.cna.affected: missing or empty", r->id);
	return 0;
}
