/* SPDX-License-Identifier: GPL-2.0-only */
#include "prioritize.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "util.h"

void policy_defaults(struct policy *p)
{
	*p = (struct policy){
		.cvss = 7, .no_cvss = 35, .kev = 30, .epss = 25,
		.uaf = 12, .oob_write = 12, .double_free = 12, .race = 6, .privilege = 10,
		.info_leak = 4, .dos = 2,
		.remote = 10, .adjacent = 5, .local = 3, .hardware = -8, .module = -5,
		.critical = 85, .high = 65, .medium = 40,
	};
}

const char *priority_to_string(enum priority p)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };

	return names[p];
}

int priority_from_string(const char *s, enum priority *ret)
{
	for (int i = PRIO_LOW; i <= PRIO_CRITICAL; i++)
		if (streq(s, priority_to_string((enum priority)i))) {
			*ret = (enum priority)i;
			return 0;
		}
	return -EINVAL;
}

static const struct {
	const char *section, *key;
	size_t offset;
} policy_keys[] = {
#define W(k) { "weights", #k, offsetof(struct policy, k) }
	W(cvss), W(no_cvss), W(kev), W(epss), W(uaf), W(oob_write), W(double_free), W(race),
	W(privilege), W(info_leak), W(dos), W(remote), W(adjacent), W(local), W(hardware),
	W(module),
#undef W
	{ "thresholds", "critical", offsetof(struct policy, critical) },
	{ "thresholds", "high", offsetof(struct policy, high) },
	{ "thresholds", "medium", offsetof(struct policy, medium) },
};

struct policy_parse {
	struct policy *p;
	const char *path;
	FILE *f;
	int lineno, error;
};

static char *policy_line(char *str, int num, void *stream)
{
	struct policy_parse *pp = stream;
	char *s = fgets(str, num, pp->f);

	if (s)
		pp->lineno++;
	return s;
}

static int policy_entry(void *user, const char *section, const char *name, const char *value)
{
	struct policy_parse *pp = user;
	char *end;
	double v;

	for (size_t i = 0; i < ELEMENTSOF(policy_keys); i++) {
		if (!streq(section, policy_keys[i].section) || !streq(name, policy_keys[i].key))
			continue;
		v = strtod(value, &end);
		if (end == value || *end || v < -1000 || v > 1000) {
			pp->error = log_error_errno(EINVAL, "%s:%d: [%s] %s: '%s' is not a number "
						    "between -1000 and 1000", pp->path, pp->lineno,
						    section, name, value);
			return 0;
		}
		*(double *)((char *)pp->p + policy_keys[i].offset) = v;
		return 1;
	}
	pp->error = log_error_errno(EINVAL, "%s:%d: unknown key '%s' in section [%s]", pp->path,
				    pp->lineno, name, section);
	return 0;
}

int policy_load(const char *path, struct policy *p)
{
	struct policy_parse pp = { .p = p, .path = path };
	int k;

	policy_defaults(p);
	pp.f = fopen(path, "re");
	if (!pp.f)
		return log_error_errno(errno, "%s: cannot open policy: %m", path);
	k = ini_parse_stream(policy_line, &pp, policy_entry, &pp);
	fclose(pp.f);
	if (pp.error < 0)
		return pp.error;
	if (k > 0)
		return log_error_errno(EINVAL, "%s:%d: syntax error", path, k);
	if (!(p->critical > p->high && p->high > p->medium))
		return log_error_errno(EINVAL, "%s: thresholds must satisfy critical > high > medium",
				       path);
	return 0;
}

_printf_(3, 4) static void reason(struct prio_result *r, double points, const char *fmt, ...)
{
	va_list ap;
	size_t off;

	r->score += points;
	if (r->n_reasons == PRIO_REASONS_MAX)
		return;
	off = points != 0 ? (size_t)snprintf(r->reasons[r->n_reasons], 160, "%+.0f ", points) : 0;
	va_start(ap, fmt);
	vsnprintf(r->reasons[r->n_reasons] + off, 160 - off, fmt, ap);
	va_end(ap);
	r->n_reasons++;
}

static bool mentions(const char *text, const char *const *words)
{
	for (; text && *words; words++)
		if (strcasestr(text, *words))
			return true;
	return false;
}

