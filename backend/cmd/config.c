/* SPDX-License-Identifier: GPL-2.0-only */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

struct parse_state {
	struct backend_config *cfg;
	const char *path;
	FILE *f;
	int lineno; /* Debian's libinih does not pass line numbers: count them in the reader */
	int error;
};

static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *p = stream;
	char *s = fgets(str, num, p->f);

	if (s)
		p->lineno++;
	return s;
}

static int set_string(char **dst, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int config_parse_duration(const char *s, long *ret)
{
	char *end;
	long v, unit = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0)
		return -EINVAL;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60, end++;
	else if (*end == 'h')
		unit = 3600, end++;
	else if (*end == 'd')
		unit = 86400, end++;
	if (*end || v > 365L * 86400 / unit)
		return -EINVAL;
	*ret = v * unit;
	return 0;
}

int config_parse_count(const char *s, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* [pipeline]: the numbers and levels are checked here, where the line is known. */
static int pipeline_entry(struct parse_state *p, const char *name, const char *value,
			  char ***dst)
{
	struct pipeline_config *pc = &p->cfg->pipeline;
	static const char *const levels[] = { "low", "medium", "high", "critical" };
	bool level = false;
	size_t n = 0;

	if (value[0] == '\0' || strlen(value) > 4096)
		return log_error_errno(EINVAL, "%s:%d: [pipeline] %s: empty or overlong value",
				       p->path, p->lineno, name);
	if (streq(name, "kernels"))
		*dst = &pc->kernels;
	else if (streq(name, "fixes"))
		*dst = &pc->fixes;
	else if (streq(name, "min-priority")) {
		for (size_t i = 0; i < ELEMENTSOF(levels); i++)
			level = level || streq(value, levels[i]);
		if (!level)
			return log_error_errno(EINVAL, "%s:%d: [pipeline] min-priority '%s': expected "
					       "low, medium, high or critical", p->path, p->lineno,
					       value);
		*dst = &pc->min_priority;
	} else if (streq(name, "archive"))
		*dst = &pc->archive;
	else if (streq(name, "keys"))
		*dst = &pc->keys;
	else if (streq(name, "channel"))
		*dst = &pc->channel;
	else if (streq(name, "work"))
		*dst = &pc->work;
	else if (streq(name, "mirror"))
		*dst = &pc->mirror;
	else if (streq(name, "budget")) {
		if (config_parse_duration(value, &pc->budget) < 0)
			return log_error_errno(EINVAL, "%s:%d: [pipeline] budget '%s': expected a "
					       "duration like 90m or 2h", p->path, p->lineno, value);
	} else if (streq(name, "jobs")) {
		if (config_parse_count(value, 64, &pc->jobs) < 0 || pc->jobs == 0)
			return log_error_errno(EINVAL, "%s:%d: [pipeline] jobs '%s': expected 1 to 64",
					       p->path, p->lineno, value);
	} else if (streq(name, "limit")) {
		if (config_parse_count(value, 100000, &pc->limit) < 0)
			return log_error_errno(EINVAL, "%s:%d: [pipeline] limit '%s': expected a "
					       "count", p->path, p->lineno, value);
	} else if (startswith(name, "fixes.") && name[6]) {
		char **v;

		while (pc->fixes_for && pc->fixes_for[n])
			n++;
		v = realloc(pc->fixes_for, (n + 2) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pc->fixes_for = v;
		if (asprintf(&v[n], "%s=%s", name + 6, value) < 0)
			return -ENOMEM;
		v[n + 1] = NULL;
	} else
		return 1;
	return 0;
}

static int fleet_number(struct parse_state *p, const char *section, const char *name,
			const char *value, bool duration, long min, long max, long *dst)
{
	long v;

	if ((duration ? config_parse_duration(value, &v) : config_parse_count(value, max, &v)) < 0 ||
	    v < min || v > max)
		return log_error_errno(EINVAL, "%s:%d: [%s] %s '%s': expected %s from %ld to %ld",
				       p->path, p->lineno, section, name, value,
				       duration ? "a duration (90s, 45m, 2h, 1d)" : "a count", min, max);
	*dst = v;
	return 0;
}

/* [fleet] and [serve]: 0 done, 1 not theirs, < 0 error; *dst set for a string. */
static int fleet_entry(struct parse_state *p, const char *section, const char *name,
		       const char *value, char ***dst)
{
	struct fleet_config *fc = &p->cfg->fleet;
	struct serve_config *sc = &p->cfg->serve;

	if (streq(section, "fleet")) {
		if (streq(name, "channels"))
			*dst = &fc->channels;
		else if (streq(name, "promote-nodes"))
			return fleet_number(p, section, name, value, false, 1, 1000000,
					    &fc->promote_nodes);
		else if (streq(name, "promote-after"))
			return fleet_number(p, section, name, value, true, 0, 366L * 86400,
					    &fc->promote_after);
		else if (streq(name, "revoke-failures"))
			return fleet_number(p, section, name, value, false, 0, 1000000,
					    &fc->revoke_failures);
		else if (streq(name, "stale-intervals"))
			return fleet_number(p, section, name, value, false, 1, 1000,
					    &fc->stale_intervals);
		else if (streq(name, "token-expiry"))
			return fleet_number(p, section, name, value, true, 60, 366L * 86400,
					    &fc->token_expiry);
		else
			return 1;
		return 0;
	}
	if (!streq(section, "serve"))
		return 1;
	if (streq(name, "listen"))
		*dst = &sc->listen;
	else if (streq(name, "tls-cert"))
		*dst = &sc->tls_cert;
	else if (streq(name, "tls-key"))
		*dst = &sc->tls_key;
	else if (streq(name, "archive"))
		*dst = &sc->archive;
	else if (streq(name, "rate"))
		return fleet_number(p, section, name, value, false, 1, 1000000, &sc->rate);
	else if (streq(name, "burst"))
		return fleet_number(p, section, name, value, false, 1, 1000000, &sc->burst);
	else if (streq(name, "connections"))
		return fleet_number(p, section, name, value, false, 1, 100000, &sc->connections);
	else
		return 1;
	return 0;
}

void config_defaults(struct backend_config *cfg)
{
	cfg->fleet.promote_nodes = 2;
	cfg->fleet.promote_after = 24 * 3600;
	cfg->fleet.revoke_failures = 1;
	cfg->fleet.stale_intervals = 2;
	cfg->fleet.token_expiry = 24 * 3600;
	cfg->serve.rate = 50;
	cfg->serve.burst = 200;
	cfg->serve.connections = 1024;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *p = user;
	int lineno = p->lineno;
	char **dst = NULL;

	if (streq(section, "pipeline")) {
		int k = pipeline_entry(p, name, value, &dst);

		if (k < 0) {
			p->error = k;
			return 0;
		}
		if (k == 0 && !dst)
			return 1;
	}

	if (streq(section, "fleet") || streq(section, "serve")) {
		int k = fleet_entry(p, section, name, value, &dst);

		if (k < 0) {
			p->error = k;
			return 0;
		}
		if (k == 0 && !dst)
			return 1;
	}

	if (streq(section, "backend") && streq(name, "db"))
		dst = &p->cfg->db;
	else if (streq(section, "scan") && streq(name, "vulns"))
		dst = &p->cfg->vulns;
	else if (streq(section, "scan") && streq(name, "branch"))
		dst = &p->cfg->branch;
	else if (streq(section, "scan") && streq(name, "mirror"))
		dst = &p->cfg->mirror;
	else if (streq(section, "triage") && streq(name, "policy"))
		dst = &p->cfg->policy;
	else if (streq(section, "generate") && streq(name, "cache"))
		dst = &p->cfg->gen_cache;
	else if (streq(section, "generate") && streq(name, "notify"))
		dst = &p->cfg->gen_notify;
	else if (streq(section, "generate") && streq(name, "webhook"))
		dst = &p->cfg->gen_webhook;
	else if (streq(section, "generate") && streq(name, "vet"))
		dst = &p->cfg->gen_vet;

	if (!dst) {
		p->error = log_error_errno(EINVAL, "%s:%d: unknown key '%s' in section [%s]", p->path,
					   lineno, name, section);
		return 0;
	}
	if (value[0] == '\0' || strlen(value) > 4096) {
		p->error = log_error_errno(EINVAL, "%s:%d: [%s] %s: empty or overlong value", p->path,
					   lineno, section, name);
		return 0;
	}
	if (set_string(dst, value) < 0) {
		p->error = -ENOMEM;
		return 0;
	}
	return 1;
}

int config_load(const char *path, struct backend_config *cfg)
{
	struct parse_state p = { .cfg = cfg };
	const char *file = path ? path : getenv("TUXTAPE_CONFIG");
	bool must_exist = file != NULL;
	FILE *f;
	int k;

	config_defaults(cfg);
	if (!file)
		file = DEFAULT_CONFIG;
	p.path = file;
	f = fopen(file, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return log_error_errno(errno, "%s: cannot open configuration: %m", file);
	}
	p.f = f;
	k = ini_parse_stream(read_line, &p, on_entry, &p);
	fclose(f);
	if (p.error < 0)
		return p.error;
	if (k > 0)
		return log_error_errno(EINVAL, "%s:%d: syntax error (expected [section] or key = value)",
				       file, k);
	if (k < 0)
		return log_error_errno(EIO, "%s: cannot read configuration", file);
	return 0;
}

void config_free(struct backend_config *cfg)
{
	free(cfg->db);
	free(cfg->vulns);
	free(cfg->branch);
	free(cfg->mirror);
	free(cfg->policy);
	free(cfg->gen_cache);
	free(cfg->gen_notify);
	free(cfg->gen_webhook);
	free(cfg->gen_vet);
	free(cfg->pipeline.kernels);
	free(cfg->pipeline.fixes);
	for (size_t i = 0; cfg->pipeline.fixes_for && cfg->pipeline.fixes_for[i]; i++)
		free(cfg->pipeline.fixes_for[i]);
	free(cfg->pipeline.fixes_for);
	free(cfg->pipeline.min_priority);
	free(cfg->pipeline.archive);
	free(cfg->pipeline.keys);
	free(cfg->pipeline.channel);
	free(cfg->pipeline.work);
	free(cfg->pipeline.mirror);
	free(cfg->fleet.channels);
	free(cfg->serve.listen);
	free(cfg->serve.tls_cert);
	free(cfg->serve.tls_key);
	free(cfg->serve.archive);
	memset(cfg, 0, sizeof(*cfg));
}
