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

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *p = user;
	int lineno = p->lineno;
	char **dst = NULL;

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
	memset(cfg, 0, sizeof(*cfg));
}
