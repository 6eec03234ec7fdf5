/* SPDX-License-Identifier: GPL-2.0-only */
#include "cvss.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define NOT_BASE SIZE_MAX

struct metric {
	const char *key;
	const char *values; /* the allowed value letters */
	size_t offset;      /* where a base metric goes in struct cvss3, else NOT_BASE */
};

/* The vector string table of the specification (section 6), v3.0 and v3.1 alike. */
static const struct metric metrics[] = {
	{ "AV", "NALP", offsetof(struct cvss3, av) },
	{ "AC", "LH", offsetof(struct cvss3, ac) },
	{ "PR", "NLH", offsetof(struct cvss3, pr) },
	{ "UI", "NR", offsetof(struct cvss3, ui) },
	{ "S", "UC", offsetof(struct cvss3, s) },
	{ "C", "HLN", offsetof(struct cvss3, c) },
	{ "I", "HLN", offsetof(struct cvss3, i) },
	{ "A", "HLN", offsetof(struct cvss3, a) },
	{ "E", "XHFPU", NOT_BASE },
	{ "RL", "XUWTO", NOT_BASE },
	{ "RC", "XCRU", NOT_BASE },
	{ "CR", "XHML", NOT_BASE },
	{ "IR", "XHML", NOT_BASE },
	{ "AR", "XHML", NOT_BASE },
	{ "MAV", "XNALP", NOT_BASE },
	{ "MAC", "XLH", NOT_BASE },
	{ "MPR", "XNLH", NOT_BASE },
	{ "MUI", "XNR", NOT_BASE },
	{ "MS", "XUC", NOT_BASE },
	{ "MC", "XNLH", NOT_BASE },
	{ "MI", "XNLH", NOT_BASE },
	{ "MA", "XNLH", NOT_BASE },
};

_printf_(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct metric *find_metric(const char *key, size_t len)
{
	for (size_t m = 0; m < ELEMENTSOF(metrics); m++)
		if (strlen(metrics[m].key) == len && !memcmp(metrics[m].key, key, len))
			return &metrics[m];
	return NULL;
}

int cvss3_parse(const char *vector, struct cvss3 *ret, char *err, size_t errlen)
{
	bool seen[ELEMENTSOF(metrics)] = { false };
	struct cvss3 c = { 0 };
	size_t n = strnlen(vector, CVSS3_VECTOR_MAX + 1);
	const char *p;

	if (n > CVSS3_VECTOR_MAX)
		return fail(err, errlen, "vector longer than %d characters", CVSS3_VECTOR_MAX);
	/* vectors are printable ASCII; checking first keeps the messages below printable */
	for (size_t i = 0; i < n; i++)
		if (vector[i] <= ' ' || vector[i] >= 0x7f)
			return fail(err, errlen, "invalid character 0x%02x at offset %zu",
				    (unsigned char)vector[i], i);
	if (!startswith(vector, "CVSS:3.1/") && !startswith(vector, "CVSS:3.0/"))
		return fail(err, errlen, "vector does not start with CVSS:3.1/ or CVSS:3.0/");

	for (p = vector + strlen("CVSS:3.x/");; p++) {
		size_t len = strcspn(p, "/"), klen;
		const char *colon = memchr(p, ':', len);
		const struct metric *m;

		if (len == 0)
			return fail(err, errlen, *p ? "empty metric in vector" :
						      "vector ends with '/'");
		if (!colon || colon == p || colon == p + len - 1)
			return fail(err, errlen, "'%.*s' is not KEY:VALUE", (int)len, p);
		klen = (size_t)(colon - p);
		m = find_metric(p, klen);
		if (!m)
			return fail(err, errlen, "unknown metric '%.*s'", (int)klen, p);
		if (seen[m - metrics])
			return fail(err, errlen, "metric %s appears twice", m->key);
		seen[m - metrics] = true;
		if (len - klen != 2 || !strchr(m->values, colon[1]))
			return fail(err, errlen, "unknown value '%.*s' for %s", (int)(len - klen - 1),
				    colon + 1, m->key);
		if (m->offset != NOT_BASE)
			*((char *)&c + m->offset) = colon[1];
		p += len;
		if (!*p)
			break;
	}

	for (size_t m = 0; m < ELEMENTSOF(metrics); m++)
		if (metrics[m].offset != NOT_BASE && !seen[m])
			return fail(err, errlen, "base metric %s is missing", metrics[m].key);
	*ret = c;
	return 0;
}

/*
 * The v3.1 Roundup (Appendix A): the smallest one-decimal number >= x, decided on x rounded
 * to 5 decimals as an integer, so that floating point noise (4.000000000000001) does not
 * push a score up by 0.1. v3.0 defined Roundup as a plain ceiling to one decimal; over all
 * 2592 base vectors the two agree (checked against exact rational arithmetic), so v3.0
 * vectors take the same path.
 */
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

	/* privileges weigh less when the attack reaches beyond the vulnerable component */
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
	if (!(score > 0.0)) /* NaN too: no score is no severity */
		return "NONE";
	if (score < 4.0)
		return "LOW";
	if (score < 7.0)
		return "MEDIUM";
	if (score < 9.0)
		return "HIGH";
	return "CRITICAL";
}
