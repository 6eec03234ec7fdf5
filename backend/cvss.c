/* SPDX-License-Identifier: GPL-2.0-only */
#include "cvss.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

struct metric {
	const char *key;
	const char *values; /* allowed letters */
	size_t offset;
};

static const struct metric base_metrics[] = {
	{ "AV", "NALP", offsetof(struct cvss3, av) }, { "AC", "LH", offsetof(struct cvss3, ac) },
	{ "PR", "NLH", offsetof(struct cvss3, pr) },  { "UI", "NR", offsetof(struct cvss3, ui) },
	{ "S", "UC", offsetof(struct cvss3, s) },     { "C", "HLN", offsetof(struct cvss3, c) },
	{ "I", "HLN", offsetof(struct cvss3, i) },    { "A", "HLN", offsetof(struct cvss3, a) },
};

/* Temporal and environmental metrics: checked for form, not used in the base score. */
static const char *const other_metrics[] = { "E",  "RL", "RC", "CR", "IR", "AR", "MAV", "MAC",
					     "MPR", "MUI", "MS", "MC", "MI", "MA" };

_printf_(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cvss3_parse(const char *vector, struct cvss3 *ret, char *err, size_t errlen)
{
	struct cvss3 c = { 0 };
	bool seen_other[ELEMENTSOF(other_metrics)] = { false };
	const char *p;
	size_t n = strlen(vector);

	if (n > CVSS3_VECTOR_MAX)
		return fail(err, errlen, "vector longer than %d characters", CVSS3_VECTOR_MAX);
	if (!startswith(vector, "CVSS:3.1/") && !startswith(vector, "CVSS:3.0/"))
		return fail(err, errlen, "vector does not start with CVSS:3.1/ or CVSS:3.0/");
	p = vector + 9;
	while (*p) {
		const char *slash = strchr(p, '/'), *colon;
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		size_t klen;
		bool known = false;

		colon = memchr(p, ':', len);
		if (!colon || colon == p || (size_t)(colon - p) + 1 >= len)
			return fail(err, errlen, "'%.*s' is not KEY:VALUE", (int)len, p);
		klen = (size_t)(colon - p);
		for (size_t m = 0; m < ELEMENTSOF(base_metrics) && !known; m++) {
			char *slot = (char *)&c + base_metrics[m].offset;

			if (strlen(base_metrics[m].key) != klen || memcmp(p, base_metrics[m].key, klen))
				continue;
			known = true;
			if (*slot)
				return fail(err, errlen, "metric %s appears twice", base_metrics[m].key);
			if (len - klen != 2 || !strchr(base_metrics[m].values, colon[1]))
				return fail(err, errlen, "unknown value '%.*s' for %s",
					    (int)(len - klen - 1), colon + 1, base_metrics[m].key);
			*slot = colon[1];
		}
		for (size_t m = 0; m < ELEMENTSOF(other_metrics) && !known; m++) {
			if (strlen(other_metrics[m]) != klen || memcmp(p, other_metrics[m], klen))
				continue;
			known = true;
			if (seen_other[m])
				return fail(err, errlen, "metric %s appears twice", other_metrics[m]);
			seen_other[m] = true;
			if (len - klen != 2 || colon[1] < 'A' || colon[1] > 'Z')
				return fail(err, errlen, "unknown value '%.*s' for %s",
					    (int)(len - klen - 1), colon + 1, other_metrics[m]);
		}
		if (!known)
			return fail(err, errlen, "unknown metric '%.*s'", (int)klen, p);
		if (!slash)
			break;
		p = slash + 1;
		if (!*p)
			return fail(err, errlen, "vector ends with '/'");
	}
	for (size_t m = 0; m < ELEMENTSOF(base_metrics); m++)
		if (!*((char *)&c + base_metrics[m].offset))
			return fail(err, errlen, "base metric %s is missing", base_metrics[m].key);
	*ret = c;
	return 0;
}

/* The specification's Roundup: the smallest one-decimal number >= x, computed on integers
 * so that floating point noise (4.000000001) does not push a score up by 0.1. */
static double roundup(double x)
{
	long long i = llround(x * 100000.0);

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

static double cia_weight(char v)
{
	return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
}

double cvss3_base_score(const struct cvss3 *c)
{
	bool changed = c->s == 'C';
	double av = c->av == 'N' ? 0.85 : c->av == 'A' ? 0.62 : c->av == 'L' ? 0.55 : 0.2;
	double ac = c->ac == 'L' ? 0.77 : 0.44;
	double ui = c->ui == 'N' ? 0.85 : 0.62;
	double pr, iss, impact, exploitability;

	if (c->pr == 'N')
		pr = 0.85;
	else if (c->pr == 'L')
		pr = changed ? 0.68 : 0.62;
	else
		pr = changed ? 0.50 : 0.27;

	iss = 1.0 - (1.0 - cia_weight(c->c)) * (1.0 - cia_weight(c->i)) * (1.0 - cia_weight(c->a));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	exploitability = 8.22 * av * ac * pr * ui;

	if (impact <= 0)
		return 0.0;
	if (changed)
		return roundup(fmin(1.08 * (impact + exploitability), 10.0));
	return roundup(fmin(impact + exploitability, 10.0));
}

const char *cvss3_severity(double score)
{
	if (score <= 0.0)
		return "NONE";
	if (score < 4.0)
		return "LOW";
	if (score < 7.0)
		return "MEDIUM";
	if (score < 9.0)
		return "HIGH";
	return "CRITICAL";
}