static void bug_class(const struct policy *p, const struct prio_input *in, struct prio_result *r)
{
	static const char *const uaf[] = { "use-after-free", "use after free", "uaf", NULL };
	static const char *const oobw[] = { "out-of-bounds write", "out of bounds write",
					    "buffer overflow", "heap overflow", "overflows the",
					    "slab-out-of-bounds write", NULL };
	static const char *const dfree[] = { "double free", "double-free", NULL };
	static const char *const race[] = { "race condition", "data race", "data-race", "racy",
					    " race ", NULL };
	static const char *const priv[] = { "privilege", "escalat", "capable(", "permission check",
					    NULL };
	static const char *const leak[] = { "info leak", "infoleak", "information leak",
					    "uninitialized", "uninit-value", "out-of-bounds read",
					    "kernel memory disclosure", NULL };
	static const char *const dos[] = { "null pointer dereference", "null-ptr-deref",
					   "null deref", "denial of service", "deadlock",
					   "soft lockup", "hung task", "memory leak", NULL };
	const struct {
		const char *const *words;
		double w;
		const char *name;
	} classes[] = {
		{ uaf, p->uaf, "use-after-free" },   { oobw, p->oob_write, "out-of-bounds write" },
		{ dfree, p->double_free, "double free" }, { priv, p->privilege, "privilege" },
		{ race, p->race, "race" },           { leak, p->info_leak, "information leak" },
		{ dos, p->dos, "NULL dereference / denial of service" },
	};
	const char *best = NULL;
	double best_w = 0;

	/* the strongest class the description names counts, once */
	for (size_t i = 0; i < ELEMENTSOF(classes); i++)
		if ((mentions(in->description, classes[i].words) ||
		     mentions(in->title, classes[i].words)) && (!best || classes[i].w > best_w)) {
			best = classes[i].name;
			best_w = classes[i].w;
		}
	if (best)
		reason(r, best_w, "bug class: %s (from the description)", best);
}

static bool any_file_under(const struct prio_input *in, const char *const *prefixes)
{
	for (size_t i = 0; i < in->n_files; i++)
		for (const char *const *pre = prefixes; *pre; pre++)
			if (startswith(in->files[i], *pre))
				return true;
	return false;
}

static void exposure(const struct policy *p, const struct prio_input *in, struct prio_result *r)
{
	static const char *const remote[] = { "net/ipv4/", "net/ipv6/", "net/core/",
					      "net/netfilter/", "net/sctp/", "net/tipc/",
					      "net/mptcp/", "net/xfrm/", "net/rxrpc/", "net/smc/",
					      "net/bridge/", "net/sunrpc/", "fs/nfsd/", "fs/smb/",
					      "fs/ksmbd/", "drivers/net/wireguard/", NULL };
	static const char *const hardware[] = { "drivers/", "sound/", "arch/x86/platform/", NULL };
	static const char *const generic[] = { "drivers/base/", "drivers/tty/", "drivers/char/",
					       "drivers/block/loop", "drivers/md/", NULL };
	const char *av = in->cvss_vector ? strstr(in->cvss_vector, "/AV:") : NULL;

	if (av) {
		switch (av[4]) {
		case 'N':
			reason(r, p->remote, "reachable over the network (CVSS AV:N)");
			return;
		case 'A':
			reason(r, p->adjacent, "reachable from an adjacent network (CVSS AV:A)");
			return;
		case 'L':
			reason(r, p->local, "reachable by a local user (CVSS AV:L)");
			return;
		default:
			reason(r, p->hardware, "needs physical access (CVSS AV:P)");
			return;
		}
	}
	if (any_file_under(in, remote))
		reason(r, p->remote, "in a network-facing subsystem");
	else if (any_file_under(in, hardware) && !any_file_under(in, generic))
		reason(r, p->hardware, "in a hardware-specific driver");
	else if (in->n_files)
		reason(r, p->local, "in code reachable through local system calls");
}

void prioritize(const struct policy *p, const struct prio_input *in, struct prio_result *r)
{
	enum priority pinned;

	memset(r, 0, sizeof(*r));
	if (in->cvss_vector)
		reason(r, p->cvss * in->cvss_score, "CVSS %.1f (%s)", in->cvss_score, in->cvss_vector);
	else
		reason(r, p->no_cvss, "no CVSS score from the CNA: neutral base");
	if (in->kev_date)
		reason(r, p->kev, "known exploited: in CISA KEV since %s", in->kev_date);
	if (in->has_epss)
		reason(r, p->epss * in->epss, "EPSS %.3f (percentile %.0f)", in->epss,
		       in->epss_percentile * 100);
	bug_class(p, in, r);
	exposure(p, in, r);
	if (in->built == 'y')
		reason(r, 0, "built into the kernel");
	else if (in->built == 'm')
		reason(r, p->module, "built as a module (matters only where it is loaded)");

	if (r->score >= p->critical)
		r->level = PRIO_CRITICAL;
	else if (r->score >= p->high)
		r->level = PRIO_HIGH;
	else if (r->score >= p->medium)
		r->level = PRIO_MEDIUM;
	else
		r->level = PRIO_LOW;
	if (in->pin_level && priority_from_string(in->pin_level, &pinned) == 0) {
		r->level = pinned;
		reason(r, 0, "pinned to %s by the operator: %s", in->pin_level,
		       strempty(in->pin_reason));
	}
}
